"""
Rendering the configuration context of devices and virtual machines.

An object's context is the deep merge of the active configuration contexts that match it, lightest weight first
(then by name), with the object's own `local_context_data` merged last. Matching is done in Python for a whole set
of objects at once, with a fixed number of queries whatever the number of objects: the active contexts with their
criteria (one query), the objects' attributes the criteria look at (one query), their tags (one query) and, for the
trees some context names, the ancestors of the objects' nodes (one query per tree).
"""
import copy

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef

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


def active_contexts():
    """The active contexts, lightest first, each with `criteria`: {kind: set of keys} for the kinds it names."""
    from .models import ConfigContext

    annotations = {}
    for name in CRITERIA:
        field = ConfigContext._meta.get_field(name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        annotations[f'_criteria_{name}'] = ArraySubquery(
            through.objects.filter(**{source: OuterRef('pk')}).values(target))
    contexts = list(ConfigContext.objects.filter(is_active=True).annotate(**annotations)
                    .only('pk', 'name', 'weight', 'data').order_by('weight', 'name', 'pk'))
    for context in contexts:
        context.criteria = {name: set(keys) for name in CRITERIA
                            if (keys := getattr(context, f'_criteria_{name}'))}
    return contexts


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


def attach_config_contexts(objects):
    """Set `_config_context` on each device or virtual machine of a list (all of one model)."""
    objects = [obj for obj in objects if obj.pk is not None]
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
    config_context_for(obj)
    return getattr(obj, '_config_context_sources', [])


def config_context_for(obj):
    """The rendered configuration context of one device or virtual machine (computed once per instance; objects
    of one page may share it, so copy it before changing it)."""
    if getattr(obj, '_config_context', None) is None:
        attach_config_contexts([obj])
        if obj.pk is None:
            local = obj.local_context_data
            obj._config_context = copy.deepcopy(local) if isinstance(local, dict) else {}
    return obj._config_context
