"""GET /api/dcim/racks/<id>/elevation/: the unit list, the SVG drawing, permissions and query counts."""
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from dcim.elevations import text_colour
from dcim.models import Device, DeviceRole, DeviceType, Rack, RackReservation, Site
from netbox.registry import registry
from netbox.testing import client_for, grant, make

pytestmark = pytest.mark.django_db
SVG = '{http://www.w3.org/2000/svg}'
XLINK_HREF = '{http://www.w3.org/1999/xlink}href'


@pytest.fixture
def site():
    return make(Site, name='DC1', slug='dc1')


@pytest.fixture
def rack(site):
    return make(Rack, site=site, name='R1', u_height=10)


@pytest.fixture
def role():
    return make(DeviceRole, name='Core', slug='core', color='1f3a93')


def put(rack, position, name, face='front', u_height=1, full_depth=True, role=None, **type_attrs):
    dtype = make(DeviceType, u_height=u_height, is_full_depth=full_depth, **type_attrs)
    attrs = {'role': role} if role is not None else {}
    return make(Device, site=rack.site, rack=rack, position=position, face=face, name=name, device_type=dtype,
                **attrs)


def elevation_url(rack):
    return f'/api/dcim/racks/{rack.pk}/elevation/'


def units(response):
    return {row['id']: row for row in response.data['results']}


def svg_of(response):
    assert response.status_code == 200, response.content
    assert response['Content-Type'].startswith('image/svg+xml')
    return ET.fromstring(response.content)


def counted_get(client, url, params=None):
    """(number of queries, response) of a GET, after one warm-up request (token last-use stamp, config cache)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context), response


def device_groups(root):
    return [g for g in root.iter(f'{SVG}g') if 'device' in g.get('class', '').split()]


# Unit list

def test_units_are_listed_top_to_bottom_with_their_occupants(api, rack):
    device = put(rack, 3, 'core-1', u_height=2)
    response = api.get(elevation_url(rack))
    assert response.status_code == 200
    assert [row['id'] for row in response.data['results']] == list(range(10, 0, -1))
    rows = units(response)
    assert rows[3]['device']['id'] == device.pk and rows[4]['device']['name'] == 'core-1'
    assert rows[3]['occupied'] and rows[4]['occupied'] and not rows[5]['occupied']
    assert rows[5]['device'] is None
    assert rows[3] | {'device': None} == {'id': 3, 'name': 'U3', 'face': 'front', 'device': None, 'occupied': True,
                                         'display': 'U3'}
    assert set(rows[3]['device']) == {'id', 'url', 'display', 'name', 'description'}


def test_descending_rack_lists_its_lowest_number_first(api, site):
    rack = make(Rack, site=site, name='RD', u_height=4, starting_unit=3, desc_units=True)
    response = api.get(elevation_url(rack))
    assert [row['id'] for row in response.data['results']] == [3, 4, 5, 6]


def test_rear_face_lists_rear_devices_and_full_depth_front_ones(api, rack):
    put(rack, 2, 'patch-front', full_depth=False)
    put(rack, 5, 'server', full_depth=True)
    put(rack, 7, 'patch-rear', face='rear', full_depth=False)
    rows = units(api.get(elevation_url(rack), {'face': 'rear'}))
    assert rows[7]['device']['name'] == 'patch-rear' and rows[7]['face'] == 'rear'
    assert rows[5]['device']['name'] == 'server'
    assert not rows[2]['occupied']


def test_front_face_is_the_default(api, rack):
    put(rack, 7, 'patch-rear', face='rear', full_depth=False)
    rows = units(api.get(elevation_url(rack)))
    assert all(row['face'] == 'front' for row in rows.values())
    assert not rows[7]['occupied']


def test_exclude_leaves_a_device_out(api, rack):
    device = put(rack, 3, 'core-1')
    rows = units(api.get(elevation_url(rack), {'exclude': device.pk}))
    assert not rows[3]['occupied'] and rows[3]['device'] is None


def test_half_unit_position_occupies_both_neighbouring_units(api, rack):
    put(rack, '5.5', 'shelf')
    rows = units(api.get(elevation_url(rack)))
    assert rows[5]['device']['name'] == 'shelf' and rows[6]['device']['name'] == 'shelf'
    assert not rows[4]['occupied'] and not rows[7]['occupied']


def test_two_half_unit_devices_fill_one_unit(api, rack):
    put(rack, 4, 'lower-half', u_height='0.5')
    put(rack, '4.5', 'upper-half', u_height='0.5')
    rows = units(api.get(elevation_url(rack)))
    assert rows[4]['occupied'] and rows[4]['device']['name'] == 'lower-half'
    assert not rows[5]['occupied']


def test_unit_list_is_paginated_like_every_list(api, rack):
    response = api.get(elevation_url(rack), {'limit': 3, 'offset': 3})
    assert response.data['count'] == 10
    assert [row['id'] for row in response.data['results']] == [7, 6, 5]
    assert 'offset=6' in response.data['next'] and 'limit=3' in response.data['next']
    assert response.data['previous'] is not None


def test_collapsed_list_names_a_tall_device_once(api, rack):
    put(rack, 3, 'core-1', u_height=3)
    response = api.get(elevation_url(rack), {'expand_devices': 'false'})
    names = [row['device']['name'] for row in response.data['results'] if row['device']]
    assert names == ['core-1']
    assert response.data['count'] == 8


def test_unknown_face_is_a_400(api, rack):
    response = api.get(elevation_url(rack), {'face': 'side'})
    assert response.status_code == 400 and 'face' in response.data


def test_rack_outside_the_users_permission_is_a_404(plain_user, rack, site):
    grant(plain_user, Rack, ['view'], constraints={'name': 'other'})
    response = client_for(plain_user).get(elevation_url(rack))
    assert response.status_code == 404


def test_user_without_rack_permission_is_refused(user_api, rack):
    assert user_api.get(elevation_url(rack)).status_code == 403


def test_devices_the_user_may_not_view_are_occupied_but_anonymous(plain_user, rack):
    put(rack, 3, 'secret-box')
    grant(plain_user, Rack, ['view'])
    rows = units(client_for(plain_user).get(elevation_url(rack)))
    assert rows[3]['occupied'] and rows[3]['device'] is None


def test_unit_list_query_count_does_not_grow_with_devices(api, rack):
    put(rack, 1, 'd1')
    few, _ = counted_get(api, elevation_url(rack))
    for position in range(2, 10):
        put(rack, position, f'd{position}')
    many, response = counted_get(api, elevation_url(rack))
    assert sum(row['occupied'] for row in response.data['results']) == 9
    assert many == few


# SVG

def test_svg_is_well_formed_and_names_and_links_every_device(api, rack, role):
    first = put(rack, 2, 'core-1', role=role)
    second = put(rack, 5, 'core-2', u_height=2, role=role)
    root = svg_of(api.get(elevation_url(rack), {'render': 'svg'}))
    assert root.tag == f'{SVG}svg'
    text = ''.join(root.itertext())
    assert 'core-1' in text and 'core-2' in text
    links = {a.get('href') for a in root.iter(f'{SVG}a')}
    assert {first.get_absolute_url(), second.get_absolute_url()} <= links
    assert first.get_absolute_url() == f'/dcim/devices/{first.pk}/'


def test_svg_draws_devices_in_their_role_colour_with_contrasting_text(api, rack, role):
    put(rack, 2, 'core-1', role=role)
    root = svg_of(api.get(elevation_url(rack), {'render': 'svg'}))
    group = device_groups(root)[0]
    body = next(r for r in group.iter(f'{SVG}rect') if r.get('class') == 'body')
    label = next(group.iter(f'{SVG}text'))
    assert body.get('fill') == '#1f3a93'
    assert label.get('fill') == '#ffffff'


def test_text_colour_contrasts_with_the_background():
    assert text_colour('ffffff') == '#000000'
    assert text_colour('ffeb3b') == '#000000'
    assert text_colour('000000') == '#ffffff'
    assert text_colour('1f3a93') == '#ffffff'


def test_svg_marks_reserved_units(api, rack, superuser):
    RackReservation.objects.create(rack=rack, units=[8, 9], user=superuser, description='Customer X')
    root = svg_of(api.get(elevation_url(rack), {'render': 'svg'}))
    reserved = [r for r in root.iter(f'{SVG}rect') if r.get('class') == 'reserved']
    assert sorted(int(r.get('data-unit')) for r in reserved) == [8, 9]
    assert all(r.get('fill') == 'url(#reserved-hatch)' for r in reserved)
    assert 'Customer X' in ''.join(reserved[0].itertext())


def test_svg_escapes_device_names(api, rack):
    put(rack, 2, '<b>&"x"')
    response = api.get(elevation_url(rack), {'render': 'svg'})
    assert b'<b>' not in response.content
    assert '<b>&"x"' in ''.join(svg_of(response).itertext())


def test_svg_draws_half_unit_devices_half_height(api, rack):
    put(rack, '4.5', 'half', u_height='0.5')
    put(rack, 6, 'whole')
    root = svg_of(api.get(elevation_url(rack), {'render': 'svg', 'unit_height': 20}))
    heights = {}
    for group in device_groups(root):
        body = next(r for r in group.iter(f'{SVG}rect') if r.get('class') == 'body')
        heights[''.join(group.find(f'.//{SVG}text').itertext())] = float(body.get('height'))
    assert heights == {'half': 8.0, 'whole': 18.0}


def test_svg_size_follows_unit_height_and_width(api, rack):
    small = svg_of(api.get(elevation_url(rack), {'render': 'svg', 'unit_height': 10, 'unit_width': 100}))
    large = svg_of(api.get(elevation_url(rack), {'render': 'svg', 'unit_height': 30, 'unit_width': 300}))
    assert float(large.get('width')) - float(small.get('width')) == 200
    assert float(large.get('height')) - float(small.get('height')) >= 10 * 20


def test_svg_unit_size_defaults_to_the_dynamic_configuration(api, rack, settings):
    settings.CONFIG_OVERRIDES = {'RACK_ELEVATION_DEFAULT_UNIT_HEIGHT': 40, 'RACK_ELEVATION_DEFAULT_UNIT_WIDTH': 300}
    root = svg_of(api.get(elevation_url(rack), {'render': 'svg'}))
    slot = next(r for r in root.iter(f'{SVG}rect') if r.get('class') == 'slot')
    assert (float(slot.get('height')), float(slot.get('width'))) == (40, 300)


def test_svg_greys_full_depth_devices_of_the_other_face(api, rack, role):
    put(rack, 5, 'server', role=role)
    root = svg_of(api.get(elevation_url(rack), {'render': 'svg', 'face': 'rear'}))
    group = device_groups(root)[0]
    assert 'other-face' in group.get('class')
    body = next(r for r in group.iter(f'{SVG}rect') if r.get('class') == 'body')
    assert body.get('fill') != '#1f3a93'
    assert 'server' in ''.join(group.itertext())


def test_svg_hides_name_and_link_of_devices_the_user_may_not_view(plain_user, rack):
    put(rack, 3, 'secret-box')
    grant(plain_user, Rack, ['view'])
    root = svg_of(client_for(plain_user).get(elevation_url(rack), {'render': 'svg'}))
    assert 'secret-box' not in ''.join(root.itertext())
    assert not list(root.iter(f'{SVG}a'))
    assert 'hidden' in device_groups(root)[0].get('class')


def test_svg_embeds_device_type_images_unless_turned_off(api, rack):
    device = put(rack, 3, 'imaged')
    DeviceType.objects.filter(pk=device.device_type_id).update(front_image='devicetype-images/front.png',
                                                              rear_image='devicetype-images/rear.png')
    root = svg_of(api.get(elevation_url(rack), {'render': 'svg'}))
    images = [image.get('href') for image in root.iter(f'{SVG}image')]
    assert len(images) == 1 and images[0].endswith('devicetype-images/front.png')
    rear = svg_of(api.get(elevation_url(rack), {'render': 'svg', 'face': 'rear'}))
    assert next(rear.iter(f'{SVG}image')).get(XLINK_HREF).endswith('devicetype-images/rear.png')
    plain = svg_of(api.get(elevation_url(rack), {'render': 'svg', 'include_images': 'false'}))
    assert not list(plain.iter(f'{SVG}image'))


def test_svg_legend_names_roles_and_reservations(api, rack, role, superuser):
    put(rack, 3, 'core-1', role=role)
    RackReservation.objects.create(rack=rack, units=[9], user=superuser)
    without = svg_of(api.get(elevation_url(rack), {'render': 'svg'}))
    root = svg_of(api.get(elevation_url(rack), {'render': 'svg', 'legend': 'true'}))
    items = [''.join(g.itertext()) for g in root.iter(f'{SVG}g') if g.get('class') == 'legend-item']
    assert items == ['Core', 'Reserved']
    assert not [g for g in without.iter(f'{SVG}g') if g.get('class') == 'legend-item']


def test_svg_of_a_descending_rack_puts_the_first_unit_on_top(api, site):
    rack = make(Rack, site=site, name='RD', u_height=4, desc_units=True)
    root = svg_of(api.get(elevation_url(rack), {'render': 'svg'}))
    slots = [r for r in root.iter(f'{SVG}rect') if r.get('class') == 'slot']
    by_y = sorted(slots, key=lambda r: float(r.get('y')))
    assert [int(r.get('data-unit')) for r in by_y] == [1, 2, 3, 4]


def test_svg_of_a_hidden_rack_is_a_json_404(plain_user, rack):
    grant(plain_user, Rack, ['view'], constraints={'name': 'other'})
    response = client_for(plain_user).get(elevation_url(rack), {'render': 'svg'})
    assert response.status_code == 404
    assert response['Content-Type'].startswith('application/json')


def test_svg_query_count_is_the_same_for_2_and_20_devices(api, site, superuser):
    small, large = make(Rack, site=site, name='small'), make(Rack, site=site, name='large')
    for rack in (small, large):
        RackReservation.objects.create(rack=rack, units=[42], user=superuser)
    for position in range(1, 3):
        put(small, position, f's{position}')
    for position in range(1, 21):
        put(large, position * 2, f'l{position}', role=make(DeviceRole))
    few, _ = counted_get(api, elevation_url(small), {'render': 'svg'})
    many, response = counted_get(api, elevation_url(large), {'render': 'svg'})
    assert len(device_groups(ET.fromstring(response.content))) == 20
    assert many == few


def test_svg_query_count_is_constant_for_a_constrained_user(plain_user, site):
    grant(plain_user, Rack, ['view'])
    grant(plain_user, Device, ['view'], constraints={'name__startswith': 'l1'})
    client = client_for(plain_user)
    rack = make(Rack, site=site, name='large')
    put(rack, 1, 'l1')
    few, _ = counted_get(client, elevation_url(rack), {'render': 'svg'})
    for position in range(2, 21):
        put(rack, position, f'l{position}')
    many, response = counted_get(client, elevation_url(rack), {'render': 'svg'})
    hidden = [g for g in device_groups(ET.fromstring(response.content)) if 'hidden' in g.get('class')]
    assert len(hidden) == 9  # l2..l9 and l20 are outside the constraint
    assert many == few


# UI

def test_rack_declaration_routes_the_elevation_and_adds_the_panel():
    declaration = registry.get(Rack)
    assert any(name == 'elevation' for _, _, name in declaration.api_routes)
    assert 'dcim/rack_elevations.html' in declaration.detail_templates


def test_elevation_panel_embeds_both_faces(rack):
    html = render_to_string('dcim/rack_elevations.html', {'object': rack})
    for face in ('front', 'rear'):
        assert f'data="/api/dcim/racks/{rack.pk}/elevation/?face={face}&amp;render=svg"' in html
