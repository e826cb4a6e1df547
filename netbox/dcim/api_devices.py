"""Device API routes beyond the derived ones."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.schema import ERROR_RESPONSE_SCHEMA

from .models import Device


class RenderConfigView(APIView):
    """
    POST devices/<id>/render-config/: render the device's configuration template. Configuration templates arrive
    with a later feature, so no device has one yet and the answer is a 400 saying so.
    """

    permission_model = Device
    permission_action = 'view'

    def get_view_name(self):
        return 'Device Render Config'

    @extend_schema(request={'application/json': {'type': 'object', 'properties': {
        'config_template_id': {'type': 'integer'}}}}, responses={400: ERROR_RESPONSE_SCHEMA})
    def post(self, request, pk):
        device = get_object_or_404(Device.objects.restrict(request.user, 'view'), pk=pk)
        return Response({'detail': f'{device} has no configuration template to render: configuration templates '
                                   'are not available in this version.'}, status=status.HTTP_400_BAD_REQUEST)
