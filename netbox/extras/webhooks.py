"""
Webhook delivery: `enqueue_delivery(webhook, event)` records a core Job whose worker renders the webhook with the
event and sends it.

The request: the payload URL, headers and body are Jinja2 templates rendered in the sandbox with the event's keys
as context (an empty body template sends the default JSON body); Content-Type is the webhook's content type; with
a secret, X-Hook-Signature carries the HMAC-SHA512 hex digest of the body bytes. HTTP_PROXIES applies.

Failures (connection errors, timeouts, responses other than 2xx) are retried WEBHOOK_ATTEMPTS times in all, waiting
WEBHOOK_BACKOFF seconds, doubled after each attempt; every attempt is written to the Job's log and the last failure
leaves the Job `failed`. Template errors and refused destinations fail the Job at once.

Server-side request forgery guard: the destination's name is resolved once, every address is checked, and the
connection goes to the address that was checked (the Host header and TLS name verification stay on the name).
Loopback, link-local, private, multicast, reserved, unspecified and other non-global addresses are refused unless
they are inside one of the WEBHOOK_ALLOWED_NETWORKS. Redirects are followed here, hop by hop, each hop guarded.
"""
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import warnings
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import InsecureRequestWarning, NameResolutionError

from core.jobs import JobFailed, enqueue_job, log

DEFAULT_TIMEOUT = 10  # seconds, for a webhook without its own timeout
MAX_REDIRECTS = 5
DEFAULT_BODY_KEYS = ('event', 'timestamp', 'model', 'username', 'request_id', 'data', 'snapshots')


class RefusedDestination(Exception):
    """The destination resolves to an address deliveries may not reach."""


def enqueue_delivery(webhook, event):
    """Have a worker deliver `event` (a dict, see the module's docstring) to `webhook`; returns the Job."""
    from users.models import User

    attempts, backoff = delivery_policy()
    per_attempt = (webhook.timeout or DEFAULT_TIMEOUT) * (MAX_REDIRECTS + 1)
    timeout = int(attempts * per_attempt + backoff * (2 ** attempts) + 30)
    user = User.objects.filter(pk=event.get('user_id')).first() if event.get('user_id') else None
    name = f'Webhook {webhook.name}: {event.get("event_type") or event.get("event")} {event.get("object_type", "")}' \
           f' {event.get("object_id", "")}'.rstrip()
    return enqueue_job('extras.webhooks.deliver', name=name, instance=webhook, user=user,
                       queue=settings.RQ_QUEUE_MAPPINGS.get('webhook', 'default'),
                       kwargs={'webhook_id': webhook.pk, 'event': json.loads(json.dumps(event, cls=DjangoJSONEncoder))},
                       timeout=timeout)


def delivery_policy():
    """(attempts, first backoff in seconds): the WEBHOOK_ATTEMPTS and WEBHOOK_BACKOFF settings."""
    return max(1, int(getattr(settings, 'WEBHOOK_ATTEMPTS', 3))), float(getattr(settings, 'WEBHOOK_BACKOFF', 1.0))


def deliver(job, webhook_id, event):
    """The job: render the request, then send it, retrying failures; raises JobFailed when it cannot be sent."""
    from .models import Webhook

    webhook = Webhook.objects.filter(pk=webhook_id).first()
    if webhook is None:
        raise JobFailed(f'Webhook {webhook_id} no longer exists; nothing was sent.')
    method, url, headers, body = build_request(webhook, event)
    attempts, backoff = delivery_policy()
    session = guarded_session()
    error = ''
    for attempt in range(1, attempts + 1):
        prefix = f'Attempt {attempt}/{attempts}: {method} {url}'
        try:
            response, final_url = send(session, webhook, method, url, headers, body)
        except RefusedDestination as refusal:
            raise JobFailed(f'{prefix}: refused: {refusal}') from None
        except requests.RequestException as failure:
            error = f'{prefix}: {describe_error(failure)}'
        else:
            if 200 <= response.status_code < 300:
                log(job, f'{prefix}: {response.status_code} {response.reason}', 'success')
                job.data = {'url': final_url, 'status_code': response.status_code, 'attempts': attempt}
                return
            error = f'{prefix}: {response.status_code} {response.reason}: {response.text[:300]}'.rstrip(': ')
        if attempt < attempts:
            log(job, error, 'warning')
            time.sleep(backoff * 2 ** (attempt - 1))
    job.data = {'url': url, 'attempts': attempts}
    raise JobFailed(f'{error} (gave up after {attempts} attempt{"s" if attempts > 1 else ""})')


def describe_error(failure):
    """A delivery error in a line: the innermost reason (refused connection, timeout...)."""
    if isinstance(failure, requests.Timeout):
        return f'timed out ({failure})'
    return f'{type(failure).__name__}: {failure}'


def build_request(webhook, event):
    """(method, url, headers, body bytes) of `webhook` rendered with `event`; JobFailed for a template error."""
    from .rendering import RenderError, render_string

    context = dict(event)
    try:
        url = render_string(webhook.payload_url, context).strip()
        header_text = render_string(webhook.additional_headers, context) if webhook.additional_headers else ''
        if webhook.body_template:
            body = render_string(webhook.body_template, context)
        else:
            body = json.dumps({key: event.get(key) for key in DEFAULT_BODY_KEYS}, cls=DjangoJSONEncoder)
    except RenderError as error:
        raise JobFailed(f'The webhook "{webhook.name}" could not be rendered: {error.message}') from None
    if urlsplit(url).scheme not in ('http', 'https') or not urlsplit(url).hostname:
        raise JobFailed(f'The payload URL "{url[:200]}" is not an http(s) URL with a host.')
    try:
        headers = {'Content-Type': webhook.http_content_type, **parse_headers(header_text)}
    except ValueError as error:
        raise JobFailed(f'Additional headers: {error}') from None
    body = body.encode()
    if webhook.secret:
        headers['X-Hook-Signature'] = signature(webhook.secret, body)
    return webhook.http_method, url, headers, body


def signature(secret, body):
    """The X-Hook-Signature of `body` (bytes): HMAC-SHA512 hex digest keyed by the secret."""
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def parse_headers(text, strict_template=False):
    """{name: value} of "Name: value" lines; ValueError naming a line that is not one. With `strict_template`
    (validating the unrendered template), lines holding template code are not checked."""
    headers = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or (strict_template and ('{{' in line or '{%' in line)):
            continue
        name, colon, value = line.partition(':')
        if not colon or not name.strip() or any(char in name for char in ' \t'):
            raise ValueError(f'line {number} is not a "Name: value" header.')
        if any(char in value for char in '\r\n'):
            raise ValueError(f'line {number} holds a line break.')
        headers[name.strip()] = value.strip()
    return headers


def send(session, webhook, method, url, headers, body):
    """Send the request, following redirects hop by hop (each destination guarded); (response, final URL)."""
    proxies = settings.HTTP_PROXIES or None
    verify = (webhook.ca_file_path or True) if webhook.ssl_verification else False
    timeout = webhook.timeout or DEFAULT_TIMEOUT
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            raise requests.exceptions.InvalidURL(f'redirected to "{url[:200]}", not an http(s) URL with a host')
        if proxies and proxies.get(parts.scheme):
            # The proxy connects (and resolves) on our behalf: the guard checks what the name resolves to here.
            check_destination(parts.hostname, parts.port)
        with warnings.catch_warnings():
            # Turning verification off is the webhook's explicit choice: no warning per request in the worker's log.
            warnings.simplefilter('ignore', InsecureRequestWarning)
            response = session.request(method, url, headers=headers, data=body if method != 'GET' else None,
                                       timeout=timeout, verify=verify, proxies=proxies, allow_redirects=False)
        location = response.headers.get('Location')
        if not (response.is_redirect and location):
            return response, url
        response.close()
        url = urljoin(url, location)
        if response.status_code in (301, 302, 303) and method != 'HEAD':
            # As browsers do: the request after these redirects is a GET without the body.
            method, body = 'GET', b''
            headers = {name: value for name, value in headers.items()
                       if name not in ('Content-Type', 'X-Hook-Signature')}
    raise requests.TooManyRedirects(f'more than {MAX_REDIRECTS} redirects')


# The guard

def allowed_networks():
    return [ipaddress.ip_network(cidr, strict=False) for cidr in getattr(settings, 'WEBHOOK_ALLOWED_NETWORKS', [])]


def address_kind(address):
    """Why `address` (an ip_address) is not a public destination ('loopback', 'private'...), or None if it is."""
    if getattr(address, 'ipv4_mapped', None):
        address = address.ipv4_mapped
    for kind in ('unspecified', 'loopback', 'link_local', 'multicast', 'private', 'reserved'):
        if getattr(address, f'is_{kind}'):
            return kind.replace('_', '-')
    if getattr(address, 'is_site_local', False):
        return 'site-local'
    return None if address.is_global else 'non-global'


def check_address(text):
    """Refuse `text` (an IP address) unless it is public or inside WEBHOOK_ALLOWED_NETWORKS."""
    address = ipaddress.ip_address(text.split('%', 1)[0])
    kind = address_kind(address)
    if kind is None:
        return
    plain = address.ipv4_mapped if getattr(address, 'ipv4_mapped', None) else address
    if any(plain in network or address in network for network in allowed_networks()):
        return
    article = 'an' if kind[0] in 'aeiou' else 'a'
    raise RefusedDestination(f'{address} is {article} {kind} address not in WEBHOOK_ALLOWED_NETWORKS')


def check_destination(host, port):
    """Resolve `host` once and check every address; returns the first (the one to connect to)."""
    host = host.strip('[]')
    infos = socket.getaddrinfo(host, port or 0, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        check_address(address)
    return addresses[0]


class GuardedConnectionMixin:
    """Resolves the host, checks the addresses, then connects to the checked one; TLS still verifies the name."""

    def _new_conn(self):
        name = self._dns_host
        try:
            address = check_destination(name, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        self._dns_host = address  # only the socket's connect reads it; SNI and verification use the name below
        try:
            return super()._new_conn()
        finally:
            self._dns_host = name


class GuardedHTTPConnection(GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(GuardedConnectionMixin, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A transport whose direct connections go through the guard."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {'http': GuardedHTTPConnectionPool,
                                                   'https': GuardedHTTPSConnectionPool}


def guarded_session():
    session = requests.Session()
    session.trust_env = False  # the proxies are HTTP_PROXIES, not the worker's environment
    adapter = GuardedAdapter(max_retries=0)
    session.mount('http://', adapter)
    session.mount('https://', adapter)
    return session
