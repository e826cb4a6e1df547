"""How tag assignments (tagged objects) are exposed: read-only, at /api/extras/tagged-objects/."""
import django_filters
from django.db.models import Q

from netbox.api.fields import ContentTypeField, GenericObjectField
from netbox.filtersets import ContentTypeFilter, MultiValueNumberFilter
from netbox.registry import Declaration, declare

from ..models import TaggedItem


def _search(queryset, name, value):
    value = (value or '').strip()
    if not value:
        return queryset
    return queryset.filter(Q(tag__name__icontains=value) | Q(tag__slug__icontains=value))


@declare
class TaggedItemDeclaration(Declaration):
    model = TaggedItem
    api_name = 'tagged-objects'
    api_methods = ('GET',)
    fields = ('object_type', 'object_id', 'object', 'tag')
    read_only = fields
    exclude = ('display_url',)
    serializer_fields = {
        'object_type': ContentTypeField(source='content_type', read_only=True),
        'object': GenericObjectField(source='content_object'),
    }
    select_related = ('content_type', 'tag')
    brief = ('object_type', 'object_id')
    filters = ('object_id', 'tag')
    extra_filters = {
        'object_type': ContentTypeFilter(field_name='content_type'),
        'object_type__n': ContentTypeFilter(field_name='content_type', exclude=True),
        'object_type_id': MultiValueNumberFilter(field_name='content_type', lookup_expr='exact'),
        'object_type_id__n': MultiValueNumberFilter(field_name='content_type', lookup_expr='exact', exclude=True),
        'q': django_filters.CharFilter(method=_search),
    }
    search = ()
    table = ('tag', 'object_type', 'object_id', 'object')
