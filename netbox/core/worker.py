"""The RQ worker NetBox runs (settings RQ['WORKER_CLASS'], so `manage.py rqworker` uses it).

Beyond RQ's own worker it:
- schedules the system jobs when it starts (core.system_jobs), so housekeeping and data source syncs recur
  without cron;
- records on the core.Job a run that ended without run_job() recording it: a work horse stopped by a user or
  killed (out of memory, a hard timeout). The Job ends `errored` saying so; a recurring job that was not stopped
  by a user is scheduled again.
"""
import logging

from django.db import connections
from django.utils import timezone
from rq import Worker as RQWorker

logger = logging.getLogger('netbox.jobs')


class Worker(RQWorker):
    """RQ's forking worker, with system jobs scheduled at start and dead work horses recorded on their Jobs."""

    def work(self, *args, **kwargs):
        try:
            from .system_jobs import schedule_system_jobs

            scheduled = schedule_system_jobs()
            logger.info('System jobs scheduled: %s', ', '.join(job.name for job in scheduled) or 'none')
        except Exception:  # noqa: BLE001  (a worker without its system jobs still runs the others)
            logger.exception('Could not schedule the system jobs.')
        finally:
            connections.close_all()  # never share a database connection with the work horses forked later
        return super().work(*args, **kwargs)

    def handle_job_failure(self, job, queue, started_job_registry=None, exc_string='', execution=None):
        stopped = self._stopped_job_id == job.id
        super().handle_job_failure(job, queue, started_job_registry=started_job_registry, exc_string=exc_string,
                                   execution=execution)
        if job.func_name != 'core.jobs.run_job':
            return
        try:
            record_dead_run(job, exc_string, stopped)
        except Exception:  # noqa: BLE001
            logger.exception('Could not record the end of job %s.', job.id)
        finally:
            connections.close_all()


def record_dead_run(rq_job, reason, stopped):
    """The core.Job of an RQ job whose work horse ended before run_job() recorded the outcome."""
    from django.db import transaction

    from .jobs import schedule_next_run
    from .models import Job

    with transaction.atomic():
        job = Job.objects.select_for_update().filter(job_id=rq_job.id).first()
        if job is None:
            return
        if job.status in ('pending', 'scheduled', 'running'):
            job.status, job.completed = 'errored', timezone.now()
            job.error = 'Stopped by a user while running.' if stopped else (reason.strip() or 'The work horse died.')
            job.save()
        if job.interval and not stopped and job.status == 'errored':
            _job_pk, func_path, kwargs = rq_job.args
            schedule_next_run(job, func_path, kwargs, timeout=rq_job.meta.get('timeout'))
