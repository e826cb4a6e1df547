"""UI views of the gizmo models."""
from django.db.models import Count

from netbox.views import generic

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
