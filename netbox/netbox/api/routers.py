"""URL patterns for every declared model: /api/<app>/, /api/<app>/<models>/ and /api/<app>/<models>/<id>/."""
from collections import OrderedDict

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from netbox.registry import registry

from .viewsets import viewset_for

LIST_ACTIONS = {'get': 'list', 'post': 'create', 'put': 'bulk_update', 'patch': 'bulk_partial_update',
                'delete': 'bulk_destroy'}
DETAIL_ACTIONS = {'get': 'retrieve', 'put': 'update', 'patch': 'partial_update', 'delete': 'destroy'}


def _allowed(actions, declaration):
    methods = {m.lower() for m in declaration.api_methods}
    return {method: action for method, action in actions.items() if method in methods}


class AppRootView(APIView):
    """Lists the endpoints of one app."""

    app_label = None
    endpoints = ()
    permission_classes = ()

    def get_view_name(self):
        return f'{self.app_label.title()} API'

    @extend_schema(responses={200: {'type': 'object', 'additionalProperties': {'type': 'string', 'format': 'uri'}}})
    def get(self, request, format=None):
        return Response(OrderedDict(
            (slug, reverse(f'{self.app_label}-api:{name}-list', request=request, format=format))
            for slug, name in self.endpoints
        ))


def app_urlpatterns(app_label, extra_patterns=()):
    """The API URL patterns of one app, namespaced `<app>-api`."""
    patterns = list(extra_patterns)
    endpoints = []
    for declaration in sorted(registry.for_app(app_label), key=lambda d: d.slug()):
        viewset = viewset_for(declaration)
        slug, name = declaration.slug(), declaration.model_name()
        # Declared extra routes come first so they win over the generic ones.
        patterns += [path(f'{slug}/{suffix}', view, name=f'{name}-{route_name}')
                     for suffix, view, route_name in declaration.api_routes]
        patterns += [
            path(f'{slug}/', viewset.as_view(_allowed(LIST_ACTIONS, declaration)), name=f'{name}-list'),
            path(f'{slug}/<int:pk>/', viewset.as_view({**_allowed(DETAIL_ACTIONS, declaration),
                                                       **declaration.detail_actions}), name=f'{name}-detail'),
        ]
        endpoints.append((slug, name))
    root = type(f'{app_label.title()}RootView', (AppRootView,), {'app_label': app_label, 'endpoints': endpoints})
    patterns.insert(0, path('', root.as_view(), name='api-root'))
    return include((patterns, f'{app_label}-api'))
