"""
Filter builders for VLAN groups, VLANs and VLAN translation, and the one rule of where a VLAN may be used.

A VLAN is available on a device when it is global (no site, and no group or a group without a scope), at the
device's site, or in a group whose scope covers the device: its site, its location or one above it, its rack or the
rack's group, its site's group or region or one above those. `available_vlans_condition` builds that as one SQL
condition; interfaces (dcim) validate their VLANs with it and the `available_on_device` filter uses it.
"""
import functools
import operator

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from dcim.filters import site_filters, tenant_group_filters
from netbox.filtersets import NUMBER_LOOKUPS, MultiValueNumberFilter

from .models import VLAN, VLANGroup


def _scope_type(model_name, app_label='dcim'):
    return ContentType.objects.get_by_natural_key(app_label, model_name)


def _scoped(model_name, ids, app_label='dcim'):
    """Q on VLANGroup: scoped to one of the `model_name` objects `ids` (a list or a subquery)."""
    return Q(scope_type=_scope_type(model_name, app_label), scope_id__in=ids)


def _ancestors(node):
    """The tree node and every node above it, as a subquery of IDs."""
    return type(node)._default_manager.filter(tree_id=node.tree_id, lft__lte=node.lft, rght__gte=node.rght) \
        .values('pk')


def _global_vlans():
    return Q(site__isnull=True) & (Q(group__isnull=True) | Q(group__scope_type__isnull=True))


def groups_covering_site(site, with_site=True):
    """Q on VLANGroup: groups scoped to the site, its site group or region, or any group or region above them."""
    condition = _scoped('site', [site.pk]) if with_site else Q(pk__in=[])
    if site.region_id:
        condition |= _scoped('region', _ancestors(site.region))
    if site.group_id:
        condition |= _scoped('sitegroup', _ancestors(site.group))
    return condition


def available_vlans_condition(device):
    """Q on VLAN: the VLANs an interface of `device` may carry."""
    groups = groups_covering_site(device.site)
    if device.location_id:
        groups |= _scoped('location', _ancestors(device.location))
    if device.rack_id:
        groups |= _scoped('rack', [device.rack_id])
        if device.rack.group_id:
            groups |= _scoped('rackgroup', [device.rack.group_id])
    return Q(group__in=VLANGroup.objects.filter(groups).values('pk')) | Q(site=device.site_id) | _global_vlans()


def vm_available_vlans_condition(vm):
    """Q on VLAN: the VLANs an interface of virtual machine `vm` may carry: global ones, and those of its site (at
    it or in a group covering it) or of its cluster's location."""
    condition = _global_vlans()
    cluster = vm.cluster if vm.cluster_id else None
    if cluster is not None:
        groups = _scoped('cluster', [cluster.pk], 'virtualization')
        if cluster.group_id:
            groups |= _scoped('clustergroup', [cluster.group_id], 'virtualization')
        condition |= Q(group__in=VLANGroup.objects.filter(groups).values('pk'))
    if vm.site_id:
        groups = groups_covering_site(vm.site)
        if cluster is not None and cluster._location_id:
            groups |= _scoped('location', _ancestors(cluster._location))
        condition |= Q(group__in=VLANGroup.objects.filter(groups).values('pk')) | Q(site=vm.site_id)
    return condition


def vlans_available_on(host):
    """The VLANs available on a device or a virtual machine (see the module docstring)."""
    if host._meta.label_lower == 'virtualization.virtualmachine':
        return VLAN.objects.filter(vm_available_vlans_condition(host))
    return VLAN.objects.filter(available_vlans_condition(host))


class _ObjectsFilter(MultiValueNumberFilter):
    """Base: a filter taking IDs of the objects `objects(ids)` loads and matching, per object, the Q
    `condition(obj)` builds."""

    def condition(self, obj):
        raise NotImplementedError

    def objects(self, value):
        raise NotImplementedError

    def filter(self, qs, value):
        if not value:
            return qs
        conditions = [self.condition(obj) for obj in self.objects(value)]
        condition = functools.reduce(operator.or_, conditions) if conditions else Q(pk__in=[])
        qs = qs.exclude(condition) if self.exclude else qs.filter(condition)
        return qs.distinct()


class AvailableOnDeviceFilter(_ObjectsFilter):
    def objects(self, value):
        from dcim.models import Device

        return Device.objects.filter(pk__in=value).select_related('site__region', 'site__group', 'location',
                                                                  'rack')

    def condition(self, device):
        return available_vlans_condition(device)


class AvailableOnVMFilter(_ObjectsFilter):
    def objects(self, value):
        from virtualization.models import VirtualMachine

        return VirtualMachine.objects.filter(pk__in=value).select_related('site__region', 'site__group',
                                                                          'cluster___location')

    def condition(self, vm):
        return vm_available_vlans_condition(vm)


class AvailableAtSiteFilter(_ObjectsFilter):
    def objects(self, value):
        from dcim.models import Site

        return Site.objects.filter(pk__in=value).select_related('region', 'group')

    def condition(self, site):
        groups = groups_covering_site(site)
        return Q(group__in=VLANGroup.objects.filter(groups).values('pk')) | Q(site=site.pk) | _global_vlans()


class AvailableAtSiteGroupFilter(_ObjectsFilter):
    def objects(self, value):
        from dcim.models import SiteGroup

        return SiteGroup.objects.filter(pk__in=value)

    def condition(self, site_group):
        groups = _scoped('sitegroup', _ancestors(site_group))
        return Q(group__in=VLANGroup.objects.filter(groups).values('pk')) | _global_vlans()


class RelatedToSiteFilter(_ObjectsFilter):
    """VLANs at the site, or in groups scoped to the site, or to its site group or a group above it."""

    def objects(self, value):
        from dcim.models import Site

        return Site.objects.filter(pk__in=value).select_related('group')

    def condition(self, site):
        groups = _scoped('site', [site.pk])
        if site.group_id:
            groups |= _scoped('sitegroup', _ancestors(site.group))
        return Q(site=site.pk) | Q(group__in=VLANGroup.objects.filter(groups).values('pk'))


class InterfaceVLANsFilter(MultiValueNumberFilter):
    """VLANs an interface carries, tagged or untagged."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(Q(interfaces_as_tagged__in=value) | Q(interfaces_as_untagged__in=value)).distinct()


class VMInterfaceVLANsFilter(MultiValueNumberFilter):
    """VLANs a VM interface carries, tagged or untagged."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(Q(vminterfaces_as_tagged__in=value) | Q(vminterfaces_as_untagged__in=value)).distinct()


class ScopeFilter(MultiValueNumberFilter):
    """`site=<id>` on VLAN groups: groups scoped to exactly that object (as NetBox filters them)."""

    def __init__(self, *args, scope_model=None, app_label='dcim', **kwargs):
        self.scope_model = scope_model
        self.app_label = app_label
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(_scoped(self.scope_model, value, self.app_label))


class ContainsVIDFilter(MultiValueNumberFilter):
    """VLAN groups whose ranges include the VID."""

    inner_field = staticmethod(lambda **kwargs: forms.IntegerField(min_value=0, max_value=2 ** 31 - 1, **kwargs))

    def filter(self, qs, value):
        if not value:
            return qs
        table = qs.model._meta.db_table
        sql = f'EXISTS (SELECT 1 FROM unnest("{table}"."vid_ranges") AS vid_range WHERE vid_range @> %s)'
        condition = functools.reduce(operator.or_, (Q(RawSQL(sql, [vid], output_field=BooleanField()))
                                                    for vid in value))
        return qs.filter(condition)


def vlan_group_filters():
    out = {
        'region': ScopeFilter(scope_model='region'),
        'site_group': ScopeFilter(scope_model='sitegroup'),
        'site': ScopeFilter(scope_model='site'),
        'location': ScopeFilter(scope_model='location'),
        'rack': ScopeFilter(scope_model='rack'),
        'rack_group': ScopeFilter(scope_model='rackgroup'),
        'contains_vid': ContainsVIDFilter(),
    }
    out.update(tenant_group_filters())
    out['cluster'] = ScopeFilter(scope_model='cluster', app_label='virtualization')
    out['cluster_group'] = ScopeFilter(scope_model='clustergroup', app_label='virtualization')
    return out


def vlan_filters():
    out = site_filters('', site=False)  # region / site_group through the VLAN's site
    out.update(tenant_group_filters())
    out['available_on_device'] = AvailableOnDeviceFilter()
    out['available_at_site'] = AvailableAtSiteFilter()
    out['available_at_site_group'] = AvailableAtSiteGroupFilter()
    out['related_to_site'] = RelatedToSiteFilter()
    out['related_to_site__n'] = RelatedToSiteFilter(exclude=True)
    out['interface_id'] = InterfaceVLANsFilter()
    out['qinq_svlan_vid'] = MultiValueNumberFilter(field_name='qinq_svlan__vid', lookup_expr='exact')
    for suffix, (lookup, exclude) in NUMBER_LOOKUPS.items():
        out[f'qinq_svlan_vid__{suffix}'] = MultiValueNumberFilter(field_name='qinq_svlan__vid', lookup_expr=lookup,
                                                                 exclude=exclude)
    out['qinq_svlan_vid__empty'] = django_filters.BooleanFilter(field_name='qinq_svlan', lookup_expr='isnull')
    # Virtual machines and L2VPNs arrive with later features.
    out['available_on_virtualmachine'] = AvailableOnVMFilter()
    out['vminterface_id'] = VMInterfaceVLANsFilter()
    from dcim.filters import l2vpn_filters

    out.update(l2vpn_filters('vlan'))
    return out


# Filters other apps add for VLANs

class CarriesVLANFilter(MultiValueNumberFilter):
    """On interfaces: those carrying the VLAN (by ID, or by VID with by_vid) tagged or untagged."""

    def __init__(self, *args, by_vid=False, **kwargs):
        self.by_vid = by_vid
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        key = 'vid' if self.by_vid else 'pk'
        condition = Q(**{f'untagged_vlan__{key}__in': value}) | Q(**{f'tagged_vlans__{key}__in': value})
        return qs.filter(condition).distinct()


def interface_vlan_filters():
    """`vlan` (VID) and `vlan_id` on interfaces."""
    return {'vlan': CarriesVLANFilter(by_vid=True), 'vlan_id': CarriesVLANFilter()}


# The interface edit form: VLAN choices limited to the device's, and the tagged-VLAN rules

def _form_device(form):
    """The device (or virtual machine) whose interface the form edits."""
    from dcim.models import Device

    field = getattr(form.instance, 'vlan_host_field', 'device')
    device_id = getattr(form.instance, f'{field}_id', None)
    if device_id is None:
        raw = form.data.get(field) if form.is_bound else form.initial.get(field)
        device_id = int(raw) if str(raw or '').isdigit() else None
    if device_id is None:
        return None
    if field == 'virtual_machine':
        from virtualization.models import VirtualMachine

        return VirtualMachine.objects.filter(pk=device_id).select_related('site__region', 'site__group',
                                                                          'cluster___location').first()
    return Device.objects.filter(pk=device_id).select_related('site__region', 'site__group', 'location',
                                                              'rack').first()


def _available_limit(svlan=False):
    def limit(form):
        device = _form_device(form)
        if device is None:
            return None
        if device._meta.label_lower == 'virtualization.virtualmachine':
            condition, query = vm_available_vlans_condition(device), {'available_on_virtualmachine': device.pk}
        else:
            condition, query = available_vlans_condition(device), {'available_on_device': device.pk}
        if svlan:
            condition &= Q(qinq_role='svlan')
            query['qinq_role'] = 'svlan'
        return condition, query

    return limit


INTERFACE_FORM_LIMITS = {
    'untagged_vlan': _available_limit(),
    'tagged_vlans': _available_limit(),
    'qinq_svlan': _available_limit(svlan=True),
}


def interface_form_clean(form, cleaned):
    """Tagged VLANs only in tagged mode, each available on the device (the model's clean can't see them)."""
    tagged = cleaned.get('tagged_vlans')
    if 'tagged_vlans' not in form.fields or not tagged:
        return
    import copy

    interface = copy.copy(form.instance)
    for name in (interface.vlan_host_field, 'mode'):
        if name in cleaned:
            setattr(interface, name, cleaned[name])
    errors = interface.vlan_errors(tagged_vlans=list(tagged))
    if 'tagged_vlans' in errors:
        form.add_error('tagged_vlans', errors['tagged_vlans'])
