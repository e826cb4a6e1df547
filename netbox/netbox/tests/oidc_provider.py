"""
A throw-away OpenID Connect provider for the single sign-on tests, built on Authlib's authorization server: the
authorization-code flow with an RS256-signed id_token, served by a small WSGI app on a loopback port in a thread.

- /.well-known/openid-configuration: the discovery document (issuer = the server's base URL).
- /authorize: a login and consent form; "Allow" with the right password redirects back with a code, "Deny" with
  error=access_denied.
- /token: exchanges the code (client_secret_basic or client_secret_post) for an access token and the id_token.
- /jwks: the public signing key. /userinfo: the profile claims and the `groups` claim, for a bearer token.

Tests change `users` (claims, groups) and register clients with the redirect URI of their live server.
"""
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests
from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, JsonRequest, OAuth2Payload, OAuth2Request, grants
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey

PROFILE_CLAIMS = ('name', 'given_name', 'family_name', 'preferred_username')


@dataclass
class Person:
    """An account at the provider: its password and the claims it releases."""

    password: str
    sub: str
    email: str
    given_name: str
    family_name: str
    groups: list = field(default_factory=list)


@dataclass
class Client(ClientMixin):
    """A registered relying party (NetBox under test)."""

    client_id: str
    client_secret: str
    redirect_uris: list

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        allowed = {'openid', 'profile', 'email', 'groups'}
        return ' '.join(name for name in (scope or '').split() if name in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ('client_secret_basic', 'client_secret_post')

    def check_response_type(self, response_type):
        return response_type == 'code'

    def check_grant_type(self, grant_type):
        return grant_type == 'authorization_code'


@dataclass
class AuthorizationCode:
    """An issued, not yet redeemed code."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    username: str
    nonce: str | None
    auth_time: int

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class _Payload(OAuth2Payload):
    def __init__(self, values):
        self._values = values

    @property
    def data(self):
        return {key: values[-1] for key, values in self._values.items()}

    @property
    def datalist(self):
        return self._values


class _Request(OAuth2Request):
    """An OAuth2Request from a WSGI environ: query and form values together, like Flask's request.values."""

    def __init__(self, environ, form):
        query = environ.get('QUERY_STRING', '')
        uri = f'{environ["wsgi.url_scheme"]}://{environ["HTTP_HOST"]}{environ.get("PATH_INFO", "")}'
        headers = {'Authorization': environ.get('HTTP_AUTHORIZATION', ''),
                   'Content-Type': environ.get('CONTENT_TYPE', '')}
        super().__init__(environ['REQUEST_METHOD'], f'{uri}?{query}' if query else uri, headers=headers)
        values = {}
        for key, value in [*parse_qsl(query, keep_blank_values=True), *form]:
            values.setdefault(key, []).append(value)
        self.payload = _Payload(values)
        self._args = dict(parse_qsl(query, keep_blank_values=True))
        self._form = dict(form)

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return self._form


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post']

    def save_authorization_code(self, code, request):
        provider = self.server.provider
        provider.codes[code] = AuthorizationCode(
            code=code, client_id=request.client.client_id, redirect_uri=request.payload.redirect_uri,
            scope=request.scope, username=request.user, nonce=request.payload.data.get('nonce'),
            auth_time=int(time.time()),
        )

    def query_authorization_code(self, code, client):
        item = self.server.provider.codes.get(code)
        return item if item is not None and item.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code):
        self.server.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return authorization_code.username


class _OpenIDCode(OpenIDCode):
    def __init__(self, provider):
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce, request):
        return any(item.nonce == nonce for item in self.provider.codes.values())

    def resolve_client_private_key(self, client):
        return self.provider.key

    def get_client_algorithm(self, client):
        return 'RS256'

    def get_encode_header(self, client):
        return {'alg': 'RS256', 'kid': self.provider.key.kid}

    def get_client_claims(self, client):
        return {'iss': self.provider.issuer, 'aud': [client.client_id]}

    def generate_user_info(self, username, scope):
        # The id_token carries the profile; the groups claim comes from the userinfo endpoint.
        return self.provider.claims(username, scope, groups=False)


class _Server(AuthorizationServer):
    def __init__(self, provider):
        super().__init__(scopes_supported=['openid', 'profile', 'email', 'groups'])
        self.provider = provider
        self.register_grant(_CodeGrant, [_OpenIDCode(provider)])
        self.register_token_generator('default', BearerTokenGenerator(
            access_token_generator=lambda **kwargs: secrets.token_urlsafe(32)))

    def query_client(self, client_id):
        return self.provider.clients.get(client_id)

    def save_token(self, token, request):
        self.provider.tokens[token['access_token']] = (request.user, token.get('scope', ''))

    def create_oauth2_request(self, request):
        return request if isinstance(request, OAuth2Request) else _Request(*request)

    def create_json_request(self, request):
        return JsonRequest(request[0]['REQUEST_METHOD'], '')

    def handle_response(self, status, body, headers):
        return status, body, headers

    def send_signal(self, name, *args, **kwargs):
        pass


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class OIDCProvider:
    """The provider: start() serves it on 127.0.0.1 (a free port) in a daemon thread; stop() shuts it down."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={'kid': secrets.token_hex(8), 'use': 'sig', 'alg': 'RS256'})
        self.users = {}
        self.clients = {}
        self.codes = {}
        self.tokens = {}
        self.server = _Server(self)
        self._httpd = None
        self.issuer = None

    # --- set-up from tests ---------------------------------------------------------------------------------------

    def add_user(self, username, password, *, email, given_name, family_name, groups=()):
        self.users[username] = Person(password=password, sub=f'sub-{username}', email=email, given_name=given_name,
                                      family_name=family_name, groups=list(groups))
        return self.users[username]

    def add_client(self, client_id, client_secret, redirect_uri):
        self.clients[client_id] = Client(client_id, client_secret, [redirect_uri])
        return self.clients[client_id]

    def reset(self):
        self.users.clear()
        self.clients.clear()
        self.codes.clear()
        self.tokens.clear()

    def claims(self, username, scope, *, groups=True):
        person = self.users[username]
        scopes = set((scope or '').split())
        info = UserInfo(sub=person.sub)
        if 'profile' in scopes:
            info.update(name=f'{person.given_name} {person.family_name}', given_name=person.given_name,
                        family_name=person.family_name, preferred_username=username)
        if 'email' in scopes:
            info.update(email=person.email, email_verified=True)
        if groups:
            info['groups'] = list(person.groups)
        return info

    # --- serving -------------------------------------------------------------------------------------------------

    def start(self):
        self._httpd = make_server('127.0.0.1', 0, self.app, server_class=_ThreadingServer,
                                  handler_class=_QuietHandler)
        self.issuer = f'http://127.0.0.1:{self._httpd.server_port}'
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def discovery(self):
        return {
            'issuer': self.issuer,
            'authorization_endpoint': f'{self.issuer}/authorize',
            'token_endpoint': f'{self.issuer}/token',
            'userinfo_endpoint': f'{self.issuer}/userinfo',
            'jwks_uri': f'{self.issuer}/jwks',
            'response_types_supported': ['code'],
            'subject_types_supported': ['public'],
            'id_token_signing_alg_values_supported': ['RS256'],
            'scopes_supported': ['openid', 'profile', 'email', 'groups'],
            'token_endpoint_auth_methods_supported': ['client_secret_basic', 'client_secret_post'],
            'claims_supported': ['sub', 'email', 'groups', *PROFILE_CLAIMS],
        }

    def app(self, environ, start_response):
        method, path = environ['REQUEST_METHOD'], environ.get('PATH_INFO', '')
        form = []
        if method == 'POST':
            length = int(environ.get('CONTENT_LENGTH') or 0)
            form = parse_qsl(environ['wsgi.input'].read(length).decode(), keep_blank_values=True)
        if path == '/.well-known/openid-configuration':
            status, body, headers = 200, self.discovery(), []
        elif path == '/jwks':
            status, body, headers = 200, {'keys': [self.key.as_dict(private=False)]}, []
        elif path == '/authorize':
            status, body, headers = self.authorize(environ, form)
        elif path == '/token' and method == 'POST':
            status, body, headers = self.server.create_token_response((environ, form))
        elif path == '/userinfo':
            status, body, headers = self.userinfo(environ)
        else:
            status, body, headers = 404, {'error': 'not_found'}, []
        headers = list(headers)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers = [(name, value) for name, value in headers if name.lower() != 'content-type']
            headers.append(('Content-Type', 'application/json'))
        elif not any(name.lower() == 'content-type' for name, _ in headers):
            headers.append(('Content-Type', 'text/html; charset=utf-8'))
        reason = {200: 'OK', 302: 'Found', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found'}
        start_response(f'{status} {reason.get(status, "Error")}', headers)
        return [body.encode()]

    def authorize(self, environ, form):
        try:
            grant = self.server.get_consent_grant((environ, form))
        except OAuth2Error as error:
            return 400, {'error': error.error, 'error_description': error.description}, []
        if environ['REQUEST_METHOD'] == 'GET':
            return 200, self.login_form(environ.get('QUERY_STRING', '')), []
        values = dict(form)
        if 'deny' in values:
            return self.server.create_authorization_response(grant.request, grant_user=None, grant=grant)
        person = self.users.get(values.get('username', ''))
        if person is None or not secrets.compare_digest(person.password, values.get('password', '')):
            return 200, self.login_form(environ.get('QUERY_STRING', ''), error='Wrong username or password.'), []
        return self.server.create_authorization_response(grant.request, grant_user=values['username'],
                                                         grant=grant)

    @staticmethod
    def login_form(query, error=''):
        action = html.escape(f'/authorize?{query}')
        message = f'<p id="error">{html.escape(error)}</p>' if error else ''
        return (
            '<!doctype html><html><head><title>Test identity provider</title></head><body>'
            f'<h1>Test identity provider</h1>{message}<form method="post" action="{action}">'
            '<label>Username <input id="username" name="username" autocomplete="off"></label>'
            '<label>Password <input id="password" name="password" type="password"></label>'
            '<button id="allow" name="allow" value="1" type="submit">Allow</button>'
            '<button id="deny" name="deny" value="1" type="submit" formnovalidate>Deny</button>'
            '</form></body></html>'
        )

    def sign_in(self, authorize_url, username, password, *, deny=False):
        """What a browser does at the provider, with requests: post the form; returns the redirect back."""
        data = {'deny': '1'} if deny else {'username': username, 'password': password, 'allow': '1'}
        response = requests.post(authorize_url, data=data, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers['Location']

    def userinfo(self, environ):
        scheme, _, token = environ.get('HTTP_AUTHORIZATION', '').partition(' ')
        entry = self.tokens.get(token) if scheme.lower() == 'bearer' else None
        if entry is None:
            return 401, {'error': 'invalid_token'}, [('WWW-Authenticate', 'Bearer error="invalid_token"')]
        username, scope = entry
        return 200, dict(self.claims(username, scope)), []


# --- pytest fixtures and helpers (import them into a test module: `from netbox.tests.oidc_provider import ...`) ---

CLIENT_ID = 'netbox'
CLIENT_SECRET = 'netbox-client-secret'
OIDC_BACKEND = 'social_core.backends.open_id_connect.OpenIdConnectAuth'


@pytest.fixture(scope='session')
def oidc_provider():
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


def configure_sso(settings, provider, base_url):
    """
    Point NetBox's settings at `provider` with the generic OIDC backend (as REMOTE_AUTH_BACKEND would), register
    NetBox (at base_url) as its client, group sync from the `groups` claim; the provider starts with user alice.
    """
    provider.reset()
    provider.add_client(CLIENT_ID, CLIENT_SECRET, f'{base_url}/oauth/complete/oidc/')
    provider.add_user('alice', 'alice-pw', email='alice@example.org', given_name='Alice', family_name='Anders',
                      groups=['netops', 'admins'])
    settings.AUTHENTICATION_BACKENDS = ['netbox.authentication.LoginThrottleBackend', OIDC_BACKEND,
                                       'netbox.authentication.ObjectPermissionBackend']
    settings.SOCIAL_AUTH_OIDC_OIDC_ENDPOINT = provider.issuer
    settings.SOCIAL_AUTH_OIDC_KEY = CLIENT_ID
    settings.SOCIAL_AUTH_OIDC_SECRET = CLIENT_SECRET
    settings.SOCIAL_AUTH_OIDC_GROUPS_KEY = 'groups'
    return provider


@pytest.fixture
def oidc(settings, oidc_provider):
    """SSO configured for the Django test client (http://testserver)."""
    return configure_sso(settings, oidc_provider, 'http://testserver')


@pytest.fixture
def oidc_live(settings, oidc_provider, live_server):
    """SSO configured for the live server that browser tests drive."""
    return configure_sso(settings, oidc_provider, live_server.url)


def browser_sso_login(page, base_url, username='alice', password='alice-pw', next_path=None):
    """In Playwright: the login page's OIDC button, the provider's form, and back to NetBox (logged in)."""
    page.goto(f'{base_url}/login/' + (f'?next={next_path}' if next_path else ''))
    page.click('button.sso-button[data-backend=oidc]')
    page.fill('#username', username)
    page.fill('#password', password)
    page.click('#allow')
    page.wait_for_url(f'{base_url}{next_path or "/"}')
