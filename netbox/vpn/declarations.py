"""How the VPN models are exposed (REST, filters, UI, search)."""
from ipam.filters import tenancy_filters
from netbox.filtersets import MultiValueCharFilter, MultiValueNumberFilter
from netbox.registry import Counter, Declaration, declare

from . import filters as vf
from .models import (
    L2VPN,
    IKEPolicy,
    IKEProposal,
    IPSecPolicy,
    IPSecProfile,
    IPSecProposal,
    L2VPNTermination,
    Tunnel,
    TunnelGroup,
    TunnelTermination,
)

PRIMARY_TAIL = ('description', 'owner', 'comments')
SEARCH = ('name', 'description', 'comments')


def _m2m_filters(name, path, key='name'):
    """`<name>_id` and `<name>` (by `key`) over a many-to-many path, with `__n`."""
    return {
        f'{name}_id': MultiValueNumberFilter(field_name=f'{path}__id', lookup_expr='exact', distinct=True),
        f'{name}_id__n': MultiValueNumberFilter(field_name=f'{path}__id', lookup_expr='exact', exclude=True),
        name: MultiValueCharFilter(field_name=f'{path}__{key}', lookup_expr='exact', distinct=True),
        f'{name}__n': MultiValueCharFilter(field_name=f'{path}__{key}', lookup_expr='exact', exclude=True),
    }


@declare
class TunnelGroupDeclaration(Declaration):
    model = TunnelGroup
    brief = ('name', 'slug', 'description')
    fields = ('name', 'slug') + PRIMARY_TAIL
    counts = {'tunnel_count': Counter('vpn.Tunnel', 'group')}
    search = ('name', 'slug', 'description', 'comments')
    contacts = True
    table = ('name', 'tunnel_count', 'description', 'tags')
    menu = ('VPN', 'Tunnels', 20)
    related = ('vpn.Tunnel.group',)


@declare
class TunnelDeclaration(Declaration):
    model = Tunnel
    brief = ('name', 'description')
    fields = ('name', 'status', 'group', 'encapsulation', 'ipsec_profile', 'tenant', 'tunnel_id') + PRIMARY_TAIL
    counts = {'terminations_count': Counter('vpn.TunnelTermination', 'tunnel')}
    filter_by_name = True
    search = SEARCH
    contacts = True
    extra_filters = tenancy_filters()
    table = ('name', 'status', 'group', 'encapsulation', 'tenant', 'terminations_count', 'description')
    menu = ('VPN', 'Tunnels', 10)
    related = ('vpn.TunnelTermination.tunnel',)


@declare
class TunnelTerminationDeclaration(Declaration):
    model = TunnelTermination
    brief = ('tunnel', 'role')
    fields = ('tunnel', 'role', 'termination_type', 'termination_id', 'termination', 'outside_ip')
    filter_exclude = ('termination_type_id', 'outside_ip')
    extra_filters = vf.tunnel_termination_filters()
    search = ('tunnel__name',)
    table = ('tunnel', 'role', 'termination', 'outside_ip', 'tags')
    menu = ('VPN', 'Tunnels', 30)


@declare
class IKEProposalDeclaration(Declaration):
    model = IKEProposal
    brief = ('name', 'description')
    fields = ('name', 'description', 'authentication_method', 'encryption_algorithm', 'authentication_algorithm',
              'group', 'sa_lifetime', 'owner', 'comments')
    search = SEARCH
    extra_filters = _m2m_filters('ike_policy', 'ike_policies')
    table = ('name', 'authentication_method', 'encryption_algorithm', 'authentication_algorithm', 'group',
             'sa_lifetime', 'description')
    menu = ('VPN', 'IKE', 40)


@declare
class IKEPolicyDeclaration(Declaration):
    model = IKEPolicy
    filter_by_name = True
    brief = ('name', 'description')
    fields = ('name', 'description', 'version', 'mode', 'proposals', 'preshared_key', 'owner', 'comments')
    search = SEARCH
    filter_exclude = ('proposal', 'proposal_id')
    extra_filters = _m2m_filters('ike_proposal', 'proposals')
    form_include = ('proposals',)
    table = ('name', 'version', 'mode', 'proposals', 'description')
    menu = ('VPN', 'IKE', 50)
    related = ('vpn.IPSecProfile.ike_policy',)


@declare
class IPSecProposalDeclaration(Declaration):
    model = IPSecProposal
    brief = ('name', 'description')
    fields = ('name', 'description', 'encryption_algorithm', 'authentication_algorithm', 'sa_lifetime_seconds',
              'sa_lifetime_data', 'owner', 'comments')
    search = SEARCH
    extra_filters = _m2m_filters('ipsec_policy', 'ipsec_policies')
    table = ('name', 'encryption_algorithm', 'authentication_algorithm', 'sa_lifetime_seconds', 'sa_lifetime_data',
             'description')
    menu = ('VPN', 'IPSec', 60)


@declare
class IPSecPolicyDeclaration(Declaration):
    model = IPSecPolicy
    filter_by_name = True
    brief = ('name', 'description')
    fields = ('name', 'description', 'proposals', 'pfs_group', 'owner', 'comments')
    search = SEARCH
    filter_exclude = ('proposal', 'proposal_id')
    extra_filters = _m2m_filters('ipsec_proposal', 'proposals')
    form_include = ('proposals',)
    table = ('name', 'proposals', 'pfs_group', 'description')
    menu = ('VPN', 'IPSec', 70)
    related = ('vpn.IPSecProfile.ipsec_policy',)


@declare
class IPSecProfileDeclaration(Declaration):
    model = IPSecProfile
    filter_by_name = True
    brief = ('name', 'description')
    fields = ('name', 'description', 'mode', 'ike_policy', 'ipsec_policy', 'owner', 'comments')
    search = SEARCH
    table = ('name', 'mode', 'ike_policy', 'ipsec_policy', 'description')
    menu = ('VPN', 'IPSec', 80)
    related = ('vpn.Tunnel.ipsec_profile',)


@declare
class L2VPNDeclaration(Declaration):
    model = L2VPN
    brief = ('identifier', 'name', 'slug', 'type', 'description')
    fields = ('identifier', 'name', 'slug', 'type', 'status', 'import_targets', 'export_targets') + \
        PRIMARY_TAIL + ('tenant',)
    search = ('name', 'slug', 'identifier', 'description', 'comments')
    contacts = True
    extra_filters = tenancy_filters()
    form_include = ('import_targets', 'export_targets')
    table = ('name', 'identifier', 'type', 'status', 'tenant', 'description')
    menu = ('VPN', 'L2VPNs', 90)
    related = ('vpn.L2VPNTermination.l2vpn',)


@declare
class L2VPNTerminationDeclaration(Declaration):
    model = L2VPNTermination
    brief = ('l2vpn',)
    fields = ('l2vpn', 'assigned_object_type', 'assigned_object_id', 'assigned_object')
    extra_filters = vf.l2vpn_termination_filters()
    search = ('l2vpn__name',)
    table = ('l2vpn', 'assigned_object', 'tags')
    menu = ('VPN', 'L2VPNs', 100)
