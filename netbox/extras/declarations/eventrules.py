"""How event rules are exposed: /api/extras/event-rules/, their filters, list and edit pages."""
import django_filters
from django.apps import apps
from django.db.models import Q
from rest_framework import serializers

from netbox.filtersets import ContentTypeFilter, MultiValueCharFilter, MultiValueNumberFilter
from netbox.registry import Declaration, declare

from ..models import EventRule, NotificationGroup, Script
from ..models.notifications import EVENT_TYPES


def available_condition():
    """Rules whose action object exists (a script's class still in its module)."""
    condition = Q(action_type='script', action_object_id__in=Script.objects.filter(is_executable=True).values('pk'))
    condition |= Q(action_type='notification', action_object_id__in=NotificationGroup.objects.values('pk'))
    try:
        webhook = apps.get_model('extras', 'webhook')
    except LookupError:
        webhook = None
    if webhook is not None:
        condition |= Q(action_type='webhook', action_object_id__in=webhook.objects.values('pk'))
    return condition


class ActionAvailableFilter(django_filters.BooleanFilter):
    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(available_condition()) if value else qs.exclude(available_condition())


class EventTypeFilter(MultiValueCharFilter):
    """`event_type=object_created`: rules handling any of the event types given."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(event_types__overlap=list(value))


@declare
class EventRuleDeclaration(Declaration):
    model = EventRule
    fields = ('object_types', 'name', 'enabled', 'event_types', 'conditions', 'action_type', 'action_object_type',
              'action_object_id', 'action_object', 'action_is_available', 'description',
              'custom_fields', 'owner', 'tags', 'created', 'last_updated')
    bare_choices = ('event_types',)
    serializer_fields = {
        'event_types': serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), allow_empty=False),
        'conditions': serializers.JSONField(required=False, allow_null=True),
        # Given to a script run (its data, with the event) by a script action.
        'action_is_available': serializers.BooleanField(read_only=True),
    }
    brief = ('name', 'description')
    select_related = ('action_object_type',)
    prefetch_related = ('object_types',)
    form_include = ('object_types',)
    filter_exclude = ('object_types', 'object_types_id', 'event_types', 'conditions', 'action_object_type_id')
    filter_lookups = {'action_object_type': 'n', 'action_type': 'str'}
    extra_filters = {
        'object_type': ContentTypeFilter(field_name='object_types', distinct=True),
        'object_type__n': ContentTypeFilter(field_name='object_types', exclude=True),
        'object_type_id': MultiValueNumberFilter(field_name='object_types', lookup_expr='exact', distinct=True),
        'object_type_id__n': MultiValueNumberFilter(field_name='object_types', lookup_expr='exact', exclude=True),
        'event_type': EventTypeFilter(),
        'action_is_available': ActionAvailableFilter(),
    }
    search = ('name', 'description')
    table = ('name', 'enabled', 'object_types', 'event_types', 'action_type', 'action_object', 'description')
    menu = ('Operations', 'Integrations')
