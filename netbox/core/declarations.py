"""How the change log, configuration revisions, jobs, data sources and data files are exposed."""
import django_filters

from netbox.filtersets import (
    MultiValueCharFilter,
    MultiValueNumberFilter,
    NoMatchFilter,
    RequestIdFilter,
    lookup_filters,
)
from netbox.registry import Counter, Declaration, declare

from .api import DataSourceSyncView
from .models import ConfigRevision, DataFile, DataSource, Job, ObjectChange
from .ui import DataSourceSyncUIView


@declare
class ObjectChangeDeclaration(Declaration):
    model = ObjectChange
    fields = ('time', 'user', 'user_name', 'request_id', 'action', 'changed_object_type', 'changed_object_id',
              'changed_object', 'object_repr', 'message', 'prechange_data', 'postchange_data')
    read_only = fields
    select_related = ('user', 'changed_object_type')
    api_methods = ('GET',)
    brief = ('time', 'action', 'object_repr')
    filters = ('user_name', 'request_id', 'action', 'changed_object_type', 'changed_object_id',
               'related_object_type', 'related_object_id', 'object_repr', 'user')
    filter_lookups = {'request_id': 'exact'}
    filter_exclude = ('related_object_type_id',)
    extra_filters = {
        'time_after': django_filters.IsoDateTimeFilter(field_name='time', lookup_expr='gte'),
        'time_before': django_filters.IsoDateTimeFilter(field_name='time', lookup_expr='lte'),
        'user': MultiValueCharFilter(field_name='user__username', lookup_expr='exact'),
        'user__n': MultiValueCharFilter(field_name='user__username', lookup_expr='exact', exclude=True),
        'user_id': MultiValueNumberFilter(field_name='user', lookup_expr='exact'),
    }
    search = ('user_name', 'object_repr')
    table = ('time', 'user_name', 'action', 'changed_object_type', 'object_repr', 'request_id')
    menu = ('Admin', 'Change log')


@declare
class ConfigRevisionDeclaration(Declaration):
    model = ConfigRevision
    fields = ('created', 'comment', 'data', 'active')
    read_only = ('created', 'active')
    brief = ('created', 'comment', 'active')
    search = ('comment',)
    api_methods = ('GET', 'POST', 'DELETE')
    menu = ('Admin', 'System')


@declare
class JobDeclaration(Declaration):
    model = Job
    fields = ('object_type', 'object_id', 'object', 'name', 'status', 'created', 'scheduled', 'interval', 'started',
              'completed', 'execution_time', 'user', 'data', 'error', 'job_id', 'queue_name', 'notifications',
              'log_entries')
    read_only = fields
    api_methods = ('GET', 'DELETE')
    brief_head = ('url',)
    brief = ('status', 'created', 'completed', 'user')
    # NetBox filters job times by exact value or __after/__before only.
    filter_lookups = {'created': 'exact', 'scheduled': 'exact', 'started': 'exact', 'completed': 'exact',
                      'execution_time': ('gte', 'lte')}
    filter_exclude = ('error',)
    extra_filters = {
        f'{name}__{suffix}': django_filters.IsoDateTimeFilter(field_name=name, lookup_expr=lookup)
        for name in ('created', 'scheduled', 'started', 'completed')
        for suffix, lookup in (('after', 'gte'), ('before', 'lte'))
    }
    search = ('name', 'job_id')
    menu = ('Admin', 'System')


@declare
class DataSourceDeclaration(Declaration):
    model = DataSource
    fields = ('name', 'type', 'source_url', 'enabled', 'status', 'description', 'sync_interval', 'parameters',
              'ignore_rules', 'owner', 'comments', 'last_synced', 'file_count')
    brief = ('name', 'description')
    counts = {'file_count': Counter('core.DataFile', 'source')}
    bare_choices = ('sync_interval',)
    filter_exclude = ('ignore_rules',)
    filter_by_name = True
    api_routes = (('<int:pk>/sync/', DataSourceSyncView.as_view(), 'sync'),)
    ui_routes = (('<int:pk>/sync/', DataSourceSyncUIView.as_view(), 'sync'),)
    detail_templates = ('core/datasource_sync.html',)
    search = ('name', 'source_url', 'description', 'comments')
    table = ('name', 'type', 'status', 'enabled', 'source_url', 'last_synced', 'file_count')
    menu = ('Operations', 'Data sources')
    related = ('core.DataFile.source',)


@declare
class DataFileDeclaration(Declaration):
    model = DataFile
    fields = ('source', 'path', 'last_updated', 'size', 'hash')
    read_only = fields
    api_methods = ('GET',)
    brief = ('path',)
    filters = ('source', 'path', 'last_updated', 'size', 'hash')
    extra_filters = {
        # Files record no creation time (a sync writes them), so a creation time matches none; the request
        # filters read the change log, where syncs write nothing either, as NetBox offers them.
        **lookup_filters('created', NoMatchFilter, 'num'),
        'created_by_request': RequestIdFilter(actions=('create',)),
        'updated_by_request': RequestIdFilter(actions=('update',)),
        'modified_by_request': RequestIdFilter(actions=('create', 'update', 'delete')),
    }
    search = ('path',)
    table = ('path', 'source', 'size', 'last_updated', 'hash')
    menu = ('Operations', 'Data sources')
