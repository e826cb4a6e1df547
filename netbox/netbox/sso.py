"""
Single sign-on through python-social-auth (social-core backends named in REMOTE_AUTH_BACKEND).

- social_backends() / login_buttons(): the configured social backends and the login page's "Log in with ..."
  buttons (each posts, with the CSRF token and ?next, to /oauth/login/<backend>/, as social-app-django requires).
- sync_user: NetBox's pipeline step after social-core's default ones (configuration_loader's
  SOCIAL_AUTH_DEFAULT_PIPELINE): e-mail from the claims, groups from the claim named by SOCIAL_AUTH_GROUPS_KEY
  (social-core's setting), superuser/staff flags from those groups, and REMOTE_AUTH_DEFAULT_GROUPS / _PERMISSIONS
  for new users when groups are not synced.
- SSOErrorMiddleware: a failed sign-in (consent denied, state mismatch, provider unreachable) returns to the login
  page with a message instead of an error page.
"""
import logging
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string
from social_core.backends.base import BaseAuth
from social_core.exceptions import AuthPolicyError
from social_django.middleware import SocialAuthExceptionMiddleware

logger = logging.getLogger('netbox.auth.sso')

@lru_cache(maxsize=8)
def _social_backends(paths):
    found = []
    for path in paths:
        try:
            backend = import_string(path)
        except ImportError:
            continue
        if isinstance(backend, type) and issubclass(backend, BaseAuth):
            found.append(backend)
    return tuple(found)


def social_backends():
    """The social-core backend classes among AUTHENTICATION_BACKENDS, in their configured order."""
    return _social_backends(tuple(settings.AUTHENTICATION_BACKENDS))


def display_name(backend):
    """SOCIAL_AUTH_BACKEND_ATTRS[name][0] when set (NetBox's override), else the backend's own title."""
    attrs = getattr(settings, 'SOCIAL_AUTH_BACKEND_ATTRS', {}).get(backend.name)
    if attrs:
        return attrs[0] if isinstance(attrs, (list, tuple)) else str(attrs)
    return backend.title or backend.name


def icon_url(backend):
    """The image URL given as SOCIAL_AUTH_BACKEND_ATTRS[name][1], if it is one."""
    attrs = getattr(settings, 'SOCIAL_AUTH_BACKEND_ATTRS', {}).get(backend.name)
    icon = attrs[1] if isinstance(attrs, (list, tuple)) and len(attrs) > 1 else None
    return icon if isinstance(icon, str) and (icon.startswith(('http://', 'https://', '/'))) else None


def login_buttons(request):
    """One entry per social backend: its name, label, icon and the URL its button posts to (/oauth/login/<name>/)."""
    return [
        {'name': backend.name, 'display_name': display_name(backend), 'icon_url': icon_url(backend),
         'url': reverse('social:begin', args=[backend.name])}
        for backend in social_backends()
    ]


# --- Pipeline -----------------------------------------------------------------------------------------------------

class AccountDisabled(AuthPolicyError):
    """The provider vouched for a user whose NetBox account is inactive."""

    def __str__(self):
        return 'This NetBox account is disabled; ask an administrator to enable it.'


def _setting(backend, name, fallback):
    """SOCIAL_AUTH_<BACKEND>_<NAME>, else SOCIAL_AUTH_<NAME>, else the REMOTE_AUTH_* parameter `fallback`."""
    return backend.setting(name, getattr(settings, fallback))


def sync_user(strategy, backend, details, user=None, groups=None, is_new=False, *args, **kwargs):
    """
    Bring the local user in line with the provider's claims. `groups` is the membership list social-core read from
    the claim named by SOCIAL_AUTH_GROUPS_KEY (None when that setting is unset, and then groups are left alone).
    """
    if user is None:
        return
    if not user.is_active:
        logger.warning('Single sign-on refused for "%s" through %s: the account is inactive.', user.username,
                       backend.name)
        raise AccountDisabled(backend, stage='pipeline')
    from netbox.authentication import RemoteUserBackend

    with transaction.atomic():
        # social-core's user_details step never changes the e-mail address; the provider is authoritative here.
        email = details.get('email')
        if email and user.email != email:
            user.email = email[:user._meta.get_field('email').max_length]
            user.save(update_fields=['email'])
        if groups is not None:
            sync_groups(backend, user, groups)
        elif is_new:
            default_groups = RemoteUserBackend.find_groups(settings.REMOTE_AUTH_DEFAULT_GROUPS,
                                                           settings.REMOTE_AUTH_AUTO_CREATE_GROUPS)
            if default_groups:
                user.groups.add(*default_groups)
            RemoteUserBackend.grant_default_permissions(user)


def sync_groups(backend, user, names):
    """The user's groups become exactly those named by the claim; flags follow the superuser/staff group lists."""
    from users.models import Group

    create = _setting(backend, 'AUTO_CREATE_GROUPS', 'REMOTE_AUTH_AUTO_CREATE_GROUPS')
    existing = {group.name: group for group in Group.objects.filter(name__in=names)}
    target = []
    for name in names:
        group = existing.get(name)
        if group is None and create:
            group = Group.objects.create(name=name)
        if group is None:
            logger.info('Single sign-on: group "%s" of "%s" does not exist and is not created '
                        '(SOCIAL_AUTH_AUTO_CREATE_GROUPS is off).', name, user.username)
            continue
        target.append(group)
    user.groups.set(target)
    changed = []
    for flag, name, fallback in (('is_superuser', 'SUPERUSER_GROUPS', 'REMOTE_AUTH_SUPERUSER_GROUPS'),
                                 ('is_staff', 'STAFF_GROUPS', 'REMOTE_AUTH_STAFF_GROUPS')):
        flag_groups = set(_setting(backend, name, fallback))
        if not flag_groups:
            continue  # no list configured: the flag stays as an administrator set it
        value = bool(flag_groups & set(names))
        if getattr(user, flag) != value:
            setattr(user, flag, value)
            changed.append(flag)
    if changed:
        user.save(update_fields=changed)


# --- Errors -------------------------------------------------------------------------------------------------------

# Plainer words than social-core's for what users meet most; other failures keep social-core's own safe message.
REASONS = {
    'authorization_declined': 'the sign-in was cancelled or consent was refused at the identity provider.',
    'connection_failed': 'the identity provider could not be reached. Try again later.',
}

class SSOErrorMiddleware(SocialAuthExceptionMiddleware):
    """
    social-auth failures go back to the login page (SOCIAL_AUTH_LOGIN_ERROR_URL) with a message naming the
    provider. Unlike the stock middleware, DEBUG does not turn them into tracebacks; SOCIAL_AUTH_RAISE_EXCEPTIONS
    still does.
    """

    def raise_exception(self, request, exception):
        strategy = getattr(request, 'social_strategy', None)
        if strategy is None:
            return None
        return strategy.setting('RAISE_EXCEPTIONS', False, backend=getattr(request, 'backend', None))

    def get_message(self, request, exception):
        backend = getattr(request, 'backend', None)
        logger.warning('Single sign-on through %s failed: %s (%s, %s) %s', getattr(backend, 'name', '?'),
                       getattr(exception, 'code', ''), type(exception).__name__, getattr(exception, 'stage', ''),
                       getattr(exception, 'detail', ''))
        name = display_name(backend) if backend is not None else 'the identity provider'
        reason = REASONS.get(getattr(exception, 'code', None)) or str(exception)
        return f'Log in with {name} failed: {reason}'
