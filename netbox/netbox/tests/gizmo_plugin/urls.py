"""UI URLs of the gizmo plugin (under /plugins/gizmos/)."""
from django.urls import include, path

from netbox.views.generic import ObjectChangeLogView
from utilities.urls import get_model_urls

from . import views
from .models import Gizmo

urlpatterns = (
    path('gizmos/', views.GizmoListView.as_view(), name='gizmo_list'),
    path('gizmos/add/', views.GizmoEditView.as_view(), name='gizmo_add'),
    path('gizmos/<int:pk>/', views.GizmoView.as_view(), name='gizmo'),
    path('gizmos/<int:pk>/edit/', views.GizmoEditView.as_view(), name='gizmo_edit'),
    path('gizmos/<int:pk>/delete/', views.GizmoDeleteView.as_view(), name='gizmo_delete'),
    path('gizmos/<int:pk>/mounts/', views.GizmoMountsView.as_view(), name='gizmo_mounts'),
    path('gizmos/<int:pk>/changelog/', ObjectChangeLogView.as_view(), name='gizmo_changelog',
         kwargs={'model': Gizmo}),
    path('gizmos/<int:pk>/', include(get_model_urls('gizmo_plugin', 'gizmo'))),
    path('mounts/', views.GizmoMountListView.as_view(), name='gizmomount_list'),
    path('mounts/add/', views.GizmoMountEditView.as_view(), name='gizmomount_add'),
    path('mounts/<int:pk>/', views.GizmoMountView.as_view(), name='gizmomount'),
    path('mounts/<int:pk>/edit/', views.GizmoMountEditView.as_view(), name='gizmomount_edit'),
    path('mounts/<int:pk>/delete/', views.GizmoMountDeleteView.as_view(), name='gizmomount_delete'),
)
