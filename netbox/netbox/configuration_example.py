"""
Example NetBox configuration.

Copy this file to netbox/netbox/configuration.py and edit it; NetBox reads configuration.py at start-up (or the module
named by the NETBOX_CONFIGURATION environment variable). The four required parameters come first. Every optional
parameter below is commented out and shows its default: uncomment a line only to change it. The documentation in
docs/configuration/ describes each one.

Parameters marked "dynamic" can also be changed at run time through a configuration revision in the UI; a value set
in this file takes precedence over any revision.
"""

#########################
#                       #
#   Required settings   #
#                       #
#########################

# The host names (or IP addresses) this server may be reached by. '*' accepts any, which is fine for a lab but not
# for production. Each entry is also trusted for CSRF over both http:// and https://.
ALLOWED_HOSTS = ['netbox.example.com', 'localhost', '127.0.0.1']

# PostgreSQL (version 14 or later). PORT may be left empty for the default (5432). CONN_MAX_AGE is how many seconds a
# connection is kept open for reuse; 0 closes it after each request.
DATABASE = {
    'NAME': 'netbox',
    'USER': 'netbox',
    'PASSWORD': '',
    'HOST': 'localhost',
    'PORT': '',
    'CONN_MAX_AGE': 300,
}

# Redis is used twice: `tasks` holds the background job queues, `caching` the cache (including the active dynamic
# configuration). Give them different database numbers (or different servers): flushing the cache must not lose
# queued jobs. For Sentinel, replace HOST/PORT with SENTINELS = [('host', 26379), ...] and SENTINEL_SERVICE = 'name'.
REDIS = {
    'tasks': {
        'HOST': 'localhost',
        'PORT': 6379,
        'USERNAME': '',                   # Redis 6+ ACL user name, if any
        'PASSWORD': '',
        'DATABASE': 0,                    # an integer
        'SSL': False,                     # connect with TLS (rediss://)
        'INSECURE_SKIP_TLS_VERIFY': False,  # with SSL: accept any server certificate
    },
    'caching': {
        'HOST': 'localhost',
        'PORT': 6379,
        'USERNAME': '',
        'PASSWORD': '',
        'DATABASE': 1,
        'SSL': False,
        'INSECURE_SKIP_TLS_VERIFY': False,
    },
}

# A random string of at least 50 characters, kept secret. It signs sessions, CSRF tokens and password reset links;
# changing it logs every user out. Generate one with:  python3 netbox/generate_secret_key.py
# NetBox refuses to start while this is empty.
SECRET_KEY = ''


#########################
#                       #
#   Optional settings   #
#                       #
#########################

# People to e-mail about server errors: [('Name', 'address@example.com'), ...]
# ADMINS = []

# Allow the key of an existing API token to be displayed again after it was created.
# ALLOW_TOKEN_RETRIEVAL = False

# Secret values mixed into the hashes of v2 API tokens, by id: {1: 'a random string of 50+ characters'}.
# API_TOKEN_PEPPERS = {}

# Django password validators applied when local users set a password.
# AUTH_PASSWORD_VALIDATORS = []

# Serve NetBox under a path prefix, e.g. 'netbox' for https://example.com/netbox/.
# BASE_PATH = ''

# Cross-origin resource sharing for the REST API.
# CORS_ORIGIN_ALLOW_ALL = False
# CORS_ORIGIN_WHITELIST = []        # e.g. ['https://tools.example.com']
# CORS_ORIGIN_REGEX_WHITELIST = []  # e.g. [r'^https://\w+\.example\.com$']

# CSRF cookie and extra trusted origins (each with its scheme, e.g. 'https://netbox.example.com').
# CSRF_COOKIE_NAME = 'csrftoken'
# CSRF_COOKIE_SECURE = False
# CSRF_TRUSTED_ORIGINS = []

# Date and time formats (Django format strings).
# DATE_FORMAT = 'N j, Y'
# SHORT_DATE_FORMAT = 'Y-m-d'
# TIME_FORMAT = 'g:i a'
# SHORT_TIME_FORMAT = 'H:i:s'
# DATETIME_FORMAT = 'N j, Y g:i a'
# SHORT_DATETIME_FORMAT = 'Y-m-d H:i'
# TIME_ZONE = 'UTC'

# Debugging output. Never enable DEBUG on a production server.
# DEBUG = False
# DEVELOPER = False

# The language used when a user has not chosen one.
# DEFAULT_LANGUAGE = 'en-us'

# Object permissions every authenticated user has; by default, users manage their own API tokens, bookmarks,
# notifications and subscriptions. Setting this replaces the default mapping entirely.
# DEFAULT_PERMISSIONS = {
#     'users.view_token': ({'user': '$user'},),
#     'users.add_token': ({'user': '$user'},),
#     'users.change_token': ({'user': '$user'},),
#     'users.delete_token': ({'user': '$user'},),
#     'extras.view_bookmark': ({'user': '$user'},),
#     ... (add, change and delete; the same for extras.notification and extras.subscription)
# }

# Outgoing e-mail.
# EMAIL = {
#     'SERVER': 'localhost',
#     'PORT': 25,
#     'USERNAME': '',
#     'PASSWORD': '',
#     'USE_SSL': False,
#     'USE_TLS': False,
#     'TIMEOUT': 10,
#     'FROM_EMAIL': '',
# }

# Models anyone (even anonymous users, when LOGIN_REQUIRED is False) may view: ['dcim.site', 'ipam.prefix'] or ['*'].
# EXEMPT_VIEW_PERMISSIONS = []

# Extra or replacement choices for choice fields, e.g. {'dcim.Site.status+': (('planned2', 'Planned 2', 'cyan'),)}.
# FIELD_CHOICES = {}

# Proxies for outgoing HTTP requests (webhooks, remote data sources): {'http': '...', 'https': '...'}.
# HTTP_PROXIES = None

# Non-public networks webhooks may be delivered to (loopback, private, link-local... are refused otherwise).
# WEBHOOK_ALLOWED_NETWORKS = []  # e.g. ['10.1.0.0/16', '127.0.0.0/8']

# Client addresses that see debugging information when DEBUG is on.
# INTERNAL_IPS = ('127.0.0.1', '::1')

# Extra Jinja2 filters for export templates: {'name': callable}.
# JINJA2_FILTERS = {}

# Python logging configuration (logging.config.dictConfig format).
# LOGGING = {}

# Sessions: their lifetime in seconds, whether each request restarts it, and where they are stored.
# LOGIN_PERSISTENCE = False
# LOGIN_FORM_HIDDEN = False
# LOGIN_REQUIRED = True
# LOGIN_TIMEOUT = 1209600
# LOGOUT_REDIRECT_URL = 'home'
# SESSION_COOKIE_NAME = 'sessionid'
# SESSION_COOKIE_SECURE = False
# SESSION_FILE_PATH = None

# Failed password logins allowed per user name and per client address within the window (seconds); 0: no limit.
# LOGIN_ATTEMPTS_PER_USER = 10
# LOGIN_ATTEMPTS_PER_IP = 100
# LOGIN_ATTEMPTS_WINDOW = 300

# Where uploaded files, custom scripts and reports live (None: folders inside netbox/).
# MEDIA_ROOT = None
# SCRIPTS_ROOT = None
# REPORTS_ROOT = None

# Enable the Prometheus metrics endpoint.
# METRICS_ENABLED = False

# Plugins (installed Python packages) and their settings.
# PLUGINS = []
# PLUGINS_CONFIG = {}

# Background jobs: send a job type to another queue, time limits and retries.
# QUEUE_MAPPINGS = {}  # e.g. {'webhook': 'high'}
# Callables given the events of each committed transaction (see docs/customization/event-rules.md).
# EVENTS_PIPELINE = ['extras.events.process_event_queue']
# RQ_DEFAULT_TIMEOUT = 300
# RQ_RETRY_INTERVAL = 60
# RQ_RETRY_MAX = 0

# Authentication by an HTTP header set by a front-end proxy. For LDAP, set REMOTE_AUTH_BACKEND to
# 'netbox.authentication.LDAPBackend' and put the AUTH_LDAP_* settings in ldap_config.py beside this file
# (docs/administration/authentication.md has an example).
# REMOTE_AUTH_ENABLED = False
# REMOTE_AUTH_BACKEND = 'netbox.authentication.RemoteUserBackend'
# REMOTE_AUTH_HEADER = 'HTTP_REMOTE_USER'
# REMOTE_AUTH_USER_FIRST_NAME = 'HTTP_REMOTE_USER_FIRST_NAME'
# REMOTE_AUTH_USER_LAST_NAME = 'HTTP_REMOTE_USER_LAST_NAME'
# REMOTE_AUTH_USER_EMAIL = 'HTTP_REMOTE_USER_EMAIL'
# REMOTE_AUTH_AUTO_CREATE_USER = False
# REMOTE_AUTH_AUTO_CREATE_GROUPS = False
# REMOTE_AUTH_DEFAULT_GROUPS = []
# REMOTE_AUTH_DEFAULT_PERMISSIONS = {}
# REMOTE_AUTH_GROUP_SYNC_ENABLED = False
# REMOTE_AUTH_GROUP_HEADER = 'HTTP_REMOTE_USER_GROUP'
# REMOTE_AUTH_GROUP_SEPARATOR = '|'
# REMOTE_AUTH_SUPERUSER_GROUPS = []
# REMOTE_AUTH_SUPERUSERS = []
# REMOTE_AUTH_STAFF_GROUPS = []
# REMOTE_AUTH_STAFF_USERS = []

# HTTPS: strict transport security and redirection (only behind a proxy that terminates TLS correctly).
# SECURE_HSTS_SECONDS = 0
# SECURE_HSTS_INCLUDE_SUBDOMAINS = False
# SECURE_HSTS_PRELOAD = False
# SECURE_SSL_REDIRECT = False
# SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')

# Error reporting to Sentry (needs the sentry-sdk package).
# SENTRY_ENABLED = False
# SENTRY_DSN = None
# SENTRY_SAMPLE_RATE = 1.0
# SENTRY_TRACES_SAMPLE_RATE = 0
# SENTRY_TAGS = {}

# A Django storage backend for uploaded files, and its options.
# STORAGE_BACKEND = None
# STORAGE_CONFIG = {}


#########################
#                       #
#   Dynamic settings    #
#                       #
#########################

# These can be edited at run time as a configuration revision; a value set here wins over any revision, so set one
# here only to pin it. Defaults shown.
# BANNER_TOP = ''
# BANNER_BOTTOM = ''
# BANNER_LOGIN = ''
# BANNER_MAINTENANCE = 'NetBox is currently in maintenance mode. Functionality may be limited.'
# CHANGELOG_RETENTION = 90
# CHANGELOG_SKIP_EMPTY_CHANGES = True
# ENFORCE_GLOBAL_UNIQUE = True
# GRAPHQL_ENABLED = True
# JOB_RETENTION = 90
# MAINTENANCE_MODE = False
# MAPS_URL = 'https://maps.google.com/?q='
# MAX_PAGE_SIZE = 1000
# PAGINATE_COUNT = 50
# PREFER_IPV4 = False
