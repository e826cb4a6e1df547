"""The navigation menu, built from the declarations' `menu` places and the user's permissions."""
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

from netbox.permissions import has_permission
from netbox.registry import registry, ui_namespace

MENU_ORDER = ('Organization', 'Racks', 'Devices', 'Connections', 'Wireless', 'IPAM', 'VPN', 'Virtualization',
              'Circuits', 'Power', 'Provisioning', 'Customization', 'Operations', 'Admin')


# Menu entries of pages that belong to no declared model: (menu, group, weight, label, URL name, shown(user)).
EXTRA_ITEMS = []


def register_menu_item(menu, group, label, url_name, shown, weight=None):
    """Add a menu entry for a page of no declared model, shown to the users for whom `shown(user)` is true."""
    EXTRA_ITEMS.append((menu, group, weight, label, url_name, shown))


def menu_place(declaration):
    """(menu, group, weight) of a declaration: `menu` is (menu, group) or (menu, group, weight). Groups of a menu are
    ordered by their lightest item, items by weight; items without a weight follow in declaration order."""
    menu, group, *rest = declaration.menu
    return menu, group, rest[0] if rest else None


def ordered_groups(items):
    """[(group, [item...])] from [(group, weight, item)], ordered as menu_place() describes."""
    keyed = [(weight if weight is not None else 10000 + index, group, item)
             for index, (group, weight, item) in enumerate(items)]
    groups = {}
    for _weight, group, item in sorted(keyed, key=lambda entry: entry[0]):
        groups.setdefault(group, []).append(item)
    return list(groups.items())


def build_menu(request):
    user = getattr(request, 'user', None)
    if user is None or not user.is_authenticated:
        return []
    menus = {}
    for declaration in registry:
        if not declaration.menu:
            continue
        if not has_permission(user, declaration.model, 'view'):
            continue
        try:
            url = reverse(f'{ui_namespace(declaration.app_label())}:{declaration.model_name()}_list')
        except NoReverseMatch:
            continue
        menu, group, weight = menu_place(declaration)
        menus.setdefault(menu, []).append((group, weight, {
            'label': capfirst(declaration.model._meta.verbose_name_plural),
            'url': url,
            'add_url': _add_url(declaration, user),
        }))
    for menu, group, weight, label, url_name, shown in EXTRA_ITEMS:
        if shown(user):
            menus.setdefault(menu, []).append((group, weight, {'label': label, 'url': reverse(url_name),
                                                               'add_url': None}))
    for menu, group, item in plugin_menu_entries(user):
        menus.setdefault(menu, []).append((group, None, item))
    ordered = sorted(menus.items(), key=lambda item: MENU_ORDER.index(item[0]) if item[0] in MENU_ORDER else 99)
    return [{'label': menu, 'groups': ordered_groups(items)} for menu, items in ordered]


def _add_url(declaration, user):
    if 'POST' not in declaration.api_methods or not has_permission(user, declaration.model, 'add'):
        return None
    try:
        return reverse(f'{ui_namespace(declaration.app_label())}:{declaration.model_name()}_add')
    except NoReverseMatch:
        return None


def plugin_menu_entries(user):
    """[(menu, group, item)] of the installed plugins' menus (PluginMenu: a menu of its own) and menu items (under
    "Plugins", grouped by plugin), with the entries and buttons the user holds every permission of."""
    from netbox.plugins import plugin_registry

    entries = []
    for menu in plugin_registry['menus']:
        for group, items in menu.groups:
            entries += [(menu.label, group, entry) for entry in _plugin_items(items, user)]
    for plugin, items in plugin_registry['menu_items'].items():
        entries += [('Plugins', plugin, entry) for entry in _plugin_items(items, user)]
    return entries


def _plugin_items(items, user):
    out = []
    for item in items:
        if item.staff_only and not user.is_staff:
            continue
        if not user.has_perms(item.permissions):
            continue
        try:
            url = reverse(item.link)
        except NoReverseMatch:
            continue
        buttons = []
        for button in item.buttons:
            if not user.has_perms(button.permissions):
                continue
            try:
                buttons.append({'url': reverse(button.link), 'title': button.title, 'icon_class': button.icon_class,
                                'color': button.color})
            except NoReverseMatch:
                continue
        out.append({'label': item.link_text, 'url': url, 'add_url': None, 'buttons': buttons})
    return out
