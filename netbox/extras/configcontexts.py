"""
Rendering the configuration context of devices and virtual machines.

An object's context is the deep merge of the active configuration contexts that match it, lightest weight first
(then by name), with the object's own `local_context_data` merged last. Matching is done in Python for a whole set
of objects at once, with a fixed number of queries whatever the number of objects: the active contexts with their
criteria (one query), the objects' attributes the criteria look at (one query), their tags (one query) and, for the
trees some context names, the ancestors of the objects' nodes (one query per tree).

Pre-rendered contexts (NetBox 4.7): each device and VM keeps its merged context in `config_context_data`, so a list
reads it with one query and merges nothing. NULL means stale: database triggers (virtualization migration 0003)
set it whenever something on the object's side changes (its site, role, tags, local data...), and the receivers
below do so for the objects a configuration context matches when the context or its criteria change. A stale
object is merged on the fly, never served from the store. A worker re-renders the stale rows (`render_job`),
queued after every commit that changed something contexts are merged from; `housekeeping` renders any left.
A render writes a row only if its `config_context_token` is the one read before merging: a change committed
meanwhile gave the row a new token, and the newer state is rendered by the next job.
"""
import copy
import json
import logging

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import Exists, Func, OuterRef, Q, UUIDField
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from netbox.changelog import on_committed_changes

from .models.configcontexts import CRITERIA

# Per criterion: the object attribute (a path of related keys) it compares with. A model without the path's first
# field (a VM has no device type and no location) never matches a context that names that kind.
OBJECT_KEYS = {
    'regions': 'site__region_id', 'site_groups': 'site__group_id', 'sites': 'site_id',
    'locations': 'location_id', 'device_types': 'device_type_id', 'roles': 'role_id',
    'platforms': 'platform_id', 'cluster_types': 'cluster__type_id', 'cluster_groups': 'cluster__group_id',
    'clusters': 'cluster_id', 'tenant_groups': 'tenant__group_id', 'tenants': 'tenant_id',
}


def deep_merge(base, update):
    """`update` merged into a copy of `base`: dictionaries merge key by key, any other value is replaced."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def with_criteria(queryset):
    """The contexts of `queryset`, each with `criteria`: {kind: set of keys} for the kinds it names (one query)."""
    from .models import ConfigContext

    annotations = {}
    for name in CRITERIA:
        field = ConfigContext._meta.get_field(name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        annotations[f'_criteria_{name}'] = ArraySubquery(
            through.objects.filter(**{source: OuterRef('pk')}).values(target))
    contexts = list(queryset.annotate(**annotations))
    for context in contexts:
        context.criteria = {name: set(keys) for name in CRITERIA
                            if (keys := getattr(context, f'_criteria_{name}'))}
    return contexts


def active_contexts():
    """The active contexts, lightest first, each with `criteria` (see with_criteria)."""
    from .models import ConfigContext

    return with_criteria(ConfigContext.objects.filter(is_active=True)
                         .only('pk', 'name', 'weight', 'data').order_by('weight', 'name', 'pk'))


def _ancestors(model_label, keys):
    """{node key: set of its ancestors' keys, itself included} for tree nodes: one query."""
    model = apps.get_model(model_label)
    keys = {key for key in keys if key is not None}
    if not keys:
        return {}
    inside = model.objects.filter(pk__in=keys, tree_id=OuterRef('tree_id'), lft__gte=OuterRef('lft'),
                                  rght__lte=OuterRef('rght'))
    rows = list(model.objects.filter(Exists(inside)).values_list('pk', 'tree_id', 'lft', 'rght'))
    out = {}
    for pk, tree_id, lft, rght in rows:
        if pk not in keys:
            continue
        out[pk] = {a_pk for a_pk, a_tree, a_lft, a_rght in rows if a_tree == tree_id and a_lft <= lft and
                   a_rght >= rght}
    return out


logger = logging.getLogger('netbox.configcontexts')
RENDER_JOB_NAME = 'Render configuration contexts'
RENDERED_MODELS = ('dcim.Device', 'virtualization.VirtualMachine')
# Changes to these (committed) may leave stored contexts stale: a render job is queued after them.
FEEDING_MODELS = {*RENDERED_MODELS, 'extras.ConfigContext', 'dcim.Site', 'virtualization.Cluster', 'tenancy.Tenant',
                  *(label for label, is_tree in CRITERIA.values() if is_tree)}


def attach_config_contexts(objects, use_stored=True):
    """Set `_config_context` on each device or virtual machine of a list (all of one model): the stored rendering
    where it is current (one query), merged here for the others."""
    objects = [obj for obj in objects if obj.pk is not None]
    if not objects:
        return
    if use_stored:
        # Read with the rows when they were read for the API; otherwise with one query.
        stored = {obj.pk: obj.__dict__['config_context_data'] for obj in objects
                  if obj.__dict__.get('config_context_data') is not None}
        unread = [obj.pk for obj in objects if 'config_context_data' not in obj.__dict__]
        if unread:
            stored.update(type(objects[0]).objects.filter(pk__in=unread, config_context_data__isnull=False)
                          .values_list('pk', 'config_context_data'))
        for obj in objects:
            if obj.pk in stored:
                obj._config_context = stored[obj.pk]
        objects = [obj for obj in objects if obj.pk not in stored]
        if not objects:
            return
    contexts = active_contexts()
    for obj in objects:
        obj._config_context = {}
        obj._config_context_sources = []
    if contexts:
        _merge_matching(objects, contexts)
    for obj in objects:
        local = obj.local_context_data
        if isinstance(local, dict):
            obj._config_context = deep_merge(obj._config_context, local)


def _merge_matching(objects, contexts):
    from .models import TaggedItem

    model = type(objects[0])
    own_fields = {field.name for field in model._meta.get_fields()}
    used = set().union(*(context.criteria for context in contexts))
    paths = {name: path for name, path in OBJECT_KEYS.items()
             if name in used and path.split('__')[0].removesuffix('_id') in own_fields}
    by_pk = {obj.pk: obj for obj in objects}
    names = list(paths)
    values = {}
    if paths:
        rows = model.objects.filter(pk__in=by_pk).values_list('pk', *(paths[name] for name in names))
        values = {row[0]: row[1:] for row in rows}
    trees = {}
    for index, name in enumerate(names):
        label, is_tree = CRITERIA[name]
        if is_tree:
            trees[name] = _ancestors(label, {row[index] for row in values.values()})
    tags = {}
    if 'tags' in used:
        content_type = ContentType.objects.get_for_model(model)
        for object_id, tag_id in TaggedItem.objects.filter(content_type=content_type, object_id__in=by_pk) \
                .values_list('object_id', 'tag_id'):
            tags.setdefault(object_id, set()).add(tag_id)
    # Objects alike in everything the criteria look at (most of a page, usually) are matched once, and objects
    # matching the same contexts share one merge: treat it as read-only.
    matches, merges = {}, {}
    for pk, obj in by_pk.items():
        row = values.get(pk, (None,) * len(names))
        own_tags = frozenset(tags.get(pk, ()))
        signature = (row, own_tags)
        if signature not in matches:
            own = {'tags': own_tags}
            for name, value in zip(names, row, strict=True):
                if value is None:
                    own[name] = set()
                elif name in trees:
                    own[name] = trees[name].get(value, {value})
                else:
                    own[name] = {value}
            sources = [context for context in contexts
                       if all(own.get(name, ()) and not own[name].isdisjoint(wanted)
                              for name, wanted in context.criteria.items())]
            key = tuple(context.pk for context in sources)
            if key not in merges:
                merged = {}
                for context in sources:
                    merged = deep_merge(merged, context.data if isinstance(context.data, dict) else {})
                merges[key] = merged
            matches[signature] = (merges[key], sources)
        obj._config_context, obj._config_context_sources = matches[signature]


def matching_contexts(obj):
    """The active contexts merged into one object's configuration context, in merge order."""
    if getattr(obj, '_config_context_sources', None) is None:
        attach_config_contexts([obj], use_stored=False)
    return obj._config_context_sources


def config_context_for(obj):
    """The rendered configuration context of one device or virtual machine (computed once per instance; objects
    of one page may share it, so copy it before changing it)."""
    if getattr(obj, '_config_context', None) is None:
        attach_config_contexts([obj])
        if obj.pk is None:
            local = obj.local_context_data
            obj._config_context = copy.deepcopy(local) if isinstance(local, dict) else {}
    return obj._config_context


# Invalidation on the contexts' side

def _rendered_models():
    return [apps.get_model(label) for label in RENDERED_MODELS]


def mark_stale(queryset):
    """Mark the objects' stored contexts stale (NULL, with a new token)."""
    return queryset.update(config_context_data=None,
                           config_context_token=Func(function='gen_random_uuid', output_field=UUIDField()))


def stored_criteria(context):
    """{kind: set of keys} of a saved context's criteria as stored now (one query)."""
    found = with_criteria(type(context).objects.filter(pk=context.pk).only('pk'))
    return found[0].criteria if found else {}


def objects_matching(model, criteria):
    """The objects of `model` that a context with these criteria applies to (whether active or not), as a queryset;
    None when it can apply to none of them."""
    from .models import TaggedItem

    own_fields = {field.name for field in model._meta.get_fields()}
    condition = Q()
    for name, keys in criteria.items():
        if name == 'tags':
            content_type = ContentType.objects.get_for_model(model)
            condition &= Q(pk__in=TaggedItem.objects.filter(content_type=content_type, tag_id__in=keys)
                           .values('object_id'))
            continue
        path = OBJECT_KEYS[name]
        if path.split('__')[0].removesuffix('_id') not in own_fields:
            return None
        label, is_tree = CRITERIA[name]
        if is_tree:  # a node matches the objects of its whole subtree
            tree = apps.get_model(label)
            chosen = tree.objects.filter(pk__in=keys, tree_id=OuterRef('tree_id'), lft__lte=OuterRef('lft'),
                                         rght__gte=OuterRef('rght'))
            keys = tree.objects.filter(Exists(chosen)).values('pk')
        condition &= Q(**{f'{path}__in': keys})
    return model.objects.filter(condition)


def invalidate_matching(criteria):
    """Mark stale the stored contexts of every object matching `criteria`; returns how many."""
    count = 0
    for model in _rendered_models():
        queryset = objects_matching(model, criteria)
        if queryset is not None:
            count += mark_stale(queryset)
    return count


MERGE_FIELDS = ('name', 'weight', 'is_active', 'data')


def _context_before_save(sender, instance, raw=False, **kwargs):
    if instance.pk is not None and not raw:
        instance._merge_state_before = sender.objects.filter(pk=instance.pk).values(*MERGE_FIELDS).first()


def _context_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, '_merge_state_before', None)
    instance._merge_state_before = None
    now = {name: getattr(instance, name) for name in MERGE_FIELDS}
    if created or before is None:
        # Criteria are written after the context: until then it matches everything it may match.
        invalidate_matching(stored_criteria(instance))
    elif before != now:
        invalidate_matching(stored_criteria(instance))


def _context_deleted(sender, instance, **kwargs):
    invalidate_matching(stored_criteria(instance))


def _criteria_changed(sender, instance, action, pk_set, model=None, reverse=False, **kwargs):
    """A criterion's keys changed: the objects matching the removed keys (before) or the added ones (after) change;
    emptying a criterion widens the context to every value of it."""
    if reverse:  # changed from the other side (a site's contexts): not written that way, but stay correct
        invalidate_matching({})
        return
    name = _criterion_of(sender)
    if name is None:
        return
    if action in ('pre_remove', 'pre_clear'):
        criteria = stored_criteria(instance)
        removed = set(pk_set) if pk_set is not None else criteria.get(name, set())
        if removed:
            invalidate_matching({**criteria, name: removed})
    elif action == 'post_add' and pk_set:
        invalidate_matching({**stored_criteria(instance), name: set(pk_set)})
    elif action in ('post_remove', 'post_clear'):
        criteria = stored_criteria(instance)
        if name not in criteria:
            invalidate_matching(criteria)


def _criterion_of(through):
    from .models import ConfigContext

    for name in CRITERIA:
        if ConfigContext._meta.get_field(name).remote_field.through is through:
            return name
    return None


def connect_signals():
    from .models import ConfigContext

    pre_save.connect(_context_before_save, sender=ConfigContext, dispatch_uid='config_context_before_save')
    post_save.connect(_context_saved, sender=ConfigContext, dispatch_uid='config_context_saved')
    pre_delete.connect(_context_deleted, sender=ConfigContext, dispatch_uid='config_context_deleted')
    for name in CRITERIA:
        through = ConfigContext._meta.get_field(name).remote_field.through
        m2m_changed.connect(_criteria_changed, sender=through, dispatch_uid=f'config_context_criteria_{name}')
    on_committed_changes(_render_after_changes)


# Rendering on the worker

def _render_after_changes(changes):
    """After a commit: queue a render when the changes touch something contexts are merged from."""
    models = {ContentType.objects.get_for_id(content_type_id).model_class() for content_type_id, _, _, _ in changes}
    labels = {model._meta.label for model in models if model is not None}
    if labels & FEEDING_MODELS:
        try:
            queue_render()
        except Exception:  # noqa: BLE001  (the write is committed; stale rows are merged on the fly meanwhile)
            logger.exception('Could not queue the rendering of configuration contexts')


def stale_exists():
    return any(model.objects.filter(config_context_data__isnull=True).exists() for model in _rendered_models())


def queue_render():
    """Queue a render job unless one is waiting already or nothing is stale; returns the job or None."""
    from core.jobs import enqueue_job
    from core.models import Job

    if not stale_exists() or Job.objects.filter(name=RENDER_JOB_NAME, status='pending').exists():
        return None
    with transaction.atomic():
        return enqueue_job('extras.configcontexts.render_job', name=RENDER_JOB_NAME)


def render_job(job):
    """What the worker runs: render every stale stored context."""
    from core.jobs import log

    counts = render_stale()
    log(job, ', '.join(f'{count} {label}' for label, count in counts.items()) + ' rendered.', 'success')
    job.data = counts


def render_stale(batch_size=1000, progress=None):
    """Render the stale stored contexts of devices and VMs, `batch_size` at a time: {model label: rendered}.
    `progress(count)` is called after each batch."""
    counts = {}
    for model in _rendered_models():
        rendered, last = 0, 0
        while True:
            # Tokens first, then the data the merge reads: a change committed in between has a new token.
            tokens = dict(model.objects.filter(config_context_data__isnull=True, pk__gt=last).order_by('pk')
                          .values_list('pk', 'config_context_token')[:batch_size])
            if not tokens:
                break
            last = max(tokens)
            objects = list(model.objects.filter(pk__in=tokens).only('pk', 'local_context_data'))
            attach_config_contexts(objects, use_stored=False)
            rendered += _store(model, [(obj.pk, tokens[obj.pk], obj._config_context) for obj in objects])
            if progress is not None:
                progress(len(tokens))
        counts[model._meta.label_lower] = rendered
    return counts


def _store(model, rows):
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    values = ', '.join(['(%s::bigint, %s::uuid, %s::jsonb)'] * len(rows))
    params = [value for pk, token, data in rows for value in (pk, token, json.dumps(data, default=str))]
    # The database's guard lets only the renderer store a context (see virtualization migration 0003).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('netbox.rendering_config_contexts', 'on', true)")
        cursor.execute(f'UPDATE {table} AS t SET config_context_data = v.data FROM (VALUES {values}) AS v(id, token, '
                       f'data) WHERE t.id = v.id AND t.config_context_token = v.token AND t.config_context_data IS '
                       'NULL', params)
        stored = cursor.rowcount
        cursor.execute("SELECT set_config('netbox.rendering_config_contexts', 'off', true)")
    return stored
