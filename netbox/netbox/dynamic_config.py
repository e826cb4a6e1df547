"""
Dynamic configuration: parameters that can be changed at run time through a ConfigRevision.

Precedence: a value set in configuration.py, then the active ConfigRevision, then the documented default.
`get_config()` is the one accessor. The active revision's data is kept in the Redis cache under CACHE_KEY, so a
new revision reaches every process on its next request without a restart.
"""
import threading

DYNAMIC_PARAMETERS = {
    'ALLOWED_URL_SCHEMES': (
        'file', 'ftp', 'ftps', 'http', 'https', 'irc', 'mailto', 'sftp', 'ssh', 'tel', 'telnet', 'tftp', 'vnc', 'xmpp',
    ),
    'BANNER_BOTTOM': '',
    'BANNER_LOGIN': '',
    'BANNER_MAINTENANCE': 'NetBox is currently in maintenance mode. Functionality may be limited.',
    'BANNER_TOP': '',
    'CHANGELOG_RETENTION': 90,
    'CHANGELOG_SKIP_EMPTY_CHANGES': True,
    'CUSTOM_VALIDATORS': {},
    'DEFAULT_USER_PREFERENCES': {},
    'ENFORCE_GLOBAL_UNIQUE': True,
    'GRAPHQL_ENABLED': True,
    'JOB_RETENTION': 90,
    'MAINTENANCE_MODE': False,
    'MAPS_URL': 'https://maps.google.com/?q=',
    'MAX_PAGE_SIZE': 1000,
    'PAGINATE_COUNT': 50,
    'POWERFEED_DEFAULT_AMPERAGE': 15,
    'POWERFEED_DEFAULT_MAX_UTILIZATION': 80,
    'POWERFEED_DEFAULT_VOLTAGE': 120,
    'PREFER_IPV4': False,
    'PROTECTION_RULES': {},
    'RACK_ELEVATION_DEFAULT_UNIT_HEIGHT': 22,
    'RACK_ELEVATION_DEFAULT_UNIT_WIDTH': 220,
}

CACHE_KEY = 'config'
_local = threading.local()


class Config:
    """A snapshot of the dynamic configuration, taken once per request (or per call outside a request)."""

    def __init__(self):
        from django.conf import settings

        self.overrides = getattr(settings, 'CONFIG_OVERRIDES', {})
        self.revision_data = load_revision_data()

    def __getattr__(self, name):
        if name not in DYNAMIC_PARAMETERS:
            raise AttributeError(f'{name} is not a dynamic configuration parameter')
        if name in self.overrides:
            return self.overrides[name]
        if name in self.revision_data:
            return self.revision_data[name]
        return DYNAMIC_PARAMETERS[name]

    def source(self, name):
        """Where the value of `name` comes from: 'configuration', 'revision' or 'default'."""
        if name in self.overrides:
            return 'configuration'
        return 'revision' if name in self.revision_data else 'default'


def load_revision_data():
    from django.core.cache import cache

    data = cache.get(CACHE_KEY)
    if data is None:
        data = read_active_revision()
        cache.set(CACHE_KEY, data, None)
    return data


def read_active_revision():
    from django.db import DatabaseError

    try:
        from core.models import ConfigRevision

        revision = ConfigRevision.objects.filter(active=True).first()
    except DatabaseError:  # before migrations have run
        return {}
    return dict(revision.data) if revision else {}


def publish_revision_data(data):
    """Make `data` the live configuration for every process."""
    from django.core.cache import cache

    cache.set(CACHE_KEY, dict(data or {}), None)
    clear_config()


def get_config():
    config = getattr(_local, 'config', None)
    if config is None:
        config = Config()
        _local.config = config
    return config


def clear_config():
    """Forget this thread's snapshot; the next get_config() reads the current revision."""
    _local.config = None
