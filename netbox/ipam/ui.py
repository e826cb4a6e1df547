"""
IPAM pages beyond the derived ones: a prefix's child prefixes, IP ranges and IP addresses, an IP range's addresses
and a VLAN group's VLANs, each as a tab listing the children with the free space among them as "available" rows
(each linking to the add form, prefilled), and the utilisation bars of VLAN groups.

Free space always comes from ipam.allocation (the same answer the REST allocation endpoints give); utilisation
from ipam.utilization (prefixes, aggregates, IP ranges) and the VLAN group declaration's counts.
"""
from heapq import merge

import netaddr
from django.db.models import F
from django.utils.html import format_html

from netbox.ui.tabs import AvailableRow, ChildTableView
from netbox.ui.values import utilization_bar

from . import allocation
from .allocation import _in_parent_vrf as in_parent_space
from .utilization import utilization_of

# Runs of free values


def runs(values):
    """Consecutive integers joined into (first, last) runs: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    out = []
    for value in values:
        if out and value == out[-1][1] + 1:
            out[-1] = (out[-1][0], value)
        else:
            out.append((value, value))
    return out


def address_run_label(low, high, version):
    """'10.0.0.5-10.0.0.9 (5 available)'; a single address alone: '10.0.0.5 (1 available)'."""
    first = netaddr.IPAddress(low, version)
    text = str(first) if low == high else f'{first}-{netaddr.IPAddress(high, version)}'
    return f'{text} ({high - low + 1:,} available)'


def vid_run_label(first, last):
    return f'{first}' if first == last else f'{first}-{last}'


# Utilisation


def utilization_cell(obj):
    """The utilisation bar of a prefix, aggregate or IP range (ipam.utilization's percentage, attached to a page's
    objects by the declarations' prepare_rows)."""
    if obj.pk is None:
        return utilization_bar(None)
    return utilization_bar(utilization_of(obj))


def utilization_summary(obj):
    """The utilisation bar above a prefix's or IP range's child tabs."""
    return format_html('<span class="muted small">Utilisation</span> {}', utilization_cell(obj))


def vlan_group_utilization_cell(group):
    """A VLAN group's share of VIDs in use as a bar (the declaration's prepare_rows attaches it for a page)."""
    if not hasattr(group, '_utilization'):
        from .api_vlans import attach_utilization

        attach_utilization([group])
    return utilization_bar(group._utilization)


# Prefix tabs


class PrefixChildPrefixesView(ChildTableView):
    """The prefixes inside a prefix (its VRF; every VRF for a global container) and the free blocks between them."""

    tab_label = 'Child prefixes'
    parent_label = 'ipam.prefix'
    child_label = 'ipam.prefix'

    def child_queryset(self, request, prefix):
        return super().child_queryset(request, prefix).filter(in_parent_space(prefix),
                                                              prefix__net_contained=str(prefix.prefix))

    def entries(self, request, prefix, queryset):
        children = queryset.order_by('prefix', F('vrf').asc(nulls_first=True), 'pk').values_list('pk', 'prefix')
        keyed_children = ((network.first, pk) for pk, network in children)
        keyed_free = ((network.first, self.available(request, prefix, network))
                      for network in allocation.available_prefixes(prefix))
        return [entry for _, entry in merge(keyed_children, keyed_free, key=lambda item: item[0])]

    def available(self, request, prefix, network):
        return AvailableRow(str(network), self.add_url(request, {**self.add_defaults(prefix), 'prefix': network}),
                            detail=_size_text(network))

    def add_defaults(self, prefix):
        return {'vrf': prefix.vrf_id, 'tenant': prefix.tenant_id, 'scope_type': prefix.scope_type_id,
                'scope_id': prefix.scope_id}

    def summary(self, request, prefix):
        return utilization_summary(prefix)


class PrefixIPRangesView(ChildTableView):
    """The IP ranges inside a prefix, in its VRF (any VRF for a global container)."""

    tab_label = 'IP ranges'
    parent_label = 'ipam.prefix'
    child_label = 'ipam.iprange'

    def child_queryset(self, request, prefix):
        network = str(prefix.prefix)
        return super().child_queryset(request, prefix).filter(
            in_parent_space(prefix), start_address__net_host_contained=network,
            end_address__net_host_contained=network)

    def entries(self, request, prefix, queryset):
        return list(queryset.order_by('start_address', 'pk').values_list('pk', flat=True))

    def add_defaults(self, prefix):
        return {'vrf': prefix.vrf_id, 'tenant': prefix.tenant_id}


class AddressesTab(ChildTableView):
    """IP addresses of a parent with its free addresses as runs between them (shared by prefixes and ranges)."""

    tab_label = 'IP addresses'
    child_label = 'ipam.ipaddress'

    def version(self, parent):
        raise NotImplementedError

    def free_intervals(self, parent):
        raise NotImplementedError

    def entries(self, request, parent, queryset):
        addresses = sorted((int(address.ip), pk) for pk, address in queryset.values_list('pk', 'address'))
        version, mask = self.version(parent), allocation.mask_length(parent)
        defaults = self.add_defaults(parent)
        keyed_free = []
        for low, high in self.free_intervals(parent):
            url = self.add_url(request, {**defaults, 'address': f'{netaddr.IPAddress(low, version)}/{mask}'})
            keyed_free.append((low, AvailableRow(address_run_label(low, high, version), url)))
        return [entry for _, entry in merge(addresses, keyed_free, key=lambda item: item[0])]

    def add_defaults(self, parent):
        return {'vrf': parent.vrf_id, 'tenant': parent.tenant_id}

    def summary(self, request, parent):
        return utilization_summary(parent)


class PrefixIPAddressesView(AddressesTab):
    """The addresses inside a prefix and its free address runs (network/broadcast and populated ranges excluded)."""

    parent_label = 'ipam.prefix'

    def child_queryset(self, request, prefix):
        return super().child_queryset(request, prefix).filter(in_parent_space(prefix),
                                                              address__net_host_contained=str(prefix.prefix))

    def version(self, prefix):
        return prefix.prefix.version

    def free_intervals(self, prefix):
        return allocation.prefix_free_intervals(prefix)


class IPRangeIPAddressesView(AddressesTab):
    """The addresses of an IP range (same VRF) and its free runs (none when the range is marked populated)."""

    parent_label = 'ipam.iprange'

    def child_queryset(self, request, iprange):
        first, last = int(iprange.start_address.ip), int(iprange.end_address.ip)
        version = iprange.start_address.version
        ids = allocation._ip_host_filter(first, last, version).filter(vrf_id=iprange.vrf_id).values('pk')
        return super().child_queryset(request, iprange).filter(pk__in=ids)

    def version(self, iprange):
        return iprange.start_address.version

    def free_intervals(self, iprange):
        return allocation.range_free_intervals(iprange)


def _size_text(network):
    if network.version == 4 or network.prefixlen >= 64:
        return f'{network.size:,} addresses'
    return f'/{network.prefixlen}'


# VLAN groups


def free_vid_runs(group):
    """[(first, last)] runs of the VIDs of a group's ranges without a VLAN (allocation.free_vids)."""
    return runs(allocation.free_vids(group))


class VLANGroupVLANsView(ChildTableView):
    """A VLAN group's VLANs by VID, with the runs of free VIDs between them."""

    tab_label = 'VLANs'
    parent_label = 'ipam.vlangroup'
    child_label = 'ipam.vlan'

    def child_queryset(self, request, group):
        return super().child_queryset(request, group).filter(group=group)

    def entries(self, request, group, queryset):
        vlans = queryset.order_by('vid', 'pk').values_list('vid', 'pk')
        keyed_free = []
        for first, last in free_vid_runs(group):
            url = self.add_url(request, {**self.add_defaults(group), 'vid': first})
            count = last - first + 1
            keyed_free.append((first, AvailableRow(f'VIDs {vid_run_label(first, last)}', url,
                                                   detail=f'{count:,} available')))
        return [entry for _, entry in merge(vlans, keyed_free, key=lambda item: item[0])]

    def add_defaults(self, group):
        return {'group': group.pk}


# The tabs as UI routes of the declarations (ipam/declarations.py)

PREFIX_ROUTES = (
    ('<int:pk>/prefixes/', PrefixChildPrefixesView.as_view(), 'prefixes'),
    ('<int:pk>/ip-ranges/', PrefixIPRangesView.as_view(), 'ipranges'),
    ('<int:pk>/ip-addresses/', PrefixIPAddressesView.as_view(), 'ipaddresses'),
)
IPRANGE_ROUTES = (('<int:pk>/ip-addresses/', IPRangeIPAddressesView.as_view(), 'ipaddresses'),)
VLANGROUP_ROUTES = (('<int:pk>/vlans/', VLANGroupVLANsView.as_view(), 'vlans'),)
