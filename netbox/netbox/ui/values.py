"""
What a declared field is and how its value looks: in a table cell, on a detail page, and in an export.

`field_specs(declaration)` describes every REST field of a declaration (its kind, label, whether a list can be
ordered by it); `custom_field_specs(model)` adds the `cf_<name>` columns of the model's custom fields. The render
functions turn a value into safe HTML; `export_value` into a plain value that the importer accepts back.
"""
import datetime
import decimal
import json
import re

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models import Manager
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from netbox.models import tags_of
from netbox.registry import registry

from .schemes import url_allowed

HEAD_FIELDS = ('url', 'display_url', 'display', 'custom_fields')
# Fields that name an object best, in order of preference (for the link column and for lookups).
NAMING_FIELDS = ('name', 'model', 'username', 'mac_address', 'key', 'object_repr', 'comment', 'label', 'prefix',
                 'address', 'start_address')
# Status-like choice values that get a colour of their own.
CHOICE_COLORS = {
    'active': 'green', 'enabled': 'green', 'connected': 'green', 'completed': 'green', 'create': 'green',
    'planned': 'cyan', 'staged': 'blue', 'provisioning': 'blue', 'running': 'blue', 'scheduled': 'cyan',
    'pending': 'cyan', 'reserved': 'cyan', 'update': 'blue',
    'offline': 'gray', 'retired': 'gray', 'deprecated': 'gray', 'disabled': 'gray', 'available': 'teal',
    'decommissioning': 'yellow', 'decommissioned': 'gray', 'inventory': 'purple', 'deprovisioning': 'yellow',
    'failed': 'red', 'errored': 'red', 'delete': 'red',
}
EMPTY = mark_safe('<span class="muted">&mdash;</span>')


class FieldSpec:
    """One field as the UI sees it."""

    def __init__(self, name, label, kind, model_field=None, related_model=None, orderable=False, source=None,
                 custom_field=None):
        self.name = name
        self.label = label
        self.kind = kind
        self.model_field = model_field
        self.related_model = related_model
        self.orderable = orderable
        self.source = source
        self.custom_field = custom_field

    def __repr__(self):
        return f'<FieldSpec {self.name} {self.kind}>'


def _label(name, model_field=None):
    if name == 'id':
        return 'ID'
    if model_field is not None and getattr(model_field, 'verbose_name', None):
        text = str(model_field.verbose_name)
        return text[:1].upper() + text[1:]
    text = name.lstrip('_').replace('_', ' ')
    return text[:1].upper() + text[1:]


def _count_label(name, counter):
    model = counter.model
    if model is not None:
        text = str(model._meta.verbose_name_plural)
        if name != f'{model._meta.model_name}_count':
            text = name.removesuffix('_count').replace('_', ' ')
            text = text if text.endswith('s') or not name.endswith('_count') else f'{text}s'
        return text[:1].upper() + text[1:]
    # The counted model arrives with a later feature: name it from its class name ('ipam.IPAddress').
    words = re.findall(r'[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+', counter.model_label.rpartition('.')[2])
    words = [word if word.isupper() else word.lower() for word in words] or [name]
    last = words[-1]
    if last.isupper():
        words[-1] = f'{last}s'
    elif last.endswith(('s', 'x', 'ch', 'sh')):
        words[-1] = f'{last}es'
    elif last.endswith('y') and last[-2:-1] not in 'aeiou':
        words[-1] = f'{last[:-1]}ies'
    else:
        words[-1] = f'{last}s'
    text = ' '.join(words)
    return text[:1].upper() + text[1:]


def _spec_for(declaration, name):
    model = declaration.model
    if name in declaration.counts:
        return FieldSpec(name, _count_label(name, declaration.counts[name]), 'count', orderable=True)
    if name == 'tags':
        return FieldSpec(name, 'Tags', 'tags')
    if name == '_depth':
        return FieldSpec(name, 'Depth', 'plain', source='level' if declaration.is_tree() else '_depth')
    serializer_field = declaration.serializer_fields.get(name)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if serializer_field is not None and (field is None or (serializer_field.source not in (None, name))):
        source = serializer_field.source if serializer_field.source not in (None, '*') else name
        return FieldSpec(name, _label(name, field), 'attribute', source=source)
    if field is None:
        return FieldSpec(name, _label(name), 'attribute', source=name)
    if isinstance(field, GenericForeignKey):
        return FieldSpec(name, _label(name), 'object', model_field=field)
    label = _label(name, field)
    if field.is_relation:
        related = field.related_model
        if field.many_to_many or field.one_to_many:
            kind = 'contenttypes' if related is ContentType else 'objects'
            return FieldSpec(name, label, kind, model_field=field, related_model=related)
        kind = 'contenttype' if related is ContentType else 'object'
        return FieldSpec(name, label, kind, model_field=field, related_model=related, orderable=True)
    if getattr(field, 'choices', None) and not isinstance(field, ArrayField):
        return FieldSpec(name, label, 'choice', model_field=field, orderable=True)
    if isinstance(field, models.BooleanField):
        kind = 'boolean'
    elif isinstance(field, models.DateTimeField):
        kind = 'datetime'
    elif isinstance(field, models.DateField):
        kind = 'date'
    elif isinstance(field, models.JSONField):
        kind = 'json'
    elif isinstance(field, ArrayField):
        kind = 'array'
    elif isinstance(field, models.URLField):
        kind = 'url'
    elif isinstance(field, models.EmailField):
        kind = 'email'
    elif name == 'color' and isinstance(field, models.CharField):
        kind = 'color'
    elif isinstance(field, models.TextField):
        kind = 'longtext'
    else:
        kind = 'plain'
    orderable = kind not in ('json', 'array')
    return FieldSpec(name, label, kind, model_field=field, orderable=orderable)


# Shown first, and last, on forms and detail pages (the REST order puts inherited fields first).
LEADING = ('name', 'slug', 'model', 'username')
TRAILING = ('description', 'owner', 'comments')


def display_order(names):
    """`names` with naming fields first and description/owner/comments last, otherwise unchanged."""
    names = list(names)
    head = [name for name in LEADING if name in names]
    tail = [name for name in TRAILING if name in names]
    return head + [name for name in names if name not in head and name not in tail] + tail


def field_specs(declaration):
    """{name: FieldSpec} for every REST field of the declaration but the API-only ones, built once."""
    cached = declaration.__dict__.get('_ui_field_specs')
    if cached is None:
        cached = {name: _spec_for(declaration, name) for name in declaration.rest_fields() if name not in HEAD_FIELDS}
        for name, label in declaration.ui_fields.items():  # shown in the UI only, never in the REST API
            cached[name] = FieldSpec(name, label, 'attribute', source=name)
        declaration._ui_field_specs = cached
    return cached


CF_KINDS = {
    'text': 'plain', 'longtext': 'longtext', 'integer': 'plain', 'decimal': 'plain', 'boolean': 'boolean',
    'date': 'plain', 'datetime': 'plain', 'url': 'url', 'json': 'json', 'select': 'cf-select',
    'multiselect': 'cf-select', 'object': 'cf-object', 'multiobject': 'cf-object',
}


def custom_fields_for(model):
    if not any(f.name == 'custom_field_data' for f in model._meta.get_fields()):
        return []
    from extras.models import CustomField

    return CustomField.objects.get_for_model(model)


def custom_field_specs(model, visible_only=True):
    """{cf_<name>: FieldSpec} for the model's custom fields (hidden ones left out unless asked for)."""
    specs = {}
    for cf in custom_fields_for(model):
        if visible_only and cf.ui_visible == 'hidden':
            continue
        related = cf.related_object_type.model_class() if cf.related_object_type_id else None
        specs[f'cf_{cf.name}'] = FieldSpec(f'cf_{cf.name}', str(cf), CF_KINDS.get(cf.type, 'plain'),
                                           custom_field=cf, related_model=related)
    return specs


# Reading values

def _resolve(obj, path):
    value = obj
    for part in path.split('.'):
        if value is None:
            return None
        try:
            value = getattr(value, part)
        except (ObjectDoesNotExist, AttributeError):
            return None
    if isinstance(value, Manager):
        return list(value.all())
    return value


def raw_value(obj, spec):
    """The Python value of a field of `obj`: objects, lists of objects, scalars."""
    kind = spec.kind
    if kind == 'count':
        value = getattr(obj, spec.name, None)
        if value is None:
            return 0
        return value
    if kind == 'tags':
        return tags_of(obj)
    if spec.custom_field is not None:
        return (obj.custom_field_data or {}).get(spec.custom_field.name)
    if kind == 'attribute':
        return _resolve(obj, spec.source)
    if spec.source:
        return getattr(obj, spec.source, None)
    if kind in ('objects', 'contenttypes'):
        return list(getattr(obj, spec.name).all()) if obj.pk else []
    if kind in ('object', 'contenttype'):
        try:
            return getattr(obj, spec.name)
        except (ObjectDoesNotExist, AttributeError):
            return None
    return getattr(obj, spec.model_field.attname if spec.model_field is not None else spec.name, None)


# HTML

def object_link(obj):
    if obj is None:
        return EMPTY
    if isinstance(obj, ContentType):
        return content_type_label(obj)
    url = obj.get_absolute_url() if hasattr(obj, 'get_absolute_url') else ''
    if url:
        return format_html('<a href="{}">{}</a>', url, obj)
    return format_html('{}', obj)


def content_type_label(content_type):
    model = content_type.model_class()
    if model is None:
        return f'{content_type.app_label}.{content_type.model}'
    app = model._meta.app_config.verbose_name
    return f'{app} › {capfirst(model._meta.verbose_name)}'


def choice_badge(value, label):
    color = CHOICE_COLORS.get(str(value).lower(), 'neutral')
    return format_html('<span class="badge badge-{}">{}</span>', color, label)


def tag_badge(tag):
    color = tag.color or '9e9e9e'
    text = 'dark' if _is_light(color) else 'light'
    return format_html('<span class="tag tag-{}" style="background-color:#{}">{}</span>', text, color, tag.name)


def _is_light(color):
    try:
        red, green, blue = int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)
    except (ValueError, TypeError):
        return True
    return (red * 299 + green * 587 + blue * 114) / 1000 > 150


def format_datetime(value):
    """A date or time in the format the current user prefers (ui.date_format)."""
    from users.preferences import format_date

    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return format_date(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    return str(value)


def json_text(value, indent=None):
    return json.dumps(value, indent=indent, sort_keys=bool(indent), default=str)


# Utilisation levels as NetBox colours them: amber from 75%, red from 90%.
UTILIZATION_WARNING = 75
UTILIZATION_DANGER = 90


def utilization_level(percent, warning=UTILIZATION_WARNING, danger=UTILIZATION_DANGER):
    """'low' (green), 'mid' (amber) or 'high' (red)."""
    return 'high' if percent >= danger else 'mid' if percent >= warning else 'low'


def utilization_bar(percent, warning=UTILIZATION_WARNING, danger=UTILIZATION_DANGER, title=None):
    """A small horizontal bar filled to `percent` (a number, or text such as "12.5"), green, amber or red by level,
    with the percentage written on it; EMPTY when there is no value."""
    if percent is None or percent == '':
        return EMPTY
    try:
        value = float(percent)
    except (TypeError, ValueError):
        return EMPTY
    shown = f'{value:.2f}'.rstrip('0').rstrip('.')
    width = f'{min(max(value, 0.0), 100.0):.2f}'
    return format_html(
        '<span class="utilization utilization-{}" role="meter" aria-valuenow="{}" aria-valuemin="0" '
        'aria-valuemax="100" title="{}"><span class="bar" style="width: {}%"></span><span class="num">{}%</span>'
        '</span>', utilization_level(value, warning, danger), shown, title or f'{shown}%', width, shown)


def render_value(obj, spec, detail=False):
    """Safe HTML for one field of `obj` (a declaration's own renderer for that field wins)."""
    declaration = registry.get(type(obj))
    renderer = declaration.ui_renderers.get(spec.name) if declaration is not None else None
    if renderer is not None:
        return renderer(obj)
    return render_plain(raw_value(obj, spec), spec, obj=obj, detail=detail)


def render_plain(value, spec, obj=None, detail=False):
    kind = spec.kind
    if kind == 'tags':
        return format_html_join(' ', '{}', ((tag_badge(tag),) for tag in value)) if value else EMPTY
    if kind == 'count':
        return format_html('<span class="num">{}</span>', value)
    if kind == 'boolean':
        if value is None:
            return EMPTY
        return mark_safe('<span class="yes" title="Yes">&#10003;</span>' if value else
                         '<span class="no" title="No">&#10007;</span>')
    if value is None or value == '' or value == [] or value == {}:
        return EMPTY
    if kind == 'choice':
        labels = dict(spec.model_field.flatchoices)
        return choice_badge(value, labels.get(value, value))
    if kind == 'cf-select':
        choices = dict(spec.custom_field.choice_set.choices) if spec.custom_field.choice_set_id else {}
        values = value if isinstance(value, list) else [value]
        return format_html_join(' ', '{}', ((choice_badge('', choices.get(item, item)),) for item in values))
    if kind == 'cf-object':
        return render_cf_objects(value, spec)
    if kind in ('object', 'contenttype'):
        return object_link(value)
    if kind in ('objects', 'contenttypes'):
        return format_html_join(', ', '{}', ((object_link(item),) for item in value))
    if kind in ('datetime', 'date'):
        return format_html('<span class="nowrap">{}</span>', format_datetime(value))
    if kind == 'json':
        if detail:
            return format_html('<pre class="json">{}</pre>', json_text(value, indent=2))
        text = json_text(value)
        return format_html('<code title="{}">{}</code>', text, text if len(text) <= 60 else text[:57] + '…')
    if kind == 'array':
        return format_html_join(', ', '{}', ((item,) for item in value))
    if kind == 'url':
        if not url_allowed(value):
            return format_html('<span class="muted" title="Not a link: its scheme is not in ALLOWED_URL_SCHEMES">'
                               '{}</span>', value)
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', value, value)
    if kind == 'email':
        return format_html('<a href="mailto:{}">{}</a>', value, value)
    if kind == 'color':
        return format_html('<span class="swatch" style="background-color:#{}"></span> {}', value, value)
    if kind == 'longtext':
        if detail:
            return format_html('<div class="longtext">{}</div>', value)
        text = str(value)
        return format_html('<span title="{}">{}</span>', text, text if len(text) <= 80 else text[:77] + '…')
    if isinstance(value, list):
        return format_html_join(', ', '{}', ((object_link(item) if isinstance(item, models.Model) else item,)
                                             for item in value))
    if isinstance(value, models.Model):
        return object_link(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return format_datetime(value)
    if isinstance(value, dict):
        return format_html('<code>{}</code>', json_text(value))
    return format_html('{}', value)


def render_cf_objects(value, spec):
    model = spec.related_model
    ids = value if isinstance(value, list) else [value]
    if model is None:
        return format_html_join(', ', '#{}', ((pk,) for pk in ids))
    cache = getattr(spec, 'object_cache', None)
    if cache is None:
        cache = {obj.pk: obj for obj in model._default_manager.filter(pk__in=ids)}
    return format_html_join(', ', '{}', ((object_link(cache[pk]) if pk in cache else f'#{pk}',) for pk in ids))


def preload_cf_objects(specs, objects):
    """Load the objects that object-type custom fields point at, one query per field for a whole page."""
    for spec in specs:
        if spec.kind != 'cf-object' or spec.related_model is None:
            continue
        ids = set()
        for obj in objects:
            value = (obj.custom_field_data or {}).get(spec.custom_field.name)
            for pk in (value if isinstance(value, list) else [value]):
                if isinstance(pk, int):
                    ids.add(pk)
        spec.object_cache = {o.pk: o for o in spec.related_model._default_manager.filter(pk__in=ids)} if ids else {}


# Plain values for export (and for the importer to read back)

def natural_key_field(model):
    """The field that names an object of `model` in exports and imports (None: use the primary key)."""
    names = {f.name: f for f in model._meta.concrete_fields}
    for name in ('name', 'slug', 'username', 'model', 'mac_address', 'key'):
        if name in names:
            return name
    return None


def natural_key(obj):
    if obj is None:
        return None
    if isinstance(obj, ContentType):
        return f'{obj.app_label}.{obj.model}'
    name = natural_key_field(type(obj))
    value = getattr(obj, name) if name else None
    return obj.pk if value in (None, '') else value


def export_value(obj, spec):
    """A JSON/YAML-ready value: relations by name (or ID), choices by value, tags by slug."""
    value = raw_value(obj, spec)
    kind = spec.kind
    if kind == 'tags':
        return [tag.slug for tag in value]
    if kind in ('object', 'contenttype'):
        if value is not None and spec.model_field is not None and isinstance(spec.model_field, GenericForeignKey):
            return {'id': value.pk, 'display': str(value)}
        return natural_key(value)
    if kind in ('objects', 'contenttypes'):
        return [natural_key(item) for item in value]
    return plain(value)


def plain(value):
    if isinstance(value, models.Model):
        return natural_key(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)  # a number in YAML/JSON, as the REST API serves it
    return str(value)


def csv_text(value):
    """One export value as CSV cell text."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, list) and all(isinstance(item, (str, int)) for item in value):
        return ','.join(str(item) for item in value)
    if isinstance(value, (list, dict)):
        return json_text(value)
    return str(value)
