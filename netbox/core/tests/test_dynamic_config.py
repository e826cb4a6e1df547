"""
Dynamic configuration: defaults, the active ConfigRevision, configuration.py overrides, and a new revision reaching
the next request without a restart.
"""
import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from core.models import ConfigRevision
from netbox.dynamic_config import CACHE_KEY, DYNAMIC_PARAMETERS, clear_config, get_config, publish_revision_data

pytestmark = pytest.mark.django_db

TENANTS_URL = '/api/tenancy/tenants/'






@pytest.fixture
def three_tenants(db):
    from tenancy.models import Tenant

    return [Tenant.objects.create(name=f'Tenant {n}', slug=f'tenant-{n}') for n in range(3)]


def fresh_config():
    """The configuration as the next request would see it."""
    clear_config()
    return get_config()


def activate(revision, on_commit):
    """Activate `revision` and run its on-commit publication, as a committed transaction would."""
    with on_commit(execute=True):
        revision.activate()


# Precedence


def test_defaults_when_nothing_is_set():
    config = fresh_config()
    for name, default in DYNAMIC_PARAMETERS.items():
        assert getattr(config, name) == default
        assert config.source(name) == 'default'
    assert config.PAGINATE_COUNT == 50


def test_unknown_parameter_is_an_attribute_error():
    with pytest.raises(AttributeError):
        _ = fresh_config().NOT_A_PARAMETER


def test_value_in_the_active_revision_is_returned():
    ConfigRevision.objects.create(active=True, data={'PAGINATE_COUNT': 7, 'BANNER_TOP': 'Hello'})
    config = fresh_config()
    assert config.PAGINATE_COUNT == 7
    assert config.BANNER_TOP == 'Hello'
    assert config.source('PAGINATE_COUNT') == 'revision'
    assert config.MAX_PAGE_SIZE == DYNAMIC_PARAMETERS['MAX_PAGE_SIZE']  # not in the revision: still the default


def test_inactive_revision_is_ignored():
    ConfigRevision.objects.create(active=False, data={'PAGINATE_COUNT': 7})
    assert fresh_config().PAGINATE_COUNT == DYNAMIC_PARAMETERS['PAGINATE_COUNT']


def test_configuration_file_wins_over_the_revision():
    ConfigRevision.objects.create(active=True, data={'PAGINATE_COUNT': 7, 'BANNER_TOP': 'From revision'})
    with override_settings(CONFIG_OVERRIDES={'PAGINATE_COUNT': 25}):
        config = fresh_config()
        assert config.PAGINATE_COUNT == 25
        assert config.source('PAGINATE_COUNT') == 'configuration'
        assert config.BANNER_TOP == 'From revision'  # parameters not overridden still come from the revision


def test_a_false_value_in_the_configuration_file_still_wins():
    ConfigRevision.objects.create(active=True, data={'MAINTENANCE_MODE': True, 'BANNER_TOP': 'x'})
    with override_settings(CONFIG_OVERRIDES={'MAINTENANCE_MODE': False, 'BANNER_TOP': ''}):
        config = fresh_config()
        assert config.MAINTENANCE_MODE is False
        assert config.BANNER_TOP == ''


def test_revision_is_read_again_when_the_cache_is_empty():
    """A flushed or restarted Redis loses the cached data; the active revision is read from the database again."""
    ConfigRevision.objects.create(active=True, data={'PAGINATE_COUNT': 9})
    assert fresh_config().PAGINATE_COUNT == 9
    cache.clear()
    assert fresh_config().PAGINATE_COUNT == 9


# Activation


def test_activation_takes_effect_for_the_next_reader(django_capture_on_commit_callbacks):
    assert fresh_config().PAGINATE_COUNT == 50  # caches "no revision"
    revision = ConfigRevision.objects.create(data={'PAGINATE_COUNT': 4})
    activate(revision, django_capture_on_commit_callbacks)
    assert fresh_config().PAGINATE_COUNT == 4
    assert cache.get(CACHE_KEY) == {'PAGINATE_COUNT': 4}


def test_activation_leaves_one_active_revision(django_capture_on_commit_callbacks):
    first = ConfigRevision.objects.create(data={'PAGINATE_COUNT': 4})
    second = ConfigRevision.objects.create(data={'PAGINATE_COUNT': 6})
    activate(first, django_capture_on_commit_callbacks)
    activate(second, django_capture_on_commit_callbacks)
    assert list(ConfigRevision.objects.filter(active=True)) == [second]
    assert fresh_config().PAGINATE_COUNT == 6


def test_reactivating_an_earlier_revision(django_capture_on_commit_callbacks):
    """Going back to a revision that was active before (the same instance) makes it active again in the database."""
    first = ConfigRevision.objects.create(data={'PAGINATE_COUNT': 4})
    second = ConfigRevision.objects.create(data={'PAGINATE_COUNT': 6})
    activate(first, django_capture_on_commit_callbacks)
    activate(second, django_capture_on_commit_callbacks)
    activate(first, django_capture_on_commit_callbacks)
    assert list(ConfigRevision.objects.filter(active=True)) == [first]
    cache.clear()  # what a restarted Redis would do: the database must agree with what was published
    assert fresh_config().PAGINATE_COUNT == 4


def test_rolled_back_activation_publishes_nothing(django_capture_on_commit_callbacks):
    revision = ConfigRevision.objects.create(data={'PAGINATE_COUNT': 4})
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                revision.activate()
                raise RuntimeError('abort')
    assert not ConfigRevision.objects.filter(active=True).exists()
    assert fresh_config().PAGINATE_COUNT == 50


def test_snapshot_is_stable_until_cleared():
    """Within one request the configuration does not change under the code reading it."""
    config = get_config()
    assert config.PAGINATE_COUNT == 50
    cache.set(CACHE_KEY, {'PAGINATE_COUNT': 3}, None)  # another process publishes a revision
    assert get_config().PAGINATE_COUNT == 50
    assert fresh_config().PAGINATE_COUNT == 3


def test_publish_revision_data_reaches_this_thread():
    get_config()
    publish_revision_data({'PAGINATE_COUNT': 3})
    assert get_config().PAGINATE_COUNT == 3


# Through the API: a new revision applies to the next request, without a restart


def test_new_revision_changes_pagination_on_the_next_request(api, three_tenants,
                                                             django_capture_on_commit_callbacks):
    before = api.get(TENANTS_URL)
    assert before.status_code == 200, before.content
    assert before.json()['count'] == 3
    assert before.json()['next'] is None
    assert len(before.json()['results']) == 3

    revision = ConfigRevision.objects.create(comment='Small pages', data={'PAGINATE_COUNT': 2})
    activate(revision, django_capture_on_commit_callbacks)

    after = api.get(TENANTS_URL)
    assert after.status_code == 200, after.content
    body = after.json()
    assert body['count'] == 3
    assert len(body['results']) == 2
    assert body['next'] is not None
    assert 'limit=2' in body['next'] and 'offset=2' in body['next']


def test_revision_published_by_another_process_reaches_the_next_request(api, three_tenants):
    """Only the shared cache changes (as when another worker activates a revision); this thread's snapshot is stale."""
    assert api.get(TENANTS_URL).json()['next'] is None
    assert get_config().PAGINATE_COUNT == 50  # the snapshot left behind by the request
    cache.set(CACHE_KEY, {'PAGINATE_COUNT': 2}, None)
    body = api.get(TENANTS_URL).json()
    assert len(body['results']) == 2
    assert 'limit=2' in body['next']


def test_configuration_file_wins_over_the_revision_in_the_api(api, three_tenants,
                                                              django_capture_on_commit_callbacks):
    activate(ConfigRevision.objects.create(data={'PAGINATE_COUNT': 1}), django_capture_on_commit_callbacks)
    with override_settings(CONFIG_OVERRIDES={'PAGINATE_COUNT': 2}):
        body = api.get(TENANTS_URL).json()
    assert len(body['results']) == 2
    assert 'limit=2' in body['next']
