"""Helpers plugins call: their settings, and what is installed."""
from django.apps import apps
from django.conf import settings

__all__ = ('get_installed_plugins', 'get_plugin_config')


def get_installed_plugins():
    """{plugin module name: version} of every installed plugin, in PLUGINS order."""
    plugins = {}
    for name in settings.PLUGINS:
        config = plugin_app_config(name)
        plugins[name] = getattr(config, 'version', None) or None
    return plugins


def plugin_app_config(name):
    """The PluginConfig of the plugin named `name` (its module) or None."""
    for config in apps.get_app_configs():
        if config.name == name:
            return config
    return None


def get_plugin_config(plugin_name, parameter, default=None):
    """A setting of a plugin (PLUGINS_CONFIG, with the plugin's defaults applied), or `default`."""
    return settings.PLUGINS_CONFIG.get(plugin_name, {}).get(parameter, default)
