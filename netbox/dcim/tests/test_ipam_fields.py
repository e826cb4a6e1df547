"""
The DCIM fields that point at IPAM: primary and out-of-band IPs (with PREFER_IPV4), interface VLANs and VRFs with
NetBox's rules, the counters that count IPAM objects, site ASNs, and constant query counts of the lists.
"""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from dcim.models import Device, Interface, Region, Site, VirtualChassis, VirtualDeviceContext
from ipam.models import ASN, RIR, VLAN, VRF, FHRPGroup, FHRPGroupAssignment, IPAddress, Prefix, VLANGroup
from netbox.dynamic_config import clear_config
from netbox.testing import make
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db


def on(interface, address, **attrs):
    return IPAddress.objects.create(address=address, assigned_object_type=ContentType.objects.get_for_model(Interface),
                                    assigned_object_id=interface.pk, **attrs)


@pytest.fixture
def device():
    return make(Device, name='dev1')


@pytest.fixture
def eth0(device):
    return Interface.objects.create(device=device, name='eth0', type='1000base-t')


# Primary and out-of-band IPs

def test_primary_ip_is_ipv6_first_unless_prefer_ipv4(api, device, eth0):
    v4, v6 = on(eth0, '192.0.2.1/24'), on(eth0, '2001:db8::1/64')
    response = api.patch(f'/api/dcim/devices/{device.pk}/', {'primary_ip4': v4.pk}, format='json')
    assert response.status_code == 200, response.content
    data = response.json()
    assert data['primary_ip4']['address'] == '192.0.2.1/24' and data['primary_ip']['id'] == v4.pk
    data = api.patch(f'/api/dcim/devices/{device.pk}/', {'primary_ip6': v6.pk}, format='json').json()
    assert data['primary_ip']['id'] == v6.pk
    with override_settings(CONFIG_OVERRIDES={'PREFER_IPV4': True}):
        clear_config()
        assert api.get(f'/api/dcim/devices/{device.pk}/').json()['primary_ip']['id'] == v4.pk
    clear_config()
    assert api.get(f'/api/dcim/devices/{device.pk}/').json()['primary_ip']['id'] == v6.pk
    response = api.patch(f'/api/dcim/devices/{device.pk}/', {'primary_ip': v4.pk}, format='json')
    assert Device.objects.get(pk=device.pk).primary_ip6_id == v6.pk  # primary_ip is read-only
    assert response.status_code == 200


def test_primary_ip_of_the_wrong_family_is_a_400(api, device, eth0):
    v6 = on(eth0, '2001:db8::1/64')
    response = api.patch(f'/api/dcim/devices/{device.pk}/', {'primary_ip4': v6.pk}, format='json')
    assert response.status_code == 400 and list(response.json()) == ['primary_ip4']


def test_primary_ip_must_be_on_the_device(api, device, eth0):
    other = Interface.objects.create(device=make(Device), name='eth0', type='1000base-t')
    unassigned = IPAddress.objects.create(address='192.0.2.5/24')
    elsewhere = on(other, '192.0.2.6/24')
    for ip in (unassigned, elsewhere):
        response = api.patch(f'/api/dcim/devices/{device.pk}/', {'primary_ip4': ip.pk}, format='json')
        assert response.status_code == 400 and 'primary_ip4' in response.json()
    response = api.patch(f'/api/dcim/devices/{device.pk}/', {'oob_ip': unassigned.pk}, format='json')
    assert response.status_code == 400 and 'oob_ip' in response.json()
    assert Device.objects.get(pk=device.pk).primary_ip4_id is None


def test_nat_outside_of_an_assigned_address_may_be_primary(api, device, eth0):
    inside = on(eth0, '10.0.0.1/24')
    outside = IPAddress.objects.create(address='198.51.100.1/24', nat_inside=inside)
    response = api.patch(f'/api/dcim/devices/{device.pk}/', {'primary_ip4': outside.pk}, format='json')
    assert response.status_code == 200, response.content


def test_virtual_chassis_member_addresses_count(api, device):
    chassis = VirtualChassis.objects.create(name='vc')
    member = make(Device, site=device.site)
    Device.objects.filter(pk__in=[device.pk, member.pk]).update(virtual_chassis=chassis)
    ip = on(Interface.objects.create(device=member, name='eth9', type='1000base-t'), '192.0.2.9/24')
    response = api.patch(f'/api/dcim/devices/{device.pk}/', {'primary_ip4': ip.pk, 'oob_ip': ip.pk}, format='json')
    assert response.status_code == 200, response.content


def test_a_primary_ip_cannot_be_unassigned_or_moved(api, device, eth0):
    ip = on(eth0, '192.0.2.1/24')
    Device.objects.filter(pk=device.pk).update(primary_ip4=ip)
    response = api.patch(f'/api/ipam/ip-addresses/{ip.pk}/', {'assigned_object_type': None,
                                                               'assigned_object_id': None}, format='json')
    assert response.status_code == 400, response.content
    other = Interface.objects.create(device=make(Device), name='eth0', type='1000base-t')
    response = api.patch(f'/api/ipam/ip-addresses/{ip.pk}/', {'assigned_object_id': other.pk}, format='json')
    assert response.status_code == 400, response.content
    assert IPAddress.objects.get(pk=ip.pk).assigned_object_id == eth0.pk
    # Moving it to another interface of the same device is fine.
    eth1 = Interface.objects.create(device=device, name='eth1', type='1000base-t')
    response = api.patch(f'/api/ipam/ip-addresses/{ip.pk}/', {'assigned_object_id': eth1.pk}, format='json')
    assert response.status_code == 200, response.content


def test_vdc_primary_ip(api, device, eth0):
    vdc = VirtualDeviceContext.objects.create(device=device, name='ctx')
    ip = on(eth0, '192.0.2.1/24')
    stray = IPAddress.objects.create(address='192.0.2.2/24')
    response = api.patch(f'/api/dcim/virtual-device-contexts/{vdc.pk}/', {'primary_ip4': stray.pk}, format='json')
    assert response.status_code == 400 and 'primary_ip4' in response.json()
    response = api.patch(f'/api/dcim/virtual-device-contexts/{vdc.pk}/', {'primary_ip4': ip.pk}, format='json')
    assert response.status_code == 200, response.content
    assert response.json()['primary_ip']['id'] == ip.pk
    listed = api.get('/api/dcim/virtual-device-contexts/', {'has_primary_ip': 'true'}).json()['results']
    assert [item['id'] for item in listed] == [vdc.pk]


def test_primary_ip_filters(api, device, eth0):
    ip = on(eth0, '192.0.2.1/24')
    Device.objects.filter(pk=device.pk).update(primary_ip4=ip, oob_ip=ip)
    bare = make(Device)

    def ids(**params):
        return sorted(item['id'] for item in api.get('/api/dcim/devices/', params).json()['results'])

    assert ids(has_primary_ip='true') == [device.pk]
    assert ids(has_primary_ip='false') == [bare.pk]
    assert ids(has_oob_ip='true') == [device.pk]
    assert ids(primary_ip4='192.0.2.1') == [device.pk]
    assert ids(primary_ip4='192.0.2.1/24') == [device.pk]
    assert ids(primary_ip4='192.0.2.1/25') == []
    assert ids(primary_ip4_id=ip.pk) == [device.pk]
    assert ids(oob_ip_id=ip.pk) == [device.pk]
    assert ids(primary_ip6_id='null') == sorted([device.pk, bare.pk])


# Interface VLANs

@pytest.fixture
def vlans(device):
    other_site = make(Site)
    return {
        'global': VLAN.objects.create(vid=10, name='global'),
        'site': VLAN.objects.create(vid=20, name='site', site=device.site),
        'elsewhere': VLAN.objects.create(vid=30, name='elsewhere', site=other_site),
        'svlan': VLAN.objects.create(vid=40, name='svlan', qinq_role='svlan'),
    }


def test_untagged_vlan_must_be_available_on_the_device(api, eth0, vlans):
    path = f'/api/dcim/interfaces/{eth0.pk}/'
    response = api.patch(path, {'mode': 'access', 'untagged_vlan': vlans['elsewhere'].pk}, format='json')
    assert response.status_code == 400 and list(response.json()) == ['untagged_vlan']
    response = api.patch(path, {'mode': 'access', 'untagged_vlan': vlans['site'].pk}, format='json')
    assert response.status_code == 200, response.content
    data = response.json()
    assert data['mode'] == {'value': 'access', 'label': 'Access'}
    assert data['untagged_vlan']['vid'] == 20 and data['tagged_vlans'] == []


def test_vlan_in_a_group_covering_the_device_is_available(api, device, eth0):
    region = Region.objects.create(name='R', slug='r')
    Site.objects.filter(pk=device.site_id).update(region=region)
    grp = VLANGroup.objects.create(name='g', slug='g', scope_type=ContentType.objects.get_for_model(Region),
                                   scope_id=region.pk)
    vlan = VLAN.objects.create(vid=99, name='v', group=grp)
    response = api.patch(f'/api/dcim/interfaces/{eth0.pk}/', {'mode': 'tagged', 'tagged_vlans': [vlan.pk]},
                         format='json')
    assert response.status_code == 200, response.content


def test_tagged_vlans_need_tagged_mode_and_are_cleared_when_it_changes(api, eth0, vlans):
    path = f'/api/dcim/interfaces/{eth0.pk}/'
    response = api.patch(path, {'mode': 'access', 'tagged_vlans': [vlans['global'].pk]}, format='json')
    assert response.status_code == 400 and list(response.json()) == ['tagged_vlans']
    response = api.patch(path, {'mode': 'tagged', 'tagged_vlans': [vlans['global'].pk, vlans['elsewhere'].pk]},
                         format='json')
    assert response.status_code == 400 and list(response.json()) == ['tagged_vlans']
    response = api.patch(path, {'mode': 'tagged', 'tagged_vlans': [vlans['global'].pk, vlans['site'].pk]},
                         format='json')
    assert response.status_code == 200, response.content
    assert sorted(v['vid'] for v in response.json()['tagged_vlans']) == [10, 20]
    response = api.patch(path, {'mode': 'access'}, format='json')
    assert response.status_code == 200 and response.json()['tagged_vlans'] == []
    assert not Interface.objects.get(pk=eth0.pk).tagged_vlans.exists()
    response = api.patch(path, {'mode': '', 'untagged_vlan': vlans['global'].pk}, format='json')
    assert response.status_code == 200 and response.json()['untagged_vlan'] is None  # no mode, no VLAN


def test_qinq_svlan_needs_qinq_mode_and_a_service_vlan(api, eth0, vlans):
    path = f'/api/dcim/interfaces/{eth0.pk}/'
    response = api.patch(path, {'mode': 'access', 'qinq_svlan': vlans['svlan'].pk}, format='json')
    assert response.status_code == 400 and list(response.json()) == ['qinq_svlan']
    response = api.patch(path, {'mode': 'q-in-q', 'qinq_svlan': vlans['global'].pk}, format='json')
    assert response.status_code == 400 and list(response.json()) == ['qinq_svlan']
    response = api.patch(path, {'mode': 'q-in-q', 'qinq_svlan': vlans['svlan'].pk}, format='json')
    assert response.status_code == 200, response.content
    assert response.json()['qinq_svlan']['vid'] == 40


def test_interface_vlan_and_vrf_filters(api, device, eth0, vlans):
    vrf = VRF.objects.create(name='blue', rd='65000:1')
    eth0.mode, eth0.untagged_vlan, eth0.vrf = 'tagged', vlans['global'], vrf
    eth0.save()
    eth0.tagged_vlans.set([vlans['site']])
    eth1 = Interface.objects.create(device=device, name='eth1', type='1000base-t')

    def ids(**params):
        return sorted(item['id'] for item in api.get('/api/dcim/interfaces/', params).json()['results'])

    assert ids(vlan_id=vlans['global'].pk) == [eth0.pk]
    assert ids(vlan_id=vlans['site'].pk) == [eth0.pk]
    assert ids(vlan=20) == [eth0.pk]
    assert ids(vlan=30) == []
    assert ids(vrf_id=vrf.pk) == [eth0.pk]
    assert ids(vrf='65000:1') == [eth0.pk]
    assert ids(vrf_id='null') == [eth1.pk]
    found = api.get('/api/ipam/vlans/', {'interface_id': eth0.pk}).json()['results']
    assert sorted(item['vid'] for item in found) == [10, 20]


def test_interface_counters(api, eth0):
    on(eth0, '192.0.2.1/24')
    on(eth0, '192.0.2.2/24')
    group = FHRPGroup.objects.create(protocol='vrrp2', group_id=1)
    FHRPGroupAssignment.objects.create(group=group, interface_type=ContentType.objects.get_for_model(Interface),
                                       interface_id=eth0.pk, priority=100)
    data = api.get(f'/api/dcim/interfaces/{eth0.pk}/').json()
    assert data['count_ipaddresses'] == 2 and data['count_fhrp_groups'] == 1


# Counters pointing at IPAM, site ASNs

def test_tenant_and_site_counters(api, device):
    tenant = Tenant.objects.create(name='t', slug='t')
    site = device.site
    IPAddress.objects.create(address='192.0.2.1/24', tenant=tenant)
    Prefix.objects.create(prefix='10.0.0.0/8', tenant=tenant, scope_type=ContentType.objects.get_for_model(Site),
                          scope_id=site.pk)
    VLAN.objects.create(vid=1, name='v', tenant=tenant, site=site)
    VRF.objects.create(name='vrf', tenant=tenant)
    data = api.get(f'/api/tenancy/tenants/{tenant.pk}/').json()
    assert (data['ipaddress_count'], data['prefix_count'], data['vlan_count'], data['vrf_count']) == (1, 1, 1, 1)
    data = api.get(f'/api/dcim/sites/{site.pk}/').json()
    assert data['vlan_count'] == 1 and data['prefix_count'] == 1


def test_site_asns_are_nested_written_and_filtered(api, device):
    rir = RIR.objects.create(name='rir', slug='rir')
    asn = ASN.objects.create(asn=65001, rir=rir)
    site = device.site
    response = api.patch(f'/api/dcim/sites/{site.pk}/', {'asns': [asn.pk]}, format='json')
    assert response.status_code == 200, response.content
    assert [item['asn'] for item in response.json()['asns']] == [65001]
    assert [s['id'] for s in api.get('/api/dcim/sites/', {'asn': 65001}).json()['results']] == [site.pk]
    assert [s['id'] for s in api.get('/api/dcim/sites/', {'asn_id': asn.pk}).json()['results']] == [site.pk]
    assert api.get('/api/dcim/sites/', {'asn': 65002}).json()['count'] == 0


# Query counts

def _queries(api, path):
    api.get(path, {'limit': 1000})
    with CaptureQueriesContext(connection) as context:
        response = api.get(path, {'limit': 1000})
    assert response.status_code == 200
    return len([q for q in context.captured_queries if 'core_configrevision' not in q['sql'] and
                'UPDATE "users_token"' not in q['sql']])


def _interfaces_with_vlans(count, vlans):
    device = make(Device)
    vrf = VRF.objects.create(name=f'vrf{device.pk}')
    for index in range(count):
        interface = Interface.objects.create(device=device, name=f'x{index}', type='1000base-t', mode='tagged',
                                             untagged_vlan=vlans['global'], vrf=vrf)
        interface.tagged_vlans.set([vlans['global'], vlans['svlan']])
        on(interface, f'10.{device.pk % 200}.{index // 200}.{index % 200 + 1}/16')


def test_interface_list_queries_are_constant(api, vlans):
    _interfaces_with_vlans(3, vlans)
    few = _queries(api, '/api/dcim/interfaces/')
    _interfaces_with_vlans(40, vlans)
    assert _queries(api, '/api/dcim/interfaces/') == few


def _devices_with_primary_ips(count):
    for index in range(count):
        device = make(Device)
        interface = Interface.objects.create(device=device, name='eth0', type='1000base-t')
        inside = on(interface, f'10.1.{index // 200}.{index % 200 + 1}/16')
        outside = IPAddress.objects.create(address=f'198.18.{index // 200}.{index % 200 + 1}/16', nat_inside=inside)
        v6 = on(interface, f'2001:db8::{index + 1:x}/64')
        Device.objects.filter(pk=device.pk).update(primary_ip4=outside, primary_ip6=v6, oob_ip=inside)


def test_device_list_queries_are_constant(api):
    _devices_with_primary_ips(3)
    few = _queries(api, '/api/dcim/devices/')
    _devices_with_primary_ips(30)
    assert _queries(api, '/api/dcim/devices/') == few
    data = api.get('/api/dcim/devices/', {'limit': 1}).json()['results'][0]
    assert data['primary_ip4']['nat_inside']['address'].startswith('10.1.')


# The interface edit form

def test_interface_form_offers_only_vlans_available_on_the_device(admin_client, eth0, vlans):
    page = admin_client.get(f'/dcim/interfaces/{eth0.pk}/edit/')
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="mode"' in html and 'name="untagged_vlan"' in html and 'name="tagged_vlans"' in html
    assert f'available_on_device&quot;: {eth0.device_id}' in html
    form = page.context['form']
    offered = set(form.fields['tagged_vlans'].queryset.values_list('name', flat=True))
    assert offered == {'global', 'site', 'svlan'}
    assert set(form.fields['qinq_svlan'].queryset.values_list('name', flat=True)) == {'svlan'}


def test_interface_form_applies_the_vlan_rules(admin_client, eth0, vlans):
    data = {'device': eth0.device_id, 'name': 'eth0', 'type': '1000base-t', 'enabled': 'on', 'mode': 'access',
            'tagged_vlans': [vlans['global'].pk]}
    response = admin_client.post(f'/dcim/interfaces/{eth0.pk}/edit/', data)
    assert response.status_code == 200 and 'tagged_vlans' in response.context['form'].errors
    assert not Interface.objects.get(pk=eth0.pk).tagged_vlans.exists()
    response = admin_client.post(f'/dcim/interfaces/{eth0.pk}/edit/', {**data, 'mode': 'tagged',
                                                                         'untagged_vlan': vlans['elsewhere'].pk})
    assert response.status_code == 200 and 'untagged_vlan' in response.context['form'].errors
    response = admin_client.post(f'/dcim/interfaces/{eth0.pk}/edit/', {**data, 'mode': 'tagged',
                                                                         'untagged_vlan': vlans['site'].pk})
    assert response.status_code == 302, response.context['form'].errors if response.context else response
    saved = Interface.objects.get(pk=eth0.pk)
    assert saved.untagged_vlan_id == vlans['site'].pk
    assert list(saved.tagged_vlans.values_list('vid', flat=True)) == [10]
