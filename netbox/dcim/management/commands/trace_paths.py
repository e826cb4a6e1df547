"""Recompute every cable path from scratch (run by upgrade.sh; safe to run at any time)."""
from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from dcim.cabling import ENDPOINT_MODELS, rebuild_all


class Command(BaseCommand):
    help = 'Recompute the cable paths of every cabled endpoint.'

    def add_arguments(self, parser):
        parser.add_argument('--no-input', '--noinput', action='store_true', dest='no_input',
                            help='Do not ask for confirmation.')

    def handle(self, *args, **options):
        from django.apps import apps

        total = sum(apps.get_model('dcim', name).objects.filter(cable__isnull=False).count()
                    for name in ENDPOINT_MODELS)
        if not options['no_input'] and total:
            answer = input(f'Recompute the paths of {total} cabled endpoints? [y/N] ')
            if answer.strip().lower() not in ('y', 'yes'):
                self.stdout.write('Nothing done.')
                return
        quiet = options['verbosity'] == 0
        with tqdm(total=total, unit='endpoint', disable=quiet, file=self.stderr._out) as bar, transaction.atomic():
            built = rebuild_all(progress=bar.update)
        if not quiet:
            self.stdout.write(self.style.SUCCESS(f'Built {built} cable paths for {total} endpoints.'))
