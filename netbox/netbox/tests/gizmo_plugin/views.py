"""UI views of the gizmo models."""
from django.db.models import Count

from dcim.models import Device
from netbox.views import generic
from utilities.views import ViewTab, register_model_view

from . import filtersets, forms, tables
from .models import Gizmo, GizmoMount


class GizmoView(generic.ObjectView):
    queryset = Gizmo.objects.all()

    def get_extra_context(self, request, instance):
        return {'mounts': instance.mounts.restrict(request.user, 'view').select_related('device')}


class GizmoListView(generic.ObjectListView):
    queryset = Gizmo.objects.annotate(mount_count=Count('mounts'))
    table = tables.GizmoTable
    filterset = filtersets.GizmoFilterSet
    filterset_form = forms.GizmoFilterForm


class GizmoEditView(generic.ObjectEditView):
    queryset = Gizmo.objects.all()
    form = forms.GizmoForm


class GizmoDeleteView(generic.ObjectDeleteView):
    queryset = Gizmo.objects.all()


class GizmoMountsView(generic.ObjectChildrenView):
    queryset = Gizmo.objects.all()
    child_model = GizmoMount
    table = tables.GizmoMountTable

    def get_children(self, request, parent):
        return GizmoMount.objects.filter(gizmo=parent)


class GizmoMountView(generic.ObjectView):
    queryset = GizmoMount.objects.all()


class GizmoMountListView(generic.ObjectListView):
    queryset = GizmoMount.objects.all()
    table = tables.GizmoMountTable


class GizmoMountEditView(generic.ObjectEditView):
    queryset = GizmoMount.objects.all()
    form = forms.GizmoMountForm


class GizmoMountDeleteView(generic.ObjectDeleteView):
    queryset = GizmoMount.objects.all()


@register_model_view(Gizmo, 'notes', path='notes')
class GizmoNotesView(generic.ObjectView):
    """A tab of the gizmo's page (served through get_model_urls in urls.py)."""

    queryset = Gizmo.objects.all()
    template_name = 'gizmo_plugin/gizmo_notes.html'
    tab = ViewTab(label='Notes', badge=lambda obj: len((obj.comments or '').splitlines()), weight=500)


@register_model_view(Device, 'gizmos', path='gizmos')
class DeviceGizmosView(generic.ObjectView):
    """A tab the plugin adds to the pages of a device (one of NetBox's own models)."""

    queryset = Device.objects.all()
    template_name = 'gizmo_plugin/device_gizmos_tab.html'
    tab = ViewTab(label='Gizmos', badge=lambda obj: obj.gizmo_mounts.count(),
                  permission='gizmo_plugin.view_gizmomount', hide_if_empty=True)

    def get_extra_context(self, request, instance):
        return {'mounts': instance.gizmo_mounts.restrict(request.user, 'view').select_related('gizmo')}
