"""pynetbox against a live server: clusters, VMs with interfaces, IP addresses and a primary IP set through the API."""
import pynetbox
import pytest

from netbox.testing import make_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nb(live_server, superuser):
    return pynetbox.api(live_server.url, token=make_token(superuser).token_value)


def test_vm_with_interfaces_and_primary_ip(nb):
    site = nb.dcim.sites.create(name='DC1', slug='dc1')
    cluster_type = nb.virtualization.cluster_types.create(name='KVM', slug='kvm')
    cluster = nb.virtualization.clusters.create(name='kvm1', type=cluster_type.id, scope_type='dcim.site',
                                                scope_id=site.id)
    vm = nb.virtualization.virtual_machines.create(name='web1', cluster=cluster.id, vcpus=2, memory=4096)
    assert vm.site.id == site.id
    eth0 = nb.virtualization.interfaces.create(virtual_machine=vm.id, name='eth0', mac_address='00:11:22:33:44:55')
    nb.virtualization.interfaces.create(virtual_machine=vm.id, name='eth1')
    ip = nb.ipam.ip_addresses.create(address='192.0.2.10/24', assigned_object_type='virtualization.vminterface',
                                     assigned_object_id=eth0.id)
    assert ip.assigned_object.virtual_machine.id == vm.id
    nb.virtualization.virtual_disks.create(virtual_machine=vm.id, name='root', size=20480)

    vm = nb.virtualization.virtual_machines.get(name='web1')
    vm.primary_ip4 = ip.id
    assert vm.save()

    fetched = nb.virtualization.virtual_machines.get(name='web1')
    assert str(fetched.primary_ip4) == '192.0.2.10/24'
    assert fetched.primary_ip.id == ip.id
    assert fetched.disk == 20480
    assert fetched.interface_count == 2
    assert [i.name for i in nb.virtualization.interfaces.filter(virtual_machine_id=vm.id)] == ['eth0', 'eth1']
    assert [str(a) for a in nb.ipam.ip_addresses.filter(virtual_machine='web1')] == ['192.0.2.10/24']
    assert nb.virtualization.clusters.get(cluster.id).virtualmachine_count == 1
