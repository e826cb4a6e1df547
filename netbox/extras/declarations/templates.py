"""How configuration templates are exposed."""

from core.api import SyncedDataSyncView
from netbox.graphql.specs import Alias
from netbox.registry import Declaration, declare

from ..api import ConfigTemplateRenderView
from ..models import ConfigTemplate


@declare
class ConfigTemplateDeclaration(Declaration):
    model = ConfigTemplate
    graphql_fields = {'virtualmachines': Alias('virtual_machines')}
    fields = ('name', 'description', 'environment_params', 'template_code', 'mime_type', 'file_name',
              'file_extension', 'as_attachment', 'debug', 'data_source', 'data_path', 'data_file',
              'auto_sync_enabled', 'data_synced', 'owner', 'created', 'last_updated')
    read_only = ('data_path', 'data_file', 'data_synced')
    brief = ('name', 'description')
    filter_exclude = ('data_source', 'data_file', 'environment_params', 'template_code', 'data_path')
    api_routes = (('<int:pk>/render/', ConfigTemplateRenderView.as_view(), 'render'),
                  ('<int:pk>/sync/', SyncedDataSyncView.as_view(permission_model=ConfigTemplate), 'sync'))
    search = ('name', 'description')
    table = ('name', 'description', 'data_source', 'data_file', 'auto_sync_enabled', 'tags')
    menu = ('Provisioning', 'Configurations')
    related = ('dcim.Device.config_template', 'dcim.DeviceRole.config_template', 'dcim.Platform.config_template')
