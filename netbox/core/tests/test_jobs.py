"""Jobs: execution_time (NetBox 4.7) is the time from start to completion, served and filterable."""
import datetime

import pytest
from django.utils import timezone

from core.models import Job


def _job(name, seconds=None):
    started = timezone.now() - datetime.timedelta(hours=1)
    completed = started + datetime.timedelta(seconds=seconds) if seconds is not None else None
    return Job.objects.create(name=name, status='completed' if completed else 'running', started=started,
                              completed=completed)


@pytest.mark.django_db
def test_execution_time_is_completed_minus_started():
    assert _job('quick', seconds=90).execution_time == datetime.timedelta(seconds=90)
    assert _job('still running').execution_time is None


@pytest.mark.django_db
def test_execution_time_is_served_as_a_duration_string(api):
    job = _job('quick', seconds=90)
    row = api.get(f'/api/core/jobs/{job.pk}/').json()
    assert row['execution_time'] == '00:01:30'
    assert api.get(f'/api/core/jobs/{_job("running").pk}/').json()['execution_time'] is None


@pytest.mark.django_db
def test_execution_time_filters_take_seconds_or_clock_time(api):
    _job('quick', seconds=5)
    _job('slow', seconds=600)
    _job('running')
    names = lambda params: sorted(r['name'] for r in api.get('/api/core/jobs/', params).json()['results'])  # noqa: E731
    assert names({'execution_time__gte': 60}) == ['slow']
    assert names({'execution_time__lte': '00:01:00'}) == ['quick']
    assert api.get('/api/core/jobs/', {'execution_time__gte': 'soon'}).status_code == 400
