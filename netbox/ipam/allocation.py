"""
Free space and allocation: which prefixes, addresses, VLAN IDs and AS numbers are still free, and which ones the next
allocation takes.

Everything is computed from the used values fetched in one query each (ordered by the database), merged into
intervals of integers, and the gaps between them walked in order; nothing iterates every address of a big prefix.

Allocation is race-free when it runs inside a transaction that first takes `lock_space()`: concurrent allocators in
the same space wait for each other, and each sees what the previous one committed (READ COMMITTED takes a new
snapshot per statement, after the lock is granted).
"""
import hashlib
import ipaddress
from itertools import islice

import netaddr
from django.db import connection
from django.db.models import CharField, F, Func, Q, Value

from .models import ASN, VLAN, IPAddress, IPRange, Prefix


class InsufficientSpace(Exception):
    """The parent has no room for what was asked."""


# Locks


def lock_space(*key):
    """
    Take a transaction-scoped PostgreSQL advisory lock on a named space, e.g. ('ipam.ipspace', vrf_id); it is released
    at commit or rollback. Must be called inside a transaction.
    """
    digest = hashlib.blake2b(':'.join(str(part) for part in key).encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute('SELECT pg_advisory_xact_lock(%s)', [int.from_bytes(digest, 'big', signed=True)])


def address_space_key(vrf_id):
    """
    The lock of one VRF's address space (0 = global). Prefixes and IP ranges that overlap hand out the same
    addresses, so allocations lock the space they create objects in rather than their parent alone.
    """
    return ('ipam.ipspace', vrf_id or 0)


# Intervals of integers (inclusive bounds)


def merged(intervals):
    """Sorted, overlapping or touching intervals joined: [(1, 3), (2, 5), (6, 6), (9, 9)] -> [(1, 6), (9, 9)]."""
    out = []
    for low, high in sorted(intervals):
        if out and low <= out[-1][1] + 1:
            if high > out[-1][1]:
                out[-1] = (out[-1][0], high)
        else:
            out.append((low, high))
    return out


def gaps(low, high, used):
    """The free intervals of [low, high] around `used` (merged intervals), in order."""
    cursor = low
    for used_low, used_high in used:
        if used_high < cursor:
            continue
        if used_low > high:
            break
        if used_low > cursor:
            yield cursor, min(used_low - 1, high)
        cursor = max(cursor, used_high + 1)
        if cursor > high:
            return
    if cursor <= high:
        yield cursor, high


def members(intervals):
    """Every integer of the intervals, in order (lazily: take what you need with islice)."""
    for low, high in intervals:
        yield from range(low, high + 1)


# Prefixes and addresses


def _used_runs(queryset, field, first, last, version):
    """
    The addresses of an inet column (masks ignored) inside [first, last] as merged intervals of consecutive integers,
    computed by PostgreSQL in one query: each run of consecutive addresses comes back as one row (gaps and islands),
    so a densely used /16 costs one row, not one per address. Runs come back as integer offsets from `first` when
    they fit PostgreSQL's bigint (every IPv4 prefix, IPv6 prefixes of /66 or longer), as host strings otherwise.
    """
    bits = 32 if version == 4 else 128
    hosts = queryset.order_by().annotate(
        _h=Func(F(field), Value(bits), function='SET_MASKLEN', output_field=CharField())).values('_h').distinct()
    inner, params = hosts.query.sql_with_params()
    runs = (f'FROM (SELECT _h, _h - ROW_NUMBER() OVER (ORDER BY _h) AS _run FROM ({inner}) _hosts) _numbered '
            f'GROUP BY _run ORDER BY MIN(_h)')
    with connection.cursor() as cursor:
        if last - first < 2 ** 62:
            base = str(netaddr.IPAddress(first, version))
            cursor.execute(f'SELECT MIN(_h) - %s::inet, MAX(_h) - %s::inet {runs}', [base, base, *params])
            return [(first + low, first + high) for low, high in cursor.fetchall()]
        cursor.execute(f'SELECT HOST(MIN(_h)), HOST(MAX(_h)) {runs}', params)
        return [(int(ipaddress.ip_address(low)), int(ipaddress.ip_address(high))) for low, high in cursor.fetchall()]


def _in_parent_vrf(parent):
    """Objects of the prefix's address space: any VRF for a global container (as NetBox counts its children)."""
    if parent.vrf_id is None and parent.status == 'container':
        return Q()
    return Q(vrf_id=parent.vrf_id)


def child_prefix_intervals(parent):
    """The child prefixes of a prefix as merged integer intervals."""
    children = Prefix.objects.filter(_in_parent_vrf(parent), prefix__net_contained=str(parent.prefix))
    return merged((network.first, network.last) for network in children.values_list('prefix', flat=True))


def available_prefixes(parent):
    """The free blocks inside a prefix: the largest aligned CIDR blocks, in address order."""
    network = parent.prefix
    out = []
    for low, high in gaps(network.first, network.last, child_prefix_intervals(parent)):
        out.extend(netaddr.iprange_to_cidrs(netaddr.IPAddress(low, network.version),
                                            netaddr.IPAddress(high, network.version)))
    return out


def allocate_prefixes(parent, lengths):
    """
    The networks that requests for the given prefix lengths take, first fit (lowest address first), each one
    removed from the free space before the next is placed. Raises InsufficientSpace when one does not fit.
    """
    network = parent.prefix
    used = child_prefix_intervals(parent)
    taken = []
    for length in lengths:
        for low, high in gaps(network.first, network.last, used):
            block = _first_aligned_block(low, high, length, network.version)
            if block is not None:
                taken.append(block)
                used = merged(used + [(block.first, block.last)])
                break
        else:
            raise InsufficientSpace()
    return taken


def _first_aligned_block(low, high, length, version):
    """The lowest network of `length` bits inside [low, high], or None."""
    bits = 32 if version == 4 else 128
    size = 1 << (bits - length)
    start = -(-low // size) * size  # rounded up to the block size
    if start + size - 1 > high:
        return None
    return netaddr.IPNetwork((start, length), version=version)


def _ip_host_filter(first, last, version):
    """Addresses whose host part lies in [first, last] (masks ignored)."""
    bits = 32 if version == 4 else 128
    start = netaddr.IPAddress(first, version)
    end = netaddr.IPAddress(last, version)
    return IPAddress.objects.extra(
        where=[f'set_masklen(address, {bits}) BETWEEN %s::inet AND %s::inet', 'family(address) = %s'],
        params=[f'{start}/{bits}', f'{end}/{bits}', version],
    )


def prefix_used_intervals(parent):
    """What is not free in a prefix: its addresses, its populated IP ranges and the addresses its kind reserves."""
    network = parent.prefix
    used = _used_runs(IPAddress.objects.filter(_in_parent_vrf(parent), address__net_host_contained=str(network)),
                      'address', network.first, network.last, network.version)
    ranges = IPRange.objects.filter(_in_parent_vrf(parent), mark_populated=True,
                                    start_address__family=network.version)
    for start, end in ranges.values_list('start_address', 'end_address'):
        low, high = max(int(start.ip), network.first), min(int(end.ip), network.last)
        if low <= high:
            used.append((low, high))
    used.extend((address, address) for address in reserved_addresses(parent))
    return merged(used)


def reserved_addresses(parent):
    """
    Addresses of a prefix that are never handed out: IPv4 network and broadcast, and IPv6's subnet-router anycast
    address (the first), except in pools and point-to-point sizes (IPv4 /31 and /32, IPv6 /127 and /128).
    """
    network = parent.prefix
    if parent.is_pool or network.prefixlen >= (31 if network.version == 4 else 127):
        return ()
    if network.version == 4:
        return (network.first, network.last)
    return (network.first,)


def prefix_free_intervals(parent):
    if parent.mark_utilized:
        return []
    network = parent.prefix
    return list(gaps(network.first, network.last, prefix_used_intervals(parent)))


def range_free_intervals(iprange):
    """The free addresses of an IP range: none when it is marked populated, else those without an IP address."""
    if iprange.mark_populated:
        return []
    version = iprange.start_address.version
    first, last = int(iprange.start_address.ip), int(iprange.end_address.ip)
    used = _used_runs(_ip_host_filter(first, last, version).filter(vrf_id=iprange.vrf_id), 'address', first, last,
                      version)
    return list(gaps(first, last, used))


def free_addresses(parent, limit=None):
    """The first `limit` free addresses (netaddr.IPAddress) of a prefix or an IP range, in order."""
    if isinstance(parent, IPRange):
        intervals, version = range_free_intervals(parent), parent.start_address.version
    else:
        intervals, version = prefix_free_intervals(parent), parent.prefix.version
    return [netaddr.IPAddress(value, version) for value in islice(members(intervals), limit)]


def mask_length(parent):
    """The mask length given to addresses allocated from a prefix or an IP range."""
    if isinstance(parent, IPRange):
        return parent.start_address.prefixlen
    return parent.prefix.prefixlen


# VLAN IDs and AS numbers


def free_vids(group, limit=None):
    """The first `limit` VIDs of a VLAN group's ranges without a VLAN in the group, in order."""
    used = merged((vid, vid) for vid in VLAN.objects.filter(group=group).values_list('vid', flat=True))
    ranges = merged((r.lower, r.upper - 1) for r in group.vid_ranges or () if r.lower is not None and r.upper)
    intervals = [gap for low, high in ranges for gap in gaps(low, high, used)]
    return list(islice(members(intervals), limit))


def free_asns(asn_range, limit=None):
    """The first `limit` AS numbers of an ASN range without an ASN object, in order."""
    start, end = asn_range.start, asn_range.end
    used = ASN.objects.filter(asn__gte=start, asn__lte=end).order_by('asn').values_list('asn', flat=True)
    return list(islice(members(gaps(start, end, merged((asn, asn) for asn in used))), limit))
