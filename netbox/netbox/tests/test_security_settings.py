"""
Session and security settings, each shown by its effect on responses: LOGIN_*, session and CSRF cookies, CORS, HTTPS
redirects and HSTS, ALLOWED_URL_SCHEMES, AUTH_PASSWORD_VALIDATORS on every password path, and login throttling.
"""
import logging
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from netbox.configuration_loader import build_settings
from tenancy.models import Contact
from users.models import User

pytestmark = pytest.mark.django_db

LOGIN = '/login/'
SITES_API = '/api/dcim/sites/'
STRICT_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator', 'OPTIONS': {'min_length': 14}},
    {'NAME': 'django.contrib.auth.password_validation.CommonPasswordValidator'},
]


class Config:
    ALLOWED_HOSTS = ['netbox.example.com']
    DATABASE = {'NAME': 'x'}
    REDIS = {'tasks': {'HOST': 'h'}, 'caching': {'HOST': 'h'}}
    SECRET_KEY = 'k' * 50


def built(**parameters):
    return build_settings(type('Config', (Config,), parameters))


def login(client, username='alice', password='Alice-pass-123'):
    return client.post(LOGIN, {'username': username, 'password': password})


# --- LOGIN_* ------------------------------------------------------------------------------------------------------

def test_login_required_redirects_anonymous_users(settings):
    settings.LOGIN_REQUIRED = True
    response = Client().get('/dcim/sites/')
    assert response.status_code == 302 and response['Location'].startswith('/login/?next=/dcim/sites/')
    assert Client().get(SITES_API).status_code == 403


def test_login_not_required_lets_anonymous_users_read(settings):
    settings.LOGIN_REQUIRED = False
    settings.EXEMPT_VIEW_PERMISSIONS = ['dcim.site']
    assert Client().get('/dcim/sites/').status_code == 200
    assert Client().get(SITES_API).status_code == 200
    assert Client().post(SITES_API, {}, content_type='application/json').status_code == 403


def test_login_timeout_sets_the_session_cookie_lifetime(settings, plain_user):
    assert built(LOGIN_TIMEOUT=3600)['SESSION_COOKIE_AGE'] == 3600
    settings.SESSION_COOKIE_AGE = 3600
    response = login(Client())
    assert response.cookies['sessionid']['max-age'] == 3600


def test_login_persistence_renews_the_session_on_every_request(settings, plain_user):
    assert built(LOGIN_PERSISTENCE=True)['SESSION_SAVE_EVERY_REQUEST'] is True
    assert built()['SESSION_SAVE_EVERY_REQUEST'] is False
    client = Client()
    login(client)
    assert 'sessionid' not in client.get('/').cookies  # not persistent: the cookie is not renewed
    settings.SESSION_SAVE_EVERY_REQUEST = True
    assert 'sessionid' in client.get('/').cookies


def test_login_form_hidden(settings, plain_user):
    settings.LOGIN_FORM_HIDDEN = True
    page = Client().get(LOGIN).content.decode()
    assert 'name="password"' not in page
    response = login(Client())
    assert response.status_code == 403
    assert 'disabled' in response.content.decode()


def test_logout_redirect_url(settings, plain_user):
    settings.LOGOUT_REDIRECT_URL = '/login/?bye=1'
    client = Client()
    login(client)
    response = client.post('/logout/')
    assert response.status_code == 302 and response['Location'] == '/login/?bye=1'
    assert client.get('/').status_code == 302


# --- Session and CSRF cookies -------------------------------------------------------------------------------------

def test_session_cookie_name_and_secure_flag(settings, plain_user):
    settings.SESSION_COOKIE_NAME = 'nbsession'
    settings.SESSION_COOKIE_SECURE = True
    response = login(Client())
    cookie = response.cookies['nbsession']
    assert cookie['secure'] is True and cookie['httponly'] is True
    assert 'sessionid' not in response.cookies


def test_session_file_path_stores_sessions_as_files(settings, plain_user, tmp_path):
    assert built(SESSION_FILE_PATH=str(tmp_path))['SESSION_ENGINE'] == 'django.contrib.sessions.backends.file'
    assert built()['SESSION_ENGINE'] == 'django.contrib.sessions.backends.db'
    settings.SESSION_ENGINE = 'django.contrib.sessions.backends.file'
    settings.SESSION_FILE_PATH = str(tmp_path)
    client = Client()
    login(client)
    assert client.get('/').status_code == 200
    assert len(os.listdir(tmp_path)) == 1


def test_csrf_cookie_name_and_secure_flag(settings):
    settings.CSRF_COOKIE_NAME = 'nbcsrf'
    settings.CSRF_COOKIE_SECURE = True
    response = Client().get(LOGIN)
    assert response.cookies['nbcsrf']['secure'] is True


def test_cookie_httponly_and_samesite(settings, plain_user):
    settings.CSRF_COOKIE_HTTPONLY = True
    settings.CSRF_COOKIE_SAMESITE = 'Strict'
    settings.SESSION_COOKIE_SAMESITE = 'Strict'
    client = Client()
    assert client.get(LOGIN).cookies['csrftoken']['httponly'] is True
    assert client.get(LOGIN).cookies['csrftoken']['samesite'] == 'Strict'
    assert login(client).cookies['sessionid']['samesite'] == 'Strict'
    # The login form still works: the token travels in the form, not read by JavaScript.
    strict = Client(enforce_csrf_checks=True)
    token = strict.get(LOGIN).cookies['csrftoken'].value
    response = strict.post(LOGIN, {'username': 'alice', 'password': 'Alice-pass-123', 'csrfmiddlewaretoken': token})
    assert response.status_code == 302


def test_cookies_follow_base_path():
    assert built(BASE_PATH='netbox')['SESSION_COOKIE_PATH'] == '/netbox/'
    assert built()['CSRF_COOKIE_PATH'] == '/'


def test_csrf_trusted_origins(settings, plain_user):
    def post_from(origin):
        client = Client(enforce_csrf_checks=True)
        token = client.get(LOGIN).cookies['csrftoken'].value
        return client.post(LOGIN, {'username': 'alice', 'password': 'Alice-pass-123', 'csrfmiddlewaretoken': token},
                           HTTP_ORIGIN=origin)

    assert post_from('https://proxy.example.com').status_code == 403
    settings.CSRF_TRUSTED_ORIGINS = ['https://proxy.example.com']
    assert post_from('https://proxy.example.com').status_code == 302
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match='scheme'):
        built(CSRF_TRUSTED_ORIGINS=['proxy.example.com'])


# --- CORS ---------------------------------------------------------------------------------------------------------

def preflight(origin):
    return Client().options(SITES_API, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD='GET')


def test_cors_closed_by_default(settings):
    assert 'access-control-allow-origin' not in preflight('https://tools.example.com').headers


def test_cors_origin_allow_all(settings):
    assert built(CORS_ORIGIN_ALLOW_ALL=True)['CORS_ALLOW_ALL_ORIGINS'] is True
    settings.CORS_ALLOW_ALL_ORIGINS = True
    assert preflight('https://anything.example.net').headers['access-control-allow-origin'] in (
        '*', 'https://anything.example.net')


def test_cors_origin_whitelist_and_regex(settings):
    parameters = built(CORS_ORIGIN_WHITELIST=['https://tools.example.com'],
                       CORS_ORIGIN_REGEX_WHITELIST=[r'^https://\w+\.lab\.example\.com$'])
    settings.CORS_ALLOWED_ORIGINS = parameters['CORS_ALLOWED_ORIGINS']
    settings.CORS_ALLOWED_ORIGIN_REGEXES = parameters['CORS_ALLOWED_ORIGIN_REGEXES']
    assert preflight('https://tools.example.com').headers['access-control-allow-origin'] == \
        'https://tools.example.com'
    assert preflight('https://r1.lab.example.com').headers['access-control-allow-origin'] == \
        'https://r1.lab.example.com'
    assert 'access-control-allow-origin' not in preflight('https://evil.example.org').headers


# --- HTTPS --------------------------------------------------------------------------------------------------------

def test_secure_ssl_redirect_and_proxy_header(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get(LOGIN)
    assert response.status_code == 301 and response['Location'] == 'https://testserver/login/'
    # Behind a proxy that terminated TLS and says so (SECURE_PROXY_SSL_HEADER), no redirect.
    assert Client().get(LOGIN, HTTP_X_FORWARDED_PROTO='https').status_code == 200
    settings.SECURE_PROXY_SSL_HEADER = ('HTTP_X_SCHEME', 'https')
    assert Client().get(LOGIN, HTTP_X_FORWARDED_PROTO='https').status_code == 301
    assert Client().get(LOGIN, HTTP_X_SCHEME='https').status_code == 200


def test_secure_proxy_ssl_header_is_validated():
    from django.core.exceptions import ImproperlyConfigured

    assert built()['SECURE_PROXY_SSL_HEADER'] == ('HTTP_X_FORWARDED_PROTO', 'https')
    assert built(SECURE_PROXY_SSL_HEADER=None)['SECURE_PROXY_SSL_HEADER'] is None
    with pytest.raises(ImproperlyConfigured, match='SECURE_PROXY_SSL_HEADER'):
        built(SECURE_PROXY_SSL_HEADER='https')


def test_hsts_header(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = Client().get(LOGIN, secure=True)
    assert response['Strict-Transport-Security'] == 'max-age=31536000; includeSubDomains; preload'
    assert 'Strict-Transport-Security' not in Client().get(LOGIN).headers  # never over plain HTTP


# --- ALLOWED_URL_SCHEMES ------------------------------------------------------------------------------------------

def test_allowed_url_schemes_in_rendered_links(settings, superuser):
    from netbox.ui.schemes import url_allowed

    contact = Contact.objects.create(name='Ops')
    Contact.objects.filter(pk=contact.pk).update(link='javascript:alert(1)')  # stored by some other path
    client = Client()
    client.force_login(superuser)
    response = client.get(f'/tenancy/contacts/{contact.pk}/')
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert 'href="javascript:alert(1)"' not in page
    assert 'javascript:alert(1)' in page  # shown as text
    Contact.objects.filter(pk=contact.pk).update(link='https://wiki.example.com/ops')
    page = client.get(f'/tenancy/contacts/{contact.pk}/').content.decode()
    assert 'href="https://wiki.example.com/ops"' in page
    settings.ALLOWED_URL_SCHEMES = ['ssh']  # configuration.py overrides the dynamic parameter
    settings.CONFIG_OVERRIDES = {**settings.CONFIG_OVERRIDES, 'ALLOWED_URL_SCHEMES': ['ssh']}
    from netbox.dynamic_config import clear_config

    clear_config()
    assert url_allowed('ssh://router1') and not url_allowed('https://wiki.example.com')
    assert not url_allowed(' java\tscript:alert(1)') and url_allowed('/dcim/sites/')


def test_allowed_url_schemes_for_url_custom_fields(superuser):
    from django.contrib.contenttypes.models import ContentType

    from extras.models import CustomField

    field = CustomField.objects.create(name='runbook', type='url')
    field.object_types.add(ContentType.objects.get_for_model(Contact))
    contact = Contact.objects.create(name='Noc')
    Contact.objects.filter(pk=contact.pk).update(custom_field_data={'runbook': 'vbscript:msgbox(1)'})
    client = Client()
    client.force_login(superuser)
    page = client.get(f'/tenancy/contacts/{contact.pk}/').content.decode()
    assert 'vbscript:msgbox(1)' in page and 'href="vbscript:' not in page
    Contact.objects.filter(pk=contact.pk).update(custom_field_data={'runbook': 'ssh://jump.example.com'})
    page = client.get(f'/tenancy/contacts/{contact.pk}/').content.decode()
    assert 'href="ssh://jump.example.com"' in page


# --- AUTH_PASSWORD_VALIDATORS -------------------------------------------------------------------------------------

@pytest.fixture
def strict_passwords(settings):
    settings.AUTH_PASSWORD_VALIDATORS = STRICT_VALIDATORS
    return settings


def test_password_validators_on_api_create_and_update(api, plain_user, strict_passwords):
    response = api.post('/api/users/users/', {'username': 'bob', 'password': 'short'}, format='json')
    assert response.status_code == 400 and 'password' in response.json()
    assert 'at least 14 characters' in str(response.json()['password'])
    response = api.patch(f'/api/users/users/{plain_user.pk}/', {'password': 'password123'}, format='json')
    assert response.status_code == 400 and 'password' in response.json()
    good = api.post('/api/users/users/', {'username': 'bob', 'password': 'Correct-horse-battery-9'}, format='json')
    assert good.status_code == 201
    assert User.objects.get(username='bob').check_password('Correct-horse-battery-9')


def test_password_validators_on_the_ui_user_form(superuser, strict_passwords):
    client = Client()
    client.force_login(superuser)
    response = client.post('/users/users/add/', {'username': 'bob', 'password': 'short', 'is_active': 'on'})
    assert response.status_code == 200
    assert 'at least 14 characters' in response.content.decode()
    assert not User.objects.filter(username='bob').exists()


def test_password_validators_in_the_admin(superuser, plain_user, strict_passwords):
    client = Client()
    client.force_login(superuser)
    response = client.post(f'/admin/users/user/{plain_user.pk}/password/',
                           {'password1': 'short', 'password2': 'short'})
    assert response.status_code == 200
    assert 'at least 14 characters' in response.content.decode()
    plain_user.refresh_from_db()
    assert plain_user.check_password('Alice-pass-123')
    response = client.post(f'/admin/users/user/{plain_user.pk}/password/',
                           {'password1': 'Correct-horse-battery-9', 'password2': 'Correct-horse-battery-9'})
    assert response.status_code == 302
    plain_user.refresh_from_db()
    assert plain_user.check_password('Correct-horse-battery-9')


def test_password_validators_on_the_admin_add_user_page(superuser, strict_passwords):
    client = Client()
    client.force_login(superuser)
    data = {'username': 'bob', 'usable_password': 'true', 'password1': 'short', 'password2': 'short'}
    response = client.post('/admin/users/user/add/', data)
    assert response.status_code == 200
    assert 'at least 14 characters' in response.content.decode()
    assert not User.objects.filter(username='bob').exists()
    data.update(password1='Correct-horse-battery-9', password2='Correct-horse-battery-9')
    assert client.post('/admin/users/user/add/', data).status_code == 302
    assert User.objects.get(username='bob').check_password('Correct-horse-battery-9')


def test_password_validators_in_createsuperuser(strict_passwords, monkeypatch):
    monkeypatch.setenv('DJANGO_SUPERUSER_PASSWORD', 'short')
    with pytest.raises(CommandError, match='at least 14 characters'):
        call_command('createsuperuser', '--noinput', '--username', 'boss', '--email', 'b@example.com',
                     stdout=StringIO(), stderr=StringIO())
    assert not User.objects.filter(username='boss').exists()
    monkeypatch.setenv('DJANGO_SUPERUSER_PASSWORD', 'Correct-horse-battery-9')
    call_command('createsuperuser', '--noinput', '--username', 'boss', '--email', 'b@example.com',
                 stdout=StringIO(), stderr=StringIO())
    assert User.objects.get(username='boss').is_superuser


# --- Login throttling and logging ---------------------------------------------------------------------------------

def test_failed_login_is_logged_without_the_password(plain_user, caplog):
    with caplog.at_level(logging.WARNING, logger='netbox.auth.login'):
        response = login(Client(), password='Wrong-secret-42')
    assert response.status_code == 200
    assert 'Failed login for user "alice" from 127.0.0.1' in caplog.text
    assert 'Wrong-secret-42' not in caplog.text


def test_login_attempts_limited_per_user(settings, plain_user):
    settings.LOGIN_ATTEMPTS_PER_USER = 3
    for _ in range(3):
        assert 'Too many' not in login(Client(), password='wrong').content.decode()
    # Now even the right password is refused, with a message that says why, from any address.
    response = Client(REMOTE_ADDR='10.0.0.9').post(LOGIN, {'username': 'ALICE ', 'password': 'Alice-pass-123'})
    assert response.status_code == 200
    assert 'Too many failed login attempts' in response.content.decode()
    assert '_auth_user_id' not in response.wsgi_request.session
    # Other users are not affected.
    User.objects.create_user('bob', password='Bob-pass-12345')
    assert login(Client(), 'bob', 'Bob-pass-12345').status_code == 302


def test_login_attempts_limited_per_address(settings, plain_user):
    settings.LOGIN_ATTEMPTS_PER_USER = 0
    settings.LOGIN_ATTEMPTS_PER_IP = 4
    for number in range(4):
        login(Client(), username=f'guess{number}', password='wrong')
    assert 'Too many' in login(Client()).content.decode()
    assert login(Client(REMOTE_ADDR='10.1.2.3')).status_code == 302  # another address is fine


def test_throttle_covers_token_provisioning_and_admin(settings, plain_user):
    settings.LOGIN_ATTEMPTS_PER_USER = 2
    provision = '/api/users/tokens/provision/'
    for _ in range(2):
        response = Client().post(provision, {'username': 'alice', 'password': 'wrong'},
                                 content_type='application/json')
        assert response.status_code == 403
    response = Client().post(provision, {'username': 'alice', 'password': 'Alice-pass-123'},
                             content_type='application/json')
    assert response.status_code == 429 and 'Too many failed login attempts' in response.json()['detail']
    # The throttle backend stops every password login, whichever form asked.
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    assert authenticate(RequestFactory().post('/admin/login/'), username='alice', password='Alice-pass-123') is None


def test_successful_login_clears_the_user_counter(settings, plain_user):
    settings.LOGIN_ATTEMPTS_PER_USER = 3
    login(Client(), password='wrong')
    login(Client(), password='wrong')
    assert login(Client()).status_code == 302
    login(Client(), password='wrong')
    login(Client(), password='wrong')
    assert login(Client()).status_code == 302


def test_login_attempt_parameters_are_validated():
    from django.core.exceptions import ImproperlyConfigured

    assert built()['LOGIN_ATTEMPTS_PER_USER'] == 10
    with pytest.raises(ImproperlyConfigured, match='LOGIN_ATTEMPTS_WINDOW'):
        built(LOGIN_ATTEMPTS_WINDOW=-1)
