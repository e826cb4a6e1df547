"""Address filters: containment, mask length, family, VRF presence, assignment, scope and `q`, IPv4 and IPv6."""
import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import Device, Interface, Location, Site
from ipam.models import VRF, IPAddress, IPRange, Prefix, RouteTarget
from netbox.testing import make

pytestmark = pytest.mark.django_db


def listed(api, path, **params):
    response = api.get(path, params)
    assert response.status_code == 200, response.content
    return sorted(row.get('prefix') or row.get('address') or row.get('start_address')
                  for row in response.json()['results'])


@pytest.fixture
def prefixes():
    for prefix in ('10.0.0.0/8', '10.1.0.0/16', '10.1.1.0/24', '10.2.0.0/16', '192.0.2.0/24',
                   '2001:db8::/32', '2001:db8:1::/48', '2001:db8:1:1::/64'):
        Prefix.objects.create(prefix=prefix)


def test_within_within_include_contains(api, prefixes):
    path = '/api/ipam/prefixes/'
    assert listed(api, path, within='10.0.0.0/8') == ['10.1.0.0/16', '10.1.1.0/24', '10.2.0.0/16']
    assert listed(api, path, within_include='10.1.0.0/16') == ['10.1.0.0/16', '10.1.1.0/24']
    assert listed(api, path, contains='10.1.1.7') == ['10.0.0.0/8', '10.1.0.0/16', '10.1.1.0/24']
    assert listed(api, path, contains='10.1.0.0/16') == ['10.0.0.0/8', '10.1.0.0/16']
    assert listed(api, path, within='2001:db8::/32') == ['2001:db8:1:1::/64', '2001:db8:1::/48']
    assert listed(api, path, contains='2001:db8:1:1::5') == ['2001:db8:1:1::/64', '2001:db8:1::/48',
                                                             '2001:db8::/32']
    response = api.get(path, {'within': 'nonsense'})
    assert response.status_code == 400 and 'within' in response.json()


def test_mask_length_and_family(api, prefixes):
    path = '/api/ipam/prefixes/'
    assert listed(api, path, mask_length=16) == ['10.1.0.0/16', '10.2.0.0/16']
    assert listed(api, path, mask_length__gte=48) == ['2001:db8:1:1::/64', '2001:db8:1::/48']
    assert listed(api, path, mask_length__lte=8) == ['10.0.0.0/8']
    assert listed(api, path, family=6) == ['2001:db8:1:1::/64', '2001:db8:1::/48', '2001:db8::/32']
    assert len(listed(api, path, family=4)) == 5
    assert api.get(path, {'family': 5}).status_code == 400


def test_prefix_q_matches_beginning_and_containment(api, prefixes):
    path = '/api/ipam/prefixes/'
    assert listed(api, path, q='10.1') == ['10.1.0.0/16', '10.1.1.0/24']
    assert listed(api, path, q='10.0.0.0/8') == ['10.0.0.0/8', '10.1.0.0/16', '10.1.1.0/24', '10.2.0.0/16']
    assert listed(api, path, q='2001:db8:1') == ['2001:db8:1:1::/64', '2001:db8:1::/48']


def test_address_parent_mask_length_and_exact(api):
    for address in ('10.1.1.1/24', '10.1.1.2/32', '10.2.0.1/16', '2001:db8::1/64', '2001:db8:1::1/64'):
        IPAddress.objects.create(address=address)
    path = '/api/ipam/ip-addresses/'
    assert listed(api, path, parent='10.1.0.0/16') == ['10.1.1.1/24', '10.1.1.2/32']
    assert listed(api, path, parent=['10.1.1.0/24', '10.2.0.0/16']) == ['10.1.1.1/24', '10.1.1.2/32',
                                                                       '10.2.0.1/16']
    assert listed(api, path, parent='2001:db8::/48') == ['2001:db8::1/64']
    assert listed(api, path, mask_length=64) == ['2001:db8:1::1/64', '2001:db8::1/64']
    assert listed(api, path, mask_length__gte=24, family=4) == ['10.1.1.1/24', '10.1.1.2/32']
    assert listed(api, path, address='10.1.1.1') == ['10.1.1.1/24']
    assert listed(api, path, address='10.1.1.1/24') == ['10.1.1.1/24']
    assert listed(api, path, address='10.1.1.1/25') == []
    assert listed(api, path, q='10.1') == ['10.1.1.1/24', '10.1.1.2/32']
    assert listed(api, path, q='10.1.0.0/16') == ['10.1.1.1/24', '10.1.1.2/32']


def test_ranges_parent_contains_and_addresses(api):
    IPRange.objects.create(start_address='10.1.1.10/24', end_address='10.1.1.20/24')
    IPRange.objects.create(start_address='2001:db8::10/64', end_address='2001:db8::20/64')
    path = '/api/ipam/ip-ranges/'
    assert listed(api, path, parent='10.1.0.0/16') == ['10.1.1.10/24']
    assert listed(api, path, parent='10.1.1.16/28') == []
    assert listed(api, path, contains='10.1.1.15') == ['10.1.1.10/24']
    assert listed(api, path, contains='10.1.1.16/29') == []
    assert listed(api, path, contains='2001:db8::15') == ['2001:db8::10/64']
    assert listed(api, path, start_address='10.1.1.10') == ['10.1.1.10/24']
    assert listed(api, path, size=11) == ['10.1.1.10/24']
    assert listed(api, path, size__gte=11) == ['10.1.1.10/24', '2001:db8::10/64']


def test_vrf_filters_and_present_in_vrf(api):
    target = RouteTarget.objects.create(name='65000:1')
    red = VRF.objects.create(name='red', rd='65000:1')
    blue = VRF.objects.create(name='blue', rd='65000:2')
    red.import_targets.set([target])
    blue.export_targets.set([target])
    Prefix.objects.create(prefix='10.0.0.0/8', vrf=red)
    Prefix.objects.create(prefix='10.1.0.0/16', vrf=blue)
    Prefix.objects.create(prefix='10.2.0.0/16')
    path = '/api/ipam/prefixes/'
    assert listed(api, path, vrf_id='null') == ['10.2.0.0/16']
    assert listed(api, path, vrf='65000:2') == ['10.1.0.0/16']
    assert listed(api, path, present_in_vrf_id=red.pk) == ['10.0.0.0/8', '10.1.0.0/16']
    assert listed(api, path, present_in_vrf='65000:2') == ['10.1.0.0/16']
    rows = api.get('/api/ipam/vrfs/', {'import_target': '65000:1'}).json()['results']
    assert [row['name'] for row in rows] == ['red']
    rows = api.get('/api/ipam/route-targets/', {'exporting_vrf_id': blue.pk}).json()['results']
    assert [row['name'] for row in rows] == ['65000:1']


def test_scope_filters_use_the_cached_place(api):
    site = make(Site)
    location = make(Location, site=site)
    Prefix.objects.create(prefix='10.0.0.0/8', scope=location)
    Prefix.objects.create(prefix='10.1.0.0/16', scope=site)
    Prefix.objects.create(prefix='10.2.0.0/16')
    path = '/api/ipam/prefixes/'
    assert listed(api, path, site_id=site.pk) == ['10.0.0.0/8', '10.1.0.0/16']
    assert listed(api, path, site=site.slug) == ['10.0.0.0/8', '10.1.0.0/16']
    assert listed(api, path, location_id=location.pk) == ['10.0.0.0/8']
    row = api.get(path, {'location_id': location.pk}).json()['results'][0]
    assert row['scope_type'] == 'dcim.location' and row['scope']['id'] == location.pk


def test_assignment_filters(api):
    interface = make(Interface)
    other = make(Interface)
    Device.objects.filter(pk=other.device_id).update(name='dev-b')
    interface_type = ContentType.objects.get_for_model(Interface)
    IPAddress.objects.create(address='10.0.0.1/24', assigned_object_type=interface_type,
                             assigned_object_id=interface.pk)
    IPAddress.objects.create(address='10.0.0.2/24', assigned_object_type=interface_type, assigned_object_id=other.pk)
    IPAddress.objects.create(address='10.0.0.3/24')
    path = '/api/ipam/ip-addresses/'
    assert listed(api, path, assigned_to_interface='true') == ['10.0.0.1/24', '10.0.0.2/24']
    assert listed(api, path, assigned='false') == ['10.0.0.3/24']
    assert listed(api, path, interface_id=interface.pk) == ['10.0.0.1/24']
    assert listed(api, path, device_id=interface.device_id) == ['10.0.0.1/24']
    assert listed(api, path, device='dev-b') == ['10.0.0.2/24']
    assert listed(api, path, virtual_machine_id=1) == []
    row = api.get(path, {'interface_id': interface.pk}).json()['results'][0]
    assert row['assigned_object_type'] == 'dcim.interface' and row['assigned_object']['id'] == interface.pk
