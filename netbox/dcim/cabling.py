"""
Cabling rules and cable paths.

A cable joins the terminations of its A side to those of its B side. Paths are computed here when cables or port
mappings change — never when they are read — by walking from each endpoint (interface, console/power port,
outlet, feed) across cables and through patch panels (front port position -> rear port position -> ... -> front
port) to the far endpoint. A path records its hops as lists of 'content_type_id:object_id' references.
"""
import re
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

# Which termination kinds may face each other across a cable (by model name).
COMPATIBLE = {
    'consoleport': {'consoleserverport', 'frontport', 'rearport'},
    'consoleserverport': {'consoleport', 'frontport', 'rearport'},
    'powerport': {'poweroutlet', 'powerfeed'},
    'poweroutlet': {'powerport'},
    'powerfeed': {'powerport'},
    'interface': {'interface', 'frontport', 'rearport', 'circuittermination'},
    'frontport': {'consoleport', 'consoleserverport', 'interface', 'frontport', 'rearport', 'circuittermination'},
    'rearport': {'consoleport', 'consoleserverport', 'interface', 'frontport', 'rearport', 'circuittermination'},
    'circuittermination': {'interface', 'frontport', 'rearport', 'circuittermination'},
}
ENDPOINT_MODELS = ('consoleport', 'consoleserverport', 'powerport', 'poweroutlet', 'powerfeed', 'interface')
PASS_THROUGH_MODELS = ('frontport', 'rearport')


def model_name(obj):
    return obj._meta.model_name


def parent_of(termination):
    """The object a termination belongs to (its device, power panel or circuit): one side shares one parent."""
    for name in ('device', 'power_panel', 'circuit'):
        if hasattr(termination, f'{name}_id'):
            return name, getattr(termination, f'{name}_id')
    return None, None


def validate_side(terminations, end, cable=None):
    """Raise ValidationError (keyed `a_terminations`/`b_terminations`) when one side is invalid on its own."""
    key = f'{end.lower()}_terminations'
    if not terminations:
        raise ValidationError({key: 'Give at least one termination.'})
    kinds = {model_name(t) for t in terminations}
    if len(kinds) > 1:
        raise ValidationError({key: f'All terminations on one side must be of the same type (got '
                                    f'{", ".join(sorted(kinds))}).'})
    kind = kinds.pop()
    if kind not in COMPATIBLE:
        raise ValidationError({key: f'{terminations[0]._meta.verbose_name} objects cannot be cabled.'})
    if len({parent_of(t) for t in terminations}) > 1:
        raise ValidationError({key: 'All terminations on one side must belong to the same parent object.'})
    for termination in terminations:
        if kind == 'interface':
            if termination.is_virtual:
                raise ValidationError({key: f'{termination.get_type_display()} interface {termination} cannot be '
                                            f'cabled.'})
            if termination.is_wireless:
                raise ValidationError({key: f'Wireless interface {termination} cannot be cabled.'})
        if getattr(termination, 'mark_connected', False):
            raise ValidationError({key: f'{termination} is marked as connected; clear that first.'})
        if termination.cable_id and (cable is None or termination.cable_id != cable.pk):
            raise ValidationError({key: f'{termination} is already connected to cable {termination.cable}.'})


def profile_connectors(profile):
    """{'A': [positions of connector 1, ...], 'B': [...]} for a cable profile, None without one.

    A profile's name gives each end as <connectors>c<positions>p: 'trunk-2c4p' is two 4-position connectors at
    both ends, 'breakout-1c4p-4c1p' one 4-position connector at A and four single-position connectors at B.
    """
    if not profile:
        return None
    ends = re.findall(r'(\d+)c(\d+)p', profile)
    if not ends:
        return None
    a_end, b_end = ends[0], ends[1] if len(ends) > 1 else ends[0]
    return {end: [int(positions)] * int(count) for end, (count, positions) in (('A', a_end), ('B', b_end))}


def validate_profile(cable, a_terminations, b_terminations):
    """A cable with a profile takes at most one termination per connector at each end."""
    connectors = profile_connectors(getattr(cable, 'profile', None))
    if connectors is None:
        return
    for end, terminations in (('A', a_terminations), ('B', b_terminations)):
        if len(terminations) > len(connectors[end]):
            raise ValidationError({f'{end.lower()}_terminations': (
                f'Profile {cable.profile} has {len(connectors[end])} connector(s) at end {end}; '
                f'got {len(terminations)} terminations.')})


def connector_slots(profile, end, count):
    """(connector, positions) for the 1st..count-th termination of an end, (None, None) without a profile."""
    connectors = profile_connectors(profile)
    if connectors is None:
        return [(None, None)] * count
    slots = [(index + 1, list(range(1, positions + 1))) for index, positions in enumerate(connectors[end])]
    return [slots[index] if index < len(slots) else (None, None) for index in range(count)]


def assign_connectors(cable):
    """Store on the cable's termination rows the connector and positions its profile gives them (after a profile
    change), in the order the terminations were attached."""
    from .models import CableTermination

    rows = list(CableTermination.objects.filter(cable=cable).order_by('pk'))
    for end in ('A', 'B'):
        side = [row for row in rows if row.cable_end == end]
        for row, (connector, positions) in zip(side, connector_slots(cable.profile, end, len(side)), strict=True):
            if row.connector != connector or row.positions != positions:
                CableTermination.objects.filter(pk=row.pk).update(connector=connector, positions=positions)


def validate_terminations(a_terminations, b_terminations, cable=None):
    validate_side(a_terminations, 'A', cable)
    validate_side(b_terminations, 'B', cable)
    validate_profile(cable, a_terminations, b_terminations)
    a_kind, b_kind = model_name(a_terminations[0]), model_name(b_terminations[0])
    if b_kind not in COMPATIBLE[a_kind]:
        raise ValidationError({'b_terminations': f'Incompatible termination types: '
                                                 f'{a_terminations[0]._meta.verbose_name} cannot connect to '
                                                 f'{b_terminations[0]._meta.verbose_name}.'})
    overlap = {(model_name(t), t.pk) for t in a_terminations} & {(model_name(t), t.pk) for t in b_terminations}
    if overlap:
        raise ValidationError({'b_terminations': 'A component cannot be on both ends of a cable.'})


@transaction.atomic
def set_terminations(cable, a_terminations, b_terminations):
    """Attach the cable to exactly these terminations, detaching any it had before, and recompute paths."""
    from .models import CableTermination

    # Re-read which cable each termination is on: another cable saved in this transaction may have taken it.
    for termination in list(a_terminations) + list(b_terminations):
        termination.cable_id = type(termination).objects.filter(pk=termination.pk).values_list(
            'cable_id', flat=True).first()
    validate_terminations(a_terminations, b_terminations, cable)
    old = list(cable.terminations.all()) if cable.pk else []
    affected = affected_paths([cable] + [t.termination for t in old if t.termination is not None]
                              + list(a_terminations) + list(b_terminations))
    new_keys = set()
    for end, terminations in (('A', a_terminations), ('B', b_terminations)):
        for termination in terminations:
            new_keys.add((ContentType.objects.get_for_model(termination).pk, termination.pk, end))
    for row in old:
        if (row.termination_type_id, row.termination_id, row.cable_end) not in new_keys:
            _detach(row.termination)
            row.delete()
    existing = {(row.termination_type_id, row.termination_id, row.cable_end): row for row in old}
    for end, terminations in (('A', a_terminations), ('B', b_terminations)):
        slots = connector_slots(cable.profile, end, len(terminations))
        for termination, (connector, positions) in zip(terminations, slots, strict=True):
            content_type = ContentType.objects.get_for_model(termination)
            row = existing.get((content_type.pk, termination.pk, end))
            if row is None:
                CableTermination.objects.create(cable=cable, cable_end=end, termination_type=content_type,
                                                termination_id=termination.pk, connector=connector,
                                                positions=positions)
            elif row.connector != connector or row.positions != positions:
                CableTermination.objects.filter(pk=row.pk).update(connector=connector, positions=positions)
            type(termination).objects.filter(pk=termination.pk).update(cable=cable, cable_end=end)
            termination.cable, termination.cable_end = cable, end
    rebuild_paths(affected, extra_origins=[cable])


def _detach(termination):
    if termination is None:
        return
    type(termination).objects.filter(pk=termination.pk).update(cable=None, cable_end=None)
    if hasattr(termination, '_path_id'):
        type(termination).objects.filter(pk=termination.pk).update(_path=None)


def detach_cables(deleted):
    """After cables are deleted ([(cable ID, terminations)]): free their terminations and recompute the paths that
    crossed any of them, once, from the state after all the deletes (a set-wise delete defers it to its end)."""
    from .models import Cable

    placeholders, terminations = [], []
    for cable_id, ends in deleted:
        placeholders.append(Cable(pk=cable_id))
        terminations.extend(ends)
    for termination in terminations:
        _detach(termination)
    affected = affected_paths(placeholders + terminations)
    rebuild_paths(affected, extra_origins=[], extra_terminations=terminations)


def reference(obj):
    return f'{ContentType.objects.get_for_model(obj).pk}:{obj.pk}'


def affected_paths(objects):
    """Paths that pass through any of `objects` (cables, ports, endpoints)."""
    from django.db.models import Q

    from .models import CablePath

    condition = Q()
    for obj in objects:
        if obj is not None and obj.pk is not None:
            condition |= Q(path__contains=[[reference(obj)]])
    if not condition:
        return []
    return list(CablePath.objects.filter(condition))


def rebuild_paths(paths, extra_origins=(), extra_terminations=()):
    """Recompute the given paths and the paths starting at the endpoints of the given cables."""
    from .models import CablePath, resolve_references

    origin_groups = []
    for path in paths:
        if path.path:
            origins = [o for o in resolve_references(path.path[0]) if model_name(o) in ENDPOINT_MODELS]
            if origins:
                origin_groups.append(origins)
    for cable in extra_origins:
        for end in ('A', 'B'):
            ends = [row.termination for row in cable.terminations.filter(cable_end=end)]
            endpoints = [t for t in ends if t is not None and model_name(t) in ENDPOINT_MODELS]
            if endpoints:
                origin_groups.append(endpoints)
    for termination in extra_terminations:
        if termination is not None and model_name(termination) in ENDPOINT_MODELS:
            origin_groups.append([termination])
    CablePath.objects.filter(pk__in=[p.pk for p in paths]).delete()
    done = set()
    for origins in origin_groups:
        key = tuple(sorted(reference(o) for o in origins))
        if key in done:
            continue
        done.add(key)
        build_path(origins)


def build_path(origins):
    """Trace from `origins` (endpoints on one cable end) and save the path on each of them."""
    from .models import Cable, CablePath, CableTermination, PortMapping

    if is_channel(origins[0]):
        return None  # a channel's path is built along with its parent interface's
    for origin in origins:
        wireless = ['wireless_link'] if hasattr(origin, 'wireless_link_id') else []
        origin.refresh_from_db(fields=['cable', 'cable_end'] + wireless)
    if not origins[0].cable_id and getattr(origins[0], 'wireless_link_id', None) is not None:
        return build_wireless_path(origins[0])
    if not origins[0].cable_id:
        for origin in origins:
            type(origin).objects.filter(pk=origin.pk).update(_path=None)
        return None
    hops = [[reference(o) for o in origins]]
    is_active, is_complete, is_split = True, False, False
    terminations = list(origins)
    position_stack = []
    seen_cables = set()
    while terminations:
        cable_ids = {t.cable_id for t in terminations}
        if None in cable_ids or len(cable_ids) != 1:
            break
        cable_id = cable_ids.pop()
        if cable_id in seen_cables:  # a loop through patch panels: stop rather than spin
            break
        seen_cables.add(cable_id)
        cable = Cable.objects.get(pk=cable_id)
        if cable.status != 'connected':
            is_active = False
        hops.append([reference(cable)])
        far_end = 'B' if terminations[0].cable_end == 'A' else 'A'
        far = [row.termination for row in CableTermination.objects.filter(cable=cable, cable_end=far_end)
               .prefetch_related(termination_prefetch())]
        far = [t for t in far if t is not None]
        if not far:
            break
        hops.append([reference(t) for t in far])
        kind = model_name(far[0])
        if kind == 'frontport':
            mappings = list(PortMapping.objects.filter(front_port__in=far).select_related('rear_port'))
            if not mappings:
                break
            position_stack.append([m.rear_port_position for m in mappings])
            terminations = _unique([m.rear_port for m in mappings])
            hops.append([reference(t) for t in terminations])
        elif kind == 'rearport':
            positions = position_stack.pop() if position_stack else None
            mappings = PortMapping.objects.filter(rear_port__in=far).select_related('front_port')
            if positions is not None:
                mappings = mappings.filter(rear_port_position__in=positions)
            elif any(port.positions > 1 for port in far):
                is_split = True  # which position the signal takes is unknown without a front port to come from
                break
            terminations = _unique([m.front_port for m in mappings])
            if not terminations:
                break
            hops.append([reference(t) for t in terminations])
        elif kind in ENDPOINT_MODELS:
            is_complete = True
            break
        elif kind == 'circuittermination':
            # Across the circuit to its other end; a provider network (or a place with no cable) ends the path.
            if len(far) > 1:
                is_split = True
                break
            peer = far[0].get_peer_termination()
            if peer is None:
                break
            if peer._provider_network_id:
                hops.append([reference(peer)])
                hops.append([reference(peer._provider_network)])
                is_complete = True
                break
            if not peer.cable_id:
                hops.append([reference(peer)])
                if peer.termination_type_id and peer.termination is not None:
                    hops.append([reference(peer.termination)])
                break
            terminations = [peer]
            hops.append([reference(peer)])
        else:  # anything else ends the walk here
            is_complete = kind in ENDPOINT_MODELS
            break
    path = CablePath.objects.create(path=hops, is_active=is_active and is_complete, is_complete=is_complete,
                                    is_split=is_split)
    for origin in origins:
        type(origin).objects.filter(pk=origin.pk).update(_path=path)
        origin._path = path
    build_channel_paths(origins, path)
    return path


def build_wireless_path(origin):
    """A wireless interface's path: across its wireless link to the interface at the other end (a link is
    point-to-point, so the path ends there). Active while the link is connected."""
    from wireless.models import WirelessLink

    from .models import CablePath

    link = WirelessLink.objects.select_related('interface_a', 'interface_b').get(pk=origin.wireless_link_id)
    peer = link.interface_b if link.interface_a_id == origin.pk else link.interface_a
    path = CablePath.objects.create(path=[[reference(origin)], [reference(link)], [reference(peer)]],
                                    is_active=link.status == 'connected', is_complete=True, is_split=False)
    type(origin).objects.filter(pk=origin.pk).update(_path=path)
    origin._path = path
    return path


# Channels: a physical interface with `channels` carries that many logical channel interfaces (type `channel`,
# numbered by `channel_id`). Each channel gets its own path: the parent's hops, from the channel to the channel with
# the same number on the far interface.

def is_channel(obj):
    return model_name(obj) == 'interface' and obj.type == 'channel'


def build_channel_paths(origins, parent_path):
    """One path per channel of the origin interfaces, along `parent_path`."""
    from .models import CablePath, Interface, resolve_references

    parents = [o for o in origins if model_name(o) == 'interface']
    if not parents:
        return
    channels = list(Interface.objects.filter(parent__in=parents, type='channel').order_by('channel_id', 'pk'))
    if not channels:
        return
    # A channel's previous path is replaced, whichever rebuild brought us here.
    CablePath.objects.filter(pk__in=[c._path_id for c in channels if c._path_id]).delete()
    far_ends = [o for o in resolve_references(parent_path.path[-1]) if model_name(o) == 'interface'] \
        if parent_path.is_complete else []
    far_channels = {}
    for far in Interface.objects.filter(parent__in=far_ends, type='channel'):
        far_channels.setdefault(far.channel_id, []).append(far)
    for channel in channels:
        peers = far_channels.get(channel.channel_id, [])
        if peers:
            hops = [[reference(channel)]] + parent_path.path[1:-1] + [[reference(peer) for peer in peers]]
        else:  # the far interface has no such channel: the path stops at the far interface itself
            hops = [[reference(channel)]] + parent_path.path[1:]
        complete = bool(peers)
        path = CablePath.objects.create(path=hops, is_complete=complete, is_active=parent_path.is_active and complete,
                                        is_split=parent_path.is_split)
        Interface.objects.filter(pk=channel.pk).update(_path=path)


def retrace_channel(channel):
    """After a channel interface is added or renumbered: rebuild its parent's paths (and so every channel's)."""
    parent = channel.parent
    if parent is None or not parent.cable_id:
        return
    from .models import CablePath

    stale = [channel._path_id] if channel._path_id else []
    CablePath.objects.filter(pk__in=stale).delete()
    rebuild_paths(affected_paths([parent, parent.cable]), extra_origins=[parent.cable])


def termination_prefetch(nested=False):
    """Prefetch of CableTermination.termination that also joins each component's device (for nesting). With
    nested=True the objects are only shown nested (link peers): they load only the columns that needs."""
    from django.apps import apps
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    querysets = []
    for name in COMPATIBLE:
        try:
            model = apps.get_model('circuits' if name == 'circuittermination' else 'dcim', name)
        except LookupError:
            continue
        querysets.append(_endpoint_queryset(model, nested))
    return GenericPrefetch('termination', querysets)


def _endpoint_queryset(model, nested):
    """A cable endpoint model's objects with their parents joined; with nested=True only what showing them
    nested reads (netbox.api.viewsets.nested_queryset)."""
    if nested:
        from netbox.api.viewsets import nested_joins, nested_queryset

        joins = nested_joins(model)
        if joins:
            return nested_queryset(model, joins)
    related = [f.name for f in model._meta.fields if f.name in ('device', 'power_panel', 'module', 'cable', 'circuit')]
    if 'device' in related:
        related.append('device__virtual_chassis')  # unnamed stack members are shown by their chassis name
    return model._default_manager.select_related(*related)


def _unique(objects):
    seen, out = set(), []
    for obj in objects:
        if obj.pk not in seen:
            seen.add(obj.pk)
            out.append(obj)
    return out


def rebuild_all(progress=None):
    """Recompute every path from scratch (the trace_paths command); returns the number of paths built."""
    from django.apps import apps

    from .models import CablePath

    CablePath.objects.all().delete()
    count = 0
    for name in ENDPOINT_MODELS:
        model = apps.get_model('dcim', name)
        model.objects.update(_path=None)
        groups = defaultdict(list)
        for endpoint in model.objects.filter(cable__isnull=False).only('pk', 'cable', 'cable_end'):
            groups[(endpoint.cable_id, endpoint.cable_end)].append(endpoint)
        for origins in groups.values():
            build_path(origins)
            count += 1
            if progress is not None:
                progress(1)
    # Interfaces joined by a wireless link rather than a cable.
    for interface in apps.get_model('dcim', 'interface').objects.filter(cable__isnull=True,
                                                                         wireless_link__isnull=False):
        build_path([interface])
        count += 1
        if progress is not None:
            progress(1)
    return count


def trace_segments(path):
    """The path as [near terminations, cable, far terminations] segments (what the trace API returns)."""
    from .models import resolve_references

    hops = path.path if path is not None else []
    # Resolve every hop at once: one query per object type, however long the path.
    every = [ref for hop in hops for ref in hop]
    resolved = {reference(obj): obj for obj in resolve_references(every)} if every else {}

    def objects(index):
        return [resolved[ref] for ref in hops[index] if ref in resolved] if index < len(hops) else []

    segments = []
    for index in range(0, len(hops), 3):
        cables = objects(index + 1)
        if cables and model_name(cables[0]) != 'cable':  # a circuit ending on a provider network: no cable
            segments.append((objects(index), None, cables))
            continue
        segments.append((objects(index), cables[0] if cables else None, objects(index + 2)))
    return segments


def attach_cable_data(instances):
    """
    Give each cabled component its link peers and connected endpoints with a fixed number of queries, however
    many rows: peers come from the cables' terminations, endpoints from the precomputed paths.
    """
    from .models import CableTermination, resolve_references

    instances = [obj for obj in instances if obj is not None]
    cable_ids = {obj.cable_id for obj in instances if getattr(obj, 'cable_id', None)}
    peers = defaultdict(list)
    if cable_ids:
        from netbox.api.readplan import generic_object_reader

        termination_of = generic_object_reader(CableTermination, 'termination')
        rows = CableTermination.objects.filter(cable_id__in=cable_ids).only(
            'cable', 'cable_end', 'termination_type', 'termination_id').prefetch_related(termination_prefetch(True))
        for row in rows:
            termination = termination_of(row)
            if termination is not None:
                peers[(row.cable_id, row.cable_end)].append(termination)
    wireless = _wireless_peers(obj for obj in instances if not getattr(obj, 'cable_id', None))
    destinations = {}
    refs = []
    for obj in instances:
        path = getattr(obj, '_path', None) if getattr(obj, '_path_id', None) else None
        if path is not None and path.is_complete and path.path:
            refs += path.path[-1]
    resolved = {reference(o): o for o in resolve_references(refs, nested=True)} if refs else {}
    for obj in instances:
        cable_id = getattr(obj, 'cable_id', None)
        far_end = 'B' if getattr(obj, 'cable_end', None) == 'A' else 'A'
        obj._link_peers = peers.get((cable_id, far_end), []) if cable_id else wireless.get(obj.pk, [])
        path = getattr(obj, '_path', None) if getattr(obj, '_path_id', None) else None
        if path is not None and path.is_complete and path.path:
            destinations[obj.pk] = [resolved[r] for r in path.path[-1] if r in resolved]
            obj._connected_endpoints = destinations[obj.pk]
            obj._connected_reachable = path.is_active
        else:
            obj._connected_endpoints = None
            obj._connected_reachable = False
    return instances


def _wireless_peers(instances):
    """{interface pk: [the interface at the other end of its wireless link]} with one query."""
    from .models import Interface

    by_link = {obj.wireless_link_id: obj.pk for obj in instances
               if isinstance(obj, Interface) and getattr(obj, 'wireless_link_id', None)}
    if not by_link:
        return {}
    from wireless.models import WirelessLink

    out = {}
    far = {'interface_a': 'interface_b', 'interface_b': 'interface_a'}
    links = WirelessLink.objects.filter(pk__in=by_link).select_related(
        'interface_a__device__virtual_chassis', 'interface_a__cable', 'interface_b__device__virtual_chassis',
        'interface_b__cable')
    for link in links:
        pk = by_link[link.pk]
        near = 'interface_a' if link.interface_a_id == pk else 'interface_b'
        out[pk] = [getattr(link, far[near])]
    return out
