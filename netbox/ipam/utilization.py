"""
How full prefixes, aggregates and IP ranges are, computed in SQL for a whole page at once (one query per page,
whatever its size), as percentages (numbers, at most 100).

- A container prefix: the space its child prefixes cover (nested children and the same prefix in several VRFs are
  counted once). A container in the global table counts child prefixes of every VRF; any other prefix only those of
  its own VRF.
- Any other prefix: its distinct child IP addresses plus every address of its child IP ranges marked utilized
  (an address inside such a range is not counted twice). An IPv4 prefix that is not a pool and is shorter than
  /31 does not count its network and broadcast addresses in its size.
- An aggregate: the space of the prefixes inside it (or equal to it), in any VRF.
- An IP range: its distinct addresses (same VRF) over its size.
- `mark_utilized` (prefixes and ranges) makes it 100%.
"""
from decimal import Decimal

from django.db import connection
from django.utils.html import format_html

from .models import Aggregate, IPRange, Prefix

# The number of addresses of a network column: 2^(32|128 - mask length), exact (numeric) for IPv6.
_SIZE = "power(2::numeric, (CASE WHEN family({col}) = 4 THEN 32 ELSE 128 END) - masklen({col}))"
# The address itself as a host network (its mask set to the full length), for containment by host.
_HOST = "set_masklen({col}, CASE WHEN family({col}) = 4 THEN 32 ELSE 128 END)"

# Space covered by the networks of `table` lying within `p.prefix` (<< for prefixes, <<= for aggregates), each
# counted once: only networks not inside another such network, and each distinct network once.
_COVERED = """
    SELECT COALESCE(SUM({size}), 0) FROM (
        SELECT DISTINCT c.prefix FROM ipam_prefix c
        WHERE c.prefix {op} p.prefix AND ({vrf_match_c})
          AND NOT EXISTS (
              SELECT 1 FROM ipam_prefix d
              WHERE d.prefix {op} p.prefix AND d.prefix >> c.prefix AND ({vrf_match_d}))
    ) top
"""

_PREFIX_SQL = f"""
WITH p AS (SELECT id, prefix, vrf_id, status, is_pool, mark_utilized FROM ipam_prefix WHERE id = ANY(%s))
SELECT p.id,
       p.mark_utilized,
       p.status = 'container' AS is_container,
       {_SIZE.format(col='p.prefix')} AS size,
       family(p.prefix) = 4 AND masklen(p.prefix) < 31 AND NOT p.is_pool AS minus_two,
       CASE WHEN p.status = 'container' AND NOT p.mark_utilized THEN ({_COVERED.format(
           size=_SIZE.format(col='top.prefix'), op='<<',
           vrf_match_c='(p.vrf_id IS NULL) OR c.vrf_id = p.vrf_id',
           vrf_match_d='(p.vrf_id IS NULL) OR d.vrf_id = p.vrf_id')}) END AS covered,
       CASE WHEN p.status <> 'container' AND NOT p.mark_utilized THEN (
           SELECT COALESCE(SUM(r.size), 0) FROM ipam_iprange r
           WHERE r.mark_utilized AND r.vrf_id IS NOT DISTINCT FROM p.vrf_id
             AND {_HOST.format(col='r.start_address')} <<= p.prefix
             AND {_HOST.format(col='r.end_address')} <<= p.prefix) END AS in_ranges,
       CASE WHEN p.status <> 'container' AND NOT p.mark_utilized THEN (
           SELECT COUNT(DISTINCT host(a.address)) FROM ipam_ipaddress a
           WHERE a.vrf_id IS NOT DISTINCT FROM p.vrf_id
             AND a.address && p.prefix AND {_HOST.format(col='a.address')} <<= p.prefix
             AND NOT EXISTS (
                 SELECT 1 FROM ipam_iprange r
                 WHERE r.mark_utilized AND r.vrf_id IS NOT DISTINCT FROM p.vrf_id
                   AND {_HOST.format(col='r.start_address')} <<= p.prefix
                   AND {_HOST.format(col='r.end_address')} <<= p.prefix
                   AND family(r.start_address) = family(a.address)
                   AND {_HOST.format(col='a.address')} >= {_HOST.format(col='r.start_address')}
                   AND {_HOST.format(col='a.address')} <= {_HOST.format(col='r.end_address')})) END AS addresses
FROM p
"""

_AGGREGATE_SQL = f"""
WITH p AS (SELECT id, prefix FROM ipam_aggregate WHERE id = ANY(%s))
SELECT p.id, {_SIZE.format(col='p.prefix')} AS size, ({_COVERED.format(
    size=_SIZE.format(col='top.prefix'), op='<<=', vrf_match_c='TRUE', vrf_match_d='TRUE')}) AS covered
FROM p
"""

_RANGE_SQL = f"""
SELECT r.id, r.mark_utilized, r.size, CASE WHEN r.mark_utilized THEN 0 ELSE (
    SELECT COUNT(DISTINCT host(a.address)) FROM ipam_ipaddress a
    WHERE a.vrf_id IS NOT DISTINCT FROM r.vrf_id AND family(a.address) = family(r.start_address)
      AND {_HOST.format(col='a.address')} >= {_HOST.format(col='r.start_address')}
      AND {_HOST.format(col='a.address')} <= {_HOST.format(col='r.end_address')}) END AS addresses
FROM ipam_iprange r WHERE r.id = ANY(%s)
"""


def percent(used, size):
    """`used` of `size` as a percentage, rounded to two places and capped at 100."""
    if not size:
        return 0.0
    value = Decimal(used) * 100 / Decimal(size)
    return float(min(round(value, 2), Decimal(100)))


def _rows(sql, ids):
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(ids)])
        return cursor.fetchall()


def prefix_utilization(ids):
    """{prefix id: percentage} for the given prefixes, in one query."""
    out = {}
    for pk, mark_utilized, is_container, size, minus_two, covered, in_ranges, addresses in _rows(_PREFIX_SQL, ids):
        if mark_utilized:
            out[pk] = 100.0
        elif is_container:
            out[pk] = percent(covered, size)
        else:
            out[pk] = percent((in_ranges or 0) + (addresses or 0), size - 2 if minus_two else size)
    return out


def aggregate_utilization(ids):
    return {pk: percent(covered, size) for pk, size, covered in _rows(_AGGREGATE_SQL, ids)}


def range_utilization(ids):
    return {pk: 100.0 if mark_utilized else percent(addresses, size)
            for pk, mark_utilized, size, addresses in _rows(_RANGE_SQL, ids)}


class _Page:
    """The objects of one page, whose percentages are computed together on the first one asked for: the UI pays one
    query for a page that shows utilisation, and the API (which doesn't show it) nothing."""

    def __init__(self, compute, ids):
        self.compute = compute
        self.ids = ids
        self.values = None

    def get(self, pk):
        if self.values is None:
            self.values = self.compute(self.ids)
        return self.values.get(pk, 0.0)


def _attach(compute):
    def attach(instances):
        instances = [obj for obj in instances if obj is not None and obj.pk is not None]
        page = _Page(compute, [obj.pk for obj in instances])
        for obj in instances:
            obj._utilization_page = page
        return instances

    return attach


attach_prefix_utilization = _attach(prefix_utilization)
attach_aggregate_utilization = _attach(aggregate_utilization)
attach_range_utilization = _attach(range_utilization)


def utilization_of(obj):
    """The percentage for one object: from its page (see prepare_rows), or computed for it alone."""
    if obj.pk is None:
        return 0.0
    page = getattr(obj, '_utilization_page', None)
    if page is None:
        compute = {Prefix: prefix_utilization, Aggregate: aggregate_utilization, IPRange: range_utilization}
        page = obj._utilization_page = _Page(compute[type(obj)], [obj.pk])
    return page.get(obj.pk)


def prefix_cell(obj):
    """The prefix, indented by its depth in the hierarchy."""
    return format_html('<span class="depth-{}" style="padding-left: {}em">{}</span>', obj._depth, obj._depth,
                       obj.prefix)
