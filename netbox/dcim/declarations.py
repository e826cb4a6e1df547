"""How the DCIM models are exposed (REST, filters, UI, search)."""
from netbox.api.fields import NestedRelatedField
from netbox.filtersets import MultiValueNumberFilter, TreeFilter
from netbox.registry import Counter, Declaration, declare
from rest_framework import serializers

from . import models as m

ORG_BRIEF = ('name', 'slug', 'description')
SEARCH = ('name', 'slug', 'description', 'comments')
TEMPLATE_FIELDS = ('device_type', 'module_type', 'name', 'label', 'description')
TEMPLATE_SEARCH = ('name', 'label', 'description')
COMPONENT_BRIEF = ('device', 'name', 'description', 'cable', '_occupied')
COMPONENT_SEARCH = ('name', 'label', 'description')
# Filled by the cable-path feature; until then a component has no peers or endpoints.
CABLE_PATH_PENDING = {
    'link_peers': [], 'link_peers_type': None, 'connected_endpoints': None, 'connected_endpoints_type': None,
    'connected_endpoints_reachable': False,
}
CABLE_PEERS_PENDING = {'link_peers': [], 'link_peers_type': None}


def location_filters(prefix=''):
    """region/site_group/site/location filters (tree-aware) for models placed at a site."""
    site = f'{prefix}site'
    return {
        'region_id': TreeFilter(field_name=f'{site}__region', tree_model=m.Region),
        'region_id__n': TreeFilter(field_name=f'{site}__region', tree_model=m.Region, exclude=True),
        'region': TreeFilter(field_name=f'{site}__region', tree_model=m.Region, to_field='slug'),
        'region__n': TreeFilter(field_name=f'{site}__region', tree_model=m.Region, to_field='slug', exclude=True),
        'site_group_id': TreeFilter(field_name=f'{site}__group', tree_model=m.SiteGroup),
        'site_group_id__n': TreeFilter(field_name=f'{site}__group', tree_model=m.SiteGroup, exclude=True),
        'site_group': TreeFilter(field_name=f'{site}__group', tree_model=m.SiteGroup, to_field='slug'),
        'site_group__n': TreeFilter(field_name=f'{site}__group', tree_model=m.SiteGroup, to_field='slug',
                                    exclude=True),
    }


def device_relation_filters():
    """Filters components share: by the parent device's site, rack, role, type and virtual chassis."""
    filters = location_filters('device__')
    filters.update({
        'site_id': MultiValueNumberFilter(field_name='device__site', lookup_expr='exact'),
        'site': _slug_filter('device__site__slug'),
        'location_id': TreeFilter(field_name='device__location', tree_model=m.Location),
        'location': TreeFilter(field_name='device__location', tree_model=m.Location, to_field='slug'),
        'rack_id': MultiValueNumberFilter(field_name='device__rack', lookup_expr='exact'),
        'rack': _slug_filter('device__rack__name'),
        'device_role_id': TreeFilter(field_name='device__role', tree_model=m.DeviceRole),
        'device_role': TreeFilter(field_name='device__role', tree_model=m.DeviceRole, to_field='slug'),
        'device_type_id': MultiValueNumberFilter(field_name='device__device_type', lookup_expr='exact'),
        'device_type': _slug_filter('device__device_type__slug'),
        'device_status': _slug_filter('device__status'),
        'virtual_chassis_id': MultiValueNumberFilter(field_name='device__virtual_chassis', lookup_expr='exact'),
        'virtual_chassis': _slug_filter('device__virtual_chassis__name'),
        'tenant_id': MultiValueNumberFilter(field_name='device__tenant', lookup_expr='exact'),
        'tenant': _slug_filter('device__tenant__slug'),
    })
    return filters


def _slug_filter(path):
    from netbox.filtersets import MultiValueCharFilter

    return MultiValueCharFilter(field_name=path, lookup_expr='exact')


# Organisation

@declare
class RegionDeclaration(Declaration):
    model = m.Region
    brief = ORG_BRIEF + ('site_count',)
    counts = {'site_count': Counter('dcim.Site', 'region'), 'prefix_count': Counter('ipam.Prefix', 'region')}
    search = SEARCH
    contacts = True
    menu = ('Organization', 'Sites')
    related = ('dcim.Site.region',)


@declare
class SiteGroupDeclaration(Declaration):
    model = m.SiteGroup
    brief = ORG_BRIEF + ('site_count',)
    counts = {'site_count': Counter('dcim.Site', 'group'), 'prefix_count': Counter('ipam.Prefix', 'site_group')}
    search = SEARCH
    contacts = True
    menu = ('Organization', 'Sites')
    related = ('dcim.Site.group',)


@declare
class SiteDeclaration(Declaration):
    model = m.Site
    brief = ORG_BRIEF
    pending = {'asns': []}
    counts = {
        'circuit_count': Counter('circuits.Circuit', 'termination__site'),
        'device_count': Counter('dcim.Device', 'site'),
        'prefix_count': Counter('ipam.Prefix', 'site'),
        'rack_count': Counter('dcim.Rack', 'site'),
        'virtualmachine_count': Counter('virtualization.VirtualMachine', 'site'),
        'vlan_count': Counter('ipam.VLAN', 'site'),
    }
    search = ('name', 'slug', 'facility', 'description', 'physical_address', 'shipping_address', 'comments')
    extra_filters = location_filters('')
    contacts = True
    table = ('name', 'status', 'facility', 'region', 'group', 'tenant', 'description', 'tags')
    menu = ('Organization', 'Sites')
    related = ('dcim.Location.site', 'dcim.Rack.site', 'dcim.Device.site', 'dcim.PowerPanel.site')


@declare
class LocationDeclaration(Declaration):
    model = m.Location
    brief = ORG_BRIEF + ('rack_count',)
    counts = {
        'rack_count': Counter('dcim.Rack', 'location'),
        'device_count': Counter('dcim.Device', 'location'),
        'prefix_count': Counter('ipam.Prefix', 'location'),
    }
    search = SEARCH + ('facility',)
    extra_filters = location_filters('')
    contacts = True
    menu = ('Organization', 'Sites')
    related = ('dcim.Rack.location', 'dcim.Device.location')


# Racks

@declare
class RackGroupDeclaration(Declaration):
    model = m.RackGroup
    brief = ORG_BRIEF
    counts = {'rack_count': Counter('dcim.Rack', 'group')}
    search = SEARCH
    menu = ('Racks', 'Racks')


@declare
class RackRoleDeclaration(Declaration):
    model = m.RackRole
    brief = ORG_BRIEF
    counts = {'rack_count': Counter('dcim.Rack', 'role')}
    search = SEARCH
    menu = ('Racks', 'Racks')


@declare
class RackTypeDeclaration(Declaration):
    model = m.RackType
    brief = ('manufacturer', 'model', 'slug', 'description', 'rack_count')
    counts = {'rack_count': Counter('dcim.Rack', 'rack_type')}
    search = ('model', 'slug', 'description', 'comments')
    menu = ('Racks', 'Racks')


@declare
class RackDeclaration(Declaration):
    model = m.Rack
    brief = ('name', 'description')
    counts = {'device_count': Counter('dcim.Device', 'rack'), 'powerfeed_count': Counter('dcim.PowerFeed', 'rack')}
    search = ('name', 'facility_id', 'serial', 'asset_tag', 'description', 'comments')
    extra_filters = location_filters('')
    contacts = True
    table = ('name', 'site', 'location', 'status', 'facility_id', 'tenant', 'role', 'u_height', 'device_count')
    menu = ('Racks', 'Racks')
    related = ('dcim.Device.rack', 'dcim.RackReservation.rack', 'dcim.PowerFeed.rack')


@declare
class RackReservationDeclaration(Declaration):
    model = m.RackReservation
    fields = ('rack', 'units', 'unit_count', 'status', 'created', 'last_updated', 'user', 'tenant', 'description',
              'owner', 'comments')
    serializer_fields = {}
    brief = ('user', 'description', 'units')
    search = ('rack__name', 'description', 'comments')
    menu = ('Racks', 'Racks')


# Types

@declare
class ManufacturerDeclaration(Declaration):
    model = m.Manufacturer
    brief = ORG_BRIEF
    counts = {
        'devicetype_count': Counter('dcim.DeviceType', 'manufacturer'),
        'moduletype_count': Counter('dcim.ModuleType', 'manufacturer'),
        'inventoryitem_count': Counter('dcim.InventoryItem', 'manufacturer'),
        'platform_count': Counter('dcim.Platform', 'manufacturer'),
    }
    search = SEARCH
    contacts = True
    menu = ('Devices', 'Device types')
    related = ('dcim.DeviceType.manufacturer', 'dcim.ModuleType.manufacturer')


def template_counts(owner):
    names = ('console_port', 'console_server_port', 'power_port', 'power_outlet', 'interface', 'front_port',
             'rear_port', 'device_bay', 'module_bay', 'inventory_item')
    out = {}
    for name in names:
        if owner == 'module_type' and name in ('device_bay', 'inventory_item'):
            continue
        model_name = name.replace('_', '') + 'template'
        out[f'{name}_template_count'] = Counter(f'dcim.{model_name}', owner)
    return out


@declare
class DeviceTypeDeclaration(Declaration):
    model = m.DeviceType
    brief = ('manufacturer', 'model', 'slug', 'description', 'device_count')
    counts = {'device_count': Counter('dcim.Device', 'device_type'), **template_counts('device_type')}
    search = ('model', 'slug', 'part_number', 'description', 'comments')
    table = ('model', 'manufacturer', 'part_number', 'u_height', 'is_full_depth', 'device_count')
    menu = ('Devices', 'Device types')
    related = ('dcim.Device.device_type', 'dcim.InterfaceTemplate.device_type',
               'dcim.ConsolePortTemplate.device_type', 'dcim.PowerPortTemplate.device_type')


@declare
class ModuleTypeProfileDeclaration(Declaration):
    model = m.ModuleTypeProfile
    brief = ('name', 'description')
    search = ('name', 'description', 'comments')
    menu = ('Devices', 'Modules')


@declare
class ModuleTypeDeclaration(Declaration):
    model = m.ModuleType
    brief = ('profile', 'manufacturer', 'model', 'description', 'module_count')
    counts = {'module_count': Counter('dcim.Module', 'module_type'), **template_counts('module_type')}
    search = ('model', 'part_number', 'description', 'comments')
    menu = ('Devices', 'Modules')
    related = ('dcim.Module.module_type', 'dcim.InterfaceTemplate.module_type')


def _template(model_class, extra_brief=(), **attrs):
    attrs.setdefault('exclude', ('display_url',))
    declaration = type(f'{model_class.__name__}Declaration', (Declaration,), {
        'model': model_class,
        'brief': ('name', 'description') + tuple(extra_brief),
        'search': TEMPLATE_SEARCH,
        'menu': None,
        **attrs,
    })
    return declare(declaration)


_template(m.ConsolePortTemplate)
_template(m.ConsoleServerPortTemplate)
_template(m.PowerPortTemplate)
_template(m.PowerOutletTemplate)
_template(m.InterfaceTemplate)
_template(m.RearPortTemplate, pending={'front_ports': []})
_template(m.FrontPortTemplate, pending={'rear_ports': []})
_template(m.ModuleBayTemplate)
_template(m.DeviceBayTemplate, exclude=('display_url', 'module_type'))
_template(m.InventoryItemTemplate, exclude=('display_url', 'module_type'))


# Devices

@declare
class DeviceRoleDeclaration(Declaration):
    model = m.DeviceRole
    brief = ORG_BRIEF + ('device_count', 'virtualmachine_count')
    pending = {'config_template': None}
    counts = {'device_count': Counter('dcim.Device', 'role'),
              'virtualmachine_count': Counter('virtualization.VirtualMachine', 'role')}
    search = SEARCH
    menu = ('Devices', 'Devices')


@declare
class PlatformDeclaration(Declaration):
    model = m.Platform
    brief = ORG_BRIEF + ('device_count', 'virtualmachine_count')
    pending = {'config_template': None}
    counts = {'device_count': Counter('dcim.Device', 'platform'),
              'virtualmachine_count': Counter('virtualization.VirtualMachine', 'platform')}
    search = SEARCH
    menu = ('Devices', 'Devices')


def component_counts():
    names = {'console_port': 'consoleport', 'console_server_port': 'consoleserverport', 'power_port': 'powerport',
             'power_outlet': 'poweroutlet', 'interface': 'interface', 'front_port': 'frontport',
             'rear_port': 'rearport', 'device_bay': 'devicebay', 'module_bay': 'modulebay',
             'inventory_item': 'inventoryitem'}
    return {f'{name}_count': Counter(f'dcim.{model}', 'device') for name, model in names.items()}


@declare
class DeviceDeclaration(Declaration):
    model = m.Device
    brief = ('name', 'description')
    pending = {'primary_ip': None, 'primary_ip4': None, 'primary_ip6': None, 'oob_ip': None, 'cluster': None,
               'config_template': None, 'config_context': None}
    serializer_fields = {
        'parent_device': NestedRelatedField(related_model=m.Device, read_only=True, source='parent_bay.device'),
    }
    select_related = ('parent_bay__device',)
    counts = component_counts()
    search = ('name', 'serial', 'asset_tag', 'description', 'comments')
    extra_filters = location_filters('')
    contacts = True
    table = ('name', 'status', 'tenant', 'site', 'location', 'rack', 'role', 'device_type', 'tags')
    menu = ('Devices', 'Devices')
    related = ('dcim.Interface.device', 'dcim.ConsolePort.device', 'dcim.PowerPort.device', 'dcim.Module.device')


@declare
class VirtualChassisDeclaration(Declaration):
    model = m.VirtualChassis
    api_name = 'virtual-chassis'
    brief = ('name', 'master', 'description', 'member_count')
    serializer_fields = {
        'members': NestedRelatedField(related_model=m.Device, many=True, read_only=True),
    }
    prefetch_related = ('members',)
    counts = {'member_count': Counter('dcim.Device', 'virtual_chassis')}
    search = ('name', 'domain', 'description', 'comments')
    menu = ('Devices', 'Devices')
    related = ('dcim.Device.virtual_chassis',)


@declare
class VirtualDeviceContextDeclaration(Declaration):
    model = m.VirtualDeviceContext
    brief = ('name', 'device', 'identifier', 'description')
    pending = {'primary_ip': None, 'primary_ip4': None, 'primary_ip6': None}
    counts = {'interface_count': Counter('dcim.Interface', 'vdcs')}
    search = ('name', 'description', 'comments')
    menu = ('Devices', 'Devices')


@declare
class ModuleDeclaration(Declaration):
    model = m.Module
    brief = ('device', 'module_bay')
    search = ('serial', 'asset_tag', 'description', 'comments')
    menu = ('Devices', 'Modules')


@declare
class MACAddressDeclaration(Declaration):
    model = m.MACAddress
    brief = ('mac_address', 'description')
    search = ('mac_address', 'description', 'comments')
    menu = ('Devices', 'Device components')


# Components

def _component(model_class, cabled=True, path=True, menu=True, **attrs):
    pending = dict(CABLE_PATH_PENDING if path else CABLE_PEERS_PENDING) if cabled else {}
    pending.update(attrs.pop('pending', {}))
    filters = device_relation_filters()
    filters.update(attrs.pop('extra_filters', {}))
    brief = attrs.pop('brief', COMPONENT_BRIEF if cabled else ('device', 'name', 'description', '_occupied'))
    declaration = type(f'{model_class.__name__}Declaration', (Declaration,), {
        'model': model_class,
        'brief': brief,
        'pending': pending,
        'serializer_fields': {'_occupied': _occupied_field()} | attrs.pop('serializer_fields', {}),
        'extra_filters': filters,
        'search': COMPONENT_SEARCH,
        'menu': ('Devices', 'Device components') if menu else None,
        **attrs,
    })
    return declare(declaration)


def _occupied_field():
    return serializers.BooleanField(read_only=True)


_component(m.ConsolePort)
_component(m.ConsoleServerPort)
_component(m.PowerPort)
_component(m.PowerOutlet)
_component(m.Interface, fields=None, pending={
    'untagged_vlan': None, 'tagged_vlans': [], 'qinq_svlan': None, 'vlan_translation_policy': None,
    'wireless_link': None, 'wireless_lans': [], 'vrf': None, 'l2vpn_termination': None, 'count_ipaddresses': 0,
    'count_fhrp_groups': 0, 'mac_addresses': [],
}, serializer_fields={
    'bridge_interfaces': NestedRelatedField(related_model=m.Interface, many=True, read_only=True),
    'mac_address': serializers.CharField(read_only=True, allow_null=True),
}, prefetch_related=('bridge_interfaces',), select_related=('primary_mac_address',),
    table=('name', 'device', 'label', 'enabled', 'type', 'description'))
_component(m.RearPort, path=False, pending={'front_ports': []})
_component(m.FrontPort, path=False, pending={'rear_ports': []})
_component(m.ModuleBay, cabled=False, brief=('device', 'name', 'installed_module', 'description', '_occupied'),
           serializer_fields={'installed_module': NestedRelatedField(related_model=m.Module, read_only=True)},
           nested=('id', 'url', 'display', 'device', 'name', 'description'),
           select_related=('installed_module',))
_component(m.DeviceBay, cabled=False, brief=('device', 'name', 'installed_device', 'description', '_occupied'))
_component(m.InventoryItem, cabled=False, brief=('device', 'name', 'description', '_depth'), exclude=('_occupied',))


@declare
class InventoryItemRoleDeclaration(Declaration):
    model = m.InventoryItemRole
    brief = ORG_BRIEF
    counts = {'inventoryitem_count': Counter('dcim.InventoryItem', 'role')}
    search = SEARCH
    menu = ('Devices', 'Device components')


# Power

@declare
class PowerPanelDeclaration(Declaration):
    model = m.PowerPanel
    brief = ('name', 'description')
    counts = {'powerfeed_count': Counter('dcim.PowerFeed', 'power_panel')}
    search = ('name', 'description', 'comments')
    extra_filters = location_filters('')
    contacts = True
    menu = ('Power', 'Power')
    related = ('dcim.PowerFeed.power_panel',)


@declare
class PowerFeedDeclaration(Declaration):
    model = m.PowerFeed
    brief = ('name', 'cable', 'description', '_occupied')
    exclude = ('available_power',)
    pending = dict(CABLE_PATH_PENDING)
    serializer_fields = {'_occupied': _occupied_field()}
    search = ('name', 'description', 'comments')
    menu = ('Power', 'Power')
