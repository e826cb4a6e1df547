"""Keeping RQ in step with the job records: a deleted Job takes its RQ task along (a deleted scheduled or recurring
job never runs again), and a data source's recurring sync follows its `sync_interval` and `enabled`."""
import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import DataSource, Job

logger = logging.getLogger('netbox.jobs')


@receiver(post_delete, sender=Job, dispatch_uid='core.job_deleted')
def drop_task_of_deleted_job(sender, instance, **kwargs):
    job_id = instance.job_id

    def drop():
        from .tasks import remove_for_job

        try:
            remove_for_job(job_id)
        except Exception:  # noqa: BLE001  (Redis away: the worker skips a task whose Job is gone anyway)
            logger.warning('Could not remove the RQ task of deleted job %s.', job_id, exc_info=True)
    transaction.on_commit(drop)


@receiver(post_save, sender=DataSource, dispatch_uid='core.datasource_sync_schedule')
def schedule_data_source_sync(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .system_jobs import schedule_data_source_sync as schedule

    schedule(instance)


@receiver(pre_delete, sender=DataSource, dispatch_uid='core.datasource_sync_unschedule')
def unschedule_data_source_sync(sender, instance, **kwargs):
    from django.contrib.contenttypes.models import ContentType

    Job.objects.filter(object_type=ContentType.objects.get_for_model(DataSource), object_id=instance.pk,
                       status__in=('pending', 'scheduled')).delete()
