"""The extras app's API pieces beyond the derived ones: the choices of a custom field choice set, rendering
configuration templates, the image field of image attachments, and the user's dashboard."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from netbox.api.authentication import TokenPermissions
from netbox.api.renderers import FastJSONRenderer, FormlessBrowsableAPIRenderer, PlainTextRenderer
from netbox.api.schema import ERROR_RESPONSE_SCHEMA, paginated

from .models import ConfigTemplate, CustomFieldChoiceSet
from .models.attachments import validate_image


class ImageFileField(serializers.FileField):
    """An uploaded image (multipart `image`), checked by Pillow and against IMAGE_ATTACHMENT_MAX_SIZE; served as
    the file's absolute URL."""

    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        try:
            validate_image(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages)
        return upload


class ChoiceSetChoicesView(APIView):
    """GET custom-field-choice-sets/<id>/choices/: the set's [value, label] pairs, paged, searchable with `q`."""

    permission_model = CustomFieldChoiceSet

    def get_view_name(self):
        return 'Custom Field Choice Set Choices'

    @extend_schema(
        parameters=[OpenApiParameter('q', str, description='Only pairs whose value or label contains this.'),
                    OpenApiParameter('limit', int), OpenApiParameter('offset', int)],
        responses={200: paginated({'type': 'array', 'items': {'type': 'string'}, 'minItems': 2, 'maxItems': 2})})
    def get(self, request, pk):
        choice_set = get_object_or_404(CustomFieldChoiceSet.objects.restrict(request.user, 'view'), pk=pk)
        query = request.query_params.get('q', '').strip().lower()
        pairs = [[value, label] for value, label in choice_set.choices
                 if not query or query in value.lower() or query in label.lower()]
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(pairs, request, view=self)
        return paginator.get_paginated_response(page)


def render_config_response(request, config_template, context):
    """The answer to a render request: the text alone for clients that accept text/plain (as a file download when
    the template says so), else JSON with the template (nested) and the rendered `content`. A template that fails
    is a 400 saying why."""
    from netbox.api.fields import nested_representation

    from .rendering import RenderError

    try:
        output = config_template.render(context)
    except RenderError as error:
        body = {'detail': error.message}
        if config_template.debug and error.line is not None:
            body['line'] = error.line
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if getattr(request.accepted_renderer, 'format', None) == 'txt':
        response = Response(output, content_type=config_template.mime_type or 'text/plain')
        if config_template.as_attachment:
            name = config_template.file_name or config_template.name
            if config_template.file_extension:
                name = f'{name}.{config_template.file_extension}'
            response['Content-Disposition'] = f'attachment; filename="{name}"'
        return response
    return Response({'configtemplate': nested_representation(config_template, {'request': request}), 'content': output})


def request_context(request):
    """The request body as template context: a JSON object (an empty body is no data)."""
    data = request.data
    if data in (None, '') or (hasattr(data, 'dict') and not data):
        return {}
    if hasattr(data, 'dict'):
        data = data.dict()
    if not isinstance(data, dict):
        raise ValidationError({'detail': 'Give the context data as a JSON object.'})
    return dict(data)


RENDER_RENDERERS = (FastJSONRenderer, PlainTextRenderer, FormlessBrowsableAPIRenderer)
RENDER_SCHEMA = {'request': {'application/json': {'type': 'object', 'additionalProperties': True}},
                 'responses': {200: {'type': 'object', 'properties': {'configtemplate': {'type': 'object'},
                                                                      'content': {'type': 'string'}}},
                               400: ERROR_RESPONSE_SCHEMA}}


class ConfigTemplateRenderView(APIView):
    """POST config-templates/<id>/render/: the template rendered with the request body as its context."""

    permission_model = ConfigTemplate
    permission_action = 'view'
    renderer_classes = RENDER_RENDERERS

    def get_view_name(self):
        return 'Config Template Render'

    @extend_schema(**RENDER_SCHEMA)
    def post(self, request, pk):
        config_template = get_object_or_404(ConfigTemplate.objects.restrict(request.user, 'view'), pk=pk)
        return render_config_response(request, config_template, request_context(request))


DASHBOARD_SCHEMA = {'type': 'object', 'properties': {'layout': {}, 'config': {}}}


class DashboardView(APIView):
    """GET/PUT/PATCH/DELETE /api/extras/dashboard/: the requesting user's dashboard (layout and widget config).
    PUT and PATCH set the keys given; DELETE returns the dashboard to the default one."""

    permission_classes = (TokenPermissions, IsAuthenticated)

    def get_view_name(self):
        return 'Dashboard'

    @staticmethod
    def body(dashboard):
        return {'layout': dashboard.layout, 'config': dashboard.config}

    @extend_schema(responses={200: DASHBOARD_SCHEMA})
    def get(self, request):
        from .models import Dashboard

        return Response(self.body(Dashboard.for_user(request.user)))

    def _write(self, request, partial):
        from .models import Dashboard

        data = request.data
        if not isinstance(data, dict):
            raise ValidationError({'detail': 'Give the dashboard as a JSON object with "layout" and "config".'})
        errors = {}
        if 'layout' in data and not (isinstance(data['layout'], list) and
                                     all(isinstance(item, dict) for item in data['layout'])):
            errors['layout'] = ['Give the layout as a list of objects ({"id", "x", "y", "w", "h"}).']
        if 'config' in data and not isinstance(data['config'], dict):
            errors['config'] = ['Give the widget configuration as a JSON object keyed by widget ID.']
        if not partial:
            errors.update({name: ['This field is required.'] for name in ('layout', 'config') if name not in data})
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            dashboard = Dashboard.for_user(request.user)
            dashboard = Dashboard.objects.select_for_update().get(pk=dashboard.pk)
            for name in ('layout', 'config'):
                if name in data:
                    setattr(dashboard, name, data[name])
            dashboard.save()
        return Response(self.body(dashboard))

    @extend_schema(request={'application/json': DASHBOARD_SCHEMA}, responses={200: DASHBOARD_SCHEMA})
    def put(self, request):
        return self._write(request, partial=False)

    @extend_schema(request={'application/json': DASHBOARD_SCHEMA}, responses={200: DASHBOARD_SCHEMA})
    def patch(self, request):
        return self._write(request, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request):
        from .models import Dashboard

        Dashboard.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
