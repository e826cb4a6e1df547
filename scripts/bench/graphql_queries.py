#!/usr/bin/env python
"""
Benchmark a GraphQL query over 1,000 devices with their interfaces and IP addresses.

    venv/bin/python scripts/bench/graphql_queries.py [--runs 5] [--interfaces 4] [--keep-db]

Builds 1,000 devices over 10 sites, each with --interfaces interfaces holding one IP address each, then times
POST /graphql/ with `device_list { name site { name } interfaces { name ip_addresses { address } } }` as a
superuser and as a user whose device permission is constrained to some sites (the restricted querysets at every
depth), and, for comparison, GET /api/dcim/devices/?limit=1000. Reports the median time and the SQL query count.
The database (BENCH_DB_NAME, default netbox_bench_graphql) is created, migrated and dropped; see README.md.
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault('BENCH_DB_NAME', 'netbox_bench_graphql')

import dcim_api as bench  # noqa: E402

DEVICES = 1000
QUERY = '''{ device_list { name site { name }
  interfaces { name ip_addresses { address } } } }'''


def build(interfaces_per_device):
    from dcim.models import Device, DeviceRole, DeviceType, Interface, Manufacturer, Site
    from ipam.models import IPAddress

    sites = [Site.objects.create(name=f'Site {n}', slug=f'site-{n}') for n in range(10)]
    role = DeviceRole.objects.create(name='Bench role', slug='bench-role')
    maker = Manufacturer.objects.create(name='Bench maker', slug='bench-maker')
    device_type = DeviceType.objects.create(manufacturer=maker, model='Box', slug='box')
    devices = Device.objects.bulk_create(
        Device(name=f'dev-{n}', site=sites[n % 10], role=role, device_type=device_type) for n in range(DEVICES))
    interfaces = Interface.objects.bulk_create(
        Interface(device=device, name=f'eth{i}', type='1000base-t')
        for device in devices for i in range(interfaces_per_device))
    IPAddress.objects.bulk_create(
        IPAddress(address=f'10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}/16', assigned_object=interface)
        for n, interface in enumerate(interfaces, start=1))
    return sites


def constrained_client(sites):
    from dcim.models import Device, Interface, Site
    from ipam.models import IPAddress
    from netbox.testing import client_for, grant
    from users.models import User

    user = User.objects.create_user('bench-viewer', 'viewer@example.com', 'Bench-pass-123')
    for model in (Site, Interface, IPAddress):
        grant(user, model, ['view'])
    grant(user, Device, ['view'], constraints={'site__slug__in': [site.slug for site in sites[:5]]})
    return client_for(user)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--runs', type=int, default=5, help='requests to time per case (default 5)')
    parser.add_argument('--interfaces', type=int, default=4, help='interfaces per device (default 4)')
    parser.add_argument('--keep-db', action='store_true', help='leave the database in place')
    args = parser.parse_args()
    bench.configure_django()
    with bench.throwaway_database(keep=args.keep_db):
        client = bench.api_client()
        sites = build(args.interfaces)
        viewer = constrained_client(sites)

        def samples(call, check):
            call()  # warm-up
            out = []
            for _ in range(args.runs):
                elapsed, queries, response = bench.timed(call)
                check(response)
                out.append((elapsed, queries))
            return out

        def graphql(as_client, devices):
            def call():
                return as_client.post('/graphql/', {'query': QUERY}, format='json')

            def check(response):
                body = response.json()
                assert response.status_code == 200 and 'errors' not in body, body
                rows = body['data']['device_list']
                assert len(rows) == devices, len(rows)
                assert all(len(row['interfaces']) == args.interfaces for row in rows)
                assert all(len(i['ip_addresses']) == 1 for row in rows for i in row['interfaces'])
            return samples(call, check)

        def rest(response):
            assert response.status_code == 200 and len(response.json()['results']) == DEVICES

        total = DEVICES * args.interfaces
        print()
        print(f'{DEVICES} devices, {total} interfaces, {total} IP addresses')
        bench.report('(a) GraphQL devices/interfaces/IPs, superuser', graphql(client, DEVICES))
        bench.report('(b) GraphQL, device view limited to 5 sites', graphql(viewer, DEVICES // 2))
        bench.report('(c) REST GET /api/dcim/devices/?limit=1000',
                     samples(lambda: client.get('/api/dcim/devices/', {'limit': DEVICES}), rest))


if __name__ == '__main__':
    sys.exit(main())
