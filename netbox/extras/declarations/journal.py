"""How journal entries are exposed: their REST endpoints, filters, list pages, and the Journal tab that every
journaled object's page gets (netbox.ui.tabs.register_object_tab)."""
import django_filters
from rest_framework import serializers

from netbox.filtersets import MultiValueCharFilter, MultiValueNumberFilter
from netbox.registry import Declaration, declare
from netbox.ui.tabs import register_object_tab
from users.models import User

from ..models import JournalEntry, journaled
from ..ui import JournalTabView


@declare
class JournalEntryDeclaration(Declaration):
    model = JournalEntry
    fields = ('assigned_object_type', 'assigned_object_id', 'assigned_object', 'created', 'created_by', 'kind',
              'comments')
    brief = ('created',)
    serializer_fields = {
        # An ID, as NetBox serves it; the requesting user unless given.
        'created_by': serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True,
                                                         required=False, default=serializers.CurrentUserDefault()),
    }
    select_related = ('assigned_object_type',)
    form_exclude = ('created_by',)
    filters = ('assigned_object_type', 'assigned_object_id', 'kind', 'last_updated')
    filter_lookups = {'kind': 'str'}
    filter_exclude = ('created',)
    extra_filters = {
        'created_after': django_filters.IsoDateTimeFilter(field_name='created', lookup_expr='gte'),
        'created_before': django_filters.IsoDateTimeFilter(field_name='created', lookup_expr='lte'),
        'created_by': MultiValueCharFilter(field_name='created_by__username', lookup_expr='exact'),
        'created_by__n': MultiValueCharFilter(field_name='created_by__username', lookup_expr='exact', exclude=True),
        'created_by_id': MultiValueNumberFilter(field_name='created_by', lookup_expr='exact'),
        'created_by_id__n': MultiValueNumberFilter(field_name='created_by', lookup_expr='exact', exclude=True),
    }
    search = ('comments',)
    table = ('created', 'created_by', 'assigned_object_type', 'assigned_object', 'kind', 'comments')
    menu = ('Operations', 'Logging')


register_object_tab('<int:pk>/journal/', JournalTabView, 'journal', lambda declaration: journaled(declaration.model))
