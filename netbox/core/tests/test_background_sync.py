"""Data source syncs as background jobs: the API and the UI queue a job (the source `queued`, a pending core.Job)
and answer at once; a real RQ worker (in burst mode, against the test Redis) runs it: the Job goes running →
completed (or errored/failed) with its times and log, the source syncing → completed."""
import pytest
from django.contrib.contenttypes.models import ContentType

from core.jobs import enqueue_job, queue_for, run_queued_jobs
from core.models import DataSource, Job
from netbox.testing import client_for, grant

pytestmark = pytest.mark.django_db

seen_statuses = []


def record_status(job):
    """A job function for the tests: notes the status and start time the Job has (stored) while it runs."""
    stored = Job.objects.get(pk=job.pk)
    seen_statuses.append((stored.status, stored.started is not None, stored.completed))


def explode(job):
    raise RuntimeError('disk on fire')


@pytest.fixture
def source(tmp_path):
    (tmp_path / 'a.txt').write_text('alpha')
    return DataSource.objects.create(name='files', type='local', source_url=str(tmp_path))


def test_api_sync_queues_a_job_that_a_worker_completes(api, source, django_capture_on_commit_callbacks):
    queue_for('default').empty()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f'/api/core/data-sources/{source.pk}/sync/')
    assert response.status_code == 200
    assert response.json()['status']['value'] == 'queued' and response.json()['file_count'] == 0
    job = Job.objects.get()
    assert job.status == 'pending' and job.object == source and job.user == api.user
    assert job.queue_name.endswith('default') and queue_for('default').count == 1
    assert queue_for('default').job_ids == [str(job.job_id)]

    assert run_queued_jobs() == 1
    job.refresh_from_db()
    source.refresh_from_db()
    assert job.status == 'completed' and job.started and job.completed and job.completed >= job.started
    assert job.error == '' and job.data == {'files': 1}
    assert job.log_entries[-1]['level'] == 'success' and 'Synced 1 files' in job.log_entries[-1]['message']
    assert source.status == 'completed' and source.datafiles.count() == 1
    served = api.get(f'/api/core/jobs/{job.pk}/').json()
    assert served['status']['value'] == 'completed' and served['object']['id'] == source.pk


def test_job_is_running_while_its_function_runs(source, django_capture_on_commit_callbacks):
    queue_for('default').empty()
    seen_statuses.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_job('core.tests.test_background_sync.record_status', name='probe', instance=source)
    run_queued_jobs()
    assert seen_statuses == [('running', True, None)]
    job.refresh_from_db()
    assert job.status == 'completed'


def test_source_is_syncing_during_the_sync_and_failed_after_an_error(source, django_capture_on_commit_callbacks):
    from core.datasync import enqueue_sync

    seen = []
    original = DataSource.sync

    def watching_sync(self):
        seen.append(DataSource.objects.get(pk=self.pk).status)
        raise OSError('unexpected')
    DataSource.sync = watching_sync
    try:
        queue_for('default').empty()
        with django_capture_on_commit_callbacks(execute=True):
            job = enqueue_sync(source)
        assert DataSource.objects.get(pk=source.pk).status == 'queued'
        run_queued_jobs()
    finally:
        DataSource.sync = original
    job.refresh_from_db()
    assert seen == ['syncing']
    assert DataSource.objects.get(pk=source.pk).status == 'failed' and job.status == 'errored'
    assert 'OSError: unexpected' in job.error


def test_an_exception_errors_the_job_with_its_message(source, django_capture_on_commit_callbacks):
    queue_for('default').empty()
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_job('core.tests.test_background_sync.explode', name='boom', instance=source)
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == 'errored' and 'RuntimeError: disk on fire' in job.error and job.completed
    assert job.log_entries[-1]['level'] == 'failure'


def test_nothing_is_queued_when_the_transaction_rolls_back(source):
    from django.db import transaction

    queue_for('default').empty()
    try:
        with transaction.atomic():
            enqueue_job('core.tests.test_background_sync.explode', name='never', instance=source)
            raise RuntimeError('rollback')
    except RuntimeError:
        pass
    assert queue_for('default').count == 0 and not Job.objects.exists()


def test_ui_sync_button_queues_and_the_page_shows_the_job(admin_client, source, background):
    page = admin_client.get(f'/core/data-sources/{source.pk}/').content.decode()
    assert f'action="/core/data-sources/{source.pk}/sync/"' in page
    response = background(lambda: admin_client.post(f'/core/data-sources/{source.pk}/sync/'))
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == 'completed'
    page = admin_client.get(f'/core/data-sources/{source.pk}/').content.decode()
    assert f'data-pk="{job.pk}"' in page and 'data-status="completed"' in page
    assert admin_client.get(f'/core/jobs/{job.pk}/').status_code == 200


def test_sync_needs_the_sync_permission(plain_user, source):
    grant(plain_user, DataSource, ['view'])
    api = client_for(plain_user)
    assert api.post(f'/api/core/data-sources/{source.pk}/sync/').status_code == 403
    grant(plain_user, DataSource, ['sync'])
    assert api.post(f'/api/core/data-sources/{source.pk}/sync/').status_code == 200
    assert Job.objects.get().user == plain_user


def test_disabled_source_is_a_400(api, source):
    source.enabled = False
    source.save()
    assert api.post(f'/api/core/data-sources/{source.pk}/sync/').status_code == 400
    assert not Job.objects.exists()


def test_job_of_another_database_is_skipped(django_capture_on_commit_callbacks, source):
    queue_for('default').empty()
    queue_for('default').enqueue_call('core.jobs.run_job', args=(987654321, 'core.datasync.sync_job', {}))
    assert run_queued_jobs() == 1
    assert ContentType.objects.get_for_model(DataSource)  # the worker left the test's connection usable
