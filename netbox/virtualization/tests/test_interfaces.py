"""VM interfaces follow the VLAN rules of device interfaces; their addresses make a VM's primary IPs."""
import pytest

from dcim.models import Site
from ipam.models import VLAN, IPAddress
from virtualization.models import VirtualMachine, VMInterface

pytestmark = pytest.mark.django_db
URL = '/api/virtualization/interfaces/'


@pytest.fixture
def vm(cluster):
    return VirtualMachine.objects.create(name='vm1', cluster=cluster)


def test_untagged_vlan_of_another_site_is_refused(api, vm):
    elsewhere = Site.objects.create(name='Far', slug='far')
    vlan = VLAN.objects.create(vid=10, name='v10', site=elsewhere)
    response = api.post(URL, {'virtual_machine': vm.pk, 'name': 'eth0', 'mode': 'access', 'untagged_vlan': vlan.pk},
                        format='json')
    assert response.status_code == 400
    assert 'untagged_vlan' in response.json()


def test_untagged_vlan_of_the_site_is_accepted(api, vm, site):
    vlan = VLAN.objects.create(vid=10, name='v10', site=site)
    response = api.post(URL, {'virtual_machine': vm.pk, 'name': 'eth0', 'mode': 'access', 'untagged_vlan': vlan.pk},
                        format='json')
    assert response.status_code == 201, response.content
    assert response.json()['untagged_vlan']['id'] == vlan.pk


def test_tagged_vlans_need_tagged_mode(api, vm):
    vlan = VLAN.objects.create(vid=20, name='v20')
    response = api.post(URL, {'virtual_machine': vm.pk, 'name': 'eth0', 'mode': 'access', 'tagged_vlans': [vlan.pk]},
                        format='json')
    assert response.status_code == 400
    assert 'tagged_vlans' in response.json()


def test_leaving_tagged_mode_drops_tagged_vlans(api, vm):
    vlan = VLAN.objects.create(vid=20, name='v20')
    response = api.post(URL, {'virtual_machine': vm.pk, 'name': 'eth0', 'mode': 'tagged', 'tagged_vlans': [vlan.pk]},
                        format='json')
    assert response.status_code == 201, response.content
    pk = response.json()['id']
    response = api.patch(f'{URL}{pk}/', {'mode': 'access'}, format='json')
    assert response.status_code == 200
    assert response.json()['tagged_vlans'] == []


def test_parent_on_another_vm_is_refused(api, vm, cluster):
    other = VirtualMachine.objects.create(name='vm2', cluster=cluster)
    foreign = VMInterface.objects.create(virtual_machine=other, name='eth0')
    response = api.post(URL, {'virtual_machine': vm.pk, 'name': 'eth0.1', 'parent': foreign.pk}, format='json')
    assert response.status_code == 400
    assert 'parent' in response.json()


def test_mac_address_makes_the_primary_mac(api, vm):
    response = api.post(URL, {'virtual_machine': vm.pk, 'name': 'eth0', 'mac_address': '00:11:22:33:44:55'},
                        format='json')
    assert response.status_code == 201, response.content
    assert response.json()['mac_address'] == '00:11:22:33:44:55'
    assert response.json()['primary_mac_address']['mac_address'] == '00:11:22:33:44:55'
    macs = api.get('/api/dcim/mac-addresses/', {'virtual_machine_id': vm.pk}).json()
    assert macs['count'] == 1


def test_primary_ip_must_be_on_the_vm(api, vm, cluster):
    other = VirtualMachine.objects.create(name='vm2', cluster=cluster)
    interface = VMInterface.objects.create(virtual_machine=other, name='eth0')
    ip = IPAddress.objects.create(address='192.0.2.1/24', assigned_object=interface)
    response = api.patch(f'/api/virtualization/virtual-machines/{vm.pk}/', {'primary_ip4': ip.pk}, format='json')
    assert response.status_code == 400
    assert 'primary_ip4' in response.json()


def test_primary_ip_on_the_vm_and_filters(api, vm):
    interface = VMInterface.objects.create(virtual_machine=vm, name='eth0')
    ip = IPAddress.objects.create(address='192.0.2.1/24', assigned_object=interface)
    response = api.patch(f'/api/virtualization/virtual-machines/{vm.pk}/', {'primary_ip4': ip.pk}, format='json')
    assert response.status_code == 200, response.content
    assert response.json()['primary_ip']['id'] == ip.pk
    assert api.get('/api/ipam/ip-addresses/', {'virtual_machine_id': vm.pk}).json()['count'] == 1
    assert api.get('/api/ipam/ip-addresses/', {'vminterface_id': interface.pk}).json()['count'] == 1
    assert api.get(URL, {'virtual_machine_id': vm.pk}).json()['results'][0]['count_ipaddresses'] == 1
    # The primary IP stays on the VM: moving it away is refused.
    response = api.patch(f'/api/ipam/ip-addresses/{ip.pk}/', {'assigned_object_type': None,
                                                              'assigned_object_id': None}, format='json')
    assert response.status_code == 400


def test_vlans_available_on_a_vm(api, vm, site):
    here = VLAN.objects.create(vid=10, name='here', site=site)
    VLAN.objects.create(vid=11, name='far', site=Site.objects.create(name='Far', slug='far'))
    everywhere = VLAN.objects.create(vid=12, name='global')
    ids = {row['id'] for row in api.get('/api/ipam/vlans/', {'available_on_virtualmachine': vm.pk}).json()['results']}
    assert ids == {here.pk, everywhere.pk}


def test_vlan_group_scoped_to_the_cluster_serves_its_vms(api, vm, cluster):
    response = api.post('/api/ipam/vlan-groups/', {'name': 'kvm', 'slug': 'kvm', 'scope_type': 'virtualization.cluster',
                                                   'scope_id': cluster.pk}, format='json')
    assert response.status_code == 201, response.content
    group = response.json()
    assert group['scope']['id'] == cluster.pk
    assert [row['id'] for row in api.get('/api/ipam/vlan-groups/', {'cluster': cluster.pk}).json()['results']] == [
        group['id']]
    vlan = VLAN.objects.create(vid=30, name='v30', group_id=group['id'])
    response = api.post(URL, {'virtual_machine': vm.pk, 'name': 'eth0', 'mode': 'access', 'untagged_vlan': vlan.pk},
                        format='json')
    assert response.status_code == 201, response.content


def test_vlan_group_of_a_cluster_follows_the_cluster_scope(api, cluster, site, other_site):
    from django.contrib.contenttypes.models import ContentType

    from ipam.models import VLANGroup
    from virtualization.models import Cluster

    group = VLANGroup(name='kvm', slug='kvm', scope_type=ContentType.objects.get_for_model(Cluster),
                      scope_id=cluster.pk)
    group.save()
    assert group._site_id == site.pk
    response = api.patch(f'/api/virtualization/clusters/{cluster.pk}/', {'scope_id': other_site.pk}, format='json')
    assert response.status_code == 200, response.content
    group.refresh_from_db()
    assert group._site_id == other_site.pk
