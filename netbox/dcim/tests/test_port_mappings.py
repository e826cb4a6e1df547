"""
Front/rear port mappings through the REST API, NetBox 4.6 style: front ports (and their templates) list `rear_ports`,
rear ports list `front_ports`; both are writable, validated (same device or type, positions in range, no position
used twice) and stored as PortMapping / PortTemplateMapping rows; lists read them in a constant number of queries.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dcim.models import (
    Device,
    DeviceType,
    FrontPort,
    FrontPortTemplate,
    PortMapping,
    PortTemplateMapping,
    RearPort,
    RearPortTemplate,
)
from netbox.testing import client_for, grant, make

pytestmark = pytest.mark.django_db


@pytest.fixture
def device():
    return make(Device)


def rear(device, name='Rear', positions=4):
    return RearPort.objects.create(device=device, name=name, type='mpo', positions=positions)


def front(device, name='Front', positions=1):
    return FrontPort.objects.create(device=device, name=name, type='lc', positions=positions)


def mappings_of(port):
    return sorted(port.mappings.values_list('front_port_position', 'rear_port_id', 'rear_port_position'))


# Reading

def test_front_and_rear_ports_show_their_mappings(api, device):
    trunk, port = rear(device), front(device)
    PortMapping.objects.create(front_port=port, rear_port=trunk, rear_port_position=3)
    front_data = api.get(f'/api/dcim/front-ports/{port.pk}/').json()
    assert front_data['rear_ports'] == [{'position': 1, 'rear_port': trunk.pk, 'rear_port_position': 3}]
    rear_data = api.get(f'/api/dcim/rear-ports/{trunk.pk}/').json()
    assert rear_data['front_ports'] == [{'position': 3, 'front_port': port.pk, 'front_port_position': 1}]


def test_port_templates_show_their_mappings(api):
    device_type = make(DeviceType)
    trunk = RearPortTemplate.objects.create(device_type=device_type, name='Rear', type='mpo', positions=2)
    port = FrontPortTemplate.objects.create(device_type=device_type, name='Front', type='lc')
    PortTemplateMapping.objects.create(front_port=port, rear_port=trunk, rear_port_position=2)
    assert api.get(f'/api/dcim/front-port-templates/{port.pk}/').json()['rear_ports'] == \
        [{'position': 1, 'rear_port': trunk.pk, 'rear_port_position': 2}]
    assert api.get(f'/api/dcim/rear-port-templates/{trunk.pk}/').json()['front_ports'] == \
        [{'position': 2, 'front_port': port.pk, 'front_port_position': 1}]


def test_unmapped_port_shows_an_empty_list(api, device):
    assert api.get(f'/api/dcim/front-ports/{front(device).pk}/').json()['rear_ports'] == []


@pytest.mark.parametrize('path', ['/api/dcim/front-ports/', '/api/dcim/rear-ports/'])
def test_port_lists_read_mappings_in_constant_queries(api, path):
    def add_patch_panel():
        panel = make(Device)
        trunk = rear(panel, positions=2)
        for position in (1, 2):
            PortMapping.objects.create(front_port=front(panel, f'F{position}'), rear_port=trunk,
                                       rear_port_position=position)

    def count():
        with CaptureQueriesContext(connection) as context:
            response = api.get(path, {'limit': 100})
        assert response.status_code == 200
        return len(context.captured_queries)

    add_patch_panel()
    api.get(path)
    few = count()
    for _ in range(4):
        add_patch_panel()
    assert count() == few


def test_port_template_lists_read_mappings_in_constant_queries(api):
    def add_type():
        device_type = make(DeviceType)
        trunk = RearPortTemplate.objects.create(device_type=device_type, name='Rear', type='mpo', positions=2)
        for position in (1, 2):
            port = FrontPortTemplate.objects.create(device_type=device_type, name=f'F{position}', type='lc')
            PortTemplateMapping.objects.create(front_port=port, rear_port=trunk, rear_port_position=position)

    def count(path):
        with CaptureQueriesContext(connection) as context:
            assert api.get(path, {'limit': 100}).status_code == 200
        return len(context.captured_queries)

    add_type()
    paths = ('/api/dcim/front-port-templates/', '/api/dcim/rear-port-templates/')
    for path in paths:
        api.get(path)  # warm per-process caches
    few = [count(path) for path in paths]
    for _ in range(4):
        add_type()
    assert [count(path) for path in paths] == few


# Writing

def test_create_front_port_with_rear_ports(api, device):
    trunk = rear(device)
    payload = {'device': device.pk, 'name': 'Front', 'type': 'lc', 'positions': 2,
               'rear_ports': [{'position': 1, 'rear_port': trunk.pk, 'rear_port_position': 1},
                              {'position': 2, 'rear_port': trunk.pk, 'rear_port_position': 2}]}
    response = api.post('/api/dcim/front-ports/', payload, format='json')
    assert response.status_code == 201, response.content
    port = FrontPort.objects.get(pk=response.data['id'])
    assert mappings_of(port) == [(1, trunk.pk, 1), (2, trunk.pk, 2)]
    assert response.data['rear_ports'][1] == {'position': 2, 'rear_port': trunk.pk, 'rear_port_position': 2}


def test_positions_default_to_one(api, device):
    trunk = rear(device)
    response = api.post('/api/dcim/front-ports/', {'device': device.pk, 'name': 'F', 'type': 'lc',
                                                   'rear_ports': [{'rear_port': trunk.pk}]}, format='json')
    assert response.status_code == 201, response.content
    assert mappings_of(FrontPort.objects.get(pk=response.data['id'])) == [(1, trunk.pk, 1)]


def test_patch_replaces_the_mappings(api, device):
    first, second = rear(device, 'R1'), rear(device, 'R2')
    port = front(device)
    PortMapping.objects.create(front_port=port, rear_port=first, rear_port_position=1)
    response = api.patch(f'/api/dcim/front-ports/{port.pk}/',
                         {'rear_ports': [{'position': 1, 'rear_port': second.pk, 'rear_port_position': 4}]},
                         format='json')
    assert response.status_code == 200, response.content
    assert mappings_of(port) == [(1, second.pk, 4)]
    assert response.data['rear_ports'] == [{'position': 1, 'rear_port': second.pk, 'rear_port_position': 4}]


def test_empty_list_removes_the_mappings_and_omitting_keeps_them(api, device):
    trunk, port = rear(device), front(device)
    PortMapping.objects.create(front_port=port, rear_port=trunk, rear_port_position=1)
    api.patch(f'/api/dcim/front-ports/{port.pk}/', {'description': 'patched'}, format='json')
    assert mappings_of(port) == [(1, trunk.pk, 1)]
    response = api.patch(f'/api/dcim/front-ports/{port.pk}/', {'rear_ports': []}, format='json')
    assert response.status_code == 200
    assert mappings_of(port) == []


def test_rear_port_writes_its_front_ports(api, device):
    ports = [front(device, f'F{n}') for n in (1, 2)]
    payload = {'device': device.pk, 'name': 'Trunk', 'type': 'mpo', 'positions': 2,
               'front_ports': [{'position': n, 'front_port': port.pk, 'front_port_position': 1}
                               for n, port in enumerate(ports, start=1)]}
    response = api.post('/api/dcim/rear-ports/', payload, format='json')
    assert response.status_code == 201, response.content
    trunk = RearPort.objects.get(pk=response.data['id'])
    assert sorted(trunk.mappings.values_list('rear_port_position', 'front_port_id')) == \
        [(1, ports[0].pk), (2, ports[1].pk)]


def test_front_port_template_writes_rear_ports(api):
    device_type = make(DeviceType)
    trunk = RearPortTemplate.objects.create(device_type=device_type, name='Rear', type='mpo', positions=2)
    response = api.post('/api/dcim/front-port-templates/', {
        'device_type': device_type.pk, 'name': 'Front', 'type': 'lc',
        'rear_ports': [{'position': 1, 'rear_port': trunk.pk, 'rear_port_position': 2}]}, format='json')
    assert response.status_code == 201, response.content
    mapping = PortTemplateMapping.objects.get(front_port_id=response.data['id'])
    assert (mapping.rear_port_id, mapping.rear_port_position) == (trunk.pk, 2)


def test_mapped_template_ports_carry_over_to_new_devices(api):
    device_type = make(DeviceType)
    trunk = RearPortTemplate.objects.create(device_type=device_type, name='Rear', type='mpo', positions=2)
    api.post('/api/dcim/front-port-templates/', {
        'device_type': device_type.pk, 'name': 'Front', 'type': 'lc',
        'rear_ports': [{'rear_port': trunk.pk, 'rear_port_position': 2}]}, format='json')
    device = make(Device, device_type=device_type)
    mapping = PortMapping.objects.get(front_port__device=device)
    assert (mapping.rear_port.name, mapping.rear_port_position) == ('Rear', 2)


# Validation

def post_front(api, device, rear_ports, positions=1):
    return api.post('/api/dcim/front-ports/', {'device': device.pk, 'name': 'Front', 'type': 'lc',
                                               'positions': positions, 'rear_ports': rear_ports}, format='json')


def test_rear_port_of_another_device_is_refused(api, device):
    other = rear(make(Device))
    response = post_front(api, device, [{'rear_port': other.pk}])
    assert response.status_code == 400
    assert 'another device' in str(response.data['rear_ports'])
    assert not FrontPort.objects.filter(device=device).exists()


def test_rear_position_out_of_range_is_refused(api, device):
    trunk = rear(device, positions=2)
    response = post_front(api, device, [{'rear_port': trunk.pk, 'rear_port_position': 3}])
    assert response.status_code == 400
    assert 'rear_ports' in response.data


def test_front_position_out_of_range_is_refused(api, device):
    trunk = rear(device)
    response = post_front(api, device, [{'position': 2, 'rear_port': trunk.pk}], positions=1)
    assert response.status_code == 400
    assert 'out of range' in str(response.data['rear_ports'])


def test_a_position_used_twice_is_refused(api, device):
    trunk = rear(device)
    response = post_front(api, device, [{'position': 1, 'rear_port': trunk.pk, 'rear_port_position': 1},
                                        {'position': 1, 'rear_port': trunk.pk, 'rear_port_position': 2}], positions=2)
    assert response.status_code == 400
    assert 'used twice' in str(response.data['rear_ports'])


def test_a_rear_position_mapped_by_another_front_port_is_refused(api, device):
    trunk = rear(device)
    PortMapping.objects.create(front_port=front(device, 'Taken'), rear_port=trunk, rear_port_position=1)
    response = post_front(api, device, [{'rear_port': trunk.pk, 'rear_port_position': 1}])
    assert response.status_code == 400
    assert 'already mapped to Taken' in str(response.data['rear_ports'])


def test_rear_port_front_ports_are_validated_too(api, device):
    other_device_port = front(make(Device))
    response = api.post('/api/dcim/rear-ports/', {
        'device': device.pk, 'name': 'Trunk', 'type': 'mpo',
        'front_ports': [{'position': 1, 'front_port': other_device_port.pk}]}, format='json')
    assert response.status_code == 400
    assert 'front_ports' in response.data


def test_template_of_another_type_is_refused(api):
    trunk = RearPortTemplate.objects.create(device_type=make(DeviceType), name='Rear', type='mpo')
    response = api.post('/api/dcim/front-port-templates/', {
        'device_type': make(DeviceType).pk, 'name': 'Front', 'type': 'lc',
        'rear_ports': [{'rear_port': trunk.pk}]}, format='json')
    assert response.status_code == 400
    assert 'another type' in str(response.data['rear_ports'])


@pytest.mark.parametrize('value', ['not a list', [{'position': 1}], [{'rear_port': 'x'}], [{'rear_port': 1,
                                                                                           'position': 0}]])
def test_malformed_mappings_are_refused(api, device, value):
    response = post_front(api, device, value)
    assert response.status_code == 400
    assert 'rear_ports' in response.data


def test_reducing_positions_below_a_mapped_one_is_refused(api, device):
    trunk = rear(device, positions=4)
    PortMapping.objects.create(front_port=front(device), rear_port=trunk, rear_port_position=4)
    response = api.patch(f'/api/dcim/rear-ports/{trunk.pk}/', {'positions': 2}, format='json')
    assert response.status_code == 400
    assert 'front_ports' in response.data
    trunk.refresh_from_db()
    assert trunk.positions == 4


def test_peer_the_user_may_not_view_is_not_found(plain_user, device):
    hidden = rear(device)
    grant(plain_user, Device, ['view'])
    grant(plain_user, FrontPort, ['add', 'view'])
    grant(plain_user, RearPort, ['view'], constraints={'name': 'Visible'})
    response = client_for(plain_user).post('/api/dcim/front-ports/', {
        'device': device.pk, 'name': 'Front', 'type': 'lc', 'rear_ports': [{'rear_port': hidden.pk}]}, format='json')
    assert response.status_code == 400
    assert f'no rear port with ID {hidden.pk}' in str(response.data['rear_ports'])


# Filters

def test_filter_front_ports_by_rear_port(api, device):
    trunk = rear(device)
    mapped, loose = front(device, 'Mapped'), front(device, 'Loose')
    PortMapping.objects.create(front_port=mapped, rear_port=trunk, rear_port_position=1)
    response = api.get('/api/dcim/front-ports/', {'rear_port_id': trunk.pk})
    assert [row['id'] for row in response.data['results']] == [mapped.pk]
    assert loose.pk not in [row['id'] for row in response.data['results']]
