"""How saved filters and table configurations are exposed."""
import django_filters
from django.db.models import Q
from rest_framework import serializers

from netbox.filtersets import ContentTypeFilter, MultiValueNumberFilter
from netbox.registry import Declaration, declare
from users.models import User

from ..models import SavedFilter, TableConfig


class UsableFilter(django_filters.BooleanFilter):
    """`usable`: objects the requesting user may apply (enabled, and their own or shared), or with false the rest."""

    def filter(self, qs, value):
        if value is None:
            return qs
        request = getattr(self.parent, 'request', None)
        user = getattr(request, 'user', None)
        mine = Q(user=user) if user is not None and user.is_authenticated else Q(pk__in=[])
        condition = Q(enabled=True) & (Q(shared=True) | mine)
        return qs.filter(condition) if value else qs.exclude(condition)


def _user_field():
    """The owning user as NetBox serves it here: a bare ID."""
    return serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True, required=False)


@declare
class SavedFilterDeclaration(Declaration):
    model = SavedFilter
    fields = ('object_types', 'name', 'slug', 'description', 'user', 'weight', 'enabled', 'shared', 'parameters',
              'owner', 'created', 'last_updated')
    serializer_fields = {'user': _user_field()}
    brief = ('name', 'slug', 'description')
    form_include = ('object_types',)
    filter_exclude = ('object_types', 'object_types_id')
    extra_filters = {
        'object_type': ContentTypeFilter(field_name='object_types', distinct=True),
        'object_type__n': ContentTypeFilter(field_name='object_types', exclude=True),
        'object_type_id': MultiValueNumberFilter(field_name='object_types', lookup_expr='exact', distinct=True),
        'object_type_id__n': MultiValueNumberFilter(field_name='object_types', lookup_expr='exact', exclude=True),
        'usable': UsableFilter(),
    }
    search = ('name', 'slug', 'description')
    table = ('name', 'slug', 'object_types', 'user', 'weight', 'enabled', 'shared', 'description')
    menu = ('Customization', 'Saved filters')


@declare
class TableConfigDeclaration(Declaration):
    model = TableConfig
    fields = ('object_type', 'table', 'name', 'description', 'user', 'weight', 'enabled', 'shared', 'columns',
              'ordering', 'created', 'last_updated')
    serializer_fields = {
        'user': _user_field(),
        'columns': serializers.ListField(child=serializers.CharField(max_length=100), allow_empty=False),
        'ordering': serializers.ListField(child=serializers.CharField(max_length=100), allow_null=True,
                                          required=False),
    }
    brief = ('name', 'description', 'object_type', 'table')
    extra_filters = {'usable': UsableFilter()}
    search = ('name', 'description', 'table')
    table = ('name', 'object_type', 'table', 'user', 'weight', 'enabled', 'shared', 'description')
    menu = ('Customization', 'Table configs')
