"""Background tasks (RQ's queues, tasks and their actions) through the API, for staff only; deleting a Job drops its
task; system jobs are scheduled once. Real Redis; the jobs run in this process's burst worker where they run."""
import datetime
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone
from rq import Queue

from core.jobs import clear_queue, enqueue_job, physical_queue_name, queue_for, run_queued_jobs
from core.models import DataSource, Job
from core.system_jobs import HOUSEKEEPING_NAME, schedule_system_jobs
from core.tasks import get_task
from netbox.testing import client_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures('empty_default_queue')]
DEFAULT = physical_queue_name('default')
NOTE = 'core.tests.test_worker_process.note_pid'



@pytest.fixture
def staff(db):
    from users.models import User

    return client_for(User.objects.create_user('staffer', 'staff@example.com', 'Staff-pass-123', is_staff=True))


def explode():
    raise RuntimeError('boom')


# {queue}: this run's default queue (its name differs between xdist workers, so it stays out of the test IDs).
BACKGROUND_PATHS = ('background-queues/', 'background-queues/{queue}/', 'background-workers/', 'background-tasks/')


@pytest.mark.parametrize('path', BACKGROUND_PATHS)
def test_background_pages_are_for_staff_only(path, staff, user_api):
    path = path.format(queue=DEFAULT)
    assert staff.get(f'/api/core/{path}').status_code == 200
    response = user_api.get(f'/api/core/{path}')
    assert response.status_code == 403 and 'staff' in response.json()['detail']


def test_actions_are_for_staff_only(user_api):
    job = enqueue_job(NOTE, name='queued')
    for action in ('enqueue', 'requeue', 'stop', 'delete'):
        assert user_api.post(f'/api/core/background-tasks/{job.job_id}/{action}/').status_code == 403
    assert get_task(job.job_id).is_queued


def test_queues_list_the_configured_queues_with_counts(api):
    enqueue_job(NOTE, name='waiting')
    enqueue_job(NOTE, name='later', schedule_at=timezone.now() + datetime.timedelta(hours=1))
    rows = {row['name']: row for row in api.get('/api/core/background-queues/', {'limit': 0}).json()['results']}
    assert set(rows) >= {'high', 'default', 'low', DEFAULT}
    row = rows[DEFAULT]
    assert row['jobs'] == 1 and row['scheduled_jobs'] == 1 and row['oldest_job_timestamp']
    assert {'started_jobs', 'deferred_jobs', 'finished_jobs', 'failed_jobs', 'workers'} <= set(row)
    detail = api.get(f'/api/core/background-queues/{DEFAULT}/').json()
    assert detail['jobs'] == 1 and detail['url'].endswith(f'/api/core/background-queues/{DEFAULT}/')
    assert api.get('/api/core/background-queues/nowhere/').status_code == 404


def test_tasks_are_listed_by_queue_and_status(api):
    waiting = enqueue_job(NOTE, name='waiting')
    later = enqueue_job(NOTE, name='later', schedule_at=timezone.now() + datetime.timedelta(hours=1))
    ids = lambda params: [row['id'] for row in api.get('/api/core/background-tasks/', params).json()['results']]  # noqa: E731
    assert ids({'queue': DEFAULT, 'status': 'queued'}) == [str(waiting.job_id)]
    assert ids({'queue': DEFAULT, 'status': 'scheduled'}) == [str(later.job_id)]
    assert set(ids({'queue': DEFAULT})) == {str(waiting.job_id), str(later.job_id)}
    row = api.get(f'/api/core/background-tasks/{waiting.job_id}/').json()
    assert row['func_name'] == 'core.jobs.run_job' and row['origin'] == DEFAULT and row['description'] == 'waiting'
    assert row['is_queued'] is True and row['status'] == 'queued' and row['position'] == 0
    response = api.get('/api/core/background-tasks/', {'status': 'sleeping'})
    assert response.status_code == 400 and 'status' in response.json()
    assert api.get('/api/core/background-tasks/', {'queue': 'nowhere'}).status_code == 400
    assert api.get('/api/core/background-tasks/00000000-0000-0000-0000-000000000000/').status_code == 404


def test_requeue_runs_a_failed_task_again(api):
    task = queue_for('default').enqueue('core.tests.test_background_tasks.explode')
    run_queued_jobs('default')
    row = api.get(f'/api/core/background-tasks/{task.id}/').json()
    assert row['is_failed'] is True and 'boom' in row['exc_info']
    assert [r['id'] for r in api.get('/api/core/background-tasks/', {'status': 'failed'}).json()['results']] \
        == [task.id]
    response = api.post(f'/api/core/background-tasks/{task.id}/requeue/')
    assert response.status_code == 200 and response.json()['is_queued'] is True
    assert queue_for('default').job_ids == [task.id]
    # A task that did not fail cannot be requeued.
    response = api.post(f'/api/core/background-tasks/{task.id}/requeue/')
    assert response.status_code == 400 and 'only failed' in response.json()['detail']


def test_stopping_a_queued_task_keeps_it_from_running(api):
    job = enqueue_job(NOTE, name='waiting')
    response = api.post(f'/api/core/background-tasks/{job.job_id}/stop/')
    assert response.status_code == 200 and response.json()['is_canceled'] is True
    assert run_queued_jobs('default') == 0
    job.refresh_from_db()
    assert job.status == 'errored' and job.error == 'Stopped by root before it ran.'


def test_deleting_a_task_removes_it(api):
    job = enqueue_job(NOTE, name='waiting')
    response = api.post(f'/api/core/background-tasks/{job.job_id}/delete/')
    assert response.status_code == 200
    assert get_task(job.job_id) is None and queue_for('default').count == 0
    assert api.get(f'/api/core/background-tasks/{job.job_id}/').status_code == 404
    job.refresh_from_db()
    assert job.status == 'errored' and 'Deleted from the queue by root' in job.error


def test_enqueue_runs_a_scheduled_task_now(api):
    job = enqueue_job(NOTE, name='later', schedule_at=timezone.now() + datetime.timedelta(hours=1))
    assert run_queued_jobs('default', with_scheduler=True) == 0
    response = api.post(f'/api/core/background-tasks/{job.job_id}/enqueue/')
    assert response.status_code == 200 and response.json()['is_queued'] is True
    assert run_queued_jobs('default') == 1
    job.refresh_from_db()
    assert job.status == 'completed'
    assert api.post(f'/api/core/background-tasks/{job.job_id}/enqueue/').status_code == 400


def test_a_read_only_token_may_not_act(db):
    from users.models import User

    user = User.objects.create_user('reader', 'reader@example.com', 'Reader-pass-123', is_staff=True)
    reader = client_for(user, write_enabled=False)
    job = enqueue_job(NOTE, name='waiting')
    assert reader.get(f'/api/core/background-tasks/{job.job_id}/').status_code == 200
    assert reader.post(f'/api/core/background-tasks/{job.job_id}/delete/').status_code == 403


# Deleting jobs

def test_deleting_a_scheduled_job_removes_its_task(api):
    job = enqueue_job(NOTE, name='later', schedule_at=timezone.now() + datetime.timedelta(hours=1), interval=60)
    assert get_task(job.job_id).is_scheduled
    assert api.delete(f'/api/core/jobs/{job.pk}/').status_code == 204
    assert get_task(job.job_id) is None
    assert Queue(DEFAULT, connection=queue_for('default').connection).scheduled_job_registry.count == 0


def test_a_recurring_job_deleted_by_a_user_stops_recurring(api):
    due = timezone.now() + datetime.timedelta(seconds=1)
    first = enqueue_job(NOTE, name='tick', schedule_at=due, interval=1)
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.2)
    assert run_queued_jobs('default', with_scheduler=True) == 1
    following = Job.objects.exclude(pk=first.pk).get(name='tick')
    assert following.status == 'scheduled'
    assert api.delete(f'/api/core/jobs/{following.pk}/').status_code == 204
    assert get_task(following.job_id) is None
    assert list(Job.objects.filter(name='tick').values_list('pk', flat=True)) == [first.pk]


def delete_own_job(job):
    Job.objects.filter(pk=job.pk).delete()


def test_a_job_deleted_while_it_runs_is_not_recorded_again_nor_recurs():
    job = enqueue_job('core.tests.test_background_tasks.delete_own_job', name='vanishing', interval=5)
    assert run_queued_jobs('default') == 1
    assert not Job.objects.filter(name='vanishing').exists()
    assert queue_for('default').scheduled_job_registry.count == 0
    assert get_task(job.job_id) is None or not get_task(job.job_id).is_scheduled


# System jobs

def test_system_jobs_are_scheduled_once_and_follow_sync_interval_changes():
    source = DataSource.objects.create(name='repo', type='local', source_url='/tmp', sync_interval=60)
    schedule_system_jobs()
    schedule_system_jobs()
    content_type = ContentType.objects.get_for_model(DataSource)
    syncs = Job.objects.filter(object_type=content_type, object_id=source.pk, status='scheduled')
    assert Job.objects.filter(name=HOUSEKEEPING_NAME, status='scheduled').count() == 1
    assert syncs.count() == 1 and syncs.get().interval == 60
    first = syncs.get()

    source.sync_interval = 1440
    source.save()
    assert syncs.count() == 1 and syncs.get().interval == 1440
    assert get_task(first.job_id) is None  # the run of the old interval went, task and all
    schedule_system_jobs()
    assert syncs.count() == 1

    source.enabled = False
    source.save()
    assert not syncs.exists()
    source.enabled, source.sync_interval = True, None
    source.save()
    assert not syncs.exists()
    source.sync_interval = 1
    source.save()
    assert syncs.count() == 1
    source.delete()
    assert not Job.objects.filter(object_type=content_type, status='scheduled').exists()


def test_a_system_job_whose_task_was_lost_is_replaced():
    schedule_system_jobs()
    run = Job.objects.get(name=HOUSEKEEPING_NAME, status='scheduled')
    clear_queue('default')  # Redis lost its tasks
    Job.objects.filter(pk=run.pk).update(created=timezone.now() - datetime.timedelta(minutes=5))
    schedule_system_jobs()
    run.refresh_from_db()
    assert run.status == 'errored' and run.error.startswith('Lost')
    replacement = Job.objects.get(name=HOUSEKEEPING_NAME, status='scheduled')
    assert get_task(replacement.job_id).is_scheduled


def test_the_housekeeping_job_applies_job_retention(settings):
    from core.system_jobs import HOUSEKEEPING_FUNC

    settings.CONFIG_OVERRIDES = {'JOB_RETENTION': 30}
    old = Job.objects.create(name='old', status='completed')
    Job.objects.filter(pk=old.pk).update(created=timezone.now() - datetime.timedelta(days=31))
    kept_failed = Job.objects.create(name='recent', status='failed')
    waiting = Job.objects.create(name='old but scheduled', status='scheduled')
    Job.objects.filter(pk=waiting.pk).update(created=timezone.now() - datetime.timedelta(days=31))
    job = enqueue_job(HOUSEKEEPING_FUNC, name=HOUSEKEEPING_NAME)
    assert run_queued_jobs('default') == 1
    job.refresh_from_db()
    assert job.status == 'completed'
    assert any('Deleted 1 job record(s) older than 30 day(s)' in entry['message'] for entry in job.log_entries)
    assert set(Job.objects.values_list('pk', flat=True)) == {kept_failed.pk, waiting.pk, job.pk}
    call_command('housekeeping', verbosity=0)  # nothing left to prune
    assert Job.objects.count() == 3
