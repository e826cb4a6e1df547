"""
Extra tabs on an object's pages, and a tab that lists related objects as a table with "available" rows among them.

A declaration adds a tab by listing, in its `ui_routes`, a route '<int:pk>/<something>/' whose view class sets
`tab_label`: the tab then shows between the object's own tab and its changelog on every page of the object. A
feature that gives a tab to many models at once (the journal, image attachments) registers it once with
`register_object_tab()`, saying which declarations it applies to; `object_routes()` is both kinds together.

`ChildTableView` is such a tab: it shows objects of another declared model (the children) in a paginated table
derived from that model's declaration, and lets a subclass put rows of its own among them (`AvailableRow`: free
space, with a link that creates an object there). The subclass gives the page's entries in order, objects as
primary keys, so a page loads only its own objects (one query, plus the child declaration's `prepare_rows`).
"""
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from netbox.api.viewsets import optimized_queryset
from netbox.permissions import has_permission
from netbox.registry import ui_namespace

from .base import DeclaredView, allows, model_url, page_size, verbose_names
from .tables import TablePreferences, available_columns, build_table, default_columns, table_name

# Tabs registered for every declaration they apply to: [(suffix, view class, route name, applies(declaration))].
_registered_tabs = []


def register_object_tab(suffix, view_class, route_name, applies):
    """Give every declared model for which `applies(declaration)` is true a tab: `view_class` (an ObjectTabView)
    at '<model path>/<suffix>', named '<model>_<route_name>'. Call it at import time of a declarations module,
    before the URLs are built."""
    _registered_tabs.append((suffix, view_class, route_name, applies))


def object_routes(declaration):
    """The declaration's `ui_routes` followed by the registered tabs that apply to it: ((suffix, view, name), ...).
    Built once per declaration (and again should more tabs be registered)."""
    cached = declaration.__dict__.get('_object_routes')
    if cached is not None and cached[0] == len(_registered_tabs):
        return cached[1]
    routes = list(declaration.ui_routes)
    taken = {name for _, _, name in routes}
    for suffix, view_class, route_name, applies in _registered_tabs:
        if route_name not in taken and applies(declaration):
            routes.append((suffix, view_class.as_view(declaration=declaration), route_name))
    declaration._object_routes = (len(_registered_tabs), tuple(routes))
    return declaration._object_routes[1]


def object_tabs(declaration, obj, user=None):
    """[{'name', 'label', 'url'}] of the extra tabs declared for the object's model that `user` may open."""
    tabs = []
    for suffix, view, route_name in object_routes(declaration):
        view_class = getattr(view, 'view_class', None)
        label = getattr(view_class, 'tab_label', None)
        if not label or not suffix.startswith('<int:pk>/'):
            continue
        if user is not None and not view_class.tab_visible(user):
            continue
        try:
            url = reverse(f'{ui_namespace(declaration.app_label())}:{declaration.model_name()}_{route_name}',
                          args=[obj.pk])
        except NoReverseMatch:
            continue
        tabs.append({'name': route_name, 'label': label, 'url': url})
    return tabs + registered_tabs(declaration, obj, user)


def registered_tabs(declaration, obj, user=None):
    """The tabs of the detail views registered for the model (utilities.views.register_model_view) with a ViewTab,
    by weight: those `user` holds the permission of and that aren't hidden as empty."""
    from netbox.registry import registered_views

    found = []
    for entry in registered_views(declaration.app_label(), declaration.model_name(), detail=True):
        tab = getattr(entry['view'], 'tab', None)
        if tab is None or not hasattr(tab, 'render') or not entry['name']:
            continue
        if user is not None and not tab.allowed(user):
            continue
        shown = tab.render(obj)
        if shown is None:
            continue
        try:
            url = reverse(f"{ui_namespace(declaration.app_label())}:{declaration.model_name()}_{entry['name']}",
                          kwargs={'pk': obj.pk})
        except NoReverseMatch:
            continue
        found.append({'name': entry['name'], 'label': shown['label'], 'badge': shown['badge'], 'url': url,
                      'weight': shown['weight']})
    return sorted(found, key=lambda tab: tab['weight'])


class AvailableRow:
    """A row for free space among a tab's objects: a label (the free block), its size and where to create it."""

    is_available = True

    def __init__(self, label, url=None, detail=''):
        self.label = label
        self.url = url
        self.detail = detail

    def __repr__(self):
        return f'<AvailableRow {self.label}>'


class ObjectTabView(DeclaredView):
    """One extra tab of an object; subclasses set `tab_label` and fill `tab_context`."""

    tab_label = None
    # The model whose tab this is ('ipam.prefix'), when the view is not given its declaration by as_view().
    parent_label = None
    template_name = 'generic/object_tab.html'

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.declaration is None:
            from netbox.registry import registry

            self.declaration = registry.get(self.parent_label)

    def get_object(self, request, pk):
        queryset = self.declaration.model.objects.restrict(request.user, 'view')
        related = [field.name for field in self.declaration.model._meta.concrete_fields
                   if field.is_relation and field.many_to_one]
        return get_object_or_404(queryset.select_related(*related), pk=pk)

    @classmethod
    def tab_visible(cls, user):
        """Whether the tab is offered to `user` (who may view the object)."""
        return True

    def tab_context(self, request, obj):
        return {}

    def get(self, request, pk):
        from .views import object_actions

        if not self.tab_visible(request.user):
            raise PermissionDenied(f'You do not have permission to view {self.tab_label.lower()}.')
        obj = self.get_object(request, pk)
        context = self.base_context(request)
        context.update(object_actions(self.declaration, obj, request.user))
        context.update({'object': obj, 'tab': self.tab_name(), 'tab_label': self.tab_label})
        context.update(self.tab_context(request, obj))
        return render(request, self.template_name, context)

    def tab_name(self):
        for _, view, route_name in object_routes(self.declaration):
            if getattr(view, 'view_class', None) is type(self):
                return route_name
        return None


class ChildTableView(ObjectTabView):
    """A tab listing objects of `child_label` (a model label) in a table, with AvailableRows among them."""

    child_label = None
    template_name = 'generic/object_children.html'

    @property
    def child_declaration(self):
        from netbox.registry import registry

        return registry.get(self.child_label)

    @classmethod
    def tab_visible(cls, user):
        from django.apps import apps

        return has_permission(user, apps.get_model(cls.child_label), 'view')

    def child_queryset(self, request, obj):
        """The children the user may view (a subclass narrows it to the object's children)."""
        return self.child_declaration.model.objects.restrict(request.user, 'view')

    def entries(self, request, obj, queryset):
        """The rows in order: primary keys of children and AvailableRows. By default the children only."""
        return list(queryset.values_list('pk', flat=True))

    def can_add(self, request):
        child = self.child_declaration
        return allows(child, 'add') and has_permission(request.user, child.model, 'add')

    def add_url(self, request, params):
        """The child's add form prefilled with `params` ({field: value}), returning to this tab; None if not allowed."""
        from django.utils.http import urlencode

        url = model_url(self.child_declaration, 'add')
        if url is None or not self.can_add(request):
            return None
        query = {key: value for key, value in params.items() if value not in (None, '')}
        query['return_url'] = request.path
        return f'{url}?{urlencode(query)}'

    def tab_context(self, request, obj):
        child = self.child_declaration
        available = available_columns(child)
        prefs = TablePreferences(request.user, table_name(child))
        columns = prefs.columns(available, default_columns(child, available))
        entries = self.entries(request, obj, self.child_queryset(request, obj))
        paginator = Paginator(entries, page_size(request, prefs.config))
        page = paginator.get_page(request.GET.get('page'))
        keys = [entry for entry in page.object_list if not isinstance(entry, AvailableRow)]
        objects = {}
        if keys:
            queryset = optimized_queryset(child, [name for name in columns if not name.startswith('cf_')])
            objects = {item.pk: item for item in queryset.restrict(request.user, 'view').filter(pk__in=keys)}
            if child.prepare_rows is not None:
                child.prepare_rows(list(objects.values()))
        table = build_table(child, [objects[key] for key in keys if key in objects], columns, available)
        cells = {row.record.pk: [row.get_cell(column.name) for column in table.columns] for row in table.rows}
        rows = []
        for entry in page.object_list:
            if isinstance(entry, AvailableRow):
                rows.append((entry, None))
            elif entry in cells:
                rows.append((objects[entry], cells[entry]))
        from .views import _page_links

        return {
            'child_names': verbose_names(child),
            'child_count': sum(1 for entry in entries if not isinstance(entry, AvailableRow)),
            'headers': [column.header for column in table.columns],
            'rows': rows,
            'page': page,
            'page_nav': _page_links(page, request.GET),
            'child_list_url': model_url(child, 'list'),
            'child_add_url': self.add_url(request, self.add_defaults(obj)) if self.can_add(request) else None,
            'summary': self.summary(request, obj),
        }

    def add_defaults(self, obj):
        """What the tab's "+ Add" button prefills on the child's add form."""
        return {}

    def summary(self, request, obj):
        """Optional safe HTML shown above the table."""
        return None


def available_badge(text='Available'):
    return format_html('<span class="badge badge-teal">{}</span>', text)
