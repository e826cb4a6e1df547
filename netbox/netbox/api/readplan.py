"""
The compiled read path: rows rendered to JSON-ready dicts by a plan made once per serializer shape.

A derived serializer (netbox.api.serializers) is the reference for what a response holds: its fields, their order,
sources and nested forms. Walking DRF's field tree for each row, though, costs more than fetching the rows: every
value goes through `get_attribute`/`to_representation`, choices are re-flattened per value, URLs are reversed per
object. A plan looks at the serializer's (bound) fields once and picks for each a small function that reads the
value straight off the instance: choice labels from a map built once, URLs from a template, nested objects through
a nested plan of their own, custom fields with the field list read once per request. Fields the plan doesn't know
(a declared field with its own logic) go through DRF as before, so the output is always the serializer's; a
generic test compares the two for every model and mode.
"""
import copy
import keyword

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import ForeignObjectRel
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import ManyRelatedField, PKOnlyObject

from netbox.models import AbsoluteURLMixin, tags_of
from netbox.registry import registry, ui_namespace

from .fields import (
    ChoiceField,
    ContentTypeField,
    CounterField,
    NestedRelatedField,
    TagListField,
    TextValueField,
    api_list_path,
)

TAG_FIELDS = ('id', 'url', 'display_url', 'display', 'name', 'slug', 'color')
_PK_MARK = 2147483001  # a primary key no URL pattern mistakes for anything else; replaced by the real one


def render_many(serializer, instances):
    """`serializer.data` for a list serializer over `instances`, through the plan when the serializer allows it."""
    child = serializer.child
    plan = plan_for(child)
    if plan is None:
        return serializer.data
    context = RenderContext(child)
    fetch_lists(plan, instances, context)
    data = [plan(obj, context) for obj in instances]
    # The list serializer and its child refer to each other: let the rows go with the request, not with the next
    # full garbage collection.
    for holder in (serializer, child):
        holder.instance = None
        holder._args = ()
    return data


def render_one(serializer, instance):
    """`serializer.data` for one instance."""
    plan = plan_for(serializer)
    if plan is None:
        return serializer.data
    context = RenderContext(serializer)
    fetch_lists(plan, [instance], context)
    return plan(instance, context)


class RenderContext:
    """What a plan needs per request: the absolute URL origin, the bound serializer (for fields rendered by DRF)
    and values looked up once (custom fields)."""

    def __init__(self, serializer):
        self.serializer = serializer
        self.drf_context = serializer.context
        request = self.drf_context.get('request')
        self.origin = request.build_absolute_uri('/')[:-1] if request is not None else ''
        self.cache = {}
        self.timezone = timezone.get_current_timezone()
        # {relation: {owner pk: [related objects]}} fetched for the whole page by fetch_lists()
        self.lists = {}

    def custom_fields(self, model):
        key = ('custom_fields', model)
        if key not in self.cache:
            from extras.models import CustomField

            self.cache[key] = [(cf.name, _custom_field_reader(cf)) for cf in CustomField.objects.get_for_model(model)]
        return self.cache[key]


# Plans for top-level objects


_plans = {}


def plan_for(serializer):
    """A callable(instance, context) -> dict for the serializer's current fields, or None when the serializer
    renders rows its own way (a to_representation of its own)."""
    from .serializers import BaseModelSerializer

    cls = type(serializer)
    if cls.to_representation is not BaseModelSerializer.to_representation:
        return None
    key = (cls, serializer.field_selection)
    plan = _plans.get(key)
    if plan is None:
        if len(_plans) > 4096:  # `fields=`/`omit=` make the keys the client's choice: keep the cache bounded
            _plans.clear()
        plan = _plans[key] = _compile(cls, serializer.fields)
    return plan


def _compile(cls, fields):
    model = cls.Meta.model
    readers = []
    for name, field in fields.items():
        if field.write_only:
            continue
        readers.append((name, _reader_for(cls, model, name, field)))
    absent_when_null = tuple(getattr(cls.Meta, 'absent_when_null', ()))
    may_skip = any(getattr(read, 'may_skip', False) for _, read in readers)
    lists = [read.list_relation for _, read in readers if getattr(read, 'list_relation', None) is not None]
    # (field name, source, ListRelation) of the lists shown inside nested objects: fetched by fetch_lists().
    nested_lists = [(name, source, relation) for name, read in readers if getattr(read, 'nested', None) is not None
                    for source, relation in _lists_inside(model, *read.nested)]

    build = dict_builder([(name, read) for name, read in readers])

    def plan(obj, context):
        data = build(obj, context)
        if may_skip:
            data = {name: value for name, value in data.items() if value is not _SKIP}
        for name in absent_when_null:
            if name in data and data[name] is None:
                del data[name]
        return data

    plan.lists = lists
    plan.nested_lists = nested_lists
    plan.type_fields = {name for name, read in readers if getattr(read, 'type_column', None)}
    return plan


def _single_source(field):
    attrs = getattr(field, 'source_attrs', None)
    return attrs[0] if attrs and len(attrs) == 1 and field.source != '*' else None


def _reader_for(cls, model, name, field):
    from .serializers import BaseModelSerializer, CustomFieldsField

    if isinstance(field, serializers.SerializerMethodField):
        method = getattr(cls, field.method_name, None)
        if method is getattr(BaseModelSerializer, field.method_name, object()):
            if field.method_name == 'get_url':
                return _url_inline(model)
            if field.method_name == 'get_display_url':
                return _display_url_inline(model)
            if field.method_name == 'get_display':
                return Inline('str(obj)')
        return _drf_reader(name, field)
    if type(field) is CustomFieldsField:
        def read_custom_fields(obj, context):
            data = obj.custom_field_data
            if data is None:
                return None
            return {cf_name: read(data.get(cf_name)) for cf_name, read in context.custom_fields(model)}
        return read_custom_fields
    if type(field) is TagListField:
        nested = nested_plan(_tag_model(), TAG_FIELDS)

        def read_tags(obj, context):
            if obj.pk is None:
                return []
            return [nested(tag, context) for tag in tags_of(obj)]
        return read_tags
    if hasattr(field, 'plan_reader'):
        return field.plan_reader()  # a declared field that knows its own fast form
    source = _single_source(field)
    type_column = content_type_column(model, field)
    if type_column is not None:
        def read_type(obj, context):
            type_id = getattr(obj, type_column)
            if type_id is None:
                return None
            content_type = ContentType.objects.get_for_id(type_id)
            return f'{content_type.app_label}.{content_type.model}'
        read_type.type_column = type_column
        return read_type
    if type(field) is CounterField and source is not None:
        return lambda obj, context: int(getattr(obj, source, 0) or 0)
    if source is None or type(field).get_attribute not in _PLAIN_GET_ATTRIBUTE:
        return _drf_reader(name, field)
    if isinstance(field, ManyRelatedField) and type(field.child_relation) is NestedRelatedField:
        child = field.child_relation
        related_fields = tuple(child.nested_fields) if child.nested_fields is not None else None

        def read_many(obj, context):
            if obj.pk is None:
                return []
            fetched = context.lists.get(source)
            items = fetched.get(obj.pk, ()) if fetched is not None else getattr(obj, source).all()
            return [render_nested(item, context, related_fields) for item in items]
        read_many.list_relation = ListRelation.of(model, source, related_fields)
        return read_many
    if type(field) is NestedRelatedField:
        return _related_reader(source, tuple(field.nested_fields) if field.nested_fields is not None else None)
    if type(field) is ChoiceField:
        read_choice = _choice_reader(source, field.model_field)
        column = _plain_column(model, source)
        if column is None:
            return read_choice
        return Inline(f'$choice(obj.{column})', choice=read_choice.of_value)
    if type(field) is serializers.DateTimeField and _iso_datetimes(field):
        def datetime_text(value, context):
            if not value:
                return None
            if value.tzinfo is None or value.utcoffset() is None:
                return field.to_representation(value)  # naive: DRF makes it aware, or refuses it
            text = value.astimezone(context.timezone).isoformat()
            return f'{text[:-6]}Z' if text.endswith('+00:00') else text
        column = _plain_column(model, source)
        if column is not None:
            return Inline(f'$datetime(obj.{column}, context)', datetime=datetime_text)
        return lambda obj, context: datetime_text(getattr(obj, source), context)
    convert = _CONVERTERS.get(type(field))
    if convert is None:
        if type(field).__module__ != 'rest_framework.fields':
            return _drf_reader(name, field)  # a field of our own may read the request context
        convert = field.to_representation  # DRF's own fields depend on nothing but the value
    column = _plain_column(model, source)
    if column is not None:
        if convert is _identity:
            return Inline(f'obj.{column}')
        return Inline(f'(None if (_value := obj.{column}) is None else $convert(_value))', convert=convert)
    if convert is _identity:
        def read_attribute(obj, context):
            value = getattr(obj, source)
            return value() if callable(value) else value
        return read_attribute

    def read_value(obj, context):
        value = getattr(obj, source)
        return None if value is None else convert(value)
    return read_value


def _plain_column(model, name):
    """The attribute of the model's concrete, non-relation field `name` when generated code may read it as
    `obj.<attribute>` (a loaded value, or Django's deferred loading); None otherwise."""
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    if not getattr(field, 'concrete', False) or field.is_relation or field.attname != name:
        return None
    return name if name.isidentifier() and not keyword.iskeyword(name) and name != '_value' else None


def content_type_column(model, field):
    """For a serializer field showing a foreign key to a content type as "app.model", the key's column attribute
    (the plan reads the type from the content type cache, so the rows need no join); None for other fields."""
    source = _single_source(field)
    if type(field) is not ContentTypeField or source is None:
        return None
    try:
        model_field = model._meta.get_field(source)
    except Exception:
        return None
    if not (model_field.many_to_one and model_field.concrete and model_field.related_model is ContentType):
        return None
    return model_field.attname


def _iso_datetimes(field):
    """Whether DRF writes this datetime field in ISO 8601 in the current time zone (its default), which the plan
    does itself: DRF looks the time zone up again for every value."""
    from django.conf import settings
    from rest_framework.settings import api_settings

    output_format = getattr(field, 'format', api_settings.DATETIME_FORMAT)
    return settings.USE_TZ and not hasattr(field, 'timezone') and isinstance(output_format, str) and \
        output_format.lower() == 'iso-8601'


def _nested_list_reader(accessor, fields):
    """A list shown inside a nested object (an IP address's NAT outside addresses): as fetched for the page by
    fetch_lists(), else through the object's manager."""
    def read_list(obj, context):
        items = obj.__dict__.get('_plan_lists', {}).get(accessor)
        if items is None:
            items = getattr(obj, accessor).all()
        return [render_nested(item, context, fields) for item in items]
    return read_list


def _related_reader(attribute, fields):
    """One related object in nested form (None when there is none, a reverse one-to-one included)."""
    plans = {}

    def read_related(obj, context):
        # The joined object as select_related left it (the descriptor's own lookup costs more than the dict's).
        value = obj._state.fields_cache.get(attribute, _SKIP)
        if value is _SKIP:
            try:
                value = getattr(obj, attribute)
            except ObjectDoesNotExist:
                return None
        if value is None:
            return None
        plan = plans.get(type(value))
        if plan is None:
            plan = plans[type(value)] = nested_plan(type(value), fields)
        return plan(value, context)
    read_related.nested = (attribute, fields)
    return read_related


def generic_object_reader(model, name):
    """A function(instance) -> the object its generic foreign key `name` points at. A prefetched object is taken
    as it is when its type and key match the row's; Django's own accessor checks the same, but looks the content
    type up through a new manager copy on every read."""
    from django.contrib.contenttypes.fields import GenericForeignKey
    from django.contrib.contenttypes.models import ContentType

    field = next((f for f in model._meta.private_fields if f.name == name), None)
    if not isinstance(field, GenericForeignKey):
        return lambda obj: getattr(obj, name, None)
    cache_name = field.cache_name
    type_column = model._meta.get_field(field.ct_field).attname
    key_column = field.fk_field
    type_ids = {}

    def read(obj):
        cached = obj._state.fields_cache.get(cache_name)
        if cached is not None:
            kind = type(cached)
            type_id = type_ids.get(kind)
            if type_id is None:
                type_id = type_ids[kind] = ContentType.objects.get_for_model(
                    kind, for_concrete_model=field.for_concrete_model).pk
            if type_id == getattr(obj, type_column) and cached.pk == getattr(obj, key_column):
                return cached
        return getattr(obj, name, None)
    return read


def _tag_model():
    from extras.models import Tag

    return Tag


def _drf_reader(name, prototype):
    """The value as DRF's Serializer.to_representation computes it, for fields with logic of their own."""
    def read(obj, context):
        # A fresh copy of only this field, bound to this request's serializer (its context): `serializer.fields`
        # would deep-copy every field of the serializer.
        key = ('drf field', name)
        field = context.cache.get(key)
        if field is None:
            field = context.cache[key] = copy.deepcopy(prototype)
            field.bind(name, context.serializer)
        try:
            attribute = field.get_attribute(obj)
        except SkipField:
            return _SKIP
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)
    read.may_skip = True
    return read


class _Skip:
    pass


_SKIP = _Skip()


def _identity(value):
    return value


def _choice_reader(source, model_field):
    labels = {value: str(label) for value, label in model_field.flatchoices}

    def of_value(value):
        if value is None:
            return None
        if value == '':
            return {'value': '', 'label': ''}
        label = labels.get(value)
        return {'value': value, 'label': label if label is not None else str(value)}

    def read(obj, context):
        return of_value(getattr(obj, source))
    read.of_value = of_value
    return read


_PLAIN_GET_ATTRIBUTE = {serializers.Field.get_attribute, serializers.RelatedField.get_attribute,
                        ManyRelatedField.get_attribute}
_CONVERTERS = {
    serializers.CharField: str,
    serializers.SlugField: str,
    serializers.EmailField: str,
    serializers.URLField: str,
    serializers.IntegerField: int,
    serializers.BooleanField: bool,
    serializers.ReadOnlyField: _identity,
    TextValueField: str,
    ContentTypeField: lambda content_type: f'{content_type.app_label}.{content_type.model}',
}


# Object URLs


def object_api_url(obj, origin):
    path = api_list_path(type(obj))
    return None if path is None else f'{origin}{path}{obj.pk}/'


_display_templates = {}


def object_display_url(obj, origin):
    """The object's UI page as an absolute URL (its get_absolute_url), from a template when the model uses the
    shared one."""
    template = _display_template_of(type(obj))
    if template is False:
        path = obj.get_absolute_url() if hasattr(obj, 'get_absolute_url') else ''
        return f'{origin}{path}' if path else None
    if template == '':
        return None
    return template.format(origin=origin, pk=obj.pk)


def _display_template_of(cls):
    """The display-URL template of a model (see _display_template), made once."""
    template = _display_templates.get(cls)
    if template is None:
        template = _display_templates[cls] = _display_template(cls)
    return template


def _display_template(cls):
    if getattr(cls, 'get_absolute_url', None) is not AbsoluteURLMixin.get_absolute_url:
        return False  # a model-specific URL: asked per object
    try:
        path = reverse(f'{ui_namespace(cls._meta.app_label)}:{cls._meta.model_name}', args=[_PK_MARK])
    except NoReverseMatch:
        return ''
    if path.count(str(_PK_MARK)) != 1:
        return False
    return '{origin}' + path.replace('{', '{{').replace('}', '}}').replace(str(_PK_MARK), '{pk}')


# Nested objects


_nested_plans = {}


def render_nested(obj, context, fields=None):
    """An object in the form it takes inside another (netbox.api.fields.nested_representation)."""
    return nested_plan(type(obj), fields)(obj, context)


def nested_plan(model, fields=None):
    key = (model, fields)
    plan = _nested_plans.get(key)
    if plan is None:
        plan = _nested_plans[key] = _compile_nested(model, fields)
    return plan


def _compile_nested(model, fields):
    declaration = registry.get(model)
    if declaration is None:
        return lambda obj, context: {'id': obj.pk, 'display': str(obj)}
    names = fields if fields is not None else tuple(declaration.nested_fields())
    entries = []
    for name in names:
        attribute = _plain_nested_attribute(model, declaration, name)
        entries.append((name, f'obj.{attribute}' if attribute else _nested_reader(declaration, model, name)))
    return dict_builder(entries)


# Nested values read as they are stored (no conversion for JSON), straight off the instance.
_PLAIN_VALUE_FIELDS = (models.CharField, models.TextField, models.SlugField, models.BooleanField, models.IntegerField,
                       models.FloatField)


def _plain_nested_attribute(model, declaration, name):
    """The instance attribute a nested field is simply read from, or None when it needs a reader."""
    if name == 'id':
        attribute = model._meta.pk.attname
    else:
        if name in declaration.serializer_fields:
            return None
        try:
            field = model._meta.get_field(name)
        except Exception:
            return None
        if field.is_relation or field.choices or getattr(field, 'wire_text', False) or \
                not isinstance(field, _PLAIN_VALUE_FIELDS) or type(field).__module__.split('.')[0] != 'django':
            return None
        attribute = field.attname
    return attribute if attribute.isidentifier() and not keyword.iskeyword(attribute) else None


class Inline:
    """A value as code for the row builder instead of a function call: `text` is an expression of `obj` and
    `context`, and may name values of its own as `$name` (given as keywords)."""

    def __init__(self, text, **names):
        self.text = text
        self.names = names


def dict_builder(entries):
    """A function(obj, context) -> dict made by generated code from [(key, reader, expression or Inline)]: a reader
    is called as reader(obj, context), an expression (text) is evaluated with `obj` and `context` in scope. One
    dictionary display instead of a loop calling a function per key: this runs for every row and nested object."""
    namespace = {}
    items = []
    for index, (key, reader) in enumerate(entries):
        if isinstance(reader, Inline):
            text = reader.text
            for name, value in reader.names.items():
                namespace[f'_{name}{index}'] = value
                text = text.replace(f'${name}', f'_{name}{index}')
            items.append(f'{key!r}: {text}')
        elif isinstance(reader, str):
            items.append(f'{key!r}: {reader}')
        else:
            namespace[f'_read{index}'] = reader
            items.append(f'{key!r}: _read{index}(obj, context)')
    source = 'def build(obj, context):\n    return {' + ', '.join(items) + '}\n'
    exec(compile(source, '<read plan>', 'exec'), namespace)
    return namespace['build']


def _url_inline(model):
    """A model's API URL as row-builder code (None when it has no endpoint)."""
    path = api_list_path(model)
    if path is None:
        return Inline('None')
    return Inline(f'context.origin + $path + str(obj.{_attribute(model._meta.pk.attname)}) + "/"', path=path)


def _display_url_inline(model):
    """A model's display URL as row-builder code, from its template when it has one."""
    template = _display_template_of(model)
    if template is False:
        return lambda obj, context: object_display_url(obj, context.origin)
    if template == '':
        return Inline('None')
    return Inline(f'$template.format(origin=context.origin, pk=obj.{_attribute(model._meta.pk.attname)})',
                  template=template)


def _attribute(name):
    """`name` when it can be written as `obj.name` in generated code; raises otherwise."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(name)
    return name


def _nested_reader(declaration, model, name):
    if name == 'id':
        return lambda obj, context: obj.pk
    if name == 'url':
        return _url_inline(model)
    if name == 'display':
        return Inline('str(obj)')
    if name == 'display_url':
        return _display_url_inline(model)
    if name == '_depth':
        return lambda obj, context: getattr(obj, 'level', None) if hasattr(obj, 'level') else getattr(obj, '_depth', 0)
    declared = declaration.serializer_fields.get(name)
    if declared is not None and (isinstance(declared, serializers.PrimaryKeyRelatedField) or not isinstance(
            declared, (serializers.RelatedField, serializers.ManyRelatedField))):
        source = declared.source or name
        if type(declared) is serializers.BooleanField:
            def read_flag(obj, context):
                value = getattr(obj, source, None)
                return value if type(value) is bool else declared.to_representation(value)
            return read_flag
        return lambda obj, context: declared.to_representation(getattr(obj, source, None))
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        def read_attribute(obj, context):
            value = getattr(obj, name, None)
            return value() if callable(value) else value
        return read_attribute
    if hasattr(model_field, 'fk_field'):  # a generic foreign key (a group member): the object it points at, nested
        def read_generic(obj, context):
            value = getattr(obj, name)
            return None if value is None else render_nested(value, context)
        return read_generic
    if model_field.many_to_one and model_field.related_model is ContentType:  # as at the top level: "app.model"
        def read_type(obj, context):
            value = getattr(obj, name)
            return None if value is None else f'{value.app_label}.{value.model}'
        return read_type
    if model_field.is_relation and model_field.related_model is not None:
        related = registry.get(model_field.related_model)
        inner = tuple(related.nested_self_fields()) if related and model_field.related_model is model else None
        accessor = model_field.get_accessor_name() if isinstance(model_field, ForeignObjectRel) else name
        if model_field.many_to_one or model_field.one_to_one:
            return _related_reader(accessor, inner)
        return _nested_list_reader(accessor, inner)
    attname = model_field.attname
    if model_field.choices:
        if name in declaration.bare_choices:
            return lambda obj, context: getattr(obj, attname)
        return _choice_reader(attname, model_field)
    wire_text = getattr(model_field, 'wire_text', False)

    def read_value(obj, context):
        value = getattr(obj, attname)
        if hasattr(value, 'isoformat'):
            return value.isoformat()
        if wire_text and value is not None:
            return str(value)
        return value
    return read_value


# Custom fields


def _custom_field_reader(cf):
    """A function turning one stored custom field value into its API form (selections as {value, label})."""
    from extras.models import CustomFieldTypes

    if cf.type not in (CustomFieldTypes.SELECT, CustomFieldTypes.MULTISELECT):
        return _identity
    labels = dict(cf.choice_set.choices) if cf.choice_set_id else {}
    if cf.type == CustomFieldTypes.SELECT:
        def read_select(value):
            if value in (None, ''):
                return value
            return {'value': value, 'label': labels.get(value, value)}
        return read_select

    def read_multiselect(value):
        if value in (None, '') or not isinstance(value, list):
            return value
        return [{'value': item, 'label': labels.get(item, item)} for item in value]
    return read_multiselect


# Lists (many-to-many and reverse relations), fetched for a whole page in one query each


class ListRelation:
    """A list relation the plan fetches itself: one query for the page, each related object carrying its owner's
    primary key, with the joins its nested form needs. Django's prefetch does the same work but builds a manager
    and a queryset per row, which costs more than the rows."""

    def __init__(self, model, name, related_model, owner_path, nested_fields):
        self.model = model
        self.name = name
        self.related_model = related_model
        self.owner_path = owner_path
        self.nested_fields = nested_fields

    @classmethod
    def of(cls, model, name, nested_fields):
        try:
            field = model._meta.get_field(name)
        except Exception:
            return None
        if not field.is_relation or not (field.many_to_many or field.one_to_many) or field.related_model is None:
            return None
        if isinstance(field, ForeignObjectRel):
            if name != field.get_accessor_name():
                return None
            owner_path = field.field.name
        elif getattr(field, 'remote_field', None) is not None and not getattr(field, 'fk_field', None):
            owner_path = field.related_query_name()
        else:
            return None
        return cls(model, name, field.related_model, owner_path, nested_fields)

    def queryset(self, declaration):
        from django.db.models import F

        from .viewsets import _nested_relations, nested_joins

        declared = [p for p in getattr(declaration, 'prefetch_related', ()) if not isinstance(p, str) and
                    p.prefetch_to == self.name and p.queryset is not None]
        queryset = declared[0].queryset if declared else self.related_model._default_manager.all()
        joins = nested_joins(self.related_model)
        if joins:
            queryset = queryset.select_related(*joins)
        inner_lists = _nested_relations(self.related_model, many=True)
        if inner_lists:
            queryset = queryset.prefetch_related(*inner_lists)
        # Owner read and owner filter through the one join: filtering first and annotating after would join the
        # many-to-many table twice, and pair every related object with every owner.
        return queryset.annotate(_plan_owner=F(self.owner_path))

    def fetch(self, owners):
        declaration = registry.get(self.model)
        grouped = {}
        pks = [obj.pk for obj in owners if obj.pk is not None]
        if pks:
            for item in self.queryset(declaration).filter(_plan_owner__in=pks):
                grouped.setdefault(item._plan_owner, []).append(item)
        return grouped


def fetch_lists(plan, instances, context):
    """Fetch, for the rows about to be rendered, the list relations their queryset did not prefetch: the rows' own,
    and those shown inside their nested objects (one query each for the page)."""
    if not instances:
        return
    first = instances[0]
    prefetched = getattr(first, '_prefetched_objects_cache', {})
    for relation in plan.lists:
        if relation.name not in prefetched and relation.name not in context.lists:
            context.lists[relation.name] = relation.fetch(instances)
    for _, source, relation in plan.nested_lists:
        owners = {}
        for obj in instances:
            owner = obj._state.fields_cache.get(source)
            if owner is not None and relation.name not in owner.__dict__.get('_plan_lists', {}) and \
                    relation.name not in getattr(owner, '_prefetched_objects_cache', {}):
                owners[id(owner)] = owner
        if owners:
            grouped = relation.fetch(owners.values())
            for owner in owners.values():
                owner.__dict__.setdefault('_plan_lists', {})[relation.name] = grouped.get(owner.pk, [])


def _lists_inside(model, attribute, fields):
    """[(attribute, ListRelation)] for the lists the nested form of the object `attribute` points at shows."""
    try:
        field = model._meta.get_field(attribute)
    except Exception:
        return []
    if not (field.many_to_one or field.one_to_one) or not field.concrete or field.related_model is None:
        return []
    related = field.related_model
    declaration = registry.get(related)
    if declaration is None:
        return []
    shown = fields if fields is not None else tuple(declaration.nested_fields())
    out = []
    for name in shown:
        relation = ListRelation.of(related, name, None)
        if relation is not None:
            out.append((attribute, relation))
    return out


def _full_plan(declaration):
    """The plan of the declaration's full serializer (the one its list requests use), or None when the serializer
    renders rows its own way."""
    return plan_for(declaration.serializer()())


def plan_fetches_nested_lists(declaration, field_names):
    """The lookups (`primary_ip4__nat_outside`) of the lists shown inside nested objects of these fields that the
    plan fetches itself (see fetch_lists), so that the queryset needn't prefetch them."""
    plan = _full_plan(declaration)
    if plan is None:
        return set()
    return {f'{name}__{relation.name}' for name, source, relation in plan.nested_lists
            if name == source and name in field_names}


def plan_reads_type_ids(declaration, field_names):
    """The content-type foreign keys among `field_names` the plan reads by id (see content_type_column)."""
    plan = _full_plan(declaration)
    return set() if plan is None else plan.type_fields & set(field_names)


def plan_fetches_list(declaration, name):
    """Whether the plan renders (and so fetches itself) the list relation `name` of a declaration's rows."""
    from django.contrib.contenttypes.models import ContentType

    from .serializers import BaseModelSerializer

    if declaration.serializer().to_representation is not BaseModelSerializer.to_representation:
        return False
    declared = declaration.serializer_fields.get(name)
    if declared is not None:
        if not (type(declared) is ManyRelatedField and type(declared.child_relation) is NestedRelatedField):
            return False
    elif name in declaration.counts or name == 'tags':
        return False
    try:
        field = declaration.model._meta.get_field(name)
    except Exception:
        return False
    if field.related_model is ContentType:
        return False
    return ListRelation.of(declaration.model, name, None) is not None


# Columns of joined objects


def _columns_read(model, function):
    """The model fields a method or property of the model reads (names of its concrete fields, relations included),
    found from the names its code uses; None when it may use anything else of the instance that could load from the
    database (another method or property), so that the caller loads every column. A name that isn't an
    attribute of the model class can't load anything (it is a global, or an attribute of a value)."""
    code = getattr(function, '__code__', None)
    if code is None:
        return None
    fields = {}
    for field in model._meta.concrete_fields:
        fields[field.name] = fields[field.attname] = field
    fields['pk'] = model._meta.pk
    displays = {f'get_{field.name}_display': field for field in model._meta.concrete_fields if field.choices}
    read = set()
    codes = [code]
    while codes:
        current = codes.pop()
        codes.extend(const for const in current.co_consts if hasattr(const, 'co_names'))
        for name in current.co_names:
            field = fields.get(name) or displays.get(name)
            if field is not None:
                read.add(field.name)  # for a relation read as an object, the caller checks that it is joined
            elif hasattr(model, name):
                return None
    return read


_display_cache = {}


def display_fields(model):
    """The fields (relations included) a model's display (`__str__`) reads, or None when that can't be known."""
    if model not in _display_cache:
        _display_cache[model] = _columns_read(model, model.__str__)
    return _display_cache[model]


_nested_columns_cache = {}


def nested_columns(model):
    """The columns an object of `model` needs to be shown nested (its nested fields and its display), or None when
    they can't be known (its display reads a relation...)."""
    return _cached_nested_columns(model, False)


def nested_self_columns(model):
    """The columns an object of `model` needs to be shown nested inside one of the same model (nested_self)."""
    return _cached_nested_columns(model, True)


def _cached_nested_columns(model, inside_self):
    key = (model, inside_self)
    if key not in _nested_columns_cache:
        _nested_columns_cache[key] = _nested_columns(model, inside_self)
    return _nested_columns_cache[key]


def _nested_columns(model, inside_self=False):
    declaration = registry.get(model)
    if declaration is None:
        return None
    display = display_fields(model)
    if display is None:
        return None
    needed = {model._meta.pk.name} | display
    needed |= {field.name for field in model._meta.concrete_fields if field.name in ('lft', 'rght', 'tree_id',
                                                                                      'level', '_depth')}
    for name in (declaration.nested_self_fields() if inside_self else declaration.nested_fields()):
        if name in ('id', 'url', 'display', 'display_url', '_depth'):
            continue
        try:
            field = model._meta.get_field(name)
        except Exception:
            attribute = getattr(model, name, None)
            getter = attribute.fget if isinstance(attribute, property) else None
            columns = _columns_read(model, getter) if getter is not None else None
            if columns is None:
                return None
            needed |= columns
            continue
        if field.one_to_many or field.many_to_many:
            continue  # a list fetched apart by this object's key (an address's NAT outside addresses)
        if not field.concrete:
            return None
        needed.add(field.name)
    return needed


def _declared_paths(declaration, shown):
    """{join path: ('through', next hop) or ('end', None)} for the declared nested fields shown whose source
    passes through other objects (a device's `parent_device`, source `parent_bay.device`), when the model's display
    doesn't read those objects."""
    display = display_fields(declaration.model)
    out = {}
    for name in shown:
        field = declaration.serializer_fields.get(name)
        source = getattr(field, 'source', None) or ''
        if type(field) is not NestedRelatedField or field.nested_fields is not None or '.' not in source:
            continue
        hops = source.split('.')
        if display is None or hops[0] in display or any(key.split('__')[0] == hops[0] for key in out):
            continue
        for index in range(1, len(hops)):
            out['__'.join(hops[:index])] = ('through', hops[index])
        out['__'.join(hops)] = ('end', None)
    return out


def deferred_columns(declaration, joins, field_names):
    """For a queryset of the declaration's rows with select_related `joins`, the columns of joined objects that
    their nested form doesn't read, to defer (`device__comments`...). Only joins starting from a field the response
    shows as a plain nested object are narrowed; a joined model whose display can't be analysed keeps every
    column."""
    model = declaration.model
    shown = set(field_names)
    deferred = set()
    # A join of `a__b__c` joins `a` and `a__b` too.
    joins = {'__'.join(path.split('__')[:end]) for path in joins for end in range(1, path.count('__') + 2)}
    through = _declared_paths(declaration, shown)
    for path in sorted(joins):
        parts = path.split('__')
        declared = through.get(path)
        if declared is None and (parts[0] not in shown or parts[0] in declaration.serializer_fields):
            continue
        if declared is None and parts[0] in through:
            continue  # deeper than a declared field's object (its nested form's relations): keep whole
        current, ok, inside_self = model, True, False
        for hop in parts:
            try:
                field = current._meta.get_field(hop)
            except Exception:
                ok = False
                break
            reverse_one = declared is not None and field.one_to_one and not field.concrete
            if not field.is_relation or not (field.concrete or reverse_one) or field.related_model is None:
                ok = False
                break
            # An object nested in one of its own model is shown in its nested_self form (a NAT inside address).
            inside_self = field.related_model is current and len(parts) > 1
            current = field.related_model
        if not ok:
            continue
        if declared is not None and declared[0] == 'through':
            # An object passed through (a device's parent bay, on the way to its device): its key and the keys
            # of the joins on either side.
            needed = {current._meta.pk.name, declared[1]}
            if not field.concrete:
                needed.add(field.field.name)
        else:
            needed = nested_self_columns(current) if inside_self else nested_columns(current)
        if needed is None:
            continue
        relations = {name for name in needed if current._meta.get_field(name).is_relation}
        if declared is not None and declared[0] == 'through':
            relations = {declared[1]}
        if any(f'{path}__{name}' not in joins for name in relations):
            continue  # the nested form reads a related object that isn't joined: narrowing would not help
        # Deeper joins from this one need their key column.
        needed = set(needed)
        for other in joins:
            if other.startswith(f'{path}__'):
                needed.add(other[len(path) + 2:].split('__')[0])
        for field in current._meta.concrete_fields:
            if field.name not in needed:
                deferred.add(f'{path}__{field.name}')
    return deferred
