"""A VM's site, cluster and host device must agree; each refusal is a 400 naming the field."""
import pytest

from dcim.models import Device
from netbox.testing import make
from virtualization.models import VirtualMachine

pytestmark = pytest.mark.django_db
URL = '/api/virtualization/virtual-machines/'


def test_vm_without_cluster_or_site_is_refused_on_cluster(api):
    response = api.post(URL, {'name': 'vm1'}, format='json')
    assert response.status_code == 400
    assert 'cluster' in response.json()


def test_vm_at_another_site_than_its_cluster_is_refused_on_cluster(api, cluster, other_site):
    response = api.post(URL, {'name': 'vm1', 'cluster': cluster.pk, 'site': other_site.pk}, format='json')
    assert response.status_code == 400
    assert 'cluster' in response.json()


def test_vm_in_a_site_cluster_takes_the_cluster_site(api, cluster, site):
    response = api.post(URL, {'name': 'vm1', 'cluster': cluster.pk}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['site']['id'] == site.pk


def test_host_device_without_cluster_is_refused_on_device(api, site):
    device = make(Device, site=site)
    response = api.post(URL, {'name': 'vm1', 'site': site.pk, 'device': device.pk}, format='json')
    assert response.status_code == 400
    assert 'device' in response.json()


def test_host_device_outside_the_cluster_is_refused_on_device(api, cluster, site):
    device = make(Device, site=site)
    response = api.post(URL, {'name': 'vm1', 'cluster': cluster.pk, 'device': device.pk}, format='json')
    assert response.status_code == 400
    assert 'device' in response.json()


def test_host_device_of_the_cluster_is_accepted(api, cluster, site):
    device = make(Device, site=site)
    assert api.patch(f'/api/dcim/devices/{device.pk}/', {'cluster': cluster.pk}, format='json').status_code == 200
    response = api.post(URL, {'name': 'vm1', 'cluster': cluster.pk, 'device': device.pk}, format='json')
    assert response.status_code == 201, response.content


def test_device_at_another_site_than_its_cluster_is_refused_on_cluster(api, cluster, other_site):
    device = make(Device, site=other_site)
    response = api.patch(f'/api/dcim/devices/{device.pk}/', {'cluster': cluster.pk}, format='json')
    assert response.status_code == 400
    assert 'cluster' in response.json()


def test_vm_name_is_unique_in_its_cluster(api, cluster):
    VirtualMachine.objects.create(name='vm1', cluster=cluster)
    response = api.post(URL, {'name': 'VM1', 'cluster': cluster.pk}, format='json')
    assert response.status_code == 400


def test_vm_type_gives_its_defaults(api, cluster):
    from virtualization.models import VirtualMachineType

    vm_type = VirtualMachineType.objects.create(name='small', slug='small', default_vcpus=2, default_memory=2048)
    response = api.post(URL, {'name': 'vm1', 'cluster': cluster.pk, 'virtual_machine_type': vm_type.pk},
                        format='json')
    assert response.status_code == 201, response.content
    assert response.json()['vcpus'] == 2
    assert response.json()['memory'] == 2048


def test_cluster_allocations_sum_its_vms(api, cluster):
    VirtualMachine.objects.create(name='a', cluster=cluster, vcpus='1.5', memory=1024, disk=10)
    VirtualMachine.objects.create(name='b', cluster=cluster, vcpus=2, memory=512)
    body = api.get(f'/api/virtualization/clusters/{cluster.pk}/').json()
    assert (body['allocated_vcpus'], body['allocated_memory'], body['allocated_disk']) == (3.5, 1536, 10)
    assert body['virtualmachine_count'] == 2


def test_devices_filter_by_cluster_and_cluster_group(api, cluster, site):
    from virtualization.models import ClusterGroup

    group = ClusterGroup.objects.create(name='g', slug='g')
    cluster.group = group
    cluster.save()
    host, other = make(Device, site=site), make(Device, site=site)
    host.cluster = cluster
    host.save()
    for params in ({'cluster_id': cluster.pk}, {'cluster_group_id': group.pk}, {'cluster_group': 'g'}):
        ids = [row['id'] for row in api.get('/api/dcim/devices/', params).json()['results']]
        assert ids == [host.pk], params
    assert other.pk in [row['id'] for row in api.get('/api/dcim/devices/', {'cluster_id__n': cluster.pk}).json()[
        'results']]
    assert api.get(f'/api/virtualization/clusters/{cluster.pk}/').json()['device_count'] == 1


def test_clusters_filter_by_site_through_their_scope(api, cluster, site, other_site):
    assert [row['id'] for row in api.get('/api/virtualization/clusters/', {'site_id': site.pk}).json()[
        'results']] == [cluster.pk]
    assert api.get('/api/virtualization/clusters/', {'site_id': other_site.pk}).json()['count'] == 0


def test_cluster_name_is_unique_at_its_site(api, cluster, site):
    response = api.post('/api/virtualization/clusters/', {'name': 'c1', 'type': cluster.type_id,
                                                          'scope_type': 'dcim.site', 'scope_id': site.pk},
                        format='json')
    assert response.status_code == 400, response.content


def test_cluster_cannot_move_away_from_its_hosts(api, cluster, site, other_site):
    host = make(Device, site=site)
    host.cluster = cluster
    host.save()
    response = api.patch(f'/api/virtualization/clusters/{cluster.pk}/', {'scope_id': other_site.pk}, format='json')
    assert response.status_code == 400
    assert 'scope_id' in response.json()
