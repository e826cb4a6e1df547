"""REST URLs of the gizmo plugin (under /api/plugins/gizmos/)."""
from netbox.api.routers import NetBoxRouter

from . import views

router = NetBoxRouter()
router.register('gizmos', views.GizmoViewSet)
router.register('mounts', views.GizmoMountViewSet)
urlpatterns = router.urls
