"""
nbshell: an interactive Python shell with every NetBox model already imported.

Each model is available under its class name (`Tenant`) and through a namespace per app (`tenancy.Tenant`), next to
`settings` and `timezone`; `lsmodels()` lists what is there. `-c "code"` runs code and exits, and code piped on
standard input is run the same way.
"""
import code
import os
import platform
import sys
from types import SimpleNamespace

import django
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

# Our apps, in the order the shell lists them; installed plugins follow.
APPS = ('core', 'users', 'extras', 'tenancy', 'dcim', 'ipam', 'circuits', 'virtualization', 'vpn', 'wireless')
HISTORY_FILE = '~/.nbshell_history'


def shell_app_configs():
    """The app configs whose models the shell imports: ours, then those of enabled plugins."""
    configs = []
    for label in APPS:
        try:
            configs.append(apps.get_app_config(label))
        except LookupError:
            continue
    plugins = set(getattr(settings, 'PLUGINS', ()))
    configs.extend(config for config in apps.get_app_configs() if config.name in plugins and config not in configs)
    return configs


def models_by_app():
    """{app label: [model classes]} for every app the shell covers, in a stable order."""
    return {config.label: list(config.get_models()) for config in shell_app_configs()}


def build_namespace():
    """The names the shell starts with: the models, one namespace per app, settings, timezone and lsmodels()."""
    namespace = {'settings': settings, 'timezone': timezone}
    grouped = models_by_app()
    for label, models in grouped.items():
        namespace[label] = SimpleNamespace(**{model.__name__: model for model in models})
    shadowed = set()
    for models in grouped.values():
        for model in models:
            # When two apps use the same class name, the first app keeps the bare name; the other model is still
            # reachable through its app namespace.
            if model.__name__ in namespace:
                shadowed.add(model)
            else:
                namespace[model.__name__] = model

    def lsmodels():
        """Print the available models, grouped by app."""
        for label, models in grouped.items():
            config = apps.get_app_config(label)
            print(f'{config.verbose_name} ({label}):')
            if not models:
                print('  (no models)')
            for model in models:
                suffix = f'  [use {label}.{model.__name__}]' if model in shadowed else ''
                print(f'  {model.__name__}{suffix}')

    namespace['lsmodels'] = lsmodels
    return namespace


def banner():
    return (
        f'### NetBox interactive shell ({platform.node()})\n'
        f'### Python {platform.python_version()} | Django {django.get_version()} | NetBox {settings.VERSION}\n'
        f'### Every model is imported (also per app, e.g. tenancy.Tenant); call lsmodels() to list them.'
    )


def run_code(source, namespace, filename='<command>'):
    """Run `source` (any number of statements) in `namespace`; errors propagate to the caller."""
    exec(compile(source, filename, 'exec'), namespace)


def enable_line_editing(namespace):
    """Tab completion over the shell's names and a persistent history, where readline is available."""
    try:
        import atexit
        import readline
        import rlcompleter
    except ImportError:
        return
    readline.set_completer(rlcompleter.Completer(namespace).complete)
    readline.parse_and_bind('tab: complete')
    history = os.path.expanduser(HISTORY_FILE)
    try:
        readline.read_history_file(history)
    except OSError:
        pass

    def save_history():
        try:
            readline.write_history_file(history)
        except OSError:
            pass

    atexit.register(save_history)


class Command(BaseCommand):
    help = 'Start a Python shell with every NetBox model imported (call lsmodels() to list them).'
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument('-c', '--command', help='Run this code instead of starting an interactive shell.')

    def handle(self, *args, **options):
        namespace = build_namespace()
        if options.get('command'):
            run_code(options['command'], namespace)
            return
        stdin = sys.stdin
        if stdin is not None and not stdin.isatty():
            # Code piped in (`echo "print(Tenant.objects.count())" | manage.py nbshell`): run it and exit.
            source = stdin.read()
            if source.strip():
                run_code(source, namespace, filename='<stdin>')
            return
        enable_line_editing(namespace)
        console = code.InteractiveConsole(locals=namespace)
        console.interact(banner=banner(), exitmsg='')
