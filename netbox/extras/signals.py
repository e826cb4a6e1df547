"""Processes keep the custom fields they read until one changes (extras.models.custom_fields_version); deletions
meet PROTECTION_RULES first; subscribers are notified of changes once they are committed."""
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from netbox.changelog import on_committed_changes

from .configcontexts import connect_signals as connect_config_context_signals
from .events import connect as connect_events
from .models import CustomField, CustomFieldChoiceSet, custom_fields_changed
from .validators import run_protection_rules

for _model in (CustomField, CustomFieldChoiceSet):
    post_save.connect(custom_fields_changed, sender=_model, dispatch_uid=f'custom_fields_saved_{_model.__name__}')
    post_delete.connect(custom_fields_changed, sender=_model, dispatch_uid=f'custom_fields_deleted_{_model.__name__}')
m2m_changed.connect(custom_fields_changed, sender=CustomField.object_types.through,
                    dispatch_uid='custom_field_types_changed')


def protect_from_deletion(sender, instance, **kwargs):
    run_protection_rules(instance)


# Every deletion, cascades included: Django sends all pre_delete signals before it deletes anything.
pre_delete.connect(protect_from_deletion, dispatch_uid='protection_rules')


def notify_subscribers(changes):
    """After a commit: every subscriber of a changed or deleted object gets a notification (replacing the one they
    had about it); subscriptions and bookmarks of deleted objects go with them. A failure here is logged, never
    raised: the change itself is already committed."""
    import logging

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from .models import Bookmark, Subscription, notify_users
    from .models.notifications import CHANGE_EVENTS

    by_type = {}
    for content_type_id, object_id, action, object_repr in changes:
        if action != 'create':  # nobody can have subscribed to an object that did not exist
            by_type.setdefault(content_type_id, {})[object_id] = (action, object_repr)
    if not by_type:
        return
    try:
        with transaction.atomic():
            for content_type_id, objects in by_type.items():
                subscribers = {}
                for object_id, user_id in Subscription.objects.filter(
                        object_type_id=content_type_id, object_id__in=list(objects)).values_list('object_id',
                                                                                                'user_id'):
                    subscribers.setdefault(object_id, []).append(user_id)
                content_type = ContentType.objects.get_for_id(content_type_id)
                for object_id, user_ids in subscribers.items():
                    action, object_repr = objects[object_id]
                    notify_users(user_ids, None, CHANGE_EVENTS[action], object_type=content_type,
                                 object_id=object_id, object_repr=object_repr)
                deleted = [object_id for object_id, (action, _) in objects.items() if action == 'delete']
                if deleted:
                    for model in (Subscription, Bookmark):
                        model.objects.filter(object_type_id=content_type_id, object_id__in=deleted).delete()
    except Exception:
        logging.getLogger('netbox.notifications').exception('Could not notify the subscribers of changed objects')


on_committed_changes(notify_subscribers)


# Stored configuration contexts go stale with the contexts that rendered them (see extras.configcontexts).
connect_config_context_signals()


def module_file_synced(sender, instance, raw=False, update_fields=None, **kwargs):
    """A module written by a data source's sync (auto sync) records the classes of its new content."""
    if raw or update_fields or not instance.data_synced:
        return
    from .models import ScriptModule

    ScriptModule.objects.get(pk=instance.pk).sync_classes()


post_save.connect(module_file_synced, sender='core.ManagedFile', dispatch_uid='extras_module_synced')


# Events and event rules (extras.events): run after commits and when jobs start and end.
connect_events()
