"""A rule sending job events to a webhook is told about the jobs it watches, not about its own deliveries (which
would otherwise each complete, fire the rule again and queue another delivery, forever)."""
import json

import pytest
from django.contrib.contenttypes.models import ContentType

from core.jobs import clear_queue, enqueue_job, run_queued_jobs
from core.models import Job
from extras.models import EventRule, Webhook
from extras.tests import test_webhooks

pytestmark = pytest.mark.django_db

# The webhooks' fixtures: a receiving HTTP server on 127.0.0.1, which deliveries may reach, with quick retries.
receiver, fast_retries, loopback_allowed = (test_webhooks.receiver, test_webhooks.fast_retries,
                                            test_webhooks.loopback_allowed)


@pytest.mark.usefixtures('loopback_allowed')
def test_a_webhook_on_job_events_is_not_fed_by_its_own_deliveries(receiver,
                                                                    django_capture_on_commit_callbacks):
    webhook = Webhook.objects.create(name='jobs', payload_url=receiver.url())
    rule = EventRule.objects.create(
        name='finished jobs', event_types=['job_started', 'job_completed'], action_type='webhook',
        action_object_type=ContentType.objects.get_for_model(Webhook), action_object_id=webhook.pk)
    rule.object_types.set([ContentType.objects.get_for_model(Job)])
    clear_queue('default')
    with django_capture_on_commit_callbacks(execute=True):
        work = enqueue_job('extras.tests.test_event_rules.succeeding_job', name='work')
    # Run what is queued, round after round, until nothing is left: the work, then the two deliveries its events
    # queued, then nothing (the deliveries raised no events of their own).
    rounds = []
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            rounds.append(run_queued_jobs('default'))
        if not rounds[-1]:
            break
    assert rounds == [1, 2, 0]
    bodies = [json.loads(request['body']) for request in receiver.requests]
    assert sorted((body['event'], body['data']['id']) for body in bodies) == [('completed', work.pk),
                                                                              ('started', work.pk)]
    deliveries = Job.objects.exclude(pk=work.pk)
    assert deliveries.count() == 2 and all(job.status == 'completed' for job in deliveries)
