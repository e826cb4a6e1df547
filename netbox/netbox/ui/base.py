"""Shared pieces of the generic views: permission checks, URLs of a declared model, return URLs, query strings."""
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from netbox.dynamic_config import get_config
from netbox.permissions import has_permission
from netbox.registry import ui_namespace

# The REST method a UI action needs the declaration to allow.
ACTION_METHODS = {'add': ('POST',), 'change': ('PUT', 'PATCH'), 'delete': ('DELETE',)}


def allows(declaration, action):
    methods = ACTION_METHODS.get(action)
    return methods is None or any(method in declaration.api_methods for method in methods)


def model_url(declaration, suffix='', *args):
    name = f'{ui_namespace(declaration.app_label())}:{declaration.model_name()}{"_" + suffix if suffix else ""}'
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def model_urls(declaration, user):
    """The list-level URLs (add, import, bulk edit/delete) the user may use, None where not."""
    model = declaration.model
    can_add = allows(declaration, 'add') and has_permission(user, model, 'add')
    can_change = allows(declaration, 'change') and has_permission(user, model, 'change')
    can_delete = allows(declaration, 'delete') and has_permission(user, model, 'delete')
    return {
        'list': model_url(declaration, 'list'),
        'add': model_url(declaration, 'add') if can_add else None,
        'import': model_url(declaration, 'import') if can_add else None,
        'bulk_edit': model_url(declaration, 'bulk_edit') if can_change else None,
        'bulk_delete': model_url(declaration, 'bulk_delete') if can_delete else None,
    }


def verbose_names(declaration):
    opts = declaration.model._meta
    return {'singular': str(opts.verbose_name), 'plural': str(opts.verbose_name_plural),
            'title': _title(opts.verbose_name), 'title_plural': _title(opts.verbose_name_plural)}


def counted(count, names):
    """'1 tenant', '3 tenants'."""
    return f'{count} {names["singular"] if count == 1 else names["plural"]}'


def _title(text):
    text = str(text)
    return text[:1].upper() + text[1:]


def safe_return_url(request, fallback):
    url = request.POST.get('return_url') or request.GET.get('return_url')
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return fallback


def query_with(params, **changes):
    """The query string of `params` (a QueryDict) with some keys replaced (None removes a key)."""
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f'?{encoded}' if encoded else '?'


def page_size(request, user_config=None):
    """Rows per page: ?per_page=, else the user's preference, else PAGINATE_COUNT; at most MAX_PAGE_SIZE."""
    config = get_config()
    size = None
    try:
        size = int(request.GET.get('per_page', ''))
    except ValueError:
        pass
    if not size and user_config is not None:
        try:
            size = int(user_config.get('pagination.per_page') or 0)
        except (TypeError, ValueError):
            size = None
    if not size or size < 1:
        size = config.PAGINATE_COUNT
    if config.MAX_PAGE_SIZE:
        size = min(size, config.MAX_PAGE_SIZE)
    return size


class DeclaredView(View):
    """A view of one declared model; `action` is the permission it needs (None: decided per request)."""

    declaration = None
    action = 'view'

    @property
    def model(self):
        return self.declaration.model

    def get_action(self, request, **kwargs):
        return self.action

    def dispatch(self, request, *args, **kwargs):
        action = self.get_action(request, **kwargs)
        if not allows(self.declaration, action):
            raise Http404(f'This action is not available for {verbose_names(self.declaration)["plural"]}.')
        if not has_permission(request.user, self.model, action):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied(f'You do not have permission to {action} '
                                   f'{verbose_names(self.declaration)["plural"]}.')
        return super().dispatch(request, *args, **kwargs)

    def base_context(self, request):
        return {
            'declaration': self.declaration,
            'names': verbose_names(self.declaration),
            'urls': model_urls(self.declaration, request.user),
        }
