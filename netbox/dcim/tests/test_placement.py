"""Rack placement rules, exercised through POST/PATCH /api/dcim/devices/: each rejection is a 400 naming the field."""
import pytest

from dcim.models import Device, DeviceRole, DeviceType, Location, Rack, Site
from netbox.testing import make

pytestmark = pytest.mark.django_db
URL = '/api/dcim/devices/'


@pytest.fixture
def site():
    return make(Site, name='DC1', slug='dc1')


@pytest.fixture
def rack(site):
    return make(Rack, site=site, name='R1', u_height=10)


@pytest.fixture
def role():
    return make(DeviceRole, name='Switch', slug='switch')


def device_type(u_height=1, full_depth=True, type_name=None, **attrs):
    dtype = make(DeviceType, u_height=u_height, is_full_depth=full_depth, **attrs)
    if type_name:  # `model` is make()'s own first argument, so the model name is set afterwards
        dtype.model = type_name
        dtype.save()
    return dtype


def racked(rack, position, face='front', name=None, **type_attrs):
    """A device already saved in `rack` (made directly, as existing data)."""
    return make(Device, site=rack.site, rack=rack, position=position, face=face, name=name,
                device_type=device_type(**type_attrs))


def post(api, site, role, dtype, **fields):
    payload = {'name': 'new-device', 'site': site.pk, 'role': role.pk, 'device_type': dtype.pk, **fields}
    return api.post(URL, payload, format='json')


def assert_rejected(response, field, *words):
    assert response.status_code == 400, response.data
    assert field in response.data, response.data
    message = ' '.join(str(m) for m in response.data[field])
    for word in words:
        assert word in message, message
    assert not Device.objects.filter(name='new-device').exists()


# Rejections

def test_unit_taken_on_the_same_face_is_rejected_naming_the_occupant(api, rack, role):
    racked(rack, 5, name='core-1')
    response = post(api, rack.site, role, device_type(), rack=rack.pk, position=5, face='front')
    assert_rejected(response, 'position', 'U5', 'core-1', 'front')


def test_tall_device_overlapping_the_unit_above_is_rejected(api, rack, role):
    racked(rack, 6, name='core-1')
    response = post(api, rack.site, role, device_type(u_height=2), rack=rack.pk, position=5, face='front')
    assert_rejected(response, 'position', 'core-1')


def test_position_above_the_top_unit_is_rejected(api, rack, role):
    response = post(api, rack.site, role, device_type(u_height=2), rack=rack.pk, position=10, face='front')
    assert_rejected(response, 'position', 'does not fit', 'R1', 'units 1 to 10')


def test_position_below_the_starting_unit_is_rejected(api, site, role):
    rack = make(Rack, site=site, name='R5', u_height=10, starting_unit=5)
    response = post(api, site, role, device_type(), rack=rack.pk, position=4, face='front')
    assert_rejected(response, 'position', 'units 5 to 14')


def test_top_beyond_a_raised_starting_unit_rack_is_rejected(api, site, role):
    rack = make(Rack, site=site, name='R5', u_height=10, starting_unit=5)
    response = post(api, site, role, device_type(u_height=2), rack=rack.pk, position=14, face='front')
    assert_rejected(response, 'position', 'U14', 'does not fit')


def test_full_depth_device_blocks_the_rear_face(api, rack, role):
    racked(rack, 3, face='front', name='server-1', full_depth=True)
    response = post(api, rack.site, role, device_type(full_depth=False), rack=rack.pk, position=3, face='rear')
    assert_rejected(response, 'position', 'server-1', 'full-depth', 'rear')


def test_full_depth_device_cannot_go_behind_a_front_device(api, rack, role):
    racked(rack, 3, face='front', name='patch-1', full_depth=False)
    response = post(api, rack.site, role, device_type(full_depth=True), rack=rack.pk, position=3, face='rear')
    assert_rejected(response, 'position', 'patch-1', 'full-depth')


def test_zero_u_device_with_a_position_is_rejected(api, rack, role):
    response = post(api, rack.site, role, device_type(u_height=0, type_name='PDU-0U'), rack=rack.pk, position=2,
                    face='front')
    assert_rejected(response, 'position', 'PDU-0U', '0U')


def test_child_device_in_a_rack_unit_is_rejected(api, rack, role):
    child_type = device_type(u_height=0, subdevice_role='child', type_name='Blade')
    response = post(api, rack.site, role, child_type, rack=rack.pk, position=2, face='front')
    assert_rejected(response, 'position', 'Blade', 'child', 'device bay')


def test_position_without_face_is_rejected(api, rack, role):
    response = post(api, rack.site, role, device_type(), rack=rack.pk, position=2)
    assert_rejected(response, 'face', 'rack face')


def test_position_without_rack_is_rejected(api, site, role):
    response = post(api, site, role, device_type(), position=2, face='front')
    assert_rejected(response, 'position', 'rack')


def test_face_without_rack_is_rejected(api, site, role):
    response = post(api, site, role, device_type(), face='front')
    assert_rejected(response, 'face', 'rack')


def test_position_between_half_units_is_rejected(api, rack, role):
    response = post(api, rack.site, role, device_type(), rack=rack.pk, position='2.3', face='front')
    assert_rejected(response, 'position', 'U2.3', 'half')


def test_rack_at_another_site_is_rejected(api, rack, role):
    other_site = make(Site, name='DC2', slug='dc2')
    response = post(api, other_site, role, device_type(), rack=rack.pk)
    assert_rejected(response, 'rack', 'R1', 'DC2')


def test_rack_in_another_location_is_rejected(api, site, role):
    hall_a = make(Location, site=site, name='Hall A', slug='hall-a')
    hall_b = make(Location, site=site, name='Hall B', slug='hall-b')
    rack = make(Rack, site=site, location=hall_a, name='RA')
    response = post(api, site, role, device_type(), location=hall_b.pk, rack=rack.pk)
    assert_rejected(response, 'rack', 'RA', 'Hall B')


def test_moving_a_device_onto_an_occupied_unit_is_rejected(api, rack, role):
    racked(rack, 5, name='core-1')
    mover = racked(rack, 1, name='core-2')
    response = api.patch(f'{URL}{mover.pk}/', {'position': 5}, format='json')
    assert response.status_code == 400
    assert 'core-1' in response.data['position'][0]
    mover.refresh_from_db()
    assert mover.position == 1


def test_rejected_bulk_create_saves_nothing(api, rack, role):
    racked(rack, 5, name='core-1')
    dtype = device_type()
    payload = [
        {'name': 'new-device', 'site': rack.site.pk, 'role': role.pk, 'device_type': dtype.pk, 'rack': rack.pk,
         'position': 1, 'face': 'front'},
        {'name': 'other-device', 'site': rack.site.pk, 'role': role.pk, 'device_type': dtype.pk, 'rack': rack.pk,
         'position': 5, 'face': 'front'},
    ]
    response = api.post(URL, payload, format='json')
    assert response.status_code == 400
    assert not Device.objects.filter(name__in=('new-device', 'other-device')).exists()


# Valid placements

def test_adjacent_devices_fit(api, rack, role):
    racked(rack, 5, name='core-1', u_height=2)
    below = post(api, rack.site, role, device_type(), rack=rack.pk, position=4, face='front')
    above = api.post(URL, {'name': 'above', 'site': rack.site.pk, 'role': role.pk, 'device_type': device_type().pk,
                           'rack': rack.pk, 'position': 7, 'face': 'front'}, format='json')
    assert below.status_code == 201, below.data
    assert above.status_code == 201, above.data


def test_half_depth_devices_share_a_unit_front_and_rear(api, rack, role):
    racked(rack, 3, face='front', name='patch-1', full_depth=False)
    response = post(api, rack.site, role, device_type(full_depth=False), rack=rack.pk, position=3, face='rear')
    assert response.status_code == 201, response.data
    assert response.data['face']['value'] == 'rear'


def test_half_unit_devices_share_a_unit_at_x_and_x_point_5(api, rack, role):
    racked(rack, 2, name='half-1', u_height='0.5')
    response = post(api, rack.site, role, device_type(u_height='0.5'), rack=rack.pk, position='2.5', face='front')
    assert response.status_code == 201, response.data
    assert float(response.data['position']) == 2.5


def test_half_unit_device_collides_with_a_whole_unit_device(api, rack, role):
    racked(rack, 3, name='core-1')
    response = post(api, rack.site, role, device_type(u_height='0.5'), rack=rack.pk, position='3.5', face='front')
    assert_rejected(response, 'position', 'U3.5', 'core-1')


def test_top_unit_of_a_descending_rack_is_usable(api, site, role):
    rack = make(Rack, site=site, name='RD', u_height=10, desc_units=True)
    response = post(api, site, role, device_type(u_height=2), rack=rack.pk, position=9, face='front')
    assert response.status_code == 201, response.data


def test_top_unit_of_a_raised_starting_unit_rack_is_usable(api, site, role):
    rack = make(Rack, site=site, name='R5', u_height=10, starting_unit=5)
    response = post(api, site, role, device_type(), rack=rack.pk, position=14, face='front')
    assert response.status_code == 201, response.data


def test_device_keeps_its_units_when_edited(api, rack, role):
    device = racked(rack, 5, name='core-1', u_height=2)
    response = api.patch(f'{URL}{device.pk}/', {'description': 'edited'}, format='json')
    assert response.status_code == 200, response.data


def test_rack_without_location_takes_a_device_without_location(api, site, role):
    rack = make(Rack, site=site, name='RX')
    response = post(api, site, role, device_type(), rack=rack.pk, position=1, face='front')
    assert response.status_code == 201, response.data
