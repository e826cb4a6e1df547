"""
The change log: every create, update and delete of a change-logged model made inside a change-logging context (a
web or API request, a script run) becomes an ObjectChange with the object's state before and after.
"""
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .models import ChangeLoggedModel
from .request_context import current_change_context


def serialize_object(obj, created=False):
    """
    A JSON-ready snapshot of an object: its fields (relations by ID), tags and custom fields. An object `created` by
    the save being logged has no many-to-many links or tags yet (they are set after it exists), so none are fetched.
    """
    data = {}
    opts = obj._meta
    for field in opts.concrete_fields:
        if field.name in ('lft', 'rght', 'tree_id', 'level', 'custom_field_data', 'plaintext', 'digest', 'password'):
            continue
        value = field.value_from_object(obj)
        if hasattr(value, 'isoformat'):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        elif isinstance(value, list):  # an array of ranges, addresses...: each item as text
            value = [item if item is None or isinstance(item, (str, int, float, bool, list, dict)) else str(item)
                     for item in value]
        data[field.name] = value
    if obj.pk is not None:
        for field in opts.many_to_many:
            if field.name != 'tags':
                data[field.name] = [] if created else sorted(related.pk for related in field.value_from_object(obj))
    if hasattr(obj, 'custom_field_data'):
        data['custom_fields'] = dict(obj.custom_field_data or {})
    if obj.pk is not None and hasattr(obj, 'tags') and 'tags' in {f.name for f in opts.get_fields()}:
        data['tags'] = [] if created else sorted(tag.name for tag in obj.tags.all())
    return data


def _user_fields(context):
    user = context.user
    if user is not None and getattr(user, 'is_authenticated', False):
        return user, user.username
    return None, ''


def _record(instance, action, prechange, postchange):
    from core.models import ObjectChange

    context = current_change_context()
    user, user_name = _user_fields(context)
    content_type = ContentType.objects.get_for_model(instance)
    related = getattr(instance, 'changelog_parent', None)
    change = ObjectChange(
        user=user, user_name=user_name, request_id=context.id, action=action,
        changed_object_type=content_type, changed_object_id=instance.pk,
        related_object_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_object_id=related.pk if related is not None else None,
        object_repr=str(instance)[:200], prechange_data=prechange, postchange_data=postchange,
    )
    change.save()
    return change


def _is_logged(sender):
    return isinstance(sender, type) and issubclass(sender, ChangeLoggedModel)


@receiver(pre_save)
def take_prechange_snapshot(sender, instance, raw=False, **kwargs):
    if raw or not _is_logged(sender) or current_change_context() is None or instance.pk is None:
        return
    if getattr(instance, '_prechange_snapshot', None) is not None:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._prechange_snapshot = serialize_object(previous) if previous is not None else None


@receiver(post_save)
def log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_logged(sender) or current_change_context() is None:
        return
    from core.models import ObjectChange

    prechange = None if created else getattr(instance, '_prechange_snapshot', None)
    postchange = serialize_object(instance, created=created)
    context = current_change_context()
    # A second save of the same object in one request updates its record rather than adding one (an object just
    # created has no record yet).
    existing = None if created else ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(instance), changed_object_id=instance.pk,
        request_id=context.id,
    ).exclude(action=ObjectChange.ACTION_DELETE).order_by('-pk').first()
    if existing is not None:
        existing.postchange_data = postchange
        existing.object_repr = str(instance)[:200]
        existing.save(update_fields=['postchange_data', 'object_repr'])
    else:
        action = ObjectChange.ACTION_CREATE if created else ObjectChange.ACTION_UPDATE
        _record(instance, action, prechange, postchange)
    instance._prechange_snapshot = None


@receiver(m2m_changed)
def log_m2m_change(sender, instance, action, **kwargs):
    if action not in ('post_add', 'post_remove', 'post_clear') or current_change_context() is None:
        return
    if not isinstance(instance, ChangeLoggedModel):
        return
    from core.models import ObjectChange

    context = current_change_context()
    existing = ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(instance), changed_object_id=instance.pk,
        request_id=context.id,
    ).exclude(action=ObjectChange.ACTION_DELETE).order_by('-pk').first()
    if hasattr(instance, '_prefetched_objects_cache'):
        instance._prefetched_objects_cache.clear()
    postchange = serialize_object(instance)
    if existing is not None:
        existing.postchange_data = postchange
        existing.save(update_fields=['postchange_data'])
    else:
        prechange = getattr(instance, '_prechange_snapshot', None)
        _record(instance, ObjectChange.ACTION_UPDATE, prechange, postchange)


@receiver(pre_delete)
def snapshot_before_delete(sender, instance, **kwargs):
    if not _is_logged(sender) or current_change_context() is None:
        return
    instance._prechange_snapshot = serialize_object(instance)


@receiver(post_delete)
def log_delete(sender, instance, **kwargs):
    if not _is_logged(sender) or current_change_context() is None:
        return
    from core.models import ObjectChange

    _record(instance, ObjectChange.ACTION_DELETE, getattr(instance, '_prechange_snapshot', None), None)
