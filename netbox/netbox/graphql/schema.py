"""
The GraphQL schema, derived from the model declarations (netbox.registry): for each declared model an object type
`<Model>Type`, a filter input `<Model>Filter` and the query fields `<model>(id:)` and `<model>_list(filters:,
pagination:)`, named as NetBox names them.

Permissions: every type's `get_queryset` restricts to what the requesting user may view, and the optimizer
(strawberry-django's DjangoOptimizerExtension) applies it inside the Prefetch of every nested relation, to-one
relations included (a type with `get_queryset` is prefetched rather than joined). Generic relations to "any model"
and the declared `graphql_objects` are filtered by the same rules. The SQL a query issues depends on its shape:
one query per relation level, whatever the number of rows.
"""
import datetime
import decimal
from operator import attrgetter
from typing import Annotated, Optional, Union

import strawberry
import strawberry_django
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRel
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Prefetch, Q
from django.db.models.query import ModelIterable
from strawberry.extensions import FieldExtension, MaxAliasesLimiter, QueryDepthLimiter
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig
from strawberry_django.fields.filter_types import (
    BaseFilterLookup,
    ComparisonFilterLookup,
    DateFilterLookup,
    DatetimeFilterLookup,
    StrFilterLookup,
)
from strawberry_django.filters import process_filters
from strawberry_django.optimizer import DjangoOptimizerExtension

from netbox.permissions import permission_q
from netbox.registry import registry

from . import types as namespace_module

TYPES_MODULE = namespace_module.__name__
# Declared models GraphQL leaves out, as NetBox does: API tokens (secrets) and the tag through table.
EXCLUDED_MODELS = {'users.token', 'extras.taggeditem'}
# Bookkeeping columns never shown.
HIDDEN_FIELDS = {'lft', 'rght', 'tree_id', 'password', 'plaintext', 'digest', '_path', 'config_context_token',
                 'config_context_data'}

BigInt = strawberry.scalar(
    int, name='BigInt', description='An integer that may exceed 32 bits (e.g. a 4-byte ASN).',
    serialize=int, parse_value=int)

STRING_FIELDS = (models.CharField, models.TextField, models.UUIDField, models.DurationField, models.FileField,
                 models.BinaryField, models.GenericIPAddressField)
BIG_FIELDS = (models.BigIntegerField, models.PositiveBigIntegerField)


def user_of(info):
    request = info.context.request
    return getattr(request, 'graphql_user', None) or request.user


def restrict(queryset, user):
    """`queryset` limited to what `user` may view (the same rules as RestrictedQuerySet.restrict)."""
    if hasattr(queryset, 'restrict'):
        return queryset.restrict(user, 'view')
    condition = permission_q(user, queryset.model, 'view')
    if condition is None:
        return queryset
    return queryset.none() if condition is False else queryset.filter(condition)


def visible_objects(objects, info):
    """The objects (of any models) among `objects` the user may view: one query per model that is constrained."""
    user = user_of(info)
    cache = info.context.request.__dict__.setdefault('_graphql_visible', {})
    by_model = {}
    for obj in objects:
        if obj is not None:
            by_model.setdefault(type(obj), []).append(obj)
    allowed = set()
    for model, items in by_model.items():
        condition = permission_q(user, model, 'view')
        if condition is None:
            allowed.update((model, obj.pk) for obj in items)
            continue
        if condition is False:
            continue
        unknown = [obj.pk for obj in items if (model, obj.pk) not in cache]
        if unknown:
            seen = set(model._default_manager.filter(condition, pk__in=unknown).values_list('pk', flat=True))
            cache.update({(model, pk): pk in seen for pk in unknown})
        allowed.update((model, obj.pk) for obj in items if cache[(model, obj.pk)])
    return [obj for obj in objects if obj is not None and (type(obj), obj.pk) in allowed]


class VisibleIterable(ModelIterable):
    """Rows of a restricted queryset: each object is marked as one the user may view (objects joined to them are
    not)."""

    def __iter__(self):
        for obj in super().__iter__():
            obj._graphql_visible = True
            yield obj


class VisibleOnly(FieldExtension):
    """On a to-one relation: an object not read through the user's restricted queryset (the relation was not
    prefetched by the optimizer, e.g. inside a generic relation's fragment) is checked before it is shown."""

    def resolve(self, next_, source, info, **kwargs):
        result = next_(source, info, **kwargs)
        if isinstance(result, models.Model) and not getattr(result, '_graphql_visible', False):
            found = visible_objects([result], info)
            return found[0] if found else None
        return result


# Naming ----------------------------------------------------------------------------------------------------------

def type_name(declaration):
    return f'{declaration.model.__name__}Type'


def filter_name(declaration):
    return f'{declaration.model.__name__}Filter'


def query_name(declaration):
    """`ip_address` for IPAddress, `device_type` for DeviceType: the model's verbose name in snake case."""
    return str(declaration.model._meta.verbose_name).lower().replace(' ', '_').replace('-', '_')


def lazy(name):
    return Annotated[name, strawberry.lazy(TYPES_MODULE)]


def exposed(model):
    if model is None:
        return None
    declaration = registry.get(model)
    if declaration is None or declaration.label() in EXCLUDED_MODELS:
        return None
    return declaration


def exposed_declarations():
    return [d for d in registry if d.label() not in EXCLUDED_MODELS]


# Scalars ---------------------------------------------------------------------------------------------------------

def scalar_kind(field):
    """(python type for the object type, filter lookup type or None, whether the value is converted to text)."""
    if isinstance(field, ArrayField):
        inner, _, text = scalar_kind(field.base_field)
        return list[inner], None, text
    if isinstance(field, models.JSONField):
        return JSON, None, False
    if isinstance(field, models.BooleanField):
        return bool, BaseFilterLookup[bool], False
    if isinstance(field, BIG_FIELDS):
        return BigInt, ComparisonFilterLookup[BigInt], False
    if isinstance(field, models.IntegerField) or isinstance(field, models.AutoField):
        return int, ComparisonFilterLookup[int], False
    if isinstance(field, models.FloatField):
        return float, ComparisonFilterLookup[float], False
    if isinstance(field, models.DecimalField):
        return decimal.Decimal, ComparisonFilterLookup[decimal.Decimal], False
    if isinstance(field, models.DateTimeField):
        return datetime.datetime, DatetimeFilterLookup[datetime.datetime], False
    if isinstance(field, models.DateField):
        return datetime.date, DateFilterLookup[datetime.date], False
    if isinstance(field, (models.CharField, models.TextField)) and not isinstance(field, models.UUIDField):
        return str, StrFilterLookup, False
    # Addresses, networks, MAC addresses, VLAN ranges, UUIDs, files: served as their text.
    return str, StrFilterLookup, True


def _text_resolver(attname, many):
    def resolve(root) -> list[str] | None if many else str | None:
        value = getattr(root, attname)
        if value is None:
            return None
        if many:
            return [str(item) for item in value]
        return value.name if isinstance(value, models.fields.files.FieldFile) else str(value)
    return resolve


# Object types ----------------------------------------------------------------------------------------------------

def _display_hints(model):
    from netbox.api.readplan import display_fields

    names = display_fields(model) or ()
    joins = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except Exception:
            continue
        if field.is_relation and field.many_to_one:
            joins.append(name)
    return joins


def _tags_prefetch(info):
    from extras.models import Tag, TaggedItem

    tags = restrict(Tag.objects.all(), user_of(info))
    return Prefetch('tagged_items', queryset=TaggedItem.objects.filter(tag__in=tags).select_related('tag'))


def _counter_annotation(declaration, name):
    from netbox.api.viewsets import counter_annotation

    counter = declaration.counts[name]
    cumulative = declaration.is_tree() and getattr(counter, 'cumulative', True) and \
        counter.model is not None and counter.model is not declaration.model
    return counter_annotation(counter, cumulative_tree=cumulative)


def _common_fields(declaration, annotations, attrs):
    model = declaration.model

    def display(root) -> str:
        return str(root)

    def class_type(root) -> str:
        return type(root).__name__

    # Prefetched rather than joined: a join would fill the relation's cache, and a restricted prefetch of the same
    # relation (selected by the query) would then be skipped.
    attrs['display'] = strawberry_django.field(resolver=display, prefetch_related=_display_hints(model))
    attrs['class_type'] = strawberry_django.field(resolver=class_type)
    if declaration.has_custom_fields():
        def custom_fields(root) -> JSON:
            return root.custom_field_data or {}

        def custom_field_data(root) -> JSON:
            return root.custom_field_data or {}

        attrs['custom_fields'] = strawberry_django.field(resolver=custom_fields, only=['custom_field_data'])
        attrs['custom_field_data'] = strawberry_django.field(resolver=custom_field_data, only=['custom_field_data'])
    if declaration.has_tags():
        def tags(root) -> list[lazy('TagType')]:
            from netbox.models import tags_of

            return tags_of(root)

        attrs['tags'] = strawberry_django.field(resolver=tags, prefetch_related=[_tags_prefetch])
    for name in declaration.counts:
        attrs[name] = _counter_field(declaration, name)
    if declaration.label() != 'core.objectchange' and isinstance(getattr(model, 'changelog', None),
                                                                  (type(None), _ChangelogPrefetcher)):
        attrs['changelog'] = _changelog_field(model)
    if hasattr(model, 'config_context_data'):
        def config_context(root) -> JSON:
            from extras.configcontexts import attach_config_contexts

            if not hasattr(root, '_config_context'):
                attach_config_contexts([root])
            return root._config_context

        attrs['config_context'] = strawberry_django.field(resolver=config_context)
    if declaration.is_tree():
        def depth(root) -> int:
            return root.level

        attrs['_depth'] = strawberry_django.field(resolver=depth, only=['level'])
    for name, lookup in getattr(declaration, 'graphql_objects', {}).items():
        attrs[name] = _objects_field(name, lookup)


def _counter_field(declaration, name):
    def counter(root) -> int:
        return getattr(root, name, 0) or 0

    def annotation(info):
        return _counter_annotation(declaration, name)

    return strawberry_django.field(resolver=counter, annotate={name: annotation})


def _restricted_generic_prefetch(name, info):
    """The prefetch of a generic foreign key whose objects, of whichever models, are those the user may view (the
    others read as None)."""
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    user = user_of(info)
    return GenericPrefetch(name, [restrict(d.model._default_manager.all(), user) for d in exposed_declarations()])


_MISSING = object()


def _prefetched(root, name):
    """Whether the relation was prefetched (restricted); if not, the resolver checks the objects itself."""
    return name in getattr(root, '_prefetched_objects_cache', {}) or \
        root._state.fields_cache.get(name, _MISSING) is not _MISSING


def _visible_generic_q(type_field, id_field, user):
    """Rows whose generic foreign key (type_field, id_field) points at an object the user may view."""
    from django.contrib.contenttypes.models import ContentType

    condition = Q()
    for declaration in exposed_declarations():
        model = declaration.model
        allowed = permission_q(user, model, 'view')
        if allowed is False:
            continue
        content_type = ContentType.objects.get_for_model(model)
        if allowed is None:
            condition |= Q(**{type_field: content_type})
        else:
            visible = model._default_manager.filter(allowed).values('pk')
            condition |= Q(**{type_field: content_type, f'{id_field}__in': visible})
    return condition


def _objects_field(name, lookup):
    """A property listing objects of any model (a cable's terminations), read through a relation to rows with a
    generic foreign key: `lookup` is '<relation>__<generic foreign key>'. The rows are prefetched limited to those
    pointing at objects the user may view."""
    relation, generic = lookup.split('__', 1)

    def prefetch(info):
        model = info._field.origin.__strawberry_django_definition__.model
        # One Prefetch object per request and relation: the fields sharing it (a cable's A and B terminations)
        # merge into one query.
        cache = info.context.request.__dict__.setdefault('_graphql_prefetches', {})
        key = (model, lookup)
        if key not in cache:
            related = model._meta.get_field(relation).related_model
            gfk = related._meta.get_field(generic)
            queryset = related._default_manager.prefetch_related(generic)
            user = user_of(info)
            if not getattr(user, 'is_superuser', False):
                queryset = queryset.filter(_visible_generic_q(gfk.ct_field, gfk.fk_field, user))
            cache[key] = Prefetch(relation, queryset=queryset)
        return cache[key]

    def objects(root, info: strawberry.Info) -> list[lazy('AnyObject')]:
        found = list(getattr(root, name))
        return found if _prefetched(root, relation) else visible_objects(found, info)

    return strawberry_django.field(resolver=objects, prefetch_related=[prefetch])


class _ChangelogPrefetcher:
    """`Model.changelog` for prefetch_related: the change records of many objects of one model in one query, set on
    each object as `_graphql_changelog` (a Prefetch with that to_attr and the user's restricted queryset)."""

    def __get__(self, instance, owner):
        return self

    def is_cached(self, instance):
        return False

    def get_prefetch_querysets(self, instances, querysets=None):
        from django.contrib.contenttypes.models import ContentType

        from core.models import ObjectChange

        queryset = querysets[0] if querysets else ObjectChange.objects.all()
        queryset = queryset.filter(changed_object_type=ContentType.objects.get_for_model(type(instances[0])),
                                   changed_object_id__in=[obj.pk for obj in instances])
        return (queryset, attrgetter('changed_object_id'), attrgetter('pk'), False, CHANGELOG_ATTR, False)


CHANGELOG_ATTR = '_graphql_changelog'


def _changelog_field(model):
    if not hasattr(model, 'changelog'):
        model.changelog = _ChangelogPrefetcher()

    def changelog(root, info: strawberry.Info) -> list[lazy('ObjectChangeType')]:
        if hasattr(root, CHANGELOG_ATTR):
            return getattr(root, CHANGELOG_ATTR)
        from django.contrib.contenttypes.models import ContentType

        from core.models import ObjectChange

        return list(restrict(ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(type(root)), changed_object_id=root.pk),
            user_of(info)))

    def prefetch(info):
        from core.models import ObjectChange

        return Prefetch('changelog', queryset=restrict(ObjectChange.objects.all(), user_of(info)),
                        to_attr=CHANGELOG_ATTR)

    return strawberry_django.field(resolver=changelog, prefetch_related=[prefetch])


def _generic_field(name):
    def resolve(root, info: strawberry.Info) -> lazy('AnyObject') | None:
        obj = getattr(root, name)
        if _prefetched(root, name):  # restricted by the prefetch
            return obj
        found = visible_objects([obj], info)
        return found[0] if found else None

    def prefetch(info):
        return _restricted_generic_prefetch(name, info)

    return strawberry_django.field(resolver=resolve, prefetch_related=[prefetch])


def _accessor(field):
    if field.concrete or not field.auto_created:
        return field.name
    return field.get_accessor_name()


def build_type(declaration):
    model = declaration.model
    hidden = HIDDEN_FIELDS | set(declaration.exclude) | set(declaration.write_only)
    annotations = {'id': strawberry.ID}
    attrs = {'__module__': TYPES_MODULE, '__doc__': model.__doc__}
    for field in model._meta.get_fields():
        if isinstance(field, GenericRel) or field.name in hidden or field.name == 'id':
            continue
        if isinstance(field, GenericForeignKey):
            attrs[field.name] = _generic_field(field.name)
            continue
        if field.is_relation:
            if field.name == 'tags':
                continue
            target = exposed(field.related_model)
            name = _accessor(field)
            if target is None or not name or name.endswith('+') or name in annotations:
                continue
            if field.many_to_many or field.one_to_many:
                annotations[name] = list[lazy(type_name(target))]
                attrs[name] = strawberry_django.field(field_name=name)
            else:
                annotations[name] = lazy(type_name(target)) | None
                attrs[name] = strawberry_django.field(field_name=name, extensions=[VisibleOnly()])
            continue
        python_type, _, text = scalar_kind(field)
        if text:
            attrs[field.name] = strawberry_django.field(
                resolver=_text_resolver(field.attname, isinstance(field, ArrayField)), only=[field.attname])
            continue
        # Optional[]: the type may be a scalar wrapper without `|`.
        annotations[field.name] = Optional[python_type] if field.null or field.blank else python_type  # noqa: UP045
        attrs[field.name] = strawberry_django.field()
    _common_fields(declaration, annotations, attrs)
    attrs['__annotations__'] = annotations
    deferred_context = hasattr(model, 'config_context_data')

    def get_queryset(cls, queryset, info, **kwargs):
        if deferred_context:  # the stored rendering comes with the rows
            queryset = queryset.defer(None).defer('config_context_token')
        queryset = restrict(queryset, user_of(info))
        if queryset._iterable_class is ModelIterable:
            queryset._iterable_class = VisibleIterable
        return queryset

    attrs['get_queryset'] = classmethod(get_queryset)
    cls = type(type_name(declaration), (), attrs)
    return strawberry_django.type(model, name=type_name(declaration))(cls)


# Filters ---------------------------------------------------------------------------------------------------------

def _json_filter(name):
    def resolve(value: JSON, prefix: str) -> Q:
        """Objects whose value contains this JSON ({"key": value})."""
        return Q(**{f'{prefix}{name}__contains': value})
    resolve.__name__ = name
    return resolve


# Filters through a relation that NetBox offers under a name of their own: {relation: (field of the related model,
# ...)} gives `<relation>_<field>` (a nested filter) and `<relation>_<field>_id`, e.g. a device's tenant_group.
THROUGH_FILTERS = {'tenant': ('group',)}


def _through_filter(path, annotation):
    def resolve(info: strawberry.Info, value: annotation, prefix: str, queryset) -> tuple[models.QuerySet, Q]:
        return process_filters(value, queryset, info, prefix=f'{prefix}{path}__')
    return strawberry_django.filter_field(resolver=resolve)


def _add_through_filters(model, attrs):
    for relation, fields in THROUGH_FILTERS.items():
        try:
            field = model._meta.get_field(relation)
        except Exception:
            continue
        if not (field.concrete and field.many_to_one):
            continue
        for name in fields:
            target = exposed(field.related_model._meta.get_field(name).related_model)
            if target is not None:
                attrs[f'{relation}_{name}'] = _through_filter(f'{relation}__{name}', lazy(filter_name(target)))
                attrs[f'{relation}_{name}_id'] = _through_filter(f'{relation}__{name}_id',
                                                                 BaseFilterLookup[strawberry.ID])


def build_filter(declaration):
    model = declaration.model
    hidden = HIDDEN_FIELDS | set(declaration.exclude) | set(declaration.write_only)
    annotations = {'id': ComparisonFilterLookup[strawberry.ID] | None}
    attrs = {'__module__': TYPES_MODULE}
    for field in model._meta.get_fields():
        if isinstance(field, (GenericRel, GenericForeignKey)) or field.name in hidden or field.name == 'id':
            continue
        if field.is_relation:
            target = exposed(field.related_model)
            if field.name == 'tags':
                from extras.models import Tag

                target = exposed(Tag)
            if target is None or field.name.endswith('+'):
                continue
            name = field.name  # the query name, reverse relations included
            if name in annotations:
                continue
            annotations[name] = lazy(filter_name(target)) | None
            if field.concrete and (field.many_to_one or field.one_to_one):
                annotations[f'{name}_id'] = BaseFilterLookup[strawberry.ID] | None
            continue
        _, lookup, _ = scalar_kind(field)
        if lookup is None:
            if isinstance(field, models.JSONField):
                attrs[field.name] = strawberry_django.filter_field(resolver=_json_filter(field.name))
            continue
        annotations[field.name] = Optional[lookup]  # noqa: UP045
    _add_through_filters(model, attrs)
    attrs['__annotations__'] = annotations
    cls = type(filter_name(declaration), (), attrs)
    return strawberry_django.filter_type(model, name=filter_name(declaration), lookups=True)(cls)


# Schema ----------------------------------------------------------------------------------------------------------

class _Optimizer(DjangoOptimizerExtension):
    """Joins and prefetches derived from the selection; whole rows are read (no `only()`), since displays and
    resolvers read columns the selection doesn't name, which would each cost a query per object."""

    def __init__(self, **kwargs):
        super().__init__(enable_only_optimization=False, **kwargs)


class _AliasLimit(MaxAliasesLimiter):
    """GRAPHQL_MAX_ALIASES, read per request."""

    def __init__(self):
        super().__init__(max_alias_count=settings.GRAPHQL_MAX_ALIASES)


class _DepthLimit(QueryDepthLimiter):
    """GRAPHQL_MAX_DEPTH, read per request."""

    def __init__(self):
        super().__init__(max_depth=settings.GRAPHQL_MAX_DEPTH)


def build_schema():
    declarations = sorted(exposed_declarations(), key=query_name)
    object_types = []
    for declaration in declarations:
        object_types.append(build_type(declaration))
        setattr(namespace_module, type_name(declaration), object_types[-1])
        setattr(namespace_module, filter_name(declaration), build_filter(declaration))
    any_object = Annotated[Union[tuple(object_types)], strawberry.union('AnyObject')]  # noqa: UP007
    namespace_module.AnyObject = any_object

    annotations, attrs = {}, {'__module__': TYPES_MODULE}
    for declaration in declarations:
        name = query_name(declaration)
        object_type = getattr(namespace_module, type_name(declaration))
        annotations[name] = object_type
        attrs[name] = strawberry_django.field()
        annotations[f'{name}_list'] = list[object_type]
        attrs[f'{name}_list'] = strawberry_django.field(
            filters=getattr(namespace_module, filter_name(declaration)), pagination=True)
    attrs['__annotations__'] = annotations
    query = strawberry.type(type('Query', (), attrs))
    from netbox.plugins import plugin_registry

    if plugin_registry['graphql_schemas']:
        # Plugins' own query fields join ours; where a name is taken, the derived field (same model) serves.
        query = strawberry.type(type('Query', (query, *plugin_registry['graphql_schemas']), {}))
    return strawberry.Schema(
        query=query,
        config=StrawberryConfig(auto_camel_case=False),
        extensions=[_Optimizer, _AliasLimit, _DepthLimit],
    )


_schema = None


def get_schema():
    global _schema
    if _schema is None:
        _schema = build_schema()
    return _schema

