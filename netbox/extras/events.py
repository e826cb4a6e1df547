"""
Events and event rules.

Every create, update and delete logged in a change-logging context (extras: netbox.changelog) is an event, and so
is a background job starting and ending (core.jobs.run_job). Events are collected per transaction and handled only
once it commits (netbox.changelog.on_committed_records): a rolled-back write sends nothing.

An event is a dict:

    {'event': 'created', 'event_type': 'object_created', 'timestamp': '2026-...', 'model': 'device',
     'object_type': 'dcim.device', 'object_id': 1, 'username': 'admin', 'user_id': 1, 'request_id': '...',
     'data': {...the object's REST representation after the change (before it, for a deletion)...},
     'snapshots': {'prechange': {...}, 'postchange': {...}}}   # the change log's states

The events of a transaction go through EVENTS_PIPELINE (dotted paths of callables given the list of events; by
default `extras.events.process_event_queue`), which runs every enabled event rule naming the object's type and the
event type whose conditions (extras.conditions) match: a webhook delivery, a script run, or notifications.

The work runs in the committing process, right after the commit (as NetBox runs its pipeline): nothing is serialised
and no rule is evaluated for a change no enabled rule is interested in, unless EVENTS_PIPELINE names steps of its
own (the operator's or a plugin's), which are given every event. The enabled rules are read once per process and
version (a cache key dropped whenever a rule changes), so a write that no rule wants costs no query. Actions that
do real work (a webhook's HTTP request, a script) are themselves background jobs, on the queues QUEUE_MAPPINGS
names for them.
"""
import logging
from types import SimpleNamespace

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone
from django.utils.module_loading import import_string

from core.jobs import on_job_event
from netbox.changelog import on_committed_records
from netbox.request_context import current_change_context

from .conditions import evaluate
from .models.eventrules import EVENT_RULES_VERSION_KEY, EventRule, EventRuleActions, event_rules_changed

logger = logging.getLogger('netbox.events')

ACTION_EVENTS = {'create': ('created', 'object_created'), 'update': ('updated', 'object_updated'),
                 'delete': ('deleted', 'object_deleted')}
DEFAULT_PIPELINE = ('extras.events.process_event_queue',)

_rules_cache = SimpleNamespace(version=None, rules=(), wanted=frozenset())


def enabled_rules():
    """(rules, wanted): the enabled rules, each with `type_ids` (its object types' IDs), and the set of (content
    type ID, event type) pairs some rule wants. Read from the database only when a rule changed."""
    from django.core.cache import cache

    version = cache.get(EVENT_RULES_VERSION_KEY)
    if version is None:
        import uuid

        cache.add(EVENT_RULES_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(EVENT_RULES_VERSION_KEY)
    if version != _rules_cache.version:
        rules = list(EventRule.objects.filter(enabled=True).prefetch_related('object_types')
                     .select_related('action_object_type'))
        wanted = set()
        for rule in rules:
            rule.type_ids = {content_type.pk for content_type in rule.object_types.all()}
            wanted.update((type_id, event_type) for type_id in rule.type_ids for event_type in rule.event_types)
        _rules_cache.version, _rules_cache.rules, _rules_cache.wanted = version, tuple(rules), frozenset(wanted)
    return _rules_cache.rules, _rules_cache.wanted


def wanted_events():
    """The (content type ID, event type) pairs that become events: those some enabled rule wants, or every one when
    the pipeline has other steps (a plugin's), which see every event as in NetBox."""
    if other_pipeline_steps():
        return EVERYTHING
    return enabled_rules()[1]


class _Everything:
    """`wanted` when the pipeline has steps besides the event rules (a plugin's): every change is an event."""

    def __contains__(self, item):
        return True

    def __bool__(self):
        return True


EVERYTHING = _Everything()


def other_pipeline_steps():
    """Whether EVENTS_PIPELINE names callables besides the event rules' (they see every event, as in NetBox)."""
    return any(path not in DEFAULT_PIPELINE for path in pipeline())


def _serializer_context(request):
    return {'request': request}


def rest_data(instances, request=None):
    """{pk: REST representation} of saved objects of one model, read with the queryset the REST API uses."""
    from netbox.api.viewsets import optimized_queryset
    from netbox.registry import registry

    if not instances:
        return {}
    model = type(instances[0])
    declaration = registry.get(model)
    if declaration is None:
        return {}
    fields = list(declaration.rest_fields())
    objects = list(optimized_queryset(declaration, fields).filter(pk__in=[obj.pk for obj in instances]))
    if declaration.prepare_rows is not None and objects:
        declaration.prepare_rows(objects)
    serializer = declaration.serializer()(objects, many=True, context=_serializer_context(request))
    return {obj.pk: data for obj, data in zip(objects, serializer.data, strict=True)}


def _user_of(context):
    user = getattr(context, 'user', None)
    if user is not None and getattr(user, 'is_authenticated', False):
        return user
    return None


def _stash_deleted_data(sender, instance, **kwargs):
    """A deleted object's REST representation, taken before it goes when some rule wants its deletion (the
    event's data); nothing is read otherwise."""
    context = current_change_context()
    if context is None or instance.pk is None:
        return
    _, wanted = enabled_rules()
    if not wanted:
        return
    content_type = ContentType.objects.get_for_model(sender)
    if (content_type.pk, 'object_deleted') not in wanted:
        return
    try:
        data = rest_data([instance], getattr(context, 'request', None)).get(instance.pk)
    except Exception:  # noqa: BLE001  (the deletion goes on; the event falls back to the change log's state)
        logger.exception('Could not serialise %s %s for its deletion event', content_type, instance.pk)
        return
    stash = getattr(context, '_event_deleted_data', None)
    if stash is None:
        stash = context._event_deleted_data = {}
    stash[(content_type.pk, instance.pk)] = data


def make_event(event, event_type, object_type, object_id, data, user=None, request_id=None, snapshots=None,
               timestamp=None):
    return {
        'event': event, 'event_type': event_type, 'timestamp': (timestamp or timezone.now()).isoformat(),
        'model': object_type.model, 'object_type': f'{object_type.app_label}.{object_type.model}',
        'object_id': object_id, 'username': user.username if user is not None else None,
        'user_id': user.pk if user is not None else None,
        'request_id': str(request_id) if request_id is not None else None,
        'data': data, 'snapshots': snapshots or {'prechange': None, 'postchange': None},
    }


def committed_records(context, records):
    """After a commit: the events of the changes some enabled rule wants, through the pipeline."""
    try:
        wanted = wanted_events()
        if not wanted:
            return
        chosen = [(action, record) for action, record in records
                  if (record.changed_object_type_id, ACTION_EVENTS[action][1]) in wanted]
        if not chosen:
            return
        events = build_events(context, chosen)
    except Exception:  # noqa: BLE001  (the change is committed: an event failure is logged, never raised)
        logger.exception('Could not build the events of committed changes')
        return
    run_pipeline(events)


def build_events(context, chosen):
    request = getattr(context, 'request', None)
    user = _user_of(context)
    stash = getattr(context, '_event_deleted_data', None) or {}
    # The current state of created and updated objects: one read per model.
    by_type = {}
    for action, record in chosen:
        if action != 'delete':
            by_type.setdefault(record.changed_object_type_id, []).append(record.changed_object_id)
    current = {}
    for type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        instances = list(model._default_manager.filter(pk__in=pks).only('pk'))
        for pk, data in rest_data(instances, request).items():
            current[(type_id, pk)] = data
    events = []
    for action, record in chosen:
        key = (record.changed_object_type_id, record.changed_object_id)
        if action == 'delete':
            data = stash.get(key, record.prechange_data)
        else:
            data = current.get(key)
            if data is None:  # gone since (deleted by another transaction): nothing to tell
                continue
        event, event_type = ACTION_EVENTS[action]
        events.append(make_event(
            event, event_type, ContentType.objects.get_for_id(record.changed_object_type_id), record.changed_object_id,
            data, user=user, request_id=record.request_id,
            snapshots={'prechange': record.prechange_data, 'postchange': record.postchange_data},
            timestamp=record.time if getattr(record, 'time', None) else None,
        ))
    return events


def pipeline():
    """The dotted paths of EVENTS_PIPELINE (the event rules' step alone when it is unset)."""
    return tuple(getattr(settings, 'EVENTS_PIPELINE', None) or DEFAULT_PIPELINE)


def run_pipeline(events):
    """Hand the events to each callable of EVENTS_PIPELINE in turn; one failing is logged and the next runs."""
    if not events:
        return
    for path in pipeline():
        try:
            import_string(path)(events)
        except Exception:  # noqa: BLE001
            logger.exception('Event pipeline step %s failed', path)


def process_event_queue(events):
    """Run the actions of the enabled rules matching each event."""
    rules, wanted = enabled_rules()
    for event in events:
        app_label, model = event['object_type'].split('.', 1)
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
        if (content_type.pk, event['event_type']) not in wanted:
            continue
        for rule in rules:
            if content_type.pk not in rule.type_ids or event['event_type'] not in rule.event_types:
                continue
            if not evaluate(rule.conditions, event):
                continue
            try:
                with transaction.atomic():
                    run_action(rule, event)
            except Exception:  # noqa: BLE001  (one rule's failure stops neither the others nor the write)
                logger.exception('Event rule "%s" failed for %s %s', rule.name, event['object_type'],
                                 event['object_id'])


def _event_user(event):
    from users.models import User

    if event.get('user_id') is None:
        return None
    return User.objects.filter(pk=event['user_id']).first()


def run_action(rule, event):
    target = rule.action_object
    if target is None:
        logger.warning('Event rule "%s" names a %s that no longer exists; skipped.', rule.name, rule.action_type)
        return
    if rule.action_type == EventRuleActions.WEBHOOK:
        from . import webhooks

        webhooks.enqueue_delivery(target, event)
    elif rule.action_type == EventRuleActions.SCRIPT:
        if not target.is_executable:
            logger.warning('Event rule "%s": script %s is no longer in its module; skipped.', rule.name, target)
            return
        target.enqueue(user=_event_user(event), data={**(rule.action_data or {}), 'event': event}, commit=True)
    elif rule.action_type == EventRuleActions.NOTIFICATION:
        from .models import notify_users

        app_label, model = event['object_type'].split('.', 1)
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
        data = event.get('data') or {}
        object_repr = str(data.get('display') or data.get('name') or f'{content_type.name} {event["object_id"]}')
        notify_users(target.members.values_list('pk', flat=True), None, event['event_type'],
                     object_type=content_type, object_id=event['object_id'], object_repr=object_repr)


def job_event(job, event_type):
    """A job started or ended: its event, when some enabled rule wants it, through the pipeline. A webhook
    delivery's own job raises none: a rule sending job events to a webhook would otherwise feed itself forever."""
    from core.models import Job

    from .models import Webhook

    wanted = wanted_events()
    content_type = ContentType.objects.get_for_model(Job)
    if (content_type.pk, event_type) not in wanted:
        return
    if job.object_type_id is not None and job.object_type_id == ContentType.objects.get_for_model(Webhook).pk:
        return
    data = rest_data([job]).get(job.pk)
    event = make_event(event_type.split('_', 1)[1], event_type, content_type, job.pk, data, user=job.user)
    run_pipeline([event])


def connect():
    on_committed_records(committed_records)
    on_job_event(job_event)
    pre_delete.connect(_stash_deleted_data, dispatch_uid='event_rules_deleted_data')
    post_save.connect(event_rules_changed, sender=EventRule, dispatch_uid='event_rules_saved')
    post_delete.connect(event_rules_changed, sender=EventRule, dispatch_uid='event_rules_deleted')
    m2m_changed.connect(event_rules_changed, sender=EventRule.object_types.through,
                        dispatch_uid='event_rule_types_changed')
