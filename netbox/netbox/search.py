"""
Searching (`q=` on every list, and the global search) and the indexes that keep it fast.

A declaration's `search` names the fields searched: the model's own columns (text matched with icontains, whole
numbers exactly when the term is a number) and columns of related models (`rack__name`). The condition is an OR
of one comparison per column of the model's own table, so that PostgreSQL answers it with a BitmapOr of index
scans; a related column is matched first on its own table (by its index) and enters the OR as the list of
matching keys (`rack_id IN (3, 7)`), since an OR across joined tables (or over a subquery) rules out index scans.

The indexes are derived from the same declarations: each lookup a search filter may emit (`index_lookups()`)
is compiled the way Django compiles it in a query, and its left-hand side becomes the indexed expression, so the
planner can match the two. Text lookups get pg_trgm GIN indexes (`UPPER("name"::text) gin_trgm_ops`, which serve
`LIKE '%TERM%'`), exact lookups a B-tree, lookups that name their own index kind (`search_index`, e.g. network
containment) theirs. `sync_search_indexes()` creates the missing ones and drops those no declaration asks for any
more; it runs after every `migrate` (post_migrate) and as `manage.py sync_search_indexes`. The indexes are named
`search_<table>_<column>_<kind>_<hash of the definition>` and carry the comment INDEX_COMMENT: only indexes with
both are ever dropped.
"""
import hashlib
from contextlib import nullcontext

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.models import Q, Value
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import Col
from django.db.models.sql import Query

# A related column matching more objects than this is searched with a subquery instead of a list of keys.
MAX_RELATED_KEYS = 1000
INDEX_PREFIX = 'search_'
INDEX_COMMENT = 'NetBox search index (see netbox/netbox/search.py); managed by manage.py sync_search_indexes'
TRIGRAM = ('gin', 'gin_trgm_ops')
BTREE = ('btree', None)
# The index kind serving each of Django's own lookups a search emits; other lookups say theirs in `search_index`.
LOOKUP_INDEXES = {'icontains': TRIGRAM, 'istartswith': TRIGRAM, 'exact': BTREE, 'in': BTREE}


def search_paths(search):
    """The paths of a declaration's `search`, whose entries are paths or (path, weight) pairs (the weight ranks the
    field in the global search, see netbox.cached_search)."""
    return tuple(entry[0] if isinstance(entry, (tuple, list)) else entry for entry in search or ())


def is_number(field):
    return isinstance(field, (models.IntegerField, models.AutoField))


def is_number_term(value):
    return value.isascii() and value.isdigit()


# Conditions

def search_condition(model, paths, value):
    """Q for the rows of `model` where any of `paths` matches `value` (a stripped, non-empty term)."""
    condition = Q()
    for path in paths:
        part = path_condition(model, path, value)
        if part is not None:
            condition |= part
    # No field can match this term (numbers only, and the term is not a number): nothing matches.
    return condition if condition else Q(pk__in=[])


def path_condition(model, path, value):
    """Q for one search path, or None when it cannot match the term."""
    name, _, rest = path.partition(LOOKUP_SEP)
    field = model._meta.get_field(name)
    if rest and field.is_relation and field.related_model is not None:
        return relation_condition(model, field, rest, value)
    if not rest and is_number(field):
        return Q(**{name: int(value)}) if is_number_term(value) else None
    return Q(**{f'{path}__icontains': value})


def relation_keys(model, field, rest, value):
    """(column of `model`, queryset of the matching values of that column) for a search through `field`."""
    related = field.related_model
    inner = path_condition(related, rest, value)
    if inner is None:
        return None, None
    matches = related._base_manager.filter(inner).order_by()
    if field.many_to_one or (field.one_to_one and field.concrete):  # forward: the foreign key column
        return field.attname, matches.values_list(field.target_field.attname, flat=True)
    if (field.one_to_many or field.one_to_one) and hasattr(field, 'field'):  # reverse foreign key
        return field.field.target_field.attname, matches.values_list(field.field.attname, flat=True)
    # Many-to-many: the model's rows linked to a match, found through the link table.
    linked = model._base_manager.filter(**{f'{field.name}__in': matches.values('pk')}).order_by()
    return 'pk', linked.values_list('pk', flat=True)


def relation_condition(model, field, rest, value):
    """
    `column IN (keys)`: the keys of the related rows that match, looked up first (by the related table's own
    index), so that the condition is one more index scan in the model's BitmapOr. Many matches fall back to a
    subquery (correct, but scanned).
    """
    column, keys = relation_keys(model, field, rest, value)
    if column is None:
        return None
    found = [key for key in keys.distinct()[:MAX_RELATED_KEYS + 1] if key is not None]
    if len(found) > MAX_RELATED_KEYS:
        return Q(**{f'{column}__in': keys})
    return Q(**{f'{column}__in': found}) if found else None


# What the indexes must cover

def search_index_lookups(model, paths):
    """(model, path, lookup) for every lookup search_condition() may emit for `paths`."""
    for path in paths:
        yield from path_index_lookups(model, path)


def path_index_lookups(model, path):
    name, _, rest = path.partition(LOOKUP_SEP)
    field = model._meta.get_field(name)
    if rest and field.is_relation and field.related_model is not None:
        yield from path_index_lookups(field.related_model, rest)
        if field.many_to_one or (field.one_to_one and field.concrete):
            yield model, field.attname, 'in'
        return
    if not rest and is_number(field):
        yield model, name, 'exact'
        return
    yield model, path, 'icontains'


class DatabaseIndex:
    """
    One index a search needs: `expression` (SQL, unqualified) of `table`, with an access method and opclass.
    Its name hashes the expression as PostgreSQL reads it (`canonical`), so that two spellings of one expression
    (`HOST("a")::text` and `HOST("a")`) make one index, and a changed definition a new name.
    """

    def __init__(self, table, columns, expression, method, opclass, directions=None):
        self.table = table
        self.columns = tuple(columns)
        self.expression = expression
        self.method = method
        self.opclass = opclass
        # An ordering index: its expression is a list of expressions, each sorted as `directions` say.
        self.directions = tuple(directions) if directions is not None else None
        self.name = None

    def set_canonical(self, canonical):
        if self.directions is not None:
            canonical = f'{canonical}|{",".join(self.directions)}'
        digest = hashlib.sha1(f'{self.table}|{self.method}|{canonical}|{self.opclass}'.encode()).hexdigest()[:8]
        kind = 'trgm' if self.opclass == 'gin_trgm_ops' else 'order' if self.directions is not None else self.method
        stem = f'{INDEX_PREFIX}{self.table}_{"_".join(self.columns)}'[:63 - len(kind) - len(digest) - 2]
        self.name = f'{stem}_{kind}_{digest}'

    @property
    def plain_column(self):
        """The column when the expression is just that column (an index of Django's may already cover it)."""
        if len(self.columns) == 1 and self.expression.strip('"') == self.columns[0]:
            return self.columns[0]
        return None

    def create_sql(self, quote, concurrently=False):
        opclass = f' {self.opclass}' if self.opclass else ''
        storage = f' WITH ({GIN_STORAGE})' if self.method == 'gin' else ''
        if self.directions is not None:
            elements = ', '.join(f'({expression}) {direction}' for expression, direction in
                                 zip(self.expression.split(ORDER_SEPARATOR), self.directions, strict=True))
        else:
            elements = f'({self.expression}){opclass}'
        return (f'CREATE INDEX {"CONCURRENTLY " if concurrently else ""}IF NOT EXISTS {quote(self.name)} '
                f'ON {quote(self.table)} USING {self.method} ({elements}){storage}')

    def __repr__(self):
        return f'<DatabaseIndex {self.name}: {self.table} USING {self.method} (({self.expression}) {self.opclass})>'


# A GIN index collects new entries in a pending list that every search reads through until it is merged: after a
# bulk import that list holds up to 4 MB (the default limit), and a search that should take 0.1 ms took 4 ms per
# index. A small limit merges often, keeping searches fast and inserts batched.
GIN_STORAGE = 'gin_pending_list_limit = 256'

_canonical = {}


def _normal_expression(text, table):
    """An index key or select expression as text to compare: no quotes, table qualifier, spaces or parentheses
    (PostgreSQL places them differently in index definitions and in query output)."""
    text = text.replace(f'{table}.', '').lower()
    return ''.join(char for char in text if char not in '"() ')


def order_keys(index, canonical_parts):
    """An ordering index's keys as (expression, descending, nulls first), as _existing_state() lists others'."""
    keys = []
    for part, direction in zip(canonical_parts, index.directions, strict=True):
        descending = 'DESC' in direction
        nulls_first = 'NULLS FIRST' in direction or (descending and 'NULLS LAST' not in direction)
        keys.append((_normal_expression(part, index.table), descending, nulls_first))
    return keys


def order_covered(index, canonical_parts, covered):
    """Whether another index already serves this order: its leading keys are these, in this direction or all
    reversed (read backwards)."""
    keys = order_keys(index, canonical_parts)
    reversed_keys = [(expression, not descending, not nulls_first) for expression, descending, nulls_first in keys]
    for entry in covered:
        if len(entry) == 2 and entry[0] == index.table and isinstance(entry[1], tuple):
            leading = list(entry[1][:len(keys)])
            if leading in (keys, reversed_keys):
                return True
    return False


def canonical_expression(cursor, table, expression):
    """The expression as PostgreSQL deparses it (casts it drops dropped), from EXPLAIN VERBOSE."""
    key = (cursor.db.alias, table, expression)
    if key not in _canonical:
        cursor.execute(f'EXPLAIN (VERBOSE, COSTS OFF) SELECT {expression} FROM {cursor.db.ops.quote_name(table)}')
        lines = [row[0] for row in cursor.fetchall()]
        _canonical[key] = next(line.split('Output: ', 1)[1] for line in lines if 'Output: ' in line)
    return _canonical[key]


def index_for(model, path, lookup_name, connection):
    """The DatabaseIndex serving `<path>__<lookup_name>` on `model`, compiled as Django compiles it in a query."""
    query = Query(model, alias_cols=False)
    # The right-hand side is an expression, which no lookup validates: the indexed left-hand side ignores it.
    lookup = query.build_where(Q(**{f'{path}__{lookup_name}': Value('')})).children[0]
    compiler = query.get_compiler(connection=connection)
    operand = getattr(lookup, 'indexed_operand', None)
    sql, params = operand(compiler, connection) if operand else lookup.process_lhs(compiler, connection)
    if params:
        raise ValueError(f'{model._meta.label}.{path}__{lookup_name}: the indexed expression takes parameters')
    method, opclass = getattr(lookup, 'search_index', None) or LOOKUP_INDEXES[lookup_name]
    columns = dict.fromkeys(col.target.column for col in lookup.lhs.flatten() if isinstance(col, Col))
    return DatabaseIndex(model._meta.db_table, columns, sql, method, opclass)


ORDER_SEPARATOR = ' ||| '


def ordering_index(model, connection):
    """
    The B-tree index serving the model's default ordering (its lists' order), or None when the ordering reaches
    into other tables (an interface's device: the device's own ordering index and the key's index serve it). A list
    picks its page by that order: without an index, PostgreSQL sorts the whole table for every page.
    """
    ordering = model._meta.ordering
    if not ordering:
        return None
    query = Query(model, alias_cols=False)
    query.add_ordering(*ordering)
    compiler = query.get_compiler(connection=connection)
    expressions, directions, columns = [], [], {}
    for order_by, _ in compiler.get_order_by():
        cols = [col for col in order_by.expression.flatten() if isinstance(col, Col)]
        if not cols or any(col.alias is not None and col.alias != model._meta.db_table for col in cols):
            return None
        sql, params = compiler.compile(order_by.expression)
        joined = [alias for alias in query.alias_map if alias != model._meta.db_table and query.alias_refcount[alias]]
        if params or joined:
            return None
        expressions.append(sql)
        direction = 'DESC' if order_by.descending else 'ASC'
        if order_by.nulls_first:
            direction += ' NULLS FIRST'
        elif order_by.nulls_last:
            direction += ' NULLS LAST'
        directions.append(direction)
        columns.update(dict.fromkeys(col.target.column for col in cols))
    return DatabaseIndex(model._meta.db_table, columns, ORDER_SEPARATOR.join(expressions), 'btree', None,
                       directions=directions)


def search_filters(declaration):
    """The search filters of a declaration: its `q` filter and the global search's (its `search` fields)."""
    from netbox.filtersets import SearchFilter

    filters = []
    if declaration.search:
        filters.append(SearchFilter(search_fields=declaration.search))
    q = declaration.filterset().base_filters.get('q')
    if q is not None and hasattr(q, 'index_lookups'):
        filters.append(q)
    return filters


_wanted = {}


def wanted_indexes(connection):
    """[DatabaseIndex] for every search filter of every declaration (unnamed until synced; may repeat). Compiled
    once per process: the declarations do not change while it runs, and test databases are synced often."""
    from netbox.registry import registry

    if connection.alias not in _wanted:
        wanted = []
        for declaration in registry:
            for search_filter in search_filters(declaration):
                for model, path, lookup in search_filter.index_lookups(declaration.model):
                    wanted.append(index_for(model, path, lookup, connection))
            ordering = ordering_index(declaration.model, connection)
            if ordering is not None:
                wanted.append(ordering)
        _wanted[connection.alias] = wanted
    return _wanted[connection.alias]


# Creating and dropping

def ensure_extension(connection, name='pg_trgm'):
    """CREATE EXTENSION unless it exists; a clear error naming the fix when the database user may not."""
    with connection.cursor() as cursor:
        cursor.execute('SELECT 1 FROM pg_extension WHERE extname = %s', [name])
        if cursor.fetchone():
            return
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(f'CREATE EXTENSION IF NOT EXISTS {connection.ops.quote_name(name)}')
        except DatabaseError as exc:
            database = connection.settings_dict['NAME']
            user = connection.settings_dict['USER']
            reason = str(exc).strip().splitlines()[0]
            # Not available (no control file): the module is not installed on the server.
            if getattr(exc.__cause__, 'sqlstate', None) in ('0A000', '58P01'):
                fix = (f'install PostgreSQL\'s contrib modules on the database server (the package providing '
                       f'{name}, e.g. postgresql-contrib), then run: CREATE EXTENSION {name};')
            else:
                fix = (f'ask a PostgreSQL superuser to run, in database "{database}": CREATE EXTENSION {name}; '
                       f'(or let the user "{user}" create it: GRANT CREATE ON DATABASE "{database}" TO "{user}";)')
            raise ImproperlyConfigured(
                f'The search indexes need PostgreSQL\'s {name} extension, which the database user "{user}" '
                f'could not create ({reason}). To fix it, {fix} Then run ./upgrade.sh (or manage.py migrate) '
                f'again.') from exc


def _existing_state(cursor):
    """(managed search indexes {name: valid}, plain-column indexes {(table, column, method, opclass)} of others,
    present columns {(table, column)}, whether pg_trgm is installed)."""
    cursor.execute(
        """SELECT ix.relname, i.indisvalid FROM pg_description d
           JOIN pg_class ix ON ix.oid = d.objoid JOIN pg_index i ON i.indexrelid = ix.oid
           JOIN pg_namespace n ON n.oid = ix.relnamespace
           WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0 AND d.description = %s
             AND n.nspname = current_schema()""", [INDEX_COMMENT])
    managed = {name: valid for name, valid in cursor.fetchall() if name.startswith(INDEX_PREFIX)}
    cursor.execute(
        """SELECT ix.relname, t.relname, a.attname, am.amname, opc.opcname, opc.opcdefault FROM pg_index i
           JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ix ON ix.oid = i.indexrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = ix.relam
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
           JOIN pg_opclass opc ON opc.oid = i.indclass[0]
           WHERE n.nspname = current_schema() AND i.indpred IS NULL AND i.indisvalid""")
    covered = set()
    for name, table, column, method, opclass, default in cursor.fetchall():
        if name not in managed:
            covered.add((table, column, method, opclass))
            if default:
                covered.add((table, column, method, None))
    # Key columns of other B-tree indexes, to find one already serving a list order (a model's own Meta.indexes).
    cursor.execute(
        """SELECT ix.relname, t.relname, k.n, pg_get_indexdef(i.indexrelid, k.n::int, true), i.indoption[k.n - 1]
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ix ON ix.oid = i.indexrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = ix.relam
           CROSS JOIN LATERAL generate_series(1, i.indnkeyatts) AS k(n)
           WHERE n.nspname = current_schema() AND am.amname = 'btree' AND i.indpred IS NULL AND i.indisvalid
           ORDER BY ix.relname, k.n""")
    ordered = {}
    for name, table, _, definition, option in cursor.fetchall():
        if name not in managed:
            ordered.setdefault((table, name), []).append(
                (_normal_expression(definition, table), bool(option & 1), bool(option & 2)))
    covered.update((table, tuple(keys)) for (table, _), keys in ordered.items())
    cursor.execute("""SELECT t.relname, a.attname FROM pg_attribute a
                      JOIN pg_class t ON t.oid = a.attrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                      WHERE n.nspname = current_schema() AND t.relkind IN ('r', 'p') AND a.attnum > 0
                        AND NOT a.attisdropped""")
    columns = set(cursor.fetchall())
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    trigram = cursor.fetchone() is not None
    return managed, covered, columns, trigram


class SyncReport:
    def __init__(self):
        self.created, self.dropped, self.kept, self.skipped = [], [], [], []

    def __str__(self):
        return (f'{len(self.kept) + len(self.created)} search indexes in place ({len(self.created)} created, '
                f'{len(self.dropped)} dropped)' + (f', {len(self.skipped)} skipped' if self.skipped else ''))


def sync_search_indexes(using=DEFAULT_DB_ALIAS, concurrently=False, rebuild=False, dry_run=False, log=None):
    """
    Create the search indexes the declarations ask for and drop the managed ones they no longer ask for.
    An index Django (or anyone) already made on the same column with the same method and opclass counts as
    present. `concurrently` builds without blocking writes (not inside a transaction); `rebuild` drops and
    recreates every managed index; `dry_run` changes nothing. Returns a SyncReport.
    """
    connection = connections[using]
    report = SyncReport()
    if connection.vendor != 'postgresql':
        return report
    if concurrently and connection.in_atomic_block:
        raise ValueError('CREATE INDEX CONCURRENTLY cannot run inside a transaction')
    log = log or (lambda message: None)
    quote = connection.ops.quote_name
    wanted = {}
    with connection.cursor() as cursor:
        managed, covered, columns, trigram = _existing_state(cursor)
        for index in wanted_indexes(connection):
            if any((index.table, column) not in columns for column in index.columns):
                continue  # not migrated (yet): the next migrate creates it
            if index.opclass == 'gin_trgm_ops' and not trigram:
                report.skipped.append(index)
                continue
            column = index.plain_column
            if column and (index.table, column, index.method, index.opclass) in covered:
                continue
            parts = [canonical_expression(cursor, index.table, part)
                     for part in index.expression.split(ORDER_SEPARATOR)]
            if index.directions is not None and order_covered(index, parts, covered):
                continue
            index.set_canonical(ORDER_SEPARATOR.join(parts))
            wanted[index.name] = index
    concurrent = 'CONCURRENTLY ' if concurrently else ''
    for name, valid in sorted(managed.items()):
        if name not in wanted or rebuild or not valid:
            log(f'{"Stale" if dry_run else "Dropping"} search index {name}')
            report.dropped.append(name)
            if not dry_run:
                _execute(connection, [(f'DROP INDEX {concurrent}IF EXISTS {quote(name)}', None)],
                         atomic=not concurrently)
            if name in wanted:
                managed.pop(name)
    for name, index in sorted(wanted.items()):
        if name in managed:
            report.kept.append(index)
            if index.method == 'gin' and not dry_run:  # made before the limit was set (a metadata change)
                _execute(connection, [(f'ALTER INDEX {quote(name)} SET ({GIN_STORAGE})', None)], atomic=True)
            continue
        log(f'{"Missing" if dry_run else "Creating"} search index {name} on {index.table} '
            f'({index.expression.replace(ORDER_SEPARATOR, ", ")})')
        report.created.append(index)
        if not dry_run:
            _execute(connection, [(index.create_sql(quote, concurrently), None),
                                  (f'COMMENT ON INDEX {quote(name)} IS %s', [INDEX_COMMENT])], atomic=not concurrently)
    if report.skipped:
        log(f'Skipped {len(report.skipped)} trigram indexes: the pg_trgm extension is not installed')
    return report


def _execute(connection, statements, atomic):
    """Run [(sql, params)], in one transaction unless building concurrently (which cannot run in one)."""
    with transaction.atomic(using=connection.alias) if atomic else nullcontext(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def post_migrate_handler(sender, using=DEFAULT_DB_ALIAS, verbosity=1, stdout=None, **kwargs):
    """After `migrate` (and test database flushes): create missing search indexes, drop stale ones."""
    report = sync_search_indexes(using=using)
    if verbosity >= 1 and (report.created or report.dropped) and stdout is not None:
        stdout.write(f'  {report}\n')


# NetBox-style search indexes (plugins) ---------------------------------------------------------------------------

class FieldTypes:
    """Kinds of cached values (NetBox's names)."""

    FLOAT = 'float'
    INTEGER = 'int'
    STRING = 'str'


class LookupTypes:
    """Lookups of the global search (NetBox's names)."""

    PARTIAL = 'icontains'
    EXACT = 'iexact'
    STARTSWITH = 'istartswith'
    ENDSWITH = 'iendswith'
    REGEX = 'iregex'


class SearchIndex:
    """
    A model's place in the global search, written as NetBox plugins write it: `model`, `fields` as ((field name,
    weight), ...) (lower weights rank first), optional `category` and `display_attrs`. Registered with
    `register_search`, it becomes the model's declared `search` (netbox.registry), which feeds both the cached
    global search (netbox.cached_search) and the list's `q=`.
    """

    model = None
    category = None
    fields = ()
    display_attrs = ()

    @classmethod
    def get_category(cls):
        return cls.category or cls.model._meta.app_config.verbose_name

    @staticmethod
    def get_field_type(instance, field_name):
        from .cached_search import value_kind

        return value_kind(instance._meta.get_field(field_name))

    @staticmethod
    def get_field_value(instance, field_name):
        return getattr(instance, field_name)


_search_indexes = {}


def register_search(cls):
    """Class decorator (or call): register a SearchIndex for its model. Returns the class."""
    if not (isinstance(cls, type) and issubclass(cls, SearchIndex)) or cls.model is None:
        raise ImproperlyConfigured(f'{cls!r} must be a netbox.search.SearchIndex subclass naming its model.')
    for entry in cls.fields:
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2 and isinstance(entry[1], int)):
            raise ImproperlyConfigured(f'{cls.__name__}.fields must be (field name, weight) pairs; got {entry!r}.')
        cls.model._meta.get_field(entry[0])  # a name that is no field fails here, naming it
    _search_indexes[cls.model._meta.label_lower] = cls
    from .registry import registry

    declaration = registry.get(cls.model._meta.label_lower)
    if declaration is not None:
        apply_search_index(declaration, cls)
    return cls


def search_index_for(model):
    """The SearchIndex registered for `model`, or None."""
    return _search_indexes.get(model._meta.label_lower)


def apply_search_index(declaration, index):
    """Make a registered SearchIndex the declaration's search (before or after its derived pieces were built)."""
    from . import cached_search

    declaration.search = tuple((name, weight) for name, weight in index.fields)
    declaration.global_search = True
    declaration.search_index = index
    if '_filterset' in declaration.__dict__:
        del declaration._filterset
    cached_search._fields.pop(declaration.model, None)
