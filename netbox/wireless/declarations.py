"""How the wireless models are exposed (REST, filters, UI, search)."""
from ipam.filters import tenancy_filters
from netbox.filtersets import MultiValueNumberFilter, _relation_filters
from netbox.registry import Counter, Declaration, declare

from .models import WirelessLAN, WirelessLANGroup, WirelessLink

SCOPE_CACHE = ('_region', '_site_group', '_site', '_location')


def wireless_lan_filters():
    out = tenancy_filters()
    # The scope, through the cached place columns: a LAN scoped to a location is found by its site and region.
    for name, column in (('region', '_region'), ('site_group', '_site_group'), ('site', '_site'),
                         ('location', '_location')):
        out.update(_relation_filters(name, WirelessLAN._meta.get_field(column), field_name=column))
    out['interface_id'] = MultiValueNumberFilter(field_name='interfaces__id', lookup_expr='exact', distinct=True)
    out['interface_id__n'] = MultiValueNumberFilter(field_name='interfaces__id', lookup_expr='exact', exclude=True)
    return out


@declare
class WirelessLANGroupDeclaration(Declaration):
    model = WirelessLANGroup
    brief = ('name', 'slug', 'description', 'wirelesslan_count', '_depth')
    counts = {'wirelesslan_count': Counter('wireless.WirelessLAN', 'group')}
    search = ('name', 'slug', 'description', 'comments')
    menu = ('Wireless', 'Wireless', 20)
    related = ('wireless.WirelessLAN.group',)


@declare
class WirelessLANDeclaration(Declaration):
    model = WirelessLAN
    brief = ('ssid', 'description')
    fields = ('ssid', 'description', 'group', 'status', 'vlan', 'scope_type', 'scope_id', 'scope', 'tenant',
              'auth_type', 'auth_cipher', 'auth_psk', 'owner', 'comments')
    search = ('ssid', 'description', 'comments')
    extra_filters = wireless_lan_filters()
    filter_exclude = SCOPE_CACHE + tuple(f'{name}_id' for name in SCOPE_CACHE) + ('scope_type_id', 'vlan')
    table = ('ssid', 'group', 'status', 'scope', 'vlan', 'tenant', 'auth_type', 'description')
    menu = ('Wireless', 'Wireless', 10)


@declare
class WirelessLinkDeclaration(Declaration):
    model = WirelessLink
    brief = ('ssid', 'description')
    # As nested in an interface (NetBox's NestedWirelessLink).
    nested = ('id', 'url', 'display', 'ssid')
    fields = ('interface_a', 'interface_b', 'ssid', 'status', 'tenant', 'auth_type', 'auth_cipher', 'auth_psk',
              'distance', 'distance_unit', 'description', 'owner', 'comments')
    select_related = ('interface_a__device__virtual_chassis', 'interface_a__cable',
                      'interface_b__device__virtual_chassis', 'interface_b__cable')
    search = ('ssid', 'description', 'comments')
    extra_filters = tenancy_filters()
    filter_exclude = ('interface_a', 'interface_b', '_interface_a_device', '_interface_a_device_id',
                      '_interface_b_device', '_interface_b_device_id')
    table = ('ssid', 'interface_a', 'interface_b', 'status', 'tenant', 'distance', 'distance_unit', 'description')
    menu = ('Wireless', 'Links', 30)
