"""Free-space computation (ipam.allocation) on the ORM: intervals, prefixes, addresses, VIDs and ASNs."""
import netaddr
import pytest
from django.db.backends.postgresql.psycopg_any import NumericRange

from ipam import allocation
from ipam.models import ASN, RIR, VLAN, VRF, ASNRange, IPAddress, IPRange, Prefix, VLANGroup

pytestmark = pytest.mark.django_db


def prefix(text, **attrs):
    return Prefix.objects.create(prefix=netaddr.IPNetwork(text), **attrs)


def address(text, **attrs):
    return IPAddress.objects.create(address=netaddr.IPNetwork(text), **attrs)


def strs(values):
    return [str(value) for value in values]


def test_intervals():
    assert allocation.merged([(5, 6), (1, 3), (2, 4), (9, 9), (7, 7)]) == [(1, 7), (9, 9)]
    assert list(allocation.gaps(0, 10, [(0, 2), (5, 5), (9, 20)])) == [(3, 4), (6, 8)]
    assert list(allocation.gaps(0, 10, [])) == [(0, 10)]
    assert list(allocation.gaps(3, 4, [(0, 10)])) == []
    assert list(allocation.members([(1, 2), (5, 5)])) == [1, 2, 5]


def test_available_prefixes_are_largest_aligned_blocks_in_order():
    parent = prefix('10.0.0.0/24', status='container')
    prefix('10.0.0.0/26')
    prefix('10.0.0.128/27')
    prefix('10.0.0.64/28', vrf=VRF.objects.create(name='other'))  # counted: a global container holds every VRF
    assert strs(allocation.available_prefixes(parent)) == ['10.0.0.80/28', '10.0.0.96/27', '10.0.0.160/27',
                                                           '10.0.0.192/26']


def test_available_prefixes_of_a_vrf_prefix_count_that_vrf_only():
    vrf = VRF.objects.create(name='blue')
    parent = prefix('10.1.0.0/24', vrf=vrf)
    prefix('10.1.0.0/25', vrf=vrf)
    prefix('10.1.0.128/25')  # global: another space
    assert strs(allocation.available_prefixes(parent)) == ['10.1.0.128/25']


def test_allocate_prefixes_first_fit():
    parent = prefix('10.2.0.0/24')
    prefix('10.2.0.0/28')
    prefix('10.2.0.32/27')
    # /28 fits at .16; the next /27 skips the used .32/27 to .64; a /26 then goes to .128 (.64/26 is half taken).
    taken = allocation.allocate_prefixes(parent, [28, 27, 26])
    assert strs(taken) == ['10.2.0.16/28', '10.2.0.64/27', '10.2.0.128/26']
    with pytest.raises(allocation.InsufficientSpace):
        allocation.allocate_prefixes(parent, [25, 25])


def test_ipv4_prefix_skips_network_and_broadcast():
    parent = prefix('192.0.2.0/29')
    address('192.0.2.1/29')
    assert strs(allocation.free_addresses(parent)) == ['192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5',
                                                       '192.0.2.6']
    assert strs(allocation.free_addresses(parent, 2)) == ['192.0.2.2', '192.0.2.3']


def test_pool_and_point_to_point_use_every_address():
    pool = prefix('192.0.2.8/30', is_pool=True)
    assert strs(allocation.free_addresses(pool)) == ['192.0.2.8', '192.0.2.9', '192.0.2.10', '192.0.2.11']
    assert strs(allocation.free_addresses(prefix('192.0.2.16/31'))) == ['192.0.2.16', '192.0.2.17']
    assert strs(allocation.free_addresses(prefix('192.0.2.20/32'))) == ['192.0.2.20']
    assert strs(allocation.free_addresses(prefix('2001:db8::/127'))) == ['2001:db8::', '2001:db8::1']


def test_ipv6_skips_the_subnet_router_anycast_address():
    parent = prefix('2001:db8:1::/64')
    assert strs(allocation.free_addresses(parent, 3)) == ['2001:db8:1::1', '2001:db8:1::2', '2001:db8:1::3']
    pool = prefix('2001:db8:2::/64', is_pool=True)
    assert strs(allocation.free_addresses(pool, 1)) == ['2001:db8:2::']


def test_mark_utilized_prefix_has_no_free_address():
    assert allocation.free_addresses(prefix('192.0.2.32/28', mark_utilized=True)) == []


def test_addresses_of_other_vrfs_and_masks_do_not_count_or_do():
    vrf = VRF.objects.create(name='red')
    parent = prefix('198.51.100.0/29')
    address('198.51.100.1/32')  # another mask, same host: used
    address('198.51.100.2/29', vrf=vrf)  # another VRF: not used here
    assert strs(allocation.free_addresses(parent)) == ['198.51.100.2', '198.51.100.3', '198.51.100.4',
                                                       '198.51.100.5', '198.51.100.6']


def test_populated_ranges_are_excluded():
    parent = prefix('198.51.100.0/28')
    IPRange.objects.create(start_address=netaddr.IPNetwork('198.51.100.2/28'),
                           end_address=netaddr.IPNetwork('198.51.100.9/28'), mark_populated=True)
    IPRange.objects.create(start_address=netaddr.IPNetwork('198.51.100.12/28'),
                           end_address=netaddr.IPNetwork('198.51.100.13/28'))  # not populated: still free
    assert strs(allocation.free_addresses(parent)) == ['198.51.100.1', '198.51.100.10', '198.51.100.11',
                                                       '198.51.100.12', '198.51.100.13', '198.51.100.14']


def test_ip_range_free_addresses():
    iprange = IPRange.objects.create(start_address=netaddr.IPNetwork('203.0.113.10/24'),
                                     end_address=netaddr.IPNetwork('203.0.113.14/24'))
    address('203.0.113.11/24')
    address('203.0.113.9/24')  # outside the range
    address('203.0.113.13/24', vrf=VRF.objects.create(name='green'))  # another VRF
    assert strs(allocation.free_addresses(iprange)) == ['203.0.113.10', '203.0.113.12', '203.0.113.13',
                                                        '203.0.113.14']
    assert allocation.mask_length(iprange) == 24
    iprange.mark_populated = True
    assert allocation.free_addresses(iprange) == []


def test_big_prefix_walks_gaps():
    parent = prefix('10.20.0.0/16')
    IPAddress.objects.bulk_create([IPAddress(address=netaddr.IPNetwork(f'10.20.{n // 256}.{n % 256}/16'))
                                   for n in range(1, 3001)])
    free = allocation.free_addresses(parent, 3)
    assert strs(free) == ['10.20.11.185', '10.20.11.186', '10.20.11.187']
    assert len(allocation.free_addresses(parent)) == 65534 - 3000


def test_free_vids_follow_the_group_ranges():
    group = VLANGroup.objects.create(name='g', slug='g', vid_ranges=[NumericRange(100, 104), NumericRange(10, 12)])
    VLAN.objects.create(group=group, vid=10, name='ten')
    VLAN.objects.create(group=group, vid=101, name='hundred-one')
    VLAN.objects.create(vid=100, name='elsewhere')
    assert allocation.free_vids(group) == [11, 100, 102, 103]
    assert allocation.free_vids(group, 2) == [11, 100]


def test_free_asns():
    rir = RIR.objects.create(name='R', slug='r')
    asn_range = ASNRange.objects.create(name='AR', slug='ar', rir=rir, start=65000, end=65005)
    ASN.objects.create(asn=65001, rir=rir)
    ASN.objects.create(asn=65003)
    assert allocation.free_asns(asn_range) == [65000, 65002, 65004, 65005]
    assert allocation.free_asns(asn_range, 1) == [65000]


@pytest.mark.parametrize('network', ['2001:db8:5::/120', '2001:db8:6::/64', '2001:db8:7::/48'])
def test_ipv6_runs_of_used_addresses(network):
    parent = prefix(network)
    base = netaddr.IPNetwork(network).network
    for offset in (1, 2, 3, 5, 9):
        address(f'{base + offset}/64')
    address(f'{base + 4}/128', vrf=VRF.objects.create(name='elsewhere'))
    assert strs(allocation.free_addresses(parent, 4)) == [str(base + n) for n in (4, 6, 7, 8)]
    assert allocation.prefix_used_intervals(parent) == [(base.value, base.value + 3), (base.value + 5,
                                                                                        base.value + 5),
                                                        (base.value + 9, base.value + 9)]
