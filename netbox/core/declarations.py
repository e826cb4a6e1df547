"""How the change log, configuration revisions and jobs are exposed."""
import django_filters

from netbox.filtersets import MultiValueCharFilter, MultiValueNumberFilter
from netbox.registry import Declaration, declare

from .models import ConfigRevision, Job, ObjectChange


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
