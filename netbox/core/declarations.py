"""How the change log, configuration revisions, jobs, data sources and data files are exposed."""
import datetime

import django_filters
from django.db.models import Q
from rest_framework import serializers

from netbox.filtersets import (
    MultiValueCharFilter,
    MultiValueNumberFilter,
    NoMatchFilter,
    RequestIdFilter,
    lookup_filters,
)
from netbox.graphql.specs import Constant
from netbox.registry import Counter, Declaration, declare

from .api import DataSourceSyncView
from .config_revisions import ConfigRevisionRestoreView
from .models import ConfigRevision, DataFile, DataSource, Job, ObjectChange, ObjectType, model_features
from .ui import DataSourceSyncUIView
from .ui_tasks import JobStatusView


@declare
class ObjectChangeDeclaration(Declaration):
    model = ObjectChange
    # A record of work or changes, not an object one looks for: kept out of the cached global search index.
    global_search = False
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
    table = ('created', 'comment', 'active')
    ui_routes = (('<int:pk>/restore/', ConfigRevisionRestoreView.as_view(), 'restore'),)
    detail_templates = ('core/configrevision_diff.html',)


@declare
class JobDeclaration(Declaration):
    model = Job
    # A record of work or changes, not an object one looks for: kept out of the cached global search index.
    global_search = False
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
    ui_routes = (('<int:pk>/status/', JobStatusView.as_view(), 'status'),)
    detail_templates = ('core/job_status.html',)


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
    graphql_fields = {'created': Constant(None, datetime.datetime)}  # files keep no creation time
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


def _object_types_where(queryset, test):
    """The object types whose model passes `test`: computed in Python (features are code, not columns)."""
    keep = [content_type.pk for content_type in ObjectType.objects.all() if test(content_type)]
    return queryset.filter(pk__in=keep)


def _public_filter(queryset, name, value):
    if value is None:
        return queryset
    return _object_types_where(queryset, lambda content_type: content_type.public == value)


def _features_filter(queryset, name, value):
    if not value:
        return queryset
    return _object_types_where(queryset, lambda content_type: value in model_features(content_type.model_class()))


def _object_type_search(queryset, name, value):
    value = (value or '').strip()
    if not value:
        return queryset
    return queryset.filter(Q(app_label__icontains=value) | Q(model__icontains=value))


@declare
class ObjectTypeDeclaration(Declaration):
    model = ObjectType
    fields = ('app_label', 'app_name', 'model', 'model_name', 'model_name_plural', 'public', 'features',
              'is_plugin_model', 'rest_api_endpoint', 'description')
    read_only = fields
    exclude = ('display_url',)
    serializer_fields = {
        'app_name': serializers.CharField(read_only=True),
        'model_name': serializers.CharField(read_only=True),
        'model_name_plural': serializers.CharField(read_only=True),
        'public': serializers.BooleanField(read_only=True),
        'features': serializers.ListField(child=serializers.CharField(max_length=50), read_only=True),
        'is_plugin_model': serializers.BooleanField(read_only=True),
        'rest_api_endpoint': serializers.CharField(read_only=True),
        'description': serializers.CharField(read_only=True),
    }
    api_methods = ('GET',)
    brief = ('app_label', 'model')
    filters = ('app_label', 'model')
    extra_filters = {
        'public': django_filters.BooleanFilter(method=_public_filter),
        'features': django_filters.CharFilter(method=_features_filter),
        'q': django_filters.CharFilter(method=_object_type_search),
    }
    search = ()
    table = ('app_label', 'model', 'app_name', 'model_name', 'public', 'rest_api_endpoint')
