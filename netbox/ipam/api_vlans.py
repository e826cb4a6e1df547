"""REST fields of VLAN groups: VID ranges as [first, last] pairs and the share of VIDs in use."""
from django.db.models import Count
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models.vlans import vid_range

INTEGER_RANGE_SCHEMA = {'type': 'array', 'items': {'type': 'integer'}, 'minItems': 2, 'maxItems': 2}


@extend_schema_field({'type': 'array', 'items': INTEGER_RANGE_SCHEMA})
class VIDRangesField(serializers.Field):
    """`vid_ranges`: [[1, 99], [200, 299]], both ends included (as NetBox serves them)."""

    def __init__(self, **kwargs):
        kwargs.setdefault('required', False)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return [[item.lower, item.upper - 1] for item in value or () if item.lower is not None and
                item.upper is not None]

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError('Give a list of [first, last] VLAN ID pairs, e.g. [[1, 99]].')
        out = []
        for item in data:
            if isinstance(item, dict) and {'lower', 'upper'} <= set(item):
                item = [item['lower'], item['upper']]
            if not isinstance(item, (list, tuple)) or len(item) != 2 or \
                    not all(isinstance(end, int) and not isinstance(end, bool) for end in item):
                raise serializers.ValidationError(f'{item!r} is not a [first, last] pair of VLAN IDs.')
            first, last = item
            if first > last:
                raise serializers.ValidationError(f'In range {first}-{last} the first VLAN ID is above the last.')
            out.append(vid_range(first, last))
        return out


def utilization_text(vlan_count, total):
    """The percentage of a group's VIDs in use, rounded to two places, as NetBox serves it ("12.5")."""
    if not total:
        return '0.0'
    return str(round(vlan_count * 100.0 / total, 2))


def attach_utilization(groups):
    """Give each VLAN group of a page its `_utilization`, with one query for the page (none when counted)."""
    from .models import VLAN

    missing = [group.pk for group in groups if not hasattr(group, 'vlan_count') and group.pk]
    counts = {}
    if missing:
        counts = dict(VLAN.objects.filter(group__in=missing).order_by().values('group').annotate(n=Count('pk'))
                      .values_list('group', 'n'))
    for group in groups:
        used = getattr(group, 'vlan_count', None)
        if used is None:
            used = counts.get(group.pk, 0)
        group._utilization = utilization_text(used, group.total_vlan_ids)


@extend_schema_field({'type': 'string', 'readOnly': True})
class UtilizationField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs['read_only'] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        if not hasattr(instance, '_utilization'):
            attach_utilization([instance])
        return instance._utilization

    def to_representation(self, value):
        return value
