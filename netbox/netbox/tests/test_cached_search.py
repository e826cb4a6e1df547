"""The cached global search index: kept current on every write path, rebuilt by `reindex`, searched with ranking,
lookups, type filters and the user's permissions (results and counts)."""
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from extras.models import CachedValue, CustomField
from netbox.bulk import create_set, delete_set, saves_set_wise
from netbox.cached_search import SearchError, search
from netbox.testing import grant
from netbox.ui.search import search_all
from tenancy.models import Contact, Tenant

pytestmark = pytest.mark.django_db

TENANTS = '/api/tenancy/tenants/'


def cached(obj):
    """{field: (value, weight)} of an object's cached values."""
    rows = CachedValue.objects.filter(object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    return {row.field: (row.value, row.weight) for row in rows}


def names(user, text, **kwargs):
    return [[str(obj) for obj in objects] for _, objects, _ in search_all(user, text, **kwargs)]


def test_index_follows_create_update_delete():
    tenant = Tenant.objects.create(name='Acme', slug='acme', description='Rockets', comments='Long story')
    assert cached(tenant) == {'name': ('Acme', 100), 'slug': ('acme', 110), 'description': ('Rockets', 500),
                              'comments': ('Long story', 5000)}
    tenant.name = 'Acme Rockets'
    tenant.description = ''
    tenant.save()
    assert cached(tenant) == {'name': ('Acme Rockets', 100), 'slug': ('acme', 110),
                              'comments': ('Long story', 5000)}
    pk = tenant.pk
    tenant.delete()
    assert not CachedValue.objects.filter(object_id=pk, object_type=ContentType.objects.get_for_model(Tenant))


def test_rest_bulk_create_update_delete_keep_the_index(api):
    assert saves_set_wise(Tenant)  # the set-wise path, which sends no post_save
    response = api.post(TENANTS, [{'name': f'Bulk {n}', 'slug': f'bulk-{n}'} for n in range(5)], format='json')
    assert response.status_code == 201, response.content
    ids = [item['id'] for item in response.json()]
    tenant_type = ContentType.objects.get_for_model(Tenant)
    assert CachedValue.objects.filter(object_type=tenant_type, object_id__in=ids, field='name').count() == 5
    response = api.patch(TENANTS, [{'id': pk, 'description': f'renamed {pk}'} for pk in ids], format='json')
    assert response.status_code == 200, response.content
    assert sorted(CachedValue.objects.filter(object_type=tenant_type, field='description')
                  .values_list('value', flat=True)) == sorted(f'renamed {pk}' for pk in ids)
    response = api.delete(TENANTS, [{'id': pk} for pk in ids[:3]], format='json')
    assert response.status_code == 204, response.content
    assert set(CachedValue.objects.filter(object_type=tenant_type).values_list('object_id', flat=True)) == \
        set(ids[3:])


def test_set_wise_create_and_delete_index_in_one_batch():
    contacts = [Contact(name=f'Set {n}', email=f's{n}@example.com') for n in range(4)]
    with CaptureQueriesContext(connection) as queries:
        create_set(Contact, contacts, [{} for _ in contacts])
    inserts = [q for q in queries.captured_queries if q['sql'].startswith('INSERT INTO "extras_cachedvalue"')]
    assert len(inserts) == 1  # the whole set in one statement
    assert cached(contacts[2]) == {'name': ('Set 2', 100), 'email': ('s2@example.com', 300)}
    pks = [contact.pk for contact in contacts]
    delete_set(list(Contact.objects.filter(pk__in=pks[:2])))
    assert set(CachedValue.objects.filter(object_type=ContentType.objects.get_for_model(Contact))
               .values_list('object_id', flat=True)) == set(pks[2:])


def reindex_totals(*args):
    """(objects, cached values, output) of a `manage.py reindex` run."""
    import re

    out = io.StringIO()
    call_command('reindex', *args, stdout=out)
    text = out.getvalue()
    found = re.search(r'Reindexed (\d+) objects of \d+ models \((\d+) cached values\)', text)
    assert found, text
    return int(found[1]), int(found[2]), text


def test_reindex_rebuilds_with_progress_and_summary():
    # Rows another process committed to the test database (a worker run by an earlier test) are indexed too: the
    # counts are taken relative to a first run.
    objects_before, values_before, _ = reindex_totals()
    names_before = CachedValue.objects.filter(field='name').count()
    for n in range(3):
        Tenant.objects.create(name=f'Re {n}', slug=f're-{n}')
    Contact.objects.create(name='Re contact')
    CachedValue.objects.all().delete()
    objects, values, text = reindex_totals()
    assert 'tenancy.tenant' in text and '100%' in text and f'{Tenant.objects.count()}/{Tenant.objects.count()}' in text
    assert (objects - objects_before, values - values_before) == (4, 7)
    assert CachedValue.objects.filter(field='name').count() == names_before + 4

    contacts = Contact.objects.count()
    assert reindex_totals('tenancy.contact')[:2] == (contacts, contacts)
    assert 'of 1 models' in reindex_totals('tenancy.contact')[2]
    out = io.StringIO()
    call_command('reindex', 'tenancy', '--lazy', stdout=out)
    assert 'tenancy.tenant:' not in out.getvalue() and 'tenancy.contact:' not in out.getvalue()  # cached: skipped
    with pytest.raises(CommandError, match='Unknown model: tenancy.nothing'):
        call_command('reindex', 'tenancy.nothing', stdout=io.StringIO())


def test_ranking_exact_before_partial_then_weight(superuser):
    Tenant.objects.create(name='Acme Corp', slug='corp')
    Tenant.objects.create(name='Other', slug='other', comments='made by acme')
    Tenant.objects.create(name='Zeta', slug='zeta', description='ACME')
    Tenant.objects.create(name='Acme', slug='acme-exact')
    # Exact matches first (the name before the description, by weight), then partial ones by weight.
    assert names(superuser, 'acme') == [['Acme', 'Zeta', 'Acme Corp', 'Other']]
    # A type whose best match is exact comes before one with partial matches only.
    Contact.objects.create(name='Widgets', description='acme')
    results = search(superuser, 'acme')
    assert [found.declaration.model for found in results] == [Tenant, Contact]
    assert results[0].matches[0].field == 'name' and results[0].matches[0].exact
    assert [(match.field, match.weight) for match in results[1].matches] == [('description', 500)]


def test_lookups_exact_and_regex(superuser, admin_client):
    Tenant.objects.create(name='Acme', slug='a')
    Tenant.objects.create(name='Acme Corp', slug='b')
    Tenant.objects.create(name='Pacme', slug='c')
    assert names(superuser, 'acme', lookup='iexact') == [['Acme']]
    assert names(superuser, '^acme', lookup='iregex') == [['Acme', 'Acme Corp']]
    assert names(superuser, 'c?me$', lookup='regex') == [['Acme', 'Pacme']]
    with pytest.raises(SearchError, match='Invalid regular expression'):
        search(superuser, '(acme', lookup='iregex')
    response = admin_client.get('/search/', {'q': '(acme', 'lookup': 'iregex'})
    assert response.status_code == 400 and 'Invalid regular expression' in response.content.decode()
    response = admin_client.get('/search/', {'q': 'acme', 'lookup': 'fuzzy'})
    assert response.status_code == 400 and 'lookup: unknown lookup' in response.content.decode()


def test_object_type_filter(superuser, admin_client):
    Tenant.objects.create(name='Acme', slug='a')
    Contact.objects.create(name='Acme Support')
    assert names(superuser, 'acme', object_types=[Contact]) == [['Acme Support']]
    page = admin_client.get('/search/', {'q': 'acme', 'obj_types': 'tenancy.contact'}).content.decode()
    assert 'Acme Support' in page and '>Acme</a>' not in page
    response = admin_client.get('/search/', {'q': 'acme', 'obj_types': 'tenancy.nothing'})
    assert response.status_code == 400 and 'obj_types: unknown object type' in response.content.decode()


def test_constrained_user_sees_and_counts_only_permitted_objects(client, plain_user):
    for n in range(12):
        Tenant.objects.create(name=f'Acme hidden {n}', slug=f'hidden-{n}')
    Tenant.objects.create(name='Acme visible', slug='visible', description='acme')
    Contact.objects.create(name='Acme Support')
    grant(plain_user, Tenant, ['view'], constraints={'slug': 'visible'})
    results = search(plain_user, 'acme')
    assert len(results) == 1 and results[0].total == 1
    assert [str(match.object) for match in results[0].matches] == ['Acme visible']
    client.force_login(plain_user)
    page = client.get('/search/', {'q': 'acme'}).content.decode()
    assert 'Acme visible' in page and 'Acme hidden' not in page and 'Acme Support' not in page
    assert '<span class="badge badge-neutral">1</span>' in page and 'View all' not in page
    # Unconstrained permission: all 13, the count beyond the 10 shown.
    grant(plain_user, Tenant, ['view'], name='all tenants')
    results = search(plain_user, 'acme')
    assert results[0].total == 13 and len(results[0].matches) == 10


def test_custom_field_weights():
    field = CustomField.objects.create(name='circuit_ref', type='text', search_weight=50)
    field.object_types.set([ContentType.objects.get_for_model(Tenant)])
    hidden = CustomField.objects.create(name='internal_note', type='text', search_weight=0)
    hidden.object_types.set([ContentType.objects.get_for_model(Tenant)])
    tenant = Tenant.objects.create(name='Carrier', slug='carrier',
                                   custom_field_data={'circuit_ref': 'XYZ-42', 'internal_note': 'secret'})
    assert cached(tenant)['cf_circuit_ref'] == ('XYZ-42', 50)
    assert 'cf_internal_note' not in cached(tenant)
    CachedValue.objects.all().delete()
    call_command('reindex', 'tenancy.tenant', stdout=io.StringIO())
    assert cached(tenant)['cf_circuit_ref'] == ('XYZ-42', 50)


def test_query_count_does_not_grow_with_matches(superuser):
    def count_queries(text):
        with CaptureQueriesContext(connection) as queries:
            search_all(superuser, text)
        return len(queries.captured_queries)

    for n in range(3):
        Tenant.objects.create(name=f'Few {n}', slug=f'few-{n}')
        Contact.objects.create(name=f'Few contact {n}')
    for n in range(40):
        Tenant.objects.create(name=f'Many {n}', slug=f'many-{n}')
        Contact.objects.create(name=f'Many contact {n}')
    count_queries('warm')  # content types cached
    # One query finds, ranks and counts the matches; one per object type shown fetches its objects.
    assert count_queries('few') == count_queries('many') == 3


def test_partial_search_can_use_the_trigram_index():
    with connection.cursor() as cursor:
        cursor.execute('SET LOCAL enable_seqscan = off')
        sql, params = CachedValue.objects.filter(value__icontains='acme').query.sql_with_params()
        cursor.execute(f'EXPLAIN {sql}', params)
        plan = '\n'.join(row[0] for row in cursor.fetchall())
        assert 'extras_cachedvalue_upper_trgm' in plan
        sql, params = CachedValue.objects.filter(value__iregex='^ac.e').query.sql_with_params()
        cursor.execute(f'EXPLAIN {sql}', params)
        plan = '\n'.join(row[0] for row in cursor.fetchall())
        assert 'extras_cachedvalue_value_trgm' in plan


def test_declared_weights(monkeypatch):
    from netbox import cached_search
    from netbox.filtersets import SearchFilter
    from tenancy.declarations import TenantDeclaration

    monkeypatch.setattr(TenantDeclaration, 'search', (('slug', 42), 'name', ('description', 7)))
    monkeypatch.setattr(cached_search, '_fields', {})
    tenant = Tenant.objects.create(name='Weighted', slug='weighted', description='heavy')
    assert cached(tenant) == {'slug': ('weighted', 42), 'name': ('Weighted', 100), 'description': ('heavy', 7)}
    # The list's `q=` reads the same declaration: the weights are left out of its paths.
    search_filter = SearchFilter(search_fields=TenantDeclaration.search)
    assert search_filter.search_fields == ('slug', 'name', 'description')
    assert list(search_filter.filter(Tenant.objects.all(), 'heav')) == [tenant]
