"""Recompute every prefix's depth and child count (run by upgrade.sh; safe to run at any time)."""
from django.core.management.base import BaseCommand
from django.db import transaction

from ipam.hierarchy import rebuild
from ipam.models import Prefix


class Command(BaseCommand):
    help = 'Recompute the depth and child count of every prefix, one VRF (and the global table) at a time.'

    def handle(self, *args, **options):
        quiet = options['verbosity'] == 0
        total = Prefix.objects.count()

        def progress(name, changed):
            if not quiet:
                self.stdout.write(f'  {name}: {changed} prefixes updated', ending='\n')
                self.stdout.flush()

        if not quiet:
            self.stdout.write(f'Rebuilding the hierarchy of {total} prefixes...')
        with transaction.atomic():
            changed = rebuild(progress=progress)
        if not quiet:
            self.stdout.write(self.style.SUCCESS(f'Done: {changed} of {total} prefixes changed.'))
