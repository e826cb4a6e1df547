#!/usr/bin/env python
"""
Benchmark webhook deliveries through a real RQ worker process to a local receiver.

    venv/bin/python scripts/bench/webhooks.py [--latency-runs 50] [--count 200] [--keep-db]

(a) latency: one delivery at a time, from the commit of the transaction that called enqueue_delivery() to the
    receipt of the request by an HTTP server on 127.0.0.1 (median and p95 of --latency-runs deliveries);
(b) throughput: --count deliveries committed at once, delivered by one worker (`manage.py rqworker`, one process
    forking a work horse per job as in production): deliveries per second from the commit to the last receipt.

The receiver is allowed through WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8 (set for this process and the worker).
The database (BENCH_DB_NAME, default netbox_bench_webhooks) is created, migrated, and dropped at the end; uses the
helpers of dcim_api.py. See scripts/bench/README.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault('BENCH_DB_NAME', 'netbox_bench_webhooks')
os.environ['WEBHOOK_ALLOWED_NETWORKS'] = '127.0.0.0/8'

import dcim_api as bench  # noqa: E402  (shares the throw-away database helpers)


class Receiver:
    """An HTTP server on 127.0.0.1 noting when each delivery (by the event's object_id) arrived."""

    def __init__(self):
        self.received = {}
        self.condition = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                arrived = time.perf_counter()
                self.send_response(204)
                self.end_headers()
                key = json.loads(body)['data']['id']
                with receiver.condition:
                    receiver.received[key] = arrived
                    receiver.condition.notify_all()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}/hook'

    def wait_for(self, count, timeout=300):
        deadline = time.monotonic() + timeout
        with self.condition:
            while len(self.received) < count:
                if not self.condition.wait(timeout=deadline - time.monotonic()):
                    raise SystemExit(f'Only {len(self.received)} of {count} deliveries arrived in {timeout} s.')


def event(number):
    return {'event': 'created', 'event_type': 'object_created', 'timestamp': '2026-12-04T20:00:00+00:00',
            'model': 'site', 'object_type': 'dcim.site', 'object_id': number, 'username': 'bench', 'user_id': None,
            'request_id': f'bench-{number}', 'data': {'id': number, 'name': f'site-{number}'},
            'snapshots': {'prechange': None, 'postchange': {'name': f'site-{number}'}}}


def start_worker():
    from netbox.testing import worker_command, worker_environment

    # Its log (a few lines per job) is discarded: an unread pipe would fill up and stall the worker.
    return subprocess.Popen(worker_command(), env=worker_environment(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def enqueue(webhook, numbers):
    """Enqueue deliveries in one transaction; returns the time of its commit."""
    from django.db import transaction

    from extras.webhooks import enqueue_delivery

    with transaction.atomic():
        for number in numbers:
            enqueue_delivery(webhook, event(number))
        committed = time.perf_counter()  # the queue is written by on_commit, inside what we measure
    return committed


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--latency-runs', type=int, default=50)
    parser.add_argument('--count', type=int, default=200)
    parser.add_argument('--keep-db', action='store_true')
    args = parser.parse_args()
    bench.configure_django()
    with bench.throwaway_database(keep=args.keep_db):
        from core.jobs import clear_queue
        from core.models import Job
        from extras.models import Webhook

        clear_queue('default')
        receiver = Receiver()
        webhook = Webhook.objects.create(name='bench', payload_url=receiver.url, secret='bench-secret')
        worker = start_worker()
        try:
            # A first delivery warms the worker up (imports, connections).
            enqueue(webhook, [0])
            receiver.wait_for(1, timeout=120)
            latencies = []
            for number in range(1, args.latency_runs + 1):
                committed = enqueue(webhook, [number])
                receiver.wait_for(number + 1)
                latencies.append((receiver.received[number] - committed) * 1000)
            first = args.latency_runs + 1
            numbers = range(first, first + args.count)
            committed = enqueue(webhook, numbers)
            receiver.wait_for(first + args.count)
            elapsed = max(receiver.received[number] for number in numbers) - committed
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        statuses = sorted(set(Job.objects.filter(name__startswith='Webhook ').values_list('status', flat=True)))
        print()
        print(f'latency commit -> receipt ({args.latency_runs} deliveries, one at a time): median '
              f'{statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, '
              f'min {min(latencies):.1f} ms, max {max(latencies):.1f} ms')
        print(f'throughput, one worker: {args.count} deliveries in {elapsed:.2f} s = '
              f'{args.count / elapsed:.1f} deliveries/s')
        print(f'webhook job statuses: {", ".join(statuses)}')
        receiver.server.shutdown()


if __name__ == '__main__':
    main()
