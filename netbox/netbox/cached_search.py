"""
The cached global search index: the searched field values of every object shown in the global search, one row each
in extras.CachedValue (object type, object ID, field, kind, value, weight), so that one query over one table (with
trigram indexes on the value) answers a search across every model.

What is indexed comes from the declarations: a declaration's `search` entries are field names or (name, weight)
pairs; a plain name gets the weight of its kind (see default_weight). Only the model's own fields are cached (a
path through a relation, `rack__name`, serves the list's `q=` only), plus the custom fields of the model with a
`search_weight` above 0 (as `cf_<name>`). Lower weights rank first.

The index is kept current by post_save/post_delete (inside a write batch the work is deferred to the batch's end and
done set-wise) and by set-wise saves, which send no signals and report through netbox.changelog.log_saved().
`manage.py reindex` rebuilds it. A search (`search()`) restricts each object type to the objects the user may view
inside the query itself, so that neither results nor counts reveal others.
"""
from contextlib import nullcontext
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q

from .registry import INTERNAL_FIELDS

# Weights of fields by name (NetBox's guidance: identifiers first, descriptions later, comments last).
FIELD_WEIGHTS = {'name': 100, 'slug': 110, 'description': 500, 'comments': 5000}
UNIQUE_WEIGHT = 100
TEXT_WEIGHT = 5000
DEFAULT_WEIGHT = 300
CUSTOM_FIELD_PREFIX = 'cf_'
# Custom field kinds whose values are text or numbers worth searching (not references, JSON or booleans).
CUSTOM_FIELD_KINDS = {'text': 'str', 'longtext': 'str', 'url': 'str', 'select': 'str', 'multiselect': 'str',
                      'integer': 'int', 'decimal': 'float', 'date': 'str', 'datetime': 'str'}
# The `lookup` parameter: Django lookups on the value (NetBox's names), with short aliases.
LOOKUPS = {'icontains': 'icontains', 'iexact': 'iexact', 'istartswith': 'istartswith', 'iendswith': 'iendswith',
           'iregex': 'iregex', 'partial': 'icontains', 'exact': 'iexact', 'regex': 'iregex'}
LOOKUP_CHOICES = (('icontains', 'Partial match'), ('iexact', 'Exact match'), ('istartswith', 'Starts with'),
                  ('iendswith', 'Ends with'), ('iregex', 'Regular expression'))
DEFAULT_LOOKUP = 'icontains'


@dataclass(frozen=True)
class IndexedField:
    """One cached field: its name in the index, the model attribute read, its weight and its value kind."""

    name: str
    attname: str
    weight: int
    kind: str


def search_entries(search):
    """[(path, weight or None)] of a declaration's `search` (names or (name, weight) pairs)."""
    entries = []
    for entry in search or ():
        if isinstance(entry, (tuple, list)):
            path, weight = entry
            entries.append((path, int(weight)))
        else:
            entries.append((entry, None))
    return entries


def default_weight(field):
    if field.name in FIELD_WEIGHTS:
        return FIELD_WEIGHTS[field.name]
    if field.unique and not field.primary_key:
        return UNIQUE_WEIGHT
    if isinstance(field, models.TextField):
        return TEXT_WEIGHT
    return DEFAULT_WEIGHT


def value_kind(field):
    if isinstance(field, (models.IntegerField, models.AutoField)):
        return 'int'
    if isinstance(field, (models.FloatField, models.DecimalField)):
        return 'float'
    return 'str'


def indexed_declaration(model):
    """The declaration of `model` when its objects are in the global search (declared search fields, a menu
    place), else None."""
    from .registry import registry

    if not isinstance(model, type) or model._meta.proxy:
        return None
    declaration = registry.get(model)
    if declaration is None or declaration.model is not model or not declaration.search or not declaration.global_search:
        return None
    # Models outside the menu are parts of others, unless a search index puts them in the global search (plugins).
    if declaration.menu is None and declaration.search_index is None:
        return None
    return declaration


_fields = {}


def indexed_fields(model):
    """(IndexedField, ...) of the model's own declared search fields; () for a model not in the global search."""
    if model not in _fields:
        declaration = indexed_declaration(model)
        found = []
        for path, weight in search_entries(declaration.search if declaration else ()):
            if '__' in path:
                continue
            try:
                field = model._meta.get_field(path)
            except Exception:  # noqa: BLE001  (a declared name that is no model field: nothing to cache)
                continue
            if not field.concrete or field.is_relation or field.name in INTERNAL_FIELDS or \
                    isinstance(field, (models.BooleanField, models.JSONField)):
                continue
            found.append(IndexedField(field.name, field.attname, weight or default_weight(field), value_kind(field)))
        _fields[model] = tuple(found)
    return _fields[model]


def indexed_custom_fields(model):
    """(IndexedField, ...) of the model's custom fields with a search weight (read per process as custom fields
    are, see extras.models.custom_fields_version)."""
    if not any(field.name == 'custom_field_data' for field in model._meta.concrete_fields):
        return ()
    from extras.models import CustomField

    return tuple(IndexedField(f'{CUSTOM_FIELD_PREFIX}{field.name}', field.name, field.search_weight,
                              CUSTOM_FIELD_KINDS[field.type])
                 for field in CustomField.objects.get_for_model(model)
                 if field.search_weight and field.type in CUSTOM_FIELD_KINDS)


def is_indexed(model):
    return indexed_declaration(model) is not None


def _text(value):
    if value is None or value == '':
        return None
    if isinstance(value, (list, tuple)):
        text = ', '.join(str(item) for item in value if item not in (None, ''))
        return text or None
    return str(value)


def cached_rows(model, content_type, records, fields, custom_fields):
    """CachedValue rows (unsaved) for records (pk, {attname: value}, custom field data)."""
    from extras.models import CachedValue

    rows = []
    for pk, values, custom_data in records:
        for field in fields:
            text = _text(values.get(field.attname))
            if text is not None:
                rows.append(CachedValue(object_type=content_type, object_id=pk, field=field.name, type=field.kind,
                                        value=text, weight=field.weight))
        for field in custom_fields:
            text = _text((custom_data or {}).get(field.attname))
            if text is not None:
                rows.append(CachedValue(object_type=content_type, object_id=pk, field=field.name, type=field.kind,
                                        value=text, weight=field.weight))
    return rows


def _remove(keys):
    """Delete the rows of these objects, [(content type ID, object ID)], with one statement (a queryset delete would
    collect and signal each row)."""
    from extras.models import CachedValue

    if keys:
        types, ids = zip(*keys, strict=True)
        with connection.cursor() as cursor:
            cursor.execute(f'DELETE FROM {CachedValue._meta.db_table} WHERE (object_type_id, object_id) IN '
                           f'(SELECT * FROM unnest(%s::integer[], %s::bigint[]))', [list(types), list(ids)])


CREATED, UPDATED, DELETED = 'create', 'update', 'delete'


def _apply(operations):
    """
    Bring the index up to date for [(model, object, action)], in order (the last action on an object wins): the
    rows of updated and deleted objects go with one DELETE (a created object has none), the rows of created and
    updated ones come with one INSERT, whatever the number of models.
    """
    from extras.models import CachedValue

    final = {}
    for model, instance, action in operations:
        pk = instance.pk if instance.pk is not None else getattr(instance, '_cached_search_pk', None)
        if pk is None:
            continue
        key = (model, pk)
        previous = final.get(key)
        if previous is not None and previous[1] == CREATED and action != DELETED:
            action = CREATED  # created, then saved again: still nothing to remove
        final[key] = (instance, action)
    if not final:
        return
    content_types = ContentType.objects.get_for_models(*{model for model, _ in final})
    _remove([(content_types[model].pk, pk) for (model, pk), (_, action) in final.items() if action != CREATED])
    by_model = {}
    for (model, _), (instance, action) in final.items():
        if action != DELETED:
            by_model.setdefault(model, []).append(instance)
    rows = []
    for model, instances in by_model.items():
        fields = indexed_fields(model)
        # Custom fields are read only when an object has custom field values (none: no query).
        custom = indexed_custom_fields(model) if any(getattr(obj, 'custom_field_data', None) for obj in instances) \
            else ()
        records = [(obj.pk, {field.attname: getattr(obj, field.attname) for field in fields},
                    getattr(obj, 'custom_field_data', None)) for obj in instances]
        rows.extend(cached_rows(model, content_types[model], records, fields, custom))
    if rows:
        CachedValue.objects.bulk_create(rows)


def _schedule(operations):
    """Now, or at the end of the write batch under way (set-wise for the whole batch, every model at once)."""
    from .bulk import defer

    defer('cached_search', _apply, operations)


def index_objects(instances, created=False):
    """Cache the search values of saved objects (of one model): set-wise saves call this, sending no signals."""
    instances = [instance for instance in instances if instance.pk is not None]
    if instances:
        model = type(instances[0])._meta.concrete_model
        if is_indexed(model):
            action = CREATED if created else UPDATED
            _schedule([(model, instance, action) for instance in instances])


def object_saved(sender, instance, created=False, raw=False, **kwargs):
    if is_indexed(sender):
        _schedule([(sender, instance, CREATED if created else UPDATED)])


def object_deleted(sender, instance, **kwargs):
    if is_indexed(sender):
        # Django clears the primary key of a deleted object: the key is kept for a deferred removal.
        instance._cached_search_pk = instance.pk
        _schedule([(sender, instance, DELETED)])


def connect_signals():
    from django.db.models.signals import post_delete, post_save

    post_save.connect(object_saved, dispatch_uid='netbox.cached_search.saved')
    post_delete.connect(object_deleted, dispatch_uid='netbox.cached_search.deleted')


# Rebuilding

def indexed_models():
    from .registry import registry

    return [declaration.model for declaration in registry if is_indexed(declaration.model)]


def reindex_model(model, chunk_size=2000, progress=None):
    """Replace every cached row of `model` from its table, chunk by chunk (values only, no model instances).
    Returns (objects, rows). `progress(n)` is called with the objects done per chunk."""
    from extras.models import CachedValue

    content_type = ContentType.objects.get_for_model(model)
    fields, custom_fields = indexed_fields(model), indexed_custom_fields(model)
    columns = ['pk', *(field.attname for field in fields)]
    has_custom = bool(custom_fields)
    if has_custom:
        columns.append('custom_field_data')
    objects = rows = 0
    with transaction.atomic():
        CachedValue.objects.filter(object_type=content_type)._raw_delete(CachedValue.objects.db)
        last = None
        while True:
            queryset = model._base_manager.order_by('pk')
            if last is not None:
                queryset = queryset.filter(pk__gt=last)
            chunk = list(queryset.values_list(*columns)[:chunk_size])
            if not chunk:
                break
            records = [(row[0], dict(zip(columns[1:len(fields) + 1], row[1:len(fields) + 1], strict=True)),
                        row[-1] if has_custom else None) for row in chunk]
            cached = cached_rows(model, content_type, records, fields, custom_fields)
            CachedValue.objects.bulk_create(cached, batch_size=5000)
            objects += len(chunk)
            rows += len(cached)
            last = chunk[-1][0]
            if progress is not None:
                progress(len(chunk))
    return objects, rows


def is_cached(model):
    """Whether the index holds any row of `model` (for reindex --lazy)."""
    from extras.models import CachedValue

    return CachedValue.objects.filter(object_type=ContentType.objects.get_for_model(model)).exists()


# Searching

class SearchError(ValueError):
    """A search the database refuses (an invalid regular expression): shown to the user, never a 500."""


@dataclass
class Match:
    """One object found: its best matching field (exact before partial, then the lowest weight)."""

    object: object
    field: str
    value: str
    weight: int
    exact: bool


@dataclass
class TypeResults:
    """The matches of one object type: the first `per_type`, ranked, and how many there are in all."""

    declaration: object
    matches: list
    total: int
    rank: tuple


def visible_condition(user, object_types=None):
    """Q on CachedValue: the rows of objects `user` may view, of the indexed types (or those of `object_types`,
    model classes), each constrained type limited by a subquery of its permitted objects. None: nothing visible."""
    from .permissions import permission_q

    free, condition = [], Q()
    for model in indexed_models():
        if object_types is not None and model not in object_types:
            continue
        allowed = permission_q(user, model, 'view')
        if allowed is False:
            continue
        content_type = ContentType.objects.get_for_model(model)
        if allowed is None:
            free.append(content_type.pk)
        else:
            permitted = model._base_manager.filter(allowed).order_by().values('pk')
            condition |= Q(object_type_id=content_type.pk, object_id__in=permitted)
    if free:
        condition |= Q(object_type_id__in=free)
    return condition if condition else None


RANKED_SQL = """
WITH matched AS ({matched}),
best AS (
    SELECT DISTINCT ON (object_type_id, object_id) object_type_id, object_id, field, value, weight, exact
    FROM matched ORDER BY object_type_id, object_id, exact DESC, weight, field
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY object_type_id ORDER BY exact DESC, weight, value, object_id) AS n,
           count(*) OVER (PARTITION BY object_type_id) AS total
    FROM best
)
SELECT object_type_id, object_id, field, value, weight, exact, total FROM ranked WHERE n <= %s
ORDER BY exact DESC, weight, n
"""


def search(user, text, lookup=DEFAULT_LOOKUP, object_types=None, per_type=10):
    """
    [TypeResults] for `text` across the index, types ordered by their best match (exact before partial, then by
    weight), then by count. Every match and count comes from objects `user` may view. One query finds and counts
    the matches; one per object type shown fetches its objects.
    """
    from extras.models import CachedValue

    from .registry import registry

    text = (text or '').strip()
    lookup = LOOKUPS.get(lookup or DEFAULT_LOOKUP)
    if not text or lookup is None:
        return []
    visible = visible_condition(user, object_types)
    if visible is None:
        return []
    queryset = CachedValue.objects.filter(visible, **{f'value__{lookup}': text}).order_by().annotate(
        exact=models.Case(models.When(value__iexact=text, then=models.Value(True)), default=models.Value(False),
                          output_field=models.BooleanField()),
    ).values('object_type_id', 'object_id', 'field', 'value', 'weight', 'exact')
    sql, params = queryset.query.sql_with_params()
    # Only a regular expression can be refused by the database: its query runs in a savepoint, so that the
    # transaction survives the error.
    try:
        with transaction.atomic() if lookup == 'iregex' else nullcontext(), connection.cursor() as cursor:
            cursor.execute(RANKED_SQL.format(matched=sql), [*params, per_type])
            rows = cursor.fetchall()
    except DatabaseError as exc:
        if lookup == 'iregex':
            raise SearchError(f'Invalid regular expression: {str(exc).strip().splitlines()[0]}') from exc
        raise
    by_type = {}
    for type_id, object_id, field, value, weight, exact, total in rows:
        by_type.setdefault(type_id, {'total': total, 'rows': []})['rows'].append((object_id, field, value, weight,
                                                                                   exact))
    results = []
    for type_id, found in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        declaration = registry.get(model)
        objects = model.objects.in_bulk([row[0] for row in found['rows']])
        matches = [Match(objects[object_id], field, value, weight, exact)
                   for object_id, field, value, weight, exact in found['rows'] if object_id in objects]
        if matches:
            best = matches[0]
            results.append(TypeResults(declaration, matches, found['total'], (not best.exact, best.weight)))
    return sorted(results, key=lambda item: (item.rank, -item.total, item.declaration.label()))
