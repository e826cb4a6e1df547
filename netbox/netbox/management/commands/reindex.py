"""Rebuild the global search index (extras.CachedValue) for every searchable model, or those named."""
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from netbox.cached_search import indexed_models, is_cached, reindex_model


class Command(BaseCommand):
    help = ('Rebuild the cached global search index for every model in the global search, or for the models (app.model)'
            ' or apps (app) named.')

    def add_arguments(self, parser):
        parser.add_argument('models', nargs='*', metavar='app_label[.model_name]',
                            help='Models (dcim.device) or apps (dcim) to reindex; all by default.')
        parser.add_argument('--lazy', action='store_true',
                            help='Only the models that have no cached values yet (e.g. after an upgrade).')

    def selected(self, names):
        indexed = indexed_models()
        if not names:
            return indexed
        chosen = []
        for name in names:
            if '.' in name:
                try:
                    model = apps.get_model(name)
                except (LookupError, ValueError) as exc:
                    raise CommandError(f'Unknown model: {name}') from exc
                if model not in indexed:
                    raise CommandError(f'{name} is not in the global search (no declared search fields or menu).')
                found = [model]
            else:
                found = [model for model in indexed if model._meta.app_label == name]
                if not found:
                    raise CommandError(f'No model of app "{name}" is in the global search.')
            chosen.extend(model for model in found if model not in chosen)
        return chosen

    def handle(self, *args, **options):
        models = self.selected(options['models'])
        if options['lazy']:
            models = [model for model in models if not is_cached(model)]
        started = time.monotonic()
        total_objects = total_rows = 0
        quiet = options['verbosity'] < 1
        for model in models:
            count = model._base_manager.count()
            label = model._meta.label_lower
            with tqdm(total=count, desc=label, unit='obj', file=self.stdout._out, disable=quiet,
                      dynamic_ncols=False, ncols=100, leave=True) as bar:
                objects, rows = reindex_model(model, progress=bar.update)
            total_objects += objects
            total_rows += rows
            if options['verbosity'] >= 2:
                self.stdout.write(f'  {label}: {objects} objects, {rows} cached values')
        if not quiet:
            self.stdout.write(f'Reindexed {total_objects} objects of {len(models)} models '
                              f'({total_rows} cached values) in {time.monotonic() - started:.1f} s.')
