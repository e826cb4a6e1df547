"""IPAM web pages: a prefix's children with free space as available rows, VLAN group free VIDs, utilisation bars,
the address sort, the IP address CSV import, the IPAM menu and the query counts of the prefix tabs."""
import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dcim.models import Interface, Site
from ipam import allocation
from ipam.models import VLAN, VRF, IPAddress, IPRange, Prefix, VLANGroup
from ipam.models.vlans import vid_range
from netbox.testing import grant, make
from netbox.ui.values import utilization_bar
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr([^>]*)>(.*?)</tr>', re.S)
AVAILABLE = re.compile(r'class="available-link" href="([^"]+)">([^<]+)</a>')


def rows(response):
    """[('object', pk) | ('available', label, url)] of the children table, in order."""
    assert response.status_code == 200, response.content[:500]
    html = response.content.decode()
    table = html[html.index('id="object-children"'):]
    out = []
    for attrs, body in ROW.findall(table):
        pk = re.search(r'data-pk="(\d+)"', attrs)
        if pk:
            out.append(('object', int(pk.group(1))))
        elif 'available-row' in attrs:
            link = AVAILABLE.search(body)
            if link:
                out.append(('available', unescape(link.group(2)), unescape(link.group(1))))
            else:
                label = re.search(r'class="available-link">([^<]+)<', body).group(1)
                out.append(('available', unescape(label), None))
    return out


def query_of(url):
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


@pytest.fixture
def tenant():
    return Tenant.objects.create(name='Acme', slug='acme')


@pytest.fixture
def site():
    return Site.objects.create(name='Paris', slug='paris')


# Prefix: child prefixes


def test_child_prefixes_tab_lists_children_and_free_blocks_ipv4(admin_client, tenant, site):
    vrf = VRF.objects.create(name='blue', rd='65000:1')
    parent = Prefix.objects.create(prefix='10.0.0.0/16', vrf=vrf, status='container', tenant=tenant,
                                   scope_type=ContentType.objects.get_for_model(Site), scope_id=site.pk)
    first = Prefix.objects.create(prefix='10.0.0.0/24', vrf=vrf)
    second = Prefix.objects.create(prefix='10.0.4.0/22', vrf=vrf)
    Prefix.objects.create(prefix='10.0.1.0/24')  # another VRF: not a child, and no hole in the free space
    found = rows(admin_client.get(f'/ipam/prefixes/{parent.pk}/prefixes/'))
    free = [str(network) for network in allocation.available_prefixes(parent)]
    assert free[:3] == ['10.0.1.0/24', '10.0.2.0/23', '10.0.8.0/21']
    assert [entry[1] for entry in found if entry[0] == 'available'] == free
    assert found[:4] == [('object', first.pk), ('available', '10.0.1.0/24', found[1][2]),
                         ('available', '10.0.2.0/23', found[2][2]), ('object', second.pk)]
    assert query_of(found[1][2]) == {'prefix': '10.0.1.0/24', 'vrf': str(vrf.pk), 'tenant': str(tenant.pk),
                                     'scope_type': str(parent.scope_type_id), 'scope_id': str(site.pk),
                                     'return_url': f'/ipam/prefixes/{parent.pk}/prefixes/'}
    assert urlparse(found[1][2]).path == '/ipam/prefixes/add/'


def test_child_prefixes_tab_ipv6(admin_client):
    parent = Prefix.objects.create(prefix='2001:db8::/48', status='container')
    child = Prefix.objects.create(prefix='2001:db8:0:1::/64')
    found = rows(admin_client.get(f'/ipam/prefixes/{parent.pk}/prefixes/'))
    assert found[0][:2] == ('available', '2001:db8::/64')
    assert found[1] == ('object', child.pk)
    assert found[2][:2] == ('available', '2001:db8:0:2::/63')
    assert [entry[1] for entry in found if entry[0] == 'available'] == \
        [str(network) for network in allocation.available_prefixes(parent)]
    assert query_of(found[0][2])['prefix'] == '2001:db8::/64'


def test_available_rows_are_not_links_without_add_permission(client, plain_user):
    grant(plain_user, Prefix, ['view'])
    client.force_login(plain_user)
    parent = Prefix.objects.create(prefix='10.1.0.0/24', status='container')
    found = rows(client.get(f'/ipam/prefixes/{parent.pk}/prefixes/'))
    assert found == [('available', '10.1.0.0/24', None)]


def test_tabs_need_view_permission_on_the_children(client, plain_user):
    grant(plain_user, Prefix, ['view'])
    client.force_login(plain_user)
    parent = Prefix.objects.create(prefix='10.1.0.0/24')
    detail = client.get(f'/ipam/prefixes/{parent.pk}/').content.decode()
    assert f'/ipam/prefixes/{parent.pk}/prefixes/' in detail
    assert f'/ipam/prefixes/{parent.pk}/ip-addresses/' not in detail
    assert client.get(f'/ipam/prefixes/{parent.pk}/ip-addresses/').status_code == 403


def test_prefix_detail_page_offers_the_tabs(admin_client):
    parent = Prefix.objects.create(prefix='10.1.0.0/24')
    html = admin_client.get(f'/ipam/prefixes/{parent.pk}/').content.decode()
    for suffix, label in (('prefixes', 'Child prefixes'), ('ip-ranges', 'IP ranges'),
                          ('ip-addresses', 'IP addresses')):
        assert re.search(rf'href="/ipam/prefixes/{parent.pk}/{suffix}/"[^>]*>{label}</a>', html)


# Prefix: IP addresses


def test_ip_addresses_tab_lists_addresses_and_free_runs_ipv4(admin_client, tenant):
    vrf = VRF.objects.create(name='blue')
    parent = Prefix.objects.create(prefix='10.0.0.0/24', vrf=vrf, tenant=tenant)
    ips = {host: IPAddress.objects.create(address=f'10.0.0.{host}/24', vrf=vrf) for host in (1, 2, 3, 10)}
    IPAddress.objects.create(address='10.0.0.4/24')  # global table: not in the prefix's VRF
    IPRange.objects.create(start_address='10.0.0.20/24', end_address='10.0.0.29/24', vrf=vrf, mark_populated=True)
    found = rows(admin_client.get(f'/ipam/prefixes/{parent.pk}/ip-addresses/'))
    labels = [entry[1] if entry[0] == 'available' else entry[1] for entry in found]
    assert labels == [ips[1].pk, ips[2].pk, ips[3].pk, '10.0.0.4-10.0.0.9 (6 available)', ips[10].pk,
                      '10.0.0.11-10.0.0.19 (9 available)', '10.0.0.30-10.0.0.254 (225 available)']
    assert query_of(found[3][2]) == {'address': '10.0.0.4/24', 'vrf': str(vrf.pk), 'tenant': str(tenant.pk),
                                     'return_url': f'/ipam/prefixes/{parent.pk}/ip-addresses/'}
    assert urlparse(found[3][2]).path == '/ipam/ip-addresses/add/'
    # The runs are allocation.py's free space.
    assert [(entry[1]) for entry in found if entry[0] == 'available'] == [
        f'{allocation.netaddr.IPAddress(low, 4)}-{allocation.netaddr.IPAddress(high, 4)} ({high - low + 1} available)'
        for low, high in allocation.prefix_free_intervals(parent)]


def test_ip_addresses_tab_ipv6_and_single_free_address(admin_client):
    parent = Prefix.objects.create(prefix='2001:db8::/64')
    IPAddress.objects.create(address='2001:db8::5/64')
    found = rows(admin_client.get(f'/ipam/prefixes/{parent.pk}/ip-addresses/'))
    assert found[0][:2] == ('available', '2001:db8::1-2001:db8::4 (4 available)')
    assert found[2][:2] == ('available',
                            '2001:db8::6-2001:db8::ffff:ffff:ffff:ffff (18,446,744,073,709,551,610 available)')
    small = Prefix.objects.create(prefix='10.9.0.0/30')
    IPAddress.objects.create(address='10.9.0.1/30')
    found = rows(admin_client.get(f'/ipam/prefixes/{small.pk}/ip-addresses/'))
    assert [entry[1] for entry in found if entry[0] == 'available'] == ['10.9.0.2 (1 available)']


def test_mark_utilized_prefix_has_no_free_runs(admin_client):
    parent = Prefix.objects.create(prefix='10.0.0.0/29', mark_utilized=True)
    assert rows(admin_client.get(f'/ipam/prefixes/{parent.pk}/ip-addresses/')) == []


def test_ip_range_tab_lists_its_addresses_and_free_runs(admin_client):
    iprange = IPRange.objects.create(start_address='10.0.0.10/24', end_address='10.0.0.14/24')
    inside = IPAddress.objects.create(address='10.0.0.12/24')
    IPAddress.objects.create(address='10.0.0.20/24')
    found = rows(admin_client.get(f'/ipam/ip-ranges/{iprange.pk}/ip-addresses/'))
    assert [entry[1] for entry in found] == ['10.0.0.10-10.0.0.11 (2 available)', inside.pk,
                                             '10.0.0.13-10.0.0.14 (2 available)']


def test_child_ip_ranges_tab(admin_client):
    parent = Prefix.objects.create(prefix='10.0.0.0/24')
    inside = IPRange.objects.create(start_address='10.0.0.10/24', end_address='10.0.0.14/24')
    IPRange.objects.create(start_address='10.0.1.10/24', end_address='10.0.1.14/24')
    assert rows(admin_client.get(f'/ipam/prefixes/{parent.pk}/ip-ranges/')) == [('object', inside.pk)]


# VLAN groups


def test_vlan_group_page_lists_free_vids_with_add_links(admin_client):
    group = VLANGroup.objects.create(name='Campus', slug='campus', vid_ranges=[vid_range(100, 199),
                                                                               vid_range(300, 302)])
    for vid in (100, 101, 150, 301):
        VLAN.objects.create(vid=vid, name=f'v{vid}', group=group)
    html = admin_client.get(f'/ipam/vlan-groups/{group.pk}/').content.decode()
    panel = html[html.index('id="vlangroup-free-vids"'):]
    panel = panel[:panel.index('</section>')]
    runs = re.findall(r'<a href="([^"]+)">([^<]+)</a>\s*<span class="muted small">\((\d+) available\)', panel)
    assert [(label, count) for _, label, count in runs] == [('102-149', '48'), ('151-199', '49'), ('300', '1'),
                                                            ('302', '1')]
    assert query_of(unescape(runs[0][0])) == {'vid': '102', 'group': str(group.pk),
                                              'return_url': f'/ipam/vlan-groups/{group.pk}/'}
    assert len(allocation.free_vids(group)) == 48 + 49 + 1 + 1


def test_vlan_group_vlans_tab_interleaves_free_vids(admin_client):
    group = VLANGroup.objects.create(name='Campus', slug='campus', vid_ranges=[vid_range(10, 20)])
    low = VLAN.objects.create(vid=10, name='low', group=group)
    mid = VLAN.objects.create(vid=15, name='mid', group=group)
    found = rows(admin_client.get(f'/ipam/vlan-groups/{group.pk}/vlans/'))
    assert [entry[1] for entry in found] == [low.pk, 'VIDs 11-14', mid.pk, 'VIDs 16-20']
    assert query_of(found[1][2])['vid'] == '11' and query_of(found[1][2])['group'] == str(group.pk)


def test_vlan_group_full_range(admin_client):
    group = VLANGroup.objects.create(name='Tiny', slug='tiny', vid_ranges=[vid_range(5, 5)])
    VLAN.objects.create(vid=5, name='only', group=group)
    html = admin_client.get(f'/ipam/vlan-groups/{group.pk}/').content.decode()
    assert 'Every VLAN ID of this group' in html


# Utilisation


def test_utilization_bar_levels_and_width():
    low, mid, high, over = (str(utilization_bar(value)) for value in (74.99, 75, 90, 130))
    assert 'utilization-low' in low and 'width: 74.99%' in low and '74.99%</span>' in low
    assert 'utilization-mid' in mid and '>75%<' in mid
    assert 'utilization-high' in high
    assert 'width: 100.00%' in over and '130%' in over
    assert 'utilization-low' in str(utilization_bar('12.5')) and '12.5%' in str(utilization_bar('12.5'))
    assert 'utilization' not in str(utilization_bar(None))


def bar_of(html, pk):
    row = re.search(rf'<tr data-pk="{pk}">(.*?)</tr>', html, re.S).group(1)
    return re.search(r'class="utilization utilization-(\w+)"[^>]*aria-valuenow="([\d.]+)"', row).groups()


def test_prefix_aggregate_and_range_lists_show_utilization_bars(admin_client):
    from ipam.models import RIR, Aggregate

    prefix = Prefix.objects.create(prefix='10.0.0.0/30')
    IPAddress.objects.create(address='10.0.0.1/30')
    full = Prefix.objects.create(prefix='10.0.1.0/30', mark_utilized=True)
    assert bar_of(admin_client.get('/ipam/prefixes/').content.decode(), prefix.pk) == ('low', '50')
    assert bar_of(admin_client.get('/ipam/prefixes/').content.decode(), full.pk) == ('high', '100')
    aggregate = Aggregate.objects.create(prefix='10.0.0.0/24', rir=RIR.objects.create(name='R', slug='r'))
    # One /30 of a /24 (the other lies outside): 4 of 256 addresses.
    assert bar_of(admin_client.get('/ipam/aggregates/').content.decode(), aggregate.pk) == ('low', '1.56')
    iprange = IPRange.objects.create(start_address='10.0.0.1/30', end_address='10.0.0.2/30')
    assert bar_of(admin_client.get('/ipam/ip-ranges/').content.decode(), iprange.pk) == ('low', '50')
    detail = admin_client.get(f'/ipam/prefixes/{prefix.pk}/').content.decode()
    assert 'aria-valuenow="50"' in detail


def test_vlan_group_list_and_detail_show_utilization(admin_client):
    group = VLANGroup.objects.create(name='G', slug='g', vid_ranges=[vid_range(1, 4)])
    for vid in (1, 2, 3):
        VLAN.objects.create(vid=vid, name=f'v{vid}', group=group)
    assert bar_of(admin_client.get('/ipam/vlan-groups/').content.decode(), group.pk) == ('mid', '75')
    detail = admin_client.get(f'/ipam/vlan-groups/{group.pk}/').content.decode()
    assert 'utilization utilization-mid' in detail and 'aria-valuenow="75"' in detail


# IP address list order


def test_ip_address_list_sorts_by_vrf_then_numerically(admin_client):
    vrf = VRF.objects.create(name='blue')
    made = {}
    for address, in_vrf in (('10.0.0.10/24', False), ('10.0.0.9/24', False), ('10.0.1.1/16', False),
                            ('10.0.0.100/32', False), ('2001:db8::1/64', False), ('10.0.0.2/24', True),
                            ('9.9.9.9/32', True)):
        made[address] = IPAddress.objects.create(address=address, vrf=vrf if in_vrf else None).pk
    html = admin_client.get('/ipam/ip-addresses/').content.decode()
    order = [int(pk) for pk in re.findall(r'<tr data-pk="(\d+)"', html)]
    expected = ['10.0.0.9/24', '10.0.0.10/24', '10.0.0.100/32', '10.0.1.1/16', '2001:db8::1/64', '9.9.9.9/32',
                '10.0.0.2/24']
    assert order == [made[address] for address in expected]
    # Sorting by the address column keeps the numeric order of equal masks.
    html = admin_client.get('/ipam/ip-addresses/?sort=address').content.decode()
    order = [int(pk) for pk in re.findall(r'<tr data-pk="(\d+)"', html)]
    assert order.index(made['10.0.0.9/24']) < order.index(made['10.0.0.10/24'])


# CSV import


def test_ip_addresses_import_from_csv(admin_client, tenant):
    blue = VRF.objects.create(name='blue', rd='65000:1')
    red = VRF.objects.create(name='red', rd='65000:2')
    interface = make(Interface, name='eth0')
    data = '\n'.join([
        'address,status,vrf,tenant,dns_name,description,assigned_object_type,assigned_object_id',
        '10.0.0.1/24,active,blue,acme,host1.example.com,first,,',
        '10.0.0.2/24,reserved,65000:2,,host2.example.com,second,,',
        f'10.0.0.3/24,dhcp,,Acme,,third,dcim.interface,{interface.pk}',
    ])
    response = admin_client.post('/ipam/ip-addresses/import/', {'data': data, 'format': 'csv'})
    assert response.status_code == 302, response.content.decode()[:2000]
    one, two, three = (IPAddress.objects.get(address=f'10.0.0.{host}/24') for host in (1, 2, 3))
    assert (one.status, one.vrf, one.tenant, one.dns_name, one.description) == \
        ('active', blue, tenant, 'host1.example.com', 'first')
    assert (two.status, two.vrf, two.tenant) == ('reserved', red, None)
    assert (three.status, three.vrf, three.tenant, three.assigned_object) == ('dhcp', None, tenant, interface)


def test_ip_address_import_with_a_bad_row_saves_nothing(admin_client):
    data = 'address,status,vrf\n10.0.0.1/24,active,\n10.0.0.300/24,active,\n10.0.0.3/24,active,nowhere\n'
    response = admin_client.post('/ipam/ip-addresses/import/', {'data': data, 'format': 'csv'})
    assert response.status_code == 200
    html = response.content.decode()
    errors = re.findall(r'<tr><td class="num">(\d+)</td><td class="mono">([^<]*)</td><td>([^<]*)</td></tr>', html)
    assert [(row, field) for row, field, _ in errors] == [('2', 'address'), ('3', 'vrf')]
    assert 'nowhere' in unescape(errors[1][2])
    assert not IPAddress.objects.exists()


# Menu


def test_ipam_menu_order(admin_user, rf):
    from netbox.ui.menu import build_menu

    request = rf.get('/')
    request.user = admin_user
    ipam = next(menu for menu in build_menu(request) if menu['label'] == 'IPAM')
    assert [(group, [item['label'] for item in items]) for group, items in ipam['groups']] == [
        ('IP addresses', ['IP addresses', 'IP ranges']),
        ('Prefixes', ['Prefixes', 'Roles']),
        ('ASNs', ['ASN ranges', 'ASNs']),
        ('Aggregates', ['Aggregates', 'RIRs']),
        ('VRFs', ['VRFs', 'Route targets']),
        ('VLANs', ['VLANs', 'VLAN groups']),
        ('VLAN translation', ['VLAN translation policies', 'VLAN translation rules']),
        ('FHRP groups', ['FHRP groups']),
        ('Services', ['Service templates', 'Services']),
    ]


# Query counts


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


@pytest.mark.parametrize('tab', ['prefixes', 'ip-addresses', 'ip-ranges'])
def test_prefix_tabs_query_count_does_not_grow(admin_client, tenant, tab):
    small = Prefix.objects.create(prefix='10.0.0.0/16', status='container')
    big = Prefix.objects.create(prefix='10.1.0.0/16', status='container')
    for base, count in (('10.0', 10), ('10.1', 200)):
        for index in range(count):
            network = f'{base}.{index}.0/24'
            Prefix.objects.create(prefix=network, tenant=tenant)
            IPAddress.objects.create(address=f'{base}.{index}.1/16', tenant=tenant)
            IPRange.objects.create(start_address=f'{base}.{index}.10/16', end_address=f'{base}.{index}.20/16',
                                   tenant=tenant)
    url = '/ipam/prefixes/{}/' + tab + '/?per_page=500'
    _count(admin_client, url.format(small.pk))  # warm the per-process caches (content types, custom fields)
    few, response = _count(admin_client, url.format(small.pk))
    many, response_many = _count(admin_client, url.format(big.pk))
    assert len(rows(response)) >= 10 and len(rows(response_many)) >= 200
    assert few == many
