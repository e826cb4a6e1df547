"""Webhooks: deliveries by a real RQ worker to real HTTP servers on 127.0.0.1 (body, headers and signature checked
by the receiver), retries, the guard against requests to internal addresses (also through redirects and names),
template errors, and the REST API."""
import hashlib
import hmac
import json
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from extras.models import Webhook
from extras.webhooks import RefusedDestination, check_address, enqueue_delivery
from netbox.testing import run_worker_process

pytestmark = pytest.mark.django_db

WEBHOOKS = '/api/extras/webhooks/'
LOOPBACK = ['127.0.0.0/8']


class Receiver:
    """An HTTP server in a thread recording what it receives; `responses` scripts its answers in order (a status,
    or (status, {header: value})), the last one repeating."""

    def __init__(self, host='127.0.0.1', family=socket.AF_INET):
        self.requests = []
        self.responses = [200]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                receiver.requests.append({'method': self.command, 'path': self.path, 'headers': dict(self.headers),
                                          'body': body})
                index = min(len(receiver.requests), len(receiver.responses)) - 1
                answer = receiver.responses[index]
                status, headers = answer if isinstance(answer, tuple) else (answer, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header('Content-Length', '2')
                self.end_headers()
                self.wfile.write(b'ok')

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

            def log_message(self, *args):
                pass

        server_class = type('Server', (ThreadingHTTPServer,), {'address_family': family})
        self.server = server_class((host, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path='/hook'):
        return f'http://127.0.0.1:{self.port}{path}'

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def fast_retries(settings):
    settings.WEBHOOK_BACKOFF = 0.01
    settings.WEBHOOK_ATTEMPTS = 3
    return settings


@pytest.fixture
def loopback_allowed(fast_retries):
    fast_retries.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK


def make_event(**changes):
    event = {
        'event': 'created', 'event_type': 'object_created', 'timestamp': '2026-12-04T20:00:00+00:00',
        'model': 'site', 'object_type': 'dcim.site', 'object_id': 7, 'username': 'root', 'user_id': None,
        'request_id': 'c2f1a7b2-7e8e-4a7e-9a55-0f8f3a1b2c3d',
        'data': {'id': 7, 'name': 'Dublin', 'slug': 'dublin'},
        'snapshots': {'prechange': None, 'postchange': {'name': 'Dublin', 'slug': 'dublin'}},
    }
    event.update(changes)
    return event


def deliver(background, webhook, event=None):
    job = background(lambda: enqueue_delivery(webhook, event or make_event()))
    job.refresh_from_db()
    return job


def webhook_for(url, **attrs):
    return Webhook.objects.create(name=attrs.pop('name', 'hook'), payload_url=url, timeout=attrs.pop('timeout', 2),
                                  **attrs)


def test_body_template_headers_and_signature(background, receiver, loopback_allowed):
    webhook = webhook_for(
        f'http://127.0.0.1:{receiver.port}/hook/{{{{ model }}}}/{{{{ object_id }}}}', secret='s3cret',
        http_method='PUT', http_content_type='application/x-site',
        additional_headers='X-Model: {{ object_type }}\nX-Static: yes',
        body_template='{"site": "{{ data.name }}", "kind": "{{ event }}", "by": "{{ username }}"}')
    job = deliver(background, webhook)
    assert job.status == 'completed', job.error
    [request] = receiver.requests
    assert request['method'] == 'PUT' and request['path'] == '/hook/site/7'
    assert json.loads(request['body']) == {'site': 'Dublin', 'kind': 'created', 'by': 'root'}
    headers = request['headers']
    assert headers['Content-Type'] == 'application/x-site'
    assert headers['X-Model'] == 'dcim.site' and headers['X-Static'] == 'yes'
    assert headers['Host'] == f'127.0.0.1:{receiver.port}'
    expected = hmac.new(b's3cret', request['body'], hashlib.sha512).hexdigest()
    assert hmac.compare_digest(headers['X-Hook-Signature'], expected)
    assert job.object == webhook and job.data['status_code'] == 200
    assert [entry['level'] for entry in job.log_entries] == ['success']
    assert 'Attempt 1/3: PUT' in job.log_entries[0]['message']


def test_default_body_is_the_event_as_json(background, receiver, loopback_allowed):
    job = deliver(background, webhook_for(receiver.url()))
    assert job.status == 'completed', job.error
    [request] = receiver.requests
    assert request['method'] == 'POST'
    assert request['headers']['Content-Type'] == 'application/json'
    assert 'X-Hook-Signature' not in request['headers']
    event = make_event()
    assert json.loads(request['body']) == {key: event[key] for key in
                                           ('event', 'timestamp', 'model', 'username', 'request_id', 'data',
                                            'snapshots')}


def test_failures_are_retried_and_each_attempt_logged(background, receiver, loopback_allowed):
    receiver.responses = [500, 503, 200]
    job = deliver(background, webhook_for(receiver.url()))
    assert job.status == 'completed', job.error
    assert len(receiver.requests) == 3
    levels = [entry['level'] for entry in job.log_entries]
    assert levels == ['warning', 'warning', 'success']
    assert '500' in job.log_entries[0]['message'] and '503' in job.log_entries[1]['message']
    assert job.data['attempts'] == 3


def test_final_failure_fails_the_job_visibly(background, receiver, loopback_allowed, api):
    receiver.responses = [502]
    job = deliver(background, webhook_for(receiver.url()))
    assert job.status == 'failed'
    assert 'Attempt 3/3: POST' in job.error and '502' in job.error and 'gave up after 3 attempts' in job.error
    assert len(receiver.requests) == 3 and len(job.log_entries) == 3
    served = api.get(f'/api/core/jobs/{job.pk}/').json()
    assert served['status']['value'] == 'failed' and 'gave up after 3 attempts' in served['error']
    assert len(served['log_entries']) == 3


def test_connection_errors_are_retried_then_fail(background, loopback_allowed):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    job = deliver(background, webhook_for(f'http://127.0.0.1:{port}/'))
    assert job.status == 'failed' and 'ConnectionError' in job.error and 'gave up after 3 attempts' in job.error
    assert len(job.log_entries) == 3


@pytest.mark.parametrize('url, refusal', [
    ('http://127.0.0.1:{port}/', '127.0.0.1 is a loopback address not in WEBHOOK_ALLOWED_NETWORKS'),
    ('http://10.0.0.1/', '10.0.0.1 is a private address not in WEBHOOK_ALLOWED_NETWORKS'),
    ('http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'),
    ('http://[::1]:{port}/', '::1 is a loopback address not in WEBHOOK_ALLOWED_NETWORKS'),
    ('http://localhost:{port}/', 'is a loopback address not in WEBHOOK_ALLOWED_NETWORKS'),
    ('http://0.0.0.0:{port}/', '0.0.0.0 is an unspecified address'),
])
def test_internal_destinations_are_refused_by_default(background, receiver, fast_retries, url, refusal):
    job = deliver(background, webhook_for(url.format(port=receiver.port)))
    assert job.status == 'failed'
    assert 'refused: ' in job.error and refusal in job.error, job.error
    assert receiver.requests == []
    assert len(job.log_entries) == 1  # a refusal is not retried


@pytest.mark.parametrize('location, refusal', [
    ('http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'),
    ('http://[::1]:{port}/', '::1 is a loopback address'),
    ('http://10.1.2.3/', '10.1.2.3 is a private address'),
])
def test_redirects_to_internal_destinations_are_refused(background, receiver, loopback_allowed, location, refusal):
    receiver.responses = [(302, {'Location': location.format(port=receiver.port)})]
    job = deliver(background, webhook_for(receiver.url()))
    assert job.status == 'failed' and refusal in job.error, job.error
    assert len(receiver.requests) == 1


def test_redirects_within_allowed_networks_are_followed(background, receiver, loopback_allowed):
    receiver.responses = [(307, {'Location': '/moved'}), (302, {'Location': '/final'}), 200]
    job = deliver(background, webhook_for(receiver.url(), secret='k'))
    assert job.status == 'completed', job.error
    assert [(r['method'], r['path']) for r in receiver.requests] == [('POST', '/hook'), ('POST', '/moved'),
                                                                      ('GET', '/final')]
    assert receiver.requests[1]['body'] == receiver.requests[0]['body']  # 307 keeps the method and body
    assert job.data['url'].endswith('/final')


def test_endless_redirects_fail(background, receiver, loopback_allowed, settings):
    settings.WEBHOOK_ATTEMPTS = 1
    receiver.responses = [(302, {'Location': '/again'})]
    job = deliver(background, webhook_for(receiver.url()))
    assert job.status == 'failed' and 'more than 5 redirects' in job.error


def test_the_connection_goes_to_the_address_checked(background, receiver, loopback_allowed, monkeypatch):
    """A name resolved once: the checked address is the one connected to (a second lookup answering an internal
    address, as in DNS rebinding, is never made); Host still names the name."""
    real = socket.getaddrinfo
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        if host == 'rebind.example':
            lookups.append(host)
            host = '127.0.0.1' if len(lookups) == 1 else '10.9.9.9'
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(socket, 'getaddrinfo', rebinding)
    job = deliver(background, webhook_for(f'http://rebind.example:{receiver.port}/hook'))
    assert job.status == 'completed', job.error
    assert lookups == ['rebind.example']
    assert receiver.requests[0]['headers']['Host'] == f'rebind.example:{receiver.port}'


@pytest.fixture
def resolve_to_loopback(monkeypatch):
    """Names ending in .example resolve to 127.0.0.1 (the test's own answer, in place of a DNS server)."""
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        return real('127.0.0.1' if str(host).endswith('.example') else host, port, *args, **kwargs)
    monkeypatch.setattr(socket, 'getaddrinfo', resolve)


@pytest.fixture
def tls_receiver(tmp_path):
    """A receiver behind TLS with a self-signed certificate for hooks.example (made by openssl)."""
    key, cert = tmp_path / 'key.pem', tmp_path / 'cert.pem'
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj',
                    '/CN=hooks.example', '-addext', 'subjectAltName=DNS:hooks.example', '-keyout', str(key),
                    '-out', str(cert)], check=True, capture_output=True)
    server = Receiver()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
    server.cert = str(cert)
    yield server
    server.close()


def test_tls_is_verified_on_the_name_while_connecting_to_the_checked_address(background, tls_receiver,
                                                                           loopback_allowed, resolve_to_loopback):
    url = f'https://hooks.example:{tls_receiver.port}/hook'
    job = deliver(background, webhook_for(url, ca_file_path=tls_receiver.cert))
    assert job.status == 'completed', job.error
    assert tls_receiver.requests[0]['headers']['Host'] == f'hooks.example:{tls_receiver.port}'
    # The certificate names hooks.example, not 127.0.0.1 nor another name: verification fails for those.
    job = deliver(background, webhook_for(f'https://127.0.0.1:{tls_receiver.port}/hook', name='by-address',
                                          ca_file_path=tls_receiver.cert))
    assert job.status == 'failed' and 'SSLError' in job.error, job.error
    job = deliver(background, webhook_for(url, name='unknown-ca'))  # the system store does not know the CA
    assert job.status == 'failed' and 'SSLError' in job.error, job.error
    job = deliver(background, webhook_for(url, name='unverified', ssl_verification=False))
    assert job.status == 'completed', job.error


def test_a_name_resolving_to_an_allowed_network_is_delivered(background, receiver, loopback_allowed):
    job = deliver(background, webhook_for(f'http://localhost:{receiver.port}/hook'))
    assert job.status == 'completed', job.error
    assert len(receiver.requests) == 1


@pytest.mark.parametrize('address, refused', [
    ('8.8.8.8', False), ('2001:4860:4860::8888', False), ('127.0.0.2', True), ('192.168.1.1', True),
    ('172.16.0.1', True), ('fe80::1', True), ('fc00::1', True), ('224.0.0.1', True), ('240.0.0.1', True),
    ('0.0.0.0', True), ('::', True), ('100.64.0.1', True), ('::ffff:127.0.0.1', True), ('ff02::1', True),
])
def test_address_classification(address, refused, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    if refused:
        with pytest.raises(RefusedDestination):
            check_address(address)
    else:
        check_address(address)


def test_allowed_networks_admit_their_addresses(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ['10.1.0.0/16', 'fd00::/8']
    check_address('10.1.2.3')
    check_address('fd12::1')
    with pytest.raises(RefusedDestination, match='10.2.0.1 is a private address'):
        check_address('10.2.0.1')


def test_sandbox_escape_in_the_body_fails_the_job(background, receiver, loopback_allowed):
    webhook = webhook_for(receiver.url(), body_template='{{ data.__class__.__mro__[1].__subclasses__() }}')
    job = deliver(background, webhook)
    assert job.status == 'failed'
    assert 'could not be rendered' in job.error and 'Refused by the template sandbox' in job.error, job.error
    assert receiver.requests == []


def test_template_errors_fail_the_job(background, receiver, loopback_allowed):
    webhook = webhook_for(receiver.url() + '/{{ nope(', additional_headers='X-A: {{ data.name }}')
    job = deliver(background, webhook)
    assert job.status == 'failed' and 'Template syntax error' in job.error, job.error
    webhook = webhook_for(receiver.url(), name='hook2', additional_headers='no colon here')
    job = deliver(background, webhook)
    assert job.status == 'failed' and 'Additional headers: line 1' in job.error
    assert receiver.requests == []


def test_deleted_webhook_fails_the_job(background, receiver, loopback_allowed):
    webhook = webhook_for(receiver.url())

    def enqueue_then_delete():
        job = enqueue_delivery(webhook, make_event())
        Webhook.objects.filter(pk=webhook.pk).delete()
        return job
    job = background(enqueue_then_delete)
    job.refresh_from_db()
    assert job.status == 'failed' and 'no longer exists' in job.error


def test_queue_mapping_is_honoured(receiver, settings, db, django_capture_on_commit_callbacks):
    from core.jobs import clear_queue, physical_queue_name, run_queued_jobs

    settings.RQ_QUEUE_MAPPINGS = {'webhook': 'low'}
    settings.WEBHOOK_ALLOWED_NETWORKS = LOOPBACK
    clear_queue('low')
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_delivery(webhook_for(receiver.url()), make_event())
    assert job.queue_name == physical_queue_name('low')
    assert run_queued_jobs('low') == 1
    job.refresh_from_db()
    assert job.status == 'completed' and len(receiver.requests) == 1


def test_rest_crud(api):
    payload = {'name': 'Chat', 'payload_url': 'https://chat.example.com/hook/{{ model }}', 'http_method': 'PATCH',
               'additional_headers': 'Authorization: Bearer x', 'body_template': '{{ data | tojson }}',
               'secret': 'k', 'timeout': 30, 'tags': []}
    response = api.post(WEBHOOKS, payload, format='json')
    assert response.status_code == 201, response.content
    data = response.json()
    assert data['http_method'] == 'PATCH' and data['http_content_type'] == 'application/json'
    assert data['ssl_verification'] is True and data['ca_file_path'] is None and data['timeout'] == 30
    url = f'{WEBHOOKS}{data["id"]}/'
    assert set(api.get(url, {'brief': 1}).json()) == {'id', 'url', 'display', 'name', 'description'}
    assert api.patch(url, {'description': 'to chat'}, format='json').json()['description'] == 'to chat'
    assert api.get(WEBHOOKS, {'http_method': 'PATCH'}).json()['count'] == 1
    assert api.get(WEBHOOKS, {'q': 'chat.example'}).json()['count'] == 1
    assert api.delete(url).status_code == 204
    assert not Webhook.objects.exists()


@pytest.mark.parametrize('changes, field', [
    ({'body_template': '{% if %}'}, 'body_template'),
    ({'payload_url': '{{ x'}, 'payload_url'),
    ({'additional_headers': 'not a header'}, 'additional_headers'),
    ({'http_method': 'TRACE'}, 'http_method'),
    ({'timeout': 0}, 'timeout'),
    ({'ssl_verification': False, 'ca_file_path': '/etc/ca.pem'}, 'ca_file_path'),
])
def test_rest_bad_input_is_a_400_naming_the_field(api, changes, field):
    payload = {'name': 'Bad', 'payload_url': 'https://example.com/', **changes}
    response = api.post(WEBHOOKS, payload, format='json')
    assert response.status_code == 400 and field in response.json(), response.content


def test_rest_needs_permission(user_api):
    assert user_api.get(WEBHOOKS).status_code == 403
    response = user_api.post(WEBHOOKS, {'name': 'x', 'payload_url': 'https://example.com/'}, format='json')
    assert response.status_code == 403
    assert not Webhook.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_delivers(receiver):
    """End to end: enqueue_delivery in a committed transaction, `manage.py rqworker` in its own process (allowed
    to reach loopback through the WEBHOOK_ALLOWED_NETWORKS environment variable), the receiver gets the event."""
    from core.jobs import clear_queue

    clear_queue('default')
    with transaction.atomic():
        webhook = webhook_for(receiver.url(), secret='worker-secret')
        job = enqueue_delivery(webhook, make_event(object_id=42))
    output = run_worker_process(WEBHOOK_ALLOWED_NETWORKS='127.0.0.0/8')
    job.refresh_from_db()
    assert job.status == 'completed', (job.error, output)
    [request] = receiver.requests
    assert json.loads(request['body'])['event'] == 'created'
    expected = hmac.new(b'worker-secret', request['body'], hashlib.sha512).hexdigest()
    assert request['headers']['X-Hook-Signature'] == expected
