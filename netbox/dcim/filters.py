"""
Filter builders the DCIM declarations share.

The derived filter sets (netbox.filtersets) cover a model's own fields. What DCIM adds is built here:

- location filters through a relation (a component filtered by its device's region, site group, site...);
- counters (`interface_count__gte=48`), computed with the very Subquery the REST counters use;
- "has any" booleans (`console_ports=true`) and other yes/no conditions (`cabled`, `occupied`, `connected`);
- interface kinds, MAC addresses (primary or assigned), virtual chassis membership;
- cable filters that look through terminations (a cable by the device or site at either end).
"""
import functools
import operator

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL

from netbox.filtersets import (
    NUMBER_LOOKUPS,
    STRING_LOOKUPS,
    MultiValueCharFilter,
    MultiValueNumberFilter,
    RequestIdFilter,
    _relation_filters,
    _string_filters,
)
from netbox.registry import Counter
from tenancy.models import Tenant

from . import models as m

# Endpoint kinds a cable can terminate on, as the `<kind>_id` filters of cables and cable terminations name them.
TERMINATION_KINDS = {
    'consoleport': 'dcim', 'consoleserverport': 'dcim', 'powerport': 'dcim', 'poweroutlet': 'dcim',
    'interface': 'dcim', 'frontport': 'dcim', 'rearport': 'dcim', 'powerfeed': 'dcim',
    'circuittermination': 'circuits',
}


# Where a cable termination's object stands, as paths from that object: a component's device (and the device's
# rack, location and site), a power feed's rack (and the rack's), a circuit termination's own site and location.
TERMINATION_OWNER_PATHS = {
    'device': {'component': 'device'},
    'rack': {'component': 'device__rack', 'powerfeed': 'rack'},
    'location': {'component': 'device__location', 'powerfeed': 'rack__location', 'circuittermination': '_location'},
    'site': {'component': 'device__site', 'powerfeed': 'rack__site', 'circuittermination': '_site'},
}


def termination_owner(name):
    """A function returning the expression that gives, per cable termination, the ID of the `name` ('device',
    'rack', 'location' or 'site') its object stands in (NetBox caches these on the termination)."""
    def expression():
        from django.apps import apps
        from django.db.models import BigIntegerField, Case, Subquery, When

        cases = []
        for kind, app_label in TERMINATION_KINDS.items():
            model = apps.get_model(app_label, kind)
            paths = TERMINATION_OWNER_PATHS[name]
            path = paths.get(kind) or (paths.get('component') if kind not in ('powerfeed', 'circuittermination')
                                       else None)
            if path is None:
                continue
            owner = model._base_manager.filter(pk=OuterRef('termination_id')).values(path)[:1]
            cases.append(When(termination_type=ContentType.objects.get_for_model(model), then=Subquery(owner)))
        return Case(*cases, default=None, output_field=BigIntegerField())
    return expression


class IdOrNullField(forms.IntegerField):
    """An object ID, or the word `null` (objects without one)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip().lower() == 'null':
            return 'null'
        return super().to_python(value)


class IdFilter(MultiValueNumberFilter):
    """IDs of related objects; `null` (with null_value='null') matches objects without one."""

    inner_field = IdOrNullField


# Relations followed from another model

def relation_filters(name, model, field, path):
    """`<name>_id` and `<name>` (slug, or name) with `__n`, for `model.field` reached from the filtered model by
    `path` (e.g. relation_filters('site', Device, 'site', 'device__site') on interfaces); trees include
    descendants."""
    return _relation_filters(name, model._meta.get_field(field), field_name=path)


def site_filters(prefix='', site=True, location=False):
    """region / site_group (trees) and optionally site and location, through `<prefix>site`."""
    out = {}
    out.update(relation_filters('region', m.Site, 'region', f'{prefix}site__region'))
    out.update(relation_filters('site_group', m.Site, 'group', f'{prefix}site__group'))
    if site:
        out.update(relation_filters('site', m.Device, 'site', f'{prefix}site'))
    if location:
        out.update(relation_filters('location', m.Device, 'location', f'{prefix}location'))
    return out


def location_filters(prefix=''):
    """region and site_group filters (tree-aware) for models placed at a site (the site filters are derived)."""
    return site_filters(prefix, site=False)


def tenant_group_filters(path='tenant__group'):
    """tenant_group / tenant_group_id, including descendant groups."""
    return relation_filters('tenant_group', Tenant, 'group', path)


def device_relation_filters(prefix='device__'):
    """What components (and modules) share: filters on the parent device's place, role, type, status, tenant."""
    out = site_filters(prefix, site=True, location=True)
    out.update(relation_filters('rack', m.Device, 'rack', f'{prefix}rack'))
    out.update(relation_filters('device_role', m.Device, 'role', f'{prefix}role'))
    out.update(relation_filters('device_type', m.Device, 'device_type', f'{prefix}device_type'))
    out.update(relation_filters('virtual_chassis', m.Device, 'virtual_chassis', f'{prefix}virtual_chassis'))
    out.update(relation_filters('tenant', m.Device, 'tenant', f'{prefix}tenant'))
    out.update(_string_filters('device_status', f'{prefix}status'))
    return out


# Yes/no conditions

class ConditionFilter(django_filters.BooleanFilter):
    """true: objects meeting the condition; false: the others. `condition` is a Q or a callable returning one."""

    def __init__(self, *args, condition=None, **kwargs):
        self.condition = condition
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        condition = self.condition() if callable(self.condition) else self.condition
        return qs.filter(condition) if value else qs.exclude(condition)


class HasRelatedFilter(ConditionFilter):
    """`console_ports=true`: objects with at least one related object counted by any of `counters`."""

    def __init__(self, *args, counters=(), **kwargs):
        self.counters = counters
        super().__init__(*args, condition=self.any_related, **kwargs)

    def any_related(self):
        subqueries = [Exists(counter.model._default_manager.filter(**{counter.field: OuterRef('pk')}, **counter.where))
                      for counter in self.counters if counter.model is not None]
        return functools.reduce(operator.or_, subqueries) if subqueries else Q(pk__in=[])


def has_related_filters(related):
    """{'console_ports': [Counter(...)], ...} -> one HasRelatedFilter each."""
    return {name: HasRelatedFilter(counters=tuple(counters)) for name, counters in related.items()}


def cable_filters(connected=True):
    """cabled, occupied and (for path endpoints) connected, for components and power feeds.

    connected: the object is marked connected, or its cable path reaches an endpoint and is active. Paths are
    kept by dcim.cabling whenever cables change, so this reads stored state only.
    """
    out = {
        'cabled': ConditionFilter(condition=Q(cable__isnull=False)),
        'occupied': ConditionFilter(condition=Q(cable__isnull=False) | Q(mark_connected=True)),
    }
    if connected:
        out['connected'] = ConditionFilter(condition=Q(mark_connected=True) | Q(_path__is_active=True,
                                                                                  _path__is_complete=True))
    out['cable_connector'] = CableConnectorFilter(lookup_expr='exact')
    out['cable_connector__n'] = CableConnectorFilter(lookup_expr='exact', exclude=True)
    for suffix in ('lt', 'lte', 'gt', 'gte'):
        out[f'cable_connector__{suffix}'] = CableConnectorFilter(lookup_expr=suffix)
    out['cable_connector__empty'] = CableConnectorEmptyFilter()
    return out


def _connector_rows(qs):
    """The cable termination rows of a component queryset's rows (matched by type and key)."""
    return m.CableTermination.objects.filter(termination_type=ContentType.objects.get_for_model(qs.model),
                                             termination_id=OuterRef('pk'))


class CableConnectorFilter(MultiValueNumberFilter):
    """`cable_connector=2`: components attached to connector 2 of their cable's end (set by the cable's profile)."""

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for item in value:
            condition |= Q(**{f'connector__{self.lookup_expr}': item})
        matched = Exists(_connector_rows(qs).filter(condition))
        return qs.exclude(matched) if self.exclude else qs.filter(matched)


class CableConnectorEmptyFilter(django_filters.BooleanFilter):
    """`cable_connector__empty=true`: components on no connector (uncabled, or on a cable without a profile)."""

    def filter(self, qs, value):
        if value is None:
            return qs
        placed = Exists(_connector_rows(qs).filter(connector__isnull=False))
        return qs.exclude(placed) if value else qs.filter(placed)


# Interfaces and MAC addresses

def _interface_type_values(predicate):
    from .choices import INTERFACE_TYPE

    return [value for value, _ in INTERFACE_TYPE if predicate(m.Interface(type=value))]


def interface_kind_condition(kind):
    """physical, virtual or wireless, by the Interface model's own rules."""
    virtual = _interface_type_values(lambda interface: interface.is_virtual)
    wireless = _interface_type_values(lambda interface: interface.is_wireless)
    if kind == 'virtual':
        return Q(type__in=virtual)
    if kind == 'wireless':
        return Q(type__in=wireless)
    if kind == 'physical':
        return ~Q(type__in=virtual + wireless)
    return Q(pk__in=[])


class InterfaceKindFilter(MultiValueCharFilter):
    """`kind=physical|virtual|wireless` (any of those given)."""

    def filter(self, qs, value):
        if not value:
            return qs
        condition = functools.reduce(operator.or_, (interface_kind_condition(kind.lower()) for kind in value))
        return qs.filter(condition)


def normalised_mac(value):
    """A MAC address in the stored form (upper case, colons), or the text unchanged when it isn't one."""
    import netaddr

    try:
        return str(netaddr.EUI(value, dialect=netaddr.mac_unix_expanded)).upper()
    except (netaddr.AddrFormatError, TypeError, ValueError):
        return value


def _interface_model(vm):
    if vm:
        from virtualization.models import VMInterface

        return VMInterface
    return m.Interface


def interfaces_with_mac(lookup, value, vm=False):
    """Q on Interface (VMInterface with vm): its primary MAC address, or any MAC address assigned to it, matches."""
    if lookup == 'exact':
        value = normalised_mac(value)
    macs = m.MACAddress.objects.filter(**{f'mac_address__{lookup}': value})
    interface_type = ContentType.objects.get_for_model(_interface_model(vm))
    assigned = macs.filter(assigned_object_type=interface_type).values('assigned_object_id')
    return Q(primary_mac_address__in=macs.values('pk')) | Q(pk__in=assigned)


def interfaces_with_any_mac(vm=False):
    interface_type = ContentType.objects.get_for_model(_interface_model(vm))
    assigned = m.MACAddress.objects.filter(assigned_object_type=interface_type).values('assigned_object_id')
    return Q(primary_mac_address__isnull=False) | Q(pk__in=assigned)


class MACAddressFilter(MultiValueCharFilter):
    """MAC address lookups on interfaces, or (with on_device) on devices having such an interface; with vm, on
    VM interfaces or virtual machines."""

    def __init__(self, *args, on_device=False, vm=False, **kwargs):
        self.on_device = on_device
        self.vm = vm
        super().__init__(*args, **kwargs)

    def _scoped(self, interface_condition):
        if self.on_device:
            parent = 'virtual_machine_id' if self.vm else 'device_id'
            return Q(pk__in=_interface_model(self.vm).objects.filter(interface_condition).values(parent))
        return interface_condition

    def filter(self, qs, value):
        if not value:
            return qs
        interface_condition = functools.reduce(operator.or_, (interfaces_with_mac(self.lookup_expr, item, self.vm)
                                                               for item in value))
        condition = self._scoped(interface_condition)
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


class MACAddressEmptyFilter(django_filters.BooleanFilter):
    def __init__(self, *args, on_device=False, vm=False, **kwargs):
        self.on_device = on_device
        self.vm = vm
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        condition = interfaces_with_any_mac(self.vm)
        if self.on_device:
            parent = 'virtual_machine_id' if self.vm else 'device_id'
            condition = Q(pk__in=_interface_model(self.vm).objects.filter(condition).values(parent))
        return qs.exclude(condition) if value else qs.filter(condition)


def mac_address_filters(on_device=False, vm=False):
    out = {'mac_address': MACAddressFilter(lookup_expr='exact', on_device=on_device, vm=vm)}
    for suffix, (lookup, exclude) in STRING_LOOKUPS.items():
        out[f'mac_address__{suffix}'] = MACAddressFilter(lookup_expr=lookup, exclude=exclude, on_device=on_device,
                                                         vm=vm)
    out['mac_address__empty'] = MACAddressEmptyFilter(on_device=on_device, vm=vm)
    return out


class VirtualChassisMemberFilter(MultiValueCharFilter):
    """Interfaces of the given devices plus, when such a device is in a virtual chassis, the non-management
    interfaces of the other members. With master_only, the other members count only for the chassis master."""

    def __init__(self, *args, by='name', master_only=False, **kwargs):
        self.by = by
        self.master_only = master_only
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        key = 'pk__in' if self.by == 'id' else 'name__in'
        if self.by == 'id' and not all(str(item).isdigit() for item in value):
            return qs.none()
        condition = Q(pk__in=[])
        for device in m.Device.objects.filter(**{key: value}).select_related('virtual_chassis'):
            condition |= Q(device=device)
            chassis = device.virtual_chassis
            if chassis is not None and (not self.master_only or chassis.master_id == device.pk):
                condition |= Q(device__virtual_chassis=chassis, mgmt_only=False)
        return qs.filter(condition)


def interface_filters():
    """The filters interfaces add to the component ones."""
    out = {
        'kind': InterfaceKindFilter(),
        'virtual_chassis_member': VirtualChassisMemberFilter(),
        'virtual_chassis_member_id': VirtualChassisMemberFilter(by='id'),
        'virtual_chassis_member_or_master': VirtualChassisMemberFilter(master_only=True),
        'virtual_chassis_member_or_master_id': VirtualChassisMemberFilter(by='id', master_only=True),
        'primary_mac_address': MultiValueCharFilter(field_name='primary_mac_address__mac_address',
                                                    lookup_expr='iexact', null_value='null'),
        'primary_mac_address__n': MultiValueCharFilter(field_name='primary_mac_address__mac_address',
                                                       lookup_expr='iexact', exclude=True),
    }
    out.update(mac_address_filters())
    out.update(relation_filters('vdc', m.Interface, 'vdcs', 'vdcs'))  # vdc by name, vdc_id
    out['vdc_identifier'] = MultiValueNumberFilter(field_name='vdcs__identifier', lookup_expr='exact',
                                                   distinct=True)
    out['vdc_identifier__n'] = MultiValueNumberFilter(field_name='vdcs__identifier', lookup_expr='exact',
                                                      exclude=True)
    for name, path in (('virtual_circuit_id', 'virtual_circuit_termination__virtual_circuit'),
                       ('virtual_circuit_termination_id', 'virtual_circuit_termination')):
        out[name] = MultiValueNumberFilter(field_name=path, lookup_expr='exact')
        out[f'{name}__n'] = MultiValueNumberFilter(field_name=path, lookup_expr='exact', exclude=True)
    out.update(l2vpn_filters('interface'))
    from ipam.vlan_filters import interface_vlan_filters

    # vlan (a VID) / vlan_id: interfaces carrying the VLAN tagged or untagged; a VRF is named by its RD.
    out.update(interface_vlan_filters())
    out['vrf'] = MultiValueCharFilter(field_name='vrf__rd', lookup_expr='exact', null_value='null')
    out['vrf__n'] = MultiValueCharFilter(field_name='vrf__rd', lookup_expr='exact', exclude=True)
    return out


# Which model fields of interfaces NetBox doesn't filter on (it has `vlan`/`vlan_id` for all three).
INTERFACE_FILTER_EXCLUDE = ('untagged_vlan', 'untagged_vlan_id', 'tagged_vlan', 'tagged_vlan_id', 'qinq_svlan',
                            'qinq_svlan_id', 'wireless_lan', 'wireless_link')


def l2vpn_filters(query_name):
    """`l2vpn` (slug) and `l2vpn_id`: objects (interfaces, VLANs) terminated on the given L2VPNs."""
    path = 'l2vpn_terminations__l2vpn'
    return {
        'l2vpn_id': MultiValueNumberFilter(field_name=f'{path}__id', lookup_expr='exact', distinct=True),
        'l2vpn_id__n': MultiValueNumberFilter(field_name=f'{path}__id', lookup_expr='exact', exclude=True),
        'l2vpn': MultiValueCharFilter(field_name=f'{path}__slug', lookup_expr='exact', distinct=True),
        'l2vpn__n': MultiValueCharFilter(field_name=f'{path}__slug', lookup_expr='exact', exclude=True),
    }


# Devices

def _device_component_counters():
    names = {'console_ports': 'consoleport', 'console_server_ports': 'consoleserverport',
             'power_ports': 'powerport', 'power_outlets': 'poweroutlet', 'interfaces': 'interface',
             'device_bays': 'devicebay', 'module_bays': 'modulebay'}
    related = {name: [Counter(f'dcim.{model}', 'device')] for name, model in names.items()}
    related['pass_through_ports'] = [Counter('dcim.frontport', 'device'), Counter('dcim.rearport', 'device')]
    return related


def device_filters():
    """The filters devices add to the derived ones."""
    out = {}
    out.update(location_filters(''))
    out.update(tenant_group_filters())
    out.update(relation_filters('manufacturer', m.DeviceType, 'manufacturer', 'device_type__manufacturer'))
    # `model` names the device type by slug.
    out['model'] = MultiValueCharFilter(field_name='device_type__slug', lookup_expr='exact')
    out['model__n'] = MultiValueCharFilter(field_name='device_type__slug', lookup_expr='exact', exclude=True)
    out['is_full_depth'] = django_filters.BooleanFilter(field_name='device_type__is_full_depth')
    out['parent_bay_id'] = IdFilter(field_name='parent_bay__id', lookup_expr='exact', null_value='null')
    out['parent_bay_id__n'] = MultiValueNumberFilter(field_name='parent_bay__id', lookup_expr='exact', exclude=True)
    out['parent_device_id'] = IdFilter(field_name='parent_bay__device', lookup_expr='exact', null_value='null')
    out['parent_device_id__n'] = MultiValueNumberFilter(field_name='parent_bay__device', lookup_expr='exact',
                                                        exclude=True)
    out['virtual_chassis_member'] = ConditionFilter(condition=Q(virtual_chassis__isnull=False))
    out['has_virtual_device_context'] = HasRelatedFilter(counters=(Counter('dcim.virtualdevicecontext', 'device'),))
    out['local_context_data'] = ConditionFilter(condition=Q(local_context_data__isnull=False))
    out.update(has_related_filters(_device_component_counters()))
    out.update(mac_address_filters(on_device=True))
    from virtualization.models import Cluster

    out.update(relation_filters('cluster_group', Cluster, 'group', 'cluster__group'))
    out.update(primary_ip_filters(oob=True))
    return out


class AddressFilter(MultiValueCharFilter):
    """`primary_ip4=10.0.0.1` (any mask) or `=10.0.0.1/24` (that exact address): objects whose IP field has it."""

    def condition(self, item):
        if '/' in item:
            from ipam.fields import to_network

            try:
                return Q(**{f'{self.field_name}__address': str(to_network(item))})
            except Exception:
                return Q(pk__in=[])
        try:
            return Q(**{f'{self.field_name}__address__net_host': item})
        except Exception:
            return Q(pk__in=[])

    def filter(self, qs, value):
        if not value:
            return qs
        import netaddr

        conditions = []
        for item in value:
            try:
                netaddr.IPNetwork(item)
            except (netaddr.AddrFormatError, TypeError, ValueError):
                conditions.append(Q(pk__in=[]))
                continue
            conditions.append(self.condition(item))
        condition = functools.reduce(operator.or_, conditions)
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


def primary_ip_filters(oob=False):
    """primary_ip4 / primary_ip6 (address) and their `_id`s, has_primary_ip, and for devices the OOB IP's."""
    out = {}
    for name in ('primary_ip4', 'primary_ip6'):
        out[name] = AddressFilter(field_name=name)
        out[f'{name}__n'] = AddressFilter(field_name=name, exclude=True)
        out[f'{name}_id'] = IdFilter(field_name=name, lookup_expr='exact', null_value='null')
        out[f'{name}_id__n'] = MultiValueNumberFilter(field_name=name, lookup_expr='exact', exclude=True)
    out['has_primary_ip'] = ConditionFilter(condition=Q(primary_ip4__isnull=False) | Q(primary_ip6__isnull=False))
    if oob:
        out['oob_ip_id'] = IdFilter(field_name='oob_ip', lookup_expr='exact', null_value='null')
        out['oob_ip_id__n'] = MultiValueNumberFilter(field_name='oob_ip', lookup_expr='exact', exclude=True)
        out['has_oob_ip'] = ConditionFilter(condition=Q(oob_ip__isnull=False))
    return out


def site_asn_filters():
    """`asn` (the number) and `asn_id` on sites."""
    return {
        'asn': MultiValueNumberFilter(field_name='asns__asn', lookup_expr='exact', distinct=True),
        'asn__n': MultiValueNumberFilter(field_name='asns__asn', lookup_expr='exact', exclude=True),
        'asn_id': MultiValueNumberFilter(field_name='asns', lookup_expr='exact', distinct=True),
        'asn_id__n': MultiValueNumberFilter(field_name='asns', lookup_expr='exact', exclude=True),
    }


def type_filters(owner):
    """Filters of device and module types: template counters, "has any template" booleans, images."""
    names = {'console_ports': 'consoleporttemplate', 'console_server_ports': 'consoleserverporttemplate',
             'power_ports': 'powerporttemplate', 'power_outlets': 'poweroutlettemplate',
             'interfaces': 'interfacetemplate', 'module_bays': 'modulebaytemplate'}
    if owner == 'device_type':
        names.update(device_bays='devicebaytemplate', inventory_items='inventoryitemtemplate')
    related = {name: [Counter(f'dcim.{model}', owner)] for name, model in names.items()}
    related['pass_through_ports'] = [Counter('dcim.frontporttemplate', owner), Counter('dcim.rearporttemplate', owner)]
    out = has_related_filters(related)
    if owner == 'device_type':
        for face in ('front', 'rear'):
            image = f'{face}_image'
            out[f'has_{image}'] = ConditionFilter(condition=~Q(**{image: ''}))
    return out


def mapped_port_filters(name, mapped_field):
    """`rear_port_id` on front ports (or `front_port_id` on rear ports): ports mapped to the given ones."""
    path = f'mappings__{mapped_field}'
    return {
        name: MultiValueNumberFilter(field_name=path, lookup_expr='exact', distinct=True),
        f'{name}__n': MultiValueNumberFilter(field_name=path, lookup_expr='exact', exclude=True),
    }


def module_bay_filters():
    return {
        'installed_module_id': IdFilter(field_name='installed_module__id', lookup_expr='exact', null_value='null'),
        'installed_module_id__n': MultiValueNumberFilter(field_name='installed_module__id', lookup_expr='exact',
                                                         exclude=True),
        # A module bay's parent is the bay holding the module the bay belongs to.
        'parent_id': IdFilter(field_name='module__module_bay', lookup_expr='exact', null_value='null'),
        'parent_id__n': MultiValueNumberFilter(field_name='module__module_bay', lookup_expr='exact', exclude=True),
    }


def module_filters():
    out = site_filters('device__', site=True, location=True)
    out.update(relation_filters('rack', m.Device, 'rack', 'device__rack'))
    out.update(relation_filters('manufacturer', m.ModuleType, 'manufacturer', 'module_type__manufacturer'))
    out.update(relation_filters('profile', m.ModuleType, 'profile', 'module_type__profile'))
    # `module_type` names the type by its model name.
    out['module_type'] = MultiValueCharFilter(field_name='module_type__model', lookup_expr='exact')
    out['module_type__n'] = MultiValueCharFilter(field_name='module_type__model', lookup_expr='exact', exclude=True)
    return out


def virtual_chassis_filters():
    """Virtual chassis are placed by their master."""
    out = site_filters('master__', site=True)
    out.update(relation_filters('tenant', m.Device, 'tenant', 'master__tenant'))
    return out


def virtual_device_context_filters():
    out = tenant_group_filters()
    out['interface_id'] = MultiValueNumberFilter(field_name='interfaces', lookup_expr='exact', distinct=True)
    out['interface_id__n'] = MultiValueNumberFilter(field_name='interfaces', lookup_expr='exact', exclude=True)
    out.update(primary_ip_filters())
    return out


class AvailableForDeviceTypeFilter(MultiValueNumberFilter):
    """Platforms a device of the given type may run: those of its manufacturer and those of no manufacturer."""

    def filter(self, qs, value):
        if not value:
            return qs
        makers = m.DeviceType.objects.filter(pk__in=value).values('manufacturer')
        return qs.filter(Q(manufacturer__isnull=True) | Q(manufacturer__in=makers))


def platform_filters():
    out = {'available_for_device_type': AvailableForDeviceTypeFilter()}
    return out


def mac_address_object_filters():
    """MAC address objects by what they are assigned to."""
    out = {
        'assigned': ConditionFilter(condition=Q(assigned_object_id__isnull=False)),
        'primary': ConditionFilter(condition=lambda: Q(pk__in=m.Interface.objects.filter(
            primary_mac_address__isnull=False).values('primary_mac_address')) | Q(
            pk__in=_interface_model(True).objects.filter(primary_mac_address__isnull=False).values(
                'primary_mac_address'))),
        'interface_id': AssignedInterfaceFilter(key='pk'),
        'interface_id__n': AssignedInterfaceFilter(key='pk', exclude=True),
        'interface': AssignedInterfaceFilter(key='name'),
        'interface__n': AssignedInterfaceFilter(key='name', exclude=True),
        'device_id': AssignedInterfaceFilter(key='device'),
        'device': AssignedInterfaceFilter(key='device__name'),
    }
    out.update({
        'vminterface_id': AssignedInterfaceFilter(key='pk', vm=True),
        'vminterface_id__n': AssignedInterfaceFilter(key='pk', vm=True, exclude=True),
        'vminterface': AssignedInterfaceFilter(key='name', vm=True),
        'vminterface__n': AssignedInterfaceFilter(key='name', vm=True, exclude=True),
        'virtual_machine_id': AssignedInterfaceFilter(key='virtual_machine', vm=True),
        'virtual_machine': AssignedInterfaceFilter(key='virtual_machine__name', vm=True),
    })
    return out


class AssignedInterfaceFilter(MultiValueCharFilter):
    """MAC addresses assigned to interfaces matching `<key>__in` the values (interface ID or name, device...)."""

    def __init__(self, *args, key='pk', vm=False, **kwargs):
        self.key = key
        self.vm = vm
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if self.key in ('pk', 'device', 'virtual_machine') and not all(str(item).isdigit() for item in value):
            return qs.none() if not self.exclude else qs
        model = _interface_model(self.vm)
        interfaces = model.objects.filter(**{f'{self.key}__in': value}).values('pk')
        condition = Q(assigned_object_type=ContentType.objects.get_for_model(model),
                      assigned_object_id__in=interfaces)
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


# Racks and reservations

def rack_filters():
    out = tenant_group_filters()
    out.update(relation_filters('manufacturer', m.RackType, 'manufacturer', 'rack_type__manufacturer'))
    return out


class ReservedUnitFilter(MultiValueNumberFilter):
    """`unit=5`: reservations including unit 5; lt/lte/gt/gte: including any unit in that range."""

    OPERATORS = {'lt': '<', 'lte': '<=', 'gt': '>', 'gte': '>='}
    # Units are smallints: a larger number would be a database error, so it is a 400 instead.
    inner_field = staticmethod(functools.partial(forms.IntegerField, min_value=-32768, max_value=32767))

    def condition(self, qs, unit):
        if self.lookup_expr == 'exact':
            return Q(units__contains=[unit])
        table, operator_sql = qs.model._meta.db_table, self.OPERATORS[self.lookup_expr]
        sql = f'EXISTS (SELECT 1 FROM unnest("{table}"."units") AS unit WHERE unit {operator_sql} %s)'
        return Q(RawSQL(sql, [unit], output_field=BooleanField()))

    def filter(self, qs, value):
        if not value:
            return qs
        condition = functools.reduce(operator.or_, (self.condition(qs, unit) for unit in value))
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


class ReservedUnitsEmptyFilter(django_filters.BooleanFilter):
    def filter(self, qs, value):
        if value is None:
            return qs
        condition = Q(units__len=0)
        return qs.filter(condition) if value else qs.exclude(condition)


def rack_reservation_filters():
    out = site_filters('rack__', site=True, location=False)
    out.update(relation_filters('location', m.Rack, 'location', 'rack__location'))
    out.update(relation_filters('group', m.Rack, 'group', 'rack__group'))
    out.update(tenant_group_filters())
    out['unit'] = ReservedUnitFilter(lookup_expr='exact')
    for suffix, (lookup, exclude) in NUMBER_LOOKUPS.items():
        out[f'unit__{suffix}'] = ReservedUnitFilter(lookup_expr=lookup, exclude=exclude)
    out['unit__empty'] = ReservedUnitsEmptyFilter()
    out['unit_count_min'] = django_filters.NumberFilter(field_name='units__len', lookup_expr='gte')
    out['unit_count_max'] = django_filters.NumberFilter(field_name='units__len', lookup_expr='lte')
    return out


# Power

def power_feed_filters():
    out = site_filters('power_panel__', site=True)
    out.update(relation_filters('location', m.PowerPanel, 'location', 'power_panel__location'))
    out.update(tenant_group_filters())
    out.update(cable_filters())
    return out


# Cooling

def cooling_feed_filters():
    """Cooling feeds are placed by their source."""
    out = site_filters('cooling_source__', site=True)
    out.update(tenant_group_filters())
    return out


# Module bay types

def module_bay_types_filters():
    """`module_bay_type` (slug) and `module_bay_type_id` on bays, bay templates and module types."""
    return relation_filters('module_bay_type', m.ModuleBay, 'module_bay_types', 'module_bay_types')


def module_bay_type_filters():
    """Module bay types by the bays, bay templates and module types that list them."""
    out = {}
    for name, relation in (('module_bay_id', 'module_bays'), ('module_bay_template_id', 'module_bay_templates'),
                           ('module_type_id', 'module_types')):
        out[name] = MultiValueNumberFilter(field_name=relation, lookup_expr='exact', distinct=True)
        out[f'{name}__n'] = MultiValueNumberFilter(field_name=relation, lookup_expr='exact', exclude=True)
    return out


# Cables and their terminations

def _termination_condition(kind, ids, end=None):
    """Q on CableTermination: terminations on objects of `kind` (model name) with these IDs."""
    condition = Q(termination_type__app_label=TERMINATION_KINDS.get(kind, 'dcim'), termination_type__model=kind,
                  termination_id__in=ids)
    if end:
        condition &= Q(cable_end=end)
    return condition


class TerminationFilter(MultiValueNumberFilter):
    """On cable terminations: those attached to the `kind` objects given by ID."""

    def __init__(self, *args, kind=None, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(_termination_condition(self.kind, value))


class CableByTerminationFilter(MultiValueNumberFilter):
    """On cables: those with a termination on one of the `kind` objects given by ID (on `end` when given)."""

    def __init__(self, *args, kind=None, end=None, **kwargs):
        self.kind = kind
        self.end = end
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        rows = m.CableTermination.objects.filter(_termination_condition(self.kind, value, self.end))
        return qs.filter(pk__in=rows.values('cable_id'))


class CableByTerminationTypeFilter(MultiValueCharFilter):
    """`termination_a_type=dcim.interface`: cables with such a termination on that end (`__n`: without)."""

    def __init__(self, *args, end=None, **kwargs):
        self.end = end
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q(pk__in=[])
        for item in value:
            app_label, _, model = item.lower().partition('.')
            condition |= Q(termination_type__app_label=app_label, termination_type__model=model)
        cables = m.CableTermination.objects.filter(condition, cable_end=self.end).values('cable_id')
        return qs.exclude(pk__in=cables) if self.exclude else qs.filter(pk__in=cables)


class CableByTerminationIdFilter(MultiValueNumberFilter):
    """`termination_a_id=5`: cables with a termination (of any type) with that ID on that end."""

    def __init__(self, *args, end=None, **kwargs):
        self.end = end
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        cables = m.CableTermination.objects.filter(cable_end=self.end, termination_id__in=value).values('cable_id')
        return qs.filter(pk__in=cables)


# Where a termination is: the lookups from each terminating model to a device's or panel's place.
TERMINATION_PLACES = {
    'device': {'device': ''},
    'site': {'device': 'site', 'powerfeed': 'power_panel__site'},
    'rack': {'device': 'rack', 'powerfeed': 'rack'},
    'location': {'device': 'location', 'powerfeed': 'power_panel__location'},
}


class CableByPlaceFilter(MultiValueCharFilter):
    """Cables with a termination on a component of the given devices (or at the given sites, racks, locations),
    named by ID (`site_id`) or by slug/name (`site`)."""

    def __init__(self, *args, place='device', by='id', **kwargs):
        self.place = place
        self.by = by
        super().__init__(*args, **kwargs)

    def _key(self):
        if self.by == 'id':
            return 'id'
        return 'slug' if self.place in ('site', 'location') else 'name'

    def filter(self, qs, value):
        if not value:
            return qs
        if self.by == 'id' and not all(str(item).isdigit() for item in value):
            return qs.none()
        condition = Q(pk__in=[])
        for kind in TERMINATION_KINDS:
            if TERMINATION_KINDS[kind] != 'dcim':
                continue
            model = ContentType.objects.get_by_natural_key('dcim', kind).model_class()
            owner = 'powerfeed' if kind == 'powerfeed' else 'device'
            path = TERMINATION_PLACES[self.place].get(owner)
            if path is None:
                continue
            if owner == 'device':
                path = f'device__{path}' if path else 'device'
            objects = model._default_manager.filter(**{f'{path}__{self._key()}__in': value}).values('pk')
            condition |= Q(termination_type__app_label='dcim', termination_type__model=kind,
                           termination_id__in=objects)
        return qs.filter(pk__in=m.CableTermination.objects.filter(condition).values('cable_id'))


class UnterminatedFilter(django_filters.BooleanFilter):
    """true: cables missing terminations on their A or B side; false: cables terminated on both."""

    def filter(self, qs, value):
        if value is None:
            return qs
        terminations = m.CableTermination.objects.filter(cable=OuterRef('pk'))
        both_ends = Exists(terminations.filter(cable_end='A')) & Exists(terminations.filter(cable_end='B'))
        return qs.exclude(both_ends) if value else qs.filter(both_ends)


def cable_object_filters():
    out = {}
    for kind in TERMINATION_KINDS:
        out[f'{kind}_id'] = CableByTerminationFilter(kind=kind)
    for end in ('a', 'b'):
        out[f'termination_{end}_type'] = CableByTerminationTypeFilter(end=end.upper())
        out[f'termination_{end}_type__n'] = CableByTerminationTypeFilter(end=end.upper(), exclude=True)
        out[f'termination_{end}_id'] = CableByTerminationIdFilter(end=end.upper())
    for place in ('device', 'site', 'rack', 'location'):
        out[f'{place}_id'] = CableByPlaceFilter(place=place, by='id')
        out[place] = CableByPlaceFilter(place=place, by='name')
    out['unterminated'] = UnterminatedFilter()
    out.update(tenant_group_filters())
    return out


def cable_termination_filters():
    out = {f'{kind}_id': TerminationFilter(kind=kind) for kind in TERMINATION_KINDS}
    out['cable'] = MultiValueNumberFilter(field_name='cable', lookup_expr='exact')
    out['cable__n'] = MultiValueNumberFilter(field_name='cable', lookup_expr='exact', exclude=True)
    out['created_by_request'] = RequestIdFilter(actions=('create',))
    out['updated_by_request'] = RequestIdFilter(actions=('update',))
    out['modified_by_request'] = RequestIdFilter(actions=('create', 'update', 'delete'))
    return out
