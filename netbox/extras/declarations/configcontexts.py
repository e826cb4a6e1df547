"""How configuration contexts and their profiles are exposed."""

from rest_framework import serializers

from core.api import SyncedDataSyncView
from netbox.filtersets import MultiValueCharFilter, MultiValueNumberFilter
from netbox.graphql.specs import Alias, Constant
from netbox.registry import Declaration, declare

from ..models import ConfigContext, ConfigContextProfile, Tag

SYNC_FIELDS = ('data_source', 'data_path', 'data_file', 'data_synced')
# NetBox does not show auto_sync_enabled on these two (it filters by it): accepted on writes and in the form only.
AUTO_SYNC = {'auto_sync_enabled': serializers.BooleanField(write_only=True, required=False)}


def criteria_filters():
    """NetBox's filters on a context's assignment criteria: {filter base: (field, field matched by name)}; each
    gives `<base>_id` and, with a name field, `<base>` (by slug), both with `__n`. Exact matches: a context assigned
    to a parent region is not listed under its child regions."""
    criteria = {
        'region': ('regions', 'slug'), 'site_group': ('site_groups', 'slug'), 'site': ('sites', 'slug'),
        'location': ('locations', 'slug'), 'device_type': ('device_types', None),
        'device_role': ('roles', 'slug'), 'platform': ('platforms', 'slug'),
        'cluster_type': ('cluster_types', 'slug'), 'cluster_group': ('cluster_groups', 'slug'),
        'cluster': ('clusters', None), 'tenant_group': ('tenant_groups', 'slug'), 'tenant': ('tenants', 'slug'),
        'tag': ('tags', 'slug'),
    }
    out = {}
    for base, (field, name_field) in criteria.items():
        out[f'{base}_id'] = MultiValueNumberFilter(field_name=f'{field}__id', lookup_expr='exact', distinct=True)
        out[f'{base}_id__n'] = MultiValueNumberFilter(field_name=f'{field}__id', lookup_expr='exact', exclude=True)
        if name_field:
            out[base] = MultiValueCharFilter(field_name=f'{field}__{name_field}', lookup_expr='exact',
                                             distinct=True)
            out[f'{base}__n'] = MultiValueCharFilter(field_name=f'{field}__{name_field}', lookup_expr='exact',
                                                     exclude=True)
    return out


@declare
class ConfigContextProfileDeclaration(Declaration):
    model = ConfigContextProfile
    # Profiles carry no custom fields and no journal: served as for an object without them.
    graphql_fields = {'auto_sync_enabled': Alias('auto_sync_enabled'), 'custom_fields': Constant({}),
                      'custom_field_data': Constant({}), 'journal_entries': Constant([], 'JournalEntryType')}
    graphql_filters = {'custom_field_data': Constant({}), 'journal_entries': Constant([], 'JournalEntryType')}
    fields = ('name', 'description', 'schema', 'tags', 'owner', 'comments', *SYNC_FIELDS, 'created',
              'last_updated')
    read_only = ('data_path', 'data_file', 'data_synced')
    write_only = ('auto_sync_enabled',)
    serializer_fields = AUTO_SYNC
    brief = ('name', 'description')
    filter_by_name = True
    filter_exclude = ('data_source', 'data_file', 'data_path', 'schema')
    api_routes = (('<int:pk>/sync/', SyncedDataSyncView.as_view(permission_model=ConfigContextProfile), 'sync'),)
    search = ('name', 'description', 'comments')
    table = ('name', 'description', 'data_source', 'data_file', 'tags')
    menu = ('Provisioning', 'Configurations')
    related = ('extras.ConfigContext.profile',)


@declare
class ConfigContextDeclaration(Declaration):
    model = ConfigContext
    graphql_fields = {'auto_sync_enabled': Alias('auto_sync_enabled')}
    fields = ('name', 'weight', 'profile', 'description', 'is_active', 'regions', 'site_groups', 'sites',
              'locations', 'device_types', 'roles', 'platforms', 'cluster_types', 'cluster_groups', 'clusters',
              'tenant_groups', 'tenants', 'owner', 'tags', *SYNC_FIELDS, 'data', 'created', 'last_updated')
    read_only = ('data_path', 'data_file', 'data_synced')
    write_only = ('auto_sync_enabled',)
    brief = ('name', 'description')
    # The criteria tags, written and shown by slug as NetBox does.
    serializer_fields = {'tags': serializers.SlugRelatedField(many=True, required=False, slug_field='slug',
                                                              queryset=Tag.objects.all()), **AUTO_SYNC}
    filters = ('name', 'weight', 'profile', 'description', 'is_active', 'owner', 'data_source', 'data_file',
               'auto_sync_enabled', 'data_synced')
    filter_exclude = ('data_source', 'data_file')
    extra_filters = criteria_filters()
    form_include = ('regions', 'site_groups', 'sites', 'locations', 'device_types', 'roles', 'platforms',
                    'cluster_types', 'cluster_groups', 'clusters', 'tenant_groups', 'tenants', 'tags')
    api_routes = (('<int:pk>/sync/', SyncedDataSyncView.as_view(permission_model=ConfigContext), 'sync'),)
    search = ('name', 'description')
    table = ('name', 'weight', 'profile', 'is_active', 'description', 'data_source', 'data_file')
    menu = ('Provisioning', 'Configurations')
    related = ()
