"""Device API routes and fields beyond the derived ones (render-config, primary IPs, site ASNs, counters)."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from extras.api import RENDER_RENDERERS, render_config_response, request_context
from netbox.api.fields import NestedRelatedField
from netbox.api.schema import ERROR_RESPONSE_SCHEMA
from netbox.registry import Counter

from .models import Device


class RenderConfigView(APIView):
    """
    POST devices/<id>/render-config/ (virtual-machines/<id>/... likewise): the object's configuration template (its
    own, else its role's, else its platform's) rendered with its configuration context, the request body and the
    object itself as `device` (`virtualmachine`).
    """

    model = Device
    object_name = 'device'
    permission_action = 'view'

    renderer_classes = RENDER_RENDERERS

    @property
    def permission_model(self):
        return self.model

    def get_view_name(self):
        return f'{self.model._meta.verbose_name.title()} Render Config'

    @extend_schema(request={'application/json': {'type': 'object', 'additionalProperties': True}},
                   responses={200: {'type': 'object', 'properties': {'configtemplate': {'type': 'object'},
                                                                     'content': {'type': 'string'}}},
                              400: ERROR_RESPONSE_SCHEMA})
    def post(self, request, pk):
        obj = get_object_or_404(self.model.objects.restrict(request.user, 'view').select_related(
            'config_template', 'role__config_template', 'platform__config_template'), pk=pk)
        config_template = obj.get_config_template()
        if config_template is None:
            return Response({'detail': f'{obj} has no configuration template: assign one to the '
                                       f'{self.model._meta.verbose_name}, its role or its platform.'},
                            status=status.HTTP_400_BAD_REQUEST)
        context = device_config_context(obj)
        context.update(request_context(request))
        context[self.object_name] = obj
        return render_config_response(request, config_template, context)


def device_config_context(obj):
    """A copy of a device's (or VM's) configuration context, to render a template with."""
    import copy

    return copy.deepcopy(obj.get_config_context())


def primary_ip_field():
    """`primary_ip` of devices and VDCs: read-only, the preferred one of primary_ip4 and primary_ip6."""
    from ipam.models import IPAddress

    return NestedRelatedField(related_model=IPAddress, read_only=True, allow_null=True)


def asns_field():
    """A site's ASNs (ipam.ASN.sites seen from the site), nested, written as a list of IDs."""
    from ipam.models import ASN

    return NestedRelatedField(related_model=ASN, many=True, required=False)


def ip_select_related(*names):
    """Joins for IP address fields shown nested (the address' NAT inside address is nested in it)."""
    out = []
    for name in names:
        out += [name, f'{name}__nat_inside']
    return tuple(out)


def ip_prefetch_related(*names):
    """The NAT outside addresses of IP address fields shown nested, fetched once per page."""
    return tuple(f'{name}__nat_outside' for name in names)


# Interface counters: addresses and FHRP group assignments through their generic relations.
INTERFACE_COUNTS = {
    'count_ipaddresses': Counter('ipam.IPAddress', 'assigned_object_id', where={
        'assigned_object_type__app_label': 'dcim', 'assigned_object_type__model': 'interface'}),
    'count_fhrp_groups': Counter('ipam.FHRPGroupAssignment', 'interface_id', where={
        'interface_type__app_label': 'dcim', 'interface_type__model': 'interface'}),
}
