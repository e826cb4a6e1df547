"""The extras app's API pieces beyond the derived ones: the choices of a custom field choice set."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from netbox.api.schema import paginated

from .models import CustomFieldChoiceSet


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
