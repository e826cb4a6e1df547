"""manage.py runreport module[.Class] ...: run legacy reports now (every report of a module, or one), printing
their logs; the exit status is 1 when any fails."""
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = 'Run reports (module or module.Class) synchronously and print their logs'

    def add_arguments(self, parser):
        parser.add_argument('reports', nargs='+', help='module (all its reports) or module.Class')
        parser.add_argument('--user', help='Run as this user (held to their permissions)')

    def handle(self, *args, **options):
        from extras.models import Script
        from extras.scripts import discover_modules, find_script

        from ._scriptrun import resolve_user, run_now

        with transaction.atomic():
            discover_modules()
        user = resolve_user(options['user'])
        failed = False
        for name in options['reports']:
            scripts = [script for script in Script.objects.select_related('module').filter(is_executable=True)
                       if script.module.python_name == name]
            if not scripts:
                script = find_script(name)
                scripts = [script] if script is not None and script.is_executable else []
            if not scripts:
                raise CommandError(f'No report {name}.')
            for script in scripts:
                job = run_now(self, script, user, {}, False)
                failed = failed or job.status != 'completed'
        if failed:
            sys.exit(1)
