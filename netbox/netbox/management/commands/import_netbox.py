"""Copy every object of a running NetBox 4.x into this one over its REST API, then compare each with the source."""
import time

from django.core.management.base import BaseCommand, CommandError

from netbox.importer import Importer, ImportError_


class Command(BaseCommand):
    help = ('Copy every object of a running NetBox 4.x (its REST API at --url, read with --token) into this one, '
            'then compare every copied object with the source. Exits non-zero unless all are equal.')

    def add_arguments(self, parser):
        parser.add_argument('--url', required=True, help='The source NetBox, e.g. https://netbox.example.com')
        parser.add_argument('--token', required=True, help='An API token of the source with read access to all.')
        parser.add_argument('--update', action='store_true',
                            help='Re-run an earlier import: objects copied before (matched by their source IDs) are '
                                 'updated, new ones created.')
        parser.add_argument('--verify', action='store_true', dest='verify_only',
                            help='Only compare the objects copied before with the source.')

    def handle(self, *args, url, token, update, verify_only, verbosity, **options):
        started = time.monotonic()
        importer = Importer(url, token, update=update, verify_only=verify_only, out=self.stdout.write,
                            progress=verbosity > 0)
        try:
            report = importer.run()
        except ImportError_ as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.monotonic() - started
        for line in report.lines():
            self.stdout.write(line)
        created, updated = sum(importer.created.values()), sum(importer.updated.values())
        totals = report.totals()
        timings = ', '.join(f'{name} {seconds:.1f} s' for name, seconds in importer.timings.items())
        rate = totals['source'] / elapsed if elapsed else 0
        self.stdout.write(f'{totals["source"]} source objects; {created} created, {updated} updated; '
                          f'{elapsed:.1f} s ({timings}); {rate:.0f} objects/s.')
        if not report.all_equal or report.failures:
            raise CommandError(f'{totals["source"] - totals["equal"]} of {totals["source"]} objects are not equal to '
                               f'the source ({len(report.failures)} could not be copied).')
        self.stdout.write(self.style.SUCCESS('Every object is equal to the source.'))
