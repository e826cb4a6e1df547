"""VPN filters that reach through generic relations (tunnel and L2VPN terminations)."""
import functools
import operator

import django_filters
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from netbox.filtersets import NUMBER_LOOKUPS, MultiValueCharFilter


def _model(label):
    """The model for 'app.Model', or None while that app is not installed (VM interfaces before virtualization)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


class GenericTargetFilter(MultiValueCharFilter):
    """Objects whose generic relation points at an object matching the values: `targets` lists
    (model label, lookup path) pairs, e.g. ('dcim.Interface', 'device__name'); any one matching is enough."""

    def __init__(self, *args, targets=(), type_field='assigned_object_type', id_field='assigned_object_id',
                 numeric=False, **kwargs):
        self.targets = targets
        self.type_field = type_field
        self.id_field = id_field
        self.numeric = numeric
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if self.numeric:
            try:
                value = [int(item) for item in value]
            except (TypeError, ValueError):
                return qs if self.exclude else qs.none()
        conditions = []
        for label, path in self.targets:
            model = _model(label)
            if model is None:
                continue
            lookup = f'{path}__{self.lookup_expr}' if self.lookup_expr != 'exact' else f'{path}__in'
            if self.lookup_expr == 'exact':
                targets = model.objects.filter(**{lookup: value}).values('pk')
            else:
                targets = model.objects.filter(functools.reduce(
                    operator.or_, (Q(**{lookup: item}) for item in value))).values('pk')
            conditions.append(Q(**{self.type_field: ContentType.objects.get_for_model(model),
                                   f'{self.id_field}__in': targets}))
        if not conditions:
            return qs if self.exclude else qs.none()
        condition = functools.reduce(operator.or_, conditions)
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


def _target_filters(name, targets, numeric, negate=True, **kwargs):
    out = {name: GenericTargetFilter(targets=targets, numeric=numeric, **kwargs)}
    if negate:
        out[f'{name}__n'] = GenericTargetFilter(targets=targets, numeric=numeric, exclude=True, **kwargs)
    return out


INTERFACE = 'dcim.Interface'
VMINTERFACE = 'virtualization.VMInterface'
VLAN = 'ipam.VLAN'


def tunnel_termination_filters():
    kw = {'type_field': 'termination_type', 'id_field': 'termination_id'}
    out = {}
    out.update(_target_filters('interface', [(INTERFACE, 'name')], False, **kw))
    out.update(_target_filters('interface_id', [(INTERFACE, 'pk')], True, **kw))
    out.update(_target_filters('vminterface', [(VMINTERFACE, 'name')], False, **kw))
    out.update(_target_filters('vminterface_id', [(VMINTERFACE, 'pk')], True, **kw))
    return out


def l2vpn_termination_filters():
    out = {}
    out.update(_target_filters('interface', [(INTERFACE, 'name')], False))
    out.update(_target_filters('interface_id', [(INTERFACE, 'pk')], True))
    out.update(_target_filters('vminterface', [(VMINTERFACE, 'name')], False))
    out.update(_target_filters('vminterface_id', [(VMINTERFACE, 'pk')], True))
    out.update(_target_filters('vlan', [(VLAN, 'name')], False))
    out.update(_target_filters('vlan_id', [(VLAN, 'pk')], True))
    out.update(_target_filters('device', [(INTERFACE, 'device__name')], False))
    out.update(_target_filters('device_id', [(INTERFACE, 'device_id')], True))
    out.update(_target_filters('virtual_machine', [(VMINTERFACE, 'virtual_machine__name')], False))
    out.update(_target_filters('virtual_machine_id', [(VMINTERFACE, 'virtual_machine_id')], True))
    sites = {'site': 'slug', 'site_id': 'pk'}
    for name, key in sites.items():
        out.update(_target_filters(name, [(INTERFACE, f'device__site__{key}'), (VLAN, f'site__{key}'),
                                          (VMINTERFACE, f'virtual_machine__site__{key}')], key == 'pk',
                                   negate=False))
    for name, key in {'region': 'slug', 'region_id': 'pk'}.items():
        out.update(_target_filters(name, [(INTERFACE, f'device__site__region__{key}'),
                                          (VLAN, f'site__region__{key}'),
                                          (VMINTERFACE, f'virtual_machine__site__region__{key}')], key == 'pk',
                                   negate=False))
    out['vlan_vid'] = GenericTargetFilter(targets=[(VLAN, 'vid')], numeric=True)
    for suffix, (lookup, exclude) in NUMBER_LOOKUPS.items():
        out[f'vlan_vid__{suffix}'] = GenericTargetFilter(targets=[(VLAN, 'vid')], numeric=True, lookup_expr=lookup,
                                                         exclude=exclude)
    out['vlan_vid__empty'] = NotOnVLANFilter()
    return out


class NotOnVLANFilter(django_filters.BooleanFilter):
    """`vlan_vid__empty=true`: terminations that are not on a VLAN (so have no VID); false: those on one."""

    def filter(self, qs, value):
        if value is None:
            return qs
        on_vlan = Q(assigned_object_type=ContentType.objects.get_for_model(_model(VLAN)))
        return qs.exclude(on_vlan) if value else qs.filter(on_vlan)
