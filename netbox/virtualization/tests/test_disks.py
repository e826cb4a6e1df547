"""A VM with virtual disks has their total size as its `disk`, which then cannot be set by hand."""
import pytest

from virtualization.models import VirtualDisk, VirtualMachine

pytestmark = pytest.mark.django_db


def test_disk_is_the_sum_of_virtual_disks(api, cluster):
    vm = VirtualMachine.objects.create(name='vm1', cluster=cluster, disk=5)
    for name, size in (('a', 100), ('b', 50)):
        response = api.post('/api/virtualization/virtual-disks/', {'virtual_machine': vm.pk, 'name': name,
                                                                   'size': size}, format='json')
        assert response.status_code == 201, response.content
    assert api.get(f'/api/virtualization/virtual-machines/{vm.pk}/').json()['disk'] == 150
    disk = VirtualDisk.objects.get(name='b')
    assert api.delete(f'/api/virtualization/virtual-disks/{disk.pk}/').status_code == 204
    assert api.get(f'/api/virtualization/virtual-machines/{vm.pk}/').json()['disk'] == 100


def test_disk_cannot_be_set_against_virtual_disks(api, cluster):
    vm = VirtualMachine.objects.create(name='vm1', cluster=cluster)
    VirtualDisk.objects.create(virtual_machine=vm, name='a', size=100)
    response = api.patch(f'/api/virtualization/virtual-machines/{vm.pk}/', {'disk': 7}, format='json')
    assert response.status_code == 400
    assert 'disk' in response.json()


def test_disk_is_free_without_virtual_disks(api, cluster):
    vm = VirtualMachine.objects.create(name='vm1', cluster=cluster)
    response = api.patch(f'/api/virtualization/virtual-machines/{vm.pk}/', {'disk': 7}, format='json')
    assert response.status_code == 200
    assert response.json()['disk'] == 7
