#!/usr/bin/env python
"""
Benchmark webhook delivery by event rules against a throw-away database, with a real RQ worker process and a local
HTTP receiver.

    venv/bin/python scripts/bench/event_rules.py [--updates 50] [--burst 200] [--keep-db]

An event rule sends every site update to a webhook whose receiver (an HTTP server in this process, 127.0.0.1)
notes when each delivery arrives; one `manage.py rqworker` process delivers (WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8).

(a) latency: --updates PATCH /api/dcim/sites/<id>/ requests, one at a time, each waiting for its delivery: the
    median and 95th percentile of the time from the commit (the moment EVENTS_PIPELINE is called) to receipt;
(b) throughput: one PATCH /api/dcim/sites/ with a list of --burst changes (--burst events in one transaction):
    deliveries per second, from that commit to the last receipt, for one worker;
(c) the cost of events on writes: the same single-site PATCH with no enabled rule, with a rule not matching sites,
    and with the webhook rule (median time and queries per request);
(d) the cost per object with no enabled rule: a bulk PATCH of 100 sites with the events listener of the change log
    disconnected, then connected.

scripts/bench/webhooks.py measures the delivery alone (enqueue_delivery() to receipt); this one the whole path from
a REST write through the events and the event rules.

Requests go through Django's test client with a superuser's API token, like dcim_api.py, whose database helpers
this uses (BENCH_DB_NAME, default netbox_bench_events).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault('BENCH_DB_NAME', 'netbox_bench_events')
os.environ['WEBHOOK_ALLOWED_NETWORKS'] = '127.0.0.0/8'

import dcim_api as bench  # noqa: E402  (shares the throw-away database helpers)
import webhooks as webhook_bench  # noqa: E402  (its receiver and worker)

COMMITTED = {}  # site id -> perf_counter() when its event reached the pipeline (after the commit)


def note_commit(events):
    """An EVENTS_PIPELINE step of this benchmark: when each site's event was dispatched."""
    now = time.perf_counter()
    for event in events:
        COMMITTED.setdefault(event['object_id'], now)


def wait_for(receiver, site_ids, timeout=120):
    """Until the deliveries about all of these sites have arrived."""
    deadline = time.monotonic() + timeout
    with receiver.condition:
        while not set(site_ids) <= set(receiver.received):
            if not receiver.condition.wait(timeout=max(0.0, deadline - time.monotonic())):
                missing = sorted(set(site_ids) - set(receiver.received))
                raise SystemExit(f'{len(missing)} deliveries never arrived (sites {missing[:10]}...)')


def stop_worker(worker):
    worker.terminate()
    try:
        worker.wait(15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(15)


def patch_site(client, site, n):
    response = client.patch(f'/api/dcim/sites/{site.pk}/', {'description': f'change {n}'}, format='json')
    if response.status_code != 200:
        raise SystemExit(f'PATCH site failed ({response.status_code}): {response.content[:500]}')


def write_cost(client, site, runs=20):
    samples = [bench.timed(lambda n=n: patch_site(client, site, n))[:2] for n in range(runs)]
    return statistics.median(s[0] for s in samples) * 1000, statistics.median(s[1] for s in samples)


def bulk_write_cost(client, sites, runs=7):
    """Median (ms, queries) of a bulk PATCH of the sites, without and with the events listener on the change log
    (no enabled rule): the cost of events per changed object when nothing listens."""
    from extras.events import committed_records
    from netbox import changelog

    def measure(tag):
        samples = []
        for n in range(runs):
            body = [{'id': site.pk, 'description': f'{tag} {n}'} for site in sites]
            samples.append(bench.timed(lambda body=body: client.patch('/api/dcim/sites/', body, format='json'))[:2])
        return statistics.median(s[0] for s in samples) * 1000, statistics.median(s[1] for s in samples)

    measure('warm-up')
    changelog._record_listeners.remove(committed_records)
    try:
        without = measure('without')
    finally:
        changelog.on_committed_records(committed_records)
    return without, measure('with')


def run(client, args):
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType

    from core.jobs import clear_queue
    from dcim.models import Site
    from extras.models import EventRule, Webhook
    from tenancy.models import Tenant

    clear_queue('default')
    sites = Site.objects.bulk_create([Site(name=f'bench-{n}', slug=f'bench-{n}')
                                      for n in range(max(args.updates, args.burst) + 1)])
    probe = sites[-1]
    listener_cost = bulk_write_cost(client, sites[:100])
    costs = {'no enabled rule': write_cost(client, probe)}
    other = EventRule.objects.create(name='tenants', event_types=['object_updated'], action_type='notification',
                                     action_object_type=ContentType.objects.get(app_label='extras',
                                                                                model='notificationgroup'),
                                     action_object_id=1)
    other.object_types.set([ContentType.objects.get_for_model(Tenant)])
    costs['a rule on other types'] = write_cost(client, probe)
    other.delete()

    receiver = webhook_bench.Receiver()
    webhook = Webhook.objects.create(name='bench', payload_url=receiver.url, secret='bench-secret', timeout=5)
    rule = EventRule.objects.create(name='sites', event_types=['object_updated'], action_type='webhook',
                                    action_object_type=ContentType.objects.get_for_model(Webhook),
                                    action_object_id=webhook.pk)
    rule.object_types.set([ContentType.objects.get_for_model(Site)])
    worker = webhook_bench.start_worker()
    try:
        patch_site(client, probe, 'warm-up')  # the worker's start and first job are not measured
        wait_for(receiver, [probe.pk])
        costs['the webhook rule'] = write_cost(client, probe)
        wait_for(receiver, [probe.pk])
        time.sleep(5)  # the worker drains those deliveries before the latencies are measured

        # From here on the benchmark's own pipeline step notes when each event is dispatched.
        settings.EVENTS_PIPELINE = ['extras.events.process_event_queue', f'{__name__}.note_commit']
        COMMITTED.clear()
        receiver.received.clear()

        latencies = []
        for n, site in enumerate(sites[:args.updates]):
            patch_site(client, site, n)
            wait_for(receiver, [site.pk])
            latencies.append((receiver.received[site.pk] - COMMITTED[site.pk]) * 1000)

        burst = sites[:args.burst]
        for site in burst:
            receiver.received.pop(site.pk, None)
            COMMITTED.pop(site.pk, None)
        body = [{'id': site.pk, 'description': 'burst'} for site in burst]
        response = client.patch('/api/dcim/sites/', body, format='json')
        if response.status_code != 200:
            raise SystemExit(f'bulk PATCH failed ({response.status_code}): {response.content[:500]}')
        wait_for(receiver, [site.pk for site in burst], timeout=600)
        started = min(COMMITTED[site.pk] for site in burst)
        finished = max(receiver.received[site.pk] for site in burst)
    finally:
        stop_worker(worker)
        receiver.server.shutdown()
    print(f'\n(a) commit -> receipt, {args.updates} sequential updates: median {statistics.median(latencies):.1f} ms, '
          f'p95 {webhook_bench.percentile(latencies, 0.95):.1f} ms, max {max(latencies):.1f} ms')
    print(f'(b) {args.burst} events in one transaction, one worker: {args.burst / (finished - started):.1f} '
          f'deliveries/s ({finished - started:.2f} s from commit to the last receipt)')
    print('(c) PATCH /api/dcim/sites/<id>/ (median of 20):')
    for label, (ms, queries) in costs.items():
        print(f'    {label:<24} {ms:7.1f} ms  {queries:4.0f} queries')
    (without_ms, without_q), (with_ms, with_q) = listener_cost
    print(f'(d) bulk PATCH of 100 sites, no enabled rule (median of 7): without the events listener '
          f'{without_ms:.1f} ms '
          f'/ {without_q:.0f} queries, with it {with_ms:.1f} ms / {with_q:.0f} queries: '
          f'{(with_ms - without_ms) * 10:.0f} µs and {(with_q - without_q) / 100:.2f} queries per object')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--updates', type=int, default=50)
    parser.add_argument('--burst', type=int, default=200)
    parser.add_argument('--keep-db', action='store_true')
    args = parser.parse_args()
    bench.configure_django()
    with bench.throwaway_database(keep=args.keep_db):
        run(bench.api_client(), args)


if __name__ == '__main__':
    main()
