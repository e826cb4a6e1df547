"""Settings for the test suite: the regular settings, read from configuration_testing.py."""
import os
import tempfile

os.environ.setdefault('NETBOX_CONFIGURATION', 'netbox.configuration_testing')

from netbox.settings import *  # noqa: E402,F401,F403

# Cache keys of this test run (database name and xdist worker) stay apart from any other run sharing the Redis
# server, so one run clearing its cache never empties another's.
CACHES['default']['KEY_PREFIX'] = (  # noqa: F405
    f'test-{DATABASES["default"]["NAME"]}-{os.environ.get("PYTEST_XDIST_WORKER", "main")}'  # noqa: F405
)

# Tests create many users with passwords; the production hasher's 1.2M PBKDF2 rounds would dominate their run time.
PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']

# Background jobs of this run (database and xdist worker) go to RQ queues of their own, so that a worker run by one
# test never takes another run's jobs (core.jobs maps 'default' to '<prefix>default').
# A worker process a test starts (manage.py rqworker) is told the prefix of the run that started it.
RQ_QUEUE_PREFIX = os.environ.get('NETBOX_TEST_RQ_QUEUE_PREFIX') or (
    f'test-{DATABASES["default"]["NAME"]}-{os.environ.get("PYTEST_XDIST_WORKER", "main")}-')  # noqa: F405
for _name in ('high', 'default', 'low'):
    RQ_QUEUES[f'{RQ_QUEUE_PREFIX}{_name}'] = RQ_CONNECTION  # noqa: F405

# Uploaded files never land in the source tree; tests that look at files override MEDIA_ROOT with their own
# temporary directory.
# A server process a test starts may be told to share a directory with the processes that fill its database.
MEDIA_ROOT = os.environ.get('NETBOX_TEST_MEDIA_ROOT') or tempfile.mkdtemp(prefix='netbox-test-media-')
