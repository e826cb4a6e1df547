"""
GET /api/dcim/racks/<id>/elevation/: a rack face as a paginated list of units, or as an SVG drawing (render=svg).
"""
from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from netbox.api.fields import nested_representation
from netbox.api.schema import NESTED_ANY, nullable, paginated
from netbox.dynamic_config import get_config
from netbox.registry import registry

from .elevations import FACES, elevation_svg, rack_occupants, unit_rows
from .models import Device, Rack

TRUE = ('1', 'true', 'yes', 'on')
FALSE = ('0', 'false', 'no', 'off')


class SVGRenderer(renderers.BaseRenderer):
    media_type = 'image/svg+xml'
    format = 'svg'
    charset = 'utf-8'

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class RackElevationView(APIView):
    """The units of one rack face, top to bottom, with the device occupying each; or that face drawn as SVG."""

    permission_model = Rack
    renderer_classes = (*api_settings.DEFAULT_RENDERER_CLASSES, SVGRenderer)

    def get_view_name(self):
        return 'Rack Elevation'

    def theme(self, request):
        """?theme=light|dark|system, else the user's ui.colormode (the UI's <object> sends the session)."""
        from users.preferences import COLOR_MODES, color_mode

        theme = request.query_params.get('theme')
        if theme is None:
            return color_mode(request.user)
        if theme not in COLOR_MODES:
            raise ValidationError({'theme': [f'"{theme}" is not a theme: use {", ".join(COLOR_MODES)}.']})
        return theme

    def wants_svg(self, request):
        return request.query_params.get('render', '').lower() == 'svg'

    def perform_content_negotiation(self, request, force=False):
        # The drawing is asked for with render=svg, whatever the Accept header says (an <img> or <object> asks
        # for images, a browser tab for HTML).
        if self.wants_svg(request):
            return SVGRenderer(), SVGRenderer.media_type
        return super().perform_content_negotiation(request, force=force)

    def handle_exception(self, exc):
        # Errors are JSON even when a drawing was asked for.
        if isinstance(getattr(self.request, 'accepted_renderer', None), SVGRenderer):
            self.request.accepted_renderer = renderers.JSONRenderer()
            self.request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        parameters=[
            OpenApiParameter('face', str, enum=list(FACES), description='Which face to show (front by default).'),
            OpenApiParameter('render', str, enum=['json', 'svg'], description='svg draws the face.'),
            OpenApiParameter('exclude', int, description='A device to leave out.'),
            OpenApiParameter('expand_devices', bool), OpenApiParameter('include_images', bool),
            OpenApiParameter('legend', bool),
            *[OpenApiParameter(name, int) for name in ('unit_height', 'unit_width', 'legend_width', 'margin_width')],
            OpenApiParameter('limit', int), OpenApiParameter('offset', int),
        ],
        responses={
            (200, 'application/json'): paginated({'type': 'object', 'properties': {
                'id': {'type': 'integer'}, 'name': {'type': 'string'}, 'face': {'type': 'string'},
                'device': nullable(NESTED_ANY), 'occupied': {'type': 'boolean'}, 'display': {'type': 'string'}}}),
            (200, 'image/svg+xml'): OpenApiResponse({'type': 'string'}, 'The face drawn as SVG (render=svg)'),
        })
    def get(self, request, pk):
        rack = Rack.objects.restrict(request.user, 'view').filter(pk=pk).first()
        if rack is None:
            raise Http404('No rack with this ID that you may view.')
        params = request.query_params
        face = params.get('face') or 'front'
        if face not in FACES:
            raise ValidationError({'face': [f'"{face}" is not a rack face: use front or rear.']})
        exclude = _integer(params, 'exclude', None, minimum=1, maximum=2 ** 63 - 1)
        if self.wants_svg(request):
            config = get_config()
            svg = elevation_svg(
                rack, face, request.user, exclude=exclude,
                unit_height=_integer(params, 'unit_height', config.RACK_ELEVATION_DEFAULT_UNIT_HEIGHT, 4, 200),
                unit_width=_integer(params, 'unit_width', config.RACK_ELEVATION_DEFAULT_UNIT_WIDTH, 40, 2000),
                legend_width=_integer(params, 'legend_width', 30, 0, 500),
                margin_width=_integer(params, 'margin_width', 15, 0, 500),
                legend=_boolean(params, 'legend', False),
                include_images=_boolean(params, 'include_images', True),
                theme=self.theme(request),
            )
            return HttpResponse(svg, content_type='image/svg+xml; charset=utf-8')
        rows = unit_rows(rack, face, rack_occupants(rack, request.user, exclude=exclude),
                         expand_devices=_boolean(params, 'expand_devices', True))
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(rows, request, view=self)
        device_fields = registry.get(Device).brief_fields()
        context = {'request': request}
        results = [{
            'id': unit,
            'name': f'U{unit}',
            'face': face,
            'device': nested_representation(occupant.device, context, fields=device_fields)
            if occupant is not None and occupant.visible else None,
            'occupied': occupied,
            'display': f'U{unit}',
        } for unit, occupant, occupied in page]
        return paginator.get_paginated_response(results)


def _integer(params, name, default, minimum, maximum):
    value = params.get(name)
    if value in (None, ''):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValidationError({name: [f'"{value}" is not a whole number.']})
    if not minimum <= number <= maximum:
        raise ValidationError({name: [f'Give a value from {minimum} to {maximum}.']})
    return number


def _boolean(params, name, default):
    value = params.get(name)
    if value in (None, ''):
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ValidationError({name: [f'"{value}" is not true or false.']})
