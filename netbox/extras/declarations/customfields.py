"""How tags, custom fields and custom field choice sets are exposed."""
import django_filters
from django.db.models import Q
from rest_framework import serializers

from netbox.filtersets import ContentTypeFilter, MultiValueNumberFilter, NoMatchFilter
from netbox.graphql.specs import Constant
from netbox.registry import Counter, Declaration, declare

from ..api import ChoiceSetChoicesView
from ..models import CustomField, CustomFieldChoiceSet, Tag


def _choice_filter(queryset, name, value):
    return queryset.filter(Q(extra_choices__contains=[[value]]) | Q(extra_choices__icontains=value))


@declare
class TagDeclaration(Declaration):
    model = Tag
    fields = ('name', 'slug', 'color', 'description', 'weight', 'object_types', 'tagged_items', 'created',
              'last_updated')
    counts = {'tagged_items': Counter('extras.TaggedItem', 'tag')}
    graphql_fields = {'owner': Constant(None, 'OwnerType')}  # our tags have no owner
    brief = ('name', 'slug', 'color', 'description')
    filters = ('name', 'slug', 'color', 'description', 'weight', 'object_types', 'created', 'last_updated')
    filter_exclude = ('object_types_id',)
    extra_filters = {
        'content_type': ContentTypeFilter(field_name='extras_taggeditem_items__content_type', distinct=True),
        'content_type_id': MultiValueNumberFilter(field_name='extras_taggeditem_items__content_type',
                                                  lookup_expr='exact', distinct=True),
        'for_object_type_id': django_filters.NumberFilter(
            method=lambda qs, name, value: qs.filter(Q(object_types=value) | Q(object_types__isnull=True))),
        # Tags have no owner; the owner filters are offered as NetBox offers them and match no tag.
        **{f'{name}{suffix}': NoMatchFilter(field_name=name, lookup_expr='exact', exclude=bool(suffix))
           for name in ('owner', 'owner_id', 'owner_group', 'owner_group_id') for suffix in ('', '__n')},
    }
    search = ('name', 'slug', 'description')
    table = ('name', 'slug', 'color', 'description', 'weight')
    menu = ('Customization', 'Tags')


@declare
class CustomFieldChoiceSetDeclaration(Declaration):
    model = CustomFieldChoiceSet
    filter_by_name = True
    fields = ('name', 'description', 'base_choices', 'extra_choices', 'choice_colors', 'order_alphabetically',
              'choices_count', 'owner', 'created', 'last_updated')
    serializer_fields = {'choices_count': serializers.IntegerField(read_only=True)}
    brief = ('name', 'description', 'choices_count')
    extra_filters = {
        'choice': django_filters.CharFilter(method=lambda qs, name, value: _choice_filter(qs, name, value)),
        # Sets that give the choice value named a colour.
        'choice_colors': django_filters.CharFilter(field_name='choice_colors', lookup_expr='has_key'),
    }
    api_routes = (('<int:pk>/choices/', ChoiceSetChoicesView.as_view(), 'choices'),)
    search = ('name', 'description')
    menu = ('Customization', 'Custom fields')


@declare
class CustomFieldDeclaration(Declaration):
    model = CustomField
    fields = ('object_types', 'type', 'related_object_type', 'data_type', 'name', 'label', 'group_name',
              'description', 'required', 'unique', 'search_weight', 'filter_logic', 'ui_visible', 'ui_editable',
              'is_cloneable', 'nulls_first', 'default', 'related_object_filter', 'weight', 'validation_minimum',
              'validation_maximum', 'validation_regex', 'validation_schema', 'choice_set', 'status', 'owner',
              'comments', 'created', 'last_updated')
    serializer_fields = {'data_type': serializers.CharField(read_only=True)}
    brief = ('name', 'description')
    filters = ('type', 'related_object_type', 'name', 'label', 'group_name', 'description', 'required', 'unique',
               'search_weight', 'filter_logic', 'ui_visible', 'ui_editable', 'is_cloneable', 'nulls_first', 'weight',
               'validation_minimum', 'validation_maximum', 'validation_regex', 'choice_set', 'status', 'owner',
               'created', 'last_updated')
    extra_filters = {
        'object_type': ContentTypeFilter(field_name='object_types', distinct=True),
        'object_type_id': MultiValueNumberFilter(field_name='object_types', lookup_expr='exact', distinct=True),
    }
    search = ('name', 'label', 'description', 'group_name')
    table = ('name', 'label', 'type', 'object_types', 'required', 'weight')
    menu = ('Customization', 'Custom fields')
