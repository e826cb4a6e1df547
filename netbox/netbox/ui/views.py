"""Generic UI views derived from declarations (placeholder until the UI lands)."""
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, resolve_url
from django.views import View


class HomeView(View):
    def get(self, request):
        return HttpResponse('NetBox')


class LogoutView(View):
    def get(self, request):
        logout(request)
        return redirect(resolve_url(settings.LOGOUT_REDIRECT_URL))

    post = get


def _placeholder(request, *args, **kwargs):
    return HttpResponse('')


def views_for(declaration):
    return {name: _placeholder for name in ('list', 'edit', 'import', 'bulk_edit', 'bulk_delete', 'detail', 'delete',
                                            'changelog')}


def server_error(request):
    return HttpResponseServerError('Server error')
