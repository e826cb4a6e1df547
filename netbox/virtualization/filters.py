"""Filter builders of the virtualization declarations."""
from django.db.models import Q

from dcim.filters import (
    ConditionFilter,
    l2vpn_filters,
    mac_address_filters,
    primary_ip_filters,
    relation_filters,
    site_filters,
    tenant_group_filters,
)
from netbox.filtersets import MultiValueCharFilter, MultiValueNumberFilter

from . import models as m


def cluster_filters():
    """A cluster's place through its cached scope columns (a cluster at a location is found by its site)."""
    out = tenant_group_filters()
    out.update(relation_filters('region', m.Cluster, '_region', '_region'))
    out.update(relation_filters('site_group', m.Cluster, '_site_group', '_site_group'))
    out.update(relation_filters('site', m.Cluster, '_site', '_site'))
    out.update(relation_filters('location', m.Cluster, '_location', '_location'))
    return out


def virtual_machine_filters():
    out = site_filters('', site=False)
    out.update(tenant_group_filters())
    out.update(relation_filters('cluster', m.VirtualMachine, 'cluster', 'cluster'))
    out.update(relation_filters('cluster_group', m.Cluster, 'group', 'cluster__group'))
    out.update(relation_filters('cluster_type', m.Cluster, 'type', 'cluster__type'))
    out['local_context_data'] = ConditionFilter(condition=Q(local_context_data__isnull=False))
    out.update(mac_address_filters(on_device=True, vm=True))
    out.update(primary_ip_filters())
    return out


def vm_interface_filters():
    from ipam.vlan_filters import interface_vlan_filters

    out = {
        'primary_mac_address': MultiValueCharFilter(field_name='primary_mac_address__mac_address',
                                                    lookup_expr='iexact', null_value='null'),
        'primary_mac_address__n': MultiValueCharFilter(field_name='primary_mac_address__mac_address',
                                                       lookup_expr='iexact', exclude=True),
        'primary_mac_address_id': MultiValueNumberFilter(field_name='primary_mac_address', lookup_expr='exact'),
        'primary_mac_address_id__n': MultiValueNumberFilter(field_name='primary_mac_address', lookup_expr='exact',
                                                            exclude=True),
        'vrf': MultiValueCharFilter(field_name='vrf__rd', lookup_expr='exact', null_value='null'),
        'vrf__n': MultiValueCharFilter(field_name='vrf__rd', lookup_expr='exact', exclude=True),
    }
    out.update(relation_filters('cluster', m.VirtualMachine, 'cluster', 'virtual_machine__cluster'))
    out.update(mac_address_filters(vm=True))
    out.update(interface_vlan_filters())
    # L2VPN terminations arrive with the VPN app.
    out.update(l2vpn_filters('vminterface'))
    return out

