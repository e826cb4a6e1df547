"""
REST views derived from declarations: list/create (a list body is a bulk create), retrieve/update/delete, and bulk
update/delete on the list URL. Every write runs in one transaction, is re-checked against the user's permission
constraints, and is rolled back whole when any part fails.
"""
import copy
from contextlib import contextmanager

from django.db import connection, connections, models, transaction
from django.db.models import Count, Lookup, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from netbox.bulk import delete_set
from netbox.changelog import related_values, take_snapshots
from netbox.permissions import objects_refused

from .background import background_requested, enqueue_bulk_write
from .readplan import (
    deferred_columns,
    display_fields,
    nested_columns,
    plan_fetches_list,
    plan_fetches_nested_lists,
    plan_reads_type_ids,
    render_many,
    render_one,
)
from .serializers import field_values

WRITE_ACTIONS = {'POST': 'add', 'PUT': 'change', 'PATCH': 'change', 'DELETE': 'delete'}


def counter_annotation(counter, cumulative_tree=False):
    expression = getattr(counter, 'expression', None)
    if expression is not None:  # an ExpressionCounter computes its own annotation
        return Coalesce(expression(), 0)
    model = counter.model
    if model is None:
        from django.db.models import Value

        return Value(0)
    lookup = {counter.field: OuterRef('pk')}
    if cumulative_tree:
        lookup = {f'{counter.field}__tree_id': OuterRef('tree_id'), f'{counter.field}__lft__gte': OuterRef('lft'),
                  f'{counter.field}__lft__lte': OuterRef('rght')}
    group_by = next(iter(lookup)).split('__lft')[0]
    subquery = (
        model._default_manager.filter(**lookup, **getattr(counter, 'where', {})).order_by().values(group_by)
        .annotate(_count=Count('*')).values('_count')
    )
    return Coalesce(Subquery(subquery[:1]), 0)


_querysets = {}


def optimized_queryset(declaration, field_names, plan=False):
    """The model's queryset with the joins, prefetches and counters the given fields need, and no more. With
    plan=True the rows are for the read plan (netbox.api.readplan), which fetches list relations itself. Built once
    per declaration, fields and mode; each call gets a fresh copy."""
    key = (declaration, tuple(field_names), plan)
    template = _querysets.get(key)
    if template is None:
        if len(_querysets) > 4096:  # `fields=` makes the keys the client's choice: keep the cache bounded
            _querysets.clear()
        template = _querysets[key] = _optimized_queryset(declaration, field_names, plan)
    queryset = template.all()
    # An unchanged copy (clones don't keep this) may use the template's SQL compiled once: see read_by_key().
    queryset._compiled_key = key
    return queryset


def _optimized_queryset(declaration, field_names, plan):
    model = declaration.model
    queryset = model._default_manager.all()
    if 'config_context' in field_names and hasattr(model, 'config_context_data'):
        # The stored rendering comes with the rows (the manager leaves it out of every other read).
        queryset = queryset.defer(None).defer('config_context_token')
    # Declared joins and prefetches serve the fields they start from: a brief list of interfaces doesn't join
    # their VLANs. Those starting elsewhere (a path column read by several fields) are kept.
    # The display (__str__) may read relations too: those are kept whatever the fields.
    display = display_fields(model)
    rest_fields, wanted = set(declaration.rest_fields()), set(field_names)

    def needed(lookup):
        # A prefetch may name the REST field it serves (`serves`) when its relation is named otherwise.
        head = getattr(lookup, 'serves', None) or _head(lookup)
        return display is None or head in wanted or head not in rest_fields or head in display

    select = {lookup for lookup in getattr(declaration, 'select_related', ()) if needed(lookup)}
    prefetch = {lookup for lookup in getattr(declaration, 'prefetch_related', ()) if needed(lookup)}
    unjoined_types, nested_own = set(), set()
    if plan:
        own = {name for name in field_names if plan_fetches_list(declaration, name)}
        unjoined_types = plan_reads_type_ids(declaration, field_names)
        # Lists inside nested objects (`primary_ip4__nat_outside`) are fetched by the plan (readplan.fetch_lists).
        nested_own = plan_fetches_nested_lists(declaration, field_names)
        prefetch = {lookup for lookup in prefetch if not (isinstance(lookup, str) and lookup in nested_own)}
        prefetch = {lookup for lookup in prefetch if _head(lookup) not in own}
    for name in field_names:
        if name in declaration.counts:
            counter = declaration.counts[name]
            cumulative = declaration.is_tree() and getattr(counter, 'cumulative', True) and \
                counter.model is not None and counter.model is not model
            queryset = queryset.annotate(**{name: counter_annotation(counter, cumulative_tree=cumulative)})
            continue
        if name == 'tags' and declaration.has_tags():
            queryset = queryset.with_tags()
            continue
        try:
            field = model._meta.get_field(name)
        except Exception:
            field = _renamed_single_relation(declaration, name)
            if field is None:
                continue
            name = field.name
        if hasattr(field, 'fk_field'):  # generic foreign key
            prefetch.add(generic_prefetch(name))
        elif field.is_relation and (field.many_to_many or field.one_to_many):
            if plan and name in own:
                continue
            prefetch.add(name)
            prefetch.update(f'{name}__{inner}' for inner in _nested_relations(field.related_model, many=True))
        elif field.is_relation:
            if plan and name in unjoined_types and name not in (display or ()):
                continue  # read from the content type cache (readplan.content_type_column)
            select.add(name)
            select.update(f'{name}__{inner}' for inner in _nested_relations(field.related_model))
            prefetch.update(lookup for inner in _nested_relations(field.related_model, many=True)
                            if (lookup := f'{name}__{inner}') not in nested_own)
    if select:
        queryset = queryset.select_related(*sorted(select))
        if plan:
            deferred = deferred_columns(declaration, select, field_names)
            if deferred:
                queryset = queryset.defer(*sorted(deferred))
    if prefetch:
        # A declared Prefetch object for a relation replaces the plain lookup (or the generic one) of that name.
        declared = {p.prefetch_to for p in prefetch if not isinstance(p, str) and not getattr(p, 'derived', False)}
        lookups = [p for p in prefetch if (p if isinstance(p, str) else p.prefetch_to) not in declared or (
            not isinstance(p, str) and not getattr(p, 'derived', False))]
        queryset = queryset.prefetch_related(*sorted(lookups, key=str))
    return queryset


def _renamed_single_relation(declaration, name):
    """The generic or forward foreign key a declared field shows under another name (a tagged item's `object` is
    its `content_object`), so that it is joined or prefetched like one of that name; None otherwise."""
    source = getattr(declaration.serializer_fields.get(name), 'source', None)
    if not source or source == name:
        return None
    try:
        field = declaration.model._meta.get_field(source)
    except Exception:
        return None
    return field if hasattr(field, 'fk_field') or (field.is_relation and field.many_to_one) else None


class AnyOf(Lookup):
    """`pk__any_of=[...]`: key = ANY(array), one parameter for a whole page of keys rather than one each."""

    lookup_name = 'any_of'
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        keys = self.rhs if isinstance(self.rhs, KeySlot) else list(self.rhs)
        return f'{lhs} = ANY(%s)', [*lhs_params, keys]


class KeySlot(list):
    """The place of the key array among a compiled read's parameters."""


class CompiledRead:
    """
    A read-by-key query compiled to SQL once: later reads only put their keys in. Compiling a list's query (twenty
    joins, counters, deferred columns) costs Django 3-5 ms, as much as PostgreSQL takes to run it. The compiler's
    state (columns, joined models, converters) is reused to build the model instances, so the rows are exactly
    those of the queryset it was made from.
    """

    def __init__(self, queryset):
        self.queryset = queryset.filter(pk__any_of=KeySlot())
        compiler = self.queryset.query.get_compiler(using=self.queryset.db)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slot = next(i for i, param in enumerate(self.params) if isinstance(param, KeySlot))
        self.compiler = compiler

    def rows(self, keys):
        params = list(self.params)
        params[self.slot] = list(keys)
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[self.queryset.db]  # connections are per thread
        compiler.as_sql = lambda *args, **kwargs: (self.sql, tuple(params))
        queryset = self.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return queryset


_compiled_reads = {}


for _key_field in (models.AutoField, models.BigAutoField, models.SmallAutoField):
    _key_field.register_lookup(AnyOf)


# A read by primary key joins each related row by its key (an indexed primary or unique key).
KEY_READ_SETTINGS = ('join_collapse_limit', 'enable_hashjoin', 'enable_mergejoin')


@contextmanager
def joins_in_written_order():
    """
    Plan the queries run inside as reads by key: joins in the order they are written (join_collapse_limit = 1) and
    each done by index lookups (no hash or merge joins). The written order is the best one, and PostgreSQL otherwise
    spends far longer searching join orders (about 200 ms for an interface list's 26 joins) than running the query.
    Left to itself it also hashes whole tables for joins that are mostly empty (an interface's parent, LAG and
    bridge: three scans of every interface, 120 of the 160 ms of a 1,000-interface page at 48,000 interfaces, and
    ten times that at ten times the rows), where a thousand index lookups take a few milliseconds.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('SET LOCAL join_collapse_limit = 1; SET LOCAL enable_hashjoin = off; '
                       'SET LOCAL enable_mergejoin = off')
        # On an error the atomic block rolls back, which undoes the settings too; resetting them here would fail in
        # the aborted transaction and hide the error.
        yield
        cursor.execute('; '.join(f'SET LOCAL {name} TO DEFAULT' for name in KEY_READ_SETTINGS))


def read_by_key(queryset, keys):
    """The rows of `queryset` with these primary keys, in this order, read with the joins in written order."""
    if not keys:
        return []
    # The rows come back in the keys' order below: the query needs no ORDER BY (nor its compilation).
    key = getattr(queryset, '_compiled_key', None)
    if key is None:
        rows = queryset.order_by().filter(pk__any_of=list(keys))
    else:
        compiled = _compiled_reads.get(key)
        if compiled is None:
            if len(_compiled_reads) > 4096:
                _compiled_reads.clear()
            compiled = _compiled_reads[key] = CompiledRead(queryset.order_by())
        rows = compiled.rows(keys)
    with joins_in_written_order():
        by_key = {obj.pk: obj for obj in rows}
    return [by_key[key] for key in keys if key in by_key]


def _head(lookup):
    """The field a select_related/prefetch_related lookup (or Prefetch) starts from."""
    return (lookup if isinstance(lookup, str) else lookup.prefetch_to).split('__')[0]


def generic_prefetch(name):
    """The prefetch of a generic foreign key's objects, each with the joins its nested form needs (an IP address's
    interface with its device and cable), for whichever registered model it points at."""
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    from netbox.registry import registry

    querysets = [nested_queryset(declaration.model, joins) for declaration in registry
                 if (joins := nested_joins(declaration.model))]
    lookup = GenericPrefetch(name, querysets)
    lookup.derived = True
    return lookup


def nested_queryset(model, joins):
    """Objects of `model` to show nested, with these joins, loading only the columns their nested forms and
    displays read (an IP address's interface leaves its custom fields, description... unread), or every column
    when one of them can't be known."""
    queryset = model._default_manager.select_related(*joins)
    own = nested_columns(model)
    if own is None:
        return queryset
    names = set(own)
    for path in joins:
        target = model
        for hop in path.split('__'):
            target = target._meta.get_field(hop).related_model
        columns = nested_columns(target)
        if columns is None:
            return queryset
        names.add(path)
        names.update(f'{path}__{column}' for column in columns)
    return queryset.only(*sorted(names))


def nested_joins(model):
    """The relations to join for objects of `model` shown nested: those of its nested form, and those their
    display reads (a device's virtual chassis)."""
    joins = []
    for name in _nested_relations(model):
        joins.append(name)
        related = model._meta.get_field(name).related_model
        display = display_fields(related) or ()
        joins += [f'{name}__{inner}' for inner in sorted(display) if related._meta.get_field(inner).is_relation]
    return joins


def _nested_relations(model, many=False):
    """Forward relations shown in the nested form of `model` (joined too, so nesting adds no queries); with
    many=True, the lists (reverse and many-to-many relations) shown there, to prefetch."""
    from netbox.registry import registry

    declaration = registry.get(model)
    if declaration is None:
        return []
    names = []
    for name in declaration.nested_fields():
        try:
            field = model._meta.get_field(name)
        except Exception:
            continue
        if many and field.is_relation and (field.one_to_many or field.many_to_many):
            names.append(name)
        elif not many and field.is_relation and field.many_to_one and field.concrete:
            names.append(name)
    return names


class _DeclarationOfQueryset:
    """`declaration` of a NetBox-style viewset or view: that of its queryset's model, looked up on use."""

    def __get__(self, instance, owner):
        from netbox.registry import registry

        declaration = registry.get(owner.queryset.model)
        if declaration is None:
            raise LookupError(f'{owner.__name__}: {owner.queryset.model._meta.label} has no declaration.')
        return declaration


class NetBoxModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One model's REST endpoints; `declaration` is set by the derived subclass."""

    declaration = None
    filter_backends = (DjangoFilterBackend, OrderingFilter)
    brief = False

    def __init_subclass__(cls, **kwargs):
        # A plugin's NetBox-style viewset names its `queryset` (and a serializer and filter set, which feed the
        # model's declaration): it serves the declaration of the queryset's model.
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get('queryset') is not None and cls.__dict__.get('declaration') is None:
            from netbox.registry import record_piece

            cls.declaration = _DeclarationOfQueryset()
            for name in ('serializer_class', 'filterset_class'):
                if name in cls.__dict__:
                    setattr(cls, f'netbox_style_{name}', cls.__dict__[name])
                    delattr(cls, name)
            record_piece('viewsets', cls)

    @property
    def permission_model(self):
        return self.declaration.model

    @property
    def filterset_class(self):
        return self.declaration.filterset()

    def get_view_name(self):
        return str(self.declaration.model._meta.verbose_name_plural).title()

    @property
    def ordering_fields(self):
        return [name for name in self.declaration.rest_fields() if name not in ('url', 'display_url', 'display')]

    def initial(self, request, *args, **kwargs):
        self.brief = request.method == 'GET' and request.query_params.get('brief', '').lower() in ('1', 'true',
                                                                                                    'yes')
        super().initial(request, *args, **kwargs)

    def requested_fields(self):
        request = self.request
        fields = request.query_params.get('fields') if request.method == 'GET' else None
        omit = request.query_params.get('omit') if request.method == 'GET' else None
        fields = [f.strip() for f in fields.split(',') if f.strip()] if fields else None
        omit = [f.strip() for f in omit.split(',') if f.strip()] if omit else None
        # NetBox's older `exclude=config_context` (devices, VMs): the field and the work behind it are left out.
        exclude = request.query_params.get('exclude') if request.method == 'GET' else None
        if exclude and 'config_context' in (f.strip() for f in exclude.split(',')):
            omit = [*(omit or ()), 'config_context']
        return fields, omit

    def get_serializer_class(self):
        return self.declaration.serializer(brief=self.brief)

    def get_serializer(self, *args, **kwargs):
        fields, omit = self.requested_fields()
        if fields:
            kwargs['fields'] = fields
        if omit:
            kwargs['omit'] = omit
        kwargs.setdefault('context', self.get_serializer_context())
        return self.get_serializer_class()(*args, **kwargs)

    def field_names(self):
        fields, omit = self.requested_fields()
        names = self.declaration.brief_fields() if self.brief else self.declaration.rest_fields()
        if fields:
            names = [name for name in names if name in fields]
        if omit:
            names = [name for name in names if name not in omit]
        return names

    def get_queryset(self):
        action = WRITE_ACTIONS.get(self.request.method, 'view')
        queryset = optimized_queryset(self.declaration, self.field_names(), plan=True)
        return queryset.restrict(self.request.user, action)

    def prepared(self, instances):
        prepare = self.declaration.prepare_rows
        served = self.declaration.prepare_fields
        if served is not None and not set(served) & set(self.field_names()):
            return instances
        if prepare is not None:
            prepare(list(instances))
        return instances

    def list(self, request, *args, **kwargs):
        # The page is chosen by primary key first (filters, permissions and order, planned freely), then its rows
        # are read by key with every join in the written order: planning a query with twenty joins costs more
        # than running it.
        queryset = self.filter_queryset(self.get_queryset())
        export = request.query_params.get('export')
        if export:  # the filtered list rendered by an export template, as the UI's Export button does
            from netbox.ui.export import ExportError, template_export_response

            try:
                return template_export_response(self.declaration.model, request.user, queryset, export)
            except ExportError as error:
                return Response({'detail': str(error)}, status=400)
        keys = queryset.values_list('pk', flat=True)
        page = self.paginate_queryset(keys)
        rows = self.prepared(self.rows_by_key(queryset, page if page is not None else list(keys)))
        data = render_many(self.get_serializer(rows, many=True), rows)
        return self.get_paginated_response(data) if page is not None else Response(data)

    def rows_by_key(self, queryset, keys):
        """The rows with these primary keys, in this order, with everything the response shows."""
        return read_by_key(optimized_queryset(self.declaration, self.field_names(), plan=True), keys)

    def get_object(self):
        with joins_in_written_order():
            return super().get_object()

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.prepared([instance])
        return with_etag(Response(render_one(self.get_serializer(instance), instance)), instance)

    def check_if_match(self, instance):
        """RFC 9110 If-Match: a write based on a stale copy of the object is refused with 412. Called inside the
        write's transaction: the row is locked and re-read, so no other write slips in between check and save."""
        header = self.request.headers.get('If-Match')
        if not header or header.strip() == '*':
            return
        locked = type(instance)._default_manager.select_for_update().filter(pk=instance.pk).first()
        current = etag(locked) if locked is not None else None
        offered = [tag.strip().removeprefix('W/') for tag in header.split(',')]
        if current is None or current not in offered:
            raise PreconditionFailed()

    # Writes

    def check_permitted(self, instances, action):
        """Written objects must lie inside the user's constraints: one query for the whole set."""
        refused = objects_refused(self.request.user, instances, action)
        if refused:
            raise PermissionDenied(f'You may not {action} {refused[0]} with your current permissions.')

    def refreshed(self, instances):
        """Re-read written objects so nested and computed fields are current."""
        queryset = optimized_queryset(self.declaration, self.field_names(), plan=True)
        by_pk = {obj.pk: obj for obj in read_by_key(queryset, [o.pk for o in instances])}
        results = []
        for original in instances:
            fresh = by_pk.get(original.pk, original)
            # Values that exist only in memory (a new token's secret) survive the re-read.
            for attr in getattr(original, 'transient_attributes', ()):
                setattr(fresh, attr, getattr(original, attr))
            results.append(fresh)
        return self.prepared(results)

    def create(self, request, *args, **kwargs):
        if isinstance(request.data, list):
            if background_requested(request):
                return enqueue_bulk_write(self, request)
            return self.bulk_create(request)
        serializer = self.get_serializer(data=request.data)
        with transaction.atomic():
            serializer.is_valid(raise_exception=True)
            instance = serializer.save()
            self.check_permitted([instance], 'add')
        instance = self.refreshed([instance])[0]
        data = render_one(self.get_serializer(instance), instance)
        return with_etag(Response(data, status=status.HTTP_201_CREATED), instance)

    def bulk_create(self, request):
        """A list body: every object validated (the database checks set-wise), then saved as one set (see
        netbox.bulk): all or nothing, in one transaction."""
        if not request.data:
            raise ValidationError({'non_field_errors': ['Give at least one object to create.']})
        serializer = self.get_serializer()
        with transaction.atomic():
            validated, errors = serializer.validate_many(request.data)
            if any(errors):
                raise bulk_error(errors, 'created', len(errors))
            instances = serializer.create_many(validated)
            self.check_permitted(instances, 'add')
        instances = self.refreshed(instances)
        data = render_many(self.get_serializer(instances, many=True), instances)
        return Response(data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        with transaction.atomic():
            self.check_if_match(instance)
            serializer.is_valid(raise_exception=True)
            obj = serializer.save()
            self.check_permitted([obj], 'change')
        obj = self.refreshed([obj])[0]
        return with_etag(Response(render_one(self.get_serializer(obj), obj)), obj)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        with transaction.atomic():
            self.check_if_match(instance)
            instance.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def bulk_items(self, queryset=None):
        data = self.request.data
        if not isinstance(data, list) or not data:
            raise ValidationError({'non_field_errors': ['Give a list of objects, each with an "id".']})
        ids = []
        for index, item in enumerate(data):
            if not isinstance(item, dict) or 'id' not in item:
                raise ValidationError({'non_field_errors': [f'Item {index} has no "id".']})
            try:
                ids.append(int(item['id']))
            except (TypeError, ValueError):
                raise ValidationError({'non_field_errors': [f'Item {index} has an invalid "id": {item["id"]!r}.']})
        queryset = self.get_queryset() if queryset is None else queryset
        objects = {obj.pk: obj for obj in queryset.filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in objects]
        if missing:
            raise Http404(f'No {self.declaration.model._meta.verbose_name} with ID {missing} that you may modify.')
        return [(objects[pk], item) for pk, item in zip(ids, data, strict=True)]

    def bulk_update(self, request, *args, partial=False, **kwargs):
        """A list of changes, each with its object's "id": validated one by one (the database checks set-wise),
        then saved as one set (see netbox.bulk): all or nothing, in one transaction."""
        if background_requested(request):
            return enqueue_bulk_write(self, request)
        pairs = self.bulk_items()
        first = {}
        for index, (instance, _) in enumerate(pairs):
            if first.setdefault(instance.pk, index) != index:
                raise ValidationError({'non_field_errors': [
                    f'Item {index} repeats the "id" {instance.pk} of item {first[instance.pk]}; give each object '
                    'once.']})
        instances = [instance for instance, _ in pairs]
        payloads = [{key: value for key, value in item.items() if key != 'id'} for _, item in pairs]
        serializer = self.get_serializer(partial=partial)
        with transaction.atomic():
            related_before = related_values(instances)
            take_snapshots(instances, related_before)
            originals = [field_values(instance) for instance in instances]
            validated, errors = serializer.validate_many(payloads, instances)
            if any(errors):
                raise bulk_error(errors, 'updated', len(errors))
            serializer.update_many(instances, validated, originals, related_before)
            self.check_permitted(instances, 'change')
        results = self.refreshed(instances)
        return Response(render_many(self.get_serializer(results, many=True), results))

    def bulk_partial_update(self, request, *args, **kwargs):
        return self.bulk_update(request, *args, partial=True, **kwargs)

    def bulk_destroy(self, request, *args, **kwargs):
        """Delete the listed objects (each once) with one collector; see netbox.bulk.delete_set."""
        if background_requested(request):
            return enqueue_bulk_write(self, request)
        # The rows alone: nothing is rendered, and the change log reads relations set-wise.
        lean = self.declaration.model._default_manager.restrict(self.request.user, 'delete')
        instances = list({instance.pk: instance for instance, _ in self.bulk_items(lean)}.values())
        with transaction.atomic():
            delete_set(instances)
        return Response(status=status.HTTP_204_NO_CONTENT)


def etag(instance):
    """A strong validator for one object: its last change time (or creation time), quoted; None without either."""
    stamp = getattr(instance, 'last_updated', None) or getattr(instance, 'created', None)
    return f'"{stamp.isoformat()}"' if stamp is not None and hasattr(stamp, 'isoformat') else None


def with_etag(response, instance):
    tag = etag(instance)
    if tag is not None:
        response['ETag'] = tag
    return response


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = 'The object has changed since it was read (If-Match does not match its ETag); read it again.'
    default_code = 'precondition_failed'


class BulkWriteError(APIException):
    """A 400 whose body is kept as given (ValidationError would turn the indexes into strings)."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, body):
        self.detail = body


def bulk_error(errors, verb, total):
    """
    The 400 for a bulk write of `total` objects: how many failed, and each one's errors by its index in the request.
    `errors` is a list with one (maybe empty) entry per object, or DRF's {index: errors} of the failing ones.
    """
    if isinstance(errors, dict):
        if not all(isinstance(key, int) for key in errors):  # the body as a whole was refused
            return ValidationError(errors)
        errors = [errors.get(index) for index in range(total)]
    failed = [{'index': index, 'errors': item} for index, item in enumerate(errors) if item]
    return BulkWriteError({'detail': f'{len(failed)} of {total} objects could not be {verb}.', 'errors': failed})


def viewset_for(declaration):
    """The viewset class for a declaration, built on first use."""
    cached = declaration.__dict__.get('_viewset')
    if cached is not None:
        return cached
    base = declaration.__dict__.get('viewset_base', NetBoxModelViewSet)
    viewset = type(f'{declaration.model.__name__}ViewSet', (base,), {'declaration': declaration})
    declaration._viewset = viewset
    return viewset

