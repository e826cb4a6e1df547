"""Cable paths across circuits: interface -> cable -> termination A -> circuit -> termination Z -> cable ->
interface, through patch panels; paths ending at a provider network; retracing when a termination moves or goes."""
import pytest
from django.contrib.contenttypes.models import ContentType

from circuits.models import Circuit, CircuitTermination, ProviderNetwork
from dcim.models import Interface, Site
from dcim.tests.test_cables import connect, endpoints_of, interface, patch_panel
from netbox.testing import make

pytestmark = pytest.mark.django_db


def termination(circuit, side, target=None):
    target = target or make(Site)
    return CircuitTermination.objects.create(circuit=circuit, term_side=side,
                                             termination_type=ContentType.objects.get_for_model(target),
                                             termination_id=target.pk)


@pytest.fixture
def across():
    """left -> panel1 front/rear -> term A == circuit == term Z -> panel2 rear/front -> right."""
    circuit = make(Circuit)
    a, z = termination(circuit, 'A'), termination(circuit, 'Z')
    left, right = interface(name='left'), interface(name='right')
    (front1,), rear1 = patch_panel()
    (front2,), rear2 = patch_panel()
    connect(left, front1)
    connect(rear1, a)
    connect(z, rear2)
    connect(front2, right)
    return circuit, a, z, left, right


def test_trace_crosses_the_circuit_through_patch_panels(across, api):
    circuit, a, z, left, right = across
    assert endpoints_of(left) == [right]
    assert endpoints_of(right) == [left]
    path = Interface.objects.get(pk=left.pk)._path
    assert path.is_complete and path.is_active
    trace = api.get(f'/api/dcim/interfaces/{left.pk}/trace/').json()
    # (left, front1), (rear1, A), (Z, rear2), (front2, right)
    assert len(trace) == 4
    assert trace[1][2][0]['id'] == a.pk and trace[2][0][0]['id'] == z.pk
    assert trace[-1][2][0]['id'] == right.pk


def test_circuit_termination_paths_endpoint(across, api):
    circuit, a, z, left, right = across
    paths = api.get(f'/api/circuits/circuit-terminations/{a.pk}/paths/').json()
    ends = {(p['origin']['id'], p['destination']['id']) for p in paths}
    assert ends == {(left.pk, right.pk), (right.pk, left.pk)}


def test_circuit_shows_its_terminations(across, api):
    circuit, a, z, left, right = across
    row = api.get(f'/api/circuits/circuits/{circuit.pk}/').json()
    assert row['termination_a']['id'] == a.pk and row['termination_z']['id'] == z.pk
    row = api.get(f'/api/circuits/circuit-terminations/{a.pk}/').json()
    assert row['link_peers_type'] == 'dcim.rearport' and row['cable'] is not None and row['_occupied'] is True


def test_path_ends_at_a_provider_network(api):
    circuit = make(Circuit)
    network = make(ProviderNetwork)
    a = termination(circuit, 'A')
    termination(circuit, 'Z', network)
    left = interface(name='left')
    connect(left, a)
    assert endpoints_of(left) == [network]
    row = api.get(f'/api/dcim/interfaces/{left.pk}/').json()
    assert row['connected_endpoints_type'] == 'circuits.providernetwork'
    trace = api.get(f'/api/dcim/interfaces/{left.pk}/trace/').json()
    assert trace[-1][1] is None and trace[-1][2][0]['id'] == network.pk


def test_path_without_peer_termination_is_incomplete():
    circuit = make(Circuit)
    left = interface(name='left')
    connect(left, termination(circuit, 'A'))
    assert endpoints_of(left) == []


def test_deleting_a_termination_retraces(across):
    circuit, a, z, left, right = across
    z.delete()
    assert endpoints_of(left) == []
    assert Circuit.objects.get(pk=circuit.pk).termination_z_id is None


def test_moving_a_termination_to_another_circuit_retraces(across):
    circuit, a, z, left, right = across
    other = make(Circuit, provider=circuit.provider)
    z.circuit = other
    z.save()
    assert endpoints_of(left) == []
    assert Circuit.objects.get(pk=other.pk).termination_z_id == z.pk
    z.circuit = circuit
    z.save()
    assert endpoints_of(left) == [right]


def test_adding_the_missing_termination_completes_the_path():
    circuit = make(Circuit)
    left, right = interface(name='left'), interface(name='right')
    connect(left, termination(circuit, 'A'))
    z = termination(circuit, 'Z')
    connect(z, right)
    assert endpoints_of(left) == [right] and endpoints_of(right) == [left]


def test_term_side_is_unique_per_circuit(api):
    circuit = make(Circuit)
    termination(circuit, 'A')
    response = api.post('/api/circuits/circuit-terminations/', {'circuit': circuit.pk, 'term_side': 'A'},
                        format='json')
    assert response.status_code == 400


def test_trace_page_draws_the_circuit(across, admin_client):
    circuit, a, z, left, right = across
    page = admin_client.get(f'/dcim/interfaces/{left.pk}/trace/').content.decode()
    assert f'Circuit {circuit.cid}' in page and 'right' in page
    page = admin_client.get(f'/circuits/circuit-terminations/{a.pk}/trace/')
    assert page.status_code == 200


def test_trace_page_ends_at_the_provider_network(admin_client):
    circuit, network = make(Circuit), make(ProviderNetwork)
    a = termination(circuit, 'A')
    termination(circuit, 'Z', network)
    left = interface(name='left')
    connect(left, a)
    page = admin_client.get(f'/dcim/interfaces/{left.pk}/trace/').content.decode()
    assert network.name in page


def test_circuit_page_lists_its_terminations(across, admin_client):
    circuit, a, z, left, right = across
    page = admin_client.get(f'/circuits/circuits/{circuit.pk}/').content.decode()
    assert page.count('Termination') >= 2
