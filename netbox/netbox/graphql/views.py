"""
`/graphql/`: queries authenticated by an API token (the same Authorization headers as the REST API) or by the
session, and GraphiQL for logged-in users in the browser, served from our own static files.
"""
from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from strawberry.django.views import GraphQLView

from netbox.api.authentication import TokenAuthentication
from netbox.dynamic_config import get_config

from .schema import CURRENT_REQUEST, get_schema


def _error(status, detail):
    return JsonResponse({'detail': detail}, status=status)


@method_decorator(csrf_exempt, name='dispatch')
class NetBoxGraphQLView(GraphQLView):
    """The GraphQL endpoint: a query sees exactly the objects the user may view (see netbox.graphql.schema)."""

    def __init__(self, **kwargs):
        super().__init__(schema=get_schema(), graphql_ide='graphiql', **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if not get_config().GRAPHQL_ENABLED:
            return _error(404, 'The GraphQL API is disabled (GRAPHQL_ENABLED is false).')
        try:
            authenticated = TokenAuthentication().authenticate(request)
        except exceptions.AuthenticationFailed as exc:
            return _error(403, str(exc.detail))
        if authenticated is not None:
            request.graphql_user = authenticated[0]
        else:
            request.graphql_user = request.user
            if self._wants_ide(request):
                # GraphiQL is for logged-in users only.
                if not request.user.is_authenticated:
                    return HttpResponseRedirect(f'{reverse("login")}?next={request.get_full_path()}')
            elif request.user.is_authenticated and request.method == 'POST':
                # A session is a browser's: the CSRF token is required, as on any form.
                refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
                if refused is not None:
                    return _error(403, 'CSRF verification failed.')
            if not request.user.is_authenticated and settings.LOGIN_REQUIRED:
                return _error(403, 'Authentication credentials were not provided.')
        token = CURRENT_REQUEST.set(request)
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            CURRENT_REQUEST.reset(token)

    @staticmethod
    def _wants_ide(request):
        return request.method == 'GET' and 'text/html' in request.headers.get('Accept', '') and \
            'query' not in request.GET

    def render_graphql_ide(self, request):
        return render(request, 'graphql/graphiql.html', {})
