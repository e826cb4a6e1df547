"""
Plugins: Python packages named in PLUGINS (configuration.py) that add models, pages, API endpoints, menu entries,
page content, search indexes, GraphQL queries and event handlers.

A plugin's package exposes `config`, a `PluginConfig` subclass (a Django AppConfig). At start-up
(`load_plugins()`, called by settings.py) each plugin is imported and checked against its version range and
required settings (a clear ImproperlyConfigured naming the plugin otherwise), its default settings are merged into
PLUGINS_CONFIG, and its apps, middleware and queues are added to the settings. Once Django is ready
(`PluginConfig.ready()`), its models are declared (natively, in `<plugin>.declarations`, or derived from the
NetBox-style serializers, filter sets, tables, forms and search indexes it defines: netbox.plugins.adapters) and
its resources (menu, template extensions, GraphQL schema, events pipeline) are registered.
"""
import importlib
import re

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from netbox.stores import STORES

from .navigation import PluginMenu, PluginMenuButton, PluginMenuItem
from .templates import PluginTemplateExtension
from .utils import get_installed_plugins, get_plugin_config

__all__ = (
    'PluginConfig',
    'PluginMenu',
    'PluginMenuButton',
    'PluginMenuItem',
    'PluginTemplateExtension',
    'get_installed_plugins',
    'get_plugin_config',
    'load_plugins',
)

# Where a plugin's resources are found when its config names no other path (relative to the plugin's package).
DEFAULT_RESOURCE_PATHS = {
    'search_indexes': 'search.indexes',
    'graphql_schema': 'graphql.schema',
    'menu': 'navigation.menu',
    'menu_items': 'navigation.menu_items',
    'template_extensions': 'template_content.template_extensions',
}

# What installed plugins registered, filled by PluginConfig.ready(): the registry's 'plugins' store (one copy).
plugin_registry = STORES['plugins']


def version_tuple(text):
    """'4.7.3' -> (4, 7, 3); a suffix such as '-beta1' or 'rc1' is ignored."""
    parts = re.match(r'^\s*v?(\d+(?:\.\d+)*)', str(text))
    if parts is None:
        raise ImproperlyConfigured(f'{text!r} is not a version number.')
    numbers = [int(part) for part in parts.group(1).split('.')]
    return tuple(numbers + [0] * (3 - len(numbers)))


class PluginConfig(AppConfig):
    """The configuration of a plugin: subclass it in the plugin's package and expose it as `config`."""

    default_auto_field = 'django.db.models.BigAutoField'

    # Shown in /api/plugins/installed-plugins/ and the status.
    author = ''
    author_email = ''
    description = ''
    version = ''
    release_track = ''
    # The URL segment under /plugins/ and /api/plugins/ (the app label when unset).
    base_url = None
    # The NetBox versions the plugin supports (inclusive).
    min_version = None
    max_version = None
    # Settings of the plugin (PLUGINS_CONFIG['<plugin>']): defaults, and those the user must give.
    default_settings = {}
    required_settings = []
    # Middleware (dotted paths) appended to MIDDLEWARE; RQ queues the plugin's jobs use ('<plugin>.<queue>').
    middleware = []
    queues = []
    # Django apps the plugin needs, installed before it.
    django_apps = []
    # Resources, as dotted paths relative to the plugin's package (DEFAULT_RESOURCE_PATHS when None).
    search_indexes = None
    graphql_schema = None
    menu = None
    menu_items = None
    template_extensions = None
    # Callables given the events of every committed transaction (dotted paths, absolute or relative to the
    # plugin's package), appended to EVENTS_PIPELINE.
    events_pipeline = []

    def _load_resource(self, name):
        path = getattr(self, name) or DEFAULT_RESOURCE_PATHS[name]
        module_name, _, attribute = f'{self.__module__}.{path}'.rpartition('.')
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Only the resource's own module may be missing; an import error inside it is the plugin's bug.
            if exc.name and module_name.startswith(exc.name):
                if getattr(self, name):
                    raise ImproperlyConfigured(f'Plugin {self.name}: {name} module {module_name} not found.') \
                        from None
                return None
            raise
        if not hasattr(module, attribute):
            if getattr(self, name):
                raise ImproperlyConfigured(f'Plugin {self.name}: {module_name} has no {attribute!r} ({name}).')
            return None
        return getattr(module, attribute)

    def ready(self):
        from django.conf import settings

        from . import adapters

        super().ready()
        if self.label not in plugin_registry['installed']:
            plugin_registry['installed'].append(self.label)
        # Models first: native declarations, then declarations derived from the NetBox-style pieces.
        adapters.declare_plugin_models(self)

        indexes = self._load_resource('search_indexes') or ()
        from netbox.search import register_search

        for index in indexes:
            register_search(index)
        menu = self._load_resource('menu')
        if menu is not None:
            plugin_registry['menus'].append(menu)
        menu_items = self._load_resource('menu_items')
        if menu_items:
            plugin_registry['menu_items'][str(self.verbose_name)] = tuple(menu_items)
        for extension in self._load_resource('template_extensions') or ():
            register_template_extension(extension, self.name)
        schema = self._load_resource('graphql_schema')
        if schema is not None:
            plugin_registry['graphql_schemas'].extend(schema if isinstance(schema, (list, tuple)) else [schema])
        for path in self.events_pipeline:
            full = self._pipeline_path(path)
            if full not in settings.EVENTS_PIPELINE:
                settings.EVENTS_PIPELINE = [*settings.EVENTS_PIPELINE, full]

    def _pipeline_path(self, path):
        """An events pipeline entry as an absolute dotted path (it may be given relative to the plugin)."""
        if callable(path):
            return f'{path.__module__}.{path.__qualname__}'
        try:
            import_string(path)
            return path
        except ImportError:
            pass
        relative = f'{self.__module__}.{path}'
        try:
            import_string(relative)
        except ImportError:
            raise ImproperlyConfigured(f'Plugin {self.name}: events_pipeline entry {path!r} cannot be imported.') \
                from None
        return relative

    @classmethod
    def validate(cls, user_config, netbox_version):
        """Check the plugin fits this NetBox and its configuration; return the settings with defaults applied."""
        name = cls.__module__
        current = version_tuple(netbox_version)
        if cls.min_version is not None and current < version_tuple(cls.min_version):
            raise ImproperlyConfigured(f'Plugin {name} requires NetBox minimum version {cls.min_version} '
                                       f'(current: {netbox_version}).')
        if cls.max_version is not None and current > version_tuple(cls.max_version):
            raise ImproperlyConfigured(f'Plugin {name} requires NetBox maximum version {cls.max_version} '
                                       f'(current: {netbox_version}).')
        if not isinstance(user_config, dict):
            raise ImproperlyConfigured(f'PLUGINS_CONFIG[{name!r}] must be a dict of settings '
                                       f'(got {type(user_config).__name__}).')
        for setting in cls.required_settings:
            if setting not in user_config:
                raise ImproperlyConfigured(f"Plugin {name} requires '{setting}' to be present in the "
                                           f"PLUGINS_CONFIG section of configuration.py.")
        return {**cls.default_settings, **user_config}


def register_template_extension(extension, plugin_name=''):
    """Hook a PluginTemplateExtension subclass into the pages of the models it names (every page when none)."""
    if not (isinstance(extension, type) and issubclass(extension, PluginTemplateExtension)):
        raise ImproperlyConfigured(f'Plugin {plugin_name}: template extension {extension!r} is not a '
                                   f'PluginTemplateExtension subclass.')
    models = list(extension.models or ())
    if getattr(extension, 'model', None):  # NetBox's older single-model form
        models.append(extension.model)
    for label in models or [None]:
        entries = plugin_registry['template_extensions'].setdefault(label.lower() if label else None, [])
        if extension not in entries:
            entries.append(extension)


def load_plugins(names, plugins_config, netbox_version):
    """
    Import and check the plugins named in PLUGINS. Returns what settings.py adds: {'apps': [INSTALLED_APPS
    entries], 'middleware': [...], 'queues': [queue names], 'config': PLUGINS_CONFIG with defaults applied}.
    Raises ImproperlyConfigured (one line, naming the plugin) when a plugin can't be used.
    """
    out = {'apps': [], 'middleware': [], 'queues': [], 'config': dict(plugins_config or {})}
    if not isinstance(out['config'], dict):
        raise ImproperlyConfigured('PLUGINS_CONFIG in configuration.py must be a dict of {plugin name: settings}.')
    for name in names:
        if not isinstance(name, str):
            raise ImproperlyConfigured(f'PLUGINS entries must be module names; got {name!r}.')
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                raise ImproperlyConfigured(f'Unable to import plugin {name}: Module not found. Check that the plugin '
                                           f'module has been installed within the correct Python environment.') \
                    from None
            raise
        config = getattr(module, 'config', None)
        if config is None:
            raise ImproperlyConfigured(f"Plugin {name} does not provide a 'config' variable. This should be defined "
                                       f"in the plugin's __init__.py file and point to the PluginConfig subclass.")
        if not (isinstance(config, type) and issubclass(config, PluginConfig)):
            raise ImproperlyConfigured(f'Plugin {name}: its config must be a subclass of '
                                       f'netbox.plugins.PluginConfig.')
        out['config'][name] = config.validate(out['config'].get(name, {}), netbox_version)
        for app in config.django_apps:
            if app not in out['apps']:
                out['apps'].append(app)
        out['apps'].append(f'{config.__module__}.{config.__name__}')
        out['middleware'].extend(config.middleware)
        out['queues'].extend(f'{name}.{queue}' for queue in config.queues)
    return out
