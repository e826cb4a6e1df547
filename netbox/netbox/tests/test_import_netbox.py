"""manage.py import_netbox against a live server of our own as the source: a second database filled with every model
(manage.py demo_data), served by gunicorn; everything is copied into the test database and verified equal, a re-run
with --update changes nothing and picks up a changed object, and the errors are one clear line each."""
import io
import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import psycopg
import pytest
import requests
from django.core.management import CommandError, call_command
from django.db import connection

from netbox.testing import worker_environment

REPO = Path(__file__).resolve().parents[3]
MANAGE = REPO / 'manage.py'

pytestmark = pytest.mark.django_db(transaction=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def admin_connection():
    settings = connection.settings_dict
    return psycopg.connect(dbname='postgres', user=settings['USER'] or None, host=settings['HOST'] or None,
                           port=settings['PORT'] or None, password=settings['PASSWORD'] or None, autocommit=True)


def manage(*args, env):
    result = subprocess.run([sys.executable, str(MANAGE), *args], env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture
def source(django_db_setup, tmp_path):
    """A NetBox of our own with every model filled, under gunicorn: (base URL, API token, environment)."""
    target = connection.settings_dict['NAME']
    name = f'{target}_source'
    connection.close()
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{target}"')  # the migrated, empty test database
    media = tmp_path / 'media'
    media.mkdir()
    env = worker_environment(DB_NAME=name, NETBOX_TEST_MEDIA_ROOT=str(media),
                             NETBOX_CONFIGURATION='netbox.configuration_testing')
    manage('demo_data', '--count', '1', '--devices', '6', '-v', '0', env=env)
    token = manage('shell', '-c', 'from users.models import User; from netbox.testing import make_token; '
                   'print(make_token(User.objects.create_superuser("importer", password="Importer-pass-1"), '
                   'version=2).token_value)', env=env).strip().splitlines()[-1]
    port = free_port()
    log = open(tmp_path / 'gunicorn.log', 'w')
    process = subprocess.Popen([str(Path(sys.executable).parent / 'gunicorn'), 'netbox.wsgi', '--chdir',
                                str(REPO / 'netbox'), '--bind', f'127.0.0.1:{port}', '--workers', '2',
                                '--timeout', '120'], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f'http://127.0.0.1:{port}'
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f'{base}/api/status/', headers={'Authorization': f'Bearer {token}'},
                                timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f'gunicorn did not start: {(tmp_path / "gunicorn.log").read_text()[-3000:]}')
            time.sleep(0.3)
        yield base, token, env
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()
        with admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_import(*args):
    out = io.StringIO()
    try:
        call_command('import_netbox', *args, '-v', '0', stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + f'\nCommandError: {exc}'
    return True, out.getvalue()


def test_import_everything_then_update(source):
    from core.models import ImportedObject, ObjectChange
    from dcim.models import Cable, Device, Interface
    from extras.models import Tag
    from netbox.api.fields import api_list_path
    from netbox.registry import registry
    from users.models import User

    base, token, _ = source
    ok, output = run_import('--url', base, '--token', token)
    assert ok, output
    assert 'Every object is equal to the source.' in output
    # Every copied model is in the per-model table, with all its objects equal.
    headers = requests.Session()
    headers.headers['Authorization'] = f'Bearer {token}'
    for declaration in registry:
        label = declaration.label()
        if label in ('core.objectchange', 'core.job', 'core.datafile', 'users.token', 'extras.script'):
            assert f'Not copied: {label}' in output
            continue
        count = headers.get(f'{base}{api_list_path(declaration.model)}',
                            params={'limit': 1, 'brief': 1}).json()['count']
        line = next(line for line in output.splitlines() if line.startswith(f'{label} '))
        assert line.split()[1:] == [str(count), str(count), str(count), '0', '0'], line
        if label not in ('users.user', 'core.objecttype'):
            assert count > 0, f'the source has no {label}'
    # Nothing imported is in the change log; every copy is remembered; cable paths were worked out here.
    assert not ObjectChange.objects.exists()
    assert ImportedObject.objects.filter(source=base).count() > 1000
    assert Cable.objects.count() > 0
    connected = Interface.objects.filter(name='eno1', cable__isnull=False).first()
    assert connected is not None and connected._path_id is not None
    # Users come without a usable password.
    assert not any(user.has_usable_password() for user in User.objects.all())

    # A token the source refuses is one line.
    with pytest.raises(CommandError, match=r'refused the token \(403\): give a valid API token\.$'):
        call_command('import_netbox', '--url', base, '--token', 'nbt_nosuchkey.secret', '-v', '0')

    # A second run without --update is refused; with it, nothing changes.
    ok, output = run_import('--url', base, '--token', token)
    assert not ok and '--update' in output
    ok, output = run_import('--url', base, '--token', token, '--update')
    assert ok, output
    assert ' 0 created, 0 updated;' in output

    # A changed object and a new one in the source are picked up.
    device = headers.get(f'{base}/api/dcim/devices/', params={'name': 'ams1-srv1'}).json()['results'][0]
    response = headers.patch(f'{base}/api/dcim/devices/{device["id"]}/', json={'serial': 'SN-CHANGED'})
    assert response.status_code == 200, response.text
    response = headers.post(f'{base}/api/extras/tags/', json={'name': 'Imported later', 'slug': 'imported-later'})
    assert response.status_code == 201, response.text
    ok, output = run_import('--url', base, '--token', token, '--update')
    assert ok, output
    assert ' 1 created, 1 updated;' in output
    local = ImportedObject.objects.get(source=base, object_type__model='device', source_id=device['id']).local_id
    assert Device.objects.get(pk=local).serial == 'SN-CHANGED'
    assert not ObjectChange.objects.exists()

    # An object the source has but we cannot create is reported with its reason, and the run fails.
    response = headers.post(f'{base}/api/extras/tags/', json={'name': 'Clash', 'slug': 'clash'})
    assert response.status_code == 201, response.text
    Tag.objects.create(name='Clash', slug='clash-here')
    ok, output = run_import('--url', base, '--token', token, '--update')
    assert not ok
    assert f'extras.tag #{response.json()["id"]} "Clash": name:' in output
    assert '1 could not be copied' in output
    # A difference made here shows in the verification.
    Device.objects.filter(pk=local).update(serial='SN-LOCAL')
    ok, output = run_import('--url', base, '--token', token, '--verify')
    assert not ok
    assert 'serial: source "SN-CHANGED" / here "SN-LOCAL"' in output


class OldNetBox(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({'netbox-version': '3.7.8'}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_errors_are_one_clear_line():
    token = 'nbt_abc.secret'
    with pytest.raises(CommandError, match=r'^Cannot reach http://127\.0\.0\.1:\d+: ConnectionError\.$'):
        call_command('import_netbox', '--url', f'http://127.0.0.1:{free_port()}', '--token', token, '-v', '0')
    server = HTTPServer(('127.0.0.1', 0), OldNetBox)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(CommandError, match=r'runs NetBox 3\.7\.8; importing needs NetBox 4\.0 or later\.$'):
            call_command('import_netbox', '--url', f'http://127.0.0.1:{server.server_port}', '--token', token,
                         '-v', '0')
    finally:
        server.shutdown()
