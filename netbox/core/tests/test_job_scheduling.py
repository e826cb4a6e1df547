"""Scheduled and recurring jobs: `schedule_at` waits for RQ's scheduler, `interval` records and schedules the next
run when one ends."""
import datetime
import time

import pytest
from django.utils import timezone

from core.jobs import clear_queue, enqueue_job, run_queued_jobs
from core.models import Job

CALLS = []


def record_call(job, **kwargs):
    CALLS.append((job.pk, kwargs))


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_job_waits_then_runs_and_an_interval_schedules_the_next_run():
    clear_queue('default')
    CALLS.clear()
    due = timezone.now() + datetime.timedelta(seconds=1)
    job = enqueue_job('core.tests.test_job_scheduling.record_call', name='tick', schedule_at=due, interval=1,
                      kwargs={'a': 1}, timeout=30)
    assert Job.objects.get(pk=job.pk).status == 'scheduled'
    assert run_queued_jobs('default') == 0  # not due, and no scheduler: nothing runs
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.2)
    assert run_queued_jobs('default', with_scheduler=True) == 1
    job.refresh_from_db()
    assert job.status == 'completed' and CALLS == [(job.pk, {'a': 1})]
    following = Job.objects.exclude(pk=job.pk).get()
    assert following.status == 'scheduled' and following.interval == 1 and following.name == 'tick'
    assert abs((following.scheduled - due).total_seconds() - 60) < 1
    assert run_queued_jobs('default', with_scheduler=True) == 0  # the next run is a minute away
    clear_queue('default')


@pytest.mark.django_db(transaction=True)
def test_a_plain_job_is_pending_until_run_and_does_not_recur():
    clear_queue('default')
    CALLS.clear()
    job = enqueue_job('core.tests.test_job_scheduling.record_call', name='once')
    assert job.status == 'pending' and job.scheduled is None
    assert run_queued_jobs('default') == 1
    assert Job.objects.get().status == 'completed' and len(CALLS) == 1
