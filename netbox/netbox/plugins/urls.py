"""
URLs of the installed plugins: pages under /plugins/<base_url>/ (namespace 'plugins:<app>'), REST endpoints under
/api/plugins/<base_url>/ (namespace 'plugins-api:<app>-api'), and /api/plugins/installed-plugins/.

A plugin's own URL patterns (`<plugin>/urls.py` and `<plugin>/api/urls.py`, module attribute `urlpatterns`) come
first; its declared models get the derived pages and endpoints whose names those patterns don't already take.
"""
import importlib
from importlib.util import find_spec

from django.apps import apps
from django.urls import URLPattern, include, path

from netbox.registry import registry

from . import plugin_registry
from .views import InstalledPluginsView, PluginsRootView


def installed_plugin_configs():
    return [apps.get_app_config(label) for label in plugin_registry['installed']]


def base_url(config):
    return (config.base_url or config.label).strip('/')


def _own_patterns(module_name):
    try:
        found = find_spec(module_name)
    except ModuleNotFoundError:
        found = None
    if not found:
        return []
    return list(getattr(importlib.import_module(module_name), 'urlpatterns', ()))


def _names(patterns):
    return {pattern.name for pattern in patterns if isinstance(pattern, URLPattern) and pattern.name}


def plugin_ui_patterns():
    from netbox.ui.urls import model_urlpatterns

    from .adapters import apply_ui_pieces

    patterns = []
    for config in installed_plugin_configs():
        own = _own_patterns(f'{config.name}.urls')
        apply_ui_pieces(config)
        taken = _names(own)
        derived = [pattern for declaration in registry.for_app(config.label)
                   for pattern in model_urlpatterns(declaration) if pattern.name not in taken]
        patterns.append(path(f'{base_url(config)}/', include((own + derived, config.label))))
    return patterns


def plugin_api_patterns():
    from netbox.api.routers import app_patterns

    patterns = [
        path('', PluginsRootView.as_view(), name='api-root'),
        path('installed-plugins/', InstalledPluginsView.as_view(), name='plugins-list'),
    ]
    for config in installed_plugin_configs():
        own = _own_patterns(f'{config.name}.api.urls')
        taken = _names(own)
        derived = [pattern for pattern in app_patterns(config.label) if pattern.name not in taken]
        if not registry.for_app(config.label) and not own:
            continue
        patterns.append(path(f'{base_url(config)}/', include((own + derived, f'{config.label}-api'))))
    return patterns
