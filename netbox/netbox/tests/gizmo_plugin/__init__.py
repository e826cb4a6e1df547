"""
A test plugin written the NetBox way (netbox.plugins): gizmos, and gizmos mounted in DCIM devices. It has a REST
API, UI views, a menu, a template extension on the device page, a search index, a GraphQL schema, an events
pipeline step and a required setting. The test settings install it (configuration_testing.py).
"""
from netbox.plugins import PluginConfig


class GizmoConfig(PluginConfig):
    name = 'netbox.tests.gizmo_plugin'
    label = 'gizmo_plugin'
    verbose_name = 'Gizmo inventory'
    description = 'Gizmos, and where they are mounted (a test plugin)'
    version = '1.2.0'
    author = 'Test Author'
    author_email = 'author@example.com'
    base_url = 'gizmos'
    min_version = '4.6.0'
    max_version = '4.7.99'
    required_settings = ['inventory_owner']
    default_settings = {'panel_title': 'Mounted gizmos'}
    events_pipeline = ['events.record_events']
    graphql_schema = 'graphql.schema.schema'


config = GizmoConfig
