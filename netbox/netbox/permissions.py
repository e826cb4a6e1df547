"""
Object permissions: which objects a user may view, add, change, delete or run custom actions on.

A permission grants actions on object types, optionally limited by constraints: a dict (every lookup must hold) or a
list of dicts (any may hold). Permissions combine with OR. The token `$user` in a constraint stands for the requesting
user's id. DEFAULT_PERMISSIONS apply to every authenticated user.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

USER_TOKEN = '$user'
# Models that EXEMPT_VIEW_PERMISSIONS = ['*'] never exempts; they must be listed by name.
SENSITIVE_APPS = ('users',)


def perm_name(model, action):
    return f'{model._meta.app_label}.{action}_{model._meta.model_name}'


def is_exempt_from_view(model):
    exempt = settings.EXEMPT_VIEW_PERMISSIONS
    label = f'{model._meta.app_label}.{model._meta.model_name}'
    if label in exempt:
        return True
    return '*' in exempt and model._meta.app_label not in SENSITIVE_APPS


def _substitute_tokens(value, user):
    if isinstance(value, dict):
        return {key: _substitute_tokens(item, user) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_substitute_tokens(item, user) for item in value]
    return user.pk if value == USER_TOKEN else value


def constraints_to_q(constraints, user):
    """One permission's constraints as a Q; None when it does not constrain at all."""
    if not constraints:
        return None
    constraints = _substitute_tokens(constraints, user)
    sets = constraints if isinstance(constraints, list) else [constraints]
    condition = Q()
    for constraint_set in sets:
        if not constraint_set:
            return None
        condition |= Q(**constraint_set)
    return condition


def user_permissions(user):
    """{'app.action_model': [constraints, ...]} for every permission the user holds, cached on the user object."""
    cached = getattr(user, '_object_perm_cache', None)
    if cached is not None:
        return cached
    perms = {}
    if user.is_authenticated and user.is_active:
        from users.models import ObjectPermission

        from .authentication import directory_group_names

        holders = Q(users=user) | Q(groups__users=user)
        directory_groups = directory_group_names(user)  # AUTH_LDAP_FIND_GROUP_PERMS
        if directory_groups:
            holders |= Q(groups__name__in=directory_groups)
        permissions = (
            ObjectPermission.objects.filter(enabled=True)
            .filter(holders)
            .distinct()
            .prefetch_related('object_types')
        )
        for permission in permissions:
            for object_type in permission.object_types.all():
                for action in permission.actions:
                    name = f'{object_type.app_label}.{action}_{object_type.model}'
                    perms.setdefault(name, []).append(permission.constraints)
        for name, constraint_sets in settings.DEFAULT_PERMISSIONS.items():
            for constraints in constraint_sets or (None,):
                perms.setdefault(name, []).append(constraints)
    user._object_perm_cache = perms
    return perms


def permission_q(user, model, action):
    """
    The condition limiting `action` on `model` for `user`: None for no limit, False for nothing at all, or a Q.
    """
    if user is not None and getattr(user, 'is_superuser', False) and user.is_active:
        return None
    if action == 'view' and is_exempt_from_view(model):
        return None
    if user is None or not user.is_authenticated:
        return False
    granted = user_permissions(user).get(perm_name(model, action))
    if not granted:
        return False
    condition = Q()
    for constraints in granted:
        q = constraints_to_q(constraints, user)
        if q is None:
            return None
        condition |= q
    return condition


def has_permission(user, model, action):
    """Whether the user holds `action` on `model` for at least some objects."""
    return permission_q(user, model, action) is not False


def object_permitted(user, obj, action):
    """Whether `obj` (saved) lies inside what the user may `action`."""
    return not objects_refused(user, [obj], action)


def objects_refused(user, objects, action):
    """Those of `objects` (saved, of one model) that lie outside what the user may `action`: one query for all."""
    objects = list(objects)
    if not objects:
        return []
    model = type(objects[0])
    condition = permission_q(user, model, action)
    if condition is None:
        return []
    if condition is False:
        return objects
    allowed = set(model._default_manager.filter(pk__in=[obj.pk for obj in objects]).filter(condition)
                  .values_list('pk', flat=True))
    return [obj for obj in objects if obj.pk not in allowed]


# Code acting for a user (a script run): its writes are held to that user's permissions.

_acting_user = ContextVar('acting_user', default=None)


class PermissionViolation(Exception):
    """A write made while acting for a user (`acting_as`) that the user's permissions do not allow."""


@contextmanager
def acting_as(user):
    """Inside the block every save and delete of a change-logged object is checked against `user`'s object
    permissions (constraints included): the object before a change must be one the user may change, after it (or
    once added) one the user may change (add), and a deleted one one the user may delete. A write outside them
    raises PermissionViolation, which rolls the enclosing transaction back. `None` checks nothing (the shell)."""
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)


def _check(instances, action, stored=True):
    user = _acting_user.get()
    if user is None or not instances:
        return
    refused = objects_refused(user, instances, action) if stored else []
    if refused:
        obj = refused[0]
        raise PermissionViolation(f'{user} may not {action} {obj._meta.verbose_name} "{obj}" (permission '
                                  f'{perm_name(type(obj), action)}).')


def _change_logged(sender):
    from .models import ChangeLoggedModel

    return isinstance(sender, type) and issubclass(sender, ChangeLoggedModel)


@receiver(pre_save, dispatch_uid='permissions_acting_pre_save')
def _check_before_change(sender, instance, raw=False, **kwargs):
    # The stored object (its state before the change) must be one the user may change.
    if raw or _acting_user.get() is None or not _change_logged(sender) or instance.pk is None \
            or instance._state.adding:
        return
    _check([instance], 'change')


@receiver(post_save, dispatch_uid='permissions_acting_post_save')
def _check_after_save(sender, instance, created, raw=False, **kwargs):
    if raw or _acting_user.get() is None or not _change_logged(sender):
        return
    _check([instance], 'add' if created else 'change')


@receiver(pre_delete, dispatch_uid='permissions_acting_pre_delete')
def _check_before_delete(sender, instance, **kwargs):
    if _acting_user.get() is None or not _change_logged(sender):
        return
    _check([instance], 'delete')


def check_acting_writes(instances, created):
    """The check of `acting_as` for objects saved set-wise (without signals)."""
    instances = [obj for obj in instances if _change_logged(type(obj))]
    _check(instances, 'add' if created else 'change')
