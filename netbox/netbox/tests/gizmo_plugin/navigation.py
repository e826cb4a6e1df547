"""The gizmo plugin's menu: a menu of its own, and an entry under "Plugins"."""
from netbox.plugins import PluginMenu, PluginMenuButton, PluginMenuItem

gizmo_item = PluginMenuItem(
    link='plugins:gizmo_plugin:gizmo_list',
    link_text='Gizmos',
    permissions=['gizmo_plugin.view_gizmo'],
    buttons=(
        PluginMenuButton(link='plugins:gizmo_plugin:gizmo_add', title='Add a gizmo', icon_class='mdi mdi-plus-thick',
                         color='green', permissions=['gizmo_plugin.add_gizmo']),
    ),
)

menu = PluginMenu(
    label='Gizmos',
    groups=(('Inventory', (gizmo_item,)),),
    icon_class='mdi mdi-cog',
)

menu_items = (
    PluginMenuItem(
        link='plugins:gizmo_plugin:gizmomount_list',
        link_text='Gizmo mounts',
        permissions=['gizmo_plugin.view_gizmomount'],
    ),
)
