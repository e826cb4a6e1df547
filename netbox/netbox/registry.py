"""
Model declarations: the one place a model says how it is exposed.

A declaration names a model and, where the defaults don't fit, its REST fields, brief fields, filters, search
fields, counters, menu place and related lists. The shared machinery (netbox.api, netbox.filtersets, netbox.ui)
derives serializers, filter sets, API and UI views, URLs, forms and tables from it; the standard tests are
parametrized over `registry`.

    @declare
    class TenantDeclaration(Declaration):
        model = Tenant
        brief = ('name', 'slug', 'description')
        search = ('name', 'slug', 'description', 'comments')
        menu = ('Organization', 'Tenancy')
"""
from django.apps import apps
from django.db import models
from mptt.models import MPTTModel

from . import stores

# Fields of models that are bookkeeping, never shown or written through the API.
INTERNAL_FIELDS = {'custom_field_data', 'lft', 'rght', 'tree_id', 'level', 'plaintext', 'digest', 'password', '_path',
                   'config_context_data', 'config_context_token'}
# Shown last, in this order, when a model has them.
TRAILING_FIELDS = ('tags', 'custom_fields', 'created', 'last_updated')


class Counter:
    """A read-only count of related objects, e.g. Counter('tenancy.Tenant', 'group') for tenant_count. `where`
    narrows the counted objects, e.g. to those whose generic relation points at this model."""

    def __init__(self, model_label, field, where=None):
        self.model_label = model_label
        self.field = field
        self.where = dict(where or {})

    @property
    def model(self):
        try:
            return apps.get_model(self.model_label)
        except LookupError:  # the app providing it is not built yet: counts 0
            return None


class ExpressionCounter(Counter):
    """A read-only count the database computes from an expression rather than from a foreign key, e.g. the ASNs
    whose number lies within a range. `expression` is a callable returning the annotation for one row (a Subquery
    with OuterRef(...)); it is called on use, so it may refer to models loaded later. Never cumulative over trees,
    and the UI links it to no filtered list (there is no foreign key to filter by)."""

    cumulative = False

    def __init__(self, model_label, expression):
        super().__init__(model_label, None)
        self.expression = expression


class Declaration:
    """How one model is exposed. Subclass it per model; every attribute but `model` has a default."""

    model = None
    # REST fields (besides id, url, display_url, display); None derives them from the model.
    fields = None
    # Fields never exposed although the model has them.
    exclude = ()
    # Fields accepted on write but never returned (e.g. a password).
    write_only = ()
    # Fields returned but never accepted.
    read_only = ()
    # Brief representation (after brief_head).
    brief = ('name',)
    brief_head = ('id', 'url', 'display')
    # Representation inside another object; None means the brief fields without counters.
    nested = None
    # Representation inside an object of the same model (a NAT inside address: NetBox's Nested<Model>); None
    # means the nested fields without relations to the model itself.
    nested_self = None
    # Model fields to filter on; None derives them (every scalar and relation field).
    filters = None
    # Extra filters beyond the derived ones: {name: django_filters.Filter}.
    extra_filters = {}
    # Lookups of a derived filter where NetBox's differ from its field kind: {name: 'exact' | 'n' | 'num' | 'str' |
    # (suffix, ...)}.
    filter_lookups = {}
    # Base filter names the derivation (or a shared builder) would offer but NetBox doesn't; removed with their
    # lookups, so that such a parameter is ignored as NetBox ignores it.
    filter_exclude = ()
    # Whether the counters are filters too (`interface_count__gte=48`); NetBox has them on a few models only.
    filter_counts = False
    # Whether other models' filters on a relation to this one match its name (`?device=<name>`); models with a
    # slug (or a username) are matched by it anyway.
    filter_by_name = False
    # Fields searched by `q=` and the global search, most telling first: names, or (name, weight) pairs giving the
    # field's rank in the global search index (lower first; see netbox.cached_search for the defaults).
    search = ('name',)
    # Whether the model's objects are in the cached global search index (and the global search); the list's `q=`
    # searches its fields either way.
    global_search = True
    # The NetBox-style SearchIndex registered for the model (netbox.search.register_search): puts the model in the
    # global search even without a menu place.
    search_index = None
    # Counters: {'tenant_count': Counter('tenancy.Tenant', 'group')}.
    counts = {}
    # Columns of the UI table shown by default.
    table = None
    # (menu, group) in the navigation menu; None keeps the model out of the menu.
    menu = None
    # Related lists on the detail page: ('tenancy.Tenant.group', ...).
    related = ()
    # Methods the API allows; read-only models list only GET.
    api_methods = ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')
    # The URL segment, e.g. 'tenant-groups'; derived from the plural verbose name.
    api_name = None
    # Extra DRF serializer fields: {name: field instance}.
    serializer_fields = {}
    # Extra UI fields for forms are derived from writable REST fields.
    form_exclude = ()
    # Many-to-many fields the add/edit form offers too (forms leave them out otherwise).
    form_include = ()
    # Relation choices a form offers depending on the object being edited: {field: callable(form) -> None or
    # (Q on the related model, {type-ahead API filter: value})}, e.g. an interface's VLANs limited to its device's.
    form_limits = {}
    # Rules a form checks beyond the model's clean (many-to-many values it can't see): callable(form, cleaned_data)
    # that reports with form.add_error().
    form_clean = None
    # Whether this model can carry contact assignments (adds contact filters).
    contacts = False
    # Actions of the viewset on the detail URL beyond the standard ones, e.g. {'post': 'run'} (a script's run).
    detail_actions = {}
    # Extra REST routes: ((path suffix, view callable, url name), ...), e.g.
    # ('<int:pk>/elevation/', rack_elevation_view, 'elevation') → /api/dcim/racks/<pk>/elevation/, 'rack-elevation'.
    api_routes = ()
    # Extra UI routes, same shape, mounted under the model's UI path: ('<int:pk>/trace/', view, 'trace').
    ui_routes = ()
    # Called with the objects about to be shown (a page of a list, one object) to attach data computed in bulk.
    prepare_rows = None
    # The REST fields prepare_rows computes; a response showing none of them (a brief list) skips it. None: always.
    prepare_fields = None
    # Values shown in the UI only (columns, detail page), not in the REST API: {name: label}. The value is the
    # object's attribute of that name (set by prepare_rows), shown by ui_renderers[name] when there is one.
    ui_fields = {}
    # UI cell renderers for fields the domain shows its own way: {field name: callable(obj) -> safe HTML}.
    ui_renderers = {}
    # Templates included on the detail page below the attributes, given `object` and `declaration`.
    detail_templates = ()
    # Choice fields NetBox serves as their bare value ("vrrp2") rather than {value, label}, also when nested.
    bare_choices = ()
    # Fields left out of a response, rather than served as null, when they have no value (a token's secret once it
    # can no longer be shown: NetBox never serves it as null).
    absent_when_null = ()
    # GraphQL fields listing objects of any model that a property of the model returns: {name: the prefetch lookup
    # the property reads}, e.g. a cable's {'a_terminations': 'terminations__termination'}. Filtered by permission.
    graphql_objects = {}
    # GraphQL fields and filters under NetBox's names where they differ from the model's (netbox.graphql.specs).
    graphql_fields = {}
    graphql_filters = {}
    # The plugin (its module name) whose model this is; None for our own apps.
    plugin = None

    @classmethod
    def label(cls):
        return cls.model._meta.label_lower

    @classmethod
    def app_label(cls):
        return cls.model._meta.app_label

    @classmethod
    def model_name(cls):
        return cls.model._meta.model_name

    @classmethod
    def slug(cls):
        if cls.api_name:
            return cls.api_name
        return str(cls.model._meta.verbose_name_plural).replace(' ', '-').lower()

    @classmethod
    def is_tree(cls):
        return issubclass(cls.model, MPTTModel)

    @classmethod
    def has_tags(cls):
        from netbox.models import has_tag_manager

        return has_tag_manager(cls.model)

    @classmethod
    def has_custom_fields(cls):
        return any(f.name == 'custom_field_data' for f in cls.model._meta.get_fields())

    @classmethod
    def model_fields(cls):
        """The model's own fields that the API exposes, in declaration order (m2m after concrete)."""
        opts = cls.model._meta
        names = []
        for field in list(opts.concrete_fields) + list(opts.many_to_many):
            if field.name in INTERNAL_FIELDS or field.name in cls.exclude or field.name == opts.pk.name:
                continue
            if field.name in TRAILING_FIELDS or isinstance(field, models.AutoField):
                continue
            names.append(field.name)
        for field in opts.private_fields:  # generic foreign keys
            if hasattr(field, 'fk_field') and field.name not in cls.exclude:
                names.append(field.name)
        return names

    @classmethod
    def rest_fields(cls):
        """Every REST field, in order."""
        head = ['id', 'url', 'display_url', 'display']
        body = list(cls.fields) if cls.fields is not None else cls.model_fields()
        body += [name for name in cls.serializer_fields if name not in body]
        tail = []
        if cls.has_tags():
            tail.append('tags')
        if cls.has_custom_fields():
            tail.append('custom_fields')
        for name in ('created', 'last_updated'):
            if any(f.name == name for f in cls.model._meta.concrete_fields):
                tail.append(name)
        tail += list(cls.counts)
        if cls.is_tree():
            tail.append('_depth')
        seen, out = set(cls.exclude) | set(cls.write_only), []
        for name in head + body + tail:
            if name not in seen:
                seen.add(name)
                out.append(name)
        return out

    @classmethod
    def brief_fields(cls):
        fields = list(cls.brief_head) + list(cls.brief)
        if cls.is_tree() and '_depth' not in fields:
            fields.append('_depth')
        return fields

    @classmethod
    def nested_fields(cls):
        """The representation of this model nested inside another object: brief, without counters."""
        if cls.nested is not None:
            return list(cls.nested)
        return [name for name in cls.brief_fields() if name not in cls.counts]

    @classmethod
    def nested_self_fields(cls):
        """The representation of this model inside an object of the same model: never recursive."""
        if cls.nested_self is not None:
            return list(cls.nested_self)
        out = []
        for name in cls.nested_fields():
            try:
                field = cls.model._meta.get_field(name)
            except Exception:
                out.append(name)
                continue
            if not (field.is_relation and field.related_model is cls.model):
                out.append(name)
        return out

    @classmethod
    def table_columns(cls):
        if cls.table is not None:
            return list(cls.table)
        preferred = [name for name in cls.rest_fields() if name not in (
            'id', 'url', 'display_url', 'display', 'comments', 'custom_fields', 'created', 'last_updated', '_depth')]
        return preferred[:8]

    # The derived pieces, built once and cached.
    @classmethod
    def serializer(cls, brief=False):
        from netbox.api.serializers import serializer_for

        return serializer_for(cls, brief=brief)

    @classmethod
    def filterset(cls):
        from netbox.filtersets import filterset_for

        return filterset_for(cls)


def _model_features():
    """{feature: {app_label: [model names]}} of the declared models (computed: what the models really have)."""
    from netbox.models import ChangeLoggedModel

    tests = {
        'change_logging': lambda d: issubclass(d.model, ChangeLoggedModel),
        'contacts': lambda d: bool(d.contacts),
        'custom_fields': lambda d: d.has_custom_fields(),
        'tags': lambda d: d.has_tags(),
    }
    features = {}
    for feature, test in tests.items():
        features[feature] = {}
        for declaration in registry:
            if test(declaration):
                features[feature].setdefault(declaration.app_label(), []).append(declaration.model_name())
    return features


def _models():
    """{app_label: {model names}} of the declared models."""
    out = {}
    for declaration in registry:
        out.setdefault(declaration.app_label(), set()).add(declaration.model_name())
    return out


class Registry:
    """
    Every declaration, by model label ('tenancy.tenant'): iterating the registry gives the declarations.

    It is also NetBox's application registry: `registry['<store>']` is one of the stores below (dict-like; a store
    can be neither replaced nor deleted, its contents may be changed):

    - plugins: what the installed plugins registered (netbox.plugins): installed, menus, menu_items,
      template_extensions, graphql_schemas, search_indexes;
    - plugin_menu_items, plugin_template_extensions: the same dicts as plugins' menu_items and template_extensions
      (the names NetBox's older releases used);
    - views: views registered with utilities.views.register_model_view: {app_label: {model_name: [entry]}};
    - model_features: {feature: {app_label: [model names]}}, models: {app_label: {model names}}; both computed from
      the declarations once the apps are loaded.
    """

    _computed = {'model_features': _model_features, 'models': _models}

    def __init__(self):
        self.declarations = {}
        self._stores = stores.STORES

    def __getitem__(self, name):
        if name not in self._stores and name in self._computed:
            value = self._computed[name]()
            if not apps.ready:  # declarations are still being registered: don't keep a partial store
                return value
            self._stores[name] = value
        try:
            return self._stores[name]
        except (KeyError, TypeError):
            raise KeyError(f'Invalid store: {name}') from None

    def __setitem__(self, name, value):
        raise TypeError('Cannot add stores to registry after initialization')

    def __delitem__(self, name):
        raise TypeError('Cannot delete stores from registry')

    def stores(self):
        """The names of the stores."""
        return sorted({*self._stores, *self._computed})

    def register(self, declaration):
        label = declaration.model._meta.label_lower
        if label in self.declarations:
            raise ValueError(f'{label} is declared twice')
        self.declarations[label] = declaration
        declaration.model._declaration = declaration
        return declaration

    def __iter__(self):
        return iter(self.declarations.values())

    def __len__(self):
        return len(self.declarations)

    def get(self, model_or_label):
        if isinstance(model_or_label, str):
            return self.declarations.get(model_or_label.lower())
        # A proxy model may be declared itself (core.ObjectType over ContentType); else its concrete model counts.
        return self.declarations.get(model_or_label._meta.label_lower) or \
            self.declarations.get(model_or_label._meta.concrete_model._meta.label_lower)

    def for_app(self, app_label):
        return [d for d in self.declarations.values() if d.app_label() == app_label]

    @property
    def apps(self):
        return sorted({d.app_label() for d in self.declarations.values()})


registry = Registry()


def registered_views(app_label, model_name, detail=None):
    """The views registered for a model with utilities.views.register_model_view (only detail or list views when
    `detail` is given): [{'name', 'view', 'path', 'detail', 'kwargs'}]."""
    entries = registry['views'].get(app_label, {}).get(model_name, [])
    return [entry for entry in entries if detail is None or entry['detail'] == detail]


def declare(declaration):
    """Class decorator: register a Declaration subclass."""
    return registry.register(declaration)


def is_plugin_app(app_label):
    """Whether `app_label` is an installed plugin's (netbox.plugins), whose URLs live under /plugins/."""
    return app_label in registry['plugins']['installed']


def ui_namespace(app_label):
    """The URL namespace of an app's UI pages: 'dcim', or 'plugins:<app>' for a plugin's (NetBox's names)."""
    return f'plugins:{app_label}' if is_plugin_app(app_label) else app_label


def api_namespace(app_label):
    """The URL namespace of an app's REST endpoints: 'dcim-api', or 'plugins-api:<app>-api' for a plugin's."""
    return f'plugins-api:{app_label}-api' if is_plugin_app(app_label) else f'{app_label}-api'


# NetBox-style classes a plugin defines (serializers, viewsets, filter sets, tables, forms, list views), recorded as
# they are defined and turned into its models' declarations by netbox.plugins.adapters: {kind: [class, ...]}.
netbox_style_pieces = {}


def record_piece(kind, cls):
    """Note a NetBox-style class defined for a model (see netbox.plugins.adapters)."""
    netbox_style_pieces.setdefault(kind, []).append(cls)
