"""How the DCIM models are exposed (REST, filters, UI, search)."""
from django.db.models import F, Func, OuterRef, Prefetch, Subquery
from rest_framework import serializers

from extras.configcontexts import attach_config_contexts
from ipam.vlan_filters import INTERFACE_FORM_LIMITS, interface_form_clean
from netbox.api.fields import ConfigContextField, NestedRelatedField
from netbox.graphql.specs import (
    Alias,
    Annotation,
    Computed,
    Constant,
    Depth,
    GenericReverse,
    KeyedBy,
    Reverse,
    Through,
    natural_name,
)
from netbox.registry import Counter, Declaration, ExpressionCounter, declare
from vpn.fields import l2vpn_termination_field, l2vpn_termination_prefetch

from . import models as m
from .api_cables import TerminationsField, cable_path_fields, paths_route, trace_route
from .api_devices import (
    INTERFACE_COUNTS,
    RenderConfigView,
    asns_field,
    ip_prefetch_related,
    ip_select_related,
    primary_ip_field,
)
from .api_racks import RackElevationView
from .api_types import (
    FrontPortSerializerBase,
    FrontPortTemplateSerializerBase,
    InterfaceSerializerBase,
    RearPortSerializerBase,
    RearPortTemplateSerializerBase,
    attach_primary_flags,
    front_ports_field,
    library_api_routes,
    mappings_prefetch,
    rear_ports_field,
)
from .cabling import attach_cable_data, termination_prefetch
from .filters import (
    INTERFACE_FILTER_EXCLUDE,
    cable_filters,
    cable_object_filters,
    cable_termination_filters,
    cooling_feed_filters,
    device_filters,
    device_relation_filters,
    interface_filters,
    location_filters,
    mac_address_object_filters,
    mapped_port_filters,
    module_bay_filters,
    module_bay_type_filters,
    module_bay_types_filters,
    module_filters,
    platform_filters,
    power_feed_filters,
    rack_filters,
    rack_reservation_filters,
    site_asn_filters,
    tenant_group_filters,
    termination_owner,
    type_filters,
    virtual_chassis_filters,
    virtual_device_context_filters,
)
from .views_cables import CableConnectView, cable_cell, component_ui_routes, connection_routes
from .views_devices import DeviceConfigContextView, DeviceRenderConfigView
from .views_types import components_ui_routes, library_ui_routes

ORG_BRIEF = ('name', 'slug', 'description')
SEARCH = ('name', 'slug', 'description', 'comments')
TEMPLATE_FIELDS = ('device_type', 'module_type', 'name', 'label', 'description')
TEMPLATE_SEARCH = ('name', 'label', 'description')
COMPONENT_BRIEF = ('device', 'name', 'description', 'cable', '_occupied')
COMPONENT_SEARCH = ('name', 'label', 'description')


# Organisation

# GraphQL: the objects scoped to a region, site group, site or location (NetBox's generic relations on them).
GRAPHQL_SCOPED = {'clusters': GenericReverse('virtualization.Cluster', 'scope'),
                  'vlan_groups': GenericReverse('ipam.VLANGroup', 'scope')}
GRAPHQL_SCOPED_FILTERS = {'vlan_groups': GRAPHQL_SCOPED['vlan_groups'],
                          'prefixes': GenericReverse('ipam.Prefix', 'scope')}


def terminations_in(name):
    """GraphQL's `cabletermination_set` of a site, location, rack or device: the cable terminations whose object
    stands there."""
    return Reverse('dcim.CableTermination', termination_owner(name))


@declare
class RegionDeclaration(Declaration):
    model = m.Region
    graphql_fields = GRAPHQL_SCOPED
    graphql_filters = GRAPHQL_SCOPED_FILTERS
    brief = ORG_BRIEF + ('site_count',)
    counts = {'site_count': Counter('dcim.Site', 'region'), 'prefix_count': Counter('ipam.Prefix', '_region')}
    search = SEARCH
    contacts = True
    menu = ('Organization', 'Sites')
    related = ('dcim.Site.region',)


@declare
class SiteGroupDeclaration(Declaration):
    model = m.SiteGroup
    graphql_fields = GRAPHQL_SCOPED
    graphql_filters = GRAPHQL_SCOPED_FILTERS
    brief = ORG_BRIEF + ('site_count',)
    counts = {'site_count': Counter('dcim.Site', 'group'), 'prefix_count': Counter('ipam.Prefix', '_site_group')}
    search = SEARCH
    contacts = True
    menu = ('Organization', 'Sites')
    related = ('dcim.Site.group',)


def _site_circuit_count():
    """Circuits with a termination at the site (a circuit with both ends there counts once)."""
    from circuits.models import CircuitTermination

    ends = CircuitTermination.objects.filter(_site=OuterRef('pk')).order_by()
    count = Func(F('circuit_id'), function='COUNT', template='COUNT(DISTINCT %(expressions)s)')
    return Subquery(ends.annotate(_count=count).values('_count'))


@declare
class SiteDeclaration(Declaration):
    model = m.Site
    graphql_fields = {**GRAPHQL_SCOPED, 'prefixes': GRAPHQL_SCOPED_FILTERS['prefixes'],
                      'powerpanel_set': Alias('power_panels'), 'cabletermination_set': terminations_in('site')}
    graphql_filters = GRAPHQL_SCOPED_FILTERS
    brief = ORG_BRIEF
    serializer_fields = {'asns': asns_field()}
    counts = {
        'circuit_count': ExpressionCounter('circuits.Circuit', _site_circuit_count),
        'device_count': Counter('dcim.Device', 'site'),
        'prefix_count': Counter('ipam.Prefix', '_site'),
        'rack_count': Counter('dcim.Rack', 'site'),
        'virtualmachine_count': Counter('virtualization.VirtualMachine', 'site'),
        'vlan_count': Counter('ipam.VLAN', 'site'),
    }
    search = ('name', 'slug', 'facility', 'description', 'physical_address', 'shipping_address', 'comments')
    extra_filters = {**location_filters(''), **tenant_group_filters(), **site_asn_filters()}
    filter_exclude = ('physical_address', 'shipping_address', 'site_group', 'site_group_id')  # `group` is its own
    contacts = True
    table = ('name', 'status', 'facility', 'region', 'group', 'tenant', 'description', 'tags')
    menu = ('Organization', 'Sites')
    related = ('dcim.Location.site', 'dcim.Rack.site', 'dcim.Device.site', 'dcim.PowerPanel.site',
               'dcim.CoolingSource.site')


@declare
class LocationDeclaration(Declaration):
    model = m.Location
    graphql_fields = {**GRAPHQL_SCOPED, 'powerpanel_set': Alias('power_panels'),
                      'cabletermination_set': terminations_in('location')}
    graphql_filters = GRAPHQL_SCOPED_FILTERS
    brief = ORG_BRIEF + ('rack_count',)
    counts = {
        'rack_count': Counter('dcim.Rack', 'location'),
        'device_count': Counter('dcim.Device', 'location'),
        'prefix_count': Counter('ipam.Prefix', '_location'),
    }
    search = SEARCH + ('facility',)
    extra_filters = {**location_filters(''), **tenant_group_filters()}
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
    filter_counts = True  # 4.7 filters rack types by rack_count
    counts = {'rack_count': Counter('dcim.Rack', 'rack_type')}
    search = ('model', 'slug', 'description', 'comments')
    menu = ('Racks', 'Racks')


@declare
class RackDeclaration(Declaration):
    model = m.Rack
    graphql_fields = {'vlan_groups': GRAPHQL_SCOPED['vlan_groups'], 'cabletermination_set': terminations_in('rack')}
    graphql_filters = {'vlan_groups': GRAPHQL_SCOPED['vlan_groups']}
    brief = ('name', 'description')
    counts = {'device_count': Counter('dcim.Device', 'rack'), 'powerfeed_count': Counter('dcim.PowerFeed', 'rack')}
    search = ('name', 'facility_id', 'serial', 'asset_tag', 'description', 'comments')
    extra_filters = {**location_filters(''), **rack_filters()}
    contacts = True
    table = ('name', 'site', 'location', 'status', 'facility_id', 'tenant', 'role', 'u_height', 'device_count')
    menu = ('Racks', 'Racks')
    related = ('dcim.Device.rack', 'dcim.RackReservation.rack', 'dcim.PowerFeed.rack', 'dcim.CoolingFeed.rack')
    # Imported here so the elevation view stays part of the rack's declaration; the name is not kept on the class.
    api_routes = (('<int:pk>/elevation/', RackElevationView.as_view(), 'elevation'),)
    detail_templates = ('dcim/rack_elevations.html',)


@declare
class RackReservationDeclaration(Declaration):
    model = m.RackReservation
    graphql_fields = {'unit_count': Computed(int, lambda obj: len(obj.units or ()))}
    graphql_filters = {'unit_count': Annotation(lambda: Func(F('units'), function='cardinality'))}
    fields = ('rack', 'units', 'unit_count', 'status', 'created', 'last_updated', 'user', 'tenant', 'description',
              'owner', 'comments')
    serializer_fields = {}
    brief = ('user', 'description', 'units')
    search = ('rack__name', 'description', 'comments')
    extra_filters = rack_reservation_filters()
    menu = ('Racks', 'Racks')


# Types

@declare
class ManufacturerDeclaration(Declaration):
    model = m.Manufacturer
    graphql_fields = {'inventory_item_templates': Alias('inventoryitem_templates')}
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
    names = ('console_port', 'console_server_port', 'power_port', 'power_outlet', 'cooling_intake', 'cooling_outflow',
             'interface', 'front_port', 'rear_port', 'device_bay', 'module_bay', 'inventory_item')
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
    filter_counts = True
    counts = {'device_count': Counter('dcim.Device', 'device_type'), **template_counts('device_type')}
    extra_filters = type_filters('device_type')
    search = ('model', 'slug', 'part_number', 'description', 'comments')
    table = ('model', 'manufacturer', 'part_number', 'u_height', 'is_full_depth', 'device_count')
    menu = ('Devices', 'Device types')
    related = ('dcim.Device.device_type', 'dcim.InterfaceTemplate.device_type',
               'dcim.ConsolePortTemplate.device_type', 'dcim.PowerPortTemplate.device_type')
    api_routes = library_api_routes(m.DeviceType)
    ui_routes = library_ui_routes(m.DeviceType)
    detail_templates = ('dcim/devicetype_library_panel.html',)


@declare
class ModuleTypeProfileDeclaration(Declaration):
    model = m.ModuleTypeProfile
    brief = ('name', 'description')
    filter_by_name = True  # module types are filtered by `profile=<name>` (4.7)
    search = ('name', 'description', 'comments')
    menu = ('Devices', 'Modules')


@declare
class ModuleTypeDeclaration(Declaration):
    model = m.ModuleType
    graphql_fields = {'attribute_data': Alias('attributes')}
    brief = ('profile', 'manufacturer', 'model', 'description', 'module_count')
    filter_counts = True
    counts = {'module_count': Counter('dcim.Module', 'module_type'), **template_counts('module_type')}
    extra_filters = {**type_filters('module_type'), **module_bay_types_filters()}
    search = ('model', 'part_number', 'description', 'comments')
    menu = ('Devices', 'Modules')
    related = ('dcim.Module.module_type', 'dcim.InterfaceTemplate.module_type')
    api_routes = library_api_routes(m.ModuleType)
    ui_routes = library_ui_routes(m.ModuleType)
    detail_templates = ('dcim/devicetype_library_panel.html',)


def parent_id_field(model_class):
    """An inventory item's parent, served as a bare ID (as NetBox does) and written as one."""
    return serializers.PrimaryKeyRelatedField(queryset=model_class.objects.all(), allow_null=True, required=False)


def _template(model_class, extra_brief=(), **attrs):
    attrs.setdefault('exclude', ('display_url',))
    # NetBox filters templates by device_type_id only.
    attrs['filter_exclude'] = ('device_type',) + tuple(attrs.get('filter_exclude', ()))
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
_template(m.InterfaceTemplate, graphql_fields={'_name': Computed(str, natural_name, only=('name',)),
                                                'child_interfaces': Alias('child_templates')})
_template(m.RearPortTemplate, serializer_fields={'front_ports': front_ports_field()},
          serializer_base=RearPortTemplateSerializerBase, prefetch_related=(mappings_prefetch(m.PortTemplateMapping),),
          extra_filters=mapped_port_filters('front_port_id', 'front_port'))
_template(m.FrontPortTemplate, serializer_fields={'rear_ports': rear_ports_field()},
          serializer_base=FrontPortTemplateSerializerBase, prefetch_related=(mappings_prefetch(m.PortTemplateMapping),),
          extra_filters=mapped_port_filters('rear_port_id', 'rear_port'))
_template(m.ModuleBayTemplate, extra_filters=module_bay_types_filters())
_template(m.CoolingIntakeTemplate)
_template(m.CoolingOutflowTemplate)
_template(m.DeviceBayTemplate, exclude=('display_url', 'module_type'), filter_exclude=('module_type_id',))
_template(m.InventoryItemTemplate, exclude=('display_url', 'module_type'),
          filter_exclude=('module_type_id', 'ancestor', 'ancestor_id', 'component_type_id'),
          serializer_fields={'parent': parent_id_field(m.InventoryItemTemplate)})


@declare
class ModuleBayTypeDeclaration(Declaration):
    model = m.ModuleBayType
    brief = ('manufacturer', 'name', 'slug', 'color', 'description')
    extra_filters = module_bay_type_filters()
    search = ('name', 'slug', 'description', 'comments')
    menu = ('Devices', 'Modules')
    related = ('dcim.ModuleType.module_bay_types', 'dcim.ModuleBay.module_bay_types')


# Devices

@declare
class DeviceRoleDeclaration(Declaration):
    model = m.DeviceRole
    brief = ORG_BRIEF + ('device_count', 'virtualmachine_count')
    counts = {'device_count': Counter('dcim.Device', 'role'),
              'virtualmachine_count': Counter('virtualization.VirtualMachine', 'role')}
    search = SEARCH
    menu = ('Devices', 'Devices')


@declare
class PlatformDeclaration(Declaration):
    model = m.Platform
    brief = ORG_BRIEF + ('device_count', 'virtualmachine_count')
    counts = {'device_count': Counter('dcim.Device', 'platform'),
              'virtualmachine_count': Counter('virtualization.VirtualMachine', 'platform')}
    extra_filters = platform_filters()
    search = SEARCH
    menu = ('Devices', 'Devices')


def component_counts():
    names = {'console_port': 'consoleport', 'console_server_port': 'consoleserverport', 'power_port': 'powerport',
             'power_outlet': 'poweroutlet', 'cooling_intake': 'coolingintake', 'cooling_outflow': 'coolingoutflow',
             'interface': 'interface', 'front_port': 'frontport',
             'rear_port': 'rearport', 'device_bay': 'devicebay', 'module_bay': 'modulebay',
             'inventory_item': 'inventoryitem'}
    return {f'{name}_count': Counter(f'dcim.{model}', 'device') for name, model in names.items()}


@declare
class DeviceDeclaration(Declaration):
    model = m.Device
    graphql_fields = {'services': GenericReverse('ipam.Service', 'parent'),
                      'cabletermination_set': terminations_in('device')}
    graphql_filters = {'services': GenericReverse('ipam.Service', 'parent')}
    api_routes = (('<int:pk>/render-config/', RenderConfigView.as_view(), 'render-config'),)
    ui_routes = (('<int:pk>/config-context/', DeviceConfigContextView.as_view(), 'config-context'),
                 ('<int:pk>/render-config/', DeviceRenderConfigView.as_view(), 'render-config'))
    brief = ('name', 'description')
    filter_counts = True
    filter_by_name = True
    serializer_fields = {
        'parent_device': NestedRelatedField(related_model=m.Device, read_only=True, source='parent_bay.device'),
        'primary_ip': primary_ip_field(),
        'config_context': ConfigContextField(),
    }
    # An unnamed virtual chassis member is shown by its chassis' name: join the chassis (the parent device's too).
    select_related = ('parent_bay__device', 'parent_bay__device__virtual_chassis', 'virtual_chassis',
                      *ip_select_related('primary_ip4', 'primary_ip6', 'oob_ip'))
    prefetch_related = ip_prefetch_related('primary_ip4', 'primary_ip6', 'oob_ip')
    # config_context for the whole page: a fixed number of queries whatever its size.
    prepare_rows = staticmethod(attach_config_contexts)
    prepare_fields = ('config_context',)
    counts = component_counts()
    search = ('name', 'serial', 'asset_tag', 'description', 'comments')
    extra_filters = device_filters()
    contacts = True
    table = ('name', 'status', 'tenant', 'site', 'location', 'rack', 'role', 'device_type', 'tags')
    menu = ('Devices', 'Devices')
    related = ('dcim.Interface.device', 'dcim.ConsolePort.device', 'dcim.PowerPort.device', 'dcim.Module.device',
               'dcim.CoolingIntake.device', 'dcim.CoolingOutflow.device')


@declare
class VirtualChassisDeclaration(Declaration):
    model = m.VirtualChassis
    api_name = 'virtual-chassis'
    brief = ('name', 'master', 'description', 'member_count')
    filter_counts = True
    serializer_fields = {
        'members': NestedRelatedField(related_model=m.Device, many=True, read_only=True),
    }
    prefetch_related = ('members',)
    counts = {'member_count': Counter('dcim.Device', 'virtual_chassis')}
    extra_filters = virtual_chassis_filters()
    search = ('name', 'domain', 'description', 'comments')
    menu = ('Devices', 'Devices')
    related = ('dcim.Device.virtual_chassis',)


@declare
class VirtualDeviceContextDeclaration(Declaration):
    model = m.VirtualDeviceContext
    brief = ('name', 'device', 'identifier', 'description')
    serializer_fields = {'primary_ip': primary_ip_field()}
    select_related = ip_select_related('primary_ip4', 'primary_ip6')
    prefetch_related = ip_prefetch_related('primary_ip4', 'primary_ip6')
    counts = {'interface_count': Counter('dcim.Interface', 'vdcs')}
    extra_filters = virtual_device_context_filters()
    search = ('name', 'description', 'comments')
    menu = ('Devices', 'Devices')


@declare
class ModuleDeclaration(Declaration):
    model = m.Module
    # Modules installed in this module's bays.
    # Our modules hold no device bays and keep no local context: served as for a module without them.
    graphql_filters = {'modules': Alias('modulebays__installed_module'),
                       'device_bays': Constant([], 'DeviceBayType'), 'local_context_data': Constant(None)}
    brief = ('device', 'module_bay')
    serializer_fields = {'is_bay_compatible': serializers.BooleanField(read_only=True)}
    prefetch_related = ('module_bay__module_bay_types', 'module_type__module_bay_types')
    extra_filters = module_filters()
    search = ('serial', 'asset_tag', 'description', 'comments')
    menu = ('Devices', 'Modules')


@declare
class MACAddressDeclaration(Declaration):
    model = m.MACAddress
    brief = ('mac_address', 'description')
    serializer_fields = {'is_primary': serializers.BooleanField(read_only=True)}
    prepare_rows = staticmethod(attach_primary_flags)
    filter_by_name = True
    filter_exclude = ('assigned_object_type_id',)
    extra_filters = mac_address_object_filters()
    search = ('mac_address', 'description', 'comments')
    menu = ('Devices', 'Device components')


# Components

def _component(model_class, cabled=True, path=True, menu=True, **attrs):
    # The device is shown nested, and an unnamed virtual chassis member is shown by its chassis' name.
    attrs['select_related'] = ('device__virtual_chassis',) + tuple(attrs.get('select_related', ()))
    serializer_fields = {'_occupied': _occupied_field()}
    routes = ()
    if cabled:
        serializer_fields.update(cable_path_fields(endpoint=path))
        serializer_fields['cable_end'] = _cable_end_field()
        attrs['select_related'] = tuple(attrs.get('select_related', ())) + (('cable', '_path') if path else
                                                                            ('cable',))
        attrs['prepare_rows'] = staticmethod(attach_cable_data)
        attrs['prepare_fields'] = CABLE_DATA_FIELDS
        routes = (trace_route(model_class),) if path else (trace_route(model_class), paths_route(model_class))
        attrs['ui_routes'] = tuple(attrs.get('ui_routes', ())) + component_ui_routes(model_class) + (
            connection_routes(model_class) if path else ())
        attrs['detail_templates'] = ('dcim/component_cable.html',)
        attrs['ui_renderers'] = {'cable': cable_cell}
    serializer_fields.update(attrs.pop('serializer_fields', {}))
    filters = device_relation_filters()
    if cabled:
        filters.update(cable_filters(connected=path))
    filters.update(attrs.pop('extra_filters', {}))
    brief = attrs.pop('brief', COMPONENT_BRIEF if cabled else ('device', 'name', 'description', '_occupied'))
    declaration = type(f'{model_class.__name__}Declaration', (Declaration,), {
        'model': model_class,
        'brief': brief,
        'serializer_fields': serializer_fields,
        'api_routes': routes,
        'extra_filters': filters,
        'search': COMPONENT_SEARCH,
        'menu': ('Devices', 'Device components') if menu else None,
        **attrs,
    })
    return declare(declaration)


# The fields attach_cable_data computes for a page of cabled objects.
CABLE_DATA_FIELDS = ('link_peers', 'link_peers_type', 'connected_endpoints', 'connected_endpoints_type',
                     'connected_endpoints_reachable')


def _cable_end_field():
    return serializers.CharField(read_only=True, allow_null=True)


def _occupied_field():
    return serializers.BooleanField(read_only=True)


_component(m.ConsolePort)
_component(m.ConsoleServerPort)
_component(m.PowerPort)
_component(m.PowerOutlet)
_component(m.Interface, fields=None, read_only=('wireless_link',), counts=INTERFACE_COUNTS,
           serializer_base=InterfaceSerializerBase, serializer_fields={
    'mac_addresses': NestedRelatedField(related_model=m.MACAddress, many=True, read_only=True),
    'l2vpn_termination': l2vpn_termination_field(),
    'bridge_interfaces': NestedRelatedField(related_model=m.Interface, many=True, read_only=True),
    'mac_address': serializers.CharField(required=False, allow_null=True, allow_blank=True),
    # Related interfaces are shown nested, with their device (named after its chassis when unnamed) and cable.
}, prefetch_related=(Prefetch('bridge_interfaces', queryset=m.Interface.objects.select_related(
    'device__virtual_chassis', 'cable')), 'tagged_vlans', 'wireless_lans', l2vpn_termination_prefetch()),
    select_related=('primary_mac_address', 'parent__device__virtual_chassis', 'lag__device__virtual_chassis',
                    'bridge__device__virtual_chassis', 'untagged_vlan', 'qinq_svlan', 'vlan_translation_policy',
                    'vrf'),
    table=('name', 'device', 'label', 'enabled', 'type', 'cable', 'description'), extra_filters=interface_filters(),
    filter_exclude=INTERFACE_FILTER_EXCLUDE, form_limits=INTERFACE_FORM_LIMITS, form_include=('tagged_vlans',),
    graphql_fields={'_name': Computed(str, natural_name, only=('name',)),
                    'l2vpn_termination': Alias('l2vpn_terminations', first=True)},
    graphql_filters={'vcdcs': Alias('vdcs')},
    form_clean=staticmethod(interface_form_clean),
    ui_routes=components_ui_routes())
_component(m.RearPort, path=False, serializer_fields={'front_ports': front_ports_field()},
           serializer_base=RearPortSerializerBase, prefetch_related=(mappings_prefetch(m.PortMapping),),
           extra_filters=mapped_port_filters('front_port_id', 'front_port'))
_component(m.FrontPort, path=False, serializer_fields={'rear_ports': rear_ports_field()},
           serializer_base=FrontPortSerializerBase, prefetch_related=(mappings_prefetch(m.PortMapping),),
           extra_filters=mapped_port_filters('rear_port_id', 'rear_port'))
_component(m.ModuleBay, cabled=False, brief=('device', 'name', 'installed_module', 'description', '_occupied'),
           # The bay holding the module this bay belongs to.
           # `children`: the bays of the module installed here; `level`: 0 on the device, +1 per module nesting.
           graphql_fields={'parent': Through('module__module_bay'),
                           'children': Reverse('dcim.ModuleBay', 'module__module_bay'),
                           'level': Depth('module__module_bay')},
           graphql_filters={'parent': Through('module__module_bay')},
           serializer_fields={'installed_module': NestedRelatedField(related_model=m.Module, read_only=True),
                              'is_module_compatible': serializers.BooleanField(read_only=True)},
           nested=('id', 'url', 'display', 'device', 'name', 'description'),
           select_related=('installed_module',),
           prefetch_related=('module_bay_types', 'installed_module__module_type__module_bay_types'),
           extra_filters={**module_bay_filters(), **module_bay_types_filters()})
_component(m.CoolingIntake, cabled=False, brief=('device', 'name', 'description'), exclude=('_occupied',))
_component(m.CoolingOutflow, cabled=False, brief=('device', 'name', 'description'), exclude=('_occupied',))
_component(m.DeviceBay, cabled=False, brief=('device', 'name', 'installed_device', 'description', '_occupied'))
_component(m.InventoryItem, cabled=False, brief=('device', 'name', 'description', '_depth'), exclude=('_occupied',),
           filter_exclude=('ancestor', 'ancestor_id', 'component_type_id'),
           serializer_fields={'parent': parent_id_field(m.InventoryItem)})


@declare
class InventoryItemRoleDeclaration(Declaration):
    model = m.InventoryItemRole
    graphql_fields = {'inventory_item_templates': Alias('inventoryitem_templates')}
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
    filter_exclude = ('location',)  # NetBox filters power panels by location_id only
    contacts = True
    menu = ('Power', 'Power')
    related = ('dcim.PowerFeed.power_panel',)


@declare
class PowerFeedDeclaration(Declaration):
    model = m.PowerFeed
    graphql_fields = {'available_power': Alias('available_power')}
    brief = ('name', 'cable', 'description', '_occupied')
    exclude = ('available_power',)
    serializer_fields = {'_occupied': _occupied_field(), 'cable_end': _cable_end_field(), **cable_path_fields()}
    select_related = ('cable', '_path')
    prepare_rows = staticmethod(attach_cable_data)
    prepare_fields = CABLE_DATA_FIELDS
    api_routes = (trace_route(m.PowerFeed),)
    ui_routes = component_ui_routes(m.PowerFeed)
    extra_filters = power_feed_filters()
    detail_templates = ('dcim/component_cable.html', 'dcim/powerfeed_utilisation.html')
    search = ('name', 'description', 'comments')
    menu = ('Power', 'Power')


# Cooling

@declare
class CoolingSourceDeclaration(Declaration):
    model = m.CoolingSource
    brief = ('name', 'description')
    counts = {'coolingfeed_count': Counter('dcim.CoolingFeed', 'cooling_source')}
    search = ('name', 'description', 'comments')
    extra_filters = location_filters('')
    contacts = True
    table = ('name', 'site', 'location', 'type', 'status', 'fluid_type', 'cooling_capacity', 'coolingfeed_count')
    menu = ('Power', 'Cooling')
    related = ('dcim.CoolingFeed.cooling_source',)


@declare
class CoolingFeedDeclaration(Declaration):
    model = m.CoolingFeed
    brief = ('name', 'description')
    search = ('name', 'description', 'comments')
    extra_filters = cooling_feed_filters()
    table = ('name', 'cooling_source', 'rack', 'status', 'cooling_capacity', 'max_flow', 'max_flow_unit', 'tenant')
    menu = ('Power', 'Cooling')


# Cables

@declare
class CableBundleDeclaration(Declaration):
    model = m.CableBundle
    brief = ('name', 'description')
    counts = {'cable_count': Counter('dcim.Cable', 'bundle')}
    filter_by_name = True
    search = ('name', 'description', 'comments')
    table = ('name', 'description', 'cable_count', 'tags')
    menu = ('Connections', 'Cables')
    related = ('dcim.Cable.bundle',)


@declare
class CableDeclaration(Declaration):
    model = m.Cable
    fields = ('type', 'a_terminations', 'b_terminations', 'status', 'profile', 'tenant', 'bundle', 'label', 'color',
              'length', 'length_unit', 'description', 'owner', 'comments')
    serializer_fields = {
        'a_terminations': TerminationsField(), 'b_terminations': TerminationsField(),
        # NetBox serves a cable's type as its bare value (or null), unlike other choices.
        'type': serializers.ChoiceField(choices=m.Cable._meta.get_field('type').choices, allow_blank=True,
                                        allow_null=True, required=False),
    }
    prefetch_related = (Prefetch('terminations', queryset=m.CableTermination.objects.prefetch_related(
        termination_prefetch())),)
    extra_filters = cable_object_filters()
    graphql_objects = {'a_terminations': 'terminations__termination', 'b_terminations': 'terminations__termination'}
    brief = ('label', 'description')
    search = ('label', 'description', 'comments')
    table = ('label', 'type', 'status', 'tenant', 'color', 'length', 'length_unit')
    menu = ('Connections', 'Cables')
    # Adding a cable starts from the connect page: its terminations are chosen there, not in the generic form.
    ui_routes = (('connect/', CableConnectView.as_view(), 'connect'), ('add/', CableConnectView.as_view(), 'add'))


@declare
class CableTerminationDeclaration(Declaration):
    model = m.CableTermination
    fields = ('cable', 'cable_end', 'termination_type', 'termination_id', 'termination', 'connector', 'positions',
              'created', 'last_updated')
    filter_exclude = ('termination_type_id',)
    exclude = ('display_url',)
    # Our cable terminations carry no custom fields, tags or journal: served as for an object without them.
    graphql_fields = {'custom_fields': Constant({}), 'tags': Constant([], 'TagType'),
                      'journal_entries': Constant([], 'JournalEntryType')}
    graphql_filters = {name: KeyedBy(f'dcim.{name}', termination_owner(name))
                       for name in ('device', 'rack', 'location', 'site')}
    serializer_fields = {'cable': serializers.IntegerField(source='cable_id', read_only=True),
                         'cable_end': _cable_end_field()}
    prefetch_related = (termination_prefetch(),)
    api_methods = ('GET',)
    brief = ('cable', 'cable_end', 'termination_type', 'termination_id')
    filters = ('cable', 'cable_end', 'termination_type', 'termination_id')
    extra_filters = cable_termination_filters()
    search = ()
    menu = None
