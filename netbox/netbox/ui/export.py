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
