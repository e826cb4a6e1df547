"""Saved filters and table configurations: `?filter_id=` on REST and UI lists (own, shared, refused), the `usable`
filter, the list page's choosers, and `?tableconfig_id=` choosing a table's columns."""
import pytest
from django.contrib.contenttypes.models import ContentType

from extras.models import SavedFilter, TableConfig
from netbox.testing import client_for, grant
from tenancy.models import Tenant, TenantGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenants():
    group = TenantGroup.objects.create(name='Customers', slug='customers')
    return {
        'acme': Tenant.objects.create(name='Acme', slug='acme', group=group),
        'globex': Tenant.objects.create(name='Globex', slug='globex', group=group),
        'initech': Tenant.objects.create(name='Initech', slug='initech'),
    }


def saved(name, parameters, user=None, shared=True, enabled=True, model=Tenant):
    saved_filter = SavedFilter.objects.create(name=name, slug=name, parameters=parameters, user=user, shared=shared,
                                              enabled=enabled)
    saved_filter.object_types.set([ContentType.objects.get_for_model(model)])
    return saved_filter


def names(response):
    return sorted(row['name'] for row in response.data['results'])


@pytest.fixture
def bob(db):
    from users.models import User

    return User.objects.create_user('bob', 'bob@example.com', 'Bob-pass-123')


@pytest.fixture
def alice_api(plain_user):
    grant(plain_user, Tenant, ['view'])
    return client_for(plain_user)


def test_api_create_and_read_saved_filter(api):
    response = api.post('/api/extras/saved-filters/', {
        'name': 'Customers', 'slug': 'customers', 'object_types': ['tenancy.tenant'],
        'parameters': {'group': ['customers']}}, format='json')
    assert response.status_code == 201, response.content
    assert response.data['object_types'] == ['tenancy.tenant']
    assert response.data['parameters'] == {'group': ['customers']}
    assert response.data['enabled'] is True and response.data['shared'] is True
    response = api.post('/api/extras/saved-filters/', {
        'name': 'Bad', 'slug': 'bad', 'object_types': ['tenancy.tenant'], 'parameters': ['not', 'an', 'object']},
        format='json')
    assert response.status_code == 400 and 'parameters' in response.data


def test_own_filter_applies_in_api(alice_api, plain_user, tenants):
    mine = saved('mine', {'group': 'customers'}, user=plain_user, shared=False)
    response = alice_api.get('/api/tenancy/tenants/', {'filter_id': mine.pk})
    assert response.status_code == 200, response.content
    assert names(response) == ['Acme', 'Globex']


def test_saved_parameters_merge_with_the_request(alice_api, tenants):
    shared = saved('customers', {'group': ['customers']})
    response = alice_api.get('/api/tenancy/tenants/', {'filter_id': shared.pk, 'name__ic': 'glo'})
    assert names(response) == ['Globex']
    # By slug too, as NetBox offers `filter=<slug>`.
    assert names(alice_api.get('/api/tenancy/tenants/', {'filter': 'customers'})) == ['Acme', 'Globex']


def test_shared_filter_of_another_user_applies(alice_api, bob, tenants):
    theirs = saved('theirs', {'name': ['Initech']}, user=bob, shared=True)
    assert names(alice_api.get('/api/tenancy/tenants/', {'filter_id': theirs.pk})) == ['Initech']


@pytest.mark.parametrize('case', ['unshared', 'disabled', 'missing', 'other-model', 'not-a-number'])
def test_unusable_filter_is_a_400_naming_filter_id(alice_api, bob, tenants, case):
    value = {
        'unshared': lambda: saved('private', {'name': 'Acme'}, user=bob, shared=False).pk,
        'disabled': lambda: saved('off', {'name': 'Acme'}, enabled=False).pk,
        'missing': lambda: 999999,
        'other-model': lambda: saved('groups', {'name': 'Acme'}, model=TenantGroup).pk,
        'not-a-number': lambda: 'abc',
    }[case]()
    response = alice_api.get('/api/tenancy/tenants/', {'filter_id': value})
    assert response.status_code == 400, response.content
    assert 'filter_id' in response.data


def test_usable_filter(alice_api, plain_user, bob, tenants):
    grant(plain_user, SavedFilter, ['view'])
    api = client_for(plain_user)
    saved('mine', {}, user=plain_user, shared=False)
    saved('shared', {}, user=bob, shared=True)
    saved('private', {}, user=bob, shared=False)
    saved('off', {}, user=plain_user, enabled=False)
    usable = api.get('/api/extras/saved-filters/', {'usable': 'true'})
    assert sorted(row['name'] for row in usable.data['results']) == ['mine', 'shared']
    unusable = api.get('/api/extras/saved-filters/', {'usable': 'false'})
    assert sorted(row['name'] for row in unusable.data['results']) == ['off', 'private']


def test_saved_filter_applies_in_the_ui(client, plain_user, bob, tenants):
    grant(plain_user, Tenant, ['view'])
    client.force_login(plain_user)
    shared = saved('customers', {'group': 'customers'})
    private = saved('private', {'name': 'Initech'}, user=bob, shared=False)
    page = client.get('/tenancy/tenants/', {'filter_id': shared.pk}).content.decode()
    assert 'Acme' in page and 'Globex' in page and 'Initech' not in page
    # The chooser offers the usable filters only.
    assert 'data-saved-filters' in page and '>customers</a>' in page and 'private' not in page
    refused = client.get('/tenancy/tenants/', {'filter_id': private.pk})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert 'filter_id' in page and 'not shared' in page and 'Initech' not in page


def test_save_filter_link_carries_the_current_query(admin_client, superuser, tenants):
    import html
    import re

    page = admin_client.get('/tenancy/tenants/', {'group': 'customers'}).content.decode()
    assert 'data-save-filter' in page
    link = html.unescape(re.search(r'href="(/extras/saved-filters/add/\?[^"]+)" data-save-filter', page).group(1))
    form = admin_client.get(link).content.decode()
    assert '{&quot;group&quot;: &quot;customers&quot;}' in form  # the parameters, as JSON, not a quoted string
    tenant_type = ContentType.objects.get_for_model(Tenant)
    response = admin_client.post('/extras/saved-filters/add/', {
        'name': 'Customers', 'slug': 'customers', 'object_types': [tenant_type.pk], 'user': superuser.pk,
        'parameters': '{"group": "customers"}', 'weight': 100, 'enabled': 'on', 'shared': 'on'})
    assert response.status_code == 302, response.content.decode()[:2000]
    saved_filter = SavedFilter.objects.get(slug='customers')
    assert list(saved_filter.object_types.all()) == [tenant_type] and saved_filter.user == superuser
    page = admin_client.get('/tenancy/tenants/', {'filter_id': saved_filter.pk}).content.decode()
    assert 'Globex' in page and 'Initech' not in page


def test_table_config_chooses_columns(client, plain_user, bob, tenants):
    grant(plain_user, Tenant, ['view'])
    client.force_login(plain_user)
    tenant_type = ContentType.objects.get_for_model(Tenant)
    config = TableConfig.objects.create(object_type=tenant_type, table='TenantTable', name='Slugs', user=bob,
                                        shared=True, columns=['slug', 'name'], ordering=['-name'])
    private = TableConfig.objects.create(object_type=tenant_type, table='TenantTable', name='Private', user=bob,
                                         shared=False, columns=['description'])
    page = client.get('/tenancy/tenants/', {'tableconfig_id': config.pk}).content.decode()
    table = page[page.index('<table'):]
    assert 'Slug' in table and table.index('>initech<') < table.index('>acme<')
    assert 'data-table-configs' in page and 'Private' not in page
    # Another user's unshared configuration is not applied: the user's own columns are.
    table = client.get('/tenancy/tenants/', {'tableconfig_id': private.pk}).content.decode()
    assert '>acme<' not in table[table.index('<table'):]


def test_table_config_rejects_unknown_columns(api):
    response = api.post('/api/extras/table-configs/', {
        'object_type': 'tenancy.tenant', 'table': 'TenantTable', 'name': 'Bad', 'columns': ['no_such_column']},
        format='json')
    assert response.status_code == 400 and 'columns' in response.data
