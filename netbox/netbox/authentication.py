"""Authentication backends: object permissions for local users, plus remote (header) and LDAP users."""
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.backends import RemoteUserBackend as DjangoRemoteUserBackend

from .permissions import permission_q, user_permissions


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


class RemoteUserBackend(DjangoRemoteUserBackend):
    """Users named by a trusted HTTP header (REMOTE_AUTH_HEADER), created on first sight when allowed."""

    @property
    def create_unknown_user(self):
        return settings.REMOTE_AUTH_AUTO_CREATE_USER

    def configure_user(self, request, user, created=True):
        if created:
            from users.models import Group

            for name in settings.REMOTE_AUTH_DEFAULT_GROUPS:
                group, _ = Group.objects.get_or_create(name=name) if settings.REMOTE_AUTH_AUTO_CREATE_GROUPS else (
                    Group.objects.filter(name=name).first(), False)
                if group is not None:
                    user.groups.add(group)
        if user.username in settings.REMOTE_AUTH_SUPERUSERS:
            user.is_superuser = user.is_staff = True
            user.save()
        return user

    def has_perm(self, user_obj, perm, obj=None):
        return False


class LDAPBackend:
    """django-auth-ldap's backend, configured from AUTH_LDAP_* settings in configuration.py."""

    def __new__(cls, *args, **kwargs):
        from django_auth_ldap.backend import LDAPBackend as Backend

        return Backend(*args, **kwargs)
