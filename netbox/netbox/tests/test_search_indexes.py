"""
Search (`q=`) with indexes: every searched column has its index, the searches use them, and they match exactly
the rows the straightforward join-and-ILIKE search matched. Also the index sync (stale, missing, foreign indexes)
and the pg_trgm extension's error message.
"""
import re

import netaddr
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.db.models import Q

from dcim.models import Device, Interface, Rack, RackReservation
from ipam.filters import NetworkSearchFilter
from ipam.models import ASN, RIR, VRF, IPAddress, Prefix
from netbox.filtersets import SearchFilter
from netbox.registry import registry
from netbox.search import (
    INDEX_COMMENT,
    ORDER_SEPARATOR,
    ensure_extension,
    is_number,
    ordering_index,
    search_filters,
    search_paths,
    sync_search_indexes,
)
from netbox.testing import make, unique
from users.models import User

pytestmark = pytest.mark.django_db

SEARCHED = sorted((d for d in registry if d.search), key=lambda d: d.label())


def describe_field(model, path):
    """The (model, field) a search path ends at: `rack__name` on reservations is the rack's name."""
    name, _, rest = path.partition('__')
    field = model._meta.get_field(name)
    if rest and field.is_relation:
        return describe_field(field.related_model, rest)
    return model, field


def indexes_of(table):
    with connection.cursor() as cursor:
        cursor.execute('SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s', [table])
        return cursor.fetchall()


@pytest.mark.parametrize('declaration', SEARCHED, ids=[d.label() for d in SEARCHED])
def test_every_searched_column_has_its_index(declaration):
    """Text columns named in `search` (own or through a relation) have a pg_trgm index, numbers a B-tree."""
    for path in search_paths(declaration.search):
        model, field = describe_field(declaration.model, path)
        definitions = [definition for _, definition in indexes_of(model._meta.db_table)]
        column = re.compile(rf'\b{re.escape(field.column)}\b')
        if is_number(field):
            assert any('USING btree' in d and column.search(d) for d in definitions), (path, definitions)
        else:
            assert any('USING gin' in d and 'gin_trgm_ops' in d and column.search(d) for d in definitions), (
                f'{declaration.label()}.{path}: no trigram index on {model._meta.db_table}.{field.column}')


def test_every_index_a_search_needs_is_in_place():
    """Those of the `q` filters too (network columns, related keys): a sync finds nothing to create or drop."""
    report = sync_search_indexes(dry_run=True)
    assert report.created == [] and report.dropped == [], (report.created, report.dropped)
    assert len(report.kept) > 200


# The search as it was: one OR across joins (hence DISTINCT), every column matched with icontains.

def reference_text_search(qs, paths, value):
    condition = Q()
    for name in paths:
        field = qs.model._meta.get_field(name.split('__')[0])
        if isinstance(field, (models.IntegerField, models.AutoField)) and '__' not in name:
            if value.isdigit():
                condition |= Q(**{name: int(value)})
            continue
        condition |= Q(**{f'{name}__icontains': value})
    return qs.filter(condition).distinct()


def reference_network_search(qs, search_filter, value):
    condition = Q()
    for name in search_filter.text_fields:
        condition |= Q(**{f'{name}__icontains': value})
    for column in search_filter.columns:
        condition |= Q(**{f'{column}__host__istartswith': value})
    if ('.' in value or ':' in value) and not value.endswith(('.', ':')):
        try:
            text = str(netaddr.IPNetwork(value).cidr)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            text = None
        if text:
            for column in search_filter.columns:
                condition |= Q(**{f'{column}__net_host_contained': text})
                condition |= Q(**{f'{column}__net_contains_or_equals': text})
    return qs.filter(condition)


def reference_search(search_filter, qs, value):
    if isinstance(search_filter, NetworkSearchFilter):
        return reference_network_search(qs, search_filter, value)
    return reference_text_search(qs, search_filter.search_fields, value)


def searched_paths(search_filter):
    if isinstance(search_filter, NetworkSearchFilter):
        return [*search_filter.text_fields, *search_filter.columns]
    return list(search_filter.search_fields)


def value_at(obj, path):
    for name in path.split('__'):
        obj = getattr(obj, name, None) if obj is not None else None
    return obj


def terms_for(objects, paths):
    """Terms drawn from the objects' own values: whole, a middle part, upper-cased, 1 and 2 characters."""
    terms = {'zz-no-such-text', '_', '%', '1', 'a'}
    for obj in objects:
        for path in paths:
            value = value_at(obj, path)
            text = str(value.ip if isinstance(value, netaddr.IPNetwork) else value or '')
            if text:
                terms.update({text, text.upper(), text[1:-1] or text, text[:2], text[-1:]})
            if isinstance(value, netaddr.IPNetwork):
                terms.update({str(value.cidr), str(value)})
    return sorted(term for term in terms if term.strip())


@pytest.mark.parametrize('declaration', SEARCHED, ids=[d.label() for d in SEARCHED])
def test_search_matches_what_the_join_search_matched(declaration):
    """For the list's `q` and the global search: the same rows for terms taken from real values."""
    model = declaration.model
    objects = [make(model), make(model)]
    base = model._base_manager.all()
    for search_filter in search_filters(declaration):
        for term in terms_for(objects, searched_paths(search_filter)):
            got = set(search_filter.filter(base, term).values_list('pk', flat=True))
            expected = set(reference_search(search_filter, base, term).values_list('pk', flat=True))
            assert got == expected, (declaration.label(), type(search_filter).__name__, term)


@pytest.fixture
def racks():
    site = make(Rack).site
    return [Rack.objects.create(site=site, name=name) for name in ('Row_A-01', 'row-b-02', 'Cage 9')]


def q(model, value):
    declaration = registry.get(model)
    return set(declaration.filterset()({'q': value}, queryset=model.objects.all()).qs.values_list('pk', flat=True))


def test_related_names_short_terms_and_case(racks):
    user = make(User)
    first, second, third = (RackReservation.objects.create(rack=rack, units=[1], user=user, description='')
                            for rack in racks)
    third.description = 'holds the ROW-B spare'
    third.save()
    assert q(RackReservation, 'row-b') == {second.pk, third.pk}  # through the rack's name, and own description
    assert q(RackReservation, 'ROW_a') == {first.pk}  # case-insensitive; `_` is a literal, not a wildcard
    assert q(RackReservation, '_') == {first.pk}
    assert q(RackReservation, 'w') == {first.pk, second.pk, third.pk}  # one character
    assert q(RackReservation, '9') == {third.pk}
    assert q(RackReservation, 'zz') == set()


def test_many_related_matches_fall_back_to_a_subquery(racks, monkeypatch):
    user = make(User)
    reservations = {RackReservation.objects.create(rack=rack, units=[1], user=user).pk for rack in racks}
    monkeypatch.setattr('netbox.search.MAX_RELATED_KEYS', 1)
    qs = registry.get(RackReservation).filterset()({'q': 'o'}, queryset=RackReservation.objects.all()).qs
    assert 'SELECT' in str(qs.query).split('WHERE', 1)[1]  # the racks are a subquery, not a list
    assert set(qs.values_list('pk', flat=True)) == reservations - {RackReservation.objects.get(rack__name='Cage 9').pk}


def test_numbers_and_networks():
    rir = RIR.objects.create(name='R', slug='r')
    asn = ASN.objects.create(asn=65042, rir=rir, description='transit 1')
    other = ASN.objects.create(asn=65043, rir=rir, description='peer')
    assert q(ASN, '65042') == {asn.pk}
    assert q(ASN, '1') == {asn.pk}  # no ASN is 1: the description matches
    assert q(ASN, '6504') == set()  # numbers match exactly
    assert q(ASN, 'PEER') == {other.pk}
    vrf = VRF.objects.create(name='Blue')
    inside = Prefix.objects.create(prefix=netaddr.IPNetwork('10.1.2.0/24'), vrf=vrf)
    outer = Prefix.objects.create(prefix=netaddr.IPNetwork('10.1.0.0/16'), description='aggregate')
    elsewhere = Prefix.objects.create(prefix=netaddr.IPNetwork('10.20.0.0/24'))
    assert q(Prefix, 'blu') == {inside.pk}  # through the VRF's name
    assert q(Prefix, '10.1.2.0/24') == {inside.pk, outer.pk}  # itself and what contains it
    assert q(Prefix, '10.1.') == {inside.pk, outer.pk}
    assert q(Prefix, '10.2') == {elsewhere.pk}


def explain(queryset, analyze=()):
    """The plan with whole-table scans ruled out where anything else is possible; fresh statistics for `analyze`."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in analyze:
            cursor.execute(f'ANALYZE {table}')
        # A table of a few rows is read whole (or along an index, in the list's order): rule both out, so that the
        # plan shows whether the search can use its indexes.
        cursor.execute('SET LOCAL enable_seqscan = off')
        cursor.execute('SET LOCAL enable_indexscan = off')
        cursor.execute(f'EXPLAIN {sql}', params)
        return '\n'.join(row[0] for row in cursor.fetchall())


def search_index_names(table, column):
    return [name for name, definition in indexes_of(table)
            if name.startswith('search_') and re.search(rf'\b{column}\b', definition)]


def test_interface_search_is_a_bitmap_or_of_trigram_indexes():
    device = make(Device)
    Interface.objects.bulk_create(Interface(device=device, name=f'eth{n}', type='1000base-t') for n in range(50))
    qs = registry.get(Interface).filterset()({'q': 'eth4'}, queryset=Interface.objects.all()).qs
    plan = explain(qs, analyze=['dcim_interface'])
    assert 'BitmapOr' in plan and 'Seq Scan on dcim_interface' not in plan, plan
    for column in ('name', 'label', 'description'):
        (index,) = search_index_names('dcim_interface', column)
        assert f'Bitmap Index Scan on {index}' in plan, plan
    assert set(qs) == set(Interface.objects.filter(name__in=['eth4', *[f'eth4{n}' for n in range(10)]]))


def test_related_search_uses_the_related_tables_index_then_the_keys(racks):
    user = make(User)
    for rack in racks:
        RackReservation.objects.create(rack=rack, units=[1], user=user)
    qs = registry.get(RackReservation).filterset()({'q': 'cage'}, queryset=RackReservation.objects.all()).qs
    plan = explain(qs)
    assert 'Seq Scan' not in plan and 'BitmapOr' in plan, plan
    # The racks named "cage" were found first, by their own index; their keys are an index scan here.
    key_scan = r'Bitmap Index Scan on dcim_rackreservation_rack_id[^\n]*\n\s+Index Cond: \(rack_id = '
    assert re.search(key_scan, plan), plan
    assert 'JOIN' not in str(qs.query).upper(), str(qs.query)
    related = explain(Rack.objects.filter(name__icontains='cage'))
    (index,) = search_index_names('dcim_rack', 'name')
    assert f'Bitmap Index Scan on {index}' in related, related


def test_network_search_uses_gist_and_trigram_indexes():
    Prefix.objects.bulk_create(Prefix(prefix=netaddr.IPNetwork(f'10.9.{n}.0/24')) for n in range(50))
    qs = registry.get(Prefix).filterset()({'q': '10.9.3.0/24'}, queryset=Prefix.objects.all()).qs
    plan = explain(qs)
    assert 'BitmapOr' in plan and 'Seq Scan on ipam_prefix' not in plan, plan
    assert plan.count('Bitmap Index Scan') == 4, plan  # description, address text, host within, containing
    assert list(qs.values_list('prefix', flat=True)) == [netaddr.IPNetwork('10.9.3.0/24')]


def test_global_search_filter_needs_no_distinct():
    """No join, so no duplicate rows and no DISTINCT (which made the REST list's planning take seconds)."""
    qs = SearchFilter(search_fields=('name', 'rack__name')).filter(Device.objects.all(), 'x')
    assert not qs.query.distinct


# Keeping the indexes in line with the declarations

def managed_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_class c WHERE c.relkind = 'i' AND "
                       "obj_description(c.oid, 'pg_class') = %s", [INDEX_COMMENT])
        return {row[0] for row in cursor.fetchall()}


def test_sync_recreates_missing_and_drops_stale_indexes_only():
    names = managed_names()
    missing = sorted(names)[0]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP INDEX "{missing}"')
        cursor.execute('CREATE INDEX search_dcim_site_stale ON dcim_site (name)')
        cursor.execute('COMMENT ON INDEX search_dcim_site_stale IS %s', [INDEX_COMMENT])
        cursor.execute('CREATE INDEX search_dcim_site_someone_elses ON dcim_site (slug)')
    with pytest.raises(CommandError, match='1 search indexes missing, 1 stale'):
        call_command('sync_search_indexes', '--check', verbosity=0)
    report = sync_search_indexes()
    assert [index.name for index in report.created] == [missing]
    assert report.dropped == ['search_dcim_site_stale']
    assert managed_names() == names
    assert 'search_dcim_site_someone_elses' in dict(indexes_of('dcim_site'))
    call_command('sync_search_indexes', '--check', verbosity=0)


def test_sync_rebuilds_on_request():
    names = managed_names()
    report = sync_search_indexes(rebuild=True)
    assert set(report.dropped) == names and {index.name for index in report.created} == names


def trigram_index_options():
    with connection.cursor() as cursor:
        cursor.execute("""SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_am a ON a.oid = c.relam
                          WHERE a.amname = 'gin' AND c.relname LIKE 'search\\_%%'""")
        return dict(cursor.fetchall())


def test_trigram_indexes_keep_their_pending_list_small():
    """New entries wait in a GIN pending list every search reads: ours is limited to 256 kB, not 4 MB."""
    options = trigram_index_options()
    assert options and all(opts == ['gin_pending_list_limit=256'] for opts in options.values())


def test_sync_sets_the_pending_list_limit_on_indexes_made_without_it():
    name = next(iter(trigram_index_options()))
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER INDEX "{name}" RESET (gin_pending_list_limit)')
    assert trigram_index_options()[name] is None
    sync_search_indexes()
    assert trigram_index_options()[name] == ['gin_pending_list_limit=256']


def test_list_orderings_get_an_index_of_their_own_columns():
    device = ordering_index(Device, connection)
    assert device.expression.split(ORDER_SEPARATOR) == ['"name"', '"id"'] and device.directions == ('ASC', 'ASC')
    address = ordering_index(IPAddress, connection)
    assert address.expression.split(ORDER_SEPARATOR) == ['"vrf_id"', '(HOST("address"))::inet', '"id"']
    assert address.directions == ('ASC NULLS FIRST', 'ASC', 'ASC')


def test_an_ordering_through_another_table_gets_none():
    """An interface's order starts with its device's: the device's index and the key's index serve it."""
    assert ordering_index(Interface, connection) is None


@pytest.mark.parametrize('model', [Device, IPAddress, Prefix])
def test_a_page_in_list_order_is_read_from_the_ordering_index(model):
    keys = model.objects.order_by(*model._meta.ordering, 'pk').values_list('pk', flat=True)[:50]
    sql, params = keys.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('SET LOCAL enable_sort = off')  # a plan without a sort exists only with a matching index
        cursor.execute(f'EXPLAIN {sql}', params)
        plan = '\n'.join(row[0] for row in cursor.fetchall())
    assert 'Index' in plan and 'Sort' not in plan, plan


def test_an_order_another_index_serves_gets_no_second_one():
    """IP addresses declare an index in their order (ipam_ipaddress_order); device types have their unique
    (manufacturer, model): neither gets an ordering index of ours."""
    assert not [name for name, _ in indexes_of('ipam_ipaddress') if name.startswith('search_') and '_order_' in name]
    assert not [name for name, _ in indexes_of('dcim_devicetype') if '_order_' in name]
    assert [name for name, _ in indexes_of('dcim_device') if name.startswith('search_') and '_order_' in name]


def test_an_index_django_already_has_is_not_doubled():
    """The GiST index on a prefix (ipam migration) serves containment: no second one."""
    gist = [d for _, d in indexes_of('ipam_prefix') if 'USING gist (prefix inet_ops)' in d]
    assert len(gist) == 1


# The extension

@pytest.fixture
def unprivileged_role():
    role = unique('search_role_')
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE {role}')  # rolled back with the test's transaction
        cursor.execute(f'SET LOCAL ROLE {role}')
    yield role
    with connection.cursor() as cursor:
        cursor.execute('RESET ROLE')


def test_extension_present_is_left_alone():
    ensure_extension(connection, 'pg_trgm')


def test_extension_the_user_may_not_create_names_the_fix(unprivileged_role):
    with pytest.raises(ImproperlyConfigured) as error:
        ensure_extension(connection, 'btree_gin')
    message = str(error.value)
    assert 'CREATE EXTENSION btree_gin;' in message and 'superuser' in message and 'upgrade.sh' in message


def test_extension_missing_from_the_server_names_the_package():
    with pytest.raises(ImproperlyConfigured, match='contrib'):
        ensure_extension(connection, f'no_such_extension_{unique()}')
