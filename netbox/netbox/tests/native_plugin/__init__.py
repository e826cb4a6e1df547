"""A test plugin written our way: its model is declared in declarations.py (netbox.registry), like our own apps'."""
from netbox.plugins import PluginConfig


class WidgetConfig(PluginConfig):
    name = 'netbox.tests.native_plugin'
    label = 'native_plugin'
    verbose_name = 'Widgets'
    description = 'Widgets, declared natively (a test plugin)'
    version = '0.3.1'
    base_url = 'widgets'


config = WidgetConfig
