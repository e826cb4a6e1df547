"""How the IPAM models are exposed (REST, filters, UI, search)."""
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import F, Func, OuterRef, Prefetch, Subquery
from rest_framework import serializers

from dcim.models import Interface, Site
from netbox.api.fields import NestedRelatedField
from netbox.graphql.specs import Alias, GenericReverse, Lookup
from netbox.registry import Counter, Declaration, ExpressionCounter, declare
from vpn.fields import l2vpn_termination_field, l2vpn_termination_prefetch

from . import filters as ipf
from . import models as m
from . import ui, utilization
from .api_allocation import available_routes
from .api_vlans import UtilizationField, VIDRangesField, attach_utilization
from .asn_filters import (
    asn_filters,
    asn_range_filters,
    fhrp_assignment_filters,
    fhrp_group_filters,
    service_filters,
    service_template_filters,
)
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
    graphql_filters = {'contains': Lookup('prefix', 'net_contains_or_equals', str)}
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
    graphql_fields = {'tunnel_terminations': Alias('tunnel_termination')}
    graphql_filters = {'nat_outside_id': Alias('nat_outside__id')}
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
    graphql_fields = {'wirelesslan_set': Alias('wireless_lans')}
    brief = ('vid', 'name', 'description')
    fields = ('site', 'group', 'vid', 'name', 'tenant', 'status', 'role', 'description', 'qinq_role', 'qinq_svlan',
              'owner', 'comments')
    serializer_fields = {'l2vpn_termination': l2vpn_termination_field()}
    prefetch_related = (l2vpn_termination_prefetch(),)
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

def _asn_count():
    """ASNs whose number lies within the range, whatever their RIR (as NetBox counts a range's ASNs)."""
    asns = m.ASN.objects.filter(asn__gte=OuterRef('start'), asn__lte=OuterRef('end')).order_by()
    # COUNT as a plain function (not an aggregate): one row, no GROUP BY.
    return Subquery(asns.annotate(_count=Func(F('pk'), function='COUNT')).values('_count'))


@declare
class ASNRangeDeclaration(Declaration):
    model = m.ASNRange
    brief = ('name', 'description')
    fields = ('name', 'slug', 'rir', 'start', 'end', 'tenant', 'description', 'owner', 'comments')
    counts = {'asn_count': ExpressionCounter('ipam.ASN', _asn_count)}
    search = SEARCH
    extra_filters = asn_range_filters()
    menu = ('IPAM', 'ASNs', 30)
    api_routes = available_routes('asnrange')


@declare
class ASNDeclaration(Declaration):
    model = m.ASN
    graphql_fields = {'contacts': GenericReverse('tenancy.ContactAssignment', 'object')}
    brief = ('asn', 'description')
    fields = ('asn', 'rir', 'role', 'tenant', 'description', 'owner', 'comments', 'sites')
    serializer_fields = {
        # Written as site IDs, read as NetBox's ASNSite representation.
        'sites': NestedRelatedField(related_model=Site, many=True, required=False,
                                    nested_fields=('id', 'url', 'display', 'name', 'description', 'slug')),
    }
    counts = {'site_count': Counter('dcim.Site', 'asns'), 'provider_count': Counter('circuits.Provider', 'asns')}
    search = ('asn', 'description', 'comments')
    extra_filters = asn_filters()
    table = ('asn', 'rir', 'role', 'tenant', 'site_count', 'provider_count', 'description')
    menu = ('IPAM', 'ASNs', 31)


# First-hop redundancy

def _brief_ip_addresses():
    """IP addresses nested in brief form, with what that form shows of their NAT relations loaded in bulk."""
    return m.IPAddress.objects.select_related('nat_inside').prefetch_related('nat_outside')


@declare
class FHRPGroupDeclaration(Declaration):
    model = m.FHRPGroup
    graphql_fields = {'fhrpgroupassignment_set': Alias('assignments')}
    brief = ('protocol', 'group_id', 'description')
    fields = ('name', 'protocol', 'group_id', 'auth_type', 'auth_key', 'description', 'owner', 'comments')
    # NetBox 4.7 serves these two choices as bare strings, nested too.
    bare_choices = ('protocol', 'auth_type')
    serializer_fields = {
        'ip_addresses': NestedRelatedField(related_model=m.IPAddress, many=True, read_only=True),
    }
    prefetch_related = (Prefetch('ip_addresses', queryset=_brief_ip_addresses()),)
    search = ('name', 'description', 'comments')
    extra_filters = fhrp_group_filters()
    table = ('protocol', 'group_id', 'name', 'auth_type', 'description')
    menu = ('IPAM', 'FHRP groups', 80)
    related = ('ipam.FHRPGroupAssignment.group',)


def _assigned_interfaces():
    """The interfaces of assignments, with what their nested form (device, cable) needs joined."""
    return GenericPrefetch('interface', [Interface.objects.select_related('device__virtual_chassis', 'cable')])


@declare
class FHRPGroupAssignmentDeclaration(Declaration):
    model = m.FHRPGroupAssignment
    brief = ('group', 'interface_type', 'interface_id', 'priority')
    fields = ('group', 'interface_type', 'interface_id', 'interface', 'priority')
    exclude = ('display_url',)
    prefetch_related = (_assigned_interfaces(),)
    filter_exclude = ('interface_type_id',)
    extra_filters = fhrp_assignment_filters()
    search = ()
    menu = None


# Services

SERVICE_FIELDS = ('name', 'port_mappings', 'protocol', 'ports', 'description', 'owner', 'comments')


@declare
class ServiceTemplateDeclaration(Declaration):
    model = m.ServiceTemplate
    brief = ('name', 'protocol', 'ports', 'description')
    fields = SERVICE_FIELDS
    filter_lookups = {'protocol': 'n'}
    extra_filters = service_template_filters()
    search = ('name', 'description', 'comments')
    table = ('name', 'protocol', 'ports', 'description')
    menu = ('IPAM', 'Services', 90)


@declare
class ServiceDeclaration(Declaration):
    model = m.Service
    graphql_filters = {'ip_addresses': Alias('ipaddresses')}
    brief = ('name', 'protocol', 'ports', 'description')
    fields = ('parent_object_type', 'parent_object_id', 'parent', 'name', 'port_mappings', 'protocol', 'ports',
              'ipaddresses', 'description', 'owner', 'comments')
    prefetch_related = (Prefetch('ipaddresses', queryset=_brief_ip_addresses()),)
    filter_lookups = {'protocol': 'n'}
    filter_exclude = ('parent_object_type_id', 'ipaddresse', 'ipaddresse_id')
    extra_filters = service_filters()
    search = ('name', 'description', 'comments')
    contacts = True
    table = ('name', 'parent', 'protocol', 'ports', 'description')
    menu = ('IPAM', 'Services', 91)
