"""pynetbox's trace(), paths() and cable str() against a live server."""
import pynetbox
import pytest

from dcim.tests.test_cables import connect, interface, patch_panel
from netbox.testing import make_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nb(live_server, superuser):
    return pynetbox.api(live_server.url, token=make_token(superuser).token_value)


@pytest.fixture
def patched():
    left, right = interface(name='left'), interface(name='right')
    (front1,), rear1 = patch_panel()
    (front2,), rear2 = patch_panel()
    cables = [connect(left, front1), connect(rear1, rear2, label='trunk'), connect(front2, right)]
    return left, right, front1, rear1, cables


def test_interface_trace(nb, patched):
    left, right, *_ = patched
    hops = nb.dcim.interfaces.get(left.pk).trace()
    assert len(hops) == 9
    assert [t.id for t in hops[0]] == [left.pk]
    assert hops[4].label == 'trunk'
    assert [t.id for t in hops[-1]] == [right.pk]
    assert type(hops[-1][0]).__name__ == 'Interfaces'


def test_rear_port_paths(nb, patched):
    left, right, _, rear1, _ = patched
    paths = nb.dcim.rear_ports.get(rear1.pk).paths()
    assert {(p['origin'].id, p['destination'].id) for p in paths} == {(left.pk, right.pk), (right.pk, left.pk)}


def test_front_port_paths(nb, patched):
    left, right, front1, _, _ = patched
    assert len(nb.dcim.front_ports.get(front1.pk).paths()) == 2


def test_cable_str_and_connected_endpoints(nb, patched):
    left, right, *_, cables = patched
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
