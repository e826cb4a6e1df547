"""
Background jobs: a function run by an RQ worker, recorded as a core.Job.

    job = enqueue_job('core.datasync.sync_job', name='Sync data source', instance=source, user=request.user)

`enqueue_job()` records a Job (status `pending`, the object it is for, the user, the queue) and, once the
current transaction commits, puts one RQ job on the queue (`default` unless named; RQ's job id is the Job's
`job_id`). A worker (`manage.py rqworker high default low`, started by scripts/serve) then calls `run_job()`,
which marks the Job `running` with its start time, calls the function with the Job, and records the outcome:
`completed`, `failed` (the function raised `JobFailed`: the work ran but its result is a failure) or `errored`
(any other exception; the error and traceback are kept), with the completion time. The function may write to the
Job's log with `job.log()`-style calls through `log(job, message, level)`, and keep results in `job.data`.

`schedule_at` (an aware datetime) keeps the Job `scheduled` until then: RQ's scheduler (a worker started with
`--with-scheduler`) puts it on the queue at that time. `interval` (minutes) makes the job recur: once a run ends,
whatever its outcome, the next run is recorded and scheduled `interval` minutes after this one was due. `timeout`
(seconds) bounds one run; RQ_DEFAULT_TIMEOUT applies otherwise.

Functions are named by dotted path, so a worker imports them fresh and nothing but the Job's key crosses Redis.
Queue names map to the RQ queues of RQ_QUEUES through `queue_for()` (a test run keeps queues of its own).
"""
import datetime
import logging
import traceback

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger('netbox.jobs')

LOG_LEVELS = ('debug', 'info', 'success', 'warning', 'failure')


class JobFailed(Exception):
    """Raised by a job function whose work ran but failed (a sync that found the source unreadable): the Job
    ends `failed` with this message as its error, without a traceback."""


def queue_for(name='default'):
    """The RQ queue behind a queue name (with the test run's prefix, if any)."""
    import django_rq

    return django_rq.get_queue(physical_queue_name(name), commit_mode='auto')


def clear_queue(name='default'):
    """Drop every job of the queue: waiting now or at a scheduled time, and those its registries keep (a test's
    leftovers)."""
    from rq.registry import (
        CanceledJobRegistry,
        DeferredJobRegistry,
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
    )

    rq_queue = queue_for(name)
    rq_queue.empty()
    for registry_class in (ScheduledJobRegistry, FinishedJobRegistry, FailedJobRegistry, CanceledJobRegistry,
                           DeferredJobRegistry):
        registry = registry_class(queue=rq_queue)
        for rq_job_id in registry.get_job_ids():
            registry.remove(rq_job_id, delete_job=True)


def physical_queue_name(name):
    return f'{getattr(settings, "RQ_QUEUE_PREFIX", "")}{name}'


def enqueue_job(func_path, *, name, instance=None, user=None, queue=None, data=None, kwargs=None,
                schedule_at=None, interval=None, timeout=None):
    """Record a Job for `instance` and have a worker run `func_path(job, **kwargs)` once the current transaction
    commits (or at `schedule_at`, and every `interval` minutes after). Returns the Job. Without a `queue`, the job
    goes where QUEUE_MAPPINGS sends jobs of the instance's type (its model name: `script`, `datasource`, ...)."""
    from .models import Job

    if queue is None:
        queue = settings.RQ_QUEUE_MAPPINGS.get(instance._meta.model_name if instance is not None else None, 'default')

    job = Job.objects.create(
        name=name[:200], status='scheduled' if schedule_at else 'pending',
        user=user if getattr(user, 'is_authenticated', False) else None,
        object_type=ContentType.objects.get_for_model(type(instance)) if instance is not None else None,
        object_id=instance.pk if instance is not None else None,
        queue_name=physical_queue_name(queue), data=data, scheduled=schedule_at, interval=interval or None,
    )
    arguments = (job.pk, func_path, dict(kwargs or {}))
    options = {'job_id': str(job.job_id), 'description': job.name,
               'timeout': timeout or settings.RQ_DEFAULT_TIMEOUT, 'meta': {'timeout': timeout}}

    def put_on_queue():
        rq_queue = queue_for(queue)
        if schedule_at:
            rq_queue.enqueue_at(schedule_at, 'core.jobs.run_job', args=arguments, job_timeout=options['timeout'],
                                job_id=options['job_id'], description=options['description'], meta=options['meta'])
        else:
            rq_queue.enqueue_call('core.jobs.run_job', args=arguments, **options)
    transaction.on_commit(put_on_queue)
    return job


def queue_short_name(physical_name):
    prefix = getattr(settings, 'RQ_QUEUE_PREFIX', '')
    return physical_name[len(prefix):] if prefix and physical_name.startswith(prefix) else physical_name


def schedule_next_run(job, func_path, kwargs, timeout=None):
    """The next run of a recurring job, `interval` minutes after this one was due (or started), never in the
    past: a worker that was down does not replay the runs it missed."""
    due = (job.scheduled or job.started or timezone.now()) + datetime.timedelta(minutes=job.interval)
    due = max(due, timezone.now() + datetime.timedelta(seconds=1))
    instance = job.object if job.object_type_id else None
    return enqueue_job(func_path, name=job.name, instance=instance, user=job.user,
                       queue=queue_short_name(job.queue_name or 'default'), data=job.data, kwargs=kwargs,
                       schedule_at=due, interval=job.interval, timeout=timeout)


def log(job, message, level='info'):
    """Add a line to the job's log (saved with the job)."""
    job.log_entries = list(job.log_entries or []) + [{
        'level': level if level in LOG_LEVELS else 'info', 'message': str(message),
        'timestamp': timezone.now().isoformat(),
    }]


# Functions called with (job, event type) when a job starts and ends: job_started, job_completed, job_failed,
# job_errored (extras.events registers the event rules' one).
_job_listeners = []


def on_job_event(listener):
    if listener not in _job_listeners:
        _job_listeners.append(listener)
    return listener


def _job_event(job, event_type):
    for listener in list(_job_listeners):
        try:
            listener(job, event_type)
        except Exception:  # noqa: BLE001  (a listener's failure never changes the job's outcome)
            logger.exception('Job event listener failed for job %s (%s)', job.pk, event_type)


def run_job(job_pk, func_path, kwargs):
    """What the worker runs: the Job's function, with its status, times, error and log recorded."""
    from .models import Job

    _drop_stale_connections()
    job = Job.objects.filter(pk=job_pk).first()
    if job is None:  # deleted meanwhile (or a job of another database): nothing to run
        logger.warning('Job %s no longer exists; skipped.', job_pk)
        return None
    job.status, job.started, job.error = 'running', timezone.now(), ''
    job.save(update_fields=['status', 'started', 'error', 'execution_time'])
    _job_event(job, 'job_started')
    try:
        func = import_string(func_path)
        func(job, **kwargs)
    except JobFailed as failure:
        job.status, job.error = 'failed', str(failure)
        log(job, failure, 'failure')
    except Exception as error:  # noqa: BLE001  (any error of the job is recorded on it, not raised in the worker)
        job.status, job.error = 'errored', error_text(error)
        log(job, error_text(error, with_traceback=False), 'failure')
        logger.exception('Job %s (%s) errored', job.pk, job.name)
    else:
        job.status = 'completed'
    job.completed = timezone.now()
    try:
        job.save(force_update=True)
    except DatabaseError:  # the Job was deleted while it ran: no record to keep, and a deleted job stops recurring
        logger.info('Job %s was deleted while it ran; not recorded and not scheduled again.', job.pk)
        return None
    _job_event(job, f'job_{job.status}')
    if job.interval:
        rq_job = _current_rq_job()
        timeout = rq_job.meta.get('timeout') if rq_job is not None else None
        with transaction.atomic():
            schedule_next_run(job, func_path, kwargs, timeout=timeout)
    _drop_stale_connections()
    return job.status


def error_text(error, with_traceback=True):
    """How an exception of a job reads on the Job: a run past its timeout says so plainly."""
    from rq.timeouts import JobTimeoutException

    if isinstance(error, JobTimeoutException):
        rq_job = _current_rq_job()
        limit = f' of {rq_job.timeout} seconds' if rq_job is not None and rq_job.timeout else ''
        return f'Timed out: the job ran longer than its timeout{limit} and was stopped.'
    text = f'{type(error).__name__}: {error}'
    return f'{text}\n{traceback.format_exc()}' if with_traceback else text


def _current_rq_job():
    from rq import get_current_job

    return get_current_job()


def _drop_stale_connections():
    # A worker keeps its process between jobs: connections past CONN_MAX_AGE or broken are replaced. Inside a
    # transaction (a job run in a test's process) the connection is the caller's and stays.
    if not connection.in_atomic_block:
        close_old_connections()


def run_queued_jobs(queue='default', with_scheduler=False):
    """Run the jobs waiting on `queue` in this process with an RQ worker in burst mode (it stops when the queue
    is empty); for tests and management commands. `with_scheduler` first moves the scheduled jobs that are due
    onto the queue. Returns the number of jobs the worker ran."""
    from rq import SimpleWorker

    class CountingWorker(SimpleWorker):
        ran = 0

        def execute_job(self, *args, **kwargs):
            self.ran += 1
            return super().execute_job(*args, **kwargs)

    rq_queue = queue_for(queue)
    worker = CountingWorker([rq_queue], connection=rq_queue.connection)
    worker.work(burst=True, logging_level='WARNING', with_scheduler=with_scheduler)
    return worker.ran
