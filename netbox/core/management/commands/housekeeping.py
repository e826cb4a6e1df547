"""
housekeeping: periodic clean-up, meant to run once a day (cron or a systemd timer).

Each step is a function in STEPS taking the running command and returning a one-line summary of what it did; a new
chore is one more function appended to the list. Retention periods are read through get_config(), so a value set in
the active configuration revision applies without a restart; a retention of 0 keeps records forever.
"""
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from netbox.dynamic_config import clear_config, get_config

# Jobs in these states are still wanted by the task queue (a scheduled job may recur), whatever their age.
UNFINISHED_JOB_STATUSES = ('pending', 'scheduled', 'running')


def retention_days(command, name):
    """The retention period `name` in days, or None when records are kept forever (0) or the value is unusable."""
    value = getattr(get_config(), name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        command.warn(f'{name} must be a whole number of days (0 keeps records forever); got {value!r}.')
        return None
    return value or None


def cutoff_for(days):
    return timezone.now() - timedelta(days=days)


def deleted_count(result, model):
    """The number of `model` rows in the (total, per-model) result of QuerySet.delete()."""
    return result[1].get(model._meta.label, 0)


def clear_expired_sessions(command):
    """Remove expired sessions, as Django's clearsessions does."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    expired = None
    if hasattr(store, 'get_model_class'):  # database-backed sessions can be counted first
        expired = store.get_model_class().objects.filter(expire_date__lt=timezone.now()).count()
    try:
        store.clear_expired()
    except NotImplementedError:
        return f'Skipped: the session engine {settings.SESSION_ENGINE} cannot clear expired sessions.'
    if expired is None:
        return 'Cleared expired sessions.'
    return f'Deleted {expired} expired session(s).'


def prune_changelog(command):
    """Delete change records older than CHANGELOG_RETENTION days."""
    from core.models import ObjectChange

    days = retention_days(command, 'CHANGELOG_RETENTION')
    if days is None:
        return 'Kept all change records (CHANGELOG_RETENTION is 0 or invalid).'
    cutoff = cutoff_for(days)
    command.detail(f'Deleting change records made before {cutoff.isoformat(timespec="seconds")}.')
    result = ObjectChange.objects.filter(time__lt=cutoff).delete()
    return f'Deleted {deleted_count(result, ObjectChange)} change record(s) older than {days} day(s).'


def prune_jobs(command):
    """Delete finished job records older than JOB_RETENTION days."""
    from core.models import Job

    days = retention_days(command, 'JOB_RETENTION')
    if days is None:
        return 'Kept all job records (JOB_RETENTION is 0 or invalid).'
    cutoff = cutoff_for(days)
    command.detail(f'Deleting finished jobs created before {cutoff.isoformat(timespec="seconds")}.')
    result = Job.objects.filter(created__lt=cutoff).exclude(status__in=UNFINISHED_JOB_STATUSES).delete()
    return f'Deleted {deleted_count(result, Job)} job record(s) older than {days} day(s).'


# NetBox has no setting for how long read notifications are kept; they go after this many days.
READ_NOTIFICATION_RETENTION_DAYS = 90


def prune_notifications(command):
    """Delete notifications read more than READ_NOTIFICATION_RETENTION_DAYS days ago (unread ones stay)."""
    from extras.models import Notification

    days = READ_NOTIFICATION_RETENTION_DAYS
    cutoff = cutoff_for(days)
    command.detail(f'Deleting notifications read before {cutoff.isoformat(timespec="seconds")}.')
    result = Notification.objects.filter(read__lt=cutoff).delete()
    return f'Deleted {deleted_count(result, Notification)} notification(s) read more than {days} day(s) ago.'


def render_config_contexts(command):
    """Render the stored configuration contexts left stale (a worker normally does it after each change)."""
    from extras.configcontexts import render_stale

    counts = render_stale()
    return f'Rendered {counts["dcim.device"]} device and {counts["virtualization.virtualmachine"]} virtual machine ' \
           'configuration context(s).'


STEPS = [
    ('Clearing expired sessions', clear_expired_sessions),
    ('Pruning the change log', prune_changelog),
    ('Pruning job records', prune_jobs),
    ('Pruning read notifications', prune_notifications),
    ('Rendering stale configuration contexts', render_config_contexts),
]


class Command(BaseCommand):
    help = ('Delete expired sessions, change log and job records past their retention period, and notifications '
            'read long ago.')

    def handle(self, *args, **options):
        self.verbosity = options['verbosity']
        clear_config()  # read the configuration as it is now, not a snapshot taken earlier in this thread
        for number, (title, step) in enumerate(STEPS, start=1):
            if self.verbosity >= 2:
                self.stdout.write(self.style.MIGRATE_HEADING(f'[{number}/{len(STEPS)}] {title}'))
            summary = step(self)
            if self.verbosity >= 1:
                self.stdout.write(f'{title}: {summary}' if self.verbosity == 1 else f'  {summary}')
        if self.verbosity >= 1:
            self.stdout.write(self.style.SUCCESS('Housekeeping finished.'))

    def detail(self, message):
        """A line shown only at verbosity 2 or more."""
        if self.verbosity >= 2:
            self.stdout.write(f'  {message}')

    def warn(self, message):
        self.stderr.write(self.style.WARNING(message))
