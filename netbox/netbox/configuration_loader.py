"""
Turn a user's `configuration.py` into Django settings.

`build_settings()` is pure: it takes the configuration module (any object with attributes) and returns a dict of
Django settings, raising ImproperlyConfigured that names the parameter at fault. `settings.py` calls it once.
"""
import importlib
import ipaddress
import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from .dynamic_config import DYNAMIC_PARAMETERS

CONFIG_FILE_HINT = 'netbox/netbox/configuration.py'

REDIS_KEYS = ('HOST', 'PORT', 'USERNAME', 'PASSWORD', 'DATABASE', 'SSL', 'INSECURE_SKIP_TLS_VERIFY')

DEFAULT_PERMISSIONS = {
    'users.view_token': ({'user': '$user'},),
    'users.add_token': ({'user': '$user'},),
    'users.change_token': ({'user': '$user'},),
    'users.delete_token': ({'user': '$user'},),
    # Every user manages their own bookmarks, notifications and subscriptions.
    **{f'extras.{action}_{model}': ({'user': '$user'},)
       for model in ('bookmark', 'notification', 'subscription') for action in ('view', 'add', 'change', 'delete')},
}

# Optional static parameters and their documented defaults.
OPTIONAL_DEFAULTS = {
    'ADMINS': [],
    'ALLOW_TOKEN_RETRIEVAL': False,
    'API_TOKEN_PEPPERS': {},
    'AUTH_PASSWORD_VALIDATORS': [],
    'BASE_PATH': '',
    'CORS_ORIGIN_ALLOW_ALL': False,
    'CORS_ORIGIN_REGEX_WHITELIST': [],
    'CORS_ORIGIN_WHITELIST': [],
    'CSRF_COOKIE_HTTPONLY': False,
    'CSRF_COOKIE_NAME': 'csrftoken',
    'CSRF_COOKIE_SAMESITE': 'Lax',
    'CSRF_COOKIE_SECURE': False,
    'CSRF_TRUSTED_ORIGINS': [],
    'DATE_FORMAT': 'N j, Y',
    'DATETIME_FORMAT': 'N j, Y g:i a',
    'DEBUG': False,
    'DEFAULT_LANGUAGE': 'en-us',
    'DEFAULT_PERMISSIONS': DEFAULT_PERMISSIONS,
    'DEVELOPER': False,
    'EMAIL': {},
    'EVENTS_PIPELINE': ['extras.events.process_event_queue'],
    'EXEMPT_VIEW_PERMISSIONS': [],
    'FIELD_CHOICES': {},
    # Most aliases and deepest nesting one GraphQL query may use.
    'GRAPHQL_MAX_ALIASES': 10,
    'GRAPHQL_MAX_DEPTH': 15,
    'HTTP_PROXIES': None,
    'IMAGE_ATTACHMENT_MAX_SIZE': 10 * 1024 * 1024,
    'INTERNAL_IPS': ('127.0.0.1', '::1'),
    'JINJA2_FILTERS': {},
    'LOGGING': {},
    'LOGIN_ATTEMPTS_PER_IP': 100,
    'LOGIN_ATTEMPTS_PER_USER': 10,
    'LOGIN_ATTEMPTS_WINDOW': 300,
    'LOGIN_FORM_HIDDEN': False,
    'LOGIN_PERSISTENCE': False,
    'LOGIN_REQUIRED': True,
    'LOGIN_TIMEOUT': 1209600,
    'LOGOUT_REDIRECT_URL': 'home',
    'MEDIA_ROOT': None,
    'METRICS_ENABLED': False,
    'PLUGINS': [],
    'PLUGINS_CONFIG': {},
    'QUEUE_MAPPINGS': {},
    'REMOTE_AUTH_AUTO_CREATE_GROUPS': False,
    'REMOTE_AUTH_AUTO_CREATE_USER': False,
    'REMOTE_AUTH_BACKEND': 'netbox.authentication.RemoteUserBackend',
    'REMOTE_AUTH_DEFAULT_GROUPS': [],
    'REMOTE_AUTH_DEFAULT_PERMISSIONS': {},
    'REMOTE_AUTH_ENABLED': False,
    'REMOTE_AUTH_GROUP_HEADER': 'HTTP_REMOTE_USER_GROUP',
    'REMOTE_AUTH_GROUP_SEPARATOR': '|',
    'REMOTE_AUTH_GROUP_SYNC_ENABLED': False,
    'REMOTE_AUTH_HEADER': 'HTTP_REMOTE_USER',
    'REMOTE_AUTH_SUPERUSER_GROUPS': [],
    'REMOTE_AUTH_SUPERUSERS': [],
    'REMOTE_AUTH_STAFF_GROUPS': [],
    'REMOTE_AUTH_STAFF_USERS': [],
    'REMOTE_AUTH_USER_EMAIL': 'HTTP_REMOTE_USER_EMAIL',
    'REMOTE_AUTH_USER_FIRST_NAME': 'HTTP_REMOTE_USER_FIRST_NAME',
    'REMOTE_AUTH_USER_LAST_NAME': 'HTTP_REMOTE_USER_LAST_NAME',
    'REPORTS_ROOT': None,
    'RQ_DEFAULT_TIMEOUT': 300,
    'RQ_RETRY_INTERVAL': 60,
    'RQ_RETRY_MAX': 0,
    'SCRIPTS_ROOT': None,
    'SECURE_HSTS_INCLUDE_SUBDOMAINS': False,
    'SECURE_HSTS_PRELOAD': False,
    'SECURE_HSTS_SECONDS': 0,
    'SECURE_PROXY_SSL_HEADER': ('HTTP_X_FORWARDED_PROTO', 'https'),
    'SECURE_SSL_REDIRECT': False,
    'SENTRY_DSN': None,
    'SENTRY_ENABLED': False,
    'SENTRY_SAMPLE_RATE': 1.0,
    'SENTRY_TAGS': {},
    'SENTRY_TRACES_SAMPLE_RATE': 0,
    'SESSION_COOKIE_NAME': 'sessionid',
    'SESSION_COOKIE_SAMESITE': 'Lax',
    'SESSION_COOKIE_SECURE': False,
    'SESSION_FILE_PATH': None,
    'SHORT_DATE_FORMAT': 'Y-m-d',
    'SHORT_DATETIME_FORMAT': 'Y-m-d H:i',
    'SHORT_TIME_FORMAT': 'H:i:s',
    'STORAGE_BACKEND': None,
    'STORAGE_CONFIG': {},
    'STORAGES': {},
    'TIME_FORMAT': 'g:i a',
    'TIME_ZONE': 'UTC',
    'WEBHOOK_ALLOWED_NETWORKS': [],
}


# Single sign-on: social-core's default pipeline, then NetBox's step (claims, groups). SOCIAL_AUTH_PIPELINE
# replaces the whole tuple.
SOCIAL_AUTH_DEFAULT_PIPELINE = (
    'social_core.pipeline.social_auth.social_details',
    'social_core.pipeline.social_auth.social_names',
    'social_core.pipeline.social_auth.social_uid',
    'social_core.pipeline.social_auth.auth_allowed',
    'social_core.pipeline.social_auth.social_user',
    'social_core.pipeline.user.get_username',
    'social_core.pipeline.user.create_user',
    'social_core.pipeline.social_auth.associate_user',
    'social_core.pipeline.social_auth.load_extra_data',
    'social_core.pipeline.user.user_details',
    'netbox.sso.sync_user',
)
SOCIAL_BACKEND_PREFIX = 'social_core.backends.'

LDAP_CONFIG_FILE_HINT = 'netbox/netbox/ldap_config.py'
LDAP_BACKEND = 'netbox.authentication.LDAPBackend'
# Parameters of ldap_config.py besides the AUTH_LDAP_* ones django-auth-ldap reads.
LDAP_TLS_PARAMETERS = ('LDAP_IGNORE_CERT_ERRORS', 'LDAP_CA_CERT_DIR', 'LDAP_CA_CERT_FILE')


def load_configuration_module(name=None):
    """Import the configuration module, explaining what to do when it is missing."""
    name = name or os.environ.get('NETBOX_CONFIGURATION', 'netbox.configuration')
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name in (name, name.rpartition('.')[0]) or name.startswith(f'{exc.name}.'):
            raise ImproperlyConfigured(
                f'Configuration module "{name}" was not found. Copy netbox/netbox/configuration_example.py to '
                f'{CONFIG_FILE_HINT} and set at least ALLOWED_HOSTS, DATABASE, REDIS and SECRET_KEY '
                f'(or point NETBOX_CONFIGURATION at another module).'
            ) from exc
        raise


def load_ldap_configuration_module(name=None):
    """ldap_config.py beside the configuration module (or NETBOX_LDAP_CONFIGURATION); None when there is none."""
    if name is None:
        configuration = os.environ.get('NETBOX_CONFIGURATION', 'netbox.configuration')
        package = configuration.rpartition('.')[0]
        name = os.environ.get('NETBOX_LDAP_CONFIGURATION') or (f'{package}.ldap_config' if package else 'ldap_config')
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name in (name, name.rpartition('.')[0]):
            return None
        raise


def _ldap_settings(config, ldap_config, backends):
    """AUTH_LDAP_* and the TLS parameters from configuration.py, then ldap_config.py (which wins)."""
    out = {}
    for module in (config, ldap_config):
        if module is None:
            continue
        for name in dir(module):
            if name.startswith('AUTH_LDAP_') or name in LDAP_TLS_PARAMETERS:
                out[name] = getattr(module, name)
    if LDAP_BACKEND in backends and 'AUTH_LDAP_SERVER_URI' not in out:
        raise ImproperlyConfigured(
            f'REMOTE_AUTH_BACKEND names {LDAP_BACKEND} but no LDAP server is configured: create '
            f'{LDAP_CONFIG_FILE_HINT} beside configuration.py with at least AUTH_LDAP_SERVER_URI.'
        )
    return out


def _social_auth_settings(config, backends, base_path):
    """Every SOCIAL_AUTH_* name of configuration.py, over NetBox's defaults; social-core backends must import."""
    for path in backends:
        if path.startswith(SOCIAL_BACKEND_PREFIX):
            module, _, name = path.rpartition('.')
            try:
                getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError) as exc:
                raise ImproperlyConfigured(
                    f'REMOTE_AUTH_BACKEND names {path}, which social-core does not provide ({exc}).'
                ) from exc
    out = {
        'SOCIAL_AUTH_PIPELINE': SOCIAL_AUTH_DEFAULT_PIPELINE,
        # Failed sign-ins return to the login page, which shows why; never a traceback, even with DEBUG.
        'SOCIAL_AUTH_LOGIN_ERROR_URL': f'/{base_path}login/',
        'SOCIAL_AUTH_RAISE_EXCEPTIONS': False,
        'SOCIAL_AUTH_BACKEND_ATTRS': {},
    }
    out.update({name: getattr(config, name) for name in dir(config) if name.startswith('SOCIAL_AUTH_')})
    _check_type('SOCIAL_AUTH_PIPELINE', out['SOCIAL_AUTH_PIPELINE'], (list, tuple), 'a list of pipeline functions')
    _check_type('SOCIAL_AUTH_BACKEND_ATTRS', out['SOCIAL_AUTH_BACKEND_ATTRS'], dict,
                "a dict like {'oidc': ('Company SSO', None)}")
    return out


def _required(config, name):
    if not hasattr(config, name):
        raise ImproperlyConfigured(f'Required parameter {name} is missing from {CONFIG_FILE_HINT}.')
    return getattr(config, name)


def _check_type(name, value, types, hint):
    if not isinstance(value, types):
        raise ImproperlyConfigured(f'{name} in {CONFIG_FILE_HINT} must be {hint}; got {type(value).__name__}.')


def _database_settings(config):
    if hasattr(config, 'DATABASES'):
        databases = config.DATABASES
        _check_type('DATABASES', databases, dict, 'a dict of database definitions')
        if 'default' not in databases:
            raise ImproperlyConfigured(f'DATABASES in {CONFIG_FILE_HINT} must define a "default" database.')
    elif hasattr(config, 'DATABASE'):
        _check_type('DATABASE', config.DATABASE, dict, 'a dict (NAME, USER, PASSWORD, HOST, PORT, CONN_MAX_AGE)')
        databases = {'default': config.DATABASE}
    else:
        raise ImproperlyConfigured(f'Required parameter DATABASE is missing from {CONFIG_FILE_HINT}.')
    result = {}
    for alias, db in databases.items():
        db = dict(db)
        if not db.get('NAME'):
            raise ImproperlyConfigured(f'DATABASE (alias "{alias}") in {CONFIG_FILE_HINT} is missing NAME.')
        db.setdefault('ENGINE', 'django.db.backends.postgresql')
        if 'postgresql' not in db['ENGINE']:
            raise ImproperlyConfigured(f'DATABASE ENGINE must be PostgreSQL; got {db["ENGINE"]}.')
        db.setdefault('USER', '')
        db.setdefault('PASSWORD', '')
        db.setdefault('HOST', 'localhost')
        db['PORT'] = str(db.get('PORT') or '')
        db.setdefault('CONN_MAX_AGE', 300)
        result[alias] = db
    return result


def _redis_url(params):
    scheme = 'rediss' if params.get('SSL') else 'redis'
    auth = ''
    if params.get('PASSWORD'):
        auth = f'{params.get("USERNAME") or ""}:{params["PASSWORD"]}@'
    return f'{scheme}://{auth}{params.get("HOST", "localhost")}:{params.get("PORT", 6379)}/{params.get("DATABASE", 0)}'


def _redis_settings(config):
    redis = _required(config, 'REDIS')
    _check_type('REDIS', redis, dict, 'a dict with "tasks" and "caching" entries')
    for section in ('tasks', 'caching'):
        if section not in redis:
            raise ImproperlyConfigured(f'REDIS in {CONFIG_FILE_HINT} is missing the "{section}" section.')
        params = redis[section]
        _check_type(f'REDIS["{section}"]', params, dict, 'a dict')
        if not params.get('SENTINELS') and not params.get('HOST'):
            raise ImproperlyConfigured(f'REDIS["{section}"] in {CONFIG_FILE_HINT} needs HOST (or SENTINELS).')
        database = params.get('DATABASE', 0)
        if not isinstance(database, int) or isinstance(database, bool):
            raise ImproperlyConfigured(f'REDIS["{section}"]["DATABASE"] must be an integer; got {database!r}.')
    return redis['tasks'], redis['caching']


def _cache_settings(caching):
    # Django's Redis cache has no Sentinel support: with SENTINELS, the first sentinel's master must be reachable
    # through HOST as well, which is how most Sentinel set-ups expose it.
    cache = {
        'BACKEND': 'django.core.cache.backends.redis.RedisCache',
        'LOCATION': _redis_url(caching),
        'KEY_PREFIX': 'netbox',
    }
    if caching.get('SSL') and caching.get('INSECURE_SKIP_TLS_VERIFY'):
        cache['OPTIONS'] = {'ssl_cert_reqs': None}
    return {'default': cache}


def _rq_connection(tasks):
    if tasks.get('SENTINELS'):
        conn = {
            'SENTINELS': tasks['SENTINELS'],
            'MASTER_NAME': tasks.get('SENTINEL_SERVICE', 'netbox'),
            'SOCKET_TIMEOUT': tasks.get('SENTINEL_TIMEOUT', 10),
        }
    else:
        conn = {'HOST': tasks['HOST'], 'PORT': tasks.get('PORT', 6379)}
    conn.update({
        'DB': tasks.get('DATABASE', 0),
        'USERNAME': tasks.get('USERNAME') or None,
        'PASSWORD': tasks.get('PASSWORD') or None,
        'SSL': tasks.get('SSL', False),
    })
    if tasks.get('SSL') and tasks.get('INSECURE_SKIP_TLS_VERIFY'):
        conn['SSL_CERT_REQS'] = None
    return conn


def build_settings(config, ldap_config=None):
    """Validate `config` (and the optional ldap_config module) and return the Django settings they stand for."""
    out = {}

    allowed_hosts = _required(config, 'ALLOWED_HOSTS')
    _check_type('ALLOWED_HOSTS', allowed_hosts, (list, tuple), "a list of host names, e.g. ['netbox.example.com']")
    if not allowed_hosts:
        raise ImproperlyConfigured(f'ALLOWED_HOSTS in {CONFIG_FILE_HINT} must name at least one host (or "*").')
    out['ALLOWED_HOSTS'] = list(allowed_hosts)

    out['DATABASES'] = _database_settings(config)

    tasks, caching = _redis_settings(config)
    out['CACHES'] = _cache_settings(caching)
    out['REDIS'] = {'tasks': tasks, 'caching': caching}
    out['RQ_CONNECTION'] = _rq_connection(tasks)

    secret_key = _required(config, 'SECRET_KEY')
    _check_type('SECRET_KEY', secret_key, str, 'a string')
    if len(secret_key) < 50:
        raise ImproperlyConfigured(
            f'SECRET_KEY in {CONFIG_FILE_HINT} must be at least 50 characters long (it is {len(secret_key)}); '
            f'run netbox/generate_secret_key.py to make one.'
        )
    out['SECRET_KEY'] = secret_key

    for name, default in OPTIONAL_DEFAULTS.items():
        out[name] = getattr(config, name, default)

    # Dynamic parameters set in configuration.py override any revision stored in the database.
    out['CONFIG_OVERRIDES'] = {name: getattr(config, name) for name in DYNAMIC_PARAMETERS if hasattr(config, name)}

    base_path = out['BASE_PATH'].strip('/')
    out['BASE_PATH'] = f'{base_path}/' if base_path else ''

    _check_type('EVENTS_PIPELINE', out['EVENTS_PIPELINE'], (list, tuple), 'a list of dotted paths')
    _check_type('EXEMPT_VIEW_PERMISSIONS', out['EXEMPT_VIEW_PERMISSIONS'], (list, tuple), 'a list')
    _check_type('PLUGINS', out['PLUGINS'], (list, tuple), 'a list of module names')
    _check_type('JINJA2_FILTERS', out['JINJA2_FILTERS'], dict, "a dict of filter names and functions")
    for name, function in out['JINJA2_FILTERS'].items():
        if not isinstance(name, str) or not callable(function):
            raise ImproperlyConfigured(f'JINJA2_FILTERS entry {name!r} in {CONFIG_FILE_HINT} must map a name to a '
                                       f'function; got {type(function).__name__}.')
    if not isinstance(out['LOGIN_TIMEOUT'], int) or out['LOGIN_TIMEOUT'] <= 0:
        raise ImproperlyConfigured(f'LOGIN_TIMEOUT in {CONFIG_FILE_HINT} must be a positive number of seconds.')

    backends = out['REMOTE_AUTH_BACKEND']
    backends = [backends] if isinstance(backends, str) else backends
    _check_type('REMOTE_AUTH_BACKEND', backends, (list, tuple), 'a backend path or a list of them')
    out['REMOTE_AUTH_BACKEND'] = list(backends)
    out.update(_ldap_settings(config, ldap_config, out['REMOTE_AUTH_BACKEND']))
    out.update(_social_auth_settings(config, out['REMOTE_AUTH_BACKEND'], out['BASE_PATH']))
    _check_type('REMOTE_AUTH_DEFAULT_PERMISSIONS', out['REMOTE_AUTH_DEFAULT_PERMISSIONS'], dict,
                "a dict like {'dcim.view_site': None}")
    for name in ('LOGIN_ATTEMPTS_PER_USER', 'LOGIN_ATTEMPTS_PER_IP', 'LOGIN_ATTEMPTS_WINDOW'):
        value = out[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ImproperlyConfigured(f'{name} in {CONFIG_FILE_HINT} must be a whole number, 0 or more.')
    if out['SECURE_PROXY_SSL_HEADER'] is not None:
        header = out['SECURE_PROXY_SSL_HEADER']
        if not isinstance(header, (list, tuple)) or len(header) != 2:
            raise ImproperlyConfigured(f'SECURE_PROXY_SSL_HEADER in {CONFIG_FILE_HINT} must be a pair like '
                                       f"('HTTP_X_FORWARDED_PROTO', 'https'), or None.")
        out['SECURE_PROXY_SSL_HEADER'] = tuple(header)

    out['CSRF_TRUSTED_ORIGINS'] = list(out['CSRF_TRUSTED_ORIGINS'])
    for origin in out['CSRF_TRUSTED_ORIGINS']:
        if not urlparse(origin).scheme:
            raise ImproperlyConfigured(f'CSRF_TRUSTED_ORIGINS entry "{origin}" must include a scheme (https://...).')

    # Django setting names that differ from NetBox's parameter names.
    out['SESSION_COOKIE_AGE'] = out['LOGIN_TIMEOUT']
    out['SESSION_COOKIE_PATH'] = out['CSRF_COOKIE_PATH'] = f'/{out["BASE_PATH"]}'
    out['SESSION_SAVE_EVERY_REQUEST'] = bool(out['LOGIN_PERSISTENCE'])
    out['SESSION_ENGINE'] = (
        'django.contrib.sessions.backends.file' if out['SESSION_FILE_PATH'] else 'django.contrib.sessions.backends.db'
    )
    out['CORS_ALLOW_ALL_ORIGINS'] = out['CORS_ORIGIN_ALLOW_ALL']
    out['CORS_ALLOWED_ORIGINS'] = list(out['CORS_ORIGIN_WHITELIST'])
    out['CORS_ALLOWED_ORIGIN_REGEXES'] = list(out['CORS_ORIGIN_REGEX_WHITELIST'])
    out['LANGUAGE_CODE'] = out['DEFAULT_LANGUAGE']
    out['RQ_QUEUE_MAPPINGS'] = dict(out['QUEUE_MAPPINGS'])

    # Networks webhooks may reach although they are not public (loopback, private...): CIDRs, checked here.
    networks = out['WEBHOOK_ALLOWED_NETWORKS']
    _check_type('WEBHOOK_ALLOWED_NETWORKS', networks, (list, tuple), "a list of CIDRs, e.g. ['10.0.0.0/8']")
    for cidr in networks:
        try:
            ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            raise ImproperlyConfigured(f'WEBHOOK_ALLOWED_NETWORKS: "{cidr}" is not a network (CIDR).') from None
    out['WEBHOOK_ALLOWED_NETWORKS'] = [str(cidr) for cidr in networks]

    # Django 6.1 configures outgoing mail through MAILERS; the EMAIL_* settings are deprecated there.
    email = out['EMAIL']
    out['MAILERS'] = {
        'default': {
            'BACKEND': 'django.core.mail.backends.smtp.EmailBackend',
            'OPTIONS': {
                'host': email.get('SERVER', 'localhost'),
                'port': email.get('PORT', 25),
                'username': email.get('USERNAME', ''),
                'password': email.get('PASSWORD', ''),
                'use_ssl': email.get('USE_SSL', False),
                'use_tls': email.get('USE_TLS', False),
                'timeout': email.get('TIMEOUT', 10),
                'ssl_certfile': email.get('SSL_CERTFILE'),
                'ssl_keyfile': email.get('SSL_KEYFILE'),
            },
        }
    }
    out['SERVER_EMAIL'] = email.get('FROM_EMAIL', 'root@localhost')
    out['DEFAULT_FROM_EMAIL'] = out['SERVER_EMAIL']

    # Uploaded files (image attachments) go to the 'default' storage: local files under MEDIA_ROOT unless
    # STORAGES (NetBox 4.3+, Django's own shape) or the older STORAGE_BACKEND/STORAGE_CONFIG name another backend.
    storages = {
        'default': {'BACKEND': 'django.core.files.storage.FileSystemStorage'},
        'staticfiles': {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'},
    }
    _check_type('STORAGES', out['STORAGES'], dict, "a dict of Django storages, e.g. {'default': {'BACKEND': ...}}")
    if out['STORAGE_BACKEND']:
        storages['default'] = {'BACKEND': out['STORAGE_BACKEND'], 'OPTIONS': out['STORAGE_CONFIG']}
    storages.update(out['STORAGES'])
    out['STORAGES'] = storages
    if not isinstance(out['IMAGE_ATTACHMENT_MAX_SIZE'], int) or out['IMAGE_ATTACHMENT_MAX_SIZE'] <= 0:
        raise ImproperlyConfigured(f'IMAGE_ATTACHMENT_MAX_SIZE in {CONFIG_FILE_HINT} must be a positive number of '
                                   f'bytes.')
    return out
