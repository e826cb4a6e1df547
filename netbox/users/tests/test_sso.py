"""
Single sign-on through social-core's OpenID Connect backend against a real provider that these tests start on a
loopback port (netbox/netbox/tests/oidc_provider.py, built on Authlib): the Django test client plays the browser
at NetBox, requests plays it at the provider. The browser version is test_sso_browser.py.
"""
import types
from urllib.parse import urlparse

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from netbox.configuration_loader import SOCIAL_AUTH_DEFAULT_PIPELINE, build_settings
from netbox.tests.oidc_provider import OIDC_BACKEND, oidc, oidc_provider  # noqa: F401 - fixtures
from users.models import Group, ObjectPermission, User

pytestmark = pytest.mark.django_db

BASE_CONFIG = dict(
    ALLOWED_HOSTS=['*'], DATABASE={'NAME': 'netbox'}, SECRET_KEY='x' * 50,
    REDIS={'tasks': {'HOST': 'localhost'}, 'caching': {'HOST': 'localhost'}},
)


def sso_login(provider, username='alice', password='alice-pw', *, client=None, next_path=None, deny=False):
    """The whole authorization-code flow; returns the client and NetBox's answer to the provider's redirect."""
    client = client or Client()
    begin = client.post('/oauth/login/oidc/', {'next': next_path} if next_path else {})
    assert begin.status_code == 302 and begin['Location'].startswith(f'{provider.issuer}/authorize?')
    back = urlparse(provider.sign_in(begin['Location'], username, password, deny=deny))
    assert back.path == '/oauth/complete/oidc/'
    return client, client.get(f'{back.path}?{back.query}', follow=False)


def messages_of(client):
    page = client.get('/login/')
    return page, page.content.decode()


# --- configuration ----------------------------------------------------------------------------------------------

def test_social_auth_parameters_reach_the_settings():
    config = types.SimpleNamespace(**BASE_CONFIG, REMOTE_AUTH_BACKEND=OIDC_BACKEND,
                                   SOCIAL_AUTH_OIDC_OIDC_ENDPOINT='https://sso.example.com',
                                   SOCIAL_AUTH_OIDC_KEY='netbox', SOCIAL_AUTH_OIDC_SECRET='s3cret',
                                   SOCIAL_AUTH_GROUPS_KEY='groups')
    out = build_settings(config)
    assert out['REMOTE_AUTH_BACKEND'] == [OIDC_BACKEND]
    assert (out['SOCIAL_AUTH_OIDC_OIDC_ENDPOINT'], out['SOCIAL_AUTH_OIDC_KEY'], out['SOCIAL_AUTH_OIDC_SECRET'],
            out['SOCIAL_AUTH_GROUPS_KEY']) == ('https://sso.example.com', 'netbox', 's3cret', 'groups')
    assert out['SOCIAL_AUTH_PIPELINE'] == SOCIAL_AUTH_DEFAULT_PIPELINE
    assert out['SOCIAL_AUTH_PIPELINE'][-1] == 'netbox.sso.sync_user'
    assert out['SOCIAL_AUTH_LOGIN_ERROR_URL'] == '/login/' and out['SOCIAL_AUTH_RAISE_EXCEPTIONS'] is False


def test_pipeline_override_and_base_path_are_honoured():
    pipeline = ('social_core.pipeline.social_auth.social_details', 'social_core.pipeline.social_auth.social_uid')
    config = types.SimpleNamespace(**BASE_CONFIG, BASE_PATH='netbox/', SOCIAL_AUTH_PIPELINE=pipeline,
                                   SOCIAL_AUTH_LOGIN_ERROR_URL='/netbox/sso-help/')
    out = build_settings(config)
    assert out['SOCIAL_AUTH_PIPELINE'] == pipeline
    assert out['SOCIAL_AUTH_LOGIN_ERROR_URL'] == '/netbox/sso-help/'


def test_unknown_social_backend_is_named():
    config = types.SimpleNamespace(**BASE_CONFIG,
                                   REMOTE_AUTH_BACKEND=['social_core.backends.open_id_connect.NoSuchAuth'])
    with pytest.raises(ImproperlyConfigured, match='NoSuchAuth'):
        build_settings(config)
    config = types.SimpleNamespace(**BASE_CONFIG, SOCIAL_AUTH_PIPELINE='social_core.pipeline.user.create_user')
    with pytest.raises(ImproperlyConfigured, match='SOCIAL_AUTH_PIPELINE'):
        build_settings(config)


def test_django_settings_carry_the_configuration(settings):
    # settings.py takes what build_settings() returns: the default pipeline ends with NetBox's step, the social
    # URLs are mounted under /oauth/, and the error middleware is installed.
    from django.urls import reverse

    assert settings.SOCIAL_AUTH_PIPELINE[-1] == 'netbox.sso.sync_user'
    assert settings.SOCIAL_AUTH_USER_MODEL == 'users.User'
    assert 'netbox.sso.SSOErrorMiddleware' in settings.MIDDLEWARE
    assert reverse('social:begin', args=['oidc']) == '/oauth/login/oidc/'
    assert reverse('social:complete', args=['oidc']) == '/oauth/complete/oidc/'


# --- the login page -----------------------------------------------------------------------------------------------

def test_no_button_without_a_social_backend():
    page = Client().get('/login/?next=/dcim/sites/')
    assert page.status_code == 200
    assert 'sso-button' not in page.content.decode() and 'Log in with' not in page.content.decode()


def test_one_button_per_configured_backend(oidc, settings):  # noqa: F811
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS[:2],
                                        'social_core.backends.keycloak.KeycloakOAuth2',
                                        *settings.AUTHENTICATION_BACKENDS[2:]]
    body = Client().get('/login/?next=/dcim/sites/').content.decode()
    assert body.count('class="btn btn-secondary btn-block sso-button"') == 2
    assert 'formaction="/oauth/login/oidc/"' in body and 'formaction="/oauth/login/keycloak/"' in body
    assert body.count('name="next" value="/dcim/sites/"') == 2  # the password form's and the SSO buttons'
    assert 'Log in with OpenID Connect' in body and 'Log in with Keycloak' in body

    settings.SOCIAL_AUTH_BACKEND_ATTRS = {'oidc': ('Example Corp SSO', 'https://sso.example.com/logo.svg')}
    body = Client().get('/login/').content.decode()
    assert 'Log in with Example Corp SSO' in body and 'src="https://sso.example.com/logo.svg"' in body


def test_buttons_remain_when_the_password_form_is_hidden(oidc, settings):  # noqa: F811
    settings.LOGIN_FORM_HIDDEN = True
    body = Client().get('/login/').content.decode()
    assert 'id="id_password"' not in body and 'Log in with OpenID Connect' in body


# --- the flow -----------------------------------------------------------------------------------------------------

def test_first_login_creates_the_user_from_the_claims(oidc):  # noqa: F811
    Group.objects.create(name='netops')
    client, response = sso_login(oidc, next_path='/dcim/sites/')
    assert response.status_code == 302 and response['Location'] == '/dcim/sites/'
    assert client.get('/').status_code == 200  # logged in (the home page needs no model permission)
    user = User.objects.get(username='alice')
    assert (user.email, user.first_name, user.last_name) == ('alice@example.org', 'Alice', 'Anders')
    assert not user.has_usable_password()
    assert user.social_auth.get().uid == 'sub-alice'
    # Only existing groups are joined while SOCIAL_AUTH_AUTO_CREATE_GROUPS is off.
    assert list(user.groups.values_list('name', flat=True)) == ['netops']
    assert not Group.objects.filter(name='admins').exists()
    assert client.session['_auth_user_backend'] == OIDC_BACKEND


def test_next_login_updates_claims_and_groups(oidc, settings):  # noqa: F811
    settings.SOCIAL_AUTH_AUTO_CREATE_GROUPS = True
    sso_login(oidc)
    user = User.objects.get(username='alice')
    assert sorted(user.groups.values_list('name', flat=True)) == ['admins', 'netops']

    person = oidc.users['alice']
    person.email, person.family_name, person.groups = 'alice.anders@example.org', 'Anders-Berg', ['readers']
    client, response = sso_login(oidc)
    assert response.status_code == 302 and response['Location'] == '/'
    user.refresh_from_db()
    assert (user.email, user.last_name) == ('alice.anders@example.org', 'Anders-Berg')
    assert list(user.groups.values_list('name', flat=True)) == ['readers']
    assert User.objects.filter(username__startswith='alice').count() == 1


def test_superuser_and_staff_follow_the_group_lists(oidc, settings):  # noqa: F811
    settings.SOCIAL_AUTH_SUPERUSER_GROUPS = ['admins']
    settings.SOCIAL_AUTH_OIDC_STAFF_GROUPS = ['netops']  # per-backend spelling wins over the general one
    sso_login(oidc)
    user = User.objects.get(username='alice')
    assert user.is_superuser and user.is_staff
    oidc.users['alice'].groups = ['netops']
    sso_login(oidc)
    user.refresh_from_db()
    assert not user.is_superuser and user.is_staff


def test_without_a_group_claim_new_users_get_the_defaults(oidc, settings):  # noqa: F811
    del settings.SOCIAL_AUTH_OIDC_GROUPS_KEY
    Group.objects.create(name='viewers')
    settings.REMOTE_AUTH_DEFAULT_GROUPS = ['viewers']
    settings.REMOTE_AUTH_DEFAULT_PERMISSIONS = {'dcim.view_site': None}
    sso_login(oidc)
    user = User.objects.get(username='alice')
    assert list(user.groups.values_list('name', flat=True)) == ['viewers']
    assert ObjectPermission.objects.filter(users=user, actions=['view']).count() == 1


def test_denied_consent_returns_to_the_login_page(oidc):  # noqa: F811
    client, response = sso_login(oidc, deny=True)
    assert response.status_code == 302 and response['Location'] == '/login/'
    page, body = messages_of(client)
    assert 'Log in with OpenID Connect failed: the sign-in was cancelled or consent was refused' in body
    assert 'alert-error' in body
    assert not User.objects.filter(username='alice').exists()
    assert '_auth_user_id' not in client.session


def test_state_mismatch_is_refused(oidc):  # noqa: F811
    client = Client()
    begin = client.post('/oauth/login/oidc/')
    back = urlparse(oidc.sign_in(begin['Location'], 'alice', 'alice-pw'))
    forged = back.query.replace('state=', 'state=forged')
    response = client.get(f'{back.path}?{forged}')
    assert response.status_code == 302 and response['Location'] == '/login/'
    _, body = messages_of(client)
    assert 'Log in with OpenID Connect failed' in body and 'Please restart login' in body
    assert not User.objects.filter(username='alice').exists()


def test_disabled_account_is_refused_with_a_message(oidc):  # noqa: F811
    sso_login(oidc)
    User.objects.filter(username='alice').update(is_active=False)
    client, response = sso_login(oidc)
    assert response['Location'] == '/login/'
    _, body = messages_of(client)
    assert 'This NetBox account is disabled' in body
    assert '_auth_user_id' not in client.session


def test_unreachable_provider_is_a_message_not_an_error_page(oidc, settings):  # noqa: F811
    settings.DEBUG = True  # the stock middleware would re-raise under DEBUG; NetBox's does not
    settings.SOCIAL_AUTH_OIDC_OIDC_ENDPOINT = 'http://127.0.0.1:9'
    client = Client()
    response = client.post('/oauth/login/oidc/')
    assert response.status_code == 302 and response['Location'] == '/login/'
    _, body = messages_of(client)
    assert 'Log in with OpenID Connect failed: the identity provider could not be reached' in body
