"""A plugin's menu entries: a top-level menu of its own (PluginMenu) or items under "Plugins" (PluginMenuItem),
each with buttons (PluginMenuButton). Items and buttons are shown only to users holding all their permissions."""

__all__ = ('PluginMenu', 'PluginMenuButton', 'PluginMenuItem')

# NetBox's button colours (ButtonColorChoices values), for reference by plugins.
COLORS = ('default', 'blue', 'indigo', 'purple', 'pink', 'red', 'orange', 'yellow', 'green', 'teal', 'cyan', 'gray',
          'black', 'white')


class PluginMenu:
    """A top-level menu: `label`, `groups` as ((group label, (PluginMenuItem, ...)), ...), and an icon."""

    icon_class = 'mdi mdi-puzzle'

    def __init__(self, label, groups, icon_class=None):
        self.label = label
        if not all(isinstance(group, (list, tuple)) and len(group) == 2 for group in groups):
            raise TypeError('PluginMenu groups must be (label, items) pairs.')
        self.groups = [(str(name), tuple(items)) for name, items in groups]
        if icon_class is not None:
            self.icon_class = icon_class

    @property
    def name(self):
        return self.label.replace(' ', '_')


class PluginMenuItem:
    """A menu entry: `link` is a URL name ('plugins:<plugin>:<model>_list'); shown to users holding every one of
    `permissions` ('<app>.<action>_<model>')."""

    permissions = []
    buttons = []

    def __init__(self, link, link_text, auth_required=False, staff_only=False, permissions=None, buttons=None):
        self.link = link
        self.link_text = link_text
        self.auth_required = auth_required
        self.staff_only = staff_only
        if permissions is not None:
            if not isinstance(permissions, (list, tuple)):
                raise TypeError('Permissions must be passed as a tuple or list.')
            self.permissions = permissions
        if buttons is not None:
            if not isinstance(buttons, (list, tuple)):
                raise TypeError('Buttons must be passed as a tuple or list.')
            self.buttons = buttons


class PluginMenuButton:
    """A small button beside a menu entry (an "add" link, say)."""

    color = 'default'
    permissions = []

    def __init__(self, link, title, icon_class, color=None, permissions=None):
        self.link = link
        self.title = title
        self.icon_class = icon_class
        if permissions is not None:
            if not isinstance(permissions, (list, tuple)):
                raise TypeError('Permissions must be passed as a tuple or list.')
            self.permissions = permissions
        if color is not None:
            if color not in COLORS:
                raise ValueError(f'Button color must be one of: {", ".join(COLORS)}')
            self.color = color
