"""The VM and VM interface lists run the same number of queries for 10 objects as for 500."""
import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import DeviceRole, MACAddress, Platform
from dcim.tests.test_query_counts import assert_same_queries, queries_for
from extras.models import Tag, TaggedItem
from ipam.models import VLAN, VRF, IPAddress
from tenancy.models import Tenant
from virtualization.models import VirtualMachine, VMInterface

pytestmark = pytest.mark.django_db
FEW, MANY = 10, 500


class Fleet:
    """VMs created in bulk, each with a role, platform, tenant, two tags, an interface with a primary MAC, a VLAN
    and a VRF, and a primary IPv4 address on it."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.count = 0
        self.role = DeviceRole.objects.create(name='vm', slug='vm')
        self.platform = Platform.objects.create(name='linux', slug='linux')
        self.tenant = Tenant.objects.create(name='t', slug='t')
        self.tags = [Tag.objects.create(name=f'tag{i}', slug=f'tag{i}') for i in range(2)]
        self.vlans = [VLAN.objects.create(vid=i, name=f'v{i}') for i in (10, 20)]
        self.vrf = VRF.objects.create(name='blue')

    def create(self, n):
        start, self.count = self.count, self.count + n
        vms = VirtualMachine.objects.bulk_create([VirtualMachine(
            name=f'vm{i}', cluster=self.cluster, site_id=self.cluster._site_id, role=self.role,
            platform=self.platform, tenant=self.tenant, vcpus=2, memory=1024) for i in range(start, self.count)])
        interfaces = VMInterface.objects.bulk_create([VMInterface(
            virtual_machine=vm, name='eth0', mode='tagged', untagged_vlan=self.vlans[0], vrf=self.vrf) for vm in vms])
        interface_type = ContentType.objects.get_for_model(VMInterface)
        macs = MACAddress.objects.bulk_create([MACAddress(
            mac_address=f'00:00:00:00:{i >> 8:02X}:{i & 255:02X}', assigned_object_type=interface_type,
            assigned_object_id=interface.pk)
            for i, interface in zip(range(start, self.count), interfaces, strict=True)])
        ips = IPAddress.objects.bulk_create([IPAddress(
            address=f'10.{i >> 8}.{i & 255}.1/16', assigned_object_type=interface_type,
            assigned_object_id=interface.pk)
            for i, interface in zip(range(start, self.count), interfaces, strict=True)])
        through = VMInterface.tagged_vlans.through
        through.objects.bulk_create([through(vminterface=interface, vlan=vlan) for interface in interfaces
                                     for vlan in self.vlans])
        for interface, mac in zip(interfaces, macs, strict=True):
            interface.primary_mac_address = mac
        VMInterface.objects.bulk_update(interfaces, ['primary_mac_address'])
        for vm, ip in zip(vms, ips, strict=True):
            vm.primary_ip4 = ip
        VirtualMachine.objects.bulk_update(vms, ['primary_ip4'])
        vm_type = ContentType.objects.get_for_model(VirtualMachine)
        TaggedItem.objects.bulk_create([TaggedItem(tag=tag, content_type=vm_type, object_id=vm.pk)
                                        for vm in vms for tag in self.tags])


@pytest.mark.parametrize('brief', [False, True])
def test_vm_list_query_count_does_not_grow(api, cluster, brief):
    fleet, params = Fleet(cluster), {'brief': 1} if brief else {}
    fleet.create(FEW)
    few = queries_for(api, '/api/virtualization/virtual-machines/', **params)
    fleet.create(MANY - FEW)
    many = queries_for(api, '/api/virtualization/virtual-machines/', **params)
    assert (few[0], many[0]) == (FEW, MANY)
    assert_same_queries(few[1], many[1])


@pytest.mark.parametrize('brief', [False, True])
def test_vm_interface_list_query_count_does_not_grow(api, cluster, brief):
    fleet, params = Fleet(cluster), {'brief': 1} if brief else {}
    fleet.create(FEW)
    few = queries_for(api, '/api/virtualization/interfaces/', **params)
    fleet.create(MANY - FEW)
    many = queries_for(api, '/api/virtualization/interfaces/', **params)
    assert (few[0], many[0]) == (FEW, MANY)
    assert_same_queries(few[1], many[1])


def test_cluster_list_query_count_does_not_grow(api, cluster):
    from virtualization.models import Cluster

    few = queries_for(api, '/api/virtualization/clusters/')
    Cluster.objects.bulk_create([Cluster(name=f'c{i}', type=cluster.type) for i in range(2, MANY)])
    many = queries_for(api, '/api/virtualization/clusters/')
    assert many[0] == MANY - 1
    assert_same_queries(few[1], many[1])
