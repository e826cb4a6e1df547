"""manage.py runscript module.Class [--data JSON] [--commit] [--user NAME]: run a custom script now, in this
process, and print its log; the exit status is 1 when the run does not complete."""
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = 'Run a custom script (module.Class) synchronously and print its log'

    def add_arguments(self, parser):
        parser.add_argument('script', help='The script as module.Class (the module\'s path under SCRIPTS_ROOT)')
        parser.add_argument('--data', default='{}', help='The variables as a JSON object')
        parser.add_argument('--commit', action='store_true', help='Keep the changes (rolled back otherwise)')
        parser.add_argument('--user', help='Run as this user (held to their permissions)')

    def handle(self, *args, **options):
        from extras.scripts import discover_modules, find_script

        from ._scriptrun import resolve_user, run_now

        try:
            data = json.loads(options['data'])
        except json.JSONDecodeError as error:
            raise CommandError(f'--data is not valid JSON: {error}')
        if not isinstance(data, dict):
            raise CommandError('--data must be a JSON object.')
        with transaction.atomic():
            discover_modules()
        script = find_script(options['script'])
        if script is None or not script.is_executable:
            raise CommandError(f'No script {options["script"]}.')
        job = run_now(self, script, resolve_user(options['user']), data, options['commit'])
        if job.status != 'completed':
            sys.exit(1)
