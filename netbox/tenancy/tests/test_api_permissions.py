"""The permission matrix on the REST API, shown on tenants: anonymous, none, granted, constrained, exempt."""
import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from netbox.testing import client_for, grant
from tenancy.models import Tenant, TenantGroup
from users.models import ObjectPermission

pytestmark = pytest.mark.django_db
URL = '/api/tenancy/tenants/'


@pytest.fixture
def tenants(db):
    group = TenantGroup.objects.create(name='Customers', slug='customers')
    return [
        Tenant.objects.create(name='Acme', slug='acme', group=group),
        Tenant.objects.create(name='Globex', slug='globex'),
    ]


def test_anonymous_is_refused_while_login_is_required(tenants):
    response = APIClient().get(URL)
    assert response.status_code == 403
    assert response.json() == {'detail': 'Authentication credentials were not provided.'}


def test_anonymous_may_read_exempt_models_when_login_is_not_required(tenants):
    with override_settings(LOGIN_REQUIRED=False, EXEMPT_VIEW_PERMISSIONS=['tenancy.tenant']):
        response = APIClient().get(URL)
        assert response.status_code == 200
        assert response.data['count'] == 2
        assert APIClient().post(URL, {'name': 'x', 'slug': 'x'}, format='json').status_code == 403


def test_wildcard_exemption_never_covers_users(plain_user, tenants):
    with override_settings(EXEMPT_VIEW_PERMISSIONS=['*']):
        client = client_for(plain_user)
        assert client.get(URL).status_code == 200
        assert client.get('/api/users/users/').status_code == 403
        assert client.get('/api/users/permissions/').status_code == 403


@pytest.mark.parametrize('method', ['get', 'post', 'patch', 'delete'])
def test_no_permission_means_403(plain_user, tenants, method):
    client = client_for(plain_user)
    url = URL if method in ('get', 'post') else f'{URL}{tenants[0].pk}/'
    response = getattr(client, method)(url, {'name': 'n', 'slug': 'n'}, format='json')
    assert response.status_code == 403
    assert Tenant.objects.count() == 2


def test_view_permission_lists_everything(plain_user, tenants):
    grant(plain_user, Tenant, ['view'])
    response = client_for(plain_user).get(URL)
    assert response.status_code == 200
    assert response.data['count'] == 2


def test_constrained_view_hides_other_objects(plain_user, tenants):
    grant(plain_user, Tenant, ['view'], constraints={'group__slug': 'customers'})
    client = client_for(plain_user)
    assert [row['name'] for row in client.get(URL).data['results']] == ['Acme']
    assert client.get(f'{URL}{tenants[1].pk}/').status_code == 404


def test_constraints_in_a_list_are_alternatives(plain_user, tenants):
    grant(plain_user, Tenant, ['view'], constraints=[{'name': 'Acme'}, {'name': 'Globex'}])
    assert client_for(plain_user).get(URL).data['count'] == 2


def test_permissions_combine_with_or(plain_user, tenants):
    grant(plain_user, Tenant, ['view'], constraints={'name': 'Acme'}, name='a')
    grant(plain_user, Tenant, ['view'], constraints={'name': 'Globex'}, name='b')
    assert client_for(plain_user).get(URL).data['count'] == 2


def test_disabled_permission_grants_nothing(plain_user, tenants):
    permission = grant(plain_user, Tenant, ['view'])
    ObjectPermission.objects.filter(pk=permission.pk).update(enabled=False)
    assert client_for(plain_user).get(URL).status_code == 403


def test_group_permission_applies_to_members(plain_user, tenants):
    from users.models import Group

    group = Group.objects.create(name='NOC')
    plain_user.groups.add(group)
    permission = grant(plain_user, Tenant, ['view'])
    permission.users.clear()
    permission.groups.add(group)
    assert client_for(plain_user).get(URL).data['count'] == 2


def test_add_permission_creates(plain_user, tenants):
    grant(plain_user, Tenant, ['add', 'view'])
    response = client_for(plain_user).post(URL, {'name': 'Initech', 'slug': 'initech'}, format='json')
    assert response.status_code == 201


def test_add_outside_constraints_is_rolled_back(plain_user, tenants):
    grant(plain_user, Tenant, ['add', 'view'], constraints={'name__startswith': 'temp'})
    client = client_for(plain_user)
    response = client.post(URL, {'name': 'Initech', 'slug': 'initech'}, format='json')
    assert response.status_code == 403
    assert not Tenant.objects.filter(slug='initech').exists()
    assert client.post(URL, {'name': 'temp-1', 'slug': 'temp-1'}, format='json').status_code == 201


def test_change_that_leaves_constraints_is_rolled_back(plain_user, tenants):
    grant(plain_user, Tenant, ['view', 'change'], constraints={'group__slug': 'customers'})
    client = client_for(plain_user)
    url = f'{URL}{tenants[0].pk}/'
    assert client.patch(url, {'description': 'ok'}, format='json').status_code == 200
    response = client.patch(url, {'group': None}, format='json')
    assert response.status_code == 403
    tenants[0].refresh_from_db()
    assert tenants[0].group is not None
    assert client.patch(f'{URL}{tenants[1].pk}/', {'description': 'no'}, format='json').status_code == 404


def test_delete_permission_deletes_only_permitted(plain_user, tenants):
    grant(plain_user, Tenant, ['view', 'delete'], constraints={'slug': 'globex'})
    client = client_for(plain_user)
    assert client.delete(f'{URL}{tenants[0].pk}/').status_code == 404
    assert client.delete(f'{URL}{tenants[1].pk}/').status_code == 204
    assert list(Tenant.objects.values_list('slug', flat=True)) == ['acme']


def test_user_token_constraint(plain_user, superuser, tenants):
    """`$user` in a constraint stands for the requesting user."""
    from netbox.testing import make_token

    make_token(superuser)
    grant(plain_user, Tenant, ['view'])
    with override_settings(DEFAULT_PERMISSIONS={'users.view_token': ({'user': '$user'},)}):
        client = client_for(plain_user)
        users_seen = {row['user']['id'] for row in client.get('/api/users/tokens/').data['results']}
        assert users_seen == {plain_user.pk}


def test_bulk_delete_is_all_or_nothing_under_constraints(plain_user, tenants):
    grant(plain_user, Tenant, ['view', 'delete'], constraints={'slug': 'globex'})
    response = client_for(plain_user).delete(URL, [{'id': t.pk} for t in tenants], format='json')
    assert response.status_code == 404
    assert Tenant.objects.count() == 2


def test_related_object_must_be_viewable(plain_user, tenants):
    grant(plain_user, Tenant, ['view', 'add'])
    group = TenantGroup.objects.get()
    response = client_for(plain_user).post(URL, {'name': 'n', 'slug': 'n', 'group': group.pk}, format='json')
    assert response.status_code == 400
    assert 'group' in response.data
