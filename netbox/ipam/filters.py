"""
Filter builders for the address space (aggregates, prefixes, IP ranges, IP addresses, VRFs, route targets).

The derived filter sets (netbox.filtersets) cover the plain fields. What addresses add is built here, all in SQL
with PostgreSQL's inet operators (served by the GiST indexes):

- containment: `within`, `within_include`, `contains` (prefixes), `parent` (ranges, addresses), `contains` (ranges);
- the address family and mask length (`family=4`, `mask_length__gte=24`);
- `address=` / `start_address=`: with a mask an exact match, without one any mask (`address=10.0.0.1`);
- `present_in_vrf`: objects of a VRF and of the VRFs whose exported route targets it imports;
- `q`: text plus addresses by their beginning (`q=10.1`) and networks by containment (`q=10.0.0.0/16`);
- the cached scope of prefixes (`region`, `site_group`, `site`, `location`), VLAN details, and what an address is
  assigned to (interface, device, FHRP group, service).
"""
import django_filters
import netaddr
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q

from netbox.filtersets import (
    MultiValueCharFilter,
    MultiValueFilter,
    MultiValueNumberFilter,
    _relation_filters,
    lookup_filters,
)
from netbox.search import search_condition, search_index_lookups

from . import models as m


def parse_network(value):
    """netaddr.IPNetwork from filter text; a ValidationError (a 400 naming the filter) when it is not one."""
    text = str(value).strip()
    try:
        return netaddr.IPNetwork(text)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValidationError(f'"{text}" is not a valid IPv4 or IPv6 prefix or address.')


class NetworkFormField(forms.CharField):
    """A prefix or an address, cleaned to its text (a bad one is refused when the form is validated)."""

    def clean(self, value):
        value = super().clean(value)
        if value in ('', None):
            return value
        return str(parse_network(value))


class NetworkFilter(django_filters.Filter):
    """One network value matched with a containment lookup (`prefix__net_contained=<value>`)."""

    field_class = NetworkFormField

    def filter(self, qs, value):
        if value in ('', None):
            return qs
        return qs.filter(**{f'{self.field_name}__{self.lookup_expr}': value})


class MultiNetworkFilter(MultiValueFilter):
    """Any of several network values, each with `lookup_expr` (e.g. addresses whose host lies in any parent)."""

    inner_field = NetworkFormField


class ExactOrHostFilter(MultiValueFilter):
    """`address=` as NetBox reads it: a value given with a mask matches exactly, one without any mask."""

    inner_field = forms.CharField

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for item in value:
            network = parse_network(item)
            if '/' in item:
                condition |= Q(**{self.field_name: str(network)})
            else:
                condition |= Q(**{f'{self.field_name}__net_host': str(network.ip)})
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


class FamilyFilter(django_filters.Filter):
    """`family=4` or `family=6`, on the family of a network column."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault('choices', (('4', 'IPv4'), ('6', 'IPv6')))
        kwargs.setdefault('coerce', int)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ('', None):
            return qs
        return qs.filter(**{f'{self.field_name}__family': int(value)})


class RangeContainsFilter(django_filters.Filter):
    """IP ranges holding every address of the given prefix or address (same family)."""

    field_class = NetworkFormField

    def filter(self, qs, value):
        if value in ('', None):
            return qs
        network = parse_network(value)
        first = str(netaddr.IPAddress(network.first, network.version))
        last = str(netaddr.IPAddress(network.last, network.version))
        return qs.filter(start_address__family=network.version).extra(
            where=['host("ipam_iprange"."start_address")::inet <= %s::inet',
                   'host("ipam_iprange"."end_address")::inet >= %s::inet'],
            params=[first, last])


class RangeParentFilter(MultiValueFilter):
    """IP ranges lying wholly inside any of the given prefixes."""

    inner_field = NetworkFormField

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for item in value:
            condition |= Q(start_address__net_host_contained=item, end_address__net_host_contained=item)
        return qs.filter(condition)


class NetworkSearchFilter(django_filters.CharFilter):
    """
    `q`: the text fields (icontains, related ones too, see netbox.search), addresses and networks whose text
    begins with the value (`q=10.1` finds 10.1.x.x) and, when the value is a prefix or an address, the networks
    within it and those containing it. Every branch has its index (trigram, GiST), so the OR is a BitmapOr.
    """

    def __init__(self, *args, columns=(), text_fields=(), **kwargs):
        self.columns = columns
        self.text_fields = text_fields
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or '').strip()
        if not value:
            return qs
        condition = search_condition(qs.model, self.text_fields, value)
        for column in self.columns:
            condition |= Q(**{f'{column}__host__istartswith': value})
        if ('.' in value or ':' in value) and not value.endswith(('.', ':')):
            try:
                network = netaddr.IPNetwork(value)
            except (netaddr.AddrFormatError, ValueError, TypeError):
                network = None
            if network is not None:
                text = str(network.cidr)
                for column in self.columns:
                    condition |= Q(**{f'{column}__net_host_contained': text})
                    condition |= Q(**{f'{column}__net_contains_or_equals': text})
        return qs.filter(condition)

    def index_lookups(self, model):
        yield from search_index_lookups(model, self.text_fields)
        for column in self.columns:
            yield model, f'{column}__host', 'istartswith'
            yield model, column, 'net_host_contained'
            yield model, column, 'net_contains_or_equals'


class PresentInVRFFilter(MultiValueFilter):
    """Objects in a VRF (by ID or RD) or in any VRF exporting a route target that VRF imports."""

    def __init__(self, *args, key='pk', **kwargs):
        self.key = key
        kwargs['inner_field'] = forms.IntegerField if key == 'pk' else forms.CharField
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        vrfs = m.VRF.objects.filter(**{f'{self.key}__in': value})
        exporting = m.VRF.objects.filter(export_targets__importing_vrfs__in=vrfs).values('pk')
        return qs.filter(Q(vrf__in=vrfs) | Q(vrf__in=exporting)).distinct()


class AssignedObjectFilter(MultiValueFilter):
    """Addresses assigned to objects of one type (`app_label.model`) whose `key` is among the values: an interface
    by ID or name, an FHRP group by ID, or a device's interfaces (`key='device'`)."""

    def __init__(self, *args, object_type=None, key='pk', **kwargs):
        self.object_type = object_type
        self.key = key
        kwargs.setdefault('inner_field', forms.IntegerField if key in ('pk', 'device') else forms.CharField)
        super().__init__(*args, **kwargs)

    def objects(self, value):
        from django.apps import apps

        model = apps.get_model(self.object_type)
        if self.key == 'device':  # a device's interfaces, and a virtual chassis master's members' too
            return model.objects.filter(Q(device__in=value) | Q(device__virtual_chassis__master__in=value))
        if self.key == 'device__name':
            return model.objects.filter(Q(device__name__in=value) | Q(device__virtual_chassis__master__name__in=value))
        return model.objects.filter(**{f'{self.key}__in': value})

    def filter(self, qs, value):
        if not value:
            return qs
        app_label, model = self.object_type.split('.')
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
        condition = Q(assigned_object_type=content_type, assigned_object_id__in=self.objects(value).values('pk'))
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


def _assigned_filters(name, object_type, key):
    return {
        name: AssignedObjectFilter(object_type=object_type, key=key),
        f'{name}__n': AssignedObjectFilter(object_type=object_type, key=key, exclude=True),
    }


def vrf_filters(path='vrf'):
    """`vrf_id` (IDs, `null` for the global table) and `vrf` (by route distinguisher), each with `__n`."""
    field = m.Prefix._meta.get_field('vrf')
    out = _relation_filters('vrf', field, field_name=path)
    out['vrf'] = MultiValueCharFilter(field_name=f'{path}__rd', lookup_expr='exact', null_value='null')
    out['vrf__n'] = MultiValueCharFilter(field_name=f'{path}__rd', lookup_expr='exact', exclude=True)
    return out


def present_in_vrf_filters():
    return {'present_in_vrf_id': PresentInVRFFilter(key='pk'), 'present_in_vrf': PresentInVRFFilter(key='rd')}


def tenancy_filters():
    from tenancy.models import Tenant

    return _relation_filters('tenant_group', Tenant._meta.get_field('group'), field_name='tenant__group')


def mask_length_filters(column):
    return lookup_filters('mask_length', MultiValueNumberFilter, ('gte', 'lte'),
                          field_name=f'{column}__net_mask_length')


def aggregate_filters():
    out = {'family': FamilyFilter(field_name='prefix'),
           'prefix': ExactOrHostFilter(field_name='prefix'),
           'q': NetworkSearchFilter(columns=('prefix',), text_fields=('description',))}
    out.update(tenancy_filters())
    return out


def prefix_filters():
    out = {
        'family': FamilyFilter(field_name='prefix'),
        'prefix': ExactOrHostFilter(field_name='prefix'),
        'within': NetworkFilter(field_name='prefix', lookup_expr='net_contained'),
        'within_include': NetworkFilter(field_name='prefix', lookup_expr='net_contained_or_equal'),
        'contains': NetworkFilter(field_name='prefix', lookup_expr='net_contains_or_equals'),
        'q': NetworkSearchFilter(columns=('prefix',), text_fields=('description', 'vrf__name')),
    }
    out.update(mask_length_filters('prefix'))
    out.update(lookup_filters('depth', MultiValueNumberFilter, 'num', field_name='_depth'))
    out.update(lookup_filters('children', MultiValueNumberFilter, 'num', field_name='_children'))
    out.update(vrf_filters())
    out.update(present_in_vrf_filters())
    out.update(tenancy_filters())
    # The scope, through the cached place columns: a prefix scoped to a location is found by its site and region.
    out.update(_relation_filters('region', m.Prefix._meta.get_field('_region'), field_name='_region'))
    out.update(_relation_filters('site_group', m.Prefix._meta.get_field('_site_group'), field_name='_site_group'))
    out.update(_relation_filters('site', m.Prefix._meta.get_field('_site'), field_name='_site'))
    out.update(_relation_filters('location', m.Prefix._meta.get_field('_location'), field_name='_location'))
    out.update(lookup_filters('vlan_vid', MultiValueNumberFilter, 'num', field_name='vlan__vid'))
    out.update(_relation_filters('vlan_group', m.VLAN._meta.get_field('group'), field_name='vlan__group'))
    return out


def ip_range_filters():
    out = {
        'family': FamilyFilter(field_name='start_address'),
        'start_address': ExactOrHostFilter(field_name='start_address'),
        'end_address': ExactOrHostFilter(field_name='end_address'),
        'parent': RangeParentFilter(),
        'contains': RangeContainsFilter(),
        'q': NetworkSearchFilter(columns=('start_address', 'end_address'), text_fields=('description',)),
    }
    out.update(vrf_filters())
    out.update(tenancy_filters())
    return out


class PendingFilter(MultiValueCharFilter):
    """A filter on data of an app not built yet (virtual machines): a value matches nothing."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs if self.exclude else qs.none()


def ip_address_filters():
    from dcim.filters import ConditionFilter

    out = {
        'family': FamilyFilter(field_name='address'),
        'address': ExactOrHostFilter(field_name='address'),
        'parent': MultiNetworkFilter(field_name='address', lookup_expr='net_host_contained'),
        'q': NetworkSearchFilter(columns=('address',), text_fields=('dns_name', 'description')),
        'assigned': ConditionFilter(condition=Q(assigned_object_id__isnull=False)),
        'assigned_to_interface': ConditionFilter(condition=lambda: Q(
            assigned_object_type__in=ContentType.objects.filter(
                Q(app_label='dcim', model='interface') | Q(app_label='virtualization', model='vminterface')),
            assigned_object_id__isnull=False)),
        'device_id': AssignedObjectFilter(object_type='dcim.interface', key='device'),
        'device': AssignedObjectFilter(object_type='dcim.interface', key='device__name'),
        'service_id': MultiValueNumberFilter(field_name='services__id', lookup_expr='exact', distinct=True),
        'service_id__n': MultiValueNumberFilter(field_name='services__id', lookup_expr='exact', exclude=True),
        'virtual_machine': PendingFilter(),
        'virtual_machine_id': PendingFilter(),
        'vminterface': PendingFilter(),
        'vminterface__n': PendingFilter(exclude=True),
        'vminterface_id': PendingFilter(),
        'vminterface_id__n': PendingFilter(exclude=True),
    }
    out.update(_assigned_filters('interface_id', 'dcim.interface', 'pk'))
    out.update(_assigned_filters('interface', 'dcim.interface', 'name'))
    out.update(_assigned_filters('fhrpgroup_id', 'ipam.fhrpgroup', 'pk'))
    out.update(mask_length_filters('address'))
    out.update(vrf_filters())
    out.update(present_in_vrf_filters())
    out.update(tenancy_filters())
    return out


def route_target_filters():
    out = {}
    for name, related in (('importing_vrf', 'importing_vrfs'), ('exporting_vrf', 'exporting_vrfs')):
        out[f'{name}_id'] = MultiValueNumberFilter(field_name=f'{related}__id', lookup_expr='exact', distinct=True)
        out[f'{name}_id__n'] = MultiValueNumberFilter(field_name=f'{related}__id', lookup_expr='exact',
                                                      exclude=True)
        out[name] = MultiValueCharFilter(field_name=f'{related}__rd', lookup_expr='exact', distinct=True)
        out[f'{name}__n'] = MultiValueCharFilter(field_name=f'{related}__rd', lookup_expr='exact', exclude=True)
    for name, related in (('importing_l2vpn', 'importing_l2vpns'), ('exporting_l2vpn', 'exporting_l2vpns')):
        out[f'{name}_id'] = MultiValueNumberFilter(field_name=f'{related}__id', lookup_expr='exact', distinct=True)
        out[f'{name}_id__n'] = MultiValueNumberFilter(field_name=f'{related}__id', lookup_expr='exact',
                                                      exclude=True)
        out[name] = MultiValueCharFilter(field_name=f'{related}__slug', lookup_expr='exact', distinct=True)
        out[f'{name}__n'] = MultiValueCharFilter(field_name=f'{related}__slug', lookup_expr='exact', exclude=True)
    out.update(tenancy_filters())
    return out


def vrf_object_filters():
    out = {}
    for name in ('import_target', 'export_target'):
        out[name] = MultiValueCharFilter(field_name=f'{name}s__name', lookup_expr='exact', distinct=True)
        out[f'{name}__n'] = MultiValueCharFilter(field_name=f'{name}s__name', lookup_expr='exact', exclude=True)
    out.update(tenancy_filters())
    return out

