"""URL configuration: the API and the UI of every app, derived from the declarations."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core.api_tasks import api_patterns as core_task_patterns
from core.ui_tasks import ui_patterns as core_task_pages
from dcim.api_cables import ConnectedDeviceView
from extras.api import DashboardView
from extras.ui import serve_media
from netbox.api.routers import app_urlpatterns
from netbox.api.views import APIRootView, StatusView
from netbox.graphql.views import NetBoxGraphQLView
from netbox.plugins.urls import plugin_api_patterns, plugin_ui_patterns
from netbox.ui.urls import ui_urlpatterns
from users.api import TokenProvisionView, UserConfigView

API_EXTRAS = {
    'core': core_task_patterns(),
    'dcim': [
        path('connected-device/', ConnectedDeviceView.as_view(), name='connected-device'),
    ],
    'extras': [
        path('dashboard/', DashboardView.as_view(), name='dashboard'),
    ],
    'users': [
        path('tokens/provision/', TokenProvisionView.as_view(), name='token_provision'),
        path('config/', UserConfigView.as_view(), name='userconfig'),
    ],
}

# UI pages that belong to no declared model, by app namespace.
UI_EXTRAS = {
    'core': core_task_pages(),
}

api_patterns = [
    path('', APIRootView.as_view(), name='api-root'),
    path('status/', StatusView.as_view(), name='api-status'),
    # YAML by default, JSON with ?format=json, as NetBox serves it.
    path('schema/', SpectacularAPIView.as_view(), name='schema'),
    path('docs/', SpectacularSwaggerView.as_view(url_name='schema'), name='api_docs'),
    path('redoc/', SpectacularRedocView.as_view(url_name='schema'), name='api_redocs'),
    path('plugins/', include((plugin_api_patterns(), 'plugins-api'))),
]
for app in ('circuits', 'core', 'dcim', 'extras', 'ipam', 'tenancy', 'users', 'virtualization', 'vpn', 'wireless'):
    api_patterns.append(path(f'{app}/', app_urlpatterns(app, API_EXTRAS.get(app, ()))))

_patterns = [
    path('api/', include(api_patterns)),
    path('graphql/', NetBoxGraphQLView.as_view(), name='graphql'),
    path('admin/', admin.site.urls),
    # Single sign-on (python-social-auth): /oauth/login/<backend>/ and /oauth/complete/<backend>/.
    path('oauth/', include('social_django.urls', namespace='social')),
    re_path(r'^static/(?P<path>.*)$', serve, {'document_root': settings.STATIC_ROOT}),
    # Uploaded files: for logged-in users who may view the attachment they belong to (extras.ui.serve_media).
    re_path(r'^media/(?P<path>.+)$', serve_media, name='media'),
    path('plugins/', include((plugin_ui_patterns(), 'plugins'))),
    *ui_urlpatterns(UI_EXTRAS),
]

if settings.METRICS_ENABLED:
    from netbox.metrics import metrics_view

    _patterns.insert(0, path('metrics', metrics_view, name='metrics'))

urlpatterns = [path(settings.BASE_PATH, include(_patterns))] if settings.BASE_PATH else _patterns

handler500 = 'netbox.errors.server_error'
