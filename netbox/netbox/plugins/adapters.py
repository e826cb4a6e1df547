"""
Declarations for a plugin's models.

A plugin declares its models either our way (`<plugin>/declarations.py`, imported first) or NetBox's way: a model
built on netbox.models.NetBoxModel (or PrimaryModel...), a NetBoxModelSerializer, a NetBoxModelViewSet registered on
a NetBoxRouter, a NetBoxModelFilterSet, a NetBoxTable, NetBoxModelForms, generic views and a SearchIndex. The
NetBox-style classes record themselves as they are defined (netbox.registry.record_piece); once the plugin is ready,
each of its change-logged models that has no declaration gets one derived from them:

| NetBox-style piece | Declaration attribute |
| --- | --- |
| serializer `Meta.fields` / `Meta.brief_fields` | `fields` / `brief` |
| serializer fields that are no model field (read-only values) | `serializer_fields` |
| `Count(...)` annotations of the viewset's or list view's queryset | `counts` |
| filter set `Meta.fields`, its declared filters, its `search()` | `filters`, `extra_filters`, `q` |
| table `Meta.default_columns` | `table` |
| model form `Meta.fields` | `form_exclude` (the other fields) |
| SearchIndex `fields` | `search` (with weights), in the global search |

Everything else (REST endpoints, filters, forms, tables, pages, change log, tags, custom fields, permissions, global
search, GraphQL) then comes from the shared machinery, as for our own models.
"""
import importlib
from importlib.util import find_spec

import django_filters
from django.db.models import Count

from netbox.registry import INTERNAL_FIELDS, TRAILING_FIELDS, Counter, Declaration, netbox_style_pieces, registry

# Modules a NetBox-style plugin keeps its classes in, imported (when present) before its models are declared.
# Forms and views are read once the plugin's URLs are loaded (apply_ui_pieces): their fields may need the URLs.
PIECE_MODULES = ('api.serializers', 'filtersets', 'tables', 'search', 'api.views')
HEAD_FIELDS = {'id', 'url', 'display_url', 'display'}


def declare_plugin_models(app_config):
    """Declare every change-logged model of the plugin: natively declared ones as they are, the others derived."""
    name = app_config.name
    for module in ('declarations', 'signals'):
        if find_spec(f'{name}.{module}'):
            importlib.import_module(f'{name}.{module}')
    for module in PIECE_MODULES:
        try:
            found = find_spec(f'{name}.{module}')
        except ModuleNotFoundError:  # the parent package (api) is absent
            found = None
        if found:
            importlib.import_module(f'{name}.{module}')
    from netbox.models import ChangeLoggedModel

    for declaration in registry.for_app(app_config.label):  # declared natively
        declaration.plugin = name
    declared = []
    for model in app_config.get_models():
        if registry.get(model._meta.label_lower) is not None or not issubclass(model, ChangeLoggedModel):
            continue
        declared.append(registry.register(derive_declaration(model, app_config)))
    return declared


def apply_ui_pieces(app_config):
    """Once the plugin's UI URLs (and so its views and forms) are loaded: the derived declarations take the forms'
    fields and the list views' counters."""
    for declaration in registry.for_app(app_config.label):
        if not declaration.__dict__.get('netbox_style'):
            continue
        for cls in pieces_for('list_views', declaration.model):
            found = counters_from_queryset(declaration.model, cls.__dict__.get('queryset'))
            new = {name: counter for name, counter in found.items() if name not in declaration.counts}
            if new:
                declaration.counts = {**declaration.counts, **new}
                declaration.__dict__.get('_serializers', {}).clear()
        finish_declaration(declaration)


def pieces_for(kind, model):
    """The NetBox-style classes of `kind` defined for `model` (the last one defined wins where one is needed)."""
    found = []
    for cls in netbox_style_pieces.get(kind, ()):
        target = piece_model(cls)
        if target is model:
            found.append(cls)
    return found


def piece_model(cls):
    """The model a NetBox-style class is for: its Meta.model, its `model`, or its queryset's model."""
    meta = getattr(cls, 'Meta', None)
    model = getattr(meta, 'model', None) or getattr(cls, 'model', None)
    if model is None:
        queryset = cls.__dict__.get('queryset')
        model = getattr(queryset, 'model', None)
    return model if isinstance(model, type) else None


def _model_field_names(model):
    names = set()
    for field in model._meta.get_fields():
        names.add(field.name)
    return names


def derive_declaration(model, app_config):
    """A Declaration subclass for a plugin model, from the NetBox-style classes defined for it."""
    attrs = {'model': model, '__module__': app_config.name, 'plugin': app_config.name, 'netbox_style': True}
    model_names = _model_field_names(model)
    counts = {}
    for kind in ('viewsets', 'list_views'):
        for cls in pieces_for(kind, model):
            counts.update(counters_from_queryset(model, cls.__dict__.get('queryset')))

    serializers = pieces_for('serializers', model)
    if serializers:
        serializer = serializers[-1]
        meta = serializer.Meta
        fields = getattr(meta, 'fields', '__all__')
        extra = {}
        for name, field in getattr(serializer, '_declared_fields', {}).items():
            if name in HEAD_FIELDS or name in model_names or name in TRAILING_FIELDS:
                continue
            if name in counts:
                continue
            if field.__class__.__name__ == 'SerializerMethodField':
                continue  # its method lives on the plugin's class; the derived serializer has no such method
            if getattr(field, 'read_only', False) and field.__class__.__name__ == 'IntegerField' \
                    and name.endswith('_count'):
                continue  # a counter whose annotation we could not read: left out rather than served wrong
            extra[name] = field
        if fields != '__all__':
            body = [name for name in fields if name not in HEAD_FIELDS and name not in TRAILING_FIELDS and
                    name not in counts and (name in model_names or name in extra) and name not in INTERNAL_FIELDS]
            attrs['fields'] = tuple(body)
        brief = getattr(meta, 'brief_fields', None)
        if brief:
            attrs['brief'] = tuple(name for name in brief if name not in Declaration.brief_head)
        if extra:
            attrs['serializer_fields'] = extra
    elif not any(field.name == 'name' for field in model._meta.concrete_fields):
        attrs['brief'] = ('description',) if 'description' in model_names else ()
    if counts:
        attrs['counts'] = counts

    filtersets = pieces_for('filtersets', model)
    if filtersets:
        filterset = filtersets[-1]
        wanted = getattr(filterset.Meta, 'fields', None) or ()
        if isinstance(wanted, dict):
            wanted = list(wanted)
        if wanted != '__all__':
            attrs['filters'] = tuple(name for name in wanted if name != 'id' and name in model_names and
                                     name not in INTERNAL_FIELDS)
        attrs['extra_filters'] = {name: flt for name, flt in filterset.declared_filters.items() if name != 'q'}
        if callable(getattr(filterset, 'search', None)):
            attrs['extra_filters']['q'] = django_filters.CharFilter(method='search', label='Search')
        attrs['filterset_base'] = filterset

    tables = pieces_for('tables', model)
    if tables:
        default = getattr(tables[-1].Meta, 'default_columns', None)
        if default:
            attrs['table'] = tuple(name for name in default if name not in ('pk', 'actions'))

    from netbox.search import search_index_for

    index = search_index_for(model)
    if index is not None:
        attrs['search'] = tuple((name, weight) for name, weight in index.fields)
        attrs['search_index'] = index
    else:
        attrs['search'] = tuple(name for name in ('name', 'description') if name in model_names)
    # Children among the plugin's models are listed on the parent's page.
    attrs['related'] = tuple(
        f'{other._meta.label}.{field.name}' for other in app_config.get_models() if other is not model
        for field in other._meta.concrete_fields if field.is_relation and field.related_model is model)
    return type(f'{model.__name__}Declaration', (Declaration,), attrs)


def finish_declaration(declaration):
    """What needs the registered declaration: the form's fields."""
    forms = pieces_for('forms', declaration.model)
    if not forms:
        return
    chosen = getattr(forms[-1].Meta, 'fields', None)
    if not chosen or chosen == '__all__':
        return
    from netbox.ui.forms import editable_field_names

    declaration.form_exclude = tuple(name for name in editable_field_names(declaration) if name not in chosen)
    declaration.form_include = tuple(
        name for name in chosen if any(f.name == name and f.many_to_many and name != 'tags'
                                       for f in declaration.model._meta.get_fields()))


def counters_from_queryset(model, queryset):
    """{name: Counter} for the `Count('<reverse relation>')` annotations of a NetBox-style view's queryset."""
    counts = {}
    if queryset is None:
        return counts
    for name, expression in queryset.query.annotations.items():
        if not isinstance(expression, Count):
            continue
        source = expression.get_source_expressions()[0]
        # Resolved by annotate(): a column of the related model's table, joined through its foreign key to us.
        target = getattr(source, 'target', None)
        related = getattr(target, 'model', None)
        if related is None or related is model:
            continue
        keys = [field for field in related._meta.concrete_fields if field.is_relation and field.related_model is model]
        if len(keys) == 1:
            counts[name] = Counter(related._meta.label, keys[0].name)
    return counts
