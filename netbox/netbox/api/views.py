"""The API root and status endpoints."""
import platform
import socket
from collections import OrderedDict
from importlib import metadata

from django.apps import apps
from django.conf import settings
from django_rq.queues import get_redis_connection
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView
from rq.worker import Worker

OWN_APPS = {'netbox', 'core', 'users', 'extras', 'tenancy', 'dcim', 'ipam', 'circuits', 'virtualization', 'vpn',
            'wireless'}
API_APPS = ('circuits', 'core', 'dcim', 'extras', 'ipam', 'plugins', 'status', 'tenancy', 'users', 'virtualization',
            'vpn', 'wireless')


class APIRootView(APIView):
    """The entry point of the REST API: one link per app."""

    permission_classes = ()

    def get_view_name(self):
        return 'API Root'

    @extend_schema(responses={200: {'type': 'object', 'additionalProperties': {'type': 'string', 'format': 'uri'}}})
    def get(self, request, format=None):
        links = OrderedDict()
        for app in API_APPS:
            if app == 'status':
                links[app] = reverse('api-status', request=request, format=format)
            elif app == 'plugins':
                links[app] = reverse('plugins-api:api-root', request=request, format=format)
            else:
                links[app] = reverse(f'{app}-api:api-root', request=request, format=format)
        return Response(links)


class StatusView(APIView):
    """Versions, installed apps and background worker count: a health check for monitoring."""

    def get_view_name(self):
        return 'Status'

    @extend_schema(responses={200: {'type': 'object', 'properties': {
        'django-version': {'type': 'string'}, 'installed-apps': {'type': 'object', 'additionalProperties': {}},
        'netbox-version': {'type': 'string'}, 'netbox-full-version': {'type': 'string'},
        'python-version': {'type': 'string'}, 'plugins': {'type': 'object', 'additionalProperties': {}},
        'rq-workers-running': {'type': 'integer'}}}})
    def get(self, request):
        import django

        installed_apps = {}
        for config in apps.get_app_configs():
            if config.name.startswith('django.') or config.name in OWN_APPS:
                continue
            version = getattr(config.module, '__version__', None) or getattr(config.module, 'VERSION', None)
            if isinstance(version, tuple):
                version = '.'.join(map(str, version))
            if version is None:
                # The distribution that ships the package (django-cors-headers for corsheaders).
                top = config.name.split('.')[0]
                for distribution in metadata.packages_distributions().get(top, [top.replace('_', '-')]):
                    try:
                        version = metadata.version(distribution)
                        break
                    except metadata.PackageNotFoundError:
                        continue
            installed_apps[config.name] = version
        installed_apps = dict(sorted(installed_apps.items()))

        from netbox.plugins import get_installed_plugins

        plugins = get_installed_plugins()
        try:
            workers = Worker.count(get_redis_connection(settings.RQ_QUEUES['default']))
        except Exception:  # Redis down: report no workers rather than fail the health check
            workers = 0
        return Response({
            'django-version': django.__version__,
            'hostname': socket.gethostname(),
            'installed_apps': installed_apps,
            'netbox-version': settings.VERSION,
            'netbox-full-version': settings.VERSION,
            'plugins': plugins,
            'python-version': platform.python_version(),
            'rq-workers-running': workers,
        })
