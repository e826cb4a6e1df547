"""REST views of the plugin framework: the plugins' API root and the list of installed plugins."""
from collections import OrderedDict

from django.conf import settings
from django.urls import NoReverseMatch
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from .utils import plugin_app_config


def plugin_data(config):
    """One installed plugin, as NetBox describes it."""
    return {
        'name': config.name,
        'package': config.name,
        'author': config.author,
        'author_email': config.author_email,
        'description': config.description,
        'verbose_name': str(config.verbose_name),
        'version': config.version,
    }


class InstalledPluginsView(APIView):
    """Every installed plugin: name, package, author, author e-mail, description, verbose name and version."""

    permission_classes = (IsAdminUser,)

    def get_view_name(self):
        return 'Installed Plugins'

    @extend_schema(responses={200: {'type': 'array', 'items': {'type': 'object', 'properties': {
        name: {'type': 'string'} for name in ('name', 'package', 'author', 'author_email', 'description',
                                              'verbose_name', 'version')}}}})
    def get(self, request, format=None):
        return Response([plugin_data(plugin_app_config(name)) for name in settings.PLUGINS])


class PluginsRootView(APIView):
    """The API root of every installed plugin, and the list of installed plugins."""

    permission_classes = ()

    def get_view_name(self):
        return 'Plugins'

    @extend_schema(responses={200: {'type': 'object', 'additionalProperties': {'type': 'string', 'format': 'uri'}}})
    def get(self, request, format=None):
        links = OrderedDict()
        links['installed-plugins'] = reverse('plugins-api:plugins-list', request=request, format=format)
        for name in settings.PLUGINS:
            config = plugin_app_config(name)
            try:
                links[(config.base_url or config.label).strip('/')] = reverse(
                    f'plugins-api:{config.label}-api:api-root', request=request, format=format)
            except NoReverseMatch:  # a plugin without REST endpoints
                continue
        return Response(links)

