"""Create the search indexes the declarations ask for and drop stale ones (run by upgrade.sh and after migrate)."""
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from netbox.search import sync_search_indexes


class Command(BaseCommand):
    help = ('Create the indexes that `q=` searches use (pg_trgm and GiST, derived from the declarations), and drop '
            'the ones no declaration asks for any more.')

    def add_arguments(self, parser):
        parser.add_argument('--concurrently', action='store_true',
                            help='Build without blocking writes (slower; for a live installation).')
        parser.add_argument('--rebuild', action='store_true', help='Drop and recreate every search index.')
        parser.add_argument('--check', action='store_true',
                            help='Change nothing; exit with status 1 when an index is missing or stale.')
        parser.add_argument('--database', default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        verbose = options['verbosity'] >= 2
        report = sync_search_indexes(
            using=options['database'], concurrently=options['concurrently'], rebuild=options['rebuild'],
            dry_run=options['check'], log=self.stdout.write if verbose or options['check'] else None)
        if options['check']:
            if report.created or report.dropped:
                raise CommandError(f'{len(report.created)} search indexes missing, {len(report.dropped)} stale: '
                                   'run manage.py sync_search_indexes.')
            self.stdout.write(f'{len(report.kept)} search indexes in place.')
            return
        if report.skipped:
            self.stderr.write(f'{len(report.skipped)} trigram indexes skipped: the pg_trgm extension is missing '
                              '(run manage.py migrate).')
        if options['verbosity'] >= 1:
            self.stdout.write(str(report))
