"""REST serializers of the gizmo models."""
from rest_framework import serializers

from netbox.api.serializers import NetBoxModelSerializer

from ..models import Gizmo, GizmoMount


class GizmoSerializer(NetBoxModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name='plugins-api:gizmo_plugin-api:gizmo-detail')
    mount_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Gizmo
        fields = ('id', 'url', 'display', 'name', 'kind', 'part_number', 'description', 'owner', 'comments', 'tags',
                  'custom_fields', 'created', 'last_updated', 'mount_count')
        brief_fields = ('id', 'url', 'display', 'name', 'description')


class GizmoMountSerializer(NetBoxModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name='plugins-api:gizmo_plugin-api:gizmomount-detail')

    class Meta:
        model = GizmoMount
        fields = ('id', 'url', 'display', 'device', 'gizmo', 'slot', 'description', 'tags', 'custom_fields',
                  'created', 'last_updated')
        brief_fields = ('id', 'url', 'display', 'slot', 'description')
