"""Background jobs run by the REAL worker: `manage.py rqworker <queue> --burst --with-scheduler` in a process of its
own (NetBox's worker class, forking a work horse per job, RQ's signal-based timeout), against this run's database and
queues. The rows it must see are committed (transaction=True)."""
import datetime
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from core.jobs import enqueue_job, physical_queue_name
from core.models import Job
from core.system_jobs import HOUSEKEEPING_NAME
from core.tasks import get_task
from netbox.testing import run_worker_process, worker_command, worker_environment

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures('empty_default_queue')]

REPO = Path(__file__).resolve().parents[3]


def run_worker(timeout=90):
    """Run a burst worker (it ends once the queue is empty) and return its output."""
    return run_worker_process('--with-scheduler', timeout=timeout)


def start_worker(*options):
    return subprocess.Popen(worker_command(*options), env=worker_environment(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(condition, seconds=30, message='condition'):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f'{message} not met within {seconds} seconds')


def note_pid(job, **kwargs):
    """A job function: records the process it ran in."""
    job.data = {'pid': os.getpid(), **kwargs}


def nap(job, seconds):
    time.sleep(seconds)



def test_a_scheduled_and_an_interval_job_run_in_the_worker_process():
    due = timezone.now() + datetime.timedelta(seconds=2)
    once = enqueue_job('core.tests.test_worker_process.note_pid', name='later', schedule_at=due, kwargs={'n': 1})
    recurring = enqueue_job('core.tests.test_worker_process.note_pid', name='every minute', schedule_at=due,
                            interval=1)
    later = enqueue_job('core.tests.test_worker_process.note_pid', name='in an hour',
                        schedule_at=timezone.now() + datetime.timedelta(hours=1))
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.5)
    run_worker()
    later.refresh_from_db()
    assert later.status == 'scheduled' and get_task(later.job_id).is_scheduled  # not due: not run
    once.refresh_from_db()
    recurring.refresh_from_db()
    assert once.status == 'completed' and once.data == {'pid': once.data['pid'], 'n': 1}
    assert once.data['pid'] != os.getpid()  # it ran in the worker's work horse
    assert once.started >= due and once.completed >= once.started
    assert recurring.status == 'completed'
    following = Job.objects.get(name='every minute', status='scheduled')
    assert following.interval == 1 and abs((following.scheduled - due).total_seconds() - 60) < 1
    task = get_task(following.job_id)
    assert task is not None and task.is_scheduled


def test_a_job_past_its_timeout_ends_errored_saying_so():
    job = enqueue_job('core.tests.test_worker_process.nap', name='slow', kwargs={'seconds': 20}, timeout=1)
    started = time.monotonic()
    run_worker()
    assert time.monotonic() - started < 15
    job.refresh_from_db()
    assert job.status == 'errored'
    assert job.error == 'Timed out: the job ran longer than its timeout of 1 seconds and was stopped.'
    assert job.completed and job.log_entries[-1]['level'] == 'failure'


def test_rq_default_timeout_applies_without_a_timeout_of_the_job():
    with override_settings(RQ_DEFAULT_TIMEOUT=1):
        job = enqueue_job('core.tests.test_worker_process.nap', name='slow by default', kwargs={'seconds': 20})
    assert get_task(job.job_id).timeout == 1
    run_worker()
    job.refresh_from_db()
    assert job.status == 'errored' and 'timeout of 1 seconds' in job.error


def test_the_worker_schedules_the_system_jobs_once_however_often_it_starts():
    from core.models import DataSource

    source = DataSource.objects.create(name='hourly', type='local', source_url='/tmp', sync_interval=60)
    run_worker()
    run_worker()
    housekeeping = Job.objects.filter(name=HOUSEKEEPING_NAME, status='scheduled')
    assert housekeeping.count() == 1 and housekeeping.get().interval == 24 * 60
    syncs = Job.objects.filter(object_id=source.pk, status='scheduled')
    assert syncs.count() == 1 and syncs.get().interval == 60
    for job in (housekeeping.get(), syncs.get()):
        assert get_task(job.job_id).is_scheduled


def test_stopping_a_running_task_ends_its_job_and_the_task_can_be_requeued(superuser):
    from netbox.testing import client_for

    api = client_for(superuser)
    job = enqueue_job('core.tests.test_worker_process.nap', name='long', kwargs={'seconds': 60}, interval=60)
    worker = start_worker('--burst')
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).status == 'running', message='the job running')
        response = api.post(f'/api/core/background-tasks/{job.job_id}/stop/')
        assert response.status_code == 200, response.content
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
    job.refresh_from_db()
    assert job.status == 'errored' and job.error.startswith('Stopped by root while running')
    task = get_task(job.job_id)
    assert task.is_stopped
    assert not Job.objects.filter(name='long').exclude(pk=job.pk).exists()  # a stopped run does not recur

    response = api.post(f'/api/core/background-tasks/{job.job_id}/requeue/')
    assert response.status_code == 200 and response.json()['is_queued'] is True
    # Shorten the rerun: the task's own arguments are what the worker runs.
    task = get_task(job.job_id)
    task.args = (task.args[0], task.args[1], {'seconds': 0})
    task.save()
    run_worker()
    job.refresh_from_db()
    assert job.status == 'completed' and job.error == ''
    assert Job.objects.get(name='long', status='scheduled').interval == 60  # a completed run recurs again


def test_a_live_worker_is_listed_for_staff(superuser):
    from netbox.testing import client_for

    api = client_for(superuser)
    worker = start_worker()
    try:
        found = {}

        def listed():
            rows = api.get('/api/core/background-workers/').json()['results']
            found.update({row['name']: row for row in rows if row['pid'] == worker.pid})
            return bool(found)
        wait_for(listed, message='the worker listed')
        name, row = next(iter(found.items()))
        assert physical_queue_name('default') in row['queue_names']
        assert api.get(f'/api/core/background-workers/{name}/').json()['pid'] == worker.pid
        queue = api.get(f'/api/core/background-queues/{physical_queue_name("default")}/').json()
        assert queue['workers'] >= 1
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
