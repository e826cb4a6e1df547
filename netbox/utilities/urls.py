"""NetBox's `get_model_urls()`: the URL patterns of the views registered for a model (utilities.views)."""
from django.urls import path as url_path

from netbox.registry import registered_views

__all__ = ('get_model_urls',)


def get_model_urls(app_label, model_name, detail=True):
    """
    URL patterns of the views registered for the model: its detail views (`detail`, to include below the object's
    URL: path('gizmos/<int:pk>/', include(get_model_urls('gizmo_plugin', 'gizmo')))) or its list views.
    """
    patterns = []
    for entry in registered_views(app_label, model_name, detail=detail):
        view = entry['view']
        if hasattr(view, 'as_view'):
            view = view.as_view()
        route = f"{entry['path']}/" if entry['path'] else ''
        name = f"{model_name}_{entry['name']}" if entry['name'] else model_name
        patterns.append(url_path(route, view, name=name, kwargs=entry['kwargs']))
    return patterns
