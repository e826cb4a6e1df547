"""How the circuits models are exposed (REST, filters, UI, search)."""
from django.db.models import Prefetch
from rest_framework import serializers

from dcim.api_cables import cable_path_fields, paths_route
from dcim.cabling import attach_cable_data
from dcim.filters import cable_filters, tenant_group_filters
from dcim.views_cables import cable_cell, component_ui_routes
from netbox.api.fields import GenericObjectField, NestedRelatedField
from netbox.filtersets import MultiValueNumberFilter
from netbox.graphql.specs import Alias, GenericReverse
from netbox.registry import Counter, Declaration, declare

from . import models as m
from .filters import (
    circuit_filters,
    circuit_termination_filters,
    id_filters,
    provider_filters,
    provider_network_filters,
    provider_place_filters,
    value_filters,
)

ORG_BRIEF = ('name', 'slug', 'description')
SEARCH = ('name', 'slug', 'description', 'comments')
TERMINATION_NESTED = ('id', 'url', 'display_url', 'display', 'termination_type', 'termination_id', 'termination',
                      'port_speed', 'upstream_speed', 'xconnect_id', 'description')


@declare
class ProviderDeclaration(Declaration):
    model = m.Provider
    brief = ORG_BRIEF
    counts = {'circuit_count': Counter('circuits.Circuit', 'provider')}
    serializer_fields = {
        'accounts': NestedRelatedField(related_model=m.ProviderAccount, many=True, required=False),
    }
    form_include = ('asns',)
    search = SEARCH
    contacts = True
    extra_filters = {**provider_place_filters(),
                     **value_filters('asn', 'asns__asn', MultiValueNumberFilter, distinct=True),
                     **id_filters('asn_id', 'asns', distinct=True)}
    table = ('name', 'description', 'circuit_count', 'tags')
    menu = ('Circuits', 'Providers')
    related = ('circuits.ProviderAccount.provider', 'circuits.ProviderNetwork.provider', 'circuits.Circuit.provider')


@declare
class ProviderAccountDeclaration(Declaration):
    model = m.ProviderAccount
    brief = ('name', 'account', 'description')
    search = ('name', 'account', 'description', 'comments')
    contacts = True
    table = ('account', 'name', 'provider', 'description', 'tags')
    menu = ('Circuits', 'Providers')
    related = ('circuits.Circuit.provider_account',)


@declare
class ProviderNetworkDeclaration(Declaration):
    model = m.ProviderNetwork
    brief = ('name', 'description')
    search = ('name', 'service_id', 'description', 'comments')
    table = ('name', 'provider', 'service_id', 'description', 'tags')
    menu = ('Circuits', 'Providers')
    related = ('circuits.VirtualCircuit.provider_network',)


@declare
class CircuitTypeDeclaration(Declaration):
    model = m.CircuitType
    brief = ORG_BRIEF
    counts = {'circuit_count': Counter('circuits.Circuit', 'type')}
    search = SEARCH
    menu = ('Circuits', 'Circuits')


@declare
class CircuitDeclaration(Declaration):
    model = m.Circuit
    brief = ('cid', 'provider', 'description')
    fields = ('cid', 'provider', 'provider_account', 'type', 'status', 'tenant', 'install_date', 'termination_date',
              'commit_rate', 'description', 'distance', 'distance_unit', 'termination_a', 'termination_z', 'owner',
              'comments', 'tags', 'custom_fields', 'created', 'last_updated', 'assignments')
    serializer_fields = {
        'termination_a': NestedRelatedField(related_model=m.CircuitTermination, nested_fields=TERMINATION_NESTED,
                                            read_only=True, allow_null=True),
        'termination_z': NestedRelatedField(related_model=m.CircuitTermination, nested_fields=TERMINATION_NESTED,
                                            read_only=True, allow_null=True),
        'assignments': NestedRelatedField(related_model=m.CircuitGroupAssignment, many=True, read_only=True),
    }
    select_related = ('termination_a__termination_type', 'termination_z__termination_type')
    prefetch_related = ('termination_a__termination', 'termination_z__termination',
                        Prefetch('assignments', queryset=m.CircuitGroupAssignment.objects.select_related('group')))
    search = ('cid', 'description', 'comments')
    contacts = True
    extra_filters = {**circuit_filters(), **tenant_group_filters(),
                     **value_filters('provider_account', 'provider_account__account')}
    table = ('cid', 'provider', 'type', 'status', 'tenant', 'termination_a', 'termination_z', 'commit_rate',
             'description')
    menu = ('Circuits', 'Circuits')
    related = ('circuits.CircuitTermination.circuit',)


@declare
class CircuitTerminationDeclaration(Declaration):
    model = m.CircuitTermination
    brief = ('circuit', 'term_side', 'description', 'cable', '_occupied')
    fields = ('circuit', 'term_side', 'termination_type', 'termination_id', 'termination', 'port_speed',
              'upstream_speed', 'xconnect_id', 'pp_info', 'description', 'mark_connected', 'cable', 'cable_end',
              'link_peers', 'link_peers_type', 'tags', 'custom_fields', 'created', 'last_updated', '_occupied')
    serializer_fields = {
        '_occupied': serializers.BooleanField(read_only=True),
        'termination': GenericObjectField(allow_null=True),
        'cable_end': serializers.CharField(read_only=True, allow_null=True),
        **cable_path_fields(endpoint=False),
    }
    select_related = ('circuit', 'cable', 'termination_type')
    prefetch_related = ('termination',)
    prepare_rows = staticmethod(attach_cable_data)
    prepare_fields = ('link_peers', 'link_peers_type')
    api_routes = (paths_route(m.CircuitTermination),)  # NetBox offers no /trace/ for circuit terminations
    ui_routes = component_ui_routes(m.CircuitTermination)
    detail_templates = ('dcim/component_cable.html',)
    ui_renderers = {'cable': cable_cell}
    extra_filters = {**circuit_termination_filters(), **cable_filters(connected=False)}
    # The cached place columns are filtered through site_id, region_id... as NetBox names them.
    filter_exclude = ('_location', '_location_id', '_provider_network_id', '_region', '_region_id', '_site',
                      '_site_group', '_site_group_id', '_site_id', 'termination_type_id')
    # NetBox serves the side as its bare letter.
    bare_choices = ('term_side',)
    search = ('xconnect_id', 'pp_info', 'description')
    table = ('circuit', 'term_side', 'termination', 'port_speed', 'xconnect_id', 'cable', 'description')
    menu = ('Circuits', 'Circuits')


@declare
class CircuitGroupDeclaration(Declaration):
    model = m.CircuitGroup
    brief = ('name',)
    counts = {'circuit_count': Counter('circuits.CircuitGroupAssignment', 'group')}
    search = SEARCH
    extra_filters = tenant_group_filters()
    menu = ('Circuits', 'Circuits')
    related = ('circuits.CircuitGroupAssignment.group',)


@declare
class CircuitGroupAssignmentDeclaration(Declaration):
    model = m.CircuitGroupAssignment
    brief = ('group', 'member_type', 'member_id', 'member', 'priority')
    fields = ('group', 'member_type', 'member_id', 'member', 'priority', 'tags', 'custom_fields', 'created',
              'last_updated')
    select_related = ('member_type', 'group')
    prefetch_related = ('member',)
    search = ('group__name', 'priority')
    # The member's circuit, virtual circuit and provider, without the `__n` forms NetBox doesn't offer here.
    extra_filters = {name: value for name, value in {
        **id_filters('circuit_id', 'circuit'),
        **id_filters('virtual_circuit_id', 'virtual_circuit'),
        **value_filters('circuit', 'circuit__cid'),
        **value_filters('virtual_circuit', 'virtual_circuit__cid'),
        **provider_filters('circuit__provider'),
    }.items() if not name.endswith('__n')}
    table = ('group', 'member_type', 'member', 'priority')
    menu = ('Circuits', 'Circuits')


@declare
class VirtualCircuitTypeDeclaration(Declaration):
    model = m.VirtualCircuitType
    brief = ORG_BRIEF
    counts = {'virtual_circuit_count': Counter('circuits.VirtualCircuit', 'type')}
    search = SEARCH
    menu = ('Circuits', 'Virtual circuits')


@declare
class VirtualCircuitDeclaration(Declaration):
    model = m.VirtualCircuit
    graphql_fields = {'contacts': GenericReverse('tenancy.ContactAssignment', 'object')}
    graphql_filters = {'group_assignments': Alias('assignments')}
    brief = ('cid', 'provider_network', 'description')
    select_related = ('provider_network',)
    search = ('cid', 'description', 'comments')
    extra_filters = {**tenant_group_filters(), **provider_filters('provider_network__provider'),
                     **value_filters('provider_account', 'provider_account__account')}
    table = ('cid', 'provider_network', 'type', 'status', 'tenant', 'description')
    menu = ('Circuits', 'Virtual circuits')
    related = ('circuits.VirtualCircuitTermination.virtual_circuit',)


@declare
class VirtualCircuitTerminationDeclaration(Declaration):
    model = m.VirtualCircuitTermination
    brief = ('virtual_circuit', 'role', 'interface', 'description')
    select_related = ('virtual_circuit', 'interface__device__virtual_chassis')
    api_routes = (paths_route(m.VirtualCircuitTermination),)
    search = ('description',)
    extra_filters = {
        **provider_filters('virtual_circuit__provider_network__provider'),
        **provider_network_filters('virtual_circuit__provider_network'),
        **id_filters('provider_account_id', 'virtual_circuit__provider_account'),
        **value_filters('provider_account', 'virtual_circuit__provider_account__account'),
    }
    table = ('virtual_circuit', 'role', 'interface', 'description')
    menu = ('Circuits', 'Virtual circuits')
