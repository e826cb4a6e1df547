#!/usr/bin/env bash
#
# Bring an installation up to date with the code in this checkout: install the Python requirements (skipped when
# requirements.txt is unchanged since the last successful install), apply database migrations, bring the search
# indexes in line with the declarations, trace any missing cable paths, rebuild the prefix hierarchy, collect static
# files, remove stale content types and expired sessions.
#
# Run it after every `git pull`. It uses (and, if needed, creates) the virtual environment in ./venv and reads the
# configuration from netbox/netbox/configuration.py (or the module named by NETBOX_CONFIGURATION). PostgreSQL and
# Redis must already be reachable; scripts/serve starts local ones when they are not.
#
# Plugins and other local packages listed in local_requirements.txt (not tracked by git) are installed too.
#
# Environment: NETBOX_REQUIREMENTS  requirements file to install (default: requirements.txt)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$REPO"
# shellcheck source=scripts/lib/bootstrap.sh
source "$REPO/scripts/lib/bootstrap.sh"

# Only fills in variables that are unset; they matter when configuration.py reads the environment (configuration_env).
nb_export_defaults
requirements="${NETBOX_REQUIREMENTS:-requirements.txt}"
started=$SECONDS

nb_ensure_venv
stamp="$(nb_stamp_file "$REPO/$requirements")"
before="$(cat "$stamp" 2>/dev/null || true)"
nb_install_requirements "$REPO/$requirements"
if [[ $before == "$(cat "$stamp")" ]]; then
    echo "Python requirements: $requirements unchanged since the last install, nothing to do"
else
    echo "Python requirements: installed $requirements"
fi
if [[ -f "$REPO/local_requirements.txt" ]]; then
    nb_install_requirements "$REPO/local_requirements.txt"
    echo "Local requirements (plugins): local_requirements.txt installed"
fi

# All management commands run in one Python process: Django starts once, which keeps a no-op upgrade quick.
"$NB_VENV/bin/python" - <<'PYTHON'
import os
import sys

sys.path.insert(0, 'netbox')
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'netbox.settings')

import django  # noqa: E402

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402

STEPS = [
    ('migrate', ['--no-input'], 'applying database migrations'),
    ('sync_search_indexes', [], 'creating missing search indexes, dropping stale ones'),
    ('trace_paths', ['--no-input'], 'tracing missing cable paths'),
    ('rebuild_prefixes', [], 'rebuilding the prefix hierarchy'),
    ('reindex', ['--lazy'], 'filling the global search index for models not in it yet'),
    ('collectstatic', ['--no-input'], 'collecting static files'),
    ('remove_stale_contenttypes', ['--no-input'], 'removing stale content types'),
    ('clearsessions', [], 'deleting expired sessions'),
]

available = get_commands()
for name, args, what in STEPS:
    if name not in available:
        print(f'Skipped: manage.py {name} (command not available)', flush=True)
        continue
    print(f'Running: manage.py {" ".join([name, *args])} ({what})', flush=True)
    call_command(name, *args)
PYTHON

echo "Upgrade complete in $((SECONDS - started))s."
