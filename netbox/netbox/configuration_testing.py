"""Configuration for the test suite: the environment-driven configuration with a fixed, test-only secret key."""
import os

from netbox.configuration_env import *  # noqa: F401,F403

SECRET_KEY = os.environ.get('SECRET_KEY', 'test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH')
EXEMPT_VIEW_PERMISSIONS = []
LOGIN_REQUIRED = True
API_TOKEN_PEPPERS = {1: 'test-pepper-0123456789-abcdefghijklmnopqrstuvwxyz'}

# Each pytest-xdist worker gets Redis databases of its own, so cached configuration never leaks between workers.
_worker = os.environ.get('PYTEST_XDIST_WORKER', 'gw')[2:] or '0'
_base = 8 + 2 * int(_worker) if _worker.isdigit() else 8
REDIS['tasks']['DATABASE'] = _base  # noqa: F405
REDIS['caching']['DATABASE'] = _base + 1  # noqa: F405
DATABASE['CONN_MAX_AGE'] = 0  # noqa: F405  (test databases are dropped at the end; keep no connection open)
