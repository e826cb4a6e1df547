"""
Authentication backends and login protection.

- ObjectPermissionBackend: local passwords, and has_perm() answered from ObjectPermissions.
- RemoteUserBackend: users named by a trusted HTTP header set by the reverse proxy (REMOTE_AUTH_*).
- LDAPBackend: django-auth-ldap, configured by AUTH_LDAP_* (from ldap_config.py), mirroring into users.Group.
- LoginThrottleBackend: first in line; refuses password logins for a username or client address after too many
  recent failures (LOGIN_ATTEMPTS_*), counted in the Redis cache.
"""
import hashlib
import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.backends import RemoteUserBackend as DjangoRemoteUserBackend
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction

from .permissions import permission_q, user_permissions

logger = logging.getLogger('netbox.auth')
login_logger = logging.getLogger('netbox.auth.login')

STANDARD_ACTIONS = ('view', 'add', 'change', 'delete')


class ObjectPermissionBackend(ModelBackend):
    """Answers has_perm() from ObjectPermissions (and DEFAULT_PERMISSIONS) instead of Django's model permissions."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(user_permissions(user_obj))

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        if user_obj.is_superuser:
            return True
        app_label, _, codename = perm.partition('.')
        action, _, model_name = codename.rpartition('_')
        from django.apps import apps

        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return perm in self.get_all_permissions(user_obj)
        condition = permission_q(user_obj, model, action)
        if condition is False:
            return False
        if obj is None or condition is None:
            return True
        return model._default_manager.filter(pk=obj.pk).filter(condition).exists()


# --- Remote (HTTP header) authentication --------------------------------------------------------------------------

def resolve_permission_name(name):
    """
    ('app.action_model' or 'app.model') -> (ContentType, [actions]). A bare model grants view only. Raises
    ValueError naming the entry when neither form matches a model.
    """
    from django.contrib.contenttypes.models import ContentType

    app_label, _, rest = name.partition('.')
    content_type = ContentType.objects.filter(app_label=app_label, model=rest).first()
    if content_type is not None:
        return content_type, ['view']
    action, _, model_name = rest.rpartition('_')
    content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first() if action else None
    if content_type is None:
        raise ValueError(f'REMOTE_AUTH_DEFAULT_PERMISSIONS: "{name}" names no model (use "app.action_model").')
    return content_type, [action]


class RemoteUserBackend(DjangoRemoteUserBackend):
    """
    Users named by a trusted HTTP header (REMOTE_AUTH_HEADER). Answers only while REMOTE_AUTH_ENABLED. New users
    (REMOTE_AUTH_AUTO_CREATE_USER) get REMOTE_AUTH_DEFAULT_GROUPS and REMOTE_AUTH_DEFAULT_PERMISSIONS; with
    REMOTE_AUTH_GROUP_SYNC_ENABLED their groups, superuser and staff flags follow the group header on every login.
    """

    @property
    def create_unknown_user(self):
        return settings.REMOTE_AUTH_AUTO_CREATE_USER

    def authenticate(self, request, remote_user, **kwargs):
        if not settings.REMOTE_AUTH_ENABLED or not remote_user:
            return None
        with transaction.atomic():
            user = super().authenticate(request, remote_user)
            if user is None:
                return None
            if settings.REMOTE_AUTH_GROUP_SYNC_ENABLED:
                self.sync_groups(user, self.header_groups(request))
            self.update_profile(request, user)
        return user

    @staticmethod
    def header_groups(request):
        value = request.META.get(settings.REMOTE_AUTH_GROUP_HEADER, '') if request is not None else ''
        separator = settings.REMOTE_AUTH_GROUP_SEPARATOR
        return [name.strip() for name in value.split(separator) if name.strip()]

    @staticmethod
    def update_profile(request, user):
        if request is None:
            return
        changed = []
        for field, header in (('first_name', settings.REMOTE_AUTH_USER_FIRST_NAME),
                              ('last_name', settings.REMOTE_AUTH_USER_LAST_NAME),
                              ('email', settings.REMOTE_AUTH_USER_EMAIL)):
            value = request.META.get(header)
            if value is not None and getattr(user, field) != value:
                setattr(user, field, value[:user._meta.get_field(field).max_length])
                changed.append(field)
        if changed:
            user.save(update_fields=changed)

    @staticmethod
    def find_groups(names, create):
        from users.models import Group

        groups = []
        for name in names:
            group = Group.objects.filter(name=name).first()
            if group is None and create:
                group = Group.objects.create(name=name)
            if group is None:
                logger.warning('Remote authentication: group "%s" does not exist and is not created '
                               '(REMOTE_AUTH_AUTO_CREATE_GROUPS is off).', name)
                continue
            groups.append(group)
        return groups

    def sync_groups(self, user, names):
        """The user's groups become exactly those named (existing or created); flags follow the lists."""
        user.groups.set(self.find_groups(names, settings.REMOTE_AUTH_AUTO_CREATE_GROUPS))
        names = set(names)
        user.is_superuser = bool(names & set(settings.REMOTE_AUTH_SUPERUSER_GROUPS)) or \
            user.username in settings.REMOTE_AUTH_SUPERUSERS
        user.is_staff = bool(names & set(settings.REMOTE_AUTH_STAFF_GROUPS)) or \
            user.username in settings.REMOTE_AUTH_STAFF_USERS
        user.save(update_fields=['is_superuser', 'is_staff'])

    def configure_user(self, request, user, created=True):
        if not created:
            return user
        user.set_unusable_password()  # the proxy vouches for this user; no local password exists
        user.save(update_fields=['password'])
        if settings.REMOTE_AUTH_GROUP_SYNC_ENABLED:
            return user
        groups = self.find_groups(settings.REMOTE_AUTH_DEFAULT_GROUPS, settings.REMOTE_AUTH_AUTO_CREATE_GROUPS)
        if groups:
            user.groups.add(*groups)
        self.grant_default_permissions(user)
        return user

    @staticmethod
    def grant_default_permissions(user):
        """One ObjectPermission per model and constraints in REMOTE_AUTH_DEFAULT_PERMISSIONS, for this user."""
        import json

        from users.models import ObjectPermission

        merged = {}
        for name, constraints in settings.REMOTE_AUTH_DEFAULT_PERMISSIONS.items():
            try:
                content_type, actions = resolve_permission_name(name)
            except ValueError as exc:
                logger.error('%s', exc)
                continue
            key = (content_type.pk, json.dumps(constraints, sort_keys=True))
            entry = merged.setdefault(key, {'content_type': content_type, 'constraints': constraints,
                                            'actions': []})
            entry['actions'] += [action for action in actions if action not in entry['actions']]
        for entry in merged.values():
            content_type = entry['content_type']
            permission = ObjectPermission.objects.create(
                name=f'{user.username}: {content_type.app_label}.{content_type.model} (remote default)'[:100],
                actions=entry['actions'], constraints=entry['constraints'] or None,
            )
            permission.object_types.add(content_type)
            permission.users.add(user)

    def has_perm(self, user_obj, perm, obj=None):
        return False


# --- LDAP ---------------------------------------------------------------------------------------------------------

def _tls_options(ldap):
    """Connection options from LDAP_IGNORE_CERT_ERRORS, LDAP_CA_CERT_DIR and LDAP_CA_CERT_FILE."""
    options = {}
    if getattr(settings, 'LDAP_IGNORE_CERT_ERRORS', False):
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_NEVER
    if getattr(settings, 'LDAP_CA_CERT_DIR', None):
        options[ldap.OPT_X_TLS_CACERTDIR] = settings.LDAP_CA_CERT_DIR
    if getattr(settings, 'LDAP_CA_CERT_FILE', None):
        options[ldap.OPT_X_TLS_CACERTFILE] = settings.LDAP_CA_CERT_FILE
    return options


try:
    import ldap
    from django_auth_ldap.backend import LDAPBackend as _DjangoLDAPBackend
    from django_auth_ldap.config import LDAPSettings
except ImportError as exc:  # python-ldap compiles against libldap; say what is missing
    ldap = None
    _LDAP_MISSING = str(exc)

    class LDAPBackend:
        """Stands in when django-auth-ldap or python-ldap is not installed."""

        def __init__(self, *args, **kwargs):
            raise ImproperlyConfigured(
                f'netbox.authentication.LDAPBackend needs django-auth-ldap and python-ldap: {_LDAP_MISSING}')
else:
    class LDAPBackend(_DjangoLDAPBackend):
        """
        django-auth-ldap, configured by the AUTH_LDAP_* settings that settings.py reads from ldap_config.py (beside
        configuration.py). Differences from the stock backend: mirrored groups are NetBox's users.Group, TLS
        certificate options come from LDAP_IGNORE_CERT_ERRORS / LDAP_CA_CERT_DIR / LDAP_CA_CERT_FILE, inactive
        users are refused, and permissions come from ObjectPermissions (AUTH_LDAP_FIND_GROUP_PERMS adds those of
        the NetBox groups named like the user's directory groups; see directory_group_names()).
        """

        mirror_groups = None
        mirror_groups_except = None

        @property
        def settings(self):
            if self._settings is None:
                ldap_settings = LDAPSettings(self.settings_prefix, self.default_settings)
                # Mirroring is done here, into users.Group; django-auth-ldap would write django.contrib.auth's Group.
                self.mirror_groups = ldap_settings.MIRROR_GROUPS
                self.mirror_groups_except = ldap_settings.MIRROR_GROUPS_EXCEPT
                ldap_settings.MIRROR_GROUPS = ldap_settings.MIRROR_GROUPS_EXCEPT = None
                tls = _tls_options(ldap)
                if tls:
                    # A new TLS context must be requested last, after the certificate options it should use.
                    ldap_settings.CONNECTION_OPTIONS = {**ldap_settings.CONNECTION_OPTIONS, **tls,
                                                        ldap.OPT_X_TLS_NEWCTX: 0}
                self._settings = ldap_settings
            return self._settings

        @settings.setter
        def settings(self, value):
            self._settings = value

        def authenticate_ldap_user(self, ldap_user, password):
            user = ldap_user.authenticate(password)
            if user is None:
                return None
            if not user.is_active:
                login_logger.warning('LDAP login refused for "%s": the account is inactive.', user.username)
                return None
            try:
                self.mirror_user_groups(user, ldap_user)
            except ldap.LDAPError as exc:
                login_logger.error('LDAP login refused for "%s": groups could not be read (%s).', user.username, exc)
                return None
            return user

        def mirror_user_groups(self, user, ldap_user):
            mirror, excepted = self.mirror_groups, self.mirror_groups_except
            if not mirror and not excepted:
                return
            from users.models import Group

            target = {name for name in ldap_user.group_names if name}
            current = set(user.groups.values_list('name', flat=True))
            if excepted:
                excepted = set(excepted)
                target = (target - excepted) | (current & excepted)
            elif not isinstance(mirror, bool):
                mirror = set(mirror)
                target = (target & mirror) | (current - mirror)
            if target != current:
                user.groups.set([Group.objects.get_or_create(name=name)[0] for name in sorted(target)])

        # Permissions are ObjectPermissions, answered by ObjectPermissionBackend.
        def has_perm(self, user, perm, obj=None):
            return False

        def has_module_perms(self, user, app_label):
            return False

        def get_all_permissions(self, user, obj=None):
            return set()

        def get_group_permissions(self, user, obj=None):
            return set()


def directory_group_names(user):
    """The LDAP group names of a user signed in through LDAP when AUTH_LDAP_FIND_GROUP_PERMS is on, else ()."""
    ldap_user = getattr(user, 'ldap_user', None)
    if ldap_user is None or not ldap_user.settings.FIND_GROUP_PERMS:
        return ()
    try:
        return tuple(ldap_user.group_names)
    except Exception as exc:  # an unreachable directory must not break every page: no group permissions then
        logger.error('LDAP group lookup for "%s" failed: %s', user.username, exc)
        return ()


# --- Login attempts -----------------------------------------------------------------------------------------------

def client_address(request):
    from .api.authentication import client_ip

    return (client_ip(request) if request is not None else None) or 'unknown'


def _failure_keys(request, username):
    digest = hashlib.sha256(str(username or '').strip().lower().encode()).hexdigest()[:32]
    keys = []
    if settings.LOGIN_ATTEMPTS_PER_USER and username:
        keys.append((f'login-failures:user:{digest}', settings.LOGIN_ATTEMPTS_PER_USER))
    if settings.LOGIN_ATTEMPTS_PER_IP and request is not None:
        keys.append((f'login-failures:ip:{client_address(request)}', settings.LOGIN_ATTEMPTS_PER_IP))
    return keys


def login_blocked(request, username):
    """Whether password logins for `username` or from the request's address are refused for now."""
    keys = _failure_keys(request, username)
    if not keys:
        return False
    counts = cache.get_many([key for key, _ in keys])
    return any(counts.get(key, 0) >= limit for key, limit in keys)


def throttle_message():
    minutes = max(1, round(settings.LOGIN_ATTEMPTS_WINDOW / 60))
    return (f'Too many failed login attempts for this account or from this address. '
            f'Try again in {minutes} minute{"s" if minutes != 1 else ""}.')


def record_login_failure(sender, credentials, request=None, **kwargs):
    """user_login_failed: log the attempt (never the password) and count it against the user and address."""
    username = credentials.get('username')
    if username is None:
        return
    login_logger.warning('Failed login for user "%s" from %s', username, client_address(request))
    for key, _ in _failure_keys(request, username):
        cache.add(key, 0, settings.LOGIN_ATTEMPTS_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, settings.LOGIN_ATTEMPTS_WINDOW)


def clear_login_failures(sender, request, user, **kwargs):
    """user_logged_in: a successful login forgets that user's failures (not the address's)."""
    if settings.LOGIN_ATTEMPTS_PER_USER:
        digest = hashlib.sha256(user.get_username().strip().lower().encode()).hexdigest()[:32]
        cache.delete(f'login-failures:user:{digest}')


class LoginThrottleBackend:
    """First backend: stops password authentication (UI, admin, token provisioning, LDAP) while throttled."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and password is not None and login_blocked(request, username):
            login_logger.warning('Login for user "%s" from %s refused: too many failed attempts.', username,
                                 client_address(request))
            if request is not None:
                request.login_throttled = True
            raise PermissionDenied(throttle_message())
        return None

    # No get_user(): this backend never logs anyone in, so sessions (and force_login, which takes the first
    # backend that has one) never name it.


def update_last_login_unless_maintenance(sender, user, **kwargs):
    """Django's update_last_login, skipped while MAINTENANCE_MODE is on."""
    from django.contrib.auth.models import update_last_login

    from .dynamic_config import get_config

    if not get_config().MAINTENANCE_MODE:
        update_last_login(sender, user, **kwargs)
