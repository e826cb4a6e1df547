"""
NetBox's model view registration, as plugins use it: `register_model_view()` records a view for a model (in the
registry's 'views' store) and `ViewTab` makes a detail view a tab of the object's page.

    @register_model_view(Gizmo, 'notes', path='notes')
    class GizmoNotesView(generic.ObjectView):
        queryset = Gizmo.objects.all()
        tab = ViewTab(label='Notes', badge=lambda obj: len(obj.comments), hide_if_empty=True)

A plugin's own model gets the views through utilities.urls.get_model_urls() in its urls.py; a view registered for
one of our models is served under that model's pages (/dcim/devices/<pk>/<path>/, URL name 'dcim:device_<name>')
and its tab shown on the object's pages.
"""
from django.apps import apps

from netbox.registry import registry

__all__ = ('ViewTab', 'register_model_view')


class ViewTab:
    """
    The tab of an object's page that a registered detail view shows.

    label: the tab's text; badge: a value, or a callable given the object, shown beside the label; weight: the
    order among registered tabs (lower first); permission: '<app>.<action>_<model>' the user must hold for the tab
    to be offered; hide_if_empty: no tab when the badge is empty (0, None, '').
    """

    def __init__(self, label, badge=None, weight=1000, permission=None, hide_if_empty=False):
        self.label = label
        self.badge = badge
        self.weight = weight
        self.permission = permission
        self.hide_if_empty = hide_if_empty

    def render(self, instance):
        """{'label', 'badge', 'weight'} of the tab on `instance`'s page, or None when it is hidden (empty)."""
        badge = self.badge(instance) if callable(self.badge) else self.badge
        if self.hide_if_empty and not badge:
            return None
        return {'label': str(self.label), 'badge': badge, 'weight': self.weight}

    def allowed(self, user):
        """Whether `user` holds the tab's permission (when it names one)."""
        if not self.permission:
            return True
        from netbox.permissions import has_permission

        app_label, _, codename = self.permission.partition('.')
        action, _, model_name = codename.partition('_')
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return bool(user.has_perm(self.permission))
        return has_permission(user, model, action)


def register_model_view(model, name='', path=None, detail=True, kwargs=None):
    """
    Class decorator: register the view for `model` under `name` (its URL name is '<model>_<name>', or '<model>'
    when `name` is empty), at `path` (default: `name`) below the object's URL (`detail`) or the model's list URL,
    with `kwargs` passed to the view.
    """
    def decorator(view):
        opts = model._meta
        entries = registry['views'].setdefault(opts.app_label, {}).setdefault(opts.model_name, [])
        entries.append({
            'name': name,
            'view': view,
            'path': path if path is not None else name,
            'detail': detail,
            'kwargs': dict(kwargs or {}),
        })
        return view

    return decorator
