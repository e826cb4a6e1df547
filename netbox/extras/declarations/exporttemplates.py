"""How export templates and custom links are exposed."""
from core.api import SyncedDataSyncView
from netbox.filtersets import ContentTypeFilter, MultiValueNumberFilter
from netbox.registry import Declaration, declare

from ..models import CustomLink, ExportTemplate


def _object_type_filters():
    return {
        'object_type': ContentTypeFilter(field_name='object_types', distinct=True),
        'object_type_id': MultiValueNumberFilter(field_name='object_types', lookup_expr='exact', distinct=True),
    }


@declare
class ExportTemplateDeclaration(Declaration):
    model = ExportTemplate
    fields = ('object_types', 'name', 'description', 'environment_params', 'template_code', 'mime_type',
              'file_name', 'file_extension', 'as_attachment', 'data_source', 'data_path', 'data_file',
              'auto_sync_enabled', 'data_synced', 'owner', 'created', 'last_updated')
    read_only = ('data_path', 'data_file', 'data_synced')
    brief = ('name', 'description')
    filters = ('name', 'description', 'mime_type', 'file_name', 'file_extension', 'as_attachment', 'data_source',
               'data_file', 'auto_sync_enabled', 'data_synced', 'owner', 'created', 'last_updated')
    filter_exclude = ('data_source', 'data_file')
    extra_filters = _object_type_filters()
    form_include = ('object_types', 'data_file')
    api_routes = (('<int:pk>/sync/', SyncedDataSyncView.as_view(permission_model=ExportTemplate), 'sync'),)
    search = ('name', 'description')
    table = ('name', 'object_types', 'description', 'mime_type', 'file_name', 'file_extension', 'as_attachment',
             'data_source', 'data_file', 'auto_sync_enabled')
    menu = ('Customization', 'Export templates')


@declare
class CustomLinkDeclaration(Declaration):
    model = CustomLink
    fields = ('object_types', 'name', 'enabled', 'link_text', 'link_url', 'weight', 'group_name', 'button_class',
              'new_window', 'owner', 'created', 'last_updated')
    brief = ('name',)
    bare_choices = ('button_class',)
    filters = ('name', 'enabled', 'link_text', 'link_url', 'weight', 'group_name', 'button_class', 'new_window',
               'owner', 'created', 'last_updated')
    extra_filters = _object_type_filters()
    form_include = ('object_types',)
    search = ('name',)
    table = ('name', 'object_types', 'group_name', 'weight', 'button_class', 'new_window', 'enabled')
    menu = ('Customization', 'Custom links')
