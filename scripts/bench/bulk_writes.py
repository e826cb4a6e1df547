#!/usr/bin/env python
"""
Benchmark bulk REST writes (list bodies) against a throw-away database.

    venv/bin/python scripts/bench/bulk_writes.py [--runs 5] [--keep-db]

(a) POST /api/dcim/sites/ with a list of 100 sites;
(b) POST /api/dcim/interfaces/ with a list of 1,000 interfaces on existing devices;
(c) POST /api/ipam/ip-addresses/ with a list of 1,000 addresses;
(d) PATCH /api/dcim/sites/ with a list of 100 changes, and PATCH /api/dcim/interfaces/ with 100;
(e) DELETE /api/dcim/sites/ with a list of 100 IDs.

Each is run --runs times (new names each time; deletes remove what a create made) and reported as the median,
minimum and maximum time and the database queries per request. Requests go through Django's test client with a
superuser's API token, like dcim_api.py, whose database helpers this uses (BENCH_DB_NAME, default
netbox_bench_writes).
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault('BENCH_DB_NAME', 'netbox_bench_writes')

import dcim_api as bench  # noqa: E402  (shares the throw-away database helpers)

timed = bench.timed

SITES = 100
INTERFACES = 1000
ADDRESSES = 1000
CHANGES = 100


def checked(response, expected, label):
    if response.status_code != expected:
        raise SystemExit(f'{label} failed ({response.status_code}): {response.content[:500]}')
    return response


def run(client, args):
    from dcim.models import Device

    site, role, device_type = bench.fixtures()
    devices = [Device.objects.create(name=f'host-{n}', site=site, role=role, device_type=device_type)
               for n in range(4)]
    results = {key: [] for key in ('sites', 'interfaces', 'addresses', 'patch_sites', 'patch_interfaces',
                                   'delete_sites')}
    for run_no in range(args.runs):
        body = [{'name': f's{run_no}-{n}', 'slug': f's{run_no}-{n}', 'status': 'active', 'description': 'bench',
                 'tags': []} for n in range(SITES)]
        elapsed, queries, response = timed(lambda body=body: client.post('/api/dcim/sites/', body, format='json'))
        checked(response, 201, 'POST sites')
        results['sites'].append((elapsed, queries))
        site_ids = [row['id'] for row in response.json()]

        body = [{'device': devices[n % len(devices)].pk, 'name': f'x{run_no}-{n}', 'type': '1000base-t',
                 'description': 'bench'} for n in range(INTERFACES)]
        elapsed, queries, response = timed(lambda body=body: client.post('/api/dcim/interfaces/', body, format='json'))
        checked(response, 201, 'POST interfaces')
        results['interfaces'].append((elapsed, queries))
        interface_ids = [row['id'] for row in response.json()]

        body = [{'address': f'10.{run_no}.{n // 250}.{n % 250 + 1}/24', 'status': 'active'}
                for n in range(ADDRESSES)]
        elapsed, queries, response = timed(lambda body=body: client.post('/api/ipam/ip-addresses/', body,
                                                                      format='json'))
        checked(response, 201, 'POST ip-addresses')
        results['addresses'].append((elapsed, queries))

        body = [{'id': pk, 'description': f'changed {pk}', 'status': 'planned'} for pk in site_ids[:CHANGES]]
        elapsed, queries, response = timed(lambda body=body: client.patch('/api/dcim/sites/', body, format='json'))
        checked(response, 200, 'PATCH sites')
        results['patch_sites'].append((elapsed, queries))

        body = [{'id': pk, 'description': f'changed {pk}', 'enabled': False} for pk in interface_ids[:CHANGES]]
        elapsed, queries, response = timed(lambda body=body: client.patch('/api/dcim/interfaces/', body,
                                                                       format='json'))
        checked(response, 200, 'PATCH interfaces')
        results['patch_interfaces'].append((elapsed, queries))

        body = [{'id': pk} for pk in site_ids[:CHANGES]]
        elapsed, queries, response = timed(lambda body=body: client.delete('/api/dcim/sites/', body, format='json'))
        checked(response, 204, 'DELETE sites')
        results['delete_sites'].append((elapsed, queries))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--runs', type=int, default=5, help='requests of each kind to time (default 5)')
    parser.add_argument('--keep-db', action='store_true', help=f'leave the {bench.DB_NAME} database in place')
    args = parser.parse_args()
    if args.runs < 1:
        parser.error('--runs must be at least 1')

    bench.configure_django()
    with bench.throwaway_database(keep=args.keep_db):
        client = bench.api_client()
        results = run(client, args)
        print()
        n = args.runs
        bench.report(f'(a) POST {SITES} sites (n={n})', results['sites'])
        bench.report(f'(b) POST {INTERFACES} interfaces (n={n})', results['interfaces'])
        bench.report(f'(c) POST {ADDRESSES} IP addresses (n={n})', results['addresses'])
        bench.report(f'(d) PATCH {CHANGES} sites (n={n})', results['patch_sites'])
        bench.report(f'    PATCH {CHANGES} interfaces (n={n})', results['patch_interfaces'])
        bench.report(f'(e) DELETE {CHANGES} sites (n={n})', results['delete_sites'])


if __name__ == '__main__':
    main()
