"""Export of a filtered list: CSV (one column per shown table column) or YAML (a list of plain dicts)."""
import csv
import io

import yaml
from django.http import HttpResponse

from .values import csv_text, export_value

EXPORT_FORMATS = {'csv': 'CSV', 'yaml': 'YAML'}
CONTENT_TYPES = {'csv': 'text/csv; charset=utf-8', 'yaml': 'application/x-yaml; charset=utf-8'}


def export_rows(declaration, queryset, columns, available):
    """Dicts of plain values, one per object, keyed by column (field) name."""
    objects = list(queryset)
    if declaration.prepare_rows is not None:
        declaration.prepare_rows(objects)
    specs = [(name, available[name]) for name in columns if name in available]
    return [{name: export_value(obj, spec) for name, spec in specs} for obj in objects]


def export_text(declaration, queryset, columns, available, fmt):
    rows = export_rows(declaration, queryset, columns, available)
    if fmt == 'yaml':
        return yaml.safe_dump(rows, sort_keys=False, allow_unicode=True, default_flow_style=False)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    names = [name for name in columns if name in available]
    writer.writerow(names)
    for row in rows:
        writer.writerow([csv_text(row[name]) for name in names])
    return buffer.getvalue()


def export_response(declaration, queryset, columns, available, fmt):
    text = export_text(declaration, queryset, columns, available, fmt)
    response = HttpResponse(text, content_type=CONTENT_TYPES[fmt])
    filename = f'netbox_{declaration.slug()}.{fmt}'
    response['Content-Disposition'] = f'attachment; filename="{filename}"'
    return response


class ExportError(Exception):
    """An export template could not be used: none by that name, or its rendering failed (the message says why)."""


def export_templates_for(model, user):
    """The export templates the user may use for `model`'s lists (one query)."""
    from django.contrib.contenttypes.models import ContentType

    from extras.models import ExportTemplate

    content_type = ContentType.objects.get_for_model(model)
    return list(ExportTemplate.objects.restrict(user, 'view').filter(object_types=content_type)
                .only('pk', 'name', 'description'))


def template_export_response(model, user, queryset, name):
    """The list rendered by the export template `name`: its MIME type, and a download named by the template when
    it is an attachment. Raises ExportError with a message for the user."""
    from django.contrib.contenttypes.models import ContentType

    from extras.models import ExportTemplate
    from extras.rendering import RenderError

    content_type = ContentType.objects.get_for_model(model)
    template = (ExportTemplate.objects.restrict(user, 'view').filter(object_types=content_type, name=name)
                .order_by('pk').first())
    if template is None:
        raise ExportError(f'There is no export template named "{name}" for {model._meta.verbose_name_plural}.')
    try:
        text = template.render(queryset)
    except RenderError as error:
        where = f' (line {error.line})' if error.line else ''
        raise ExportError(f'The export template "{name}" could not be rendered{where}: {error.message}')
    mime_type = template.mime_type or 'text/plain'
    if 'charset' not in mime_type:
        mime_type = f'{mime_type}; charset=utf-8'
    response = HttpResponse(text, content_type=mime_type)
    if template.as_attachment:
        filename = ''.join(char for char in template.file_name_for(model) if char.isprintable() and char not in '"\\')
        response['Content-Disposition'] = f'attachment; filename="{filename}"'
    else:
        # Shown in the browser: an HTML export runs no script and reaches nothing of NetBox's origin.
        response['Content-Security-Policy'] = 'sandbox'
    return response
