"""REST viewsets of the gizmo models."""
from django.db.models import Count

from netbox.api.viewsets import NetBoxModelViewSet

from .. import filtersets
from ..models import Gizmo, GizmoMount
from .serializers import GizmoMountSerializer, GizmoSerializer


class GizmoViewSet(NetBoxModelViewSet):
    queryset = Gizmo.objects.prefetch_related('tags').annotate(mount_count=Count('mounts'))
    serializer_class = GizmoSerializer
    filterset_class = filtersets.GizmoFilterSet


class GizmoMountViewSet(NetBoxModelViewSet):
    queryset = GizmoMount.objects.prefetch_related('device', 'gizmo', 'tags')
    serializer_class = GizmoMountSerializer
    filterset_class = filtersets.GizmoMountFilterSet
