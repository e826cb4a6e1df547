"""
Operator features: sanitised banners, maintenance mode (read-only API and UI, no last_login), configuration revision
pages (parameters, diff, restore, permissions) and Sentry reporting to a local ingest endpoint.
"""
import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from core.models import ConfigRevision
from netbox.dynamic_config import clear_config, get_config, publish_revision_data
from netbox.testing import grant

pytestmark = pytest.mark.django_db

MAINTENANCE = override_settings(CONFIG_OVERRIDES={'MAINTENANCE_MODE': True})
NASTY = ('<b>Bold</b> <a href="https://example.com/x">link</a><script>alert(1)</script>'
         '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">bad</a>')


@pytest.fixture
def tenant(db):
    from tenancy.models import Tenant

    return Tenant.objects.create(name='Acme', slug='acme')


# Banners


def assert_sanitised(html):
    assert '<b>Bold</b>' in html
    assert 'href="https://example.com/x"' in html
    assert '<script>' not in html and 'alert(1)' not in html
    assert 'onerror' not in html
    assert 'javascript:' not in html


def test_top_and_bottom_banners_are_shown_sanitised(admin_client):
    publish_revision_data({'BANNER_TOP': f'TOP {NASTY}', 'BANNER_BOTTOM': 'Bottom <em>note</em>'})
    html = admin_client.get('/').content.decode()
    top = html[html.index('banner-top'):html.index('class="layout"')]
    assert 'TOP' in top
    assert_sanitised(top)
    assert 'Bottom <em>note</em>' in html
    # On an object list too: every page carries them.
    assert 'banner-top' in admin_client.get('/tenancy/tenants/').content.decode()


def test_login_banner_is_shown_sanitised(client):
    publish_revision_data({'BANNER_LOGIN': f'LOGIN {NASTY}'})
    html = client.get(reverse('login')).content.decode()
    assert 'LOGIN' in html
    assert_sanitised(html[html.index('banner-login'):])


def test_no_banner_markup_when_unset(admin_client):
    html = admin_client.get('/').content.decode()
    assert 'banner-top' not in html and 'banner-bottom' not in html and 'banner-maintenance' not in html


# Maintenance mode: the API


def test_api_writes_get_503_and_reads_stay_200(api, tenant):
    from tenancy.models import Tenant

    with MAINTENANCE:
        assert api.get('/api/tenancy/tenants/').status_code == 200
        created = api.post('/api/tenancy/tenants/', {'name': 'New', 'slug': 'new'}, format='json')
        assert created.status_code == 503
        assert 'maintenance mode' in created.json()['detail']
        assert created['API-Version']
        patched = api.patch(f'/api/tenancy/tenants/{tenant.pk}/', {'name': 'Changed'}, format='json')
        assert patched.status_code == 503 and 'detail' in patched.json()
        assert api.put(f'/api/tenancy/tenants/{tenant.pk}/', {'name': 'X', 'slug': 'x'},
                       format='json').status_code == 503
        assert api.delete(f'/api/tenancy/tenants/{tenant.pk}/').status_code == 503
        # Token provisioning writes a token: refused as well.
        provision = api.post('/api/users/tokens/provision/', {'username': 'root', 'password': 'Root-pass-123'},
                             format='json')
        assert provision.status_code == 503
    assert list(Tenant.objects.values_list('name', flat=True)) == ['Acme']
    # Out of maintenance the same write works.
    assert api.post('/api/tenancy/tenants/', {'name': 'New', 'slug': 'new'}, format='json').status_code == 201


def test_maintenance_mode_from_the_active_revision(api, django_capture_on_commit_callbacks):
    revision = ConfigRevision.objects.create(data={'MAINTENANCE_MODE': True})
    with django_capture_on_commit_callbacks(execute=True):
        revision.activate()
    response = api.post('/api/tenancy/tenants/', {'name': 'New', 'slug': 'new'}, format='json')
    assert response.status_code == 503


def test_token_last_used_not_written_in_maintenance(api):
    token = api.token
    type(token).objects.filter(pk=token.pk).update(last_used=None)
    with MAINTENANCE:
        assert api.get('/api/tenancy/tenants/').status_code == 200
    token.refresh_from_db()
    assert token.last_used is None
    assert api.get('/api/tenancy/tenants/').status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None


# Maintenance mode: the UI


def test_ui_write_is_blocked_with_a_message(admin_client, tenant):
    from tenancy.models import Tenant

    edit_url = f'/tenancy/tenants/{tenant.pk}/edit/'
    with MAINTENANCE:
        page = admin_client.get(edit_url)
        assert page.status_code == 200
        assert 'banner-maintenance' in page.content.decode()
        response = admin_client.post(edit_url, {'name': 'Changed', 'slug': 'changed'},
                                     HTTP_REFERER=f'http://testserver{edit_url}')
        assert response.status_code == 302 and response['Location'].endswith(edit_url)
        followed = admin_client.get(response['Location']).content.decode()
        assert 'NetBox is in maintenance mode' in followed
        assert admin_client.post(f'/tenancy/tenants/{tenant.pk}/delete/', {'confirm': 'true'}).status_code == 302
        added = admin_client.post('/tenancy/tenants/add/', {'name': 'Other', 'slug': 'other'})
        assert added.status_code == 302 and added['Location'] == '/tenancy/tenants/add/'
    assert list(Tenant.objects.values_list('name', flat=True)) == ['Acme']


def test_login_and_logout_still_work_without_recording_last_login(client, superuser):
    with MAINTENANCE:
        response = client.post(reverse('login'), {'username': 'root', 'password': 'Root-pass-123'})
        assert response.status_code == 302
        assert client.get('/').status_code == 200  # logged in
        superuser.refresh_from_db()
        assert superuser.last_login is None
        assert client.post(reverse('logout')).status_code == 302
    client.post(reverse('login'), {'username': 'root', 'password': 'Root-pass-123'})
    superuser.refresh_from_db()
    assert superuser.last_login is not None


def test_preferences_can_still_be_saved(admin_client):
    with MAINTENANCE:
        response = admin_client.post(reverse('account:preferences'), {})
    assert 'NetBox is in maintenance mode' not in admin_client.get('/').content.decode()
    assert response.status_code in (200, 302)


# Configuration revisions


@pytest.fixture
def revisions(db, django_capture_on_commit_callbacks):
    active = ConfigRevision.objects.create(comment='Current', data={'PAGINATE_COUNT': 25, 'BANNER_TOP': 'Old'})
    with django_capture_on_commit_callbacks(execute=True):
        active.activate()
    older = ConfigRevision.objects.create(comment='Older', data={'PAGINATE_COUNT': 100, 'BANNER_TOP': 'Old',
                                                                  'MAINTENANCE_MODE': True})
    return active, older


def test_list_and_detail_with_parameters_and_diff(admin_client, revisions):
    active, older = revisions
    listing = admin_client.get('/core/config-revisions/').content.decode()
    assert 'Current' in listing and 'Older' in listing
    assert admin_client.get('/core/config-revisions/add/').status_code == 200
    assert 'Config revisions' in admin_client.get('/').content.decode()  # in the Admin menu
    html = admin_client.get(older.get_absolute_url()).content.decode()
    assert 'data-parameter="PAGINATE_COUNT"' in html and '<code>100</code>' in html
    diff = html[html.index('id="config-diff"'):]
    # Changed parameters, old → new; BANNER_TOP is the same in both and is not listed.
    assert 'data-parameter="PAGINATE_COUNT"' in diff
    assert diff.index('<code>25</code>') < diff.index('<code>100</code>')
    assert 'data-parameter="MAINTENANCE_MODE"' in diff
    assert 'data-parameter="BANNER_TOP"' not in diff
    assert 'Restore this revision' in diff
    active_page = admin_client.get(active.get_absolute_url()).content.decode()
    assert 'This revision is the active configuration' in active_page
    assert 'Restore this revision' not in active_page


def test_restore_makes_the_revision_active(admin_client, revisions, django_capture_on_commit_callbacks):
    active, older = revisions
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse('core:configrevision_restore', args=[older.pk]))
    assert response.status_code == 302 and response['Location'] == older.get_absolute_url()
    assert list(ConfigRevision.objects.filter(active=True)) == [older]
    clear_config()
    assert get_config().PAGINATE_COUNT == 100
    assert get_config().MAINTENANCE_MODE is True
    assert 'Restored Older' in admin_client.get(older.get_absolute_url()).content.decode()
    # In maintenance mode the revisions stay writable: restoring the earlier one turns it off again.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse('core:configrevision_restore', args=[active.pk]))
    clear_config()
    assert get_config().MAINTENANCE_MODE is False and get_config().PAGINATE_COUNT == 25


def test_permissions(client, plain_user, revisions):
    active, older = revisions
    client.force_login(plain_user)
    assert client.get('/core/config-revisions/').status_code == 403
    assert client.get(older.get_absolute_url()).status_code == 403
    assert client.post(reverse('core:configrevision_restore', args=[older.pk])).status_code == 403
    grant(plain_user, ConfigRevision, ['view'])
    assert client.get(older.get_absolute_url()).status_code == 200
    assert 'Restore this revision' not in client.get(older.get_absolute_url()).content.decode()
    assert client.post(reverse('core:configrevision_restore', args=[older.pk])).status_code == 403
    assert list(ConfigRevision.objects.filter(active=True)) == [active]
    grant(plain_user, ConfigRevision, ['change'])
    assert 'Restore this revision' in client.get(older.get_absolute_url()).content.decode()
    assert client.post(reverse('core:configrevision_restore', args=[older.pk])).status_code == 302
    assert list(ConfigRevision.objects.filter(active=True)) == [older]


# Sentry


class IngestHandler(BaseHTTPRequestHandler):
    """Records every envelope posted to it, as a Sentry ingest endpoint receives them."""

    received = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        if self.headers.get('Content-Encoding') == 'gzip':
            body = gzip.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.end_headers()
        self.wfile.write(b'{}')

    def log_message(self, *args):
        pass


SENTRY_SCRIPT = '''
import django
django.setup()
import sentry_sdk
print('integrations', sorted(sentry_sdk.get_client().integrations))
try:
    1 / 0
except ZeroDivisionError as exc:
    sentry_sdk.capture_exception(exc)
sentry_sdk.flush(10)
'''


def test_sentry_reports_exceptions_with_the_configured_tags():
    IngestHandler.received = []
    server = HTTPServer(('127.0.0.1', 0), IngestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        env = {**os.environ, 'DJANGO_SETTINGS_MODULE': 'netbox.settings_testing', 'SENTRY_ENABLED': 'true',
               'SENTRY_DSN': f'http://publickey@127.0.0.1:{port}/1',
               'SENTRY_TAGS': json.dumps({'site': 'dc1', 'role': 'primary'})}
        netbox_dir = Path(__file__).resolve().parents[2]
        result = subprocess.run([sys.executable, '-c', SENTRY_SCRIPT], cwd=netbox_dir, env=env, capture_output=True,
                                text=True, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    assert "'django'" in result.stdout
    envelopes = [body for path, body in IngestHandler.received if path.startswith('/api/1/envelope/')]
    assert envelopes, IngestHandler.received
    events = []
    for body in envelopes:
        lines = body.split(b'\n')
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get('type') == 'event':
                events.append(json.loads(payload))
    assert len(events) == 1
    event = events[0]
    assert event['exception']['values'][-1]['type'] == 'ZeroDivisionError'
    assert event['tags']['site'] == 'dc1' and event['tags']['role'] == 'primary'
    assert event['release'] == 'netbox@4.7.3'
