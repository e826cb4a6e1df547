"""
Background tasks as RQ holds them: the configured queues with their registries, the workers, and single tasks with
the actions staff may take on them (enqueue, requeue, stop, delete). The REST views (core/api_tasks.py) and the UI
pages (core/ui_tasks.py) both read through here.

A task is an RQ job; when it runs a core.Job (its id is the Job's `job_id`), the actions keep that Job's record
in step: a task stopped or deleted before it could finish leaves its Job `errored`, saying why.
"""
from django.conf import settings
from django.db import transaction
from django.utils import timezone

# The registries of a queue, by the task status they hold ('queued' is the queue itself).
REGISTRIES = {
    'started': 'started_job_registry',
    'deferred': 'deferred_job_registry',
    'finished': 'finished_job_registry',
    'failed': 'failed_job_registry',
    'scheduled': 'scheduled_job_registry',
    'canceled': 'canceled_job_registry',
}
STATUSES = ('queued', *REGISTRIES)
UNFINISHED_JOB_STATUSES = ('pending', 'scheduled', 'running')


class TaskError(Exception):
    """An action that does not apply to the task as it is (requeue of a task that did not fail), or a queue or
    status that does not exist: a 400 naming `field`."""

    def __init__(self, message, field='detail'):
        super().__init__(message)
        self.field = field


def may_manage_tasks(user):
    """Background tasks are for staff and superusers: NetBox lets no object permission grant them."""
    return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser))


def queue_names():
    """The configured RQ queues (a test run's carry its prefix), in settings order."""
    return list(settings.RQ_QUEUES)


def get_queue(name):
    import django_rq

    if name not in settings.RQ_QUEUES:
        return None
    return django_rq.get_queue(name)


def connection():
    import django_rq

    return django_rq.get_connection(queue_names()[0])


def queue_summary(queue):
    """The counts of one queue, per registry, and the number of its workers."""
    from rq import Worker

    oldest = None
    first = queue.get_jobs(0, 1)
    if first and first[0].enqueued_at:
        oldest = first[0].enqueued_at
    summary = {'name': queue.name, 'jobs': queue.count, 'oldest_job_timestamp': oldest}
    for status, attribute in REGISTRIES.items():
        if status != 'canceled':
            summary[f'{status}_jobs'] = getattr(queue, attribute).count
    summary['workers'] = Worker.count(queue=queue)
    return summary


def queues():
    return [queue_summary(get_queue(name)) for name in queue_names()]


def task_ids(queue, status):
    """The ids of the queue's tasks in one status, newest registry entries first."""
    if status == 'queued':
        return queue.job_ids
    registry = getattr(queue, REGISTRIES[status])
    return registry.get_job_ids()


def tasks(queue_name=None, status=None):
    """The tasks of one queue (or all), in one status (or all); a queue or status that does not exist is a
    TaskError."""
    from rq.job import Job as RQJob

    if queue_name is not None and queue_name not in settings.RQ_QUEUES:
        raise TaskError(f'No queue named {queue_name!r}; the queues are {", ".join(queue_names())}.', 'queue')
    if status is not None and status not in STATUSES:
        raise TaskError(f'No task status {status!r}; choose one of {", ".join(STATUSES)}.', 'status')
    found, seen = [], set()
    for name in [queue_name] if queue_name else queue_names():
        queue = get_queue(name)
        for each in [status] if status else STATUSES:
            ids = [task_id for task_id in task_ids(queue, each) if task_id not in seen]
            seen.update(ids)
            found += [task for task in RQJob.fetch_many(ids, connection=queue.connection) if task is not None]
    return found


def get_task(task_id):
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob

    try:
        return RQJob.fetch(str(task_id), connection=connection())
    except NoSuchJobError:
        return None


def task_status(task):
    status = task.get_status(refresh=False)
    return getattr(status, 'value', status)


def task_result(task):
    try:
        return task.return_value()
    except Exception:  # noqa: BLE001  (a result that cannot be read back is shown as none)
        return None


def workers(queue_name=None):
    from rq import Worker

    queue = get_queue(queue_name) if queue_name else None
    if queue is not None:
        return Worker.all(queue=queue)
    return Worker.all(connection=connection())


def get_worker(name):
    return next((worker for worker in workers() if worker.name == name), None)


def _record_on_job(task, error):
    """Leave the core.Job the task runs `errored`, saying why, unless it already finished."""
    from .models import Job

    with transaction.atomic():
        job = Job.objects.select_for_update().filter(job_id=task.id, status__in=UNFINISHED_JOB_STATUSES).first()
        if job is None:
            return
        job.status, job.error, job.completed = 'errored', error, timezone.now()
        job.save()


def enqueue(task):
    """Put a scheduled or deferred task on its queue now."""
    from rq import Queue

    if not (task.is_scheduled or task.is_deferred):
        raise TaskError(f'Task {task.id} is {task_status(task)}; only scheduled or deferred tasks can be enqueued.')
    queue = Queue(task.origin, connection=task.connection)
    queue.scheduled_job_registry.remove(task)
    queue.deferred_job_registry.remove(task)
    queue._enqueue_job(task)
    return task


def requeue(task):
    """Run a failed (or stopped) task again."""
    if not (task.is_failed or task.is_stopped):
        raise TaskError(f'Task {task.id} is {task_status(task)}; only failed or stopped tasks can be requeued.')
    from rq import Queue

    Queue(task.origin, connection=task.connection).failed_job_registry.requeue(task)
    return task


def stop(task, user=None):
    """Stop a running task (its work horse is ended) or keep a waiting one from running."""
    from rq.command import send_stop_job_command

    who = f' by {user}' if user is not None else ''
    if task.is_started:
        send_stop_job_command(task.connection, task.id)
        _record_on_job(task, f'Stopped{who} while running.')
    elif task.is_queued or task.is_scheduled or task.is_deferred:
        task.cancel()
        _record_on_job(task, f'Stopped{who} before it ran.')
    else:
        raise TaskError(f'Task {task.id} is {task_status(task)}; only running or waiting tasks can be stopped.')
    return task


def delete(task, user=None):
    """Remove the task from its queue and registries."""
    who = f' by {user}' if user is not None else ''
    if task.is_started:
        raise TaskError(f'Task {task.id} is running; stop it first.')
    task.delete()
    _record_on_job(task, f'Deleted from the queue{who} before it finished.')


ACTIONS = {'enqueue': enqueue, 'requeue': requeue, 'stop': stop, 'delete': delete}


def run_action(task, action, user=None):
    """One of ACTIONS on the task, by `user` (named on the Job a stop or delete ends)."""
    if action in ('stop', 'delete'):
        return ACTIONS[action](task, user=user)
    return ACTIONS[action](task)


def remove_for_job(job_id):
    """The RQ task of a deleted core.Job goes too: waiting ones are dropped (a deleted scheduled job never runs),
    finished ones cleaned up. A running one runs to its end; its record is not written back."""
    task = get_task(job_id)
    if task is None or task.is_started:
        return
    task.delete()
