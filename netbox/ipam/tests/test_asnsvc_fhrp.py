"""FHRP groups and their assignments to interfaces, over the REST API."""
import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import Device, Interface
from ipam.models import VRF, FHRPGroup, FHRPGroupAssignment, IPAddress
from netbox.testing import make

pytestmark = pytest.mark.django_db
GROUPS = '/api/ipam/fhrp-groups/'
ASSIGNMENTS = '/api/ipam/fhrp-group-assignments/'


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(row['id'] for row in response.json()['results'])


def interface_of(device, name='eth0'):
    return make(Interface, device=device, name=name)


def test_protocol_and_auth_type_are_bare_strings_everywhere(api):
    response = api.post(GROUPS, {'protocol': 'vrrp3', 'group_id': 10, 'auth_type': 'md5', 'auth_key': 's3cret',
                                 'name': 'core'}, format='json')
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body['protocol'], body['auth_type'], body['auth_key']) == ('vrrp3', 'md5', 's3cret')
    assert body['display'] == 'VRRPv3: 10 (core)'
    assert body['ip_addresses'] == []
    brief = api.get(GROUPS, {'brief': 1}).json()['results'][0]
    assert brief['protocol'] == 'vrrp3'
    assert set(brief) == {'id', 'url', 'display', 'protocol', 'group_id', 'description'}
    # Nested inside an assignment too.
    assignment = FHRPGroupAssignment.objects.create(
        group_id=body['id'], interface_type=ContentType.objects.get_for_model(Interface),
        interface_id=interface_of(make(Device)).pk, priority=100)
    nested = api.get(f'{ASSIGNMENTS}{assignment.pk}/').json()['group']
    assert nested['protocol'] == 'vrrp3'
    # No auth type is null; a {value, label} object is not how 4.7 writes it.
    response = api.patch(f'{GROUPS}{body["id"]}/', {'auth_type': None}, format='json')
    assert response.status_code == 200, response.content
    assert response.json()['auth_type'] is None
    response = api.patch(f'{GROUPS}{body["id"]}/', {'protocol': 'bogus'}, format='json')
    assert response.status_code == 400
    assert 'protocol' in response.json()


def test_group_lists_its_virtual_addresses(api):
    group = make(FHRPGroup)
    inside = IPAddress.objects.create(address='10.9.0.1/24')
    address = IPAddress.objects.create(address='192.0.2.1/24', assigned_object=group, nat_inside=inside)
    outside = IPAddress.objects.create(address='198.51.100.7/32', nat_inside=address)
    IPAddress.objects.create(address='192.0.2.9/24')
    response = api.get(f'{GROUPS}{group.pk}/')
    assert response.status_code == 200, response.content
    [nested] = response.json()['ip_addresses']
    assert (nested['id'], nested['address']) == (address.pk, '192.0.2.1/24')
    assert nested['family'] == {'value': 4, 'label': 'IPv4'}
    # Its NAT addresses in their short (Nested) form, which never nests further.
    short = {'id', 'url', 'display', 'family', 'address'}
    assert set(nested['nat_inside']) == short and nested['nat_inside']['id'] == inside.pk
    assert [item['id'] for item in nested['nat_outside']] == [outside.pk]
    assert set(nested['nat_outside'][0]) == short


def test_related_ip_finds_groups_with_an_address_in_the_same_network_and_vrf(api):
    vrf = make(VRF)
    same, other_vrf, other_net = make(FHRPGroup), make(FHRPGroup), make(FHRPGroup)
    IPAddress.objects.create(address='10.1.0.1/24', assigned_object=same)
    IPAddress.objects.create(address='10.1.0.1/24', vrf=vrf, assigned_object=other_vrf)
    IPAddress.objects.create(address='10.2.0.1/24', assigned_object=other_net)
    interface_address = IPAddress.objects.create(address='10.1.0.2/24', assigned_object=interface_of(make(Device)))
    assert ids(api.get(GROUPS, {'related_ip': interface_address.pk})) == [same.pk]
    in_vrf = IPAddress.objects.create(address='10.1.0.3/24', vrf=vrf)
    assert ids(api.get(GROUPS, {'related_ip': in_vrf.pk})) == [other_vrf.pk]
    assert ids(api.get(GROUPS, {'related_ip': [interface_address.pk, in_vrf.pk]})) == [same.pk, other_vrf.pk]
    assert api.get(GROUPS, {'related_ip': 'x'}).status_code == 400


def test_group_filters(api):
    vrrp = make(FHRPGroup, protocol='vrrp2', group_id=1, auth_type='plaintext')
    hsrp = make(FHRPGroup, protocol='hsrp', group_id=200)
    assert ids(api.get(GROUPS, {'protocol': 'hsrp'})) == [hsrp.pk]
    assert ids(api.get(GROUPS, {'protocol__n': 'hsrp'})) == [vrrp.pk]
    assert ids(api.get(GROUPS, {'auth_type': 'plaintext'})) == [vrrp.pk]
    assert ids(api.get(GROUPS, {'group_id__gte': 100})) == [hsrp.pk]


def assignment_payload(group, interface, priority=100):
    return {'group': group.pk, 'interface_type': 'dcim.interface', 'interface_id': interface.pk, 'priority': priority}


def test_assignment_reads_as_47_does(api):
    group = make(FHRPGroup)
    device = make(Device)
    interface = interface_of(device)
    response = api.post(ASSIGNMENTS, assignment_payload(group, interface), format='json')
    assert response.status_code == 201, response.content
    body = response.json()
    assert 'display_url' not in body
    assert body['interface_type'] == 'dcim.interface'
    assert body['interface_id'] == interface.pk
    assert body['interface']['id'] == interface.pk
    assert body['interface']['device']['id'] == device.pk
    assert body['group']['id'] == group.pk
    assert body['display'] == f'{interface}: {group} (100)'


def test_assignment_rules_are_400s_naming_the_field(api):
    group = make(FHRPGroup)
    interface = interface_of(make(Device))
    assert api.post(ASSIGNMENTS, assignment_payload(group, interface), format='json').status_code == 201
    duplicate = api.post(ASSIGNMENTS, assignment_payload(group, interface, priority=50), format='json')
    assert duplicate.status_code == 400
    assert 'already' in str(duplicate.json())
    for priority in (256, -1):
        response = api.post(ASSIGNMENTS, assignment_payload(make(FHRPGroup), interface, priority), format='json')
        assert response.status_code == 400
        assert 'priority' in response.json()
    response = api.post(ASSIGNMENTS, {**assignment_payload(make(FHRPGroup), interface),
                                      'interface_type': 'dcim.device'}, format='json')
    assert response.status_code == 400
    assert 'interface_type' in response.json()
    response = api.post(ASSIGNMENTS, {**assignment_payload(make(FHRPGroup), interface), 'interface_id': 999999},
                        format='json')
    assert response.status_code == 400
    assert 'interface_id' in response.json()
    assert FHRPGroupAssignment.objects.count() == 1


def test_assignment_filters(api):
    first, second = make(Device, name='alpha'), make(Device, name='beta')
    group, other_group = make(FHRPGroup), make(FHRPGroup)
    interface_type = ContentType.objects.get_for_model(Interface)
    on_first = FHRPGroupAssignment.objects.create(group=group, interface_type=interface_type,
                                                  interface_id=interface_of(first).pk, priority=10)
    on_second = FHRPGroupAssignment.objects.create(group=other_group, interface_type=interface_type,
                                                   interface_id=interface_of(second).pk, priority=200)
    assert ids(api.get(ASSIGNMENTS, {'device_id': first.pk})) == [on_first.pk]
    assert ids(api.get(ASSIGNMENTS, {'device': 'beta'})) == [on_second.pk]
    assert ids(api.get(ASSIGNMENTS, {'device': ['alpha', 'beta']})) == [on_first.pk, on_second.pk]
    assert ids(api.get(ASSIGNMENTS, {'group_id': group.pk})) == [on_first.pk]
    assert ids(api.get(ASSIGNMENTS, {'group_id__n': group.pk})) == [on_second.pk]
    assert ids(api.get(ASSIGNMENTS, {'priority__gt': 100})) == [on_second.pk]
    assert ids(api.get(ASSIGNMENTS, {'interface_type': 'dcim.interface'})) == [on_first.pk, on_second.pk]
    assert ids(api.get(ASSIGNMENTS, {'interface_id': on_second.interface_id})) == [on_second.pk]
    # Virtual machines arrive with virtualization: a value matches nothing.
    assert ids(api.get(ASSIGNMENTS, {'virtual_machine_id': 1})) == []
