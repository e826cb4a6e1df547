"""How the virtualization models are exposed (REST, filters, UI, search)."""
from rest_framework import serializers

from dcim.api_devices import ip_prefetch_related, ip_select_related, primary_ip_field
from dcim.api_types import InterfaceSerializerBase
from dcim.models import MACAddress
from extras.configcontexts import attach_config_contexts
from ipam.vlan_filters import INTERFACE_FORM_LIMITS, interface_form_clean
from netbox.api.fields import ConfigContextField, NestedRelatedField
from netbox.graphql.specs import Computed, GenericReverse, natural_name
from netbox.registry import Counter, Declaration, declare
from vpn.fields import l2vpn_termination_field, l2vpn_termination_prefetch

from . import models as m
from .api import ALLOCATED_FIELDS, VMRenderConfigView, allocation_fields, attach_allocations
from .filters import cluster_filters, virtual_machine_filters, vm_interface_filters
from .views import VMConfigContextView, VMRenderConfigUIView

ORG_BRIEF = ('name', 'slug', 'description')
SEARCH = ('name', 'slug', 'description', 'comments')
MENU = 'Virtualization'
SCOPE_CACHE = ('_region', '_site_group', '_site', '_location')

VM_INTERFACE_COUNTS = {
    'count_ipaddresses': Counter('ipam.IPAddress', 'assigned_object_id', where={
        'assigned_object_type__app_label': 'virtualization', 'assigned_object_type__model': 'vminterface'}),
    'count_fhrp_groups': Counter('ipam.FHRPGroupAssignment', 'interface_id', where={
        'interface_type__app_label': 'virtualization', 'interface_type__model': 'vminterface'}),
}


@declare
class ClusterTypeDeclaration(Declaration):
    model = m.ClusterType
    brief = ORG_BRIEF
    counts = {'cluster_count': Counter('virtualization.Cluster', 'type')}
    search = SEARCH
    menu = (MENU, 'Clusters')
    related = ('virtualization.Cluster.type',)


@declare
class ClusterGroupDeclaration(Declaration):
    model = m.ClusterGroup
    graphql_fields = graphql_filters = {'vlan_groups': GenericReverse('ipam.VLANGroup', 'scope')}
    brief = ORG_BRIEF
    counts = {'cluster_count': Counter('virtualization.Cluster', 'group')}
    search = SEARCH
    contacts = True
    menu = (MENU, 'Clusters')
    related = ('virtualization.Cluster.group',)


@declare
class ClusterDeclaration(Declaration):
    model = m.Cluster
    graphql_fields = graphql_filters = {'vlan_groups': GenericReverse('ipam.VLANGroup', 'scope')}
    brief = ('name', 'description')
    fields = ('name', 'type', 'group', 'status', 'tenant', 'scope_type', 'scope_id', 'scope', 'description', 'owner',
              'comments', 'tags', 'custom_fields', 'created', 'last_updated', 'device_count',
              'virtualmachine_count', *ALLOCATED_FIELDS)
    exclude = SCOPE_CACHE
    serializer_fields = allocation_fields()
    prepare_rows = staticmethod(attach_allocations)
    prepare_fields = ALLOCATED_FIELDS
    counts = {'device_count': Counter('dcim.Device', 'cluster'),
              'virtualmachine_count': Counter('virtualization.VirtualMachine', 'cluster')}
    extra_filters = cluster_filters()
    filter_exclude = SCOPE_CACHE + tuple(f'{name}_id' for name in SCOPE_CACHE) + ('scope_type_id',)
    search = ('name', 'description', 'comments')
    contacts = True
    table = ('name', 'type', 'group', 'status', 'tenant', 'scope', 'device_count', 'virtualmachine_count')
    menu = (MENU, 'Clusters')
    related = ('dcim.Device.cluster', 'virtualization.VirtualMachine.cluster')


@declare
class VirtualMachineTypeDeclaration(Declaration):
    model = m.VirtualMachineType
    brief = ORG_BRIEF
    counts = {'virtual_machine_count': Counter('virtualization.VirtualMachine', 'virtual_machine_type')}
    filter_counts = True
    search = SEARCH
    menu = (MENU, 'Virtual machines')
    related = ('virtualization.VirtualMachine.virtual_machine_type',)


@declare
class VirtualMachineDeclaration(Declaration):
    model = m.VirtualMachine
    graphql_fields = graphql_filters = {'services': GenericReverse('ipam.Service', 'parent')}
    api_routes = (('<int:pk>/render-config/', VMRenderConfigView.as_view(), 'render-config'),)
    ui_routes = (('<int:pk>/config-context/', VMConfigContextView.as_view(), 'config-context'),
                 ('<int:pk>/render-config/', VMRenderConfigUIView.as_view(), 'render-config'))
    brief = ('name', 'description')
    fields = ('name', 'virtual_machine_type', 'role', 'status', 'start_on_boot', 'site', 'cluster', 'device',
              'platform', 'primary_ip', 'primary_ip4', 'primary_ip6', 'vcpus', 'memory', 'disk', 'description',
              'serial', 'tenant', 'owner', 'comments', 'tags', 'local_context_data', 'config_template',
              'custom_fields', 'created', 'last_updated', 'interface_count', 'virtual_disk_count', 'config_context')
    serializer_fields = {'primary_ip': primary_ip_field(), 'config_context': ConfigContextField()}
    select_related = ip_select_related('primary_ip4', 'primary_ip6')
    # config_context for the whole page: a fixed number of queries whatever its size.
    prepare_rows = staticmethod(attach_config_contexts)
    prepare_fields = ('config_context',)
    prefetch_related = ip_prefetch_related('primary_ip4', 'primary_ip6')
    counts = {'interface_count': Counter('virtualization.VMInterface', 'virtual_machine'),
              'virtual_disk_count': Counter('virtualization.VirtualDisk', 'virtual_machine')}
    filter_counts = True
    filter_by_name = True
    extra_filters = virtual_machine_filters()
    search = ('name', 'serial', 'description', 'comments')
    contacts = True
    table = ('name', 'status', 'site', 'cluster', 'role', 'tenant', 'vcpus', 'memory', 'disk', 'primary_ip')
    menu = (MENU, 'Virtual machines')
    related = ('virtualization.VMInterface.virtual_machine', 'virtualization.VirtualDisk.virtual_machine',
               'ipam.IPAddress.vminterface__virtual_machine')


@declare
class VMInterfaceDeclaration(Declaration):
    model = m.VMInterface
    graphql_fields = {'_name': Computed(str, natural_name, only=('name',)),
                      'mac_address': Computed(str, lambda obj: str(obj.mac_address) if obj.mac_address else None,
                                              prefetch=('primary_mac_address',))}
    api_name = 'interfaces'
    brief = ('virtual_machine', 'name', 'description')
    fields = ('virtual_machine', 'name', 'enabled', 'parent', 'bridge', 'mtu', 'mac_address', 'primary_mac_address',
              'mac_addresses', 'description', 'mode', 'untagged_vlan', 'tagged_vlans', 'qinq_svlan',
              'vlan_translation_policy', 'vrf', 'l2vpn_termination', 'owner', 'tags', 'custom_fields', 'created',
              'last_updated', 'count_ipaddresses', 'count_fhrp_groups')
    serializer_base = InterfaceSerializerBase
    serializer_fields = {
        'mac_address': serializers.CharField(required=False, allow_null=True, allow_blank=True),
        'mac_addresses': NestedRelatedField(related_model=MACAddress, many=True, read_only=True),
        'l2vpn_termination': l2vpn_termination_field(),
    }
    counts = VM_INTERFACE_COUNTS
    select_related = ('virtual_machine', 'primary_mac_address', 'parent__virtual_machine',
                      'bridge__virtual_machine', 'untagged_vlan', 'qinq_svlan', 'vlan_translation_policy', 'vrf')
    prefetch_related = ('tagged_vlans', l2vpn_termination_prefetch())
    extra_filters = vm_interface_filters()
    filter_exclude = ('untagged_vlan', 'untagged_vlan_id', 'tagged_vlan', 'tagged_vlan_id', 'qinq_svlan',
                      'qinq_svlan_id', 'parent', 'bridge')
    search = ('name', 'description')
    form_limits = INTERFACE_FORM_LIMITS
    form_include = ('tagged_vlans',)
    form_clean = staticmethod(interface_form_clean)
    table = ('name', 'virtual_machine', 'enabled', 'mode', 'mtu', 'vrf', 'description')
    menu = (MENU, 'Virtual machines')


@declare
class VirtualDiskDeclaration(Declaration):
    model = m.VirtualDisk
    api_name = 'virtual-disks'
    brief = ('virtual_machine', 'name', 'size', 'description')
    select_related = ('virtual_machine',)
    search = ('name', 'description')
    table = ('name', 'virtual_machine', 'size', 'description')
    menu = (MENU, 'Virtual machines')


