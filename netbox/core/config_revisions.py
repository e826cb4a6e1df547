"""Configuration revisions in the UI: a revision's parameters, its differences from the live configuration, restore."""
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect

from netbox.dynamic_config import DYNAMIC_PARAMETERS, get_config
from netbox.permissions import has_permission
from netbox.ui.base import DeclaredView


def shown(value):
    """A parameter's value as text: JSON for structures, so lists and mappings read as they are written."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def revision_parameters(revision):
    """(name, value) of every parameter the revision sets, by name."""
    data = revision.data or {}
    return [(name, shown(data[name])) for name in sorted(data)]


def revision_diff(revision):
    """
    The parameters whose value would change if the revision became the live configuration:
    [{'name', 'current', 'revision', 'overridden'}]. A parameter the revision does not set falls back to its default;
    `overridden` marks one pinned in configuration.py, which a revision cannot change.
    """
    config = get_config()
    data = revision.data or {}
    rows = []
    for name in sorted(DYNAMIC_PARAMETERS):
        current = getattr(config, name)
        candidate = data.get(name, DYNAMIC_PARAMETERS[name])
        if isinstance(current, tuple) or isinstance(candidate, tuple):
            current, candidate = _listed(current), _listed(candidate)
        if current != candidate:
            rows.append({'name': name, 'current': shown(current), 'revision': shown(candidate),
                         'overridden': config.source(name) == 'configuration'})
    return rows


def _listed(value):
    return list(value) if isinstance(value, (list, tuple)) else value


class ConfigRevisionRestoreView(DeclaredView):
    """POST <revision>/restore/: make the revision the live configuration (needs change permission)."""

    action = 'view'

    def setup(self, request, *args, **kwargs):
        from netbox.registry import registry

        super().setup(request, *args, **kwargs)
        self.declaration = registry.get('core.configrevision')

    def get(self, request, pk):
        revision = get_object_or_404(self.model.objects.restrict(request.user, 'view'), pk=pk)
        return redirect(f'{revision.get_absolute_url()}#config-diff')

    def post(self, request, pk):
        if not has_permission(request.user, self.model, 'change'):
            raise PermissionDenied('You do not have permission to restore configuration revisions.')
        revision = get_object_or_404(self.model.objects.restrict(request.user, 'change'), pk=pk)
        with transaction.atomic():
            revision.activate()
        messages.success(request, f'Restored {revision}: it is now the active configuration.')
        return redirect(revision.get_absolute_url())
