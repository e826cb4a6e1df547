"""Events and event rules: one event per committed change and none for a rollback, conditions (and/or/negate,
changed/unchanged, snapshot paths, fail-closed attributes, regex), the REST API with 400s on malformed conditions,
the webhook, script and notification actions, job events, and no extra query per object when no rule wants it."""
import logging
import sys
import types

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.models import Job
from extras.conditions import ConditionError, check_conditions, evaluate
from extras.models import EventRule, Notification, NotificationGroup, Tag
from extras.tests.test_scripts import roots, script  # noqa: F401  (the script fixture modules)
from netbox.request_context import ChangeContext, change_logging
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db

RULES = '/api/extras/event-rules/'


@pytest.fixture
def deliveries(monkeypatch):
    """The webhook helper's enqueue_delivery(webhook, event), recorded instead of delivered."""
    calls = []
    module = sys.modules.get('extras.webhooks')
    if module is None:
        module = types.ModuleType('extras.webhooks')
        monkeypatch.setitem(sys.modules, 'extras.webhooks', module)
    monkeypatch.setattr(module, 'enqueue_delivery', lambda webhook, event: calls.append((webhook, event)),
                        raising=False)
    return calls


def rule(name='r', types=('tenancy.tenant',), event_types=('object_created',), action_object=None,
         action_type='webhook', **attrs):
    """A rule saved without its model checks: the webhook's target stands in for a webhook (another branch has
    them), so the webhook action is pointed at a tag."""
    target = action_object or Tag.objects.get_or_create(name='hook', slug='hook')[0]
    obj = EventRule.objects.create(name=name, event_types=list(event_types), action_type=action_type,
                                   action_object_type=ContentType.objects.get_for_model(target),
                                   action_object_id=target.pk, **attrs)
    obj.object_types.set([ContentType.objects.get_by_natural_key(*label.split('.')) for label in types])
    return obj


@pytest.fixture
def logged(superuser, django_capture_on_commit_callbacks):
    """`logged(call)`: make the call in a change-logging context as the superuser and commit it."""
    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            with change_logging(ChangeContext(user=superuser)):
                with transaction.atomic():
                    return call()
    return run


def test_a_commit_sends_one_event_per_object(deliveries, logged, superuser):
    rule(event_types=('object_created', 'object_updated'))

    def write():
        tenant = Tenant.objects.create(name='Acme', slug='acme')
        tenant.description = 'changed in the same transaction'
        tenant.save()
        return tenant
    tenant = logged(write)
    assert len(deliveries) == 1
    hook, event = deliveries[0]
    assert hook.slug == 'hook'
    assert event['event'] == 'created' and event['event_type'] == 'object_created'
    assert event['object_type'] == 'tenancy.tenant' and event['model'] == 'tenant'
    assert event['object_id'] == tenant.pk and event['username'] == superuser.username
    assert event['user_id'] == superuser.pk and event['request_id'] and event['timestamp']
    assert event['data']['name'] == 'Acme' and event['data']['description'] == 'changed in the same transaction'
    assert event['data']['url'].endswith(f'/api/tenancy/tenants/{tenant.pk}/')
    assert event['snapshots']['prechange'] is None
    assert event['snapshots']['postchange']['description'] == 'changed in the same transaction'


def test_update_and_delete_events(deliveries, logged):
    tenant = Tenant.objects.create(name='Acme', slug='acme')
    rule(event_types=('object_updated', 'object_deleted'))

    def update():
        tenant.name = 'Acme 2'
        tenant.save()
    logged(update)
    logged(tenant.delete)
    assert [event['event'] for _, event in deliveries] == ['updated', 'deleted']
    updated, deleted = deliveries[0][1], deliveries[1][1]
    assert updated['snapshots']['prechange']['name'] == 'Acme'
    assert updated['snapshots']['postchange']['name'] == 'Acme 2' and updated['data']['name'] == 'Acme 2'
    assert deleted['data']['name'] == 'Acme 2' and deleted['data']['slug'] == 'acme'  # the REST shape, before
    assert deleted['snapshots']['postchange'] is None


def test_a_rollback_sends_nothing(deliveries, superuser, django_capture_on_commit_callbacks):
    rule()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with change_logging(ChangeContext(user=superuser)):
            with pytest.raises(RuntimeError):
                with transaction.atomic():
                    Tenant.objects.create(name='Acme', slug='acme')
                    raise RuntimeError('rolled back')
    assert deliveries == [] and not Tenant.objects.exists()
    assert callbacks == []


def test_disabled_rules_and_other_types_send_nothing(deliveries, logged):
    rule(name='off', enabled=False)
    rule(name='sites', types=('dcim.site',))
    rule(name='deletes', event_types=('object_deleted',))
    logged(lambda: Tenant.objects.create(name='Acme', slug='acme'))
    assert deliveries == []


PIPELINE_SEEN = []


def record_events(events):
    PIPELINE_SEEN.extend(events)


def test_a_pipeline_step_of_its_own_is_given_every_event(deliveries, logged, settings):
    """With no rule at all, a callable added to EVENTS_PIPELINE still sees each committed change."""
    settings.EVENTS_PIPELINE = ['extras.events.process_event_queue', f'{__name__}.record_events']
    PIPELINE_SEEN.clear()
    tenant = logged(lambda: Tenant.objects.create(name='Acme', slug='acme'))
    logged(lambda: tenant.delete())
    assert [(event['event_type'], event['object_type']) for event in PIPELINE_SEEN] == \
        [('object_created', 'tenancy.tenant'), ('object_deleted', 'tenancy.tenant')]
    assert PIPELINE_SEEN[0]['data']['name'] == 'Acme' and deliveries == []


def test_rest_writes_send_events(deliveries, api, django_capture_on_commit_callbacks):
    rule()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post('/api/tenancy/tenants/', [{'name': f'T{i}', 'slug': f't{i}'} for i in range(3)],
                            format='json')
    assert response.status_code == 201, response.content
    assert sorted(event['data']['name'] for _, event in deliveries) == ['T0', 'T1', 'T2']
    assert {event['username'] for _, event in deliveries} == {api.user.username}


EVENT = {
    'event': 'updated', 'object_type': 'dcim.site', 'object_id': 1,
    'data': {'name': 'ams1', 'status': {'value': 'active', 'label': 'Active'}, 'asns': [65000, 65001],
             'tags': [{'name': 'core'}], 'count': 5, 'description': None},
    'snapshots': {'prechange': {'name': 'ams', 'status': 'planned', 'count': 5},
                  'postchange': {'name': 'ams1', 'status': 'active', 'count': 5}},
}


@pytest.mark.parametrize('conditions, expected', [
    (None, True),
    ({'attr': 'status.value', 'value': 'active'}, True),
    ({'attr': 'status.value', 'value': 'planned'}, False),
    ({'attr': 'status.value', 'value': 'active', 'negate': True}, False),
    ({'attr': 'count', 'value': 4, 'op': 'gt'}, True),
    ({'attr': 'count', 'value': 5, 'op': 'gt'}, False),
    ({'attr': 'count', 'value': 5, 'op': 'gte'}, True),
    ({'attr': 'count', 'value': 5, 'op': 'lt'}, False),
    ({'attr': 'count', 'value': 5, 'op': 'lte'}, True),
    ({'attr': 'name', 'value': ['ams1', 'fra1'], 'op': 'in'}, True),
    ({'attr': 'name', 'value': ['fra1'], 'op': 'in'}, False),
    ({'attr': 'asns', 'value': 65001, 'op': 'contains'}, True),
    ({'attr': 'name', 'value': 's1', 'op': 'contains'}, True),
    ({'attr': 'tags.0.name', 'value': 'core'}, True),
    ({'attr': 'name', 'value': r'^ams\d$', 'op': 'regex'}, True),
    ({'attr': 'name', 'value': r'^fra', 'op': 'regex'}, False),
    ({'attr': 'description', 'value': 'x', 'op': 'regex'}, False),
    ({'and': [{'attr': 'name', 'value': 'ams1'}, {'attr': 'count', 'value': 5}]}, True),
    ({'and': [{'attr': 'name', 'value': 'ams1'}, {'attr': 'count', 'value': 6}]}, False),
    ({'or': [{'attr': 'name', 'value': 'x'}, {'attr': 'count', 'value': 5}]}, True),
    ({'or': [{'attr': 'name', 'value': 'x'}, {'attr': 'count', 'value': 6}]}, False),
    ({'and': [{'or': [{'attr': 'name', 'value': 'x'}, {'attr': 'status.value', 'value': 'active'}]},
              {'attr': 'count', 'value': 6, 'negate': True}]}, True),
    ({'attr': 'status', 'op': 'changed'}, True),
    ({'attr': 'status', 'op': 'unchanged'}, False),
    ({'attr': 'count', 'op': 'changed'}, False),
    ({'attr': 'count', 'op': 'unchanged'}, True),
    ({'attr': 'status', 'op': 'changed', 'negate': True}, False),
    ({'attr': 'snapshots.prechange.status', 'value': 'planned'}, True),
    ({'attr': 'snapshots.postchange.status', 'value': 'planned'}, False),
    ({'and': [{'attr': 'snapshots.prechange.status', 'value': 'planned'},
              {'attr': 'snapshots.postchange.status', 'value': 'active'}]}, True),
])
def test_conditions(conditions, expected):
    assert evaluate(conditions, EVENT) is expected


@pytest.mark.parametrize('conditions', [
    {'attr': 'no.such', 'value': 1},
    {'attr': 'no.such', 'value': 1, 'negate': True},
    {'attr': 'snapshots.prechange.missing', 'value': 1, 'negate': True},
    {'attr': 'missing', 'op': 'changed'},
    {'attr': 'missing', 'op': 'unchanged', 'negate': True},
])
def test_an_unresolvable_attribute_fails_closed_and_is_logged(conditions, caplog):
    with caplog.at_level(logging.INFO, logger='netbox.events'):
        assert evaluate(conditions, EVENT) is False
    assert any('does not resolve' in message or 'not in both snapshots' in message for message in caplog.messages)


def test_changed_needs_both_snapshots(caplog):
    created = {**EVENT, 'snapshots': {'prechange': None, 'postchange': {'status': 'active'}}}
    with caplog.at_level(logging.INFO, logger='netbox.events'):
        assert evaluate({'attr': 'status', 'op': 'changed'}, created) is False
    assert caplog.messages


@pytest.mark.parametrize('conditions', [
    {'attr': 'name', 'value': 1, 'op': 'like'},
    {'value': 1},
    {'attr': 'name', 'value': '(', 'op': 'regex'},
    {'and': {'attr': 'name', 'value': 1}},
    {'and': []},
    {'and': [{'attr': 'a', 'value': 1}], 'or': [{'attr': 'a', 'value': 1}]},
    {'attr': 'name', 'op': 'eq'},
    {'attr': 'name', 'value': 'x', 'op': 'in'},
    {'attr': 'name', 'value': 'x', 'negate': 'yes'},
    {'attr': 'snapshots.prechange.name', 'op': 'changed'},
    ['not', 'an object'],
])
def test_malformed_conditions_are_rejected(conditions):
    with pytest.raises(ConditionError):
        check_conditions(conditions)
    assert evaluate(conditions, EVENT) is False


@pytest.fixture
def group(plain_user):
    return NotificationGroup.objects.create(name='ops')


def payload(group, **changes):
    data = {'name': 'Tenants', 'object_types': ['tenancy.tenant'], 'event_types': ['object_created'],
            'action_type': 'notification', 'action_object_type': 'extras.notificationgroup',
            'action_object_id': group.pk, 'conditions': {'attr': 'name', 'value': 'x'}}
    data.update(changes)
    return data


def test_rest_crud(api, group):
    response = api.post(RULES, payload(group), format='json')
    assert response.status_code == 201, response.content
    data = response.json()
    assert data['object_types'] == ['tenancy.tenant'] and data['event_types'] == ['object_created']
    assert data['action_type'] == {'value': 'notification', 'label': 'Notification'}
    assert data['action_object_type'] == 'extras.notificationgroup' and data['action_object']['name'] == 'ops'
    assert data['action_is_available'] is True and data['enabled'] is True
    assert data['conditions'] == {'attr': 'name', 'value': 'x'}
    assert 'action_data' not in data  # NetBox 4.7's REST rules have none: it is set in the UI or the shell
    url = f'{RULES}{data["id"]}/'
    response = api.patch(url, {'enabled': False, 'event_types': ['object_updated', 'object_deleted']},
                         format='json')
    assert response.status_code == 200, response.content
    assert response.json()['enabled'] is False
    assert api.get(RULES, {'event_type': 'object_deleted'}).json()['count'] == 1
    assert api.get(RULES, {'event_type': 'job_started'}).json()['count'] == 0
    assert api.get(RULES, {'object_type': 'tenancy.tenant'}).json()['count'] == 1
    assert api.get(RULES, {'action_is_available': 'true'}).json()['count'] == 1
    assert api.get(RULES, {'action_type': 'script'}).json()['count'] == 0
    assert api.delete(url).status_code == 204
    assert not EventRule.objects.exists()


@pytest.mark.parametrize('changes, field', [
    ({'conditions': {'attr': 'name', 'value': 1, 'op': 'like'}}, 'conditions'),
    ({'conditions': {'attr': 'name', 'value': '(', 'op': 'regex'}}, 'conditions'),
    ({'conditions': {'and': {'attr': 'name'}}}, 'conditions'),
    ({'conditions': {'value': 'x'}}, 'conditions'),
    ({'event_types': ['object_exploded']}, 'event_types'),
    ({'event_types': []}, 'event_types'),
    ({'action_type': 'script'}, 'action_object_type'),
    ({'action_object_id': 999999}, 'action_object_id'),
    ({'object_types': ['no.such']}, 'object_types'),
])
def test_bad_input_is_a_400_naming_the_field(api, group, changes, field):
    response = api.post(RULES, payload(group, **changes), format='json')
    assert response.status_code == 400 and field in response.json(), response.content
    assert not EventRule.objects.exists()


def test_notification_action_notifies_the_group(logged, group, plain_user, superuser):
    from users.models import Group

    team = Group.objects.create(name='team')
    superuser.groups.add(team)
    group.users.add(plain_user)
    group.groups.add(team)
    rule(action_type='notification', action_object=group, conditions={'attr': 'name', 'value': 'Acme'})
    logged(lambda: Tenant.objects.create(name='Other', slug='other'))
    assert not Notification.objects.exists()
    tenant = logged(lambda: Tenant.objects.create(name='Acme', slug='acme'))
    notices = Notification.objects.order_by('user__username')
    assert {notice.user for notice in notices} == {plain_user, superuser}
    assert all(notice.object_id == tenant.pk and notice.event_type == 'object_created' for notice in notices)
    assert all(notice.object_type.model == 'tenant' and notice.object_repr == 'Acme' for notice in notices)


def test_script_action_enqueues_the_script(logged, roots, superuser):  # noqa: F811
    target = script('sites.SiteTenant')
    rule(action_type='script', action_object=target, action_data={'note': 'from a rule'})
    tenant = logged(lambda: Tenant.objects.create(name='Acme', slug='acme'))
    job = Job.objects.get(object_type=ContentType.objects.get_for_model(type(target)), object_id=target.pk)
    assert job.user == superuser and job.status == 'pending'
    from django_rq import get_queue  # noqa: F401  (the job reached the queue: its RQ job is recorded)

    from core.jobs import queue_for

    rq_job = queue_for('default').fetch_job(str(job.job_id))
    assert rq_job is not None
    kwargs = rq_job.args[2]
    assert kwargs['data']['note'] == 'from a rule' and kwargs['commit'] is True
    assert kwargs['data']['event']['object_id'] == tenant.pk
    assert kwargs['data']['event']['event_type'] == 'object_created'


ECHO = """
from extras.scripts import Script, StringVar


class EventEcho(Script):
    note = StringVar(required=False)

    def run(self, data, commit):
        event = data['event']
        self.log_info(f"{event['event_type']} {event['data']['name']} {data['note']}")
"""


def test_script_action_runs_with_the_event(logged, roots, superuser):  # noqa: F811
    from core.jobs import clear_queue, run_queued_jobs

    (roots / 'scripts' / 'echo.py').write_text(ECHO)
    target = script('echo.EventEcho')
    rule(action_type='script', action_object=target, action_data={'note': 'via rule'})
    clear_queue('default')
    logged(lambda: Tenant.objects.create(name='Acme', slug='acme'))
    assert run_queued_jobs('default') == 1
    job = Job.objects.get(object_id=target.pk, object_type=ContentType.objects.get_for_model(type(target)))
    assert job.status == 'completed', job.error
    assert [entry['message'] for entry in job.data['log']] == ['object_created Acme via rule']


def test_job_events_fire(deliveries, background, superuser):
    from core.jobs import enqueue_job

    rule(types=('core.job',), event_types=('job_started', 'job_completed', 'job_errored'))
    background(lambda: enqueue_job('extras.tests.test_event_rules.succeeding_job', name='ok', user=superuser))
    background(lambda: enqueue_job('extras.tests.test_event_rules.erroring_job', name='bad', user=superuser))
    seen = [(event['event_type'], event['data']['name']) for _, event in deliveries]
    assert seen == [('job_started', 'ok'), ('job_completed', 'ok'), ('job_started', 'bad'), ('job_errored', 'bad')]
    event = deliveries[1][1]
    assert event['object_type'] == 'core.job' and event['username'] == superuser.username
    assert event['data']['status']['value'] == 'completed'


def succeeding_job(job):
    pass


def erroring_job(job):
    raise ValueError('broken')


def count_bulk_create(api, prefix, size, django_capture_on_commit_callbacks):
    body = [{'name': f'{prefix}{i}', 'slug': f'{prefix}{i}'} for i in range(size)]
    with django_capture_on_commit_callbacks(execute=True):
        with CaptureQueriesContext(connection) as queries:
            response = api.post('/api/tenancy/tenants/', body, format='json')
    assert response.status_code == 201, response.content
    return len(queries)


def test_no_extra_query_per_object(api, deliveries, monkeypatch, django_capture_on_commit_callbacks):
    from netbox import changelog
    from netbox.api import authentication

    # The token's last_used is written once a minute: a write landing in one measured request only would be noise.
    monkeypatch.setattr(authentication, 'TOKEN_LAST_USED_INTERVAL', 10 ** 6)

    def growth(prefix):
        count_bulk_create(api, f'{prefix}w', 1, django_capture_on_commit_callbacks)  # warm caches
        one = count_bulk_create(api, f'{prefix}a', 1, django_capture_on_commit_callbacks)
        many = count_bulk_create(api, f'{prefix}b', 50, django_capture_on_commit_callbacks)
        return one, many

    with monkeypatch.context() as patch:  # the events machinery switched off: the baseline
        patch.setattr(changelog, '_record_listeners', [])
        baseline = growth('x')
    assert growth('y') == baseline  # no rule at all: not one query more
    rule(name='sites', types=('dcim.site',))
    assert growth('z') == baseline  # rules, but none for tenants
    rule(name='tenants', conditions={'attr': 'name', 'value': 'never'})
    one, many = growth('v')
    assert many - one == baseline[1] - baseline[0]  # a rule wanting them: a constant number more, per write
    assert deliveries == []
