"""The job pages and the background task pages: a job's status panel polls its fragment until the job finishes; the
task pages are for staff, with their actions."""
import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from core.jobs import enqueue_job, physical_queue_name, run_queued_jobs
from core.models import Job
from core.tasks import get_task
from netbox.testing import grant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures('empty_default_queue')]
NOTE = 'core.tests.test_jobs_ui.say_hello'
DEFAULT = physical_queue_name('default')


def say_hello(job):
    from core.jobs import log

    log(job, 'hello from the worker', 'success')



@pytest.fixture
def root(root_client):
    return root_client


@pytest.fixture
def alice(user_client):
    return user_client


def test_job_page_follows_the_job_until_it_finishes(root):
    job = enqueue_job(NOTE, name='greeting')
    page = root.get(f'/core/jobs/{job.pk}/').content.decode()
    status_url = f'/core/jobs/{job.pk}/status/'
    assert f'data-poll="{status_url}"' in page and 'data-status="pending"' in page

    fragment = root.get(status_url).content.decode()
    assert fragment.lstrip().startswith('<section') and 'data-poll' in fragment and 'Pending' in fragment
    assert 'No log entries.' in fragment

    assert run_queued_jobs('default') == 1
    fragment = root.get(status_url).content.decode()
    assert 'data-poll' not in fragment  # finished: the page stops polling
    assert 'data-status="completed"' in fragment and 'Completed' in fragment
    assert 'hello from the worker' in fragment and 'data-level="success"' in fragment
    job.refresh_from_db()
    assert job.started.strftime('%Y-%m-%d %H:%M:%S') in fragment


def test_job_page_shows_the_error(root):
    job = Job.objects.create(name='broken', status='errored', error='Timed out: the job ran longer than its timeout',
                             started=timezone.now(), completed=timezone.now())
    fragment = root.get(f'/core/jobs/{job.pk}/status/').content.decode()
    assert 'Timed out: the job ran longer than its timeout' in fragment and 'badge-red' in fragment


def test_job_list_and_status_need_the_view_permission(alice, plain_user):
    job = Job.objects.create(name='private', status='completed')
    assert alice.get('/core/jobs/').status_code == 403
    assert alice.get(f'/core/jobs/{job.pk}/status/').status_code == 403
    grant(plain_user, Job, ['view'], constraints={'name': 'other'})
    assert alice.get(f'/core/jobs/{job.pk}/status/').status_code == 404
    grant(plain_user, Job, ['view'], name='all jobs')
    assert alice.get(f'/core/jobs/{job.pk}/status/').status_code == 200
    assert 'private' in alice.get('/core/jobs/').content.decode()


@pytest.mark.parametrize('path', ['/core/background-queues/', '/core/background-tasks/',
                                  '/core/background-workers/'])
def test_background_pages_are_for_staff_only(path, root, alice):
    assert root.get(path).status_code == 200
    assert alice.get(path).status_code == 403
    assert Client().get(path).status_code == 302  # to the login page


def test_menu_offers_background_tasks_to_staff_only(root, alice, plain_user):
    grant(plain_user, Job, ['view'])
    assert '/core/background-queues/' in root.get('/').content.decode()
    assert '/core/background-queues/' not in alice.get('/').content.decode()


def test_queue_page_counts_tasks_per_registry(root):
    enqueue_job(NOTE, name='waiting')
    enqueue_job(NOTE, name='later', schedule_at=timezone.now() + datetime.timedelta(hours=1))
    page = root.get('/core/background-queues/').content.decode()
    row = re.search(rf'<tr data-queue="{DEFAULT}">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'data-count="queued">1<', row) and re.search(r'data-count="scheduled">1<', row)
    listed = root.get('/core/background-tasks/', {'queue': DEFAULT, 'status': 'scheduled'}).content.decode()
    assert 'later' in listed and 'waiting' not in listed


def test_task_page_actions(root):
    job = enqueue_job(NOTE, name='later', schedule_at=timezone.now() + datetime.timedelta(hours=1))
    page = root.get(f'/core/background-tasks/{job.job_id}/').content.decode()
    assert 'Enqueue now' in page and 'Stop' in page and 'Requeue' not in page
    assert f'href="/core/jobs/{job.pk}/"' in page
    response = root.post(f'/core/background-tasks/{job.job_id}/enqueue/')
    assert response.status_code == 302 and get_task(job.job_id).is_queued
    response = root.post(f'/core/background-tasks/{job.job_id}/requeue/', follow=True)
    assert 'only failed or stopped tasks can be requeued' in response.content.decode()
    response = root.post(f'/core/background-tasks/{job.job_id}/delete/')
    assert response.status_code == 302 and get_task(job.job_id) is None
    job.refresh_from_db()
    assert job.status == 'errored'
    assert root.get(f'/core/background-tasks/{job.job_id}/').status_code == 404


def test_task_actions_are_for_staff_only(alice):
    job = enqueue_job(NOTE, name='waiting')
    assert alice.post(f'/core/background-tasks/{job.job_id}/delete/').status_code == 403
    assert get_task(job.job_id).is_queued
