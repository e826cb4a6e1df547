"""Template tags for IPAM panels: {% vlan_group_free_vids object as runs %}."""
from django import template
from django.utils.http import urlencode

from netbox.permissions import has_permission
from netbox.registry import registry
from netbox.ui.base import allows, model_url

from ..models import VLAN
from ..ui import free_vid_runs, vid_run_label

register = template.Library()


@register.simple_tag(takes_context=True)
def vlan_group_free_vids(context, group):
    """[{'label', 'count', 'url'}]: the runs of free VIDs of a VLAN group, each with a link to add a VLAN there
    (VID and group prefilled) when the user may add VLANs."""
    request = context.get('request')
    declaration = registry.get(VLAN)
    add = model_url(declaration, 'add')
    may_add = add and request is not None and allows(declaration, 'add') and \
        has_permission(request.user, VLAN, 'add')
    out = []
    for first, last in free_vid_runs(group):
        url = None
        if may_add:
            url = f'{add}?{urlencode({"vid": first, "group": group.pk, "return_url": request.path})}'
        out.append({'label': vid_run_label(first, last), 'count': last - first + 1, 'url': url})
    return out
