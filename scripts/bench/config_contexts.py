#!/usr/bin/env python
"""
Benchmark a list of 1,000 devices with their configuration contexts, merged per request and pre-rendered.

    venv/bin/python scripts/bench/config_contexts.py [--lists 10] [--contexts 40] [--keep-db]

Builds 1,000 devices over 10 sites, 4 roles and 3 tags, and --contexts configuration contexts matching them by
site, region, role, tag or nothing, each with a few nested keys. Then times GET /api/dcim/devices/?limit=1000:
(a) with every stored context stale, so the API merges them for the page (NetBox before 4.7, and our fallback);
(b) after the worker's render (extras.configcontexts.render_stale, timed too), so the page reads stored contexts.
The database (BENCH_DB_NAME, default netbox_bench_cc) is created, migrated and dropped; see README.md.
"""
import argparse
import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault('BENCH_DB_NAME', 'netbox_bench_cc')


def _load(name):
    spec = importlib.util.spec_from_file_location(f'bench_{name}', HERE / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load('dcim_api')
DEVICES = 1000


def build(context_count):
    from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Region, Site
    from extras.models import ConfigContext, Tag

    region = Region.objects.create(name='Bench region', slug='bench-region')
    sites = [Site.objects.create(name=f'Site {n}', slug=f'site-{n}', region=region if n % 2 else None)
             for n in range(10)]
    roles = [DeviceRole.objects.create(name=f'Role {n}', slug=f'role-{n}') for n in range(4)]
    tags = [Tag.objects.create(name=f'tag-{n}', slug=f'tag-{n}') for n in range(3)]
    maker = Manufacturer.objects.create(name='Bench maker', slug='bench-maker')
    device_type = DeviceType.objects.create(manufacturer=maker, model='Box', slug='box')
    devices = Device.objects.bulk_create(
        Device(name=f'dev-{n}', site=sites[n % 10], role=roles[n % 4], device_type=device_type,
               local_context_data={'id': n} if n % 5 == 0 else None) for n in range(DEVICES))
    for n, device in enumerate(devices):
        if n % 3 == 0:
            device.tags.add(tags[n % 3], tags[(n + 1) % 3])
    criteria = [('sites', sites), ('regions', [region]), ('roles', roles), ('tags', tags), (None, None)]
    for n in range(context_count):
        name, choices = criteria[n % len(criteria)]
        context = ConfigContext.objects.create(name=f'context-{n}', weight=1000 + n, data={
            'ntp': {'servers': [f'192.0.2.{n % 250}'], 'prefer': n % 2 == 0},
            'snmp': {'community': f'c{n}', 'location': {'rack': n, 'row': f'r{n % 7}'}},
            f'key{n}': list(range(n % 5)),
        })
        if name:
            getattr(context, name).set([choices[n % len(choices)]])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--lists', type=int, default=10, help='list requests to time per case (default 10)')
    parser.add_argument('--contexts', type=int, default=40, help='configuration contexts (default 40)')
    parser.add_argument('--keep-db', action='store_true', help='leave the database in place')
    args = parser.parse_args()

    bench.configure_django()
    with bench.throwaway_database(keep=args.keep_db):
        from dcim.models import Device
        from extras.configcontexts import mark_stale, render_stale

        client = bench.api_client()
        build(args.contexts)
        query = {'limit': DEVICES}

        def lists():
            samples = []
            for _ in range(args.lists):
                elapsed, queries, response = bench.timed(lambda: client.get('/api/dcim/devices/', query))
                assert response.status_code == 200 and len(response.json()['results']) == DEVICES
                samples.append((elapsed, queries))
            return samples, response.json()['results']

        mark_stale(Device.objects.all())
        bench.timed(lambda: client.get('/api/dcim/devices/', query))  # warm-up
        merged, merged_rows = lists()
        render_time, render_queries, counts = bench.timed(render_stale)
        stored, stored_rows = lists()
        for old, new in zip(merged_rows, stored_rows, strict=True):
            if old != new:
                raise SystemExit(f'Stored and merged answers differ for {old["name"]}: '
                                 f'{ {k: (old[k], new[k]) for k in old if old[k] != new.get(k)} }')

        print()
        print(f'{DEVICES} devices, {args.contexts} configuration contexts')
        bench.report(f'(a) GET {DEVICES} devices, contexts merged per request', merged)
        bench.report(f'(b) GET {DEVICES} devices, contexts pre-rendered', stored)
        print(f'    render of {counts["dcim.device"]} stale contexts on the worker: {render_time * 1000:.1f} ms, '
              f'{render_queries} queries')


if __name__ == '__main__':
    sys.exit(main())
