"""
DCIM filters: every filter (and lookup) of the NetBox 4.6 reference is offered, and a sample of each kind behaves:
trees, counters, "has any" booleans, cable state, interface kinds, MAC addresses, pending data, cables.
"""
import json
import re
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import (
    Cable,
    ConsolePort,
    Device,
    DeviceRole,
    DeviceType,
    FrontPort,
    Interface,
    Location,
    MACAddress,
    Manufacturer,
    Module,
    ModuleBay,
    ModuleType,
    Platform,
    PortMapping,
    PowerFeed,
    PowerPanel,
    Rack,
    RackReservation,
    RearPort,
    Region,
    Site,
    SiteGroup,
    VirtualChassis,
)
from netbox.api.fields import api_list_path
from netbox.filtersets import NUMBER_LOOKUPS, STRING_LOOKUPS
from netbox.registry import registry
from netbox.testing import make
from tenancy.models import Tenant, TenantGroup

REFERENCE_DIR = Path(__file__).resolve().parents[4] / 'shared' / 'reference'
REFERENCE = json.loads((REFERENCE_DIR / 'netbox-4.7-api.json').read_text())
# Query parameters that are not filters.
PAGING_PARAMS = {'q', 'limit', 'offset', 'ordering', 'brief', 'fields', 'omit', 'start'}
DCIM = sorted(registry.for_app('dcim'), key=lambda d: d.label())


def reference_lookups():
    """{list path: {filter names with the lookups dcim.md lists: [str], [num], [n]}}."""
    lookups = {'str': ['', *STRING_LOOKUPS, 'empty'], 'num': ['', *NUMBER_LOOKUPS, 'empty'], 'n': ['', 'n'],
               None: ['']}
    out, path = {}, None
    for line in (REFERENCE_DIR / 'api' / 'dcim.md').read_text().splitlines():
        heading = re.match(r'^## `(/api/dcim/[^`]+)`', line)
        if heading:
            path = heading.group(1)
        elif line.startswith('- filters:') and path:
            names = set()
            for token in line.split(':', 1)[1].split():
                name, kind = re.match(r'(\w+)(?:\[(\w+)\])?', token).groups()
                names.update(f'{name}__{suffix}' if suffix else name for suffix in lookups[kind])
            out[path] = names
    return out


LOOKUPS = reference_lookups()


def offered(declaration):
    return set(declaration.filterset().base_filters) | PAGING_PARAMS


@pytest.mark.parametrize('declaration', DCIM, ids=[d.label() for d in DCIM])
def test_every_reference_filter_is_offered(declaration):
    path = api_list_path(declaration.model)
    assert path in REFERENCE, f'{declaration.label()} has no reference entry'
    assert sorted(set(REFERENCE[path]['filters']) - offered(declaration)) == []


@pytest.mark.parametrize('declaration', DCIM, ids=[d.label() for d in DCIM])
def test_every_reference_lookup_is_offered(declaration):
    path = api_list_path(declaration.model)
    assert sorted(LOOKUPS[path] - offered(declaration)) == []


def ids(api, model, among=None, **params):
    """IDs the model's list endpoint returns for these query parameters, restricted to `among` (objects or IDs)
    when given, because make() also creates the related objects it needs."""
    response = api.get(api_list_path(model), {'limit': 1000, **params})
    assert response.status_code == 200, response.content
    found = {row['id'] for row in response.json()['results']}
    if among is not None:
        found &= {getattr(item, 'pk', item) for item in among}
    return found


@pytest.fixture
def regions():
    europe = make(Region, name='Europe', slug='europe')
    france = make(Region, name='France', slug='france', parent=europe)
    asia = make(Region, name='Asia', slug='asia')
    return europe, france, asia


# Trees: an ancestor matches everything below it

@pytest.mark.django_db
def test_region_filter_on_devices_includes_descendant_regions(api, regions):
    europe, france, asia = regions
    paris = make(Device, site=make(Site, region=france))
    tokyo = make(Device, site=make(Site, region=asia))
    assert ids(api, Device, region='europe') == {paris.pk}
    assert ids(api, Device, region_id=europe.pk) == {paris.pk}
    assert ids(api, Device, region__n='europe') == {tokyo.pk}


@pytest.mark.django_db
def test_site_group_filter_on_interfaces_follows_the_device(api):
    parent = make(SiteGroup, name='Campus', slug='campus')
    child = make(SiteGroup, name='Building', slug='building', parent=parent)
    inside = make(Interface, device=make(Device, site=make(Site, group=child)), type='1000base-t')
    make(Interface, device=make(Device, site=make(Site)), type='1000base-t')
    assert ids(api, Interface, site_group='campus') == {inside.pk}
    assert ids(api, Interface, site_group_id=parent.pk) == {inside.pk}


@pytest.mark.django_db
def test_location_filter_on_devices_includes_child_locations(api):
    site = make(Site)
    hall = make(Location, site=site, name='Hall', slug='hall')
    cage = make(Location, site=site, name='Cage', slug='cage', parent=hall)
    caged = make(Device, site=site, location=cage)
    make(Device, site=site)
    assert ids(api, Device, location_id=hall.pk) == {caged.pk}
    assert ids(api, Device, location='hall') == {caged.pk}


@pytest.mark.django_db
def test_tenant_group_filter_on_racks_includes_child_groups(api):
    parent = make(TenantGroup, name='Customers', slug='customers')
    child = make(TenantGroup, name='Retail', slug='retail', parent=parent)
    rack = make(Rack, tenant=make(Tenant, group=child))
    make(Rack)
    assert ids(api, Rack, tenant_group='customers') == {rack.pk}
    assert ids(api, Rack, tenant_group_id=parent.pk) == {rack.pk}


@pytest.mark.django_db
def test_site_filters_on_power_feeds_go_through_the_panel(api, regions):
    site = make(Site, region=regions[1])
    feed = make(PowerFeed, power_panel=make(PowerPanel, site=site))
    make(PowerFeed)
    assert ids(api, PowerFeed, site_id=site.pk) == {feed.pk}
    assert ids(api, PowerFeed, site=site.slug) == {feed.pk}
    assert ids(api, PowerFeed, region='europe') == {feed.pk}


# Components: the parent device's attributes, with negation and lookups

@pytest.mark.django_db
def test_component_filters_by_device_status_and_negated_site(api):
    site = make(Site)
    planned = make(ConsolePort, device=make(Device, site=site, status='planned'))
    active = make(ConsolePort, device=make(Device, status='active'))
    assert ids(api, ConsolePort, device_status='planned') == {planned.pk}
    assert ids(api, ConsolePort, device_status__ic='PLAN') == {planned.pk}
    assert ids(api, ConsolePort, site_id__n=site.pk) == {active.pk}
    assert ids(api, ConsolePort, site__n=site.slug) == {active.pk}


# Counters

@pytest.fixture
def devices_with_interfaces():
    small, large = make(Device), make(Device)
    for number in range(2):
        make(Interface, device=small, name=f'eth{number}', type='1000base-t')
    for number in range(5):
        make(Interface, device=large, name=f'eth{number}', type='1000base-t')
    return small, large


@pytest.mark.django_db
def test_interface_count_lookups_on_devices(api, devices_with_interfaces):
    small, large = devices_with_interfaces
    bare = make(Device)
    among = (small, large, bare)
    assert ids(api, Device, among, interface_count__gte=3) == {large.pk}
    assert ids(api, Device, among, interface_count=2) == {small.pk}
    assert ids(api, Device, among, interface_count__lt=1) == {bare.pk}
    assert ids(api, Device, among, interface_count__n=5) == {small.pk, bare.pk}


@pytest.mark.django_db
def test_counter_filter_works_when_the_counter_is_not_listed(api, devices_with_interfaces):
    small, large = devices_with_interfaces
    # brief and fields= lists don't annotate interface_count; the filter adds the same Subquery itself.
    assert ids(api, Device, interface_count__gte=3, brief=1) == {large.pk}
    assert ids(api, Device, interface_count__gt=1, interface_count__lt=3, fields='id') == {small.pk}


@pytest.mark.django_db
def test_counter_is_never_empty(api, devices_with_interfaces):
    assert ids(api, Device, interface_count__empty='true') == set()
    assert ids(api, Device, devices_with_interfaces, interface_count__empty='false') == {
        device.pk for device in devices_with_interfaces}


@pytest.mark.django_db
def test_device_count_filter_on_device_types(api):
    used, unused = make(DeviceType), make(DeviceType)
    make(Device, device_type=used)
    assert ids(api, DeviceType, device_count__gte=1) == {used.pk}
    assert unused.pk in ids(api, DeviceType, device_count=0)


# Booleans

@pytest.mark.django_db
def test_has_any_component_booleans_on_devices(api):
    with_console = make(Device)
    make(ConsolePort, device=with_console)
    patch_panel = make(Device)
    make(RearPort, device=patch_panel, type='8p8c')
    among = (with_console, patch_panel)
    assert ids(api, Device, among, console_ports='true') == {with_console.pk}
    assert ids(api, Device, among, console_ports='false') == {patch_panel.pk}
    assert ids(api, Device, among, pass_through_ports='true') == {patch_panel.pk}


@pytest.mark.django_db
def test_virtual_chassis_member_on_devices(api):
    member = make(Device)
    chassis = make(VirtualChassis, master=None)
    member.virtual_chassis, member.vc_position = chassis, 1
    member.save()
    loner = make(Device)
    assert ids(api, Device, virtual_chassis_member='true') == {member.pk}
    assert ids(api, Device, virtual_chassis_member='false') == {loner.pk}


@pytest.fixture
def cabled_pair():
    """Two interfaces joined by a cable, one marked connected, one free."""
    a = make(Interface, type='1000base-t', device=make(Device, name='left'))
    b = make(Interface, type='1000base-t', device=make(Device, name='right'))
    cable = Cable(a_terminations=[a], b_terminations=[b])
    cable.save()
    marked = make(Interface, type='1000base-t', mark_connected=True)
    free = make(Interface, type='1000base-t')
    return a, b, marked, free


@pytest.mark.django_db
def test_cabled_occupied_and_connected_on_interfaces(api, cabled_pair):
    a, b, marked, free = cabled_pair
    assert ids(api, Interface, cabled='true') == {a.pk, b.pk}
    assert ids(api, Interface, occupied='true') == {a.pk, b.pk, marked.pk}
    assert ids(api, Interface, connected='true') == {a.pk, b.pk, marked.pk}
    assert ids(api, Interface, connected='false') == {free.pk}


@pytest.mark.django_db
def test_has_front_image_on_device_types(api):
    pictured = make(DeviceType, front_image='devicetype-images/front.png')
    plain = make(DeviceType)
    assert ids(api, DeviceType, has_front_image='true') == {pictured.pk}
    assert ids(api, DeviceType, has_front_image='false') == {plain.pk}


# Interfaces: kind, MAC addresses, virtual chassis, relations

@pytest.mark.django_db
def test_interface_kind(api):
    device = make(Device)
    physical = make(Interface, device=device, name='eth0', type='1000base-t')
    virtual = make(Interface, device=device, name='lo0', type='virtual')
    wireless = make(Interface, device=device, name='wlan0', type='ieee802.11ac')
    assert ids(api, Interface, kind='physical') == {physical.pk}
    assert ids(api, Interface, kind='virtual') == {virtual.pk}
    assert ids(api, Interface, kind='wireless') == {wireless.pk}
    assert ids(api, Interface, kind=['virtual', 'wireless']) == {virtual.pk, wireless.pk}


@pytest.fixture
def interfaces_with_macs():
    device = make(Device)
    primary = make(Interface, device=device, name='eth0', type='1000base-t')
    mac = make(MACAddress, mac_address='AA:BB:CC:00:00:01')
    primary.primary_mac_address = mac
    primary.save()
    assigned = make(Interface, device=make(Device), name='eth1', type='1000base-t')
    make(MACAddress, mac_address='AA:BB:CC:00:00:02', assigned_object_type=ContentType.objects.get_for_model(
        Interface), assigned_object_id=assigned.pk)
    bare = make(Interface, type='1000base-t')
    return primary, assigned, bare


@pytest.mark.django_db
def test_mac_address_on_interfaces_matches_primary_and_assigned(api, interfaces_with_macs):
    primary, assigned, bare = interfaces_with_macs
    assert ids(api, Interface, mac_address='aa:bb:cc:00:00:01') == {primary.pk}
    assert ids(api, Interface, mac_address='AA:BB:CC:00:00:02') == {assigned.pk}
    assert ids(api, Interface, mac_address__isw='aa:bb:cc') == {primary.pk, assigned.pk}
    assert ids(api, Interface, mac_address__n='AA:BB:CC:00:00:01') == {assigned.pk, bare.pk}
    assert ids(api, Interface, mac_address__empty='true') == {bare.pk}


@pytest.mark.django_db
def test_mac_address_on_devices_looks_at_their_interfaces(api, interfaces_with_macs):
    primary, assigned, _ = interfaces_with_macs
    assert ids(api, Device, mac_address='AA:BB:CC:00:00:02') == {assigned.device_id}
    assert ids(api, Device, mac_address__ic='00:00:0') == {primary.device_id, assigned.device_id}


@pytest.mark.django_db
def test_virtual_chassis_member_on_interfaces_spans_the_chassis(api):
    master, member = make(Device), make(Device)
    chassis = make(VirtualChassis, master=None)
    for position, device in enumerate((master, member), start=1):
        device.virtual_chassis, device.vc_position = chassis, position
        device.save()
    chassis.master = master
    chassis.save()
    own = make(Interface, device=master, name='eth0', type='1000base-t')
    other = make(Interface, device=member, name='eth0', type='1000base-t')
    management = make(Interface, device=member, name='mgmt0', type='1000base-t', mgmt_only=True)
    make(Interface, type='1000base-t')
    # Management interfaces of the other members are left out; a member's own are not.
    assert ids(api, Interface, virtual_chassis_member_id=master.pk) == {own.pk, other.pk}
    assert ids(api, Interface, virtual_chassis_member_or_master_id=master.pk) == {own.pk, other.pk}
    assert ids(api, Interface, virtual_chassis_member_or_master_id=member.pk) == {other.pk, management.pk}
    assert ids(api, Interface, virtual_chassis_member_id=member.pk) == {own.pk, other.pk, management.pk}


@pytest.mark.django_db
def test_lag_parent_and_bridge_filters_on_interfaces(api):
    device = make(Device)
    lag = make(Interface, device=device, name='bond0', type='lag')
    member = make(Interface, device=device, name='eth0', type='1000base-t', lag=lag)
    child = make(Interface, device=device, name='eth0.10', type='virtual', parent=member)
    bridged = make(Interface, device=device, name='eth1', type='1000base-t', bridge=lag)
    assert ids(api, Interface, lag_id=lag.pk) == {member.pk}
    assert ids(api, Interface, parent_id=member.pk) == {child.pk}
    assert ids(api, Interface, bridge_id=lag.pk) == {bridged.pk}


# Pending data (IPAM, virtualization, wireless...): always null for now

@pytest.mark.django_db
def test_pending_relation_filters_accept_values_and_match_nothing(api):
    interface = make(Interface, type='1000base-t')
    assert ids(api, Interface, vrf_id=1) == set()
    assert ids(api, Interface, vrf='blue') == set()
    assert ids(api, Interface, vrf_id__n=1) == {interface.pk}
    assert ids(api, Device, cluster_id='null') == {interface.device_id}


@pytest.mark.django_db
def test_has_primary_ip_answers_as_if_no_device_had_one(api):
    device = make(Device)
    assert ids(api, Device, has_primary_ip='false') == {device.pk}
    assert ids(api, Device, has_primary_ip='true') == set()


@pytest.mark.django_db
def test_uncabled_port_is_on_no_cable_connector(api):
    make(ConsolePort)
    assert ids(api, ConsolePort, cable_connector__gte=1) == set()
    assert len(ids(api, ConsolePort, cable_connector__empty='true')) == 1


# Other models

@pytest.mark.django_db
def test_rack_reservation_unit_filters(api):
    rack = make(Rack, u_height=20)
    low = make(RackReservation, rack=rack, units=[1, 2])
    high = make(RackReservation, rack=rack, units=[10, 11, 12])
    assert ids(api, RackReservation, unit=2) == {low.pk}
    assert ids(api, RackReservation, unit__gt=5) == {high.pk}
    assert ids(api, RackReservation, unit__n=2) == {high.pk}
    assert ids(api, RackReservation, unit_count_min=3) == {high.pk}
    assert ids(api, RackReservation, unit_count_max=2) == {low.pk}


@pytest.mark.django_db
def test_module_bay_installed_module_and_module_filters(api):
    device = make(Device)
    bay = make(ModuleBay, device=device, name='slot1')
    empty = make(ModuleBay, device=device, name='slot2')
    maker = make(Manufacturer, name='Acme', slug='acme')
    module = make(Module, device=device, module_bay=bay, module_type=make(ModuleType, manufacturer=maker))
    assert ids(api, ModuleBay, installed_module_id=module.pk) == {bay.pk}
    assert ids(api, ModuleBay, (bay, empty), installed_module_id='null') == {empty.pk}
    assert ids(api, Module, manufacturer='acme') == {module.pk}
    assert ids(api, Module, site_id=device.site_id) == {module.pk}


@pytest.mark.django_db
def test_front_ports_by_mapped_rear_port(api):
    device = make(Device)
    rear = make(RearPort, device=device, name='rear', type='8p8c', positions=2)
    front = make(FrontPort, device=device, name='front1', type='8p8c')
    make(FrontPort, device=device, name='front2', type='8p8c')
    PortMapping.objects.create(front_port=front, rear_port=rear)
    assert ids(api, FrontPort, rear_port_id=rear.pk) == {front.pk}
    assert ids(api, RearPort, front_port_id=front.pk) == {rear.pk}


@pytest.mark.django_db
def test_platforms_available_for_a_device_type(api):
    maker, other = make(Manufacturer), make(Manufacturer)
    own = make(Platform, manufacturer=maker)
    generic = make(Platform)
    make(Platform, manufacturer=other)
    dtype = make(DeviceType, manufacturer=maker)
    assert ids(api, Platform, available_for_device_type=dtype.pk) == {own.pk, generic.pk}


@pytest.mark.django_db
def test_mac_address_objects_by_assignment(api, interfaces_with_macs):
    primary, assigned, _ = interfaces_with_macs
    primary_mac = primary.primary_mac_address
    assigned_mac = MACAddress.objects.get(mac_address='AA:BB:CC:00:00:02')
    assert ids(api, MACAddress, assigned='true') == {assigned_mac.pk}
    assert ids(api, MACAddress, primary='true') == {primary_mac.pk}
    assert ids(api, MACAddress, interface_id=assigned.pk) == {assigned_mac.pk}
    assert ids(api, MACAddress, device_id=assigned.device_id) == {assigned_mac.pk}


@pytest.mark.django_db
def test_virtual_chassis_by_master_site(api):
    master = make(Device)
    chassis = make(VirtualChassis, master=None)
    master.virtual_chassis, master.vc_position = chassis, 1
    master.save()
    chassis.master = master
    chassis.save()
    make(VirtualChassis, master=None)
    assert ids(api, VirtualChassis, site_id=master.site_id) == {chassis.pk}
    assert ids(api, VirtualChassis, member_count__gte=1) == {chassis.pk}


@pytest.mark.django_db
def test_device_role_filter_on_components_includes_child_roles(api):
    servers = make(DeviceRole, name='Servers', slug='servers')
    web = make(DeviceRole, name='Web', slug='web', parent=servers)
    port = make(ConsolePort, device=make(Device, role=web))
    make(ConsolePort)
    assert ids(api, ConsolePort, device_role='servers') == {port.pk}


# Cables and terminations

@pytest.mark.django_db
def test_cables_by_device_site_and_termination(api, cabled_pair):
    a, b, _, _ = cabled_pair
    cable = a.cable if a.cable_id else Interface.objects.get(pk=a.pk).cable
    assert ids(api, Cable, device_id=a.device_id) == {cable.pk}
    assert ids(api, Cable, device='right') == {cable.pk}
    assert ids(api, Cable, site_id=b.device.site_id) == {cable.pk}
    assert ids(api, Cable, interface_id=b.pk) == {cable.pk}
    assert ids(api, Cable, termination_a_type='dcim.interface', termination_a_id=a.pk) == {cable.pk}
    assert ids(api, Cable, termination_a_type__n='dcim.interface') == set()
    assert ids(api, Cable, unterminated='false') == {cable.pk}
    assert ids(api, Cable, consoleport_id=a.pk) == set()
