"""
The prefix hierarchy: each prefix's `_depth` (how many prefixes of its VRF contain it) and `_children` (how many
prefixes of its VRF it contains, at any depth). Each VRF is its own space, and so is the global table (no VRF).

They are kept up to date on every write, set-wise in SQL: a write of a prefix affects only the prefixes of its old
and new VRF that contain, or lie within, its old or new network, and one UPDATE per VRF recomputes those.
`rebuild()` recomputes everything (the `rebuild_prefixes` management command, run by upgrade.sh).
"""
from django.db import connection

# The prefixes of one VRF (%(vrf)s, NULL for the global table) touching any of %(nets)s, and their new counts.
_AFFECTED_UPDATE = """
UPDATE ipam_prefix p SET _depth = s.depth, _children = s.children
FROM (
    SELECT t.id,
           (SELECT COUNT(*) FROM ipam_prefix q WHERE {vrf_q} AND q.prefix >> t.prefix) AS depth,
           (SELECT COUNT(*) FROM ipam_prefix q WHERE {vrf_q} AND q.prefix << t.prefix) AS children
    FROM ipam_prefix t
    WHERE {vrf_t} AND (t.prefix >>= ANY(%(nets)s::cidr[]) OR t.prefix <<= ANY(%(nets)s::cidr[]))
) s
WHERE p.id = s.id AND (p._depth <> s.depth OR p._children <> s.children)
"""

# Every prefix of one VRF.
_VRF_UPDATE = """
UPDATE ipam_prefix p SET _depth = s.depth, _children = s.children
FROM (
    SELECT t.id,
           COUNT(q.id) FILTER (WHERE q.prefix >> t.prefix) AS depth,
           COUNT(q.id) FILTER (WHERE q.prefix << t.prefix) AS children
    FROM ipam_prefix t
    LEFT JOIN ipam_prefix q ON {vrf_q} AND (q.prefix >> t.prefix OR q.prefix << t.prefix)
    WHERE {vrf_t}
    GROUP BY t.id
) s
WHERE p.id = s.id AND (p._depth <> s.depth OR p._children <> s.children)
"""


def _vrf_conditions(vrf_id):
    if vrf_id is None:
        return {'vrf_t': 't.vrf_id IS NULL', 'vrf_q': 'q.vrf_id IS NULL'}
    return {'vrf_t': 't.vrf_id = %(vrf)s', 'vrf_q': 'q.vrf_id = t.vrf_id'}


def update_affected(changes):
    """Recompute the prefixes touched by writes: `changes` is an iterable of (vrf_id, network) pairs, the old and
    the new place of every prefix written. Returns the number of prefixes changed."""
    by_vrf = {}
    for vrf_id, network in changes:
        if network is not None:
            by_vrf.setdefault(vrf_id, set()).add(str(network))
    changed = 0
    with connection.cursor() as cursor:
        for vrf_id, networks in by_vrf.items():
            cursor.execute(_AFFECTED_UPDATE.format(**_vrf_conditions(vrf_id)),
                           {'vrf': vrf_id, 'nets': sorted(networks)})
            changed += cursor.rowcount
    return changed


def rebuild_vrf(vrf_id):
    """Recompute every prefix of one VRF (None: the global table). Returns the number of prefixes changed."""
    with connection.cursor() as cursor:
        cursor.execute(_VRF_UPDATE.format(**_vrf_conditions(vrf_id)), {'vrf': vrf_id})
        return cursor.rowcount


def rebuild(progress=None):
    """Recompute the whole hierarchy, one VRF at a time; `progress(vrf_name, changed)` after each."""
    from .models import VRF

    total = 0
    spaces = [(None, 'Global table')] + [(vrf.pk, str(vrf)) for vrf in VRF.objects.order_by('pk')]
    for vrf_id, name in spaces:
        changed = rebuild_vrf(vrf_id)
        total += changed
        if progress is not None:
            progress(name, changed)
    return total
