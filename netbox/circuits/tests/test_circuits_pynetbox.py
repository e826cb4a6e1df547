"""pynetbox against a live server: CRUD on circuits and terminations, a termination's trace() and paths()."""
import pynetbox
import pytest

from circuits.models import CircuitType, Provider
from circuits.tests.test_circuit_paths import termination
from dcim.models import Site
from dcim.tests.test_cables import connect, interface
from netbox.testing import make, make_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nb(live_server, superuser):
    return pynetbox.api(live_server.url, token=make_token(superuser).token_value)


def test_circuit_and_termination_crud(nb):
    provider, ctype, site = make(Provider), make(CircuitType), make(Site)
    circuit = nb.circuits.circuits.create(cid='C-100', provider=provider.pk, type=ctype.pk, commit_rate=1000)
    assert circuit.status.value == 'active' and circuit.provider.id == provider.pk
    end = nb.circuits.circuit_terminations.create(circuit=circuit.id, term_side='A', termination_type='dcim.site',
                                                  termination_id=site.pk, port_speed=10000)
    assert end.termination.id == site.pk
    assert nb.circuits.circuits.get(circuit.id).termination_a.id == end.id
    end.xconnect_id = 'XC-1'
    assert end.save()
    assert nb.circuits.circuit_terminations.get(end.id).xconnect_id == 'XC-1'
    circuit = nb.circuits.circuits.get(circuit.id)
    circuit.description = 'uplink'
    assert circuit.save()
    assert [c.description for c in nb.circuits.circuits.filter(site_id=site.pk)] == ['uplink']
    assert end.delete()
    assert nb.circuits.circuits.get(circuit.id).termination_a is None
    assert circuit.delete()


def test_termination_paths(nb):
    from circuits.models import Circuit

    circuit = make(Circuit)
    a, z = termination(circuit, 'A'), termination(circuit, 'Z')
    left, right = interface(name='left'), interface(name='right')
    connect(left, a)
    connect(z, right)
    hops = nb.dcim.interfaces.get(left.pk).trace()
    assert [t.id for t in hops[0]] == [left.pk]
    assert [t.id for t in hops[2]] == [a.pk] and [t.id for t in hops[3]] == [z.pk]  # left, cable, A, Z, ...
    assert [t.id for t in hops[-1]] == [right.pk]
    paths = nb.circuits.circuit_terminations.get(z.pk).paths()
    assert {(p['origin'].id, p['destination'].id) for p in paths} == {(left.pk, right.pk), (right.pk, left.pk)}
