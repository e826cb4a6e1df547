"""The last-resort error handler: JSON on API paths, the friendly error page everywhere else."""
import sys

from django.conf import settings
from django.http import JsonResponse

from .middleware import is_api_request


def server_error(request, *args, **kwargs):
    if is_api_request(request):
        error = sys.exc_info()[1]
        response = JsonResponse({'error': 'Server error', 'exception': type(error).__name__ if error else None},
                                status=500)
        response['API-Version'] = settings.API_VERSION
        return response
    from .ui.views import server_error as page

    return page(request, *args, **kwargs)
