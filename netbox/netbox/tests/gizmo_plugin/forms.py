"""Forms of the gizmo models."""
from dcim.models import Device
from netbox.forms import NetBoxModelFilterSetForm, NetBoxModelForm
from utilities.forms.fields import CommentField, DynamicModelChoiceField
from utilities.forms.rendering import FieldSet

from .models import Gizmo, GizmoMount


class GizmoForm(NetBoxModelForm):
    comments = CommentField()
    fieldsets = (FieldSet('name', 'kind', 'part_number', 'description', 'tags', name='Gizmo'),)

    class Meta:
        model = Gizmo
        fields = ('name', 'kind', 'part_number', 'description', 'comments', 'tags')


class GizmoMountForm(NetBoxModelForm):
    device = DynamicModelChoiceField(queryset=Device.objects.all(), selector=True)
    gizmo = DynamicModelChoiceField(queryset=Gizmo.objects.all())

    class Meta:
        model = GizmoMount
        fields = ('device', 'gizmo', 'slot', 'description', 'tags')


class GizmoFilterForm(NetBoxModelFilterSetForm):
    model = Gizmo
