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
from contextvars import ContextVar
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
from graphql import GraphQLError
from strawberry.extensions import FieldExtension, MaxAliasesLimiter, QueryDepthLimiter
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig
from strawberry_django.arguments import argument
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.fields.filter_types import (
    BaseFilterLookup,
    ComparisonFilterLookup,
    DateFilterLookup,
    DatetimeFilterLookup,
    StrFilterLookup,
)
from strawberry_django.filters import process_filters
from strawberry_django.optimizer import DjangoOptimizerExtension, OptimizerConfig, optimize
from strawberry_django.pagination import OffsetPaginationInput

from netbox.permissions import permission_q
from netbox.registry import registry

from . import types as namespace_module
from .specs import Annotation, Computed, Constant, Depth, GenericReverse, KeyedBy, Lookup, Reverse, Through

TYPES_MODULE = namespace_module.__name__
# Declared models GraphQL leaves out, as NetBox does: API tokens (secrets) and the tag through table.
EXCLUDED_MODELS = {'users.token', 'extras.taggeditem'}
# Bookkeeping columns never shown.
HIDDEN_FIELDS = {'lft', 'rght', 'tree_id', 'password', 'plaintext', 'digest', '_path', 'config_context_token',
                 'config_context_data'}
# Models that are not declared but that declared models point at: served as object types and filters (no query
# fields), every row visible (they are parts of, or metadata about, the objects that point at them).
TYPE_ONLY_MODELS = {'contenttypes.contenttype', 'dcim.portmapping', 'dcim.porttemplatemapping'}
# The request being served (set by the view): prefetchers without a resolver's `info` read the user from it.
CURRENT_REQUEST = ContextVar('graphql_request', default=None)

BigInt = strawberry.scalar(
    int, name='BigInt', description='An integer that may exceed 32 bits (e.g. a 4-byte ASN).',
    serialize=int, parse_value=int)

STRING_FIELDS = (models.CharField, models.TextField, models.UUIDField, models.DurationField, models.FileField,
                 models.BinaryField, models.GenericIPAddressField)
BIG_FIELDS = (models.BigIntegerField, models.PositiveBigIntegerField)


def user_of(info):
    request = info.context.request if info is not None else CURRENT_REQUEST.get()
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
    request = info.context.request if info is not None else CURRENT_REQUEST.get()
    cache = request.__dict__.setdefault('_graphql_visible', {})
    by_model = {}
    for obj in objects:
        if obj is not None:
            by_model.setdefault(type(obj), []).append(obj)
    allowed = set()
    for model, items in by_model.items():
        condition = None if model._meta.label_lower in TYPE_ONLY_MODELS else permission_q(user, model, 'view')
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


class TypeOnly:
    """Stands in for the declaration of a TYPE_ONLY_MODELS model: its own fields, nothing else."""

    exclude = write_only = ()
    counts = graphql_objects = graphql_fields = graphql_filters = {}

    def __init__(self, model):
        self.model = model

    def label(self):
        return self.model._meta.label_lower

    def app_label(self):
        return self.model._meta.app_label

    def has_custom_fields(self):
        return False

    has_tags = is_tree = has_custom_fields


_type_only = {}


def exposed(model):
    if model is None:
        return None
    if model._meta.label_lower in TYPE_ONLY_MODELS:
        return _type_only.setdefault(model, TypeOnly(model))
    declaration = registry.get(model)
    if declaration is None or declaration.label() in EXCLUDED_MODELS:
        return None
    return declaration


def type_only_declarations():
    from django.apps import apps

    return [exposed(apps.get_model(label)) for label in sorted(TYPE_ONLY_MODELS)]


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
    if declaration.has_tags() or _has_field(model, 'tagged_items'):
        def tags(root) -> list[lazy('TagType')]:
            from netbox.models import tags_of

            return tags_of(root)

        attrs['tags'] = strawberry_django.field(resolver=tags, prefetch_related=[_tags_prefetch])
    for name in declaration.counts:
        attrs[name] = _counter_field(declaration, name)
    logged = isinstance(getattr(model, 'changelog', None), (type(None), _ChangelogPrefetcher))
    if logged and declaration.label() not in ('core.objectchange', 'contenttypes.contenttype'):
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


# Fields derived beyond the model's own --------------------------------------------------------------------------

OPTIMIZER_CONFIG = OptimizerConfig(enable_only=False)
GRAMS = {'kg': 1000, 'g': 1, 'lb': 453.59237, 'oz': 28.349523125}
METERS = {'km': 1000, 'm': 1, 'cm': 0.01, 'mi': 1609.344, 'ft': 0.3048, 'in': 0.0254}
# `_abs_<field>`: NetBox's value in base units (grams, meters) for ordering across units.
ABSOLUTE_FIELDS = {'weight': ('weight_unit', GRAMS, int), 'max_weight': ('weight_unit', GRAMS, int),
                   'length': ('length_unit', METERS, float), 'distance': ('distance_unit', METERS, float)}
# A component's location, reached through its device (NetBox caches these on the component).
COMPONENT_PATHS = {'site': 'device__site', 'rack': 'device__rack', 'location': 'device__location'}


class BatchPrefetcher:
    """A model attribute prefetch_related can name: `fetch(instances, queryset)` returns the related rows of all the
    instances at once, as (rows, key of a row, key of an instance, single). Used for relations Django doesn't know
    (generic reverse relations) and for data computed for a whole list (cable peers and paths)."""

    def __init__(self, fetch):
        self.fetch = fetch

    def __get__(self, instance, owner):
        return self

    def is_cached(self, instance):
        return False

    def get_prefetch_querysets(self, instances, querysets=None):
        rows, row_key, instance_key, single = self.fetch(instances, querysets[0] if querysets else None)
        return rows, row_key, instance_key, single, None, False


def _install(model, attr, prefetcher):
    if attr not in model.__dict__:
        setattr(model, attr, prefetcher)


def target_queryset(model, info):
    """The queryset a nested selection of `model` objects is read with: the user's restriction, optimized for what
    the query selects under it."""
    object_type = getattr(namespace_module, type_name(exposed(model)))
    queryset = object_type.get_queryset(model._base_manager.all(), info)
    return optimize(queryset, info, config=OPTIMIZER_CONFIG)


def _read(root, attr, fallback, info):
    """The prefetched value of `attr`, or the fallback (checked for visibility) when it wasn't prefetched (an object
    reached through a generic relation's fragment)."""
    value = getattr(root, attr, _MISSING)
    if value is not _MISSING:
        return value
    value = fallback(root)
    if isinstance(value, list):
        return visible_objects(value, info)
    found = visible_objects([value], info) if value is not None else []
    return found[0] if found else None


def _path_value(root, path):
    for step in path.split('__'):
        if root is None:
            return None
        root = getattr(root, step)
    return root


def _to_one_target(model, path):
    """The model a `__` path of relations ends at, or None if it ends at a plain field."""
    for step in path.split('__'):
        field = model._meta.get_field(step)
        if not field.is_relation:
            return None
        model = field.related_model
    return model


def _through_field(model, name, path):
    """An object reached through to-one relations (`device__site`): the keys along the path read for the whole list
    with one query, the objects with another (restricted, and optimized for the nested selection)."""
    attr = f'_graphql_{name.lstrip("_")}'  # no `__` in a prefetch lookup
    target = _to_one_target(model, path)

    def fetch(instances, queryset):
        keys = dict(model._base_manager.filter(pk__in=[obj.pk for obj in instances]).values_list('pk', path))
        rows = queryset.filter(pk__in={key for key in keys.values() if key is not None})
        return rows, attrgetter('pk'), lambda obj: keys.get(obj.pk), True

    _install(model, f'{attr}_through', BatchPrefetcher(fetch))

    def prefetch(info):
        return Prefetch(f'{attr}_through', queryset=target_queryset(target, info), to_attr=attr)

    def resolve(root, info: strawberry.Info) -> lazy(type_name(exposed(target))) | None:
        return _read(root, attr, lambda obj: _path_value(obj, path), info)

    return strawberry_django.field(resolver=resolve, prefetch_related=[prefetch])


def _first_field(model, name, path):
    """A to-many relation served as its first object (restricted)."""
    attr = f'_graphql_{name.lstrip("_")}'
    target = model._meta.get_field(path).related_model

    def prefetch(info):
        return Prefetch(path, queryset=target_queryset(target, info), to_attr=attr)

    def resolve(root, info: strawberry.Info) -> lazy(type_name(exposed(target))) | None:
        rows = _read(root, attr, lambda obj: list(getattr(obj, path).all()), info)
        return rows[0] if rows else None

    return strawberry_django.field(resolver=resolve, prefetch_related=[prefetch])


def _generic_reverse_parts(model, spec):
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    related = apps.get_model(spec.model)
    gfk = next(f for f in related._meta.private_fields if f.name == spec.generic_field)
    ct_column = related._meta.get_field(gfk.ct_field).attname

    def rows_of(queryset, instances):
        content_type = ContentType.objects.get_for_model(type(instances[0]))
        return queryset.filter(**{ct_column: content_type.pk, f'{gfk.fk_field}__in': [obj.pk for obj in instances]})

    return related, gfk, ct_column, rows_of


def _generic_reverse_field(model, name, spec):
    """The objects of another model whose generic foreign key points here (a device's services)."""
    related, gfk, _, rows_of = _generic_reverse_parts(model, spec)
    attr = f'_graphql_{name.lstrip("_")}'
    prefetcher_attr = f'{attr}_reverse'

    def fetch(instances, queryset):
        queryset = rows_of(queryset if queryset is not None else related._default_manager.all(), instances)
        return queryset, attrgetter(gfk.fk_field), attrgetter('pk'), False

    _install(model, prefetcher_attr, BatchPrefetcher(fetch))

    def prefetch(info):
        return Prefetch(prefetcher_attr, queryset=target_queryset(related, info), to_attr=attr)

    def resolve(root, info: strawberry.Info) -> list[lazy(type_name(exposed(related)))]:
        return _read(root, attr, lambda obj: list(rows_of(related._default_manager.all(), [obj])), info)

    return strawberry_django.field(resolver=resolve, prefetch_related=[prefetch])


def _computed_field(spec):
    def resolve(root) -> Optional[spec.python_type]:  # noqa: UP045
        return spec.function(root)

    return strawberry_django.field(resolver=resolve, only=list(spec.only), prefetch_related=list(spec.prefetch))


def _constant_annotation(spec):
    if isinstance(spec.value, list):
        return list[lazy(spec.type_)]
    if isinstance(spec.value, dict) or spec.type_ is JSON:
        return Optional[JSON]  # noqa: UP045
    return lazy(spec.type_) | None if isinstance(spec.type_, str) else Optional[spec.type_]  # noqa: UP045


def _constant_field(spec):
    def resolve(root):
        return type(spec.value)(spec.value) if isinstance(spec.value, (list, dict)) else spec.value

    resolve.__annotations__ = {'return': _constant_annotation(spec)}
    return strawberry_django.field(resolver=resolve)


def _key_expression(key):
    return models.F(key) if isinstance(key, str) else key()


def _reverse_field(model, name, spec):
    """The objects of another model whose key (a path or an expression) is this object's: one query for the list."""
    from django.apps import apps

    related = apps.get_model(spec.model)
    attr = f'_graphql_{name.lstrip("_")}'
    prefetcher_attr = f'{attr}_reverse'

    def keyed(queryset, instances):
        queryset = queryset.annotate(_graphql_key=_key_expression(spec.key))
        return queryset.filter(_graphql_key__in=[obj.pk for obj in instances])

    def fetch(instances, queryset):
        queryset = keyed(queryset if queryset is not None else related._default_manager.all(), instances)
        return queryset, attrgetter('_graphql_key'), attrgetter('pk'), False

    _install(model, prefetcher_attr, BatchPrefetcher(fetch))

    def prefetch(info):
        return Prefetch(prefetcher_attr, queryset=target_queryset(related, info), to_attr=attr)

    def resolve(root, info: strawberry.Info) -> list[lazy(type_name(exposed(related)))]:
        return _read(root, attr, lambda obj: list(keyed(related._default_manager.all(), [obj])), info)

    return strawberry_django.field(resolver=resolve, prefetch_related=[prefetch])


def _depth_field(model, name, spec):
    """The number of steps up `spec.path` to the top, for a whole list: one query per level of nesting."""
    attr = f'_graphql_{name.lstrip("_")}'

    def fetch(instances, queryset):
        depth = {obj.pk: 0 for obj in instances}
        current = {pk: pk for pk in depth}  # each object's ancestor reached so far
        for _ in range(100):  # a cycle can't happen (a bay holds one module); bounded all the same
            ups = dict(model._base_manager.filter(pk__in=set(current.values())).values_list('pk', spec.path))
            current = {pk: ups[at] for pk, at in current.items() if ups.get(at) is not None}
            if not current:
                break
            for pk in current:
                depth[pk] += 1
        for obj in instances:
            setattr(obj, attr, depth[obj.pk])
        return [], attrgetter('pk'), attrgetter('pk'), False

    _install(model, f'{attr}_depth', BatchPrefetcher(fetch))

    def prefetch(info):
        return Prefetch(f'{attr}_depth', queryset=model._base_manager.none(), to_attr=f'{attr}_done')

    def resolve(root) -> int:
        if not hasattr(root, attr):
            fetch([root], None)
        return getattr(root, attr)

    return strawberry_django.field(resolver=resolve, prefetch_related=[prefetch])


def _cable_fetch(model):
    """Link peers, connected endpoints and the cable connector and positions of a list of cabled objects: a fixed
    number of queries (dcim.cabling.attach_cable_data), the objects shown limited to what the user may view."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import prefetch_related_objects

    def fetch(instances, queryset):
        from dcim.cabling import attach_cable_data
        from dcim.models import CableTermination

        if any(f.name == '_path' for f in model._meta.concrete_fields):
            prefetch_related_objects(instances, '_path')
        attach_cable_data(instances)
        content_type = ContentType.objects.get_for_model(model)
        ends = {row.termination_id: row for row in CableTermination.objects.filter(
            termination_type=content_type, termination_id__in=[obj.pk for obj in instances if obj.cable_id])}
        shown = visible_objects([o for obj in instances for o in (obj._link_peers or []) +
                                 (getattr(obj, '_connected_endpoints', None) or [])], None)
        shown = {(type(o), o.pk) for o in shown}
        for obj in instances:
            obj._graphql_peers = [o for o in obj._link_peers or [] if (type(o), o.pk) in shown]
            obj._graphql_endpoints = [o for o in getattr(obj, '_connected_endpoints', None) or []
                                      if (type(o), o.pk) in shown]
            obj._graphql_cable_end = ends.get(obj.pk)
        return [], attrgetter('pk'), attrgetter('pk'), False

    return fetch


def _cable_fields(model, attrs):
    _install(model, '_graphql_cable', BatchPrefetcher(_cable_fetch(model)))
    def prefetch(info):
        # One Prefetch object per request (its queryset is never read): the fields sharing it merge into one.
        cache = info.context.request.__dict__.setdefault('_graphql_prefetches', {})
        key = (model, '_graphql_cable')
        if key not in cache:
            cache[key] = Prefetch('_graphql_cable', queryset=model._base_manager.none(), to_attr='_graphql_cable_done')
        return cache[key]

    hints = [prefetch]

    def loaded(root):
        if not hasattr(root, '_graphql_peers'):
            _cable_fetch(model)([root], None)
        return root

    def link_peers(root) -> list[lazy('AnyObject')]:
        return loaded(root)._graphql_peers

    def cable_connector(root) -> int | None:
        end = loaded(root)._graphql_cable_end
        return end.connector if end is not None else None

    def cable_positions(root) -> list[int] | None:
        end = loaded(root)._graphql_cable_end
        return list(end.positions) if end is not None and end.positions is not None else None

    attrs['link_peers'] = strawberry_django.field(resolver=link_peers, prefetch_related=hints)
    attrs['cable_connector'] = strawberry_django.field(resolver=cable_connector, prefetch_related=hints)
    attrs['cable_positions'] = strawberry_django.field(resolver=cable_positions, prefetch_related=hints)
    if any(f.name == '_path' for f in model._meta.concrete_fields):
        def connected_endpoints(root) -> list[lazy('AnyObject')]:
            return loaded(root)._graphql_endpoints

        attrs['connected_endpoints'] = strawberry_django.field(resolver=connected_endpoints, prefetch_related=hints)


def _absolute_field(name, unit_field, factors, kind):
    def resolve(root) -> Optional[kind]:  # noqa: UP045
        value, unit = getattr(root, name), getattr(root, unit_field)
        if value is None or unit not in factors:
            return None
        return kind(round(float(value) * factors[unit], 4))

    return strawberry_django.field(resolver=resolve)


def _has_field(model, name):
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def is_component(model):
    """Components of a device: they have no site of their own (NetBox caches the device's on them)."""
    from dcim.models import Device

    if not _has_field(model, 'device') or _has_field(model, 'site'):
        return False
    field = model._meta.get_field('device')
    return field.concrete and field.related_model is Device


def _derived_fields(declaration, annotations, attrs):
    """The fields NetBox's types have beyond the model's own: from rules, then from the declaration."""
    model = declaration.model
    if _has_field(model, 'images'):
        attrs['image_attachments'] = strawberry_django.field(field_name='images')
        annotations['image_attachments'] = list[lazy('ImageAttachmentType')]
    if is_component(model):
        for name, path in COMPONENT_PATHS.items():
            attrs[f'_{name}'] = _through_field(model, f'_{name}', path)
    cable = next((f for f in model._meta.concrete_fields if f.name == 'cable'), None)
    if cable is not None and cable.related_model._meta.label_lower == 'dcim.cable':
        _cable_fields(model, attrs)
    for name, (unit_field, factors, kind) in ABSOLUTE_FIELDS.items():
        if _has_field(model, name) and _has_field(model, unit_field):
            attrs[f'_abs_{name}'] = _absolute_field(name, unit_field, factors, kind)
    if isinstance(getattr(model, 'family', None), property):
        attrs['family'] = _computed_field(Computed(int, attrgetter('family')))
    if hasattr(model, 'config_context_data'):
        def stored_context(root) -> JSON | None:
            return root.config_context_data

        def generation(root) -> str | None:
            return str(root.config_context_token) if root.config_context_token else None

        attrs['_config_context_data'] = strawberry_django.field(resolver=stored_context)
        attrs['_config_context_generation'] = strawberry_django.field(resolver=generation)
    for name, spec in getattr(declaration, 'graphql_fields', {}).items():
        annotations.pop(name, None)
        if isinstance(spec, Computed):
            attrs[name] = _computed_field(spec)
        elif isinstance(spec, Constant):
            attrs[name] = _constant_field(spec)
        elif isinstance(spec, Reverse):
            attrs[name] = _reverse_field(model, name, spec)
        elif isinstance(spec, Depth):
            attrs[name] = _depth_field(model, name, spec)
        elif isinstance(spec, GenericReverse):
            attrs[name] = _generic_reverse_field(model, name, spec)
        elif isinstance(spec, Through) or '__' in spec.path:
            attrs[name] = _through_field(model, name, spec.path)
        elif spec.first:
            attrs[name] = _first_field(model, name, spec.path)
        else:
            field = model._meta.get_field(spec.path)
            if field.is_relation:
                target = lazy(type_name(exposed(field.related_model)))
                annotations[name] = list[target] if field.many_to_many or field.one_to_many else target | None
                extensions = [] if field.many_to_many or field.one_to_many else [VisibleOnly()]
                attrs[name] = strawberry_django.field(field_name=_accessor(field), extensions=extensions)
            else:
                python_type, _, _ = scalar_kind(field)
                annotations[name] = Optional[python_type]  # noqa: UP045
                attrs[name] = strawberry_django.field(field_name=spec.path)


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
            if field.name == 'tags' and declaration.has_tags():
                continue  # the object's own tags (a common field); a plain `tags` relation (criteria) is served as is
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
    _derived_fields(declaration, annotations, attrs)
    attrs['__annotations__'] = annotations
    deferred_context = hasattr(model, 'config_context_data')
    type_only = isinstance(declaration, TypeOnly)

    def get_queryset(cls, queryset, info, **kwargs):
        if deferred_context:  # the stored rendering comes with the rows
            queryset = queryset.defer(None)
        if not type_only:
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
# REST filters never bridged: full-text search and custom fields have GraphQL forms of their own.
UNBRIDGED_FILTERS = {'q'}


@strawberry.input(name='IntegerArrayLookup', description='Lookups on a list of whole numbers.')
class IntegerArrayLookup:
    contains: Optional[list[int]] = strawberry.UNSET  # noqa: UP045
    contained_by: Optional[list[int]] = strawberry.UNSET  # noqa: UP045
    overlap: Optional[list[int]] = strawberry.UNSET  # noqa: UP045
    length: Optional[int] = strawberry.UNSET  # noqa: UP045


@strawberry.input(name='StringArrayLookup', description='Lookups on a list of strings.')
class StringArrayLookup:
    contains: Optional[list[str]] = strawberry.UNSET  # noqa: UP045
    contained_by: Optional[list[str]] = strawberry.UNSET  # noqa: UP045
    overlap: Optional[list[str]] = strawberry.UNSET  # noqa: UP045
    length: Optional[int] = strawberry.UNSET  # noqa: UP045


@strawberry.input(name='IntegerRangeArrayLookup', description='Lookups on a list of ranges of whole numbers.')
class IntegerRangeArrayLookup:
    contains: Optional[int] = strawberry.UNSET  # noqa: UP045


def _given(value):
    return value is not None and value is not strawberry.UNSET


def _array_filter(field):
    from django.contrib.postgres.fields import RangeField

    name = field.name
    if isinstance(field.base_field, RangeField):
        table, column = field.model._meta.db_table, field.column

        def resolve_ranges(value: IntegerRangeArrayLookup, prefix: str) -> Q:
            """Rows one of whose ranges holds the number."""
            if not _given(value.contains):
                return Q()
            rows = field.model._base_manager.extra(
                where=[f'EXISTS (SELECT 1 FROM unnest("{table}"."{column}") AS r WHERE r @> %s)'],
                params=[int(value.contains)]).values('pk')
            return Q(**{f'{prefix}pk__in': rows})
        resolve_ranges.__name__ = name
        return strawberry_django.filter_field(resolver=resolve_ranges)
    lookup_type = IntegerArrayLookup if isinstance(field.base_field, models.IntegerField) else StringArrayLookup

    def resolve(value: lookup_type, prefix: str) -> Q:
        """Array lookups: contains, contained_by, overlap, length."""
        condition = Q()
        for lookup in ('contains', 'contained_by', 'overlap'):
            if _given(getattr(value, lookup)):
                condition &= Q(**{f'{prefix}{name}__{lookup}': getattr(value, lookup)})
        if _given(value.length):
            condition &= Q(**{f'{prefix}{name}__len': value.length})
        return condition
    resolve.__name__ = name
    return strawberry_django.filter_field(resolver=resolve)


def _through_filter(path, annotation):
    def resolve(info: strawberry.Info, value: annotation, prefix: str, queryset) -> tuple[models.QuerySet, Q]:
        return process_filters(value, queryset, info, prefix=f'{prefix}{path}__')
    return strawberry_django.filter_field(resolver=resolve)


def _rows_filter(annotation, rows):
    """A filter matching the objects among `rows(info, value)` (a queryset of the filtered model): usable at any
    depth, as `pk IN (...)` under the prefix."""
    def resolve(info: strawberry.Info, value: annotation, prefix: str, queryset) -> tuple[models.QuerySet, Q]:
        return queryset, Q(**{f'{prefix}pk__in': rows(info, value).values('pk')})
    return strawberry_django.filter_field(resolver=resolve)


def _lookup_filter(name, spec):
    def resolve(value: spec.python_type, prefix: str) -> Q:
        return Q(**{f'{prefix}{spec.field}__{spec.lookup}': value})
    resolve.__name__ = name
    return strawberry_django.filter_field(resolver=resolve)


def _annotation_filter(model, spec):
    def rows(info, value):
        queryset = model._default_manager.annotate(_graphql_value=spec.function())
        queryset, condition = process_filters(value, queryset, info, prefix='_graphql_value__')
        return queryset.filter(condition)
    return _rows_filter(Optional[ComparisonFilterLookup[int]], rows)  # noqa: UP045


def _keyed_filter(model, spec):
    from django.apps import apps

    target = apps.get_model(spec.model)

    def resolve(info: strawberry.Info, value: lazy(filter_name(exposed(target))), prefix: str,
                queryset) -> tuple[models.QuerySet, Q]:
        targets, condition = process_filters(value, target._default_manager.all(), info)
        rows = model._default_manager.annotate(_graphql_key=spec.key()).filter(
            _graphql_key__in=targets.filter(condition).values('pk'))
        return queryset, Q(**{f'{prefix}pk__in': rows.values('pk')})
    return strawberry_django.filter_field(resolver=resolve)


def _constant_filter(name, spec):
    """A filter on a value our objects all share (see Constant): it matches every object or none."""
    if isinstance(spec.value, list):
        def resolve(value: lazy(spec.type_.removesuffix('Type') + 'Filter'), prefix: str) -> Q:
            """Our objects have none of these: no object matches a condition on them."""
            given = any(_given(item) for item in vars(value).values())
            return Q(**{f'{prefix}pk__in': []}) if given else Q()
    else:
        def resolve(value: JSON, prefix: str) -> Q:
            """Objects whose value contains this JSON ({"key": value})."""
            held = spec.value
            matches = isinstance(held, dict) and isinstance(value, dict) and \
                all(key in held and held[key] == item for key, item in value.items())
            return Q() if matches else Q(**{f'{prefix}pk__in': []})
    resolve.__name__ = name
    return strawberry_django.filter_field(resolver=resolve)


def _counter_filter(declaration, name):
    model = declaration.model

    def rows(info, value):
        queryset = model._default_manager.annotate(_graphql_count=_counter_annotation(declaration, name))
        queryset, condition = process_filters(value, queryset, info, prefix='_graphql_count__')
        return queryset.filter(condition)
    return _rows_filter(Optional[ComparisonFilterLookup[int]], rows)  # noqa: UP045


def _generic_reverse_filter(model, spec):
    related, gfk, ct_column, _ = _generic_reverse_parts(model, spec)

    def resolve(info: strawberry.Info, value: lazy(filter_name(exposed(related))), prefix: str,
                queryset) -> tuple[models.QuerySet, Q]:
        from django.contrib.contenttypes.models import ContentType

        rows = related._default_manager.filter(**{ct_column: ContentType.objects.get_for_model(model).pk})
        rows, condition = process_filters(value, rows, info)
        return queryset, Q(**{f'{prefix}pk__in': rows.filter(condition).values(gfk.fk_field)})
    return strawberry_django.filter_field(resolver=resolve)


def _path_filter_type(model, path):
    """The input of a filter on `path`: the nested filter of the model it reaches, or the lookups of its field."""
    target = _to_one_target(model, path)
    if target is not None:
        last = path.split('__')[-1]
        owner = model
        for step in path.split('__')[:-1]:
            owner = owner._meta.get_field(step).related_model
        field = owner._meta.get_field(last)
        if not field.is_relation:
            return None
        return lazy(filter_name(exposed(target))) if exposed(target) else None
    owner = model
    steps = path.split('__')
    for step in steps[:-1]:
        owner = owner._meta.get_field(step).related_model
    _, lookup, _ = scalar_kind(owner._meta.get_field(steps[-1]))
    return lookup


def _rest_filter_kind(rest_filter):
    import django_filters
    from django import forms

    from netbox.filtersets import MultiValueField, MultiValueFilter

    field_class = getattr(rest_filter, 'field_class', None) or forms.Field
    if isinstance(rest_filter, django_filters.BooleanFilter) or issubclass(field_class, forms.NullBooleanField):
        return bool
    if isinstance(rest_filter, (MultiValueFilter, django_filters.MultipleChoiceFilter)) or \
            issubclass(field_class, (MultiValueField, forms.MultipleChoiceField)):
        return list[str]
    if issubclass(field_class, forms.IntegerField) or rest_filter.extra.get('coerce') is int:
        return int
    return str


def _rest_bridge(declaration, name, kind):
    """A filter the model's REST filter set has (`family`, `cabled`, `parent`...), applied as REST applies it."""
    model = declaration.model

    def rows(info, value):
        from django.http import QueryDict

        from netbox.filtersets import filterset_for

        values = value if isinstance(value, list) else [value]
        data = QueryDict(mutable=True)
        data.setlist(name, ['true' if v is True else 'false' if v is False else str(v) for v in values])
        filterset = filterset_for(declaration)(data=data, queryset=model._default_manager.all())
        if not filterset.is_valid():
            problems = '; '.join(f'{key}: {" ".join(map(str, errors))}' for key, errors in filterset.errors.items())
            raise GraphQLError(f'{filter_name(declaration)}.{name}: {problems}')
        return filterset.qs
    return _rows_filter(Optional[kind], rows)  # noqa: UP045


def _snake(text):
    return str(text).lower().replace(' ', '_').replace('-', '_')


def _add_through_filters(model, attrs, taken):
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
    paths = {}
    for field in model._meta.concrete_fields:
        # A cached relation (`_site` of a scoped object) is filtered under its plain name.
        if field.many_to_one and field.name.startswith('_') and not _has_field(model, field.name[1:]):
            paths[field.name[1:]] = field.name
    if is_component(model):
        paths.update(COMPONENT_PATHS)
    for name, path in paths.items():
        target = exposed(_to_one_target(model, path))
        if target is None or name in taken:
            continue
        attrs[name] = _through_filter(path, lazy(filter_name(target)))
        attrs[f'{name}_id'] = _through_filter(f'{path}_id', BaseFilterLookup[strawberry.ID])


def build_filter(declaration):
    """The filter input: every model field (also those the REST representation leaves out), then what the rules,
    the declaration and the REST filter set add."""
    model = declaration.model
    hidden = HIDDEN_FIELDS
    annotations = {'id': ComparisonFilterLookup[strawberry.ID] | None}
    attrs = {'__module__': TYPES_MODULE}
    aliases = {}
    for field in model._meta.get_fields():
        if isinstance(field, (GenericRel, GenericForeignKey)) or field.name in hidden or field.name == 'id':
            continue
        if field.is_relation:
            target = exposed(field.related_model)
            if field.name == 'tags':
                from extras.models import Tag

                target = exposed(Tag)
            if target is None or field.name.endswith('+') or field.name.startswith('_'):
                continue
            name = field.name  # the query name, reverse relations included
            if name in annotations:
                continue
            annotations[name] = lazy(filter_name(target)) | None
            if field.concrete and (field.many_to_one or field.one_to_one):
                annotations[f'{name}_id'] = BaseFilterLookup[strawberry.ID] | None
            elif field.auto_created and not field.concrete:
                # NetBox names reverse relations by the related model's plural (`console_ports`).
                aliases.setdefault(_snake(field.related_model._meta.verbose_name_plural), (name, target))
            continue
        if isinstance(field, ArrayField):
            attrs[field.name] = _array_filter(field)
            continue
        _, lookup, _ = scalar_kind(field)
        if lookup is None:
            if isinstance(field, models.JSONField):
                attrs[field.name] = strawberry_django.filter_field(resolver=_json_filter(field.name))
            continue
        annotations[field.name] = Optional[lookup]  # noqa: UP045
    taken = set(annotations) | set(attrs)
    _add_through_filters(model, attrs, taken)
    for alias, (path, target) in aliases.items():
        if alias not in taken and alias not in attrs:
            attrs[alias] = _through_filter(path, lazy(filter_name(target)))
    if is_component(model) and 'inventory_items' not in taken:
        attrs['inventory_items'] = _generic_reverse_filter(model, GenericReverse('dcim.InventoryItem', 'component'))
    for name, spec in getattr(declaration, 'graphql_filters', {}).items():
        annotations.pop(name, None)
        if isinstance(spec, GenericReverse):
            attrs[name] = _generic_reverse_filter(model, spec)
        elif isinstance(spec, Lookup):
            attrs[name] = _lookup_filter(name, spec)
        elif isinstance(spec, Annotation):
            attrs[name] = _annotation_filter(model, spec)
        elif isinstance(spec, KeyedBy):
            attrs[name] = _keyed_filter(model, spec)
        elif isinstance(spec, Constant):
            attrs[name] = _constant_filter(name, spec)
        else:
            input_type = _path_filter_type(model, spec.path)
            attrs[name] = _through_filter(spec.path, input_type)
    for name in declaration.counts:
        if name not in annotations and name not in attrs:
            attrs[name] = _counter_filter(declaration, name)
    if not isinstance(declaration, TypeOnly):
        _add_rest_filters(declaration, annotations, attrs)
    attrs['__annotations__'] = annotations
    cls = type(filter_name(declaration), (), attrs)
    return strawberry_django.filter_type(model, name=filter_name(declaration), lookups=True)(cls)


def _add_rest_filters(declaration, annotations, attrs):
    """The REST filter set's filters that are not model fields (`family`, `cabled`, `port__gte`...), under their
    REST names; lookup variants of a name GraphQL already has (`name__ic`) are left out."""
    from netbox.filtersets import CounterFilter, filterset_for

    existing = set(annotations) | set(attrs)
    for name, rest_filter in filterset_for(declaration).base_filters.items():
        base = name.split('__')[0]
        if name in UNBRIDGED_FILTERS or name.startswith('cf_') or isinstance(rest_filter, CounterFilter) or \
                base in existing or name.endswith('__n'):
            continue
        attrs[name] = _rest_bridge(declaration, name, _rest_filter_kind(rest_filter))


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


@strawberry.input(name='OffsetPaginationInput', description='A page of a list: `offset` and `limit`, or `start` (the '
                  'first ID to return, in ID order) and `limit`.')
class Pagination(OffsetPaginationInput):
    start: Optional[strawberry.ID] = strawberry.UNSET  # noqa: UP045


class ListField(StrawberryDjangoField):
    """A `<model>_list` query field: NetBox's pagination input, with `start` (ID-based pages)."""

    @property
    def arguments(self):
        return [argument('pagination', Pagination, is_optional=True) if arg.python_name == 'pagination' else arg
                for arg in super().arguments]

    @arguments.setter
    def arguments(self, value):
        StrawberryDjangoField.arguments.fset(self, value)

    def apply_pagination(self, queryset, pagination=None, *, related_field_id=None):
        start = getattr(pagination, 'start', None)
        if _given(start):
            if pagination.offset:
                raise GraphQLError('Pagination takes either offset or start, not both.')
            try:
                start = int(start)
            except (TypeError, ValueError):
                raise GraphQLError(f'pagination.start must be an object ID; got {start!r}.') from None
            queryset = queryset.filter(pk__gte=start).order_by('pk')
        return super().apply_pagination(queryset, pagination, related_field_id=related_field_id)


def build_schema():
    declarations = sorted(exposed_declarations(), key=query_name)
    object_types = []
    for declaration in type_only_declarations():
        setattr(namespace_module, type_name(declaration), build_type(declaration))
        setattr(namespace_module, filter_name(declaration), build_filter(declaration))
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
        attrs[f'{name}_list'] = ListField(filters=getattr(namespace_module, filter_name(declaration)),
                                          pagination=True)
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

