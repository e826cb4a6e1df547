"""Remote (HTTP header) authentication: REMOTE_AUTH_* parameters, group sync, defaults, UI and API."""
import pytest
from django.test import Client

from dcim.models import Site
from users.models import Group, ObjectPermission, User

pytestmark = pytest.mark.django_db

HOME = '/'
SITES_API = '/api/dcim/sites/'


@pytest.fixture
def remote(settings):
    settings.REMOTE_AUTH_ENABLED = True
    settings.REMOTE_AUTH_AUTO_CREATE_USER = True
    return settings


def get_as(path, username, **headers):
    return Client().get(path, HTTP_REMOTE_USER=username, **headers)


def test_header_is_ignored_when_remote_auth_is_disabled(settings, superuser):
    settings.REMOTE_AUTH_ENABLED = False
    settings.REMOTE_AUTH_AUTO_CREATE_USER = True
    response = get_as(HOME, 'root')
    assert response.status_code == 302 and '/login/' in response['Location']
    assert get_as(SITES_API, 'root').status_code == 403
    get_as(HOME, 'mallory')
    assert not User.objects.filter(username='mallory').exists()


def test_backend_refuses_when_disabled_even_if_called_directly(settings, superuser, rf):
    from netbox.authentication import RemoteUserBackend

    settings.REMOTE_AUTH_ENABLED = False
    assert RemoteUserBackend().authenticate(rf.get('/'), remote_user='root') is None


def test_known_user_logs_in_through_the_header(remote, superuser):
    response = get_as(HOME, 'root')
    assert response.status_code == 200
    assert response.wsgi_request.user == superuser


def test_unknown_user_is_refused_without_auto_create(remote):
    remote.REMOTE_AUTH_AUTO_CREATE_USER = False
    response = get_as(HOME, 'newcomer')
    assert response.status_code == 302
    assert not User.objects.filter(username='newcomer').exists()


def test_auto_created_user_gets_profile_from_headers(remote):
    response = get_as(HOME, 'jdoe', HTTP_REMOTE_USER_FIRST_NAME='Jane', HTTP_REMOTE_USER_LAST_NAME='Doe',
                      HTTP_REMOTE_USER_EMAIL='jane@example.com')
    assert response.status_code == 200
    user = User.objects.get(username='jdoe')
    assert (user.first_name, user.last_name, user.email) == ('Jane', 'Doe', 'jane@example.com')
    assert not user.has_usable_password()


def test_custom_header_names(remote):
    remote.REMOTE_AUTH_HEADER = 'HTTP_X_PROXY_USER'
    remote.REMOTE_AUTH_USER_EMAIL = 'HTTP_X_PROXY_MAIL'
    assert get_as(HOME, 'ignored').status_code == 302  # the default header no longer counts
    response = Client().get(HOME, HTTP_X_PROXY_USER='proxied', HTTP_X_PROXY_MAIL='p@example.com')
    assert response.status_code == 200
    assert User.objects.get(username='proxied').email == 'p@example.com'


def test_default_groups_and_permissions_for_new_users(remote):
    Group.objects.create(name='readers')
    remote.REMOTE_AUTH_DEFAULT_GROUPS = ['readers', 'absent']
    remote.REMOTE_AUTH_DEFAULT_PERMISSIONS = {
        'dcim.view_site': None,
        'dcim.change_site': {'status': 'planned'},
        'tenancy.tenant': None,
    }
    Site.objects.create(name='Planned', slug='planned', status='planned')
    active = Site.objects.create(name='Active', slug='active', status='active')
    get_as(HOME, 'newbie')
    user = User.objects.get(username='newbie')
    assert list(user.groups.values_list('name', flat=True)) == ['readers']  # 'absent' is not created
    perms = {(tuple(p.actions), str(p.constraints)) for p in ObjectPermission.objects.filter(users=user)}
    assert perms == {(('view',), 'None'), (('change',), "{'status': 'planned'}"), (('view',), 'None')}
    assert ObjectPermission.objects.filter(users=user).count() == 3
    user = User.objects.get(pk=user.pk)
    assert user.has_perm('dcim.view_site') and user.has_perm('tenancy.view_tenant')
    assert user.has_perm('dcim.change_site', Site.objects.get(slug='planned'))
    assert not user.has_perm('dcim.change_site', active)


def test_default_groups_created_when_allowed(remote):
    remote.REMOTE_AUTH_DEFAULT_GROUPS = ['made-on-demand']
    remote.REMOTE_AUTH_AUTO_CREATE_GROUPS = True
    get_as(HOME, 'someone')
    assert User.objects.get(username='someone').groups.filter(name='made-on-demand').exists()


def test_defaults_apply_only_on_creation(remote, plain_user):
    remote.REMOTE_AUTH_DEFAULT_PERMISSIONS = {'dcim.view_site': None}
    get_as(HOME, plain_user.username)
    assert not ObjectPermission.objects.filter(users=plain_user).exists()


def test_group_sync_sets_groups_and_flags(remote):
    remote.REMOTE_AUTH_GROUP_SYNC_ENABLED = True
    remote.REMOTE_AUTH_AUTO_CREATE_GROUPS = True
    remote.REMOTE_AUTH_GROUP_HEADER = 'HTTP_X_GROUPS'
    remote.REMOTE_AUTH_GROUP_SEPARATOR = ';'
    remote.REMOTE_AUTH_SUPERUSER_GROUPS = ['admins']
    remote.REMOTE_AUTH_STAFF_GROUPS = ['ops']
    get_as(HOME, 'carol', HTTP_X_GROUPS='admins; ops ;netops')
    carol = User.objects.get(username='carol')
    assert set(carol.groups.values_list('name', flat=True)) == {'admins', 'ops', 'netops'}
    assert carol.is_superuser and carol.is_staff
    # A new login (new session) with fewer groups revokes what they granted.
    get_as(HOME, 'carol', HTTP_X_GROUPS='netops')
    carol.refresh_from_db()
    assert list(carol.groups.values_list('name', flat=True)) == ['netops']
    assert not carol.is_superuser and not carol.is_staff


def test_group_sync_without_auto_create_uses_existing_groups_only(remote):
    Group.objects.create(name='known')
    remote.REMOTE_AUTH_GROUP_SYNC_ENABLED = True
    get_as(HOME, 'dave', HTTP_REMOTE_USER_GROUP='known|unknown')
    assert list(User.objects.get(username='dave').groups.values_list('name', flat=True)) == ['known']
    assert not Group.objects.filter(name='unknown').exists()


def test_superuser_and_staff_by_username(remote):
    remote.REMOTE_AUTH_GROUP_SYNC_ENABLED = True
    remote.REMOTE_AUTH_SUPERUSERS = ['erin']
    remote.REMOTE_AUTH_STAFF_USERS = ['frank']
    get_as(HOME, 'erin')
    get_as(HOME, 'frank')
    erin, frank = User.objects.get(username='erin'), User.objects.get(username='frank')
    assert erin.is_superuser and not erin.is_staff
    assert frank.is_staff and not frank.is_superuser


def test_group_permissions_apply_through_synced_groups(remote):
    from django.contrib.contenttypes.models import ContentType

    group = Group.objects.create(name='site-readers')
    permission = ObjectPermission.objects.create(name='sites', actions=['view'])
    permission.object_types.add(ContentType.objects.get_for_model(Site))
    permission.groups.add(group)
    remote.REMOTE_AUTH_GROUP_SYNC_ENABLED = True
    assert get_as(SITES_API, 'gina', HTTP_REMOTE_USER_GROUP='site-readers').status_code == 200
    assert get_as(SITES_API, 'hank').status_code == 403


def test_api_reads_work_with_the_header(remote, superuser):
    Site.objects.create(name='One', slug='one')
    response = get_as(SITES_API, 'root')
    assert response.status_code == 200
    assert response.json()['count'] == 1


def test_api_writes_need_a_csrf_token_like_any_session(remote, superuser):
    # The header logs the user in to a session; session-authenticated API writes are CSRF-checked, as in NetBox.
    client = Client(enforce_csrf_checks=True)
    response = client.post(SITES_API, {'name': 'Two', 'slug': 'two'}, content_type='application/json',
                           HTTP_REMOTE_USER='root')
    assert response.status_code == 403
    assert 'CSRF' in response.json()['detail']


def test_session_ends_when_the_header_disappears(remote, superuser):
    client = Client()
    assert client.get(HOME, HTTP_REMOTE_USER='root').status_code == 200
    assert client.get(HOME).status_code == 302


def test_backend_list_is_accepted(settings):
    from django.conf import settings as django_settings

    from netbox.configuration_loader import build_settings

    class Config:
        ALLOWED_HOSTS = ['*']
        DATABASE = {'NAME': 'x'}
        REDIS = {'tasks': {'HOST': 'h'}, 'caching': {'HOST': 'h'}}
        SECRET_KEY = 'k' * 50
        REMOTE_AUTH_BACKEND = ['netbox.authentication.RemoteUserBackend', 'custom.Backend']

    built = build_settings(Config)
    assert built['REMOTE_AUTH_BACKEND'] == ['netbox.authentication.RemoteUserBackend', 'custom.Backend']
    Config.REMOTE_AUTH_BACKEND = 'netbox.authentication.RemoteUserBackend'
    assert build_settings(Config)['REMOTE_AUTH_BACKEND'] == ['netbox.authentication.RemoteUserBackend']
    assert django_settings.AUTHENTICATION_BACKENDS[0] == 'netbox.authentication.LoginThrottleBackend'
    assert 'netbox.authentication.RemoteUserBackend' in django_settings.AUTHENTICATION_BACKENDS
    assert django_settings.AUTHENTICATION_BACKENDS[-1] == 'netbox.authentication.ObjectPermissionBackend'
