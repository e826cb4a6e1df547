"""
Request middleware: change-log context, dynamic configuration snapshot, API headers, login enforcement and
maintenance mode.
"""
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import RemoteUserMiddleware as DjangoRemoteUserMiddleware
from django.db import InternalError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .dynamic_config import clear_config, get_config
from .request_context import ChangeContext, change_logging

logger = logging.getLogger('netbox.request')


def is_api_request(request):
    # GraphQL answers unauthenticated requests itself (a token, or a redirect to the login page for GraphiQL).
    return request.path_info.startswith((f'/{settings.BASE_PATH}api/', f'/{settings.BASE_PATH}graphql/'))


# Pages reachable without logging in while LOGIN_REQUIRED is on.
PUBLIC_PREFIXES = ('login/', 'logout/', 'static/', 'oauth/', 'media/', 'metrics')


class CoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        clear_config()
        base = f'/{settings.BASE_PATH}'
        api = is_api_request(request)
        if settings.LOGIN_REQUIRED and not api and not request.user.is_authenticated:
            relative = request.path_info[len(base):] if request.path_info.startswith(base) else request.path_info
            if not relative.startswith(PUBLIC_PREFIXES):
                return HttpResponseRedirect(f'{reverse("login")}?next={request.get_full_path()}')
        context = ChangeContext(request=request)
        request.id = context.id
        with change_logging(context):
            response = self.get_response(request)
        release_view(response)
        if api:
            response['API-Version'] = settings.API_VERSION
        response['X-Request-ID'] = str(context.id)
        return response

    def process_exception(self, request, exception):
        # The API always answers in JSON, even for errors that escape DRF.
        if is_api_request(request) and not settings.DEBUG:
            logger.exception('Unhandled error on %s', request.path)
            response = JsonResponse({'error': str(exception), 'exception': type(exception).__name__}, status=500)
            response['API-Version'] = settings.API_VERSION
            return response
        return None


def release_view(response):
    """
    Break the reference cycle DRF leaves between a rendered response and its view (the response keeps the view in
    `renderer_context`, the view keeps the response): it held each page's rows, as dictionaries, until the next
    full garbage collection, and a worker serving 1,000-interface pages grew by ~8 MB a request until one ran.
    Once rendered, neither reference is needed.
    """
    context = getattr(response, 'renderer_context', None)
    if not context or not getattr(response, 'is_rendered', False):
        return
    view = context.get('view')
    if view is not None and getattr(view, 'response', None) is response:
        view.response = None
    response.renderer_context = None


class RemoteUserMiddleware(DjangoRemoteUserMiddleware):
    """
    Trusts the REMOTE_AUTH_HEADER only when REMOTE_AUTH_ENABLED; otherwise the header is ignored entirely. The user
    it names is logged in to a session, which the UI and the REST API (session authentication) both use.
    """

    @property
    def header(self):
        return settings.REMOTE_AUTH_HEADER

    def __call__(self, request):
        if not settings.REMOTE_AUTH_ENABLED:
            return self.get_response(request)
        return super().__call__(request)


class APIGZipMiddleware(GZipMiddleware):
    """
    Gzip for JSON responses of 1 KB and more when the client accepts it (pynetbox and requests do): a page of 1,000
    interfaces shrinks about tenfold. HTML pages stay uncompressed, since compressing pages that mix secrets with
    reflected input opens them to BREACH.
    """

    min_length = 1024

    def process_response(self, request, response):
        content_type = response.get('Content-Type', '')
        if not content_type.startswith('application/json') or response.streaming or \
                len(response.content) < self.min_length:
            return response
        return super().process_response(request, response)


MAINTENANCE_API_MESSAGE = (
    'NetBox is in maintenance mode and cannot perform write operations; please try again later.'
)
MAINTENANCE_UI_MESSAGE = 'NetBox is in maintenance mode: changes cannot be saved right now.'
# UI posts that still work in maintenance mode: signing in and out, the user's own display preferences (the page and
# the user menu's theme toggle), and the configuration revisions (the way an operator turns maintenance mode off).
MAINTENANCE_UI_EXEMPT = (
    'login/', 'logout/', 'oauth/', 'user/preferences/', 'user/theme/', 'core/config-revisions/',
)
SAFE_METHODS = ('GET', 'HEAD', 'OPTIONS', 'TRACE')


class MaintenanceModeMiddleware:
    """
    While MAINTENANCE_MODE is on NetBox is read-only: REST writes get a 503 with a JSON `detail`, UI form posts are
    refused with a message and a redirect back. GraphQL has no mutations, so its POSTs are reads and pass. A write
    that a read-only database refuses (a replica, or one set read-only for a migration) is answered the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS or not get_config().MAINTENANCE_MODE:
            return self.get_response(request)
        base = f'/{settings.BASE_PATH}'
        relative = request.path_info[len(base):] if request.path_info.startswith(base) else request.path_info
        if relative.startswith('graphql'):
            return self.get_response(request)
        if not is_api_request(request) and relative.startswith(MAINTENANCE_UI_EXEMPT):
            return self.get_response(request)
        return self.refuse(request)

    def process_exception(self, request, exception):
        # The posts let through above (preferences, configuration revisions) and the incidental writes of reads fail
        # on a read-only database with InternalError (PostgreSQL's read_only_sql_transaction): not a 500.
        if isinstance(exception, InternalError) and get_config().MAINTENANCE_MODE:
            logger.warning('Write refused by the database in maintenance mode on %s: %s', request.path, exception)
            return self.refuse(request)
        return None

    @staticmethod
    def refuse(request):
        if is_api_request(request):
            return JsonResponse({'detail': MAINTENANCE_API_MESSAGE}, status=503)
        if request.method in SAFE_METHODS:  # a page that failed to load: redirecting to it again would loop
            return HttpResponse(MAINTENANCE_UI_MESSAGE, status=503, content_type='text/plain; charset=utf-8')
        messages.error(request, MAINTENANCE_UI_MESSAGE)
        referer = request.META.get('HTTP_REFERER')
        if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
            return HttpResponseRedirect(referer)
        return HttpResponseRedirect(request.get_full_path())
