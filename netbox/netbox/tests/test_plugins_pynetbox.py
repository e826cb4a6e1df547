"""pynetbox against a live server with the test plugins installed: `nb.plugins.<app>.<endpoint>` and the list of
installed plugins work as they do against NetBox."""
import pynetbox
import pytest

from netbox.testing import make_token
from netbox.tests.gizmo_plugin.models import Gizmo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nb(live_server, superuser):
    return pynetbox.api(live_server.url, token=make_token(superuser, version=2).token_value)


def test_plugin_endpoints_through_pynetbox(nb):
    installed = {plugin['name']: plugin for plugin in nb.plugins.installed_plugins()}
    assert installed['netbox.tests.gizmo_plugin']['version'] == '1.2.0'
    assert nb.status()['plugins']['netbox.tests.gizmo_plugin'] == '1.2.0'

    created = nb.plugins.gizmos.gizmos.create(name='Fan tray', kind='fan', part_number='FT-1')
    assert created.kind.value == 'fan' and Gizmo.objects.get(pk=created.id).part_number == 'FT-1'
    nb.plugins.gizmos.gizmos.create([{'name': 'SFP', 'kind': 'optic'}, {'name': 'Probe'}])
    assert nb.plugins.gizmos.gizmos.count() == 3
    assert [gizmo.name for gizmo in nb.plugins.gizmos.gizmos.filter(name__ic='tray')] == ['Fan tray']

    fetched = nb.plugins.gizmos.gizmos.get(name='Fan tray')
    fetched.description = 'Two fans'
    assert fetched.save() is True
    assert Gizmo.objects.get(pk=created.id).description == 'Two fans'
    assert fetched.delete() is True
    assert nb.plugins.gizmos.gizmos.count() == 2
    assert nb.plugins.widgets.widgets.count() == 0
