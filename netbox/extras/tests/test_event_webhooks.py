"""Events to webhooks end to end: a REST update that commits reaches a real HTTP receiver exactly once, through an
event rule whose conditions match, the event dispatch and the delivery job run by an RQ worker; a write rolled
back, or one the conditions refuse, sends nothing."""
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from extras.models import EventRule, Webhook
from extras.tests.test_webhooks import fast_retries, loopback_allowed, receiver  # noqa: F401 - fixtures
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


@pytest.fixture
def tenant_hook(receiver):  # noqa: F811
    webhook = Webhook.objects.create(name='tenants', payload_url=receiver.url())
    rule = EventRule.objects.create(
        name='active tenants', event_types=['object_updated'], action_type='webhook',
        action_object_type=ContentType.objects.get_for_model(Webhook), action_object_id=webhook.pk,
        conditions={'and': [{'attr': 'description', 'value': 'vip', 'op': 'contains'},
                            {'attr': 'name', 'value': 'skip', 'op': 'contains', 'negate': True}]})
    rule.object_types.set([ContentType.objects.get_for_model(Tenant)])
    return webhook


def test_a_committed_update_sends_exactly_one_webhook(api, background, receiver, loopback_allowed,  # noqa: F811
                                                      tenant_hook):
    tenant = Tenant.objects.create(name='Acme', slug='acme')
    response = background(lambda: api.patch(f'/api/tenancy/tenants/{tenant.pk}/', {'description': 'vip customer'},
                                            format='json'))
    assert response.status_code == 200
    # The dispatch may queue the delivery as a job of its own: let the worker take what is left.
    background(lambda: None)
    assert len(receiver.requests) == 1
    body = json.loads(receiver.requests[0]['body'])
    assert body['event'] == 'updated' and body['model'] == 'tenant' and body['username'] == api.user.username
    assert body['data']['description'] == 'vip customer'
    assert body['snapshots']['prechange']['description'] == '' and \
        body['snapshots']['postchange']['description'] == 'vip customer'


def test_a_rolled_back_or_unmatched_update_sends_nothing(api, background, receiver, loopback_allowed,  # noqa: F811
                                                         tenant_hook):
    tenant = Tenant.objects.create(name='Acme', slug='acme')
    skipped = Tenant.objects.create(name='skip me', slug='skip-me')

    def rolled_back():
        try:
            with transaction.atomic():
                api.patch(f'/api/tenancy/tenants/{tenant.pk}/', {'description': 'vip'}, format='json')
                raise Rollback
        except Rollback:
            pass

    background(rolled_back)
    background(lambda: api.patch(f'/api/tenancy/tenants/{tenant.pk}/', {'description': 'regular'}, format='json'))
    background(lambda: api.patch(f'/api/tenancy/tenants/{skipped.pk}/', {'description': 'vip'}, format='json'))
    background(lambda: None)
    assert receiver.requests == []
