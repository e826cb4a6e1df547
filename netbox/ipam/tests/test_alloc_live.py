"""
Allocation against a live server (real HTTP, real PostgreSQL, committed transactions): concurrent callers never get
the same object, and pynetbox's IPAM helpers work end to end.
"""
from concurrent.futures import ThreadPoolExecutor

import netaddr
import pynetbox
import pytest
import requests
from django.db.backends.postgresql.psycopg_any import NumericRange

from ipam.models import IPAddress, Prefix, VLANGroup
from netbox.testing import make_token

pytestmark = pytest.mark.django_db(transaction=True)

CALLERS = 50


@pytest.fixture
def token(superuser):
    return make_token(superuser, write_enabled=True).token_value


@pytest.fixture
def nb(live_server, token):
    return pynetbox.api(live_server.url, token=token)


def test_concurrent_available_ip_posts_get_distinct_addresses(live_server, token):
    parent = Prefix.objects.create(prefix=netaddr.IPNetwork('10.50.0.0/24'))
    target = f'{live_server.url}/api/ipam/prefixes/{parent.pk}/available-ips/'
    headers = {'Authorization': f'Token {token}', 'Accept': 'application/json'}

    def allocate(n):
        with requests.Session() as session:
            return session.post(target, json={'description': f'caller {n}'}, headers=headers, timeout=120)

    with ThreadPoolExecutor(max_workers=CALLERS) as pool:
        responses = list(pool.map(allocate, range(CALLERS)))
    assert [r.status_code for r in responses] == [201] * CALLERS, [r.text for r in responses if r.status_code != 201]
    addresses = [r.json()['address'] for r in responses]
    assert len(set(addresses)) == CALLERS
    expected = {f'10.50.0.{n}/24' for n in range(1, CALLERS + 1)}
    assert set(addresses) == expected  # no gaps either: each caller took the lowest free address
    assert set(str(a) for a in IPAddress.objects.values_list('address', flat=True)) == expected


def test_concurrent_prefix_and_address_allocations_in_one_space(live_server, token):
    """A /24 and the /16 around it hand out the same addresses; allocations through both never collide."""
    outer = Prefix.objects.create(prefix=netaddr.IPNetwork('10.60.0.0/16'), is_pool=True)
    inner = Prefix.objects.create(prefix=netaddr.IPNetwork('10.60.0.0/24'), is_pool=True)
    headers = {'Authorization': f'Token {token}'}

    def allocate(n):
        parent = outer if n % 2 else inner
        url = f'{live_server.url}/api/ipam/prefixes/{parent.pk}/available-ips/'
        return requests.post(url, json={}, headers=headers, timeout=120)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(allocate, range(20)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    hosts = [r.json()['address'].split('/')[0] for r in responses]
    assert len(set(hosts)) == 20


def test_pynetbox_prefix_crud_and_filter(nb):
    parent = nb.ipam.prefixes.create(prefix='10.70.0.0/16', status='container', description='top')
    assert parent.prefix == '10.70.0.0/16' and parent.status.value == 'container'
    child = nb.ipam.prefixes.create(prefix='10.70.1.0/24')
    child.description = 'changed'
    assert child.save()
    assert nb.ipam.prefixes.get(child.id).description == 'changed'
    assert [p.prefix for p in nb.ipam.prefixes.filter(within='10.70.0.0/16')] == ['10.70.1.0/24']
    address = nb.ipam.ip_addresses.create(address='10.70.1.5/24')
    assert [ip.id for ip in nb.ipam.ip_addresses.filter(parent='10.70.1.0/24')] == [address.id]
    assert nb.ipam.prefixes.get(parent.id).delete()
    assert nb.ipam.prefixes.get(parent.id) is None


def test_pynetbox_available_ips(nb):
    prefix = nb.ipam.prefixes.create(prefix='10.71.0.0/29')
    free = prefix.available_ips.list()
    assert [str(ip) for ip in free][:2] == ['10.71.0.1/29', '10.71.0.2/29']
    one = prefix.available_ips.create()
    assert one.address == '10.71.0.1/29' and one.id
    described = prefix.available_ips.create({'description': 'web', 'dns_name': 'web.example.com'})
    assert described.address == '10.71.0.2/29' and described.dns_name == 'web.example.com'
    two = prefix.available_ips.create([{}, {}])
    assert [ip.address for ip in two] == ['10.71.0.3/29', '10.71.0.4/29']
    assert len(prefix.available_ips.list()) == 2
    with pytest.raises(pynetbox.AllocationError) as raised:
        prefix.available_ips.create([{}, {}, {}])
    assert raised.value.req.status_code == 409


def test_pynetbox_available_prefixes_and_vlans(nb):
    prefix = nb.ipam.prefixes.create(prefix='10.72.0.0/24', status='container')
    assert [str(p) for p in prefix.available_prefixes.list()] == ['10.72.0.0/24']
    child = prefix.available_prefixes.create({'prefix_length': 28})
    assert child.prefix == '10.72.0.0/28'
    assert Prefix.objects.filter(prefix=netaddr.IPNetwork('10.72.0.0/28')).exists()
    group = VLANGroup.objects.create(name='live', slug='live', vid_ranges=[NumericRange(200, 300)])
    # Read with the fields the route needs (the group's own representation is another part's).
    record = next(iter(nb.ipam.vlan_groups.filter(id=group.pk, fields='id,url,display,name')))
    vlan = record.available_vlans.create({'name': 'x'})
    assert vlan.vid == 200 and vlan.name == 'x' and vlan.group.id == group.pk
