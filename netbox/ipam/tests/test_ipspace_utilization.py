"""Utilisation of prefixes, aggregates and IP ranges, computed in SQL for a page."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipam.models import RIR, VRF, Aggregate, IPAddress, IPRange, Prefix
from ipam.utilization import aggregate_utilization, prefix_utilization, range_utilization

pytestmark = pytest.mark.django_db


def test_container_counts_child_prefix_space_once():
    top = Prefix.objects.create(prefix='10.0.0.0/16', status='container')
    Prefix.objects.create(prefix='10.0.0.0/17')          # half
    Prefix.objects.create(prefix='10.0.0.0/24')          # nested in the /17: not counted again
    Prefix.objects.create(prefix='10.0.128.0/24')        # 1/256 more
    Prefix.objects.create(prefix='10.0.128.0/24', vrf=VRF.objects.create(name='red'))  # same space, other VRF
    assert prefix_utilization([top.pk]) == {top.pk: round((32768 + 256) / 65536 * 100, 2)}


def test_container_in_a_vrf_counts_only_that_vrf():
    red = VRF.objects.create(name='red')
    top = Prefix.objects.create(prefix='10.0.0.0/16', status='container', vrf=red)
    Prefix.objects.create(prefix='10.0.0.0/17')
    Prefix.objects.create(prefix='10.0.0.0/18', vrf=red)
    assert prefix_utilization([top.pk]) == {top.pk: 25.0}


def test_network_counts_addresses_and_utilized_ranges_without_network_and_broadcast():
    net = Prefix.objects.create(prefix='192.0.2.0/24')
    IPAddress.objects.create(address='192.0.2.1/24')
    IPAddress.objects.create(address='192.0.2.2/24')
    IPAddress.objects.create(address='192.0.2.3/25', role='anycast')
    IPAddress.objects.create(address='192.0.2.3/24', role='anycast')  # the same address: counted once
    IPAddress.objects.create(address='198.51.100.1/24')             # elsewhere
    IPRange.objects.create(start_address='192.0.2.100/24', end_address='192.0.2.149/24', mark_utilized=True)
    IPAddress.objects.create(address='192.0.2.120/24')               # inside the utilized range
    IPRange.objects.create(start_address='192.0.2.200/24', end_address='192.0.2.209/24')  # not utilized
    assert prefix_utilization([net.pk]) == {net.pk: round((3 + 50) / 254 * 100, 2)}


def test_pool_and_small_prefixes_count_every_address():
    pool = Prefix.objects.create(prefix='192.0.2.0/30', is_pool=True)
    link = Prefix.objects.create(prefix='192.0.2.4/31')
    six = Prefix.objects.create(prefix='2001:db8::/126')
    for address in ('192.0.2.1/30', '192.0.2.4/31', '2001:db8::1/126'):
        IPAddress.objects.create(address=address)
    assert prefix_utilization([pool.pk, link.pk, six.pk]) == {pool.pk: 25.0, link.pk: 50.0, six.pk: 25.0}


def test_a_16_with_nested_children_and_mark_utilized():
    top = Prefix.objects.create(prefix='10.10.0.0/16', status='container')
    Prefix.objects.create(prefix='10.10.0.0/18', status='container')
    Prefix.objects.create(prefix='10.10.0.0/20')
    Prefix.objects.create(prefix='10.10.64.0/18', mark_utilized=True)
    subnet = Prefix.objects.create(prefix='10.10.128.0/24')
    full = Prefix.objects.create(prefix='10.10.129.0/24', mark_utilized=True)
    for host in range(1, 128):
        IPAddress.objects.create(address=f'10.10.128.{host}/24')
    values = prefix_utilization([top.pk, subnet.pk, full.pk])
    assert values[top.pk] == round((16384 * 2 + 256 * 2) / 65536 * 100, 2)
    assert values[subnet.pk] == 50.0
    assert values[full.pk] == 100.0


def test_aggregate_and_range_utilization():
    aggregate = Aggregate.objects.create(prefix='10.0.0.0/8', rir=RIR.objects.create(name='R', slug='r'))
    Prefix.objects.create(prefix='10.0.0.0/9')
    Prefix.objects.create(prefix='10.0.0.0/10')
    Prefix.objects.create(prefix='10.128.0.0/10', vrf=VRF.objects.create(name='red'))
    assert aggregate_utilization([aggregate.pk]) == {aggregate.pk: 75.0}
    dhcp = IPRange.objects.create(start_address='192.0.2.10/24', end_address='192.0.2.19/24')
    marked = IPRange.objects.create(start_address='192.0.2.20/24', end_address='192.0.2.29/24', mark_utilized=True)
    IPAddress.objects.create(address='192.0.2.10/24')
    IPAddress.objects.create(address='192.0.2.11/24')
    IPAddress.objects.create(address='192.0.2.30/24')
    assert range_utilization([dhcp.pk, marked.pk]) == {dhcp.pk: 20.0, marked.pk: 100.0}


def test_one_query_for_a_whole_page():
    ids = [Prefix.objects.create(prefix=f'10.{n}.0.0/16').pk for n in range(30)]
    with CaptureQueriesContext(connection) as context:
        values = prefix_utilization(ids)
    assert len(context.captured_queries) == 1 and len(values) == 30


def test_prefix_list_page_shows_utilization(client, superuser):
    Prefix.objects.create(prefix='192.0.2.0/30', is_pool=True)
    IPAddress.objects.create(address='192.0.2.1/30')
    client.force_login(superuser)
    response = client.get('/ipam/prefixes/')
    assert response.status_code == 200
    assert b'25%' in response.content
