"""Configuration for the test suite: the environment-driven configuration with a fixed, test-only secret key."""
import os

from netbox.configuration_env import *  # noqa: F401,F403

SECRET_KEY = os.environ.get('SECRET_KEY', 'test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH')
EXEMPT_VIEW_PERMISSIONS = []
LOGIN_REQUIRED = True
API_TOKEN_PEPPERS = {1: 'test-pepper-0123456789-abcdefghijklmnopqrstuvwxyz'}

# Redis databases of their own for tests; settings_testing.py gives each run and worker its own key prefix.
REDIS['tasks']['DATABASE'] = int(os.environ.get('TEST_REDIS_DATABASE', '8'))  # noqa: F405
REDIS['caching']['DATABASE'] = int(os.environ.get('TEST_REDIS_CACHE_DATABASE', '9'))  # noqa: F405
DATABASE['CONN_MAX_AGE'] = 0  # noqa: F405  (test databases are dropped at the end; keep no connection open)

# The test plugins: netbox/netbox/tests/gizmo_plugin (written the NetBox way, with a required setting) and
# native_plugin (declared our way).
PLUGINS = ['netbox.tests.gizmo_plugin', 'netbox.tests.native_plugin']
PLUGINS_CONFIG = {'netbox.tests.gizmo_plugin': {'inventory_owner': 'Operations'}}
