"""How the IPAM models are exposed (REST, filters, UI, search)."""
from rest_framework import serializers

from netbox.api.fields import NestedRelatedField
from netbox.registry import Counter, Declaration, declare

from . import filters as ipf
from . import models as m
from . import ui, utilization
from .api_allocation import available_routes
from .api_vlans import UtilizationField, VIDRangesField, attach_utilization
from .fields import FamilyField
from .vlan_filters import vlan_filters, vlan_group_filters

ORG_BRIEF = ('name', 'slug', 'description')
SEARCH = ('name', 'slug', 'description', 'comments')


# Address space (RIRs, aggregates, roles, VRFs, route targets, prefixes, ranges, addresses)

@declare
class RIRDeclaration(Declaration):
    model = m.RIR
    brief = ORG_BRIEF
    counts = {'aggregate_count': Counter('ipam.Aggregate', 'rir')}
    search = SEARCH
    menu = ('IPAM', 'Aggregates', 41)


@declare
class AggregateDeclaration(Declaration):
    model = m.Aggregate
    brief = ('family', 'prefix', 'description')
    fields = ('family', 'prefix', 'rir', 'tenant', 'date_added', 'description', 'owner', 'comments')
    serializer_fields = {'family': FamilyField()}
    extra_filters = ipf.aggregate_filters()
    search = ('prefix', 'description', 'comments')
    table = ('prefix', 'rir', 'tenant', 'utilization', 'date_added', 'description')
    prepare_rows = staticmethod(utilization.attach_aggregate_utilization)
    ui_fields = {'utilization': 'Utilization'}
    ui_renderers = {'utilization': ui.utilization_cell}
    contacts = True
    menu = ('IPAM', 'Aggregates', 40)


@declare
class RoleDeclaration(Declaration):
    model = m.Role
    brief = ORG_BRIEF
    counts = {'prefix_count': Counter('ipam.Prefix', 'role'), 'vlan_count': Counter('ipam.VLAN', 'role'),
              'asn_count': Counter('ipam.ASN', 'role')}
    search = SEARCH
    menu = ('IPAM', 'Prefixes', 21)


@declare
class VRFDeclaration(Declaration):
    model = m.VRF
    brief = ('name', 'rd', 'description')
    fields = ('name', 'rd', 'tenant', 'enforce_unique', 'description', 'owner', 'comments', 'import_targets',
              'export_targets')
    counts = {'ipaddress_count': Counter('ipam.IPAddress', 'vrf'), 'prefix_count': Counter('ipam.Prefix', 'vrf')}
    extra_filters = ipf.vrf_object_filters()
    search = ('name', 'rd', 'description', 'comments')
    menu = ('IPAM', 'VRFs', 50)
    related = ('ipam.Prefix.vrf', 'ipam.IPRange.vrf', 'ipam.IPAddress.vrf')


@declare
class RouteTargetDeclaration(Declaration):
    model = m.RouteTarget
    brief = ('name', 'description')
    filter_by_name = True
    extra_filters = ipf.route_target_filters()
    search = ('name', 'description', 'comments')
    menu = ('IPAM', 'VRFs', 51)


@declare
class PrefixDeclaration(Declaration):
    model = m.Prefix
    brief = ('family', 'prefix', 'description', '_depth')
    fields = ('family', 'prefix', 'vrf', 'scope_type', 'scope_id', 'scope', 'tenant', 'vlan', 'status', 'role',
              'is_pool', 'mark_utilized', 'description', 'owner', 'comments', 'tags', 'custom_fields', 'created',
              'last_updated', 'children', '_depth')
    serializer_fields = {'family': FamilyField(),
                         'children': serializers.IntegerField(source='_children', read_only=True)}
    extra_filters = ipf.prefix_filters()
    filter_exclude = ('_children', '_depth', '_region', '_region_id', '_site_group', '_site_group_id', '_site',
                      '_site_id', '_location', '_location_id', 'scope_type_id', 'vlan')
    search = ('prefix', 'description', 'comments')
    table = ('prefix', 'status', 'children', 'vrf', 'utilization', 'tenant', 'scope', 'vlan', 'role')
    prepare_rows = staticmethod(utilization.attach_prefix_utilization)
    ui_fields = {'utilization': 'Utilization'}
    ui_renderers = {'utilization': ui.utilization_cell, 'prefix': utilization.prefix_cell}
    contacts = True
    menu = ('IPAM', 'Prefixes', 20)
    ui_routes = ui.PREFIX_ROUTES
    api_routes = available_routes('prefix')


@declare
class IPRangeDeclaration(Declaration):
    model = m.IPRange
    brief = ('family', 'start_address', 'end_address', 'description')
    fields = ('family', 'start_address', 'end_address', 'size', 'vrf', 'tenant', 'status', 'role', 'description',
              'owner', 'comments', 'tags', 'custom_fields', 'created', 'last_updated', 'mark_populated',
              'mark_utilized')
    serializer_fields = {'family': FamilyField()}
    extra_filters = ipf.ip_range_filters()
    search = ('start_address', 'end_address', 'description', 'comments')
    table = ('start_address', 'end_address', 'size', 'vrf', 'status', 'role', 'tenant', 'utilization')
    prepare_rows = staticmethod(utilization.attach_range_utilization)
    ui_fields = {'utilization': 'Utilization'}
    ui_renderers = {'utilization': ui.utilization_cell}
    contacts = True
    menu = ('IPAM', 'IP addresses', 11)
    ui_routes = ui.IPRANGE_ROUTES
    api_routes = available_routes('iprange')


@declare
class IPAddressDeclaration(Declaration):
    model = m.IPAddress
    brief = ('family', 'address', 'nat_inside', 'nat_outside', 'dns_name', 'description')
    nested_self = ('id', 'url', 'display', 'family', 'address')
    fields = ('family', 'address', 'vrf', 'tenant', 'status', 'role', 'assigned_object_type', 'assigned_object_id',
              'assigned_object', 'nat_inside', 'nat_outside', 'dns_name', 'description', 'owner', 'comments')
    serializer_fields = {'family': FamilyField()}
    extra_filters = ipf.ip_address_filters()
    filter_exclude = ('assigned_object_type_id', 'nat_inside')
    search = ('address', 'dns_name', 'description', 'comments')
    table = ('address', 'vrf', 'status', 'role', 'tenant', 'assigned_object', 'dns_name', 'description')
    contacts = True
    menu = ('IPAM', 'IP addresses', 10)


# VLANs

SCOPE_CACHE = ('_region', '_site_group', '_site', '_location')


@declare
class VLANGroupDeclaration(Declaration):
    model = m.VLANGroup
    brief = ORG_BRIEF
    fields = ('name', 'slug', 'scope_type', 'scope_id', 'scope', 'vid_ranges', 'total_vlan_ids', 'tenant',
              'description', 'owner', 'comments')
    exclude = SCOPE_CACHE
    serializer_fields = {'vid_ranges': VIDRangesField(), 'utilization': UtilizationField()}
    counts = {'vlan_count': Counter('ipam.VLAN', 'group')}
    prepare_rows = staticmethod(attach_utilization)
    extra_filters = vlan_group_filters()
    filter_exclude = SCOPE_CACHE + tuple(f'{name}_id' for name in SCOPE_CACHE) + ('scope_type_id',)
    search = SEARCH
    table = ('name', 'scope_type', 'scope', 'vid_ranges', 'total_vlan_ids', 'vlan_count', 'utilization', 'tenant')
    menu = ('IPAM', 'VLANs', 61)
    ui_routes = ui.VLANGROUP_ROUTES
    detail_templates = ('ipam/vlangroup_free_vids.html',)
    ui_renderers = {'utilization': ui.vlan_group_utilization_cell}
    related = ('ipam.VLAN.group',)
    api_routes = available_routes('vlangroup')


@declare
class VLANDeclaration(Declaration):
    model = m.VLAN
    brief = ('vid', 'name', 'description')
    fields = ('site', 'group', 'vid', 'name', 'tenant', 'status', 'role', 'description', 'qinq_role', 'qinq_svlan',
              'owner', 'comments')
    pending = {'l2vpn_termination': None}
    counts = {'prefix_count': Counter('ipam.Prefix', 'vlan')}
    extra_filters = vlan_filters()
    search = ('name', 'description', 'comments')
    table = ('vid', 'name', 'site', 'group', 'status', 'tenant', 'role', 'qinq_role', 'description')
    menu = ('IPAM', 'VLANs', 60)
    related = ('ipam.Prefix.vlan', 'dcim.Interface.untagged_vlan', 'dcim.Interface.tagged_vlans',
               'ipam.VLAN.qinq_svlan')


@declare
class VLANTranslationPolicyDeclaration(Declaration):
    model = m.VLANTranslationPolicy
    brief = ('name', 'description')
    fields = ('name', 'description', 'rules', 'owner', 'comments')
    serializer_fields = {
        'rules': NestedRelatedField(related_model=m.VLANTranslationRule, many=True, read_only=True),
    }
    prefetch_related = ('rules',)
    filter_by_name = True  # rules and interfaces are filtered by `policy=<name>`
    search = ('name', 'description', 'comments')
    menu = ('IPAM', 'VLAN translation', 70)
    related = ('ipam.VLANTranslationRule.policy', 'dcim.Interface.vlan_translation_policy')


@declare
class VLANTranslationRuleDeclaration(Declaration):
    model = m.VLANTranslationRule
    brief = ('policy', 'local_vid', 'remote_vid', 'description')
    fields = ('policy', 'local_vid', 'remote_vid', 'description')
    # NetBox serves (and takes) a rule's policy as its bare ID.
    serializer_fields = {
        'policy': serializers.PrimaryKeyRelatedField(queryset=m.VLANTranslationPolicy.objects.all()),
    }
    search = ('description',)
    table = ('policy', 'local_vid', 'remote_vid', 'description')
    menu = ('IPAM', 'VLAN translation', 71)


# ASNs

@declare
class ASNRangeDeclaration(Declaration):
    model = m.ASNRange
    brief = ('name', 'description')
    counts = {}
    search = SEARCH
    menu = ('IPAM', 'ASNs', 30)
    api_routes = available_routes('asnrange')


@declare
class ASNDeclaration(Declaration):
    model = m.ASN
    brief = ('asn', 'description')
    counts = {'site_count': Counter('dcim.Site', 'asns'), 'provider_count': Counter('circuits.Provider', 'asns')}
    search = ('asn', 'description', 'comments')
    menu = ('IPAM', 'ASNs', 31)


# First-hop redundancy

@declare
class FHRPGroupDeclaration(Declaration):
    model = m.FHRPGroup
    brief = ('protocol', 'group_id', 'description')
    search = ('name', 'description', 'comments')
    menu = ('IPAM', 'FHRP groups', 80)


@declare
class FHRPGroupAssignmentDeclaration(Declaration):
    model = m.FHRPGroupAssignment
    brief = ('group', 'interface_type', 'interface_id', 'priority')
    search = ()
    menu = None


# Services

@declare
class ServiceTemplateDeclaration(Declaration):
    model = m.ServiceTemplate
    brief = ('name', 'protocol', 'ports', 'description')
    search = ('name', 'description', 'comments')
    menu = ('IPAM', 'Services', 90)


@declare
class ServiceDeclaration(Declaration):
    model = m.Service
    brief = ('name', 'protocol', 'ports', 'description')
    search = ('name', 'description', 'comments')
    contacts = True
    menu = ('IPAM', 'Services', 91)
