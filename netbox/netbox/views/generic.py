"""
NetBox's generic views, as plugins use them in their `urls.py`: each names its `queryset` (and a table, form or
filter set, which feed the model's declaration: netbox.plugins.adapters) and is served by the generic view of
netbox.ui for that model's declaration, with the same permissions, forms, tables, filters and change log as our own
models. `ObjectView` renders the plugin's template `<app>/<model>.html` when there is one (it extends
`generic/object.html`), else the generic detail page.
"""
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from netbox.api.viewsets import _DeclarationOfQueryset
from netbox.registry import record_piece, registry
from netbox.ui import bulk, editing, tabs, views

__all__ = (
    'BulkDeleteView',
    'BulkEditView',
    'BulkImportView',
    'ObjectChangeLogView',
    'ObjectChildrenView',
    'ObjectDeleteView',
    'ObjectEditView',
    'ObjectListView',
    'ObjectView',
)


class QuerysetViewMixin:
    """`declaration` is that of the view's queryset's model."""

    queryset = None
    declaration = _DeclarationOfQueryset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get('queryset') is not None:
            record_piece('list_views' if issubclass(cls, views.ObjectListView) else 'views', cls)


class ObjectView(QuerysetViewMixin, views.ObjectDetailView):
    """One object's page; with a `tab` (utilities.views.ViewTab) and registered with register_model_view, a tab of
    it."""

    template_name = None
    tab = None

    def active_tab(self):
        if self.tab is not None:
            from netbox.registry import registered_views

            opts = self.declaration.model._meta
            for entry in registered_views(opts.app_label, opts.model_name, detail=True):
                if entry['view'] is type(self) and entry['name']:
                    return entry['name']
        return super().active_tab()

    def dispatch(self, request, *args, **kwargs):
        if self.tab is not None and not self.tab.allowed(request.user):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(f'You do not have permission to view {str(self.tab.label).lower()}.')
        return super().dispatch(request, *args, **kwargs)

    def get_template_name(self):
        if self.template_name:
            return self.template_name
        opts = self.declaration.model._meta
        own = f'{opts.app_label}/{opts.model_name}.html'
        try:
            get_template(own)
            return own
        except TemplateDoesNotExist:
            return views.ObjectDetailView.template_name


class ObjectListView(QuerysetViewMixin, views.ObjectListView):
    """The filtered, paginated table of the model's objects (its columns from the plugin's table)."""

    table = None
    filterset = None
    filterset_form = None
    actions = None


class ObjectEditView(QuerysetViewMixin, editing.ObjectEditView):
    """Add or edit an object (the fields of the plugin's form)."""

    form = None


class ObjectDeleteView(QuerysetViewMixin, editing.ObjectDeleteView):
    """Delete an object."""


class BulkImportView(QuerysetViewMixin, bulk.BulkImportView):
    """Import objects from CSV, JSON or YAML."""

    model_form = None


class BulkEditView(QuerysetViewMixin, bulk.BulkEditView):
    """Edit the selected objects."""

    filterset = None
    table = None
    form = None


class BulkDeleteView(QuerysetViewMixin, bulk.BulkDeleteView):
    """Delete the selected objects."""

    filterset = None
    table = None


class ObjectChangeLogView(views.ObjectChangelogView):
    """An object's change log; the model comes from the URL's `model` keyword, as in NetBox."""

    base_template = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        model = kwargs.get('model')
        if model is not None and self.declaration is None:
            self.declaration = registry.get(model)

    def dispatch(self, request, *args, **kwargs):
        kwargs.pop('model', None)
        return super().dispatch(request, *args, **kwargs)


class _ChildLabel:
    def __get__(self, instance, owner):
        return owner.child_model._meta.label_lower if owner.child_model is not None else None


class _TabLabel:
    def __get__(self, instance, owner):
        tab = getattr(owner, 'tab', None)
        if tab is not None and getattr(tab, 'label', None):
            return str(tab.label)
        return str(owner.child_model._meta.verbose_name_plural).capitalize() if owner.child_model else None


class ObjectChildrenView(QuerysetViewMixin, tabs.ChildTableView):
    """A tab of an object listing its children (`child_model`, chosen by `get_children()`) in a table."""

    child_model = None
    table = None
    filterset = None
    tab = None
    child_label = _ChildLabel()
    tab_label = _TabLabel()

    def get_children(self, request, parent):
        """The children of `parent` (a subclass narrows them)."""
        return self.child_model.objects.all()

    def child_queryset(self, request, obj):
        return self.get_children(request, obj).restrict(request.user, 'view')
