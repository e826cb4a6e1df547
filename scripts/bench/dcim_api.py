#!/usr/bin/env python
"""
Benchmark two DCIM REST operations against a throw-away database.

    venv/bin/python scripts/bench/dcim_api.py [--creates 20] [--lists 10] [--keep-db]

(a) POST /api/dcim/devices/ for a device type with 48 interface templates (so each create also makes 48
    interfaces): the median time of --creates requests;
(b) GET /api/dcim/interfaces/?limit=1000 over 1,000+ interfaces: the median time of --lists requests, in full and
    in brief form.

Requests go through Django's test client (the full middleware, authentication and serializer stack, without a
web server). The database (BENCH_DB_NAME, default netbox_bench) is created, migrated, and dropped at the end;
the PostgreSQL server and Redis are those of the usual configuration (DB_HOST, DB_USER, ... environment
variables). See scripts/bench/README.md.
"""
import argparse
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = os.environ.get('BENCH_DB_NAME', 'netbox_bench')
INTERFACES_PER_DEVICE = 48
LIST_SIZE = 1000


def configure_django():
    """Point the settings at the bench database, then set Django up."""
    sys.path.insert(0, str(ROOT / 'netbox'))
    os.environ['DB_NAME'] = DB_NAME
    os.environ.setdefault('NETBOX_CONFIGURATION', 'netbox.configuration_testing')
    os.environ['DJANGO_SETTINGS_MODULE'] = 'netbox.settings_testing'
    import django
    from django.conf import settings

    django.setup()
    # Cached values (configuration, custom fields) stay apart from other users of the same Redis database.
    settings.CACHES['default']['KEY_PREFIX'] = f'{DB_NAME}-{os.getpid()}'


def admin_connection():
    """A connection to the server's maintenance database, for CREATE/DROP DATABASE."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES['default']
    return psycopg.connect(dbname='postgres', user=db['USER'], password=db['PASSWORD'] or None, host=db['HOST'],
                           port=db['PORT'], autocommit=True)


def create_database():
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database():
    from django.db import connections

    connections.close_all()
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def migrate():
    from django.core.management import call_command

    call_command('migrate', verbosity=0, interactive=False)


def api_client():
    """A test client authenticated as a new superuser through an API token."""
    from netbox.testing import client_for
    from users.models import User

    user = User.objects.create_superuser('bench', 'bench@example.com', 'Bench-pass-123')
    return client_for(user)


def fixtures():
    """What a device needs: a site, a role, and a type with 48 interface templates."""
    from dcim.models import DeviceRole, DeviceType, InterfaceTemplate, Manufacturer, Site

    site = Site.objects.create(name='Bench site', slug='bench-site')
    role = DeviceRole.objects.create(name='Bench role', slug='bench-role')
    maker = Manufacturer.objects.create(name='Bench maker', slug='bench-maker')
    device_type = DeviceType.objects.create(manufacturer=maker, model='Switch 48', slug='switch-48')
    InterfaceTemplate.objects.bulk_create([
        InterfaceTemplate(device_type=device_type, name=f'eth{n}', type='1000base-t')
        for n in range(1, INTERFACES_PER_DEVICE + 1)])
    return site, role, device_type


def timed(call):
    """(seconds, database queries, result) of one call. Queries are counted with an execute wrapper, which has no
    limit (CaptureQueriesContext keeps only the last 9,000, fewer than a big bulk write makes)."""
    from django.db import connection

    calls = []

    def count(execute, sql, params, many, context):
        calls.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
    return elapsed, len(calls), result


@contextmanager
def throwaway_database(keep=False):
    """Create and migrate the bench database; drop it afterwards (unless `keep`), also when a step fails."""
    print(f'Creating and migrating database {DB_NAME}...', flush=True)
    create_database()
    try:
        migrate()
        yield
    finally:
        if keep:
            print(f'Database {DB_NAME} kept.')
        else:
            drop_database()
            print(f'Database {DB_NAME} dropped.')


def bench_creates(client, site, role, device_type, count):
    samples = []
    for n in range(count):
        payload = {'name': f'bench-{n}', 'site': site.pk, 'role': role.pk, 'device_type': device_type.pk}
        elapsed, queries, response = timed(lambda body=payload: client.post('/api/dcim/devices/', body,
                                                                            format='json'))
        if response.status_code != 201:
            raise SystemExit(f'POST /api/dcim/devices/ failed ({response.status_code}): {response.content[:500]}')
        samples.append((elapsed, queries))
    return samples


def bench_lists(client, count, **params):
    samples = []
    query = {'limit': LIST_SIZE, **params}
    timed(lambda: client.get('/api/dcim/interfaces/', query))  # warm caches (content types, custom fields)
    for _ in range(count):
        elapsed, queries, response = timed(lambda: client.get('/api/dcim/interfaces/', query))
        if response.status_code != 200:
            raise SystemExit(f'GET /api/dcim/interfaces/ failed ({response.status_code}): {response.content[:500]}')
        rows = len(response.json()['results'])
        samples.append((elapsed, queries))
    return samples, rows


def ensure_interfaces(site, role, device_type, wanted):
    """Add devices (48 interfaces each, through the model) until there are `wanted` interfaces."""
    from dcim.models import Device, Interface

    n = 0
    while Interface.objects.count() < wanted:
        Device.objects.create(name=f'filler-{n}', site=site, role=role, device_type=device_type)
        n += 1


def report(label, samples, extra=''):
    times = [elapsed * 1000 for elapsed, _ in samples]
    queries = sorted({count for _, count in samples})
    print(f'{label:<44} median {statistics.median(times):8.1f} ms   min {min(times):8.1f} ms   '
          f'max {max(times):8.1f} ms   queries {"/".join(map(str, queries))}{extra}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--creates', type=int, default=20, help='device creations to time (default 20)')
    parser.add_argument('--lists', type=int, default=10, help='interface list requests to time (default 10)')
    parser.add_argument('--keep-db', action='store_true', help=f'leave the {DB_NAME} database in place')
    args = parser.parse_args()
    if args.creates < 1 or args.lists < 1:
        parser.error('--creates and --lists must be at least 1')

    configure_django()
    with throwaway_database(keep=args.keep_db):
        client = api_client()
        site, role, device_type = fixtures()

        creates = bench_creates(client, site, role, device_type, args.creates)
        ensure_interfaces(site, role, device_type, LIST_SIZE)
        full, rows = bench_lists(client, args.lists)
        brief, _ = bench_lists(client, args.lists, brief=1)

        print()
        report(f'(a) POST device with {INTERFACES_PER_DEVICE} interfaces (n={args.creates})', creates)
        report(f'(b) GET {rows} interfaces (n={args.lists})', full)
        report(f'    GET {rows} interfaces, brief (n={args.lists})', brief)

if __name__ == '__main__':
    main()
