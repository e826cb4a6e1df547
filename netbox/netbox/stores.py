"""
The stores of the application registry (netbox.registry.registry['<store>']), kept in a module with no imports so
that settings.py may load the plugins (netbox.plugins) before Django is set up.
"""

_plugins = {
    'installed': [],            # plugin app labels, in PLUGINS order
    'menus': [],                # PluginMenu objects (a top-level menu each)
    'menu_items': {},           # {verbose name of the plugin: (PluginMenuItem, ...)} shown under "Plugins"
    'template_extensions': {},  # {'app.model' or None (every page): [PluginTemplateExtension subclass]}
    'graphql_schemas': [],      # strawberry types merged into the root Query
    'search_indexes': [],       # netbox.search.SearchIndex subclasses
}

STORES = {
    'plugins': _plugins,
    # NetBox's older names of the same data.
    'plugin_menu_items': _plugins['menu_items'],
    'plugin_template_extensions': _plugins['template_extensions'],
    # utilities.views.register_model_view: {app_label: {model_name: [{'name', 'view', 'path', 'detail', 'kwargs'}]}}
    'views': {},
}
