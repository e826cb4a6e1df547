"""Tables of the gizmo models."""
import django_tables2 as tables

from netbox.tables import ChoiceFieldColumn, NetBoxTable

from .models import Gizmo, GizmoMount


class GizmoTable(NetBoxTable):
    name = tables.Column(linkify=True)
    kind = ChoiceFieldColumn()
    mount_count = tables.Column()

    class Meta(NetBoxTable.Meta):
        model = Gizmo
        fields = ('pk', 'id', 'name', 'kind', 'part_number', 'mount_count', 'description', 'actions')
        default_columns = ('name', 'kind', 'part_number', 'mount_count')


class GizmoMountTable(NetBoxTable):
    device = tables.Column(linkify=True)
    gizmo = tables.Column(linkify=True)

    class Meta(NetBoxTable.Meta):
        model = GizmoMount
        fields = ('pk', 'id', 'device', 'gizmo', 'slot', 'description', 'actions')
        default_columns = ('device', 'gizmo', 'slot')
