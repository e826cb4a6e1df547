"""The housekeeping command: expired sessions, and change log and job records past their retention period."""
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from core.management.commands import housekeeping
from core.models import ConfigRevision, Job, ObjectChange

pytestmark = pytest.mark.django_db




def days_ago(days):
    return timezone.now() - timedelta(days=days)


def change_aged(days):
    """An ObjectChange recorded `days` days ago (`time` is auto_now_add, so it is back-dated after saving)."""
    change = ObjectChange.objects.create(
        user_name='root',
        request_id=uuid.uuid4(),
        action=ObjectChange.ACTION_CREATE,
        changed_object_type=ContentType.objects.get(app_label='tenancy', model='tenant'),
        changed_object_id=1,
        object_repr=f'tenant {days}',
    )
    ObjectChange.objects.filter(pk=change.pk).update(time=days_ago(days))
    return change


def job_aged(days, status='completed'):
    job = Job.objects.create(name=f'job {days}', status=status)
    Job.objects.filter(pk=job.pk).update(created=days_ago(days))
    return job


def session_expiring(delta):
    return Session.objects.create(
        session_key=uuid.uuid4().hex, session_data='e30:', expire_date=timezone.now() + delta,
    )


def run(verbosity=1):
    out, err = StringIO(), StringIO()
    call_command('housekeeping', verbosity=verbosity, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def remaining(model, objects):
    return set(model.objects.filter(pk__in=[obj.pk for obj in objects]).values_list('pk', flat=True))


def test_zero_retention_keeps_everything():
    changes = [change_aged(days) for days in (0, 10, 400, 5000)]
    jobs = [job_aged(days) for days in (0, 10, 400, 5000)]
    with override_settings(CONFIG_OVERRIDES={'CHANGELOG_RETENTION': 0, 'JOB_RETENTION': 0}):
        out, err = run()
    assert remaining(ObjectChange, changes) == {obj.pk for obj in changes}
    assert remaining(Job, jobs) == {obj.pk for obj in jobs}
    assert 'Kept all change records' in out
    assert 'Kept all job records' in out
    assert err == ''


def test_retention_deletes_older_records_and_keeps_newer():
    old_change, newer_change, fresh_change = change_aged(31), change_aged(29), change_aged(0)
    old_job, newer_job, fresh_job = job_aged(31), job_aged(29), job_aged(0)
    with override_settings(CONFIG_OVERRIDES={'CHANGELOG_RETENTION': 30, 'JOB_RETENTION': 30}):
        out, _ = run()
    assert remaining(ObjectChange, [old_change, newer_change, fresh_change]) == {newer_change.pk, fresh_change.pk}
    assert remaining(Job, [old_job, newer_job, fresh_job]) == {newer_job.pk, fresh_job.pk}
    assert 'Deleted 1 change record(s) older than 30 day(s).' in out
    assert 'Deleted 1 job record(s) older than 30 day(s).' in out


def test_changelog_and_job_retention_are_independent():
    change, job = change_aged(20), job_aged(20)
    with override_settings(CONFIG_OVERRIDES={'CHANGELOG_RETENTION': 10, 'JOB_RETENTION': 0}):
        run()
    assert not ObjectChange.objects.filter(pk=change.pk).exists()
    assert Job.objects.filter(pk=job.pk).exists()


def test_retention_from_the_active_config_revision():
    old_change, fresh_change = change_aged(8), change_aged(6)
    old_job, fresh_job = job_aged(8), job_aged(6)
    ConfigRevision.objects.create(active=True, data={'CHANGELOG_RETENTION': 7, 'JOB_RETENTION': 7})
    out, _ = run()
    assert remaining(ObjectChange, [old_change, fresh_change]) == {fresh_change.pk}
    assert remaining(Job, [old_job, fresh_job]) == {fresh_job.pk}
    assert 'older than 7 day(s)' in out


def test_default_retention_is_ninety_days():
    old_change, fresh_change = change_aged(91), change_aged(89)
    run()
    assert remaining(ObjectChange, [old_change, fresh_change]) == {fresh_change.pk}


def test_configuration_change_applies_to_the_next_run():
    """The command reads the configuration afresh each time, not a snapshot left in the thread."""
    change = change_aged(40)
    with override_settings(CONFIG_OVERRIDES={'CHANGELOG_RETENTION': 0}):
        run()
    assert ObjectChange.objects.filter(pk=change.pk).exists()
    with override_settings(CONFIG_OVERRIDES={'CHANGELOG_RETENTION': 30}):
        run()
    assert not ObjectChange.objects.filter(pk=change.pk).exists()


@pytest.mark.parametrize('status', housekeeping.UNFINISHED_JOB_STATUSES)
def test_unfinished_jobs_are_kept_whatever_their_age(status):
    job = job_aged(400, status=status)
    with override_settings(CONFIG_OVERRIDES={'JOB_RETENTION': 30}):
        out, _ = run()
    assert Job.objects.filter(pk=job.pk).exists()
    assert 'Deleted 0 job record(s)' in out


@pytest.mark.parametrize('value', [-1, '30', 2.5])
def test_invalid_retention_warns_and_keeps_records(value):
    change = change_aged(400)
    with override_settings(CONFIG_OVERRIDES={'CHANGELOG_RETENTION': value}):
        out, err = run()
    assert ObjectChange.objects.filter(pk=change.pk).exists()
    assert 'CHANGELOG_RETENTION' in err
    assert 'Kept all change records' in out


def test_expired_sessions_are_removed():
    expired = [session_expiring(-timedelta(days=1)), session_expiring(-timedelta(seconds=5))]
    valid = session_expiring(timedelta(days=1))
    out, _ = run()
    assert list(Session.objects.filter(session_key__in=[s.session_key for s in expired])) == []
    assert Session.objects.filter(session_key=valid.session_key).exists()
    assert 'Deleted 2 expired session(s).' in out


def test_real_login_session_survives():
    """A session made by logging in is not expired and must stay."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    get_user_model().objects.create_user('bob', password='Bob-pass-123')
    client = Client()
    assert client.login(username='bob', password='Bob-pass-123')
    run()
    assert Session.objects.filter(session_key=client.session.session_key).exists()


def test_verbosity_zero_is_silent():
    change_aged(400)
    with override_settings(CONFIG_OVERRIDES={'CHANGELOG_RETENTION': 30}):
        out, err = run(verbosity=0)
    assert out == '' and err == ''
    assert not ObjectChange.objects.exists()


def test_verbosity_one_gives_one_line_per_step():
    out, _ = run(verbosity=1)
    lines = out.strip().splitlines()
    assert len(lines) == len(housekeeping.STEPS) + 1
    for (title, _step), line in zip(housekeeping.STEPS, lines, strict=False):
        assert line.startswith(f'{title}: ')
    assert lines[-1] == 'Housekeeping finished.'


def test_verbosity_two_numbers_steps_and_shows_cutoffs():
    with override_settings(CONFIG_OVERRIDES={'CHANGELOG_RETENTION': 30}):
        out, _ = run(verbosity=2)
    total = len(housekeeping.STEPS)
    assert f'[1/{total}] Clearing expired sessions' in out
    assert f'[{total}/{total}]' in out
    assert 'Deleting change records made before' in out


def test_steps_are_a_list_a_new_step_can_join(monkeypatch):
    calls = []

    def extra_step(command):
        calls.append(command)
        return 'Did the extra thing.'

    monkeypatch.setattr(housekeeping, 'STEPS', [*housekeeping.STEPS, ('Extra chore', extra_step)])
    out, _ = run()
    assert len(calls) == 1
    assert 'Extra chore: Did the extra thing.' in out
