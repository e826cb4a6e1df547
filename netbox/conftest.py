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
def superuser(db):
    from users.models import User

    return User.objects.create_superuser('root', 'root@example.com', 'Root-pass-123')


@pytest.fixture
def plain_user(db):
    from users.models import User

    return User.objects.create_user('alice', 'alice@example.com', 'Alice-pass-123')


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
