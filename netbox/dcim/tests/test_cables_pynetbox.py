"""pynetbox's trace(), paths() and cable str() against a live server."""
import pynetbox
import pytest

from dcim.tests.test_cables import interface
from netbox.testing import make_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nb(live_server, superuser):
    return pynetbox.api(live_server.url, token=make_token(superuser).token_value)


def test_interface_trace(nb, patched):
    left, right, *_ = patched
    hops = nb.dcim.interfaces.get(left.pk).trace()
    assert len(hops) == 9
    assert [t.id for t in hops[0]] == [left.pk]
    assert hops[4].label == 'trunk'
    assert [t.id for t in hops[-1]] == [right.pk]
    assert type(hops[-1][0]).__name__ == 'Interfaces'


def test_rear_port_paths(nb, patched):
    left, right, cables = patched
    rear1 = cables[1].a_terminations[0]
    paths = nb.dcim.rear_ports.get(rear1.pk).paths()
    assert {(p['origin'].id, p['destination'].id) for p in paths} == {(left.pk, right.pk), (right.pk, left.pk)}


def test_front_port_paths(nb, patched):
    left, right, cables = patched
    front1 = cables[0].b_terminations[0]
    assert len(nb.dcim.front_ports.get(front1.pk).paths()) == 2


def test_cable_str_and_connected_endpoints(nb, patched):
    left, right, cables = patched
    cable = nb.dcim.cables.get(cables[1].pk)
    assert str(cable) == f'{cable.a_terminations[0]} <> {cable.b_terminations[0]}'
    assert nb.dcim.interfaces.get(left.pk).connected_endpoints[0].id == right.pk


def test_create_cable_with_pynetbox(nb):
    a, b = interface(name='a'), interface(name='b')
    cable = nb.dcim.cables.create(a_terminations=[{'object_type': 'dcim.interface', 'object_id': a.pk}],
                                  b_terminations=[{'object_type': 'dcim.interface', 'object_id': b.pk}],
                                  label='new')
    assert cable.label == 'new'
    assert nb.dcim.interfaces.get(a.pk).connected_endpoints[0].id == b.pk
