"""Filter sets of the gizmo models."""
import django_filters
from django.db.models import Q

from netbox.filtersets import NetBoxModelFilterSet

from .models import Gizmo, GizmoMount


class GizmoFilterSet(NetBoxModelFilterSet):
    class Meta:
        model = Gizmo
        fields = ('id', 'name', 'kind', 'part_number', 'description')

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(part_number__icontains=value))


class GizmoMountFilterSet(NetBoxModelFilterSet):
    # A filter of the plugin's own: mounts in the given slots or higher.
    slot_from = django_filters.NumberFilter(field_name='slot', lookup_expr='gte')

    class Meta:
        model = GizmoMount
        fields = ('id', 'device', 'gizmo', 'slot', 'description')
