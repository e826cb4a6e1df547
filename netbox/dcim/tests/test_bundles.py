"""Cable bundles, the connectors and positions a cable's profile gives its terminations, and an interface's MAC
addresses."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dcim.models import Cable, CableBundle, CableTermination, Device, Interface, MACAddress, RearPort
from dcim.tests.test_cables import connect, interface, terms
from netbox.testing import make

pytestmark = pytest.mark.django_db


def test_bundle_crud_and_cable_count(api):
    response = api.post('/api/dcim/cable-bundles/', {'name': 'Trunk A', 'description': 'row 1'}, format='json')
    assert response.status_code == 201, response.content
    bundle_id = response.data['id']
    a, b = interface(name='a'), interface(name='b')
    cable = api.post('/api/dcim/cables/', {'a_terminations': terms(a), 'b_terminations': terms(b),
                                           'bundle': bundle_id}, format='json')
    assert cable.status_code == 201, cable.content
    assert cable.data['bundle']['id'] == bundle_id and cable.data['bundle']['name'] == 'Trunk A'
    assert api.get(f'/api/dcim/cable-bundles/{bundle_id}/').data['cable_count'] == 1
    assert api.patch(f'/api/dcim/cable-bundles/{bundle_id}/', {'name': 'Trunk B'}, format='json').status_code == 200
    assert api.delete(f'/api/dcim/cable-bundles/{bundle_id}/').status_code == 204
    # Deleting a bundle keeps its cables.
    assert Cable.objects.get(pk=cable.data['id']).bundle_id is None


def test_bundle_name_is_unique(api):
    CableBundle.objects.create(name='dup')
    response = api.post('/api/dcim/cable-bundles/', {'name': 'dup'}, format='json')
    assert response.status_code == 400 and 'name' in response.data


def test_cables_filter_by_bundle_id_and_name(api):
    bundle, other = CableBundle.objects.create(name='north'), CableBundle.objects.create(name='south')
    in_bundle = connect(interface(name='a'), interface(name='b'), bundle=bundle)
    in_other = connect(interface(name='c'), interface(name='d'), bundle=other)
    loose = connect(interface(name='e'), interface(name='f'))

    def ids(**params):
        return {row['id'] for row in api.get('/api/dcim/cables/', params).data['results']}

    assert ids(bundle_id=bundle.pk) == {in_bundle.pk}
    assert ids(bundle='south') == {in_other.pk}
    assert ids(bundle_id__n=bundle.pk) == {in_other.pk, loose.pk}
    assert ids(bundle_id='null') == {loose.pk}


def _rows(cable):
    return {(row.cable_end, row.termination_id): (row.connector, tuple(row.positions or ()) or None)
            for row in CableTermination.objects.filter(cable=cable)}


def test_trunk_profile_numbers_connectors_in_order(api):
    device = make(Device)
    a = [interface(device, f'a{n}') for n in range(2)]
    far = make(Device)
    b = [interface(far, f'b{n}') for n in range(2)]
    response = api.post('/api/dcim/cables/', {'a_terminations': terms(*a), 'b_terminations': terms(*b),
                                              'profile': 'trunk-2c4p'}, format='json')
    assert response.status_code == 201, response.content
    rows = api.get('/api/dcim/cable-terminations/', {'cable_id': response.data['id']}).data['results']
    placed = {(row['cable_end'], row['termination_id']): (row['connector'], row['positions']) for row in rows}
    assert placed == {('A', a[0].pk): (1, [1, 2, 3, 4]), ('A', a[1].pk): (2, [1, 2, 3, 4]),
                      ('B', b[0].pk): (1, [1, 2, 3, 4]), ('B', b[1].pk): (2, [1, 2, 3, 4])}


def test_breakout_profile_gives_each_end_its_own_connectors():
    rear = RearPort.objects.create(device=make(Device), name='mpo', type='mpo', positions=4)
    server = make(Device, name='srv')
    lanes = [interface(server, f'eth{n}') for n in range(4)]
    cable = connect(rear, lanes, profile='breakout-1c4p-4c1p')
    rows = _rows(cable)
    assert rows[('A', rear.pk)] == (1, (1, 2, 3, 4))
    assert [rows[('B', lane.pk)] for lane in lanes] == [(1, (1,)), (2, (1,)), (3, (1,)), (4, (1,))]


def test_cable_without_profile_has_no_connectors():
    cable = connect(interface(name='a'), interface(name='b'))
    assert set(_rows(cable).values()) == {(None, None)}


def test_more_terminations_than_connectors_is_refused(api):
    device = make(Device)
    a = [interface(device, f'a{n}') for n in range(2)]
    far = make(Device)
    b = [interface(far, f'b{n}') for n in range(2)]
    response = api.post('/api/dcim/cables/', {'a_terminations': terms(*a), 'b_terminations': terms(*b),
                                              'profile': 'single-1c2p'}, format='json')
    assert response.status_code == 400
    assert 'a_terminations' in response.data and 'single-1c2p' in str(response.data['a_terminations'])
    assert not Cable.objects.exists()


def test_profile_change_moves_connectors(api):
    cable = connect(interface(name='a'), interface(name='b'))
    response = api.patch(f'/api/dcim/cables/{cable.pk}/', {'profile': 'single-1c2p'}, format='json')
    assert response.status_code == 200, response.content
    assert set(_rows(cable).values()) == {(1, (1, 2))}
    api.patch(f'/api/dcim/cables/{cable.pk}/', {'profile': None}, format='json')
    assert set(_rows(cable).values()) == {(None, None)}


def test_components_filter_by_cable_connector(api):
    device = make(Device)
    a = [interface(device, f'a{n}') for n in range(2)]
    far = make(Device)
    b = [interface(far, f'b{n}') for n in range(2)]
    connect(a, b, profile='trunk-2c1p')
    loose = interface(device, 'loose')

    def names(**params):
        params['device_id'] = device.pk
        return sorted(row['name'] for row in api.get('/api/dcim/interfaces/', params).data['results'])

    assert names(cable_connector=2) == ['a1']
    assert names(cable_connector__n=2) == ['a0', 'loose']
    assert names(cable_connector__gte=1) == ['a0', 'a1']
    assert names(cable_connector__empty='true') == [loose.name]


def test_interface_lists_its_mac_addresses(api):
    eth = interface(name='eth0')
    first = MACAddress.objects.create(mac_address='02:00:00:00:00:01', assigned_object=eth)
    second = MACAddress.objects.create(mac_address='02:00:00:00:00:02', assigned_object=eth)
    MACAddress.objects.create(mac_address='02:00:00:00:00:03')
    eth.primary_mac_address = first
    eth.save()
    row = api.get(f'/api/dcim/interfaces/{eth.pk}/').data
    assert [mac['id'] for mac in row['mac_addresses']] == [first.pk, second.pk]
    assert row['mac_addresses'][0]['mac_address'] == '02:00:00:00:00:01'
    assert row['mac_address'] == '02:00:00:00:00:01'


def test_interface_list_reads_mac_addresses_in_constant_queries(api):
    device = make(Device)

    def add(count, start):
        interfaces = Interface.objects.bulk_create(
            [Interface(device=device, name=f'eth{start + n}', type='1000base-t') for n in range(count)])
        for n, eth in enumerate(interfaces):
            MACAddress.objects.create(mac_address=f'02:00:00:00:{(start + n) // 256:02X}:{(start + n) % 256:02X}',
                                      assigned_object=eth)

    def queries():
        api.get('/api/dcim/interfaces/', {'limit': 1000})
        with CaptureQueriesContext(connection) as context:
            response = api.get('/api/dcim/interfaces/', {'limit': 1000})
        assert all(len(row['mac_addresses']) == 1 for row in response.data['results'])
        return len([q for q in context.captured_queries if 'core_configrevision' not in q['sql']
                    and 'UPDATE "users_token"' not in q['sql']])

    add(10, 0)
    few = queries()
    add(90, 10)
    assert queries() == few


def test_bundle_list_query_count_is_constant(api):
    def add(count, start):
        bundles = CableBundle.objects.bulk_create([CableBundle(name=f'b{start + n}') for n in range(count)])
        for n, bundle in enumerate(bundles[:3]):
            connect(interface(name=f'x{start + n}'), interface(name=f'y{start + n}'), bundle=bundle)

    def queries():
        api.get('/api/dcim/cable-bundles/', {'limit': 1000})
        with CaptureQueriesContext(connection) as context:
            assert api.get('/api/dcim/cable-bundles/', {'limit': 1000}).status_code == 200
        return len([q for q in context.captured_queries if 'core_configrevision' not in q['sql']
                    and 'UPDATE "users_token"' not in q['sql']])

    add(10, 0)
    few = queries()
    add(200, 10)
    assert queries() == few
