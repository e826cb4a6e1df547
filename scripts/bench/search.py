#!/usr/bin/env python
"""
Benchmark `?q=` searches of REST lists against a throw-away database.

    venv/bin/python scripts/bench/search.py [--runs 7] [--keep-db | --reuse-db] [--explain]

Builds 1,000 devices with 48 interfaces each (48,000 interfaces), 10,000 prefixes, 50,000 IP addresses and 1,000
ASNs with bulk inserts, then times `GET /api/<list>/?q=<term>&limit=50` for a few terms per list (selective, broad,
short, through a relation, numeric or network) and reports the median. Then the global search: `manage.py reindex`
fills the cached search index from those rows (timed), and the global search (netbox.cached_search, as the search
page runs it) is timed for a few terms and lookups, for a superuser and for a user whose view permission is
constrained (to devices of one name prefix), with its query count. --explain prints EXPLAIN ANALYZE of the
slowest SQL statement of each request. Requests go through Django's test client with an API token, like
dcim_api.py, whose database helpers it shares; the database is BENCH_DB_NAME (default netbox_bench_search).
--reuse-db keeps an existing, already built database (and keeps it at the end), for repeated runs.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault('BENCH_DB_NAME', 'netbox_bench_search')

import dcim_api as bench  # noqa: E402  (shares the throw-away database helpers)

DEVICES = 1000
INTERFACES_PER_DEVICE = 48
PREFIXES = 10_000
ADDRESSES = 50_000
ASNS = 1000
LIMIT = 50

# (list path, term, what the term exercises)
SEARCHES = [
    ('/api/dcim/interfaces/', 'uplink-0420', 'few rows (description)'),
    ('/api/dcim/interfaces/', 'eth47', 'one per device (name)'),
    ('/api/dcim/interfaces/', 'Ethernet', 'every row (label)'),
    ('/api/dcim/interfaces/', 'zzqx', 'no row'),
    ('/api/dcim/interfaces/', 'e', 'short term, 1 character'),
    ('/api/dcim/interfaces/', '47', 'short term, 2 characters'),
    ('/api/dcim/devices/', 'sw-0420', 'one row (name)'),
    ('/api/dcim/devices/', 'SN00042', 'ten rows (serial)'),
    ('/api/dcim/devices/', 'sw-', 'every row'),
    ('/api/ipam/prefixes/', 'customer 0042', 'ten rows (description)'),
    ('/api/ipam/prefixes/', 'blue', 'through the VRF name'),
    ('/api/ipam/prefixes/', '10.1.2', 'address text prefix'),
    ('/api/ipam/prefixes/', '10.1.2.0/24', 'network (containment)'),
    ('/api/ipam/ip-addresses/', 'host-04242', 'one row (DNS name)'),
    ('/api/ipam/ip-addresses/', '172.16.42', 'address text prefix'),
    ('/api/ipam/ip-addresses/', '172.16.42.7', 'one address'),
    ('/api/ipam/asns/', '65042', 'numeric'),
    ('/api/ipam/asns/', 'transit', 'text'),
    ('/api/dcim/rack-reservations/', 'rack-1', 'through the rack name'),
]


def build():
    """Every row with bulk inserts (no signals: the rows are plain data for searching)."""
    import netaddr

    from dcim.models import Device, DeviceRole, DeviceType, Interface, Manufacturer, Rack, RackReservation, Site
    from ipam.models import ASN, RIR, VRF, IPAddress, Prefix
    from users.models import User

    site = Site.objects.create(name='Bench site', slug='bench-site')
    role = DeviceRole.objects.create(name='Bench role', slug='bench-role')
    maker = Manufacturer.objects.create(name='Bench maker', slug='bench-maker')
    device_type = DeviceType.objects.create(manufacturer=maker, model='Switch 48', slug='switch-48')
    devices = Device.objects.bulk_create([
        Device(name=f'sw-{n:04d}', site=site, role=role, device_type=device_type, serial=f'SN{n:06d}',
               asset_tag=f'AT{n:06d}', description=f'access switch {n % 40}', comments='Installed by the bench.')
        for n in range(DEVICES)], batch_size=1000)
    interfaces = []
    for n, device in enumerate(devices):
        for port in range(1, INTERFACES_PER_DEVICE + 1):
            uplink = port > INTERFACES_PER_DEVICE - 2
            interfaces.append(Interface(
                device=device, name=f'eth{port}', label=f'Ethernet {port}', type='1000base-t',
                description=f'uplink-{n:04d}-{port}' if uplink else ''))
    Interface.objects.bulk_create(interfaces, batch_size=5000)

    racks = Rack.objects.bulk_create([Rack(name=f'rack-{n}', site=site) for n in range(100)])
    user = User.objects.create_user('reserver')
    RackReservation.objects.bulk_create([
        RackReservation(rack=rack, units=[1], user=user, description='reserved') for rack in racks])

    vrfs = VRF.objects.bulk_create([VRF(name=name) for name in ('red', 'blue', 'green')])
    prefixes = []
    for n in range(PREFIXES):
        network = netaddr.IPNetwork(f'10.{n // 256}.{n % 256}.0/24')
        prefixes.append(Prefix(prefix=network, vrf=vrfs[n % 4] if n % 4 < 3 else None,
                               description=f'customer {n // 10:04d}'))
    Prefix.objects.bulk_create(prefixes, batch_size=5000)
    addresses = []
    for n in range(ADDRESSES):
        host = netaddr.IPAddress(int(netaddr.IPAddress('172.16.0.1')) + n)
        addresses.append(IPAddress(address=netaddr.IPNetwork(f'{host}/16'), dns_name=f'host-{n:05d}.example.com'))
    IPAddress.objects.bulk_create(addresses, batch_size=5000)
    rir = RIR.objects.create(name='Bench RIR', slug='bench-rir')
    ASN.objects.bulk_create([ASN(asn=65000 + n, rir=rir, description='transit' if n % 10 == 0 else 'peer')
                             for n in range(ASNS)])
    from django.core.management import call_command

    call_command('rebuild_prefixes', verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute('VACUUM ANALYZE')


# (term, lookup, what the term exercises)
GLOBAL_SEARCHES = [
    ('sw-0420', 'icontains', 'one device, partial'),
    ('sw-0420', 'iexact', 'one device, exact'),
    ('uplink-0420', 'icontains', 'few interfaces'),
    ('eth47', 'iexact', 'one interface per device'),
    ('host-0424', 'icontains', 'ten IP addresses'),
    ('customer 0042', 'icontains', 'ten prefixes'),
    ('ethernet', 'icontains', 'every interface (48,000)'),
    ('^sw-04[0-9]0$', 'iregex', 'regular expression'),
    ('zzqx', 'icontains', 'nothing'),
]


def bench_global(runs):
    """Reindex, then time the global search as a superuser and as a constrained user."""
    import io

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dcim.models import Device
    from extras.models import CachedValue
    from netbox.ui.search import search_all
    from users.models import ObjectPermission, User

    started = time.perf_counter()
    out = io.StringIO()
    call_command('reindex', verbosity=1, stdout=out)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute('VACUUM ANALYZE extras_cachedvalue')
    print(f'\nreindex: {out.getvalue().strip().splitlines()[-1]} ({seconds:.1f} s wall, '
          f'{CachedValue.objects.count()} rows)')
    admin = User.objects.filter(username='global-admin').first() or \
        User.objects.create_superuser('global-admin', 'g@example.com', 'x')
    limited = User.objects.filter(username='global-limited').first() or User.objects.create_user('global-limited')
    if not ObjectPermission.objects.filter(name='bench devices sw-04').exists():
        permission = ObjectPermission.objects.create(name='bench devices sw-04', actions=['view'],
                                                     constraints={'name__startswith': 'sw-04'})
        permission.object_types.set([ContentType.objects.get_for_model(Device)])
        permission.users.add(limited)
    print(f'\n{"global search":<16} {"lookup":<10} {"what":<26} {"user":<8} {"median":>9} {"found":>6} {"queries":>7}')
    for term, lookup, what in GLOBAL_SEARCHES:
        for user, name in ((admin, 'admin'), (limited, 'limited')):
            user = User.objects.get(pk=user.pk)  # permissions read afresh, as per request
            search_all(user, term, lookup=lookup)  # warm
            times = []
            for _ in range(runs):
                user = User.objects.get(pk=user.pk)
                with CaptureQueriesContext(connection) as queries:
                    begun = time.perf_counter()
                    groups = search_all(user, term, lookup=lookup)
                    times.append((time.perf_counter() - begun) * 1000)
            found = sum(total for _, _, total in groups)
            print(f'{term:<16} {lookup:<10} {what:<26} {name:<8} {statistics.median(times):7.1f} ms {found:>6} '
                  f'{len(queries.captured_queries):>7}', flush=True)


def explain(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'EXPLAIN (ANALYZE, COSTS OFF, TIMING ON, BUFFERS OFF) {sql}')
        return '\n'.join(row[0] for row in cursor.fetchall())


def bench_search(client, path, term, runs, show_plan):
    """(median ms, count, queries, slowest statement's SQL and its ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = {'q': term, 'limit': LIMIT}
    client.get(path, params)  # warm caches
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f'GET {path}?q={term} failed ({response.status_code}): {response.content[:500]}')
    slowest = max(queries.captured_queries, key=lambda q: float(q['time']))
    plan = explain(slowest['sql']) if show_plan else None
    return statistics.median(times), response.json()['count'], len(queries.captured_queries), slowest, plan


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--runs', type=int, default=7, help='requests timed per search (default 7)')
    parser.add_argument('--keep-db', action='store_true', help=f'leave the {bench.DB_NAME} database in place')
    parser.add_argument('--reuse-db', action='store_true', help='use the database as built by an earlier run')
    parser.add_argument('--explain', action='store_true', help="EXPLAIN ANALYZE each request's slowest statement")
    parser.add_argument('--only', help='only the lists whose path contains this')
    parser.add_argument('--global-only', action='store_true', help='only the global search (and the reindex)')
    args = parser.parse_args()

    bench.configure_django()
    reuse = args.reuse_db and database_exists()
    if not reuse:
        print(f'Creating, migrating and filling database {bench.DB_NAME}...', flush=True)
        bench.create_database()
    try:
        if not reuse:
            bench.migrate()
            started = time.perf_counter()
            build()
            print(f'Built the rows in {time.perf_counter() - started:.1f} s.')
        else:
            bench.migrate()  # applies new migrations, recreates missing search indexes
        from users.models import User

        User.objects.filter(username='bench').delete()
        client = bench.api_client()
        print(f'\n{"list":<30} {"q":<14} {"what":<28} {"median":>9} {"count":>6} {"queries":>7} {"slowest SQL":>11}')
        for path, term, what in SEARCHES:
            if args.global_only or (args.only and args.only not in path):
                continue
            median, count, queries, slowest, plan = bench_search(client, path, term, args.runs, args.explain)
            print(f'{path:<30} {term:<14} {what:<28} {median:7.1f} ms {count:>6} {queries:>7} '
                  f'{float(slowest["time"]) * 1000:8.1f} ms', flush=True)
            if plan:
                print('\n'.join(f'    | {line[:160]}' for line in plan.splitlines()), flush=True)
        bench_global(args.runs)
    finally:
        if args.keep_db or args.reuse_db:
            print(f'Database {bench.DB_NAME} kept.')
        else:
            bench.drop_database()
            print(f'Database {bench.DB_NAME} dropped.')


def database_exists():
    with bench.admin_connection() as conn:
        return conn.execute('SELECT 1 FROM pg_database WHERE datname = %s', [bench.DB_NAME]).fetchone() is not None


if __name__ == '__main__':
    main()
