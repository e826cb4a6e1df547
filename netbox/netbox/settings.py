"""Django settings, derived from the user's configuration.py by configuration_loader."""
import platform
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .configuration_loader import build_settings, load_configuration_module, load_ldap_configuration_module
from .plugins import load_plugins

VERSION = '4.7.3'
API_VERSION = '.'.join(VERSION.split('.')[:2])
HOSTNAME = platform.node()

if sys.version_info < (3, 12):
    raise ImproperlyConfigured(f'NetBox requires Python 3.12 or later (running {platform.python_version()}).')

BASE_DIR = Path(__file__).resolve().parent.parent

configuration = load_configuration_module()
globals().update(build_settings(configuration, load_ldap_configuration_module()))

MEDIA_ROOT = MEDIA_ROOT or str(BASE_DIR / 'media')  # noqa: F821
SCRIPTS_ROOT = SCRIPTS_ROOT or str(BASE_DIR / 'scripts')  # noqa: F821
REPORTS_ROOT = REPORTS_ROOT or str(BASE_DIR / 'reports')  # noqa: F821

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'django.contrib.humanize',
    'django.contrib.postgres',
    'corsheaders',
    'django_filters',
    'django_tables2',
    'django_rq',
    'drf_spectacular',
    'drf_spectacular_sidecar',
    'mptt',
    'rest_framework',
    'social_django',
    'taggit',
    'netbox.apps.NetBoxConfig',
    'core',
    'users',
    'extras',
    'tenancy',
    'dcim',
    'ipam',
    'circuits',
    'virtualization',
    'vpn',
    'wireless',
]

# Plugins (netbox.plugins): checked here, so that a plugin that can't be used stops the start with one line naming
# it; their apps come after ours, their middleware last, their queues beside ours.
_plugins = load_plugins(PLUGINS, PLUGINS_CONFIG, VERSION)  # noqa: F821
PLUGINS_CONFIG = _plugins['config']
INSTALLED_APPS += [app for app in _plugins['apps'] if app not in INSTALLED_APPS]

MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'netbox.middleware.APIGZipMiddleware',
    'corsheaders.middleware.CorsMiddleware',
    'netbox.sessions.SessionMiddleware',  # signed-cookie sessions in maintenance mode
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
    'django.middleware.clickjacking.XFrameOptionsMiddleware',
    'netbox.middleware.RemoteUserMiddleware',
    'netbox.middleware.CoreMiddleware',
    'netbox.middleware.MaintenanceModeMiddleware',
    'netbox.sso.SSOErrorMiddleware',
    *_plugins['middleware'],
]

# Prometheus metrics (netbox/netbox/metrics.py): counted first, so that every request's whole time is measured.
if METRICS_ENABLED:  # noqa: F821
    MIDDLEWARE.insert(0, 'netbox.metrics.PrometheusMiddleware')

ROOT_URLCONF = 'netbox.urls'
WSGI_APPLICATION = 'netbox.wsgi.application'
AUTH_USER_MODEL = 'users.User'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
USE_TZ = True
USE_I18N = True
USE_X_FORWARDED_HOST = True
X_FRAME_OPTIONS = 'SAMEORIGIN'
CSRF_TRUSTED_ORIGINS = CSRF_TRUSTED_ORIGINS + [  # noqa: F821
    f'{scheme}://{host}' for host in ALLOWED_HOSTS for scheme in ('http', 'https') if host != '*'  # noqa: F821
]

# The throttle first (it refuses password logins after too many failures), then the configured remote backends
# (the header backend answers only while REMOTE_AUTH_ENABLED), then local accounts.
AUTHENTICATION_BACKENDS = [
    'netbox.authentication.LoginThrottleBackend',
    *dict.fromkeys(REMOTE_AUTH_BACKEND),  # noqa: F821
    'netbox.authentication.ObjectPermissionBackend',
]

LOGIN_URL = f'/{BASE_PATH}login/'  # noqa: F821
LOGIN_REDIRECT_URL = f'/{BASE_PATH}'  # noqa: F821
STATIC_URL = f'/{BASE_PATH}static/'  # noqa: F821
STATIC_ROOT = str(BASE_DIR / 'static')
STATICFILES_DIRS = [str(BASE_DIR / 'project-static')]
MEDIA_URL = f'/{BASE_PATH}media/'  # noqa: F821

TEMPLATES = [
    {
        'BACKEND': 'django.template.backends.django.DjangoTemplates',
        'DIRS': [str(BASE_DIR / 'templates')],
        'APP_DIRS': True,
        'OPTIONS': {
            'context_processors': [
                'django.template.context_processors.debug',
                'django.template.context_processors.request',
                'django.template.context_processors.media',
                'django.contrib.auth.context_processors.auth',
                'django.contrib.messages.context_processors.messages',
                'netbox.context_processors.settings_and_registry',
            ],
            'builtins': [
                'users.templatetags.user_preferences',
            ],
        },
    },
]

RQ_QUEUES = {name: RQ_CONNECTION for name in ('high', 'default', 'low')}  # noqa: F821
for _queue in RQ_QUEUE_MAPPINGS.values():  # noqa: F821
    RQ_QUEUES.setdefault(_queue, RQ_CONNECTION)  # noqa: F821
for _queue in _plugins['queues']:
    RQ_QUEUES.setdefault(_queue, RQ_CONNECTION)  # noqa: F821
# A list of its own: plugins append their events_pipeline entries once ready.
EVENTS_PIPELINE = list(EVENTS_PIPELINE)  # noqa: F821
# `manage.py rqworker` runs NetBox's worker: it schedules the system jobs at start (core/worker.py).
RQ = {'WORKER_CLASS': 'core.worker.Worker'}

# GraphQL (netbox.graphql): objects fetched by `id`, lists unpaginated unless `pagination` is given, as NetBox.
STRAWBERRY_DJANGO = {
    'DEFAULT_PK_FIELD_NAME': 'id',
    'PAGINATION_DEFAULT_LIMIT': None,
    'PAGINATION_MAX_LIMIT': None,
}

REST_FRAMEWORK = {
    # Decimals are JSON numbers (u_height: 1.0), as NetBox serves them; clients compare what they read with what
    # they sent.
    'COERCE_DECIMAL_TO_STRING': False,
    'DEFAULT_AUTHENTICATION_CLASSES': (
        'netbox.api.authentication.TokenAuthentication',
        'rest_framework.authentication.SessionAuthentication',
    ),
    'DEFAULT_PERMISSION_CLASSES': ('netbox.api.authentication.TokenPermissions',),
    'DEFAULT_PAGINATION_CLASS': 'netbox.api.pagination.OptionalLimitOffsetPagination',
    'DEFAULT_FILTER_BACKENDS': ('django_filters.rest_framework.DjangoFilterBackend',),
    'DEFAULT_METADATA_CLASS': 'netbox.api.metadata.BulkOperationMetadata',
    'DEFAULT_RENDERER_CLASSES': (
        'netbox.api.renderers.FastJSONRenderer',
        'netbox.api.renderers.FormlessBrowsableAPIRenderer',
    ),
    'DEFAULT_SCHEMA_CLASS': 'netbox.api.schema.NetBoxAutoSchema',
    'DEFAULT_VERSION': API_VERSION,
    'EXCEPTION_HANDLER': 'netbox.api.exceptions.exception_handler',
    'ORDERING_PARAM': 'ordering',
    'PAGE_SIZE': None,
    'TEST_REQUEST_DEFAULT_FORMAT': 'json',
    'URL_FIELD_NAME': 'url',
}

# OpenAPI schema (/api/schema/), derived from the declarations by netbox.api.schema.
SPECTACULAR_SETTINGS = {
    'TITLE': 'NetBox REST API',
    'VERSION': VERSION,
    'DESCRIPTION': 'The REST API of every declared model, with its filters, brief forms and bulk operations.',
    'SCHEMA_PATH_PREFIX': f'/{BASE_PATH}api/',  # noqa: F821
    'SCHEMA_PATH_PREFIX_TRIM': False,
    'SERVE_INCLUDE_SCHEMA': False,
    'COMPONENT_SPLIT_REQUEST': True,
    'COMPONENT_NO_READ_ONLY_REQUIRED': True,
    'ENUM_GENERATE_CHOICE_DESCRIPTION': False,
    'SWAGGER_UI_DIST': 'SIDECAR',
    'SWAGGER_UI_FAVICON_HREF': 'SIDECAR',
    'REDOC_DIST': 'SIDECAR',
    # Hundreds of operations: tags start collapsed, a filter box finds them, and links open one operation.
    'SWAGGER_UI_SETTINGS': {'deepLinking': True, 'docExpansion': 'none', 'filter': True,
                            'persistAuthorization': True},
    'PREPROCESSING_HOOKS': [],
    'POSTPROCESSING_HOOKS': ['netbox.api.schema.postprocess_schema'],
    'SORT_OPERATION_PARAMETERS': False,
    'DISABLE_ERRORS_AND_WARNINGS': False,
}

# Single sign-on: the SOCIAL_AUTH_* parameters (and NetBox's defaults for them) come from build_settings().
SOCIAL_AUTH_JSONFIELD_ENABLED = True
SOCIAL_AUTH_USER_MODEL = AUTH_USER_MODEL

if not LOGGING:  # noqa: F821
    LOGGING = {  # noqa: F811
        'version': 1,
        'disable_existing_loggers': False,
        'handlers': {'console': {'class': 'logging.StreamHandler'}},
        'root': {'handlers': ['console'], 'level': 'WARNING'},
    }

if SENTRY_ENABLED:  # noqa: F821
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as exc:
        raise ImproperlyConfigured('SENTRY_ENABLED is True but sentry-sdk is not installed.') from exc
    if not SENTRY_DSN:  # noqa: F821
        raise ImproperlyConfigured('SENTRY_ENABLED is True but SENTRY_DSN is not set.')
    sentry_sdk.init(
        dsn=SENTRY_DSN,  # noqa: F821
        integrations=[DjangoIntegration()],
        sample_rate=SENTRY_SAMPLE_RATE,  # noqa: F821
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,  # noqa: F821
        release=f'netbox@{VERSION}',  # noqa: F821
        send_default_pii=False,
    )
    # On the global scope, so every event of every request and job carries them.
    sentry_sdk.get_global_scope().set_tags({str(k): str(v) for k, v in (SENTRY_TAGS or {}).items()})  # noqa: F821
