"""
Filter builders for ASNs, ASN ranges, FHRP groups and their assignments, services and service templates.

The derived filter sets cover the models' own fields; what is built here follows relations the derivation can't:
ASNs by their sites' groups, FHRP groups by a related IP address, assignments by the device of their interface,
services by their parent (device, FHRP group) or bound IP address, and ports / port mappings held in arrays.
"""
import functools
import operator

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from dcim.filters import IdFilter, relation_filters, tenant_group_filters
from dcim.models import Device, Interface, Site
from netbox.filtersets import NUMBER_LOOKUPS, MultiValueCharFilter, MultiValueNumberFilter

from . import models as m


def _ids_only(values):
    """The values when they are all numeric IDs, else None (an unknown kind of value matches nothing)."""
    return values if all(str(value).isdigit() for value in values) else None


# ASNs and ranges

def asn_filters():
    """site_group / site_group_id through the ASN's sites (trees), tenant groups, and providers (by slug or ID)."""
    out = relation_filters('site_group', Site, 'group', 'sites__group')
    out.update(tenant_group_filters())
    for name, path, kind in (('provider', 'providers__slug', MultiValueCharFilter),
                             ('provider_id', 'providers', IdFilter)):
        out[name] = kind(field_name=path, lookup_expr='exact', distinct=True, null_value='null')
        out[f'{name}__n'] = kind(field_name=path, lookup_expr='exact', exclude=True)
    return out


def asn_range_filters():
    return tenant_group_filters()


# FHRP groups and assignments

class RelatedIPFilter(MultiValueNumberFilter):
    """`related_ip=<IP address ID>`: FHRP groups with a virtual address in the same VRF and inside the network of
    the given address (the groups an interface carrying that address could join)."""

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q(pk__in=[])
        for address in m.IPAddress.objects.filter(pk__in=value).select_related('vrf'):
            condition |= Q(address__net_host_contained=str(address.address.cidr), vrf=address.vrf_id)
        addresses = m.IPAddress.objects.filter(condition, assigned_object_type=ContentType.objects.get_for_model(
            m.FHRPGroup))
        return qs.filter(pk__in=addresses.values('assigned_object_id'))


def fhrp_group_filters():
    return {'related_ip': RelatedIPFilter()}


class InterfaceDeviceFilter(MultiValueCharFilter):
    """Objects whose (generic) interface belongs to the given devices, by ID (`key='pk'`) or name."""

    def __init__(self, *args, key='pk', type_field='interface_type', id_field='interface_id', vm=False, **kwargs):
        self.key = key
        self.vm = vm
        self.type_field = type_field
        self.id_field = id_field
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if self.key == 'pk' and _ids_only(value) is None:
            return qs.none()
        if self.vm:
            from virtualization.models import VMInterface as model

            interfaces = model.objects.filter(**{f'virtual_machine__{self.key}__in': value}).values('pk')
        else:
            model = Interface
            interfaces = model.objects.filter(**{f'device__{self.key}__in': value}).values('pk')
        condition = Q(**{self.type_field: ContentType.objects.get_for_model(model),
                         f'{self.id_field}__in': interfaces})
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


def fhrp_assignment_filters():
    out = {
        'device_id': InterfaceDeviceFilter(key='pk'),
        'device': InterfaceDeviceFilter(key='name'),
    }
    out['virtual_machine_id'] = InterfaceDeviceFilter(key='pk', vm=True)
    out['virtual_machine'] = InterfaceDeviceFilter(key='name', vm=True)
    return out


# Services and templates

class ArrayElementFilter(MultiValueNumberFilter):
    """`port=22`: objects whose array field holds 22; lt/lte/gt/gte: holds any element in that range; `__n`:
    holds none of the values."""

    OPERATORS = {'exact': '=', 'lt': '<', 'lte': '<=', 'gt': '>', 'gte': '>='}

    def condition(self, qs, item):
        if self.lookup_expr == 'exact':
            return Q(**{f'{self.field_name}__contains': [item]})
        column = qs.model._meta.get_field(self.field_name).column
        sql = (f'EXISTS (SELECT 1 FROM unnest("{qs.model._meta.db_table}"."{column}") AS element '
               f'WHERE element {self.OPERATORS[self.lookup_expr]} %s)')
        return Q(RawSQL(sql, [item], output_field=BooleanField()))

    def filter(self, qs, value):
        if not value:
            return qs
        condition = functools.reduce(operator.or_, (self.condition(qs, item) for item in value))
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


class ArrayTextFilter(MultiValueCharFilter):
    """`port_mappings=<text>`: objects whose list holds that text; `__n`: holds none of the values."""

    def filter(self, qs, value):
        if not value:
            return qs
        condition = functools.reduce(operator.or_, (Q(**{f'{self.field_name}__contains': [item]}) for item in value))
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


class PortsEmptyFilter(django_filters.BooleanFilter):
    """`port__empty=true`: no ports at all (null or an empty list)."""

    def filter(self, qs, value):
        if value is None:
            return qs
        condition = Q(**{f'{self.field_name}__isnull': True}) | Q(**{f'{self.field_name}__len': 0})
        return qs.filter(condition) if value else qs.exclude(condition)


# Ports are 1..65535: a larger number is a 400, not a database error.
PORT_FIELD = functools.partial(forms.IntegerField, min_value=0, max_value=2147483647)


def port_filters():
    """port (with number lookups) and port_mappings (exact, `__n`), on services and their templates."""
    out = {'port': ArrayElementFilter(field_name='ports', lookup_expr='exact', inner_field=PORT_FIELD)}
    for suffix, (lookup, exclude) in NUMBER_LOOKUPS.items():
        out[f'port__{suffix}'] = ArrayElementFilter(field_name='ports', lookup_expr=lookup, exclude=exclude,
                                                    inner_field=PORT_FIELD)
    out['port__empty'] = PortsEmptyFilter(field_name='ports')
    out['port_mappings'] = ArrayTextFilter(field_name='port_mappings', lookup_expr='exact')
    out['port_mappings__n'] = ArrayTextFilter(field_name='port_mappings', lookup_expr='exact', exclude=True)
    return out


class ParentFilter(MultiValueCharFilter):
    """Services whose parent is one of the given objects of `model`, by ID (`key='pk'`) or by `key`."""

    def __init__(self, *args, model=None, key='pk', **kwargs):
        self.parent_model = model  # not `model`: the filter set sets that to the filtered model
        self.key = key
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if self.key == 'pk' and _ids_only(value) is None:
            return qs.none()
        parents = self.parent_model._default_manager.filter(**{f'{self.key}__in': value}).values('pk')
        condition = Q(parent_object_type=ContentType.objects.get_for_model(self.parent_model),
                      parent_object_id__in=parents)
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


def service_filters():
    out = port_filters()
    out.update({
        'device_id': ParentFilter(model=Device, key='pk'),
        'device': ParentFilter(model=Device, key='name'),
        'fhrpgroup_id': ParentFilter(model=m.FHRPGroup, key='pk'),
        'fhrpgroup': ParentFilter(model=m.FHRPGroup, key='name'),
        # Bound IP addresses: by ID, or by address (with its mask, as displayed).
        'ip_address_id': MultiValueNumberFilter(field_name='ipaddresses', lookup_expr='exact', distinct=True),
        'ip_address_id__n': MultiValueNumberFilter(field_name='ipaddresses', lookup_expr='exact', exclude=True),
        'ip_address': MultiValueCharFilter(field_name='ipaddresses__address', lookup_expr='exact', distinct=True),
        'ip_address__n': MultiValueCharFilter(field_name='ipaddresses__address', lookup_expr='exact', exclude=True),
    })
    from virtualization.models import VirtualMachine

    out['virtual_machine_id'] = ParentFilter(model=VirtualMachine, key='pk')
    out['virtual_machine'] = ParentFilter(model=VirtualMachine, key='name')
    return out


def service_template_filters():
    return port_filters()
