"""Prometheus metrics: /metrics only when METRICS_ENABLED; under gunicorn with several workers (multiprocess mode, as
scripts/serve runs it) a scrape adds up every worker's counters."""
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import django_rq
import pytest
from django.conf import settings
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue

from netbox.testing import worker_environment

REPO = Path(__file__).resolve().parents[3]
REQUESTS = 40

pytestmark = pytest.mark.django_db


def test_metrics_absent_when_disabled(client):
    assert settings.METRICS_ENABLED is False
    assert client.get('/metrics').status_code == 404


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode()


def samples(text, name, **labels):
    """Values of the samples called `name` whose labels include `labels`."""
    found = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(key) == value for key, value in labels.items()):
                found.append(sample.value)
    return found


def login_requests(text):
    return sum(samples(text, 'django_http_requests_total_by_view_transport_method_total', view='login',
                       method='GET'))


@pytest.fixture
def gunicorn(django_db_setup, tmp_path):
    """gunicorn as scripts/serve starts it, with 2 workers, on the test database, metrics on."""
    metrics_dir = tmp_path / 'prometheus'
    metrics_dir.mkdir()
    port = free_port()
    env = worker_environment(METRICS_ENABLED='true', PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
                             NETBOX_CONFIGURATION='netbox.configuration_testing')
    log = open(tmp_path / 'gunicorn.log', 'w')
    command = [str(Path(sys.executable).parent / 'gunicorn'), 'netbox.wsgi', '--chdir', str(REPO / 'netbox'),
               '--bind', f'127.0.0.1:{port}', '--workers', '2', '--timeout', '120']
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f'http://127.0.0.1:{port}'
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if fetch(f'{base}/login/')[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f'gunicorn did not start: {(tmp_path / "gunicorn.log").read_text()[-3000:]}')
            time.sleep(0.3)
        yield base, metrics_dir
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


def per_worker_login_requests(metrics_dir, tmp_path):
    """{pid: login requests} read from each worker's own counter file."""
    counts = {}
    for path in metrics_dir.glob('counter_*.db'):
        alone = tmp_path / f'one-{path.stem}'
        alone.mkdir()
        shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        counts[path.stem.split('_')[-1]] = login_requests(generate_latest(registry).decode())
    return counts


def test_metrics_add_up_across_gunicorn_workers(gunicorn, tmp_path):
    base, metrics_dir = gunicorn
    status, before = fetch(f'{base}/metrics')
    assert status == 200
    already = login_requests(before)  # the start-up probes
    # Concurrent clients, so that both (sync) workers serve some of the requests.
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: fetch(f'{base}/login/')[0], range(REQUESTS)))
    assert statuses == [200] * REQUESTS
    status, text = fetch(f'{base}/metrics')
    assert status == 200
    assert login_requests(text) == already + REQUESTS
    workers = {pid: count for pid, count in per_worker_login_requests(metrics_dir, tmp_path).items() if count}
    assert len(workers) == 2, workers  # both workers served requests...
    assert sum(workers.values()) == already + REQUESTS  # ...and the scrape is their sum
    # Whichever worker answers the scrape, it reports the same totals.
    assert all(login_requests(fetch(f'{base}/metrics')[1]) == already + REQUESTS for _ in range(4))

    assert samples(text, 'django_http_requests_latency_seconds_by_view_method_count', view='login', method='GET') \
        == [already + REQUESTS]
    assert sum(samples(text, 'django_http_responses_total_by_status_view_method_total', status='200',
                       view='login')) == already + REQUESTS
    assert sum(samples(text, 'django_db_execute_total', alias='default')) > 0
    assert {tuple(sorted(s.labels.items())) for f in text_string_to_metric_families(text) for s in f.samples
            if s.name == 'netbox_rq_queue_length'} == {(('queue', name),) for name in settings.RQ_QUEUES}
    assert samples(text, 'netbox_rq_workers', queue=f'{settings.RQ_QUEUE_PREFIX}low') == [0.0]
    assert samples(text, 'netbox_model_count', app='tenancy', model='tenant') == [0.0]
    assert samples(text, 'netbox_model_count', app='users', model='user')


def test_queue_lengths_are_read_when_scraped(gunicorn):
    base, _ = gunicorn
    # A plain RQ queue: django-rq's waits for the (test's never committed) transaction to enqueue.
    name = f'{settings.RQ_QUEUE_PREFIX}low'
    queue = Queue(name, connection=django_rq.get_connection(name))
    queue.empty()
    try:
        for _ in range(3):
            queue.enqueue('builtins.len', 'abc')
        text = fetch(f'{base}/metrics')[1]
        assert samples(text, 'netbox_rq_queue_length', queue=queue.name) == [3.0]
    finally:
        queue.empty()
