"""Shared fixtures: named users, authenticated API clients, and a clean cache for every test."""
import pytest

from netbox.testing import client_for


@pytest.fixture(autouse=True)
def fresh_caches():
    """Configuration and custom fields are cached in Redis and per thread; each test starts clean."""
    from django.core.cache import cache

    from netbox.api.fields import api_list_path
    from netbox.dynamic_config import clear_config

    clear_own_cache_keys(cache)
    clear_config()
    api_list_path.__dict__.pop('cache', None)
    yield
    clear_config()


@pytest.fixture
def background(db, django_capture_on_commit_callbacks):
    """`background(call)`: make the call (an API request queuing a job, say) as if its transaction committed, so
    that its jobs reach this run's RQ queue, then run them with a real RQ worker (core.jobs.run_queued_jobs, in
    burst mode, in this process so it sees the test's data). Returns what the call returned."""
    from core.jobs import clear_queue, run_queued_jobs

    clear_queue('default')  # jobs left by an interrupted run belong to no database of this run

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            result = call()
        run_queued_jobs('default')
        return result
    return run


@pytest.fixture
def superuser(db):
    from users.models import User

    return User.objects.create_superuser('root', 'root@example.com', 'Root-pass-123')


@pytest.fixture
def plain_user(db):
    from users.models import User

    return User.objects.create_user('alice', 'alice@example.com', 'Alice-pass-123')


@pytest.fixture
def root_client(superuser):
    """A browser-like client signed in as the superuser."""
    from django.test import Client

    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def user_client(plain_user):
    """A browser-like client signed in as a user without any permission."""
    from django.test import Client

    client = Client()
    client.force_login(plain_user)
    return client


@pytest.fixture
def api(superuser):
    """An API client authenticated as a superuser with a v1 token."""
    return client_for(superuser)


@pytest.fixture
def user_api(plain_user):
    """An API client authenticated as a user without any permission."""
    return client_for(plain_user)


def clear_own_cache_keys(cache):
    """Delete this test run's cache keys only (the Redis database may be shared with other runs)."""
    from django.conf import settings

    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f'{settings.CACHES["default"]["KEY_PREFIX"]}:*', count=1000))
    if keys:
        client.delete(*keys)


# The REST conformance test (netbox/tests/test_conformance.py) records its per-app table under this name.
CONFORMANCE_SUMMARY = 'conformance_summary'


def pytest_terminal_summary(terminalreporter):
    """The conformance summaries, read from the reports' user properties (so they reach the xdist controller, which
    loads only this conftest): the REST table of netbox/tests/test_conformance.py, and the wire counts of
    netbox/tests/test_wire_types.py per app (fields of the wrong JSON type, filter names NetBox lacks)."""
    totals = {}
    tables = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, 'when', None) != 'call':
                continue
            for key, value in getattr(report, 'user_properties', ()):
                if key == CONFORMANCE_SUMMARY and value not in tables:
                    tables.append(value)
                if key in ('wire_types', 'wire_filters'):
                    entry = totals.setdefault(key, {}).setdefault(value['app'], [0, 0, 0])
                    entry[0] += 1
                    entry[1] += value['checked']
                    entry[2] += value['wrong']
    for table in tables:
        terminalreporter.section('REST conformance with NetBox 4.7.3')
        terminalreporter.write_line(table)
    # The GraphQL conformance test (netbox/tests/test_graphql_conformance.py) records its table under this name.
    for reports in terminalreporter.stats.values():
        for report in reports:
            for key, value in getattr(report, 'user_properties', ()):
                if key == 'graphql_conformance_summary' and getattr(report, 'when', None) == 'call':
                    terminalreporter.section('GraphQL conformance with NetBox 4.7.3')
                    terminalreporter.write_line(value)
    titles = {'wire_types': 'fields of the wrong JSON type', 'wire_filters': 'filter names NetBox lacks'}
    for key, title in titles.items():
        if key not in totals:
            continue
        terminalreporter.section(f'wire conformance: {title}')
        for app, (models, checked, wrong) in sorted(totals[key].items()):
            terminalreporter.write_line(f'{app:16} {models:4} models {checked:6} checked {wrong:5} wrong')
        wrong = sum(entry[2] for entry in totals[key].values())
        terminalreporter.write_line(f'{"total":16} {wrong} wrong')
