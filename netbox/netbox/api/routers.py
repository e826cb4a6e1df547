"""URL patterns for every declared model: /api/<app>/, /api/<app>/<models>/ and /api/<app>/<models>/<id>/."""
from collections import OrderedDict

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from netbox.registry import api_namespace, registry

from .viewsets import viewset_for

LIST_ACTIONS = {'get': 'list', 'post': 'create', 'put': 'bulk_update', 'patch': 'bulk_partial_update',
                'delete': 'bulk_destroy'}
DETAIL_ACTIONS = {'get': 'retrieve', 'put': 'update', 'patch': 'partial_update', 'delete': 'destroy'}


def allowed_actions(actions, declaration):
    """The {HTTP method: viewset action} pairs of `actions` the declaration's `api_methods` allow."""
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
            (slug, reverse(f'{api_namespace(self.app_label)}:{name}-list', request=request, format=format))
            for slug, name in self.endpoints
        ))


def model_patterns(declaration, viewset, slug):
    """The list, detail and declared extra routes of one model under `slug`."""
    name = declaration.model_name()
    # Declared extra routes come first so they win over the generic ones.
    patterns = [path(f'{slug}/{suffix}', view, name=f'{name}-{route_name}')
                for suffix, view, route_name in declaration.api_routes]
    patterns += [
        path(f'{slug}/', viewset.as_view(allowed_actions(LIST_ACTIONS, declaration)), name=f'{name}-list'),
        path(f'{slug}/<int:pk>/', viewset.as_view({**allowed_actions(DETAIL_ACTIONS, declaration),
                                                   **declaration.detail_actions}), name=f'{name}-detail'),
    ]
    return patterns


def app_patterns(app_label, extra_patterns=(), registered=()):
    """The API URL patterns of one app (unnamespaced): the root, `registered` ((slug, viewset), ...) and every
    other declared model of the app with its derived viewset."""
    patterns = list(extra_patterns)
    endpoints = []
    taken = set()
    for slug, viewset in registered:
        declaration = viewset.declaration
        patterns += model_patterns(declaration, viewset, slug)
        endpoints.append((slug, declaration.model_name()))
        taken.add(declaration.label())
    for declaration in sorted(registry.for_app(app_label), key=lambda d: d.slug()):
        if declaration.label() in taken:
            continue
        patterns += model_patterns(declaration, viewset_for(declaration), declaration.slug())
        endpoints.append((declaration.slug(), declaration.model_name()))
    root = type(f'{app_label.title()}RootView', (AppRootView,), {'app_label': app_label, 'endpoints': endpoints})
    patterns.insert(0, path('', root.as_view(), name='api-root'))
    return patterns


def app_urlpatterns(app_label, extra_patterns=()):
    """The API URL patterns of one app, namespaced `<app>-api`."""
    return include((app_patterns(app_label, extra_patterns), f'{app_label}-api'))


class NetBoxRouter:
    """
    NetBox's router for a plugin's REST API (`<plugin>/api/urls.py`: `router.register('things', ThingViewSet)`,
    `urlpatterns = router.urls`). Each registered viewset serves its queryset's model at the given prefix with the
    same list, detail and bulk routes as our own models; the plugin's other declared models are served too, at
    their derived paths.
    """

    def __init__(self, trailing_slash=True):
        self.registry = []

    def register(self, prefix, viewset, basename=None):
        self.registry.append((prefix.strip('/'), viewset))

    @property
    def urls(self):
        if not self.registry:
            return []
        app_label = self.registry[0][1].declaration.app_label()
        return app_patterns(app_label, registered=self.registry)
