"""API basics: status, the API-Version header, authentication errors, the root, JSON errors; UI login and admin."""
import platform
import socket

import django
import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

from netbox.api import views as api_views

pytestmark = pytest.mark.django_db

API_APPS = ['circuits', 'core', 'dcim', 'extras', 'ipam', 'plugins', 'status', 'tenancy', 'users', 'virtualization',
            'vpn', 'wireless']
STATUS_KEYS = {'django-version', 'hostname', 'installed_apps', 'netbox-version', 'netbox-full-version', 'plugins',
               'python-version', 'rq-workers-running'}








@pytest.fixture
def tenant(db):
    from tenancy.models import Tenant

    return Tenant.objects.create(name='Acme', slug='acme')


def assert_json(response):
    assert response['Content-Type'].startswith('application/json'), (response['Content-Type'], response.content[:200])
    return response.json()


# Status


def test_status_for_an_authenticated_user(api):
    response = api.get('/api/status/')
    assert response.status_code == 200, response.content
    body = assert_json(response)
    assert set(body) == STATUS_KEYS
    assert body['django-version'] == django.__version__
    assert body['netbox-version'] == settings.VERSION
    assert body['python-version'] == platform.python_version()
    assert isinstance(body['installed_apps'], dict)
    assert 'rest_framework' in body['installed_apps']
    assert isinstance(body['plugins'], dict)
    assert isinstance(body['rq-workers-running'], int)
    assert body['hostname'] == socket.gethostname()


def test_status_needs_no_running_worker(api, monkeypatch):
    """With Redis unreachable the status still answers, reporting no workers."""
    def unreachable(*args, **kwargs):
        raise ConnectionError('Redis is down')

    monkeypatch.setattr(api_views, 'get_redis_connection', unreachable)
    response = api.get('/api/status/')
    assert response.status_code == 200
    assert response.json()['rq-workers-running'] == 0


def test_status_requires_authentication():
    response = APIClient().get('/api/status/')
    assert response.status_code == 403
    assert assert_json(response) == {'detail': 'Authentication credentials were not provided.'}


# The API-Version header


@pytest.mark.parametrize('path', [
    '/api/', '/api/status/', '/api/tenancy/tenants/', '/api/tenancy/tenants/999999999/', '/api/users/users/',
])
def test_api_version_header_on_authenticated_responses(api, path):
    response = api.get(path)
    assert response['API-Version'] == '4.7'
    assert response['API-Version'] == settings.API_VERSION


@pytest.mark.parametrize('path', ['/api/', '/api/status/', '/api/tenancy/tenants/'])
def test_api_version_header_on_anonymous_responses(path):
    assert APIClient().get(path)['API-Version'] == '4.7'


def test_api_version_header_on_write_errors(api):
    response = api.post('/api/tenancy/tenants/', {'name': ''}, format='json')
    assert response.status_code == 400
    assert response['API-Version'] == '4.7'


def test_no_api_version_header_outside_the_api(superuser):
    client = Client()
    client.force_login(superuser)
    response = client.get('/admin/')
    assert response.status_code == 200
    assert 'API-Version' not in response


# Authentication


def test_anonymous_list_is_refused_while_login_is_required():
    with override_settings(LOGIN_REQUIRED=True):
        response = APIClient().get('/api/tenancy/tenants/')
    assert response.status_code == 403
    assert assert_json(response) == {'detail': 'Authentication credentials were not provided.'}


def test_invalid_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION='Token 0123456789abcdef0123456789abcdef01234567')
    response = client.get('/api/tenancy/tenants/')
    assert response.status_code == 403
    assert assert_json(response) == {'detail': 'Invalid token'}


def test_session_login_works_for_the_api(superuser):
    client = APIClient()
    client.force_login(superuser)
    assert client.get('/api/tenancy/tenants/').status_code == 200


# The API root


def test_api_root_lists_every_app(api):
    response = api.get('/api/')
    assert response.status_code == 200
    body = assert_json(response)
    assert sorted(body) == API_APPS
    assert body['status'].endswith('/api/status/')
    for app in API_APPS:
        if app != 'status':
            assert body[app].endswith(f'/api/{app}/'), body[app]


def test_api_root_links_lead_somewhere(api):
    for app, url in api.get('/api/').json().items():
        response = api.get(url)
        assert response.status_code == 200, (app, url, response.status_code)


# JSON errors


def test_unknown_object_is_a_json_404(api, tenant):
    response = api.get(f'/api/tenancy/tenants/{tenant.pk + 1000}/')
    assert response.status_code == 404
    body = assert_json(response)
    assert 'detail' in body
    assert b'<html' not in response.content.lower()


def test_existing_object_is_found(api, tenant):
    response = api.get(f'/api/tenancy/tenants/{tenant.pk}/')
    assert response.status_code == 200
    assert response.json()['name'] == 'Acme'


def test_error_raised_in_a_view_is_json(api, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError('the view broke')

    monkeypatch.setattr(api_views.StatusView, 'get', broken)
    response = api.get('/api/status/')
    assert response.status_code == 500
    assert assert_json(response) == {'error': 'the view broke', 'exception': 'RuntimeError'}
    assert response['API-Version'] == '4.7'


def test_error_escaping_the_view_is_json(api, monkeypatch):
    """An error raised after DRF's own error handling (while finalising the response) reaches the middleware."""
    def broken(self, request, response, *args, **kwargs):
        raise ValueError('escaped the view')

    monkeypatch.setattr(api_views.StatusView, 'finalize_response', broken)
    api.raise_request_exception = False
    response = api.get('/api/status/')
    assert response.status_code == 500
    assert assert_json(response) == {'error': 'escaped the view', 'exception': 'ValueError'}
    assert response['API-Version'] == '4.7'


def test_error_outside_any_view_is_json_on_api_paths(api, monkeypatch):
    """Errors raised around the view (in request middleware) still get a JSON answer under /api/."""
    from netbox import middleware

    class BrokenContext:
        def __init__(self, *args, **kwargs):
            raise RuntimeError('middleware broke')

    monkeypatch.setattr(middleware, 'ChangeContext', BrokenContext)
    api.raise_request_exception = False
    response = api.get('/api/status/')
    assert response.status_code == 500
    body = assert_json(response)
    assert 'error' in body or 'detail' in body


# UI login and admin


def test_ui_home_redirects_anonymous_users_to_login():
    response = Client().get('/')
    assert response.status_code == 302
    assert response['Location'].startswith('/login/')
    assert 'next=/' in response['Location']


def test_admin_is_reachable_for_a_staff_superuser(superuser):
    client = Client()
    client.force_login(superuser)
    response = client.get('/admin/')
    assert response.status_code == 200
    assert b'Site administration' in response.content or b'administration' in response.content.lower()


def test_admin_user_list_is_reachable_for_a_staff_superuser(superuser):
    client = Client()
    client.force_login(superuser)
    assert client.get('/admin/users/user/').status_code == 200


# Transport


def test_big_json_responses_are_gzipped_for_clients_that_accept_it(admin_user):
    import gzip
    import json

    from netbox.testing import client_for
    from tenancy.models import Tenant

    Tenant.objects.bulk_create([Tenant(name=f'Tenant {n}', slug=f'tenant-{n}') for n in range(30)])
    api = client_for(admin_user)
    plain = api.get('/api/tenancy/tenants/')
    packed = api.get('/api/tenancy/tenants/', HTTP_ACCEPT_ENCODING='gzip, deflate')
    assert 'Content-Encoding' not in plain and len(plain.content) > 1024
    assert packed['Content-Encoding'] == 'gzip' and 'Accept-Encoding' in packed['Vary']
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert len(packed.content) < len(plain.content) / 3


def test_small_json_and_html_pages_are_not_compressed(admin_user):
    from netbox.testing import client_for

    small = client_for(admin_user).get('/api/tenancy/tenants/', HTTP_ACCEPT_ENCODING='gzip')
    assert small.status_code == 200 and len(small.content) < 1024 and 'Content-Encoding' not in small
    browser = Client()
    browser.force_login(admin_user)
    page = browser.get('/tenancy/tenants/', HTTP_ACCEPT_ENCODING='gzip')
    assert page.status_code == 200 and len(page.content) > 1024
    assert 'Content-Encoding' not in page  # HTML stays plain (BREACH)
