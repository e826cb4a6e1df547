"""Cables: termination rules, precomputed paths through patch panels, trace and paths endpoints."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dcim.models import Cable, CablePath, ConsolePort, Device, FrontPort, Interface, PortMapping, RearPort
from netbox.testing import make

pytestmark = pytest.mark.django_db
CABLES = '/api/dcim/cables/'


def interface(device=None, name='eth0', type_='1000base-t'):
    return Interface.objects.create(device=device or make(Device, name=f'dev-{name}'), name=name, type=type_)


def patch_panel(positions=1):
    """A panel with one rear port and `positions` front ports mapped to it."""
    device = make(Device)
    rear = RearPort.objects.create(device=device, name='rear', type='lc', positions=positions)
    fronts = []
    for position in range(1, positions + 1):
        front = FrontPort.objects.create(device=device, name=f'front{position}', type='lc')
        PortMapping.objects.create(front_port=front, rear_port=rear, rear_port_position=position)
        fronts.append(front)
    return fronts, rear


def terms(*objects):
    return [{'object_type': obj._meta.label_lower, 'object_id': obj.pk} for obj in objects]


def connect(a, b, **attrs):
    cable = Cable(**attrs)
    cable.a_terminations = a if isinstance(a, list) else [a]
    cable.b_terminations = b if isinstance(b, list) else [b]
    cable.full_clean()
    cable.save()
    return cable


def endpoints_of(obj):
    obj = type(obj).objects.get(pk=obj.pk)
    return obj.connected_endpoints


def test_direct_cable_connects_both_ends(api):
    a, b = interface(name='a'), interface(name='b')
    response = api.post(CABLES, {'a_terminations': terms(a), 'b_terminations': terms(b), 'label': 'C1'},
                        format='json')
    assert response.status_code == 201, response.content
    assert response.data['a_terminations'][0]['object']['name'] == 'a'
    assert endpoints_of(a) == [b] and endpoints_of(b) == [a]
    row = api.get(f'/api/dcim/interfaces/{a.pk}/').data
    assert row['cable']['id'] == response.data['id'] and row['cable_end'] == 'A'
    assert row['link_peers'][0]['id'] == b.pk and row['link_peers_type'] == 'dcim.interface'
    assert row['connected_endpoints'][0]['id'] == b.pk and row['connected_endpoints_reachable'] is True
    assert row['_occupied'] is True


def test_path_through_patch_panels_in_both_directions(patched):
    left, right, _ = patched
    assert endpoints_of(left) == [right]
    assert endpoints_of(right) == [left]
    path = Interface.objects.get(pk=left.pk)._path
    assert path.is_complete and path.is_active and len(path.path) == 9


def test_deleting_the_middle_cable_updates_both_ends(patched, api):
    left, right, cables = patched
    assert api.delete(f'{CABLES}{cables[1].pk}/').status_code == 204
    assert endpoints_of(left) == [] and endpoints_of(right) == []
    left_path = Interface.objects.get(pk=left.pk)._path
    assert left_path is not None and not left_path.is_complete
    assert RearPort.objects.filter(cable__isnull=False).count() == 0


def test_reconnecting_completes_the_path_again(patched):
    left, right, cables = patched
    rear_a, rear_b = cables[1].a_terminations[0], cables[1].b_terminations[0]
    cables[1].delete()
    connect(RearPort.objects.get(pk=rear_a.pk), RearPort.objects.get(pk=rear_b.pk))
    assert endpoints_of(left) == [right] and endpoints_of(right) == [left]


def test_planned_cable_makes_the_path_inactive(patched):
    left, _, cables = patched
    cables[1].status = 'planned'
    cables[1].save()
    assert Interface.objects.get(pk=left.pk)._path.is_active is False


def test_multi_position_rear_ports_keep_positions_apart():
    fronts1, rear1 = patch_panel(positions=2)
    fronts2, rear2 = patch_panel(positions=2)
    a1, a2, b1, b2 = (interface(name=n) for n in ('a1', 'a2', 'b1', 'b2'))
    connect(rear1, rear2)
    connect(a1, fronts1[0])
    connect(a2, fronts1[1])
    connect(fronts2[0], b1)
    connect(fronts2[1], b2)
    assert endpoints_of(a1) == [b1] and endpoints_of(a2) == [b2]
    assert endpoints_of(b2) == [a2]


def test_incompatible_types_are_rejected(api):
    console = ConsolePort.objects.create(device=make(Device), name='con')
    eth = interface()
    response = api.post(CABLES, {'a_terminations': terms(console), 'b_terminations': terms(eth)}, format='json')
    assert response.status_code == 400
    assert 'Incompatible' in str(response.data['b_terminations'])
    assert Cable.objects.count() == 0


def test_a_termination_can_be_on_one_cable_only(api):
    a, b, c = interface(name='a'), interface(name='b'), interface(name='c')
    connect(a, b)
    response = api.post(CABLES, {'a_terminations': terms(a), 'b_terminations': terms(c)}, format='json')
    assert response.status_code == 400
    assert 'already connected' in str(response.data['a_terminations'])
    assert Cable.objects.count() == 1 and Interface.objects.get(pk=c.pk).cable is None


@pytest.mark.parametrize('kind', ['virtual', 'lag', 'ieee802.11ac'])
def test_virtual_lag_and_wireless_interfaces_cannot_be_cabled(api, kind):
    odd, plain = interface(name='odd', type_=kind), interface(name='plain')
    response = api.post(CABLES, {'a_terminations': terms(odd), 'b_terminations': terms(plain)}, format='json')
    assert response.status_code == 400
    assert 'a_terminations' in response.data
    assert Cable.objects.count() == 0


def test_one_side_must_share_one_parent(api):
    a1, a2, b = interface(name='a1'), interface(name='a2'), interface(name='b')
    response = api.post(CABLES, {'a_terminations': terms(a1, a2), 'b_terminations': terms(b)}, format='json')
    assert response.status_code == 400
    assert 'same parent' in str(response.data['a_terminations'])


def test_bulk_create_with_one_bad_cable_saves_nothing(api):
    a, b, c = interface(name='a'), interface(name='b'), interface(name='c')
    payload = [{'a_terminations': terms(a), 'b_terminations': terms(b)},
               {'a_terminations': terms(a), 'b_terminations': terms(c)}]
    assert api.post(CABLES, payload, format='json').status_code == 400
    assert Cable.objects.count() == 0
    assert not Interface.objects.filter(cable__isnull=False).exists()
    assert not CablePath.objects.exists()


def test_trace_returns_segments(patched, api):
    left, right, cables = patched
    trace = api.get(f'/api/dcim/interfaces/{left.pk}/trace/').data
    assert len(trace) == 3
    near, cable, far = trace[0]
    assert near[0]['id'] == left.pk and cable['id'] == cables[0].pk and far[0]['name'] == 'front1'
    assert trace[1][1]['label'] == 'trunk'
    assert trace[2][2][0]['id'] == right.pk


def test_paths_of_a_rear_port(patched, api):
    left, right, cables = patched
    rear = cables[1].a_terminations[0]
    paths = api.get(f'/api/dcim/rear-ports/{rear.pk}/paths/').data
    assert {(p['origin']['id'], p['destination']['id']) for p in paths} == {(left.pk, right.pk), (right.pk, left.pk)}


def test_connected_device(patched, api):
    left, right, _ = patched
    response = api.get('/api/dcim/connected-device/', {'peer_device': left.device.name, 'peer_interface': 'left'})
    assert response.status_code == 200, response.data
    assert response.data['id'] == right.device_id


def test_cable_terminations_endpoint_is_read_only(patched, api):
    rows = api.get('/api/dcim/cable-terminations/', {'cable_id': patched[2][0].pk}).data['results']
    assert {row['cable_end'] for row in rows} == {'A', 'B'}
    assert api.post('/api/dcim/cable-terminations/', {}, format='json').status_code == 405


def test_trace_paths_command_rebuilds_everything(patched):
    from django.core.management import call_command

    left, right, _ = patched
    CablePath.objects.all().delete()
    assert endpoints_of(left) == []
    call_command('trace_paths', no_input=True, verbosity=0)
    assert endpoints_of(left) == [right] and endpoints_of(right) == [left]


def test_listing_interfaces_with_endpoints_takes_constant_queries(api):
    def build(count):
        for _ in range(count):
            connect(interface(name='x'), interface(name='y'))

    def queries():
        api.get('/api/dcim/interfaces/', {'limit': 1})  # warm per-process and Redis caches
        with CaptureQueriesContext(connection) as context:
            assert api.get('/api/dcim/interfaces/', {'limit': 1000}).status_code == 200
        return len(context.captured_queries)

    build(2)
    few = queries()
    build(20)
    assert queries() == few
