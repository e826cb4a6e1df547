"""
The change log: every create, update and delete of a change-logged model made inside a change-logging context (a
web or API request, a script run) becomes an ObjectChange with the object's state before and after.

One object gets one record per request: a second save (or a change of its tags) in the same request updates the
record already made. The context remembers its records by object, so finding that record costs no query.

Inside a write batch (`netbox.bulk.write_batch()`, a bulk REST write) records are collected rather than written: an
object's state after the change is serialised when the batch ends, for all records at once (their many-to-many
values and tags read with one query per relation), and the records are inserted with one statement. Set-wise saves,
which send no signals, add their records with `log_saved()`.
"""
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .models import ChangeLoggedModel
from .request_context import current_change_context

# Bookkeeping fields left out of the recorded state.
UNLOGGED_FIELDS = ('lft', 'rght', 'tree_id', 'level', 'custom_field_data', 'plaintext', 'digest', 'password',
                   'config_context_data', 'config_context_token')


def serialize_object(obj, created=False, related=None):
    """
    A JSON-ready snapshot of an object: its fields (relations by ID), tags and custom fields. An object `created` by
    the save being logged has no many-to-many links or tags yet (they are set after it exists), so none are fetched.
    `related` gives the many-to-many values ({field: [pk, ...]}, 'tags': [name, ...]) read in bulk beforehand.
    """
    data = {}
    opts = obj._meta
    for name, attname in _logged_fields(opts):
        value = getattr(obj, attname)
        if hasattr(value, 'isoformat'):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        elif isinstance(value, list):  # an array of ranges, addresses...: each item as text
            value = [item if item is None or isinstance(item, (str, int, float, bool, list, dict)) else str(item)
                     for item in value]
        data[name] = value
    if obj.pk is not None:
        for field in opts.many_to_many:
            if field.name == 'tags' and _has_tags(opts):
                continue
            if related is not None:
                data[field.name] = sorted(related.get(field.name, ()))
            else:
                data[field.name] = [] if created else sorted(item.pk for item in field.value_from_object(obj))
    if hasattr(obj, 'custom_field_data'):
        data['custom_fields'] = dict(obj.custom_field_data or {})
    if obj.pk is not None and _has_tags(opts):
        if related is not None:
            data['tags'] = sorted(related.get('tags', ()))
        else:
            data['tags'] = [] if created else sorted(tag.name for tag in obj.tags.all())
    return data


_FIELD_PLANS = {}


def _logged_fields(opts):
    """(name, attname) of the concrete fields a snapshot holds, worked out once per model."""
    plan = _FIELD_PLANS.get(opts.label)
    if plan is None:
        plan = _FIELD_PLANS[opts.label] = tuple((field.name, field.attname) for field in opts.concrete_fields
                                                if field.name not in UNLOGGED_FIELDS)
    return plan


def _has_tags(opts):
    from .models import has_tag_manager

    return has_tag_manager(opts.model)


def related_values(objects):
    """{pk: {m2m field: [pk, ...], 'tags': [name, ...]}} for saved objects of one model: one query per relation."""
    objects = [obj for obj in objects if obj.pk is not None]
    if not objects:
        return {}
    model = type(objects[0])
    pks = [obj.pk for obj in objects]
    values = {pk: {} for pk in pks}
    for field in model._meta.many_to_many:
        if field.name == 'tags' and _has_tags(model._meta):
            continue
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).attname
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        for pk in pks:
            values[pk][field.name] = []
        for source_pk, target_pk in through.objects.filter(**{f'{source}__in': pks}).values_list(source, target):
            values[source_pk][field.name].append(target_pk)
    if _has_tags(model._meta):
        from extras.models import TaggedItem

        for pk in pks:
            values[pk]['tags'] = []
        items = TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)
        for object_id, name in items.values_list('object_id', 'tag__name'):
            values[object_id]['tags'].append(name)
    return values


def serialize_objects(objects):
    """serialize_object() of many saved objects of one model, their relations read set-wise: [data, ...]."""
    objects = list(objects)
    related = related_values(objects)
    return [serialize_object(obj, related=related.get(obj.pk, {})) for obj in objects]


def _user_fields(context):
    user = context.user
    if user is not None and getattr(user, 'is_authenticated', False):
        return user, user.username
    return None, ''


def _key(instance):
    return ContentType.objects.get_for_model(instance).pk, instance.pk


def _logged(context):
    """The context's non-delete records by (content type ID, object ID): the record a later save updates."""
    logged = getattr(context, '_logged_changes', None)
    if logged is None:
        logged = context._logged_changes = {}
    return logged


def _pending(context):
    """Records collected by the write batch under way (None outside one)."""
    return getattr(context, '_pending_changes', None)


# Functions called after a commit with the changes it made: [(content type ID, object ID, action, object repr)].
_change_listeners = []
# Functions called after a commit with the change context and the committed records (ObjectChange, last per object).
_record_listeners = []


def on_committed_changes(listener):
    """Register `listener(changes)`, run once the transaction that logged the changes commits (subscriptions'
    notifications): work that must not happen for a change rolled back, nor slow down or break the write."""
    if listener not in _change_listeners:
        _change_listeners.append(listener)
    return listener


def on_committed_records(listener):
    """Register `listener(context, records)`, run once the transaction commits with the change context and each
    changed object's last ObjectChange (its action, user, pre- and post-change states): the events of event
    rules."""
    if listener not in _record_listeners:
        _record_listeners.append(listener)
    return listener


def _announce(context, content_type, object_id, action, object_repr, record=None):
    """Remember a change for the listeners; the first change of a transaction schedules their run at commit."""
    if not _change_listeners and not _record_listeners:
        return
    changes, deliver = getattr(context, '_committed_changes', None) or (None, None)
    connection = transaction.get_connection()
    # A delivery no longer waiting for the commit (its savepoint rolled back) takes no more changes.
    if changes is None or not any(entry[1] is deliver for entry in connection.run_on_commit):
        changes = {}

        def deliver():
            _deliver(context, changes)
        context._committed_changes = (changes, deliver)
        transaction.on_commit(deliver)
    key = (content_type.pk, object_id)
    if action == 'update' and changes.get(key, ('',))[0] == 'create':
        action = 'create'  # created, then changed again, in one transaction: a creation
    changes[key] = (action, object_repr, record)


def _deliver(context, changes):
    if (getattr(context, '_committed_changes', None) or (None,))[0] is changes:
        context._committed_changes = None
    items = [(content_type_id, object_id, action, object_repr)
             for (content_type_id, object_id), (action, object_repr, _) in changes.items()]
    for listener in list(_change_listeners):
        listener(items)
    if _record_listeners:
        records = [(action, record) for action, _, record in changes.values() if record is not None]
        for listener in list(_record_listeners):
            listener(context, records)


def _new_record(context, instance, action, prechange, postchange):
    from core.models import ObjectChange

    user, user_name = _user_fields(context)
    content_type = ContentType.objects.get_for_model(instance)
    related = getattr(instance, 'changelog_parent', None)
    object_repr = str(instance)[:200]
    change = ObjectChange(
        user=user, user_name=user_name, request_id=context.id, action=action,
        changed_object_type=content_type, changed_object_id=instance.pk,
        related_object_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_object_id=related.pk if related is not None else None,
        object_repr=object_repr, prechange_data=prechange, postchange_data=postchange,
    )
    _announce(context, content_type, instance.pk, action, object_repr, record=change)
    return change


def _record(instance, action, prechange, postchange):
    """A new record; inside a batch its post-change state (None here) is taken when the batch ends."""
    from core.models import ObjectChange

    context = current_change_context()
    pending = _pending(context)
    change = _new_record(context, instance, action, prechange, postchange)
    if pending is not None:
        change._logged_instance = instance if action != ObjectChange.ACTION_DELETE else None
        pending.append(change)
    else:
        change.save()
    if action != ObjectChange.ACTION_DELETE:
        _logged(context)[_key(instance)] = change
    return change


def _refresh(change, instance, postchange=None):
    """Bring an existing record up to the object's current state (at the batch's end when it is pending)."""
    change.object_repr = str(instance)[:200]
    if change.pk is None:  # pending: serialised when the batch ends
        change._logged_instance = instance
        return
    from core.models import ObjectChange

    change.postchange_data = serialize_object(instance) if postchange is None else postchange
    updated = ObjectChange.objects.filter(pk=change.pk).update(postchange_data=change.postchange_data,
                                                                object_repr=change.object_repr)
    if not updated:  # rolled back with a savepoint: record the change anew
        change.pk = None
        change.save()


def _is_logged(sender):
    return isinstance(sender, type) and issubclass(sender, ChangeLoggedModel)


def start_batch(context):
    """Collect records from now on rather than write them (see netbox.bulk.write_batch)."""
    if _pending(context) is None:
        context._pending_changes = []
        return True
    return False


def flush_batch(context, write=True):
    """End collecting: serialise the collected objects' states set-wise and insert the records in one statement."""
    from core.models import ObjectChange

    pending = _pending(context)
    context._pending_changes = None
    if not write or not pending:
        if not write:  # rolled back: forget records that were never written
            logged = _logged(context)
            for key in [key for key, change in logged.items() if change.pk is None]:
                del logged[key]
        return
    by_model = {}
    for change in pending:
        instance = getattr(change, '_logged_instance', None)
        if instance is not None:
            by_model.setdefault(type(instance), []).append(change)
    for changes in by_model.values():
        # Objects created in this batch whose relations nothing wrote need no query.
        reread = [c._logged_instance for c in changes if not getattr(c, '_fresh_without_relations', False)]
        related = related_values(reread)
        for change in changes:
            instance = change._logged_instance
            fresh = getattr(change, '_fresh_without_relations', False)
            change.postchange_data = serialize_object(instance, created=fresh,
                                                      related=None if fresh else related.get(instance.pk, {}))
            change.object_repr = str(instance)[:200]
    ObjectChange.objects.bulk_create(pending)


def log_saved(instances, created, prechanges=None, relations_written=True):
    """
    Records for objects saved set-wise (which sends no post_save): a create or update record each, or the update of
    the record this request already has for the object. `prechanges` are the states before an update, in order.
    `relations_written=False` says that no many-to-many values or tags of the created objects were written. Outside
    a batch the new records are inserted with one statement.
    """
    from core.models import ObjectChange

    from .cached_search import index_objects
    from .permissions import check_acting_writes

    check_acting_writes(instances, created)  # set-wise saves send no signals: a script's user is checked here
    index_objects(instances, created)  # nor does the global search index see them otherwise
    context = current_change_context()
    if context is None or not instances:
        return
    logged = _logged(context)
    pending = _pending(context)
    fresh = created and not relations_written
    action = ObjectChange.ACTION_CREATE if created else ObjectChange.ACTION_UPDATE
    new = []
    for index, instance in enumerate(instances):
        key = _key(instance)
        existing = logged.get(key)
        if existing is not None:
            _refresh(existing, instance)
            continue
        prechange = None if created or prechanges is None else prechanges[index]
        change = _new_record(context, instance, action, prechange, None)
        if pending is not None:
            change._logged_instance = instance
            change._fresh_without_relations = fresh
            pending.append(change)
        else:
            new.append((change, instance))
        logged[key] = change
        instance._prechange_snapshot = None
    if new:
        related = {} if fresh else related_values([instance for _, instance in new])
        for change, instance in new:
            change.postchange_data = serialize_object(instance, created=fresh,
                                                      related=None if fresh else related.get(instance.pk, {}))
        ObjectChange.objects.bulk_create([change for change, _ in new])


def take_snapshots(instances, related=None):
    """Record the stored state of objects about to be changed or deleted, set-wise, so that their pre_save and
    pre_delete need no query. The instances must hold the stored values; `related` may give their relations as
    related_values() read them."""
    if current_change_context() is None:
        return
    instances = [obj for obj in instances if obj.pk is not None]
    if not instances:
        return
    parent = getattr(type(instances[0]), 'changelog_parent_field', None)
    if parent:  # the records name each object's parent: fetched for all at once
        prefetch_related_objects(instances, parent)
    if related is None:
        related = related_values(instances)
    for obj in instances:
        obj._prechange_snapshot = serialize_object(obj, related=related.get(obj.pk, {}))
        obj._snapshot_kept = True


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

    context = current_change_context()
    # A second save of the same object in one request updates its record rather than adding one (an object just
    # created has no record yet).
    existing = None if created else _logged(context).get(_key(instance))
    if existing is not None:
        _refresh(existing, instance)
    elif _pending(context) is not None:
        action = ObjectChange.ACTION_CREATE if created else ObjectChange.ACTION_UPDATE
        prechange = None if created else getattr(instance, '_prechange_snapshot', None)
        change = _record(instance, action, prechange, None)
        # Only a created object's own m2m_changed can give it relations; that marks the record again.
        change._fresh_without_relations = created
    else:
        action = ObjectChange.ACTION_CREATE if created else ObjectChange.ACTION_UPDATE
        prechange = None if created else getattr(instance, '_prechange_snapshot', None)
        _record(instance, action, prechange, serialize_object(instance, created=created))
    instance._prechange_snapshot = None


@receiver(m2m_changed)
def log_m2m_change(sender, instance, action, **kwargs):
    if current_change_context() is None or not isinstance(instance, ChangeLoggedModel):
        return
    if action in ('pre_add', 'pre_remove', 'pre_clear'):
        # The state before a change of relations alone (no save took it): read once, before the first change.
        if instance.pk is not None and getattr(instance, '_prechange_snapshot', None) is None and \
                _logged(current_change_context()).get(_key(instance)) is None:
            instance._prechange_snapshot = serialize_object(instance)
        return
    if action not in ('post_add', 'post_remove', 'post_clear'):
        return
    from core.models import ObjectChange

    context = current_change_context()
    existing = _logged(context).get(_key(instance))
    if hasattr(instance, '_prefetched_objects_cache'):
        instance._prefetched_objects_cache.clear()
    if existing is not None:
        if existing.pk is None:
            existing._fresh_without_relations = False
            existing._logged_instance = instance
        else:
            existing.postchange_data = serialize_object(instance)
            updated = ObjectChange.objects.filter(pk=existing.pk).update(postchange_data=existing.postchange_data)
            if not updated:
                existing.pk = None
                existing.save()
    else:
        prechange = getattr(instance, '_prechange_snapshot', None)
        postchange = None if _pending(context) is not None else serialize_object(instance)
        _record(instance, ObjectChange.ACTION_UPDATE, prechange, postchange)
        instance._prechange_snapshot = None


@receiver(pre_delete)
def snapshot_before_delete(sender, instance, **kwargs):
    if not _is_logged(sender) or current_change_context() is None:
        return
    if getattr(instance, '_snapshot_kept', False) and getattr(instance, '_prechange_snapshot', None) is not None:
        return  # taken set-wise just before (take_snapshots)
    instance._prechange_snapshot = serialize_object(instance)


@receiver(post_delete)
def log_delete(sender, instance, **kwargs):
    if not _is_logged(sender) or current_change_context() is None:
        return
    from core.models import ObjectChange

    _record(instance, ObjectChange.ACTION_DELETE, getattr(instance, '_prechange_snapshot', None), None)
