"""
System jobs: the work NetBox schedules for itself, recorded and run as recurring core.Jobs like any user's job.

- Housekeeping (the `housekeeping` command's steps) once a day.
- The sync of each enabled data source that has a `sync_interval`, every that many minutes.

`schedule_system_jobs()` makes sure exactly one future run of each exists: it runs when a worker starts
(core.worker.Worker) and `schedule_data_source_sync()` when a data source is saved (core.signals). It is
idempotent, and serialised by a PostgreSQL advisory lock, so workers starting together never add a duplicate. A
run that is due is recognised as live only while its RQ task still exists (a Redis that was flushed leaves rows
behind: those are closed as errored and a new run is scheduled).
"""
import datetime
import io

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from .jobs import enqueue_job

HOUSEKEEPING_NAME = 'Housekeeping'
HOUSEKEEPING_FUNC = 'core.system_jobs.housekeeping_job'
HOUSEKEEPING_INTERVAL = 24 * 60  # minutes
SYNC_FUNC = 'core.datasync.sync_job'
# Any constant of our own: the advisory lock that serialises scheduling.
LOCK_KEY = 0x4E425359  # "NBSY"
# A row this young may wait for its task still (it is queued once the recording transaction commits).
LOST_AFTER = datetime.timedelta(minutes=1)
# A first run is due this long after scheduling (not at once: a starting worker is busy enough).
FIRST_RUN_DELAY = datetime.timedelta(seconds=30)


def housekeeping_job(job):
    """Run the housekeeping command; its report becomes the job's log."""
    from django.core.management import call_command

    from .jobs import log

    output = io.StringIO()
    call_command('housekeeping', stdout=output, stderr=output, verbosity=1)
    for line in output.getvalue().splitlines():
        if line.strip():
            log(job, line)


def _lock():
    with connection.cursor() as cursor:
        cursor.execute('SELECT pg_advisory_xact_lock(%s)', [LOCK_KEY])


def _live_runs(queryset):
    """The recurring runs of `queryset` still to come (waiting or running); rows whose RQ task is gone are closed
    as errored, as nothing will run them."""
    from .tasks import get_task

    live = []
    recent = timezone.now() - LOST_AFTER
    for job in queryset.filter(interval__isnull=False, status__in=('pending', 'scheduled', 'running')).order_by('pk'):
        task = get_task(job.job_id)
        if job.created > recent or (task is not None and not (task.is_failed or task.is_stopped or task.is_canceled)):
            live.append(job)
            continue
        job.status, job.completed = 'errored', timezone.now()
        job.error = 'Lost: its task is no longer queued (the worker or Redis stopped); a new run was scheduled.'
        job.save()
    return live


def _ensure_one(queryset, interval, schedule):
    """Keep exactly one live run of `interval` minutes in `queryset`; `schedule(due)` records a new one.
    Returns the live Job (a running one schedules its successor itself when it ends)."""
    live = _live_runs(queryset)
    waiting = [job for job in live if job.status != 'running']
    keep = next((job for job in waiting if job.interval == interval), None)
    for job in waiting:
        if job is not keep:
            job.delete()  # an extra run, or one of another interval (core.signals drops its RQ task)
    if keep is not None:
        return keep
    running = [job for job in live if job.status == 'running']
    if running:
        return running[0]
    last = queryset.exclude(started__isnull=True).order_by('-started').first()
    due = last.started + datetime.timedelta(minutes=interval) if last else timezone.now() + FIRST_RUN_DELAY
    return schedule(max(due, timezone.now() + datetime.timedelta(seconds=1)))


def schedule_housekeeping():
    from .models import Job

    runs = Job.objects.filter(name=HOUSEKEEPING_NAME, object_type__isnull=True)
    return _ensure_one(runs, HOUSEKEEPING_INTERVAL, lambda due: enqueue_job(
        HOUSEKEEPING_FUNC, name=HOUSEKEEPING_NAME, schedule_at=due, interval=HOUSEKEEPING_INTERVAL))


def _sync_runs(source):
    from .models import Job

    return Job.objects.filter(object_type=ContentType.objects.get_for_model(type(source)), object_id=source.pk,
                              interval__isnull=False)


def _schedule_source(source):
    runs = _sync_runs(source)
    if not source.enabled or not source.sync_interval:
        for job in _live_runs(runs):
            if job.status != 'running':
                job.delete()
        return None
    return _ensure_one(runs, source.sync_interval, lambda due: enqueue_job(
        SYNC_FUNC, name=f'Sync {source.name}', instance=source, schedule_at=due, interval=source.sync_interval))


def schedule_data_source_sync(source):
    """The recurring sync of one data source, after it changed: scheduled, rescheduled or dropped."""
    with transaction.atomic():
        _lock()
        return _schedule_source(source)


def schedule_system_jobs():
    """Make sure exactly one future run of every system job exists. Returns the live runs."""
    from .models import DataSource

    with transaction.atomic():
        _lock()
        scheduled = [schedule_housekeeping()]
        for source in DataSource.objects.all():
            scheduled.append(_schedule_source(source))
    return [job for job in scheduled if job is not None]
