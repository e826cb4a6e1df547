#!/usr/bin/env python
"""
Benchmark IPAM REST operations against a throw-away database.

    venv/bin/python scripts/bench/ipam.py [--runs 10] [--keep-db]

(a) GET /api/ipam/prefixes/?limit=1000 over 1,000 prefixes in a hierarchy (children, _depth; utilisation when it
    is served);
(b) GET /api/ipam/prefixes/<id>/available-ips/ on a /16 holding 10,000 addresses (limit 50 and 1,000);
(c) 100 sequential POSTs to that available-ips route, each taking the next free address;
(d) 50 concurrent POSTs to it from 50 threads, against a real HTTP server on 127.0.0.1;
(e) importing 10,000 IP addresses through POST /api/ipam/ip-addresses/ with lists of 1,000.

Each figure comes with its floor, measured in the same run: PostgreSQL alone producing the same rows as JSON (or
inserting the same rows). Requests (a)-(c), (e) go through Django's test client; (d) through a threaded WSGI server.
Uses the database helpers of dcim_api.py; the database is BENCH_DB_NAME (default netbox_bench_ipam).
"""
import argparse
import os
import socketserver
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault('BENCH_DB_NAME', 'netbox_bench_ipam')

import dcim_api as bench  # noqa: E402  (shares the throw-away database helpers)

PREFIXES = 1000
ADDRESSES = 10_000
SEQUENTIAL = 100
CONCURRENT = 50
IMPORT = 10_000
IMPORT_BATCH = 1000
BIG = '10.99.0.0/16'


def sql_timed(sql, params=(), rollback=False):
    """(seconds, result) of one SQL statement run by PostgreSQL alone."""
    from django.db import connection, transaction

    started = time.perf_counter()
    if rollback:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    result = cursor.rowcount
                raise _Rollback()
        except _Rollback:
            pass
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            result = cursor.fetchone()[0]
    return time.perf_counter() - started, result


class _Rollback(Exception):
    pass


def floor(label, runs, sql, params=(), rollback=False):
    samples = [sql_timed(sql, params, rollback) for _ in range(runs)]
    times = [elapsed * 1000 for elapsed, _ in samples]
    print(f'    floor: {label:<36} median {statistics.median(times):8.1f} ms')


def build_prefixes():
    """10 /16 containers, each with 99 /24s: 1,000 prefixes, two levels."""
    import netaddr

    from ipam.models import Prefix

    for top in range(10):
        Prefix.objects.create(prefix=netaddr.IPNetwork(f'10.{top}.0.0/16'), status='container')
        for n in range(99):
            Prefix.objects.create(prefix=netaddr.IPNetwork(f'10.{top}.{n}.0/24'))


def build_big_prefix():
    """The /16 and 10,000 addresses in it, with a free address every 7th (so the free list is made of gaps)."""
    import netaddr

    from ipam.models import IPAddress, Prefix

    parent = Prefix.objects.create(prefix=netaddr.IPNetwork(BIG))
    network = netaddr.IPNetwork(BIG)
    hosts, n = [], 1
    while len(hosts) < ADDRESSES:
        if n % 7:
            hosts.append(netaddr.IPAddress(network.first + n))
        n += 1
    IPAddress.objects.bulk_create([IPAddress(address=netaddr.IPNetwork(f'{host}/16')) for host in hosts],
                                  batch_size=2000)
    return parent


def bench_get(client, path, runs, **params):
    bench.timed(lambda: client.get(path, params))  # warm caches
    samples = []
    for _ in range(runs):
        elapsed, queries, response = bench.timed(lambda: client.get(path, params))
        if response.status_code != 200:
            raise SystemExit(f'GET {path} failed ({response.status_code}): {response.content[:500]}')
        samples.append((elapsed, queries))
    data = response.json()
    return samples, len(data['results'] if isinstance(data, dict) else data)


def bench_sequential(client, path, count):
    samples = []
    for _ in range(count):
        elapsed, queries, response = bench.timed(lambda: client.post(path, {}, format='json'))
        if response.status_code != 201:
            raise SystemExit(f'POST {path} failed ({response.status_code}): {response.content[:500]}')
        samples.append((elapsed, queries))
    return samples


class ThreadedServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def bench_concurrent(token, path, count):
    """`count` POSTs at once from as many threads against a threaded WSGI server; (wall seconds, latencies)."""
    import requests
    from django.core.handlers.wsgi import WSGIHandler

    server = make_server('127.0.0.1', 0, WSGIHandler(), server_class=ThreadedServer, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f'http://127.0.0.1:{server.server_port}{path}'
    headers = {'Authorization': f'Token {token}'}
    requests.get(url, headers=headers, timeout=60)  # warm the server

    def post(_):
        started = time.perf_counter()
        response = requests.post(url, json={}, headers=headers, timeout=300)
        return time.perf_counter() - started, response

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=count) as pool:
            results = list(pool.map(post, range(count)))
        wall = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    failed = [r.text[:200] for _, r in results if r.status_code != 201]
    if failed:
        raise SystemExit(f'{len(failed)} concurrent POSTs failed: {failed[:3]}')
    addresses = [r.json()['address'] for _, r in results]
    if len(set(addresses)) != count:
        raise SystemExit(f'Concurrent POSTs handed out {len(set(addresses))} distinct addresses for {count} calls')
    return wall, [elapsed for elapsed, _ in results]


def bench_import(client, count, batch):
    samples = []
    for start in range(0, count, batch):
        body = [{'address': f'10.200.{n // 250}.{n % 250 + 1}/24', 'status': 'active', 'description': f'import {n}'}
                for n in range(start, start + batch)]
        elapsed, queries, response = bench.timed(
            lambda b=body: client.post('/api/ipam/ip-addresses/', b, format='json'))
        if response.status_code != 201:
            raise SystemExit(f'Bulk import failed ({response.status_code}): {response.content[:500]}')
        samples.append((elapsed, queries))
    return samples


PREFIX_FLOOR = """
SELECT json_agg(row_to_json(t)) FROM (
    SELECT p.id, family(p.prefix) AS family, p.prefix::text AS prefix, p.vrf_id, p.scope_type_id, p.scope_id,
           p.tenant_id, p.vlan_id, p.status, p.role_id, p.is_pool, p.mark_utilized, p.description, p.comments,
           p.custom_field_data, p.created, p.last_updated, p._children AS children, p._depth
    FROM ipam_prefix p ORDER BY p.vrf_id NULLS FIRST, p.prefix, p.id LIMIT %s) t
"""

FREE_FLOOR = """
SELECT json_agg(json_build_object('family', 4, 'address', host(a) || '/16', 'vrf', NULL)) FROM (
    SELECT %s::inet + s AS a FROM generate_series(1, 65534) s
    WHERE NOT EXISTS (SELECT 1 FROM ipam_ipaddress i
                      WHERE i.vrf_id IS NULL AND host(i.address)::inet = host(%s::inet + s)::inet)
    ORDER BY s LIMIT %s) t
"""

IMPORT_FLOOR = """
INSERT INTO ipam_ipaddress (address, status, role, dns_name, description, comments, custom_field_data, created,
                            last_updated)
SELECT ('10.201.' || (n / 250) || '.' || (n %% 250 + 1) || '/24')::inet, 'active', '', '', 'import ' || n, '', '{}',
       now(), now()
FROM generate_series(0, %s - 1) n
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--runs', type=int, default=10, help='timed requests per read measurement (default 10)')
    parser.add_argument('--keep-db', action='store_true', help=f'leave the {bench.DB_NAME} database in place')
    args = parser.parse_args()
    if args.runs < 1:
        parser.error('--runs must be at least 1')

    bench.configure_django()
    with bench.throwaway_database(keep=args.keep_db):
        client = bench.api_client()
        print('Building 1,000 prefixes and a /16 with 10,000 addresses...', flush=True)
        started = time.perf_counter()
        build_prefixes()
        big = build_big_prefix()
        print(f'    setup {time.perf_counter() - started:.1f} s', flush=True)
        available = f'/api/ipam/prefixes/{big.pk}/available-ips/'
        try:
            from ipam import utilization  # noqa: F401  (served with the prefixes when present)
            with_utilisation = ' (with utilisation)'
        except ImportError:
            with_utilisation = ''

        print()
        samples, rows = bench_get(client, '/api/ipam/prefixes/', args.runs, limit=PREFIXES)
        bench.report(f'(a) GET {rows} prefixes{with_utilisation}', samples, f'   n={args.runs}')
        samples, _ = bench_get(client, '/api/ipam/prefixes/', args.runs, limit=PREFIXES, brief=1)
        bench.report(f'    GET {rows} prefixes, brief (n={args.runs})', samples)
        floor(f'{PREFIXES} prefix rows as JSON', args.runs, PREFIX_FLOOR, [PREFIXES])

        first = str(big.prefix.network)
        for limit in (50, 1000):
            samples, rows = bench_get(client, available, args.runs, limit=limit)
            bench.report(f'(b) GET available-ips, {rows} of a /16 (n={args.runs})', samples)
            floor(f'first {limit} free addresses as JSON', args.runs, FREE_FLOOR, [first, first, limit])

        samples = bench_sequential(client, available, SEQUENTIAL)
        bench.report(f'(c) POST available-ips, sequential (n={SEQUENTIAL})', samples)

        from users.models import Token

        token = Token(user=client.user, version=1, write_enabled=True)
        token.set_token()
        token.save()
        wall, latencies = bench_concurrent(token.token_value, available, CONCURRENT)
        times = [elapsed * 1000 for elapsed in latencies]
        print(f'{f"(d) POST available-ips, {CONCURRENT} concurrent":<44} wall {wall * 1000:10.1f} ms   '
              f'median latency {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms   '
              f'{CONCURRENT / wall:.1f} allocations/s, all distinct')

        samples = bench_import(client, IMPORT, IMPORT_BATCH)
        total = sum(elapsed for elapsed, _ in samples)
        bench.report(f'(e) POST {IMPORT_BATCH} IP addresses per request', samples,
                     f'   total {total:.1f} s for {IMPORT}')
        floor(f'INSERT of {IMPORT_BATCH} address rows', min(args.runs, 5), IMPORT_FLOOR, [IMPORT_BATCH],
              rollback=True)


if __name__ == '__main__':
    main()
