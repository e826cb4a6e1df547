"""Serializer fields shared by every derived serializer."""
import copy

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError, MultipleObjectsReturned, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ForeignObjectRel, Q
from django.urls import NoReverseMatch, reverse
from rest_framework import serializers

from netbox.registry import api_namespace, registry


def api_list_path(model):
    """The path of a model's REST list endpoint ('/api/tenancy/tenants/'), or None when it has none."""
    cache = api_list_path.__dict__.setdefault('cache', {})
    label = model._meta.label_lower
    if label not in cache:
        try:
            cache[label] = reverse(f'{api_namespace(model._meta.app_label)}:{model._meta.model_name}-list')
        except NoReverseMatch:
            cache[label] = None
    return cache[label]


def api_url(obj, request):
    path = api_list_path(type(obj))
    if path is None:
        return None
    path = f'{path}{obj.pk}/'
    return request.build_absolute_uri(path) if request is not None else path


def display_url(obj, request):
    path = obj.get_absolute_url() if hasattr(obj, 'get_absolute_url') else ''
    if not path:
        return None
    return request.build_absolute_uri(path) if request is not None else path


def choice_representation(model_field, value):
    if value in (None, ''):
        return None if value is None else {'value': '', 'label': ''}
    labels = dict(model_field.flatchoices)
    return {'value': value, 'label': str(labels.get(value, value))}


def nested_representation(obj, context, fields=None):
    """An object in brief form, as it appears inside another object."""
    if obj is None:
        return None
    request = context.get('request') if context else None
    declaration = registry.get(type(obj))
    if declaration is None:
        return {'id': obj.pk, 'display': str(obj)}
    data = {}
    for name in fields or declaration.nested_fields():
        if name == 'id':
            data['id'] = obj.pk
        elif name == 'url':
            data['url'] = api_url(obj, request)
        elif name == 'display':
            data['display'] = str(obj)
        elif name == 'display_url':
            data['display_url'] = display_url(obj, request)
        elif name == '_depth':
            data['_depth'] = getattr(obj, 'level', None) if hasattr(obj, 'level') else getattr(obj, '_depth', 0)
        elif name in declaration.serializer_fields and (
                isinstance(declaration.serializer_fields[name], serializers.PrimaryKeyRelatedField) or not isinstance(
                declaration.serializer_fields[name], (serializers.RelatedField, serializers.ManyRelatedField))):
            # A declared value (a {value, label} family, a bare related ID) reads the same nested as at the top
            # level; declared nested relations go through _plain_value, which shortens relations to the own model.
            field = declaration.serializer_fields[name]
            data[name] = field.to_representation(getattr(obj, field.source or name, None))
        else:
            data[name] = _plain_value(obj, name, context)
    return data


def _plain_value(obj, name, context):
    try:
        model_field = obj._meta.get_field(name)
    except Exception:
        value = getattr(obj, name, None)
        return value() if callable(value) else value
    if hasattr(model_field, 'fk_field'):  # a generic foreign key (a group member): the object it points at, nested
        return nested_representation(getattr(obj, name), context)
    if model_field.many_to_one and model_field.related_model is ContentType:  # as at the top level: "app.model"
        content_type = getattr(obj, name)
        return f'{content_type.app_label}.{content_type.model}' if content_type is not None else None
    if model_field.is_relation and model_field.related_model is not None:
        # Another object of the same model is shown short (its Nested<Model> form), so nesting never recurses.
        related = registry.get(model_field.related_model)
        fields = related.nested_self_fields() if related and model_field.related_model is type(obj) else None
        accessor = model_field.get_accessor_name() if isinstance(model_field, ForeignObjectRel) else name
        if model_field.many_to_one or model_field.one_to_one:
            try:
                return nested_representation(getattr(obj, accessor), context, fields)
            except ObjectDoesNotExist:  # a reverse one-to-one without its object
                return None
        # A list (reverse or many-to-many relation): the objects the queryset prefetched, each nested.
        return [nested_representation(item, context, fields) for item in getattr(obj, accessor).all()]
    value = getattr(obj, model_field.attname)
    if model_field.choices:
        declaration = registry.get(type(obj))
        if declaration is not None and name in declaration.bare_choices:
            return value
        return choice_representation(model_field, value)
    if hasattr(value, 'isoformat'):
        return value.isoformat()
    if getattr(model_field, 'wire_text', False) and value is not None:
        return str(value)
    return value


class TextValueField(serializers.Field):
    """
    A column whose Python value is an object with a text form (a network, an address): read as that text, written
    as text that the model field itself parses, so a bad value is a 400 naming the field. A model field opts in
    with `wire_text = True`.
    """

    default_error_messages = {'invalid': 'Give a text value, not {kind}.'}

    def __init__(self, model_field=None, **kwargs):
        self.model_field = model_field
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(value)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail('invalid', kind=type(data).__name__)
        try:
            value = self.model_field.to_python(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages)
        if value is None:
            if self.allow_null:
                return None
            self.fail('required')
        return value


class ChoiceField(serializers.Field):
    """A choice serialised as {"value", "label"}; written as the bare value (or that same object)."""

    def __init__(self, model_field, **kwargs):
        self.model_field = model_field
        self.choice_values = [str(value) for value, _ in model_field.flatchoices]
        self.allow_blank = kwargs.pop('allow_blank', model_field.blank)
        super().__init__(**kwargs)

    @property
    def choices(self):
        return dict(self.model_field.flatchoices)

    def to_representation(self, value):
        return choice_representation(self.model_field, value)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = data.get('value')
        if data == '' and self.allow_blank:
            return ''
        if data is None and self.allow_null:
            return None
        by_text = self.__dict__.get('_by_text')
        if by_text is None:  # long choice lists (interface types) are matched by a dict, built once per field
            by_text = self._by_text = {}
            for value, _ in self.model_field.flatchoices:
                by_text.setdefault(str(value), value)
        if str(data) in by_text:
            return by_text[str(data)]
        raise serializers.ValidationError(f'"{data}" is not a valid choice; choose one of {self.choice_values}.')


class NestedRelatedField(serializers.RelatedField):
    """
    A related object: returned in brief form, written as a primary key or as attributes that must match exactly
    one object the user may view.
    """

    default_error_messages = {
        'does_not_exist': 'Related object not found using the provided attributes: {params}',
        'multiple': 'Multiple objects match the provided attributes: {params}',
        'no_match': 'No {model} with ID {pk}.',
        'invalid': 'Give a numeric ID or a JSON object of attributes; got {value!r}.',
    }

    def __init__(self, related_model=None, nested_fields=None, restrict=True, **kwargs):
        self.related_model = related_model
        self.nested_fields = nested_fields
        self.restrict = restrict
        if not kwargs.get('read_only'):
            kwargs.setdefault('queryset', related_model._default_manager.all())
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get('request')
        if self.restrict and request is not None and hasattr(queryset, 'restrict'):
            queryset = queryset.restrict(request.user, 'view')
        return queryset

    def to_representation(self, value):
        return nested_representation(value, self.context, self.nested_fields)

    def to_internal_value(self, data):
        looked_up = self._looked_up()
        if looked_up is not None and not isinstance(data, (bool, dict)):
            try:
                pk = int(data)
            except (TypeError, ValueError):
                pk = None
            if pk is not None and pk in looked_up:
                if looked_up[pk] is None:
                    self.fail('no_match', model=self.related_model._meta.verbose_name, pk=pk)
                return looked_up[pk]
        queryset = self.get_queryset()
        if isinstance(data, dict):
            try:
                return queryset.get(**data)
            except ObjectDoesNotExist:
                self.fail('does_not_exist', params=data)
            except MultipleObjectsReturned:
                self.fail('multiple', params=data)
            except (FieldError, ValueError, TypeError, DjangoValidationError):
                self.fail('does_not_exist', params=data)
        if isinstance(data, bool):
            self.fail('invalid', value=data)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail('invalid', value=data)
        try:
            return queryset.get(pk=pk)
        except ObjectDoesNotExist:
            self.fail('no_match', model=self.related_model._meta.verbose_name, pk=pk)

    def get_choices(self, cutoff=None):
        # Listing every related object in OPTIONS would load whole tables.
        return {}

    def _looked_up(self):
        """{pk: object or None} fetched for this field by prefetch_related_values(), or None."""
        cache = self.context.get('related_lookups') if self.context else None
        if cache is None:
            return None
        return cache.get(id(self))

    def prefetch(self, values):
        """Fetch the objects behind `values` (IDs as a body gives them) with one query, for to_internal_value()."""
        pks = set()
        for value in values:
            if isinstance(value, bool) or isinstance(value, dict) or value is None:
                continue
            try:
                pks.add(int(value))
            except (TypeError, ValueError):
                continue
        if not pks:
            return
        cache = self.context.setdefault('related_lookups', {})
        looked_up = cache.setdefault(id(self), {})
        pks -= set(looked_up)
        if not pks:
            return
        found = {obj.pk: obj for obj in self.get_queryset().filter(pk__in=pks)}
        looked_up.update({pk: found.get(pk) for pk in pks})


def prefetch_related_values(serializer, items):
    """
    Before a list of objects is validated: fetch the related objects its items name by ID (and the tags they give)
    with one query per related model, so that validating each item needs none. A value the user may not see is
    remembered as missing and fails as it would alone.
    """
    if not isinstance(items, list):
        return
    items = [item for item in items if isinstance(item, dict)]
    wanted = {}
    tags = []
    for field in serializer.fields.values():
        if field.read_only:
            continue
        values = [item[field.field_name] for item in items if field.field_name in item]
        if not values:
            continue
        if isinstance(field, TagListField):
            tags.extend(value for items_ in values if isinstance(items_, list) for value in items_)
            continue
        many = isinstance(field, serializers.ManyRelatedField)
        relation = field.child_relation if many else field
        if not isinstance(relation, NestedRelatedField):
            continue
        if many:
            values = [value for value in values if isinstance(value, list) for value in value]
        wanted.setdefault(id(relation), (relation, []))[1].extend(values)
    for relation, values in wanted.values():
        relation.prefetch(values)
    if tags:
        TagListField.prefetch(serializer.context, tags)


class ContentTypeField(serializers.Field):
    """An object type written and returned as 'app_label.model'."""

    def __init__(self, limit_to=None, **kwargs):
        self.limit_to = limit_to
        super().__init__(**kwargs)

    def to_representation(self, value):
        return f'{value.app_label}.{value.model}' if value else None

    def to_internal_value(self, data):
        try:
            app_label, model = str(data).lower().split('.')
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except (ValueError, ContentType.DoesNotExist):
            raise serializers.ValidationError(f'Unknown object type "{data}"; use the form "app_label.model".')
        if self.limit_to and not self.limit_to(content_type):
            raise serializers.ValidationError(f'Object type "{data}" is not allowed here.')
        return content_type


class ContentTypeListField(serializers.ListField):
    def __init__(self, **kwargs):
        kwargs['child'] = ContentTypeField()
        super().__init__(**kwargs)

    def to_representation(self, data):
        return [self.child.to_representation(item) for item in data.all()]


class GenericObjectField(serializers.Field):
    """The object a generic foreign key points at, in brief form."""

    def __init__(self, **kwargs):
        kwargs['read_only'] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.source, None)

    def to_representation(self, value):
        return nested_representation(value, self.context)

    def plan_reader(self):
        from .readplan import generic_object_reader, render_nested

        source = self.source
        read_object = generic_object_reader(self.parent.Meta.model, source)

        def read(obj, context):
            value = read_object(obj)
            return None if value is None else render_nested(value, context)
        return read


class TagListField(serializers.Field):
    """Tags: returned nested, written as IDs or {"name"}/{"slug"} objects."""

    def __init__(self, **kwargs):
        kwargs.setdefault('required', False)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, instance):
        if instance.pk is None:
            return []
        from netbox.models import tags_of

        return [nested_representation(tag, self.context, ['id', 'url', 'display_url', 'display', 'name', 'slug',
                                                          'color'])
                for tag in tags_of(instance)]

    def to_internal_value(self, data):
        from extras.models import Tag

        if not isinstance(data, list):
            raise serializers.ValidationError('Give a list of tags.')
        known = self.context.get('tag_lookups', {}) if self.context else {}
        tags = []
        for item in data:
            key = _tag_key(item)
            if key is not None and key in known:
                tags.append(known[key])
                continue
            lookup = item if isinstance(item, dict) else {'pk': item}
            try:
                tags.append(Tag.objects.get(**lookup))
            except (Tag.DoesNotExist, ValueError, TypeError, FieldError, DjangoValidationError):
                raise serializers.ValidationError(f'Tag not found: {item}')
        return tags


    @staticmethod
    def prefetch(context, values):
        """Fetch the tags a list of bodies names (by ID, name or slug) with one query."""
        from extras.models import Tag

        pks, names, slugs = set(), set(), set()
        for value in values:
            key = _tag_key(value)
            if key is None:
                continue
            {'pk': pks, 'name': names, 'slug': slugs}[key[0]].add(key[1])
        condition = Q(pk__in=pks) | Q(name__in=names) | Q(slug__in=slugs)
        known = context.setdefault('tag_lookups', {})
        for tag in Tag.objects.filter(condition):
            known[('pk', tag.pk)] = tag
            known[('name', tag.name)] = tag
            known[('slug', tag.slug)] = tag


def _tag_key(item):
    """('pk', 3), ('name', 'x') or ('slug', 'x') for a tag a body names simply; None for any other form."""
    if isinstance(item, dict):
        if len(item) == 1:
            (name, value), = item.items()
            if name in ('name', 'slug') and isinstance(value, str):
                return name, value
            if name in ('id', 'pk') and isinstance(value, int) and not isinstance(value, bool):
                return 'pk', value
        return None
    if isinstance(item, int) and not isinstance(item, bool):
        return 'pk', item
    return None


class CounterField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs['read_only'] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.source, 0) or 0


class ConfigContextField(serializers.Field):
    """
    `config_context` of devices and VMs: the matching configuration contexts merged by weight, the object's
    local_context_data last. A list computes it for the whole page beforehand (the declaration's prepare_rows,
    skipped when `fields`/`omit`/`exclude` drop the field); an object read alone computes its own.
    """

    def __init__(self, **kwargs):
        kwargs['read_only'] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        # Never None: DRF would print null without calling to_representation.
        return instance.get_config_context() or {}

    def to_representation(self, value):
        return copy.deepcopy(value)

    def plan_reader(self):
        # The read plan writes the value out at once: no copy needed.
        return lambda obj, context: obj.get_config_context() or {}
