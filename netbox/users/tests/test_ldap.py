"""
LDAP authentication through netbox.authentication.LDAPBackend against a real OpenLDAP server (slapd) that these
tests start on loopback ports with a seeded directory (netbox/netbox/tests/ldap_server.py).
"""
import logging
import sys

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from dcim.models import Site
from netbox.tests import ldap_server as directory
from users.models import Group, ObjectPermission, User

pytestmark = pytest.mark.django_db

LOGIN = '/login/'
SITES_API = '/api/dcim/sites/'
LDAP_BACKENDS = ['netbox.authentication.LoginThrottleBackend', 'netbox.authentication.LDAPBackend',
                 'netbox.authentication.ObjectPermissionBackend']


@pytest.fixture(scope='session')
def ldap_server(tmp_path_factory):
    # scripts/test installs slapd when missing: without it these tests fail rather than pass unnoticed.
    assert directory.available(), 'slapd is not installed (scripts/test installs it: apt-get install slapd ldap-utils)'
    server = directory.LDAPServer(tmp_path_factory.mktemp('slapd')).start()
    yield server
    server.stop()


@pytest.fixture
def ldap_settings(settings, ldap_server):
    import ldap
    from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

    settings.AUTHENTICATION_BACKENDS = LDAP_BACKENDS
    settings.AUTH_LDAP_SERVER_URI = ldap_server.uri
    settings.AUTH_LDAP_BIND_DN = directory.ADMIN_DN
    settings.AUTH_LDAP_BIND_PASSWORD = directory.ADMIN_PASSWORD
    settings.AUTH_LDAP_USER_DN_TEMPLATE = f'uid=%(user)s,{directory.PEOPLE}'
    settings.AUTH_LDAP_USER_ATTR_MAP = {'first_name': 'givenName', 'last_name': 'sn', 'email': 'mail'}
    settings.AUTH_LDAP_GROUP_SEARCH = LDAPSearch(directory.GROUPS, ldap.SCOPE_SUBTREE, '(objectClass=groupOfNames)')
    settings.AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
    return settings


def ui_login(username, password, client=None):
    client = client or Client()
    response = client.post(LOGIN, {'username': username, 'password': password})
    return client, response


def test_login_through_the_ui_form(ldap_settings):
    client, response = ui_login('alice', 'alice-pw')
    assert response.status_code == 302 and response['Location'] == '/'
    assert client.get('/').status_code == 200
    user = User.objects.get(username='alice')
    assert (user.first_name, user.last_name, user.email) == ('Alice', 'Anders', 'alice@example.org')
    assert not user.has_usable_password()
    assert client.session['_auth_user_backend'] == 'netbox.authentication.LDAPBackend'


def test_wrong_password_is_refused(ldap_settings, caplog):
    with caplog.at_level(logging.WARNING, logger='netbox.auth.login'):
        client, response = ui_login('alice', 'not-her-password')
    assert response.status_code == 200
    assert "didn't match" in response.content.decode() or 'correct username' in response.content.decode()
    assert not User.objects.filter(username='alice').exists()
    assert 'Failed login for user "alice"' in caplog.text
    assert 'not-her-password' not in caplog.text


def test_unknown_user_is_refused(ldap_settings):
    _, response = ui_login('zed', 'whatever')
    assert response.status_code == 200
    assert not User.objects.filter(username='zed').exists()


def test_user_search_instead_of_dn_template(ldap_settings):
    import ldap
    from django_auth_ldap.config import LDAPSearch

    del ldap_settings.AUTH_LDAP_USER_DN_TEMPLATE
    ldap_settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(directory.PEOPLE, ldap.SCOPE_SUBTREE, '(uid=%(user)s)')
    _, response = ui_login('bob', 'bob-pw')
    assert response.status_code == 302
    assert User.objects.get(username='bob').last_name == 'Brown'


def test_group_mirroring(ldap_settings):
    ldap_settings.AUTH_LDAP_MIRROR_GROUPS = True
    local = Group.objects.create(name='local-only')
    ui_login('alice', 'alice-pw')
    alice = User.objects.get(username='alice')
    assert set(alice.groups.values_list('name', flat=True)) == {'netops', 'admins', 'active'}
    # Membership follows the directory on the next login: a local group not in LDAP is dropped.
    alice.groups.add(local)
    ui_login('alice', 'alice-pw')
    assert set(alice.groups.values_list('name', flat=True)) == {'netops', 'admins', 'active'}


def test_group_mirroring_limited_to_listed_groups(ldap_settings):
    ldap_settings.AUTH_LDAP_MIRROR_GROUPS = ['netops']
    local = Group.objects.create(name='local-only')
    ui_login('alice', 'alice-pw')
    alice = User.objects.get(username='alice')
    alice.groups.add(local)
    ui_login('alice', 'alice-pw')
    assert set(alice.groups.values_list('name', flat=True)) == {'netops', 'local-only'}
    assert not Group.objects.filter(name='admins').exists()


def test_superuser_and_staff_flags_from_groups(ldap_settings):
    ldap_settings.AUTH_LDAP_USER_FLAGS_BY_GROUP = {
        'is_superuser': directory.group_dn('admins'),
        'is_staff': directory.group_dn('netops'),
    }
    ui_login('alice', 'alice-pw')
    ui_login('bob', 'bob-pw')
    alice, bob = User.objects.get(username='alice'), User.objects.get(username='bob')
    assert alice.is_superuser and alice.is_staff
    assert not bob.is_superuser and bob.is_staff


def test_user_outside_the_active_group_is_refused(ldap_settings):
    ldap_settings.AUTH_LDAP_USER_FLAGS_BY_GROUP = {'is_active': directory.group_dn('active')}
    client, response = ui_login('bob', 'bob-pw')
    assert response.status_code == 200
    assert '_auth_user_id' not in client.session
    assert User.objects.get(username='bob').is_active is False
    assert ui_login('alice', 'alice-pw')[1].status_code == 302


def test_deny_group_refuses_the_user(ldap_settings):
    ldap_settings.AUTH_LDAP_DENY_GROUP = directory.group_dn('disabled')
    client, response = ui_login('carol', 'carol-pw')
    assert response.status_code == 200
    assert '_auth_user_id' not in client.session
    assert ui_login('dave', 'dave-pw')[1].status_code == 302


def test_inactive_user_cannot_get_a_token_either(ldap_settings):
    ldap_settings.AUTH_LDAP_USER_FLAGS_BY_GROUP = {'is_active': directory.group_dn('active')}
    response = Client().post('/api/users/tokens/provision/', {'username': 'bob', 'password': 'bob-pw'},
                             content_type='application/json')
    assert response.status_code == 403


def _site_permission_for_group(name):
    group = Group.objects.create(name=name)
    permission = ObjectPermission.objects.create(name=f'{name} sites', actions=['view'])
    permission.object_types.add(ContentType.objects.get_for_model(Site))
    permission.groups.add(group)
    return group


def test_find_group_perms_grants_permissions_of_same_named_groups(ldap_settings):
    _site_permission_for_group('readers')
    ldap_settings.AUTH_LDAP_FIND_GROUP_PERMS = True
    client, _ = ui_login('dave', 'dave-pw')
    dave = User.objects.get(username='dave')
    assert not dave.groups.exists()  # not mirrored, yet the group's permission applies
    assert client.get(SITES_API).status_code == 200


def test_without_find_group_perms_directory_groups_grant_nothing(ldap_settings):
    _site_permission_for_group('readers')
    client, _ = ui_login('dave', 'dave-pw')
    assert client.get(SITES_API).status_code == 403


def test_group_membership_is_cached_for_the_cache_timeout(ldap_settings, ldap_server):
    import ldap

    from netbox.authentication import LDAPBackend

    _site_permission_for_group('readers')
    ldap_settings.AUTH_LDAP_FIND_GROUP_PERMS = True
    ldap_settings.AUTH_LDAP_CACHE_TIMEOUT = 3600
    client, _ = ui_login('dave', 'dave-pw')
    assert client.get(SITES_API).status_code == 200
    removal = [(ldap.MOD_DELETE, 'member', [directory.user_dn('dave')])]
    ldap_server.modify(directory.group_dn('readers'), removal)
    try:
        # The membership read at login is still in the Redis cache.
        assert client.get(SITES_API).status_code == 200
        assert 'readers' in LDAPBackend().get_user(User.objects.get(username='dave').pk).ldap_user.group_names
        ldap_settings.AUTH_LDAP_CACHE_TIMEOUT = 0  # no cache: the directory is asked again
        assert client.get(SITES_API).status_code == 403
    finally:
        ldap_server.modify(directory.group_dn('readers'), [(ldap.MOD_ADD, 'member', [directory.user_dn('dave')])])


def test_start_tls_with_a_ca_file(ldap_settings, ldap_server):
    ldap_settings.AUTH_LDAP_START_TLS = True
    ldap_settings.LDAP_CA_CERT_FILE = ldap_server.ca_file
    assert ui_login('alice', 'alice-pw')[1].status_code == 302


def test_ldaps_with_a_ca_file(ldap_settings, ldap_server):
    ldap_settings.AUTH_LDAP_SERVER_URI = ldap_server.ldaps_uri
    ldap_settings.LDAP_CA_CERT_FILE = ldap_server.ca_file
    assert ui_login('alice', 'alice-pw')[1].status_code == 302


def test_ldaps_certificate_is_verified(ldap_settings, ldap_server):
    ldap_settings.AUTH_LDAP_SERVER_URI = ldap_server.ldaps_uri
    assert ui_login('alice', 'alice-pw')[1].status_code == 200  # the test CA is unknown: refused
    ldap_settings.LDAP_IGNORE_CERT_ERRORS = True
    assert ui_login('alice', 'alice-pw')[1].status_code == 302


def test_local_accounts_still_work_beside_ldap(ldap_settings, plain_user):
    assert ui_login('alice', 'Alice-pass-123')[1].status_code == 302  # the local alice (plain_user)


# --- ldap_config.py -----------------------------------------------------------------------------------------------

class Config:
    ALLOWED_HOSTS = ['*']
    DATABASE = {'NAME': 'x'}
    REDIS = {'tasks': {'HOST': 'h'}, 'caching': {'HOST': 'h'}}
    SECRET_KEY = 'k' * 50
    REMOTE_AUTH_BACKEND = 'netbox.authentication.LDAPBackend'


def test_ldap_config_module_beside_configuration_is_read(tmp_path, monkeypatch):
    from netbox.configuration_loader import build_settings, load_ldap_configuration_module

    package = tmp_path / 'sitecfg'
    package.mkdir()
    (package / '__init__.py').write_text('')
    (package / 'ldap_config.py').write_text(
        "AUTH_LDAP_SERVER_URI = 'ldaps://ldap.example.com'\n"
        "AUTH_LDAP_USER_DN_TEMPLATE = 'uid=%(user)s,ou=people,dc=example,dc=com'\n"
        "LDAP_IGNORE_CERT_ERRORS = True\n"
        "UNRELATED = 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv('NETBOX_CONFIGURATION', 'sitecfg.configuration')
    monkeypatch.delenv('NETBOX_LDAP_CONFIGURATION', raising=False)
    try:
        module = load_ldap_configuration_module()
        assert module is not None and module.__name__ == 'sitecfg.ldap_config'
        built = build_settings(Config, module)
    finally:
        sys.modules.pop('sitecfg.ldap_config', None)
        sys.modules.pop('sitecfg', None)
    assert built['AUTH_LDAP_SERVER_URI'] == 'ldaps://ldap.example.com'
    assert built['LDAP_IGNORE_CERT_ERRORS'] is True
    assert 'UNRELATED' not in built
    assert built['REMOTE_AUTH_BACKEND'] == ['netbox.authentication.LDAPBackend']


def test_missing_ldap_config_is_none_and_ldap_backend_without_it_is_refused(monkeypatch):
    from netbox.configuration_loader import build_settings, load_ldap_configuration_module

    monkeypatch.setenv('NETBOX_LDAP_CONFIGURATION', 'no_such_ldap_config_module')
    assert load_ldap_configuration_module() is None
    with pytest.raises(ImproperlyConfigured, match='ldap_config.py'):
        build_settings(Config, None)
