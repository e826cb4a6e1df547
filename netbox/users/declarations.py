"""How users, groups, permissions, tokens and owners are exposed."""
import django_filters
from django.db.models import Q
from rest_framework import serializers

from netbox.api.fields import NestedRelatedField
from netbox.filtersets import ContentTypeFilter, MultiValueCharFilter, MultiValueNumberFilter
from netbox.registry import Counter, Declaration, declare

from .api import TOKEN_FIELDS, TokenSerializerBase, UserSerializerBase
from .models import Group, ObjectPermission, Owner, OwnerGroup, Token, User


def _permission_action_filter(action):
    def apply(queryset, name, value):
        condition = Q(actions__contains=[action])
        return queryset.filter(condition) if value else queryset.exclude(condition)
    return django_filters.BooleanFilter(method=apply)


def _permissions_field():
    return NestedRelatedField(related_model=ObjectPermission, source='object_permissions', many=True,
                              required=False, nested_fields=['id', 'url', 'display', 'name', 'enabled',
                                                             'object_types', 'actions', 'description'])


@declare
class UserDeclaration(Declaration):
    model = User
    fields = ('username', 'first_name', 'last_name', 'email', 'is_active', 'date_joined', 'last_login', 'groups',
              'permissions')
    write_only = ('password',)
    serializer_base = UserSerializerBase
    serializer_fields = {'permissions': _permissions_field()}
    prefetch_related = ('groups', 'object_permissions')
    brief = ('username',)
    filters = ('username', 'first_name', 'last_name', 'email', 'is_active', 'is_superuser', 'date_joined',
               'last_login', 'groups')
    extra_filters = {
        'group': MultiValueCharFilter(field_name='groups__name', lookup_expr='exact', distinct=True),
        'group__n': MultiValueCharFilter(field_name='groups__name', lookup_expr='exact', exclude=True),
        'group_id': MultiValueNumberFilter(field_name='groups', lookup_expr='exact', distinct=True),
        'group_id__n': MultiValueNumberFilter(field_name='groups', lookup_expr='exact', exclude=True),
        'permission_id': MultiValueNumberFilter(field_name='object_permissions', lookup_expr='exact', distinct=True),
        'permission_id__n': MultiValueNumberFilter(field_name='object_permissions', lookup_expr='exact',
                                                   exclude=True),
        'owner': MultiValueCharFilter(field_name='owners__name', lookup_expr='exact', distinct=True),
        'owner_id': MultiValueNumberFilter(field_name='owners', lookup_expr='exact', distinct=True),
        'notification_group_id': MultiValueNumberFilter(field_name='notification_groups', lookup_expr='exact',
                                                        distinct=True),
    }
    search = ('username', 'first_name', 'last_name', 'email')
    table = ('username', 'first_name', 'last_name', 'email', 'is_active', 'is_superuser')
    menu = ('Admin', 'Authentication')


@declare
class GroupDeclaration(Declaration):
    model = Group
    fields = ('name', 'description', 'permissions')
    serializer_fields = {'permissions': _permissions_field()}
    prefetch_related = ('object_permissions',)
    brief = ('name', 'description')
    counts = {'user_count': Counter('users.User', 'groups')}
    filters = ('name', 'description')
    extra_filters = {
        'user_id': MultiValueNumberFilter(field_name='users', lookup_expr='exact', distinct=True),
        'user_id__n': MultiValueNumberFilter(field_name='users', lookup_expr='exact', exclude=True),
        'permission_id': MultiValueNumberFilter(field_name='object_permissions', lookup_expr='exact', distinct=True),
        'permission_id__n': MultiValueNumberFilter(field_name='object_permissions', lookup_expr='exact',
                                                   exclude=True),
        'owner': MultiValueCharFilter(field_name='owners__name', lookup_expr='exact', distinct=True),
        'owner_id': MultiValueNumberFilter(field_name='owners', lookup_expr='exact', distinct=True),
        'notification_group_id': MultiValueNumberFilter(field_name='notification_groups', lookup_expr='exact',
                                                        distinct=True),
    }
    search = ('name', 'description')
    menu = ('Admin', 'Authentication')


@declare
class ObjectPermissionDeclaration(Declaration):
    model = ObjectPermission
    api_name = 'permissions'
    fields = ('name', 'description', 'enabled', 'object_types', 'actions', 'constraints', 'groups', 'users')
    brief = ('name', 'description', 'enabled', 'object_types', 'actions')
    filters = ('name', 'description', 'enabled', 'groups', 'users')
    extra_filters = {
        'group': MultiValueCharFilter(field_name='groups__name', lookup_expr='exact', distinct=True),
        'group_id': MultiValueNumberFilter(field_name='groups', lookup_expr='exact', distinct=True),
        'user': MultiValueCharFilter(field_name='users__username', lookup_expr='exact', distinct=True),
        'user_id': MultiValueNumberFilter(field_name='users', lookup_expr='exact', distinct=True),
        'object_type': ContentTypeFilter(field_name='object_types', distinct=True),
        'object_type__n': ContentTypeFilter(field_name='object_types', exclude=True),
        'object_types': MultiValueNumberFilter(field_name='object_types', lookup_expr='exact', distinct=True),
        'object_types__n': MultiValueNumberFilter(field_name='object_types', lookup_expr='exact', exclude=True),
        'object_type_id': MultiValueNumberFilter(field_name='object_types', lookup_expr='exact', distinct=True),
        'object_type_id__n': MultiValueNumberFilter(field_name='object_types', lookup_expr='exact', exclude=True),
        'can_view': _permission_action_filter('view'),
        'can_add': _permission_action_filter('add'),
        'can_change': _permission_action_filter('change'),
        'can_delete': _permission_action_filter('delete'),
    }
    search = ('name', 'description')
    table = ('name', 'enabled', 'object_types', 'actions', 'users', 'groups')
    menu = ('Admin', 'Authentication')


@declare
class TokenDeclaration(Declaration):
    model = Token
    # A token's key never goes into the cached global search index.
    global_search = False
    fields = ('version', 'key', 'user', 'description', 'created', 'expires', 'last_used', 'enabled', 'write_enabled',
              'pepper_id', 'token')
    write_only = ('allowed_ips',)
    read_only = ('key', 'created', 'pepper_id')
    absent_when_null = ('token',)
    serializer_base = TokenSerializerBase
    serializer_fields = {
        **TOKEN_FIELDS,
        # Anyone may name themselves as the owner without being able to list users; the permission
        # re-check after saving decides whether the token may belong to the user named.
        'user': NestedRelatedField(related_model=User, restrict=False, nested_fields=['id', 'url', 'display',
                                                                                     'username']),
        'allowed_ips': serializers.ListField(child=serializers.CharField(), required=False, allow_null=True,
                                             write_only=True),
    }
    brief = ('key', 'write_enabled', 'description')
    filters = ('version', 'key', 'user', 'description', 'created', 'expires', 'last_used', 'enabled',
               'write_enabled', 'pepper_id')
    filter_lookups = {'created': ('gte', 'lte'), 'expires': ('gte', 'lte'), 'last_used': ('gte', 'lte')}
    search = ('key', 'description', 'user__username')
    table = ('user', 'version', 'key', 'write_enabled', 'created', 'expires', 'last_used', 'description')
    menu = ('Admin', 'Authentication')


@declare
class OwnerGroupDeclaration(Declaration):
    model = OwnerGroup
    fields = ('name', 'description', 'member_count')
    filter_by_name = True
    brief = ('name', 'description')
    counts = {'member_count': Counter('users.Owner', 'group')}
    search = ('name', 'description')
    menu = ('Admin', 'Ownership')


@declare
class OwnerDeclaration(Declaration):
    model = Owner
    fields = ('name', 'group', 'description', 'user_groups', 'users')
    filter_by_name = True
    brief = ('name', 'description')
    extra_filters = {
        'user': MultiValueCharFilter(field_name='users__username', lookup_expr='exact', distinct=True),
        'user_id': MultiValueNumberFilter(field_name='users', lookup_expr='exact', distinct=True),
        'user_group': MultiValueCharFilter(field_name='user_groups__name', lookup_expr='exact', distinct=True),
        'user_group_id': MultiValueNumberFilter(field_name='user_groups', lookup_expr='exact', distinct=True),
    }
    search = ('name', 'description')
    menu = ('Admin', 'Ownership')
