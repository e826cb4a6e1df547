"""
Prometheus metrics at `/metrics` (when METRICS_ENABLED): requests and their latency per view, responses per status,
database queries, RQ queue lengths and workers, and object counts per model.

The request and query metrics are counted where they happen (the middleware, a database execute wrapper); under
gunicorn each worker is a process of its own, so prometheus_client's multiprocess mode keeps them in files of the
directory PROMETHEUS_MULTIPROC_DIR names (scripts/serve creates and empties it before gunicorn starts), and a scrape
answered by any worker adds up every worker's. The metric names are django-prometheus's, so that its dashboards
work. Queue, worker and object counts are read when scraped (from Redis and pg_class), the same in every worker.
"""
import os
import time

from django.conf import settings
from django.db import connection
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_ENV = ('PROMETHEUS_MULTIPROC_DIR', 'prometheus_multiproc_dir')
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 25.0, 50.0, 75.0,
                   float('inf'))
UNNAMED_VIEW = '<unnamed view>'

REQUESTS = Counter('django_http_requests_total_by_view_transport_method', 'Requests by view, transport and method.',
                   ['view', 'transport', 'method'])
LATENCY = Histogram('django_http_requests_latency_seconds_by_view_method',
                    'Request latency (seconds) by view and method.', ['view', 'method'], buckets=LATENCY_BUCKETS)
RESPONSES = Counter('django_http_responses_total_by_status_view_method', 'Responses by status, view and method.',
                    ['status', 'view', 'method'])
EXCEPTIONS = Counter('django_http_exceptions_total_by_view', 'Unhandled exceptions by view.', ['view'])
QUERIES = Counter('django_db_execute_total', 'Database statements executed (executemany counts once).',
                  ['alias', 'vendor'])
QUERY_ERRORS = Counter('django_db_errors_total', 'Database statements that failed, by exception type.',
                       ['alias', 'vendor', 'type'])
QUERY_LATENCY = Histogram('django_db_query_duration_seconds', 'Database statement duration (seconds).',
                          ['alias', 'vendor'], buckets=LATENCY_BUCKETS)


def multiprocess_dir():
    return next((os.environ[name] for name in MULTIPROCESS_ENV if os.environ.get(name)), None)


# Database statements

class QueryCounter:
    """A database execute wrapper counting and timing every statement of one connection."""

    def __init__(self, alias, vendor):
        self.alias = alias
        self.vendor = vendor

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        except Exception as exc:
            QUERY_ERRORS.labels(self.alias, self.vendor, type(exc).__name__).inc()
            raise
        finally:
            QUERIES.labels(self.alias, self.vendor).inc()
            QUERY_LATENCY.labels(self.alias, self.vendor).observe(time.perf_counter() - started)


def count_queries(sender, connection, **kwargs):
    """connection_created: wrap each new connection's statements (once per connection)."""
    if not any(isinstance(wrapper, QueryCounter) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(QueryCounter(connection.alias, connection.vendor))


connection_created.connect(count_queries, dispatch_uid='netbox.metrics.queries')


# Requests

class PrometheusMiddleware:
    """Counts and times every request by the name of the view that answered it (first in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, 'resolver_match', None)
        view = (match.view_name or UNNAMED_VIEW) if match is not None else UNNAMED_VIEW
        method = request.method
        REQUESTS.labels(view, 'https' if request.is_secure() else 'http', method).inc()
        LATENCY.labels(view, method).observe(time.perf_counter() - started)
        RESPONSES.labels(str(response.status_code), view, method).inc()
        return response

    def process_exception(self, request, exception):
        match = getattr(request, 'resolver_match', None)
        EXCEPTIONS.labels(match.view_name if match is not None and match.view_name else UNNAMED_VIEW).inc()


# Read when scraped

class StateCollector:
    """RQ queue lengths and worker counts, and object counts per model, as gauges computed on each scrape."""

    def collect(self):
        yield from self.queue_metrics()
        yield self.model_counts()

    def queue_metrics(self):
        import django_rq
        from rq import Worker

        lengths = GaugeMetricFamily('netbox_rq_queue_length', 'Jobs waiting in each RQ queue.', labels=['queue'])
        workers = GaugeMetricFamily('netbox_rq_workers', 'RQ workers listening on each queue.', labels=['queue'])
        for name in settings.RQ_QUEUES:
            queue = django_rq.get_queue(name)
            lengths.add_metric([name], queue.count)
            workers.add_metric([name], Worker.count(queue=queue))
        yield lengths
        yield workers

    def model_counts(self):
        """PostgreSQL's estimate of each model's rows (pg_class.reltuples, kept by autovacuum/ANALYZE): one query,
        whatever the tables' sizes. A table never analysed yet (small or new) is counted exactly."""
        from .registry import registry

        family = GaugeMetricFamily('netbox_model_count', 'Objects per model (estimated from table statistics).',
                                   labels=['app', 'model'])
        models = {declaration.model._meta.db_table: declaration.model for declaration in registry
                  if not declaration.model._meta.proxy}
        with connection.cursor() as cursor:
            cursor.execute("""SELECT c.relname, c.reltuples FROM pg_class c
                              JOIN pg_namespace n ON n.oid = c.relnamespace
                              WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
                                AND c.relname = ANY(%s)""", [list(models)])
            estimates = dict(cursor.fetchall())
        for table, model in sorted(models.items()):
            estimate = estimates.get(table)
            if estimate is None:
                continue
            count = int(estimate) if estimate >= 0 else model._base_manager.count()
            family.add_metric([model._meta.app_label, model._meta.model_name], count)
        return family


def metrics_view(request):
    """The metrics in Prometheus' text format: every worker's counters (multiprocess mode) or this process's, then
    the state read now."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector())
    return HttpResponse(generate_latest(registry) + generate_latest(state), content_type=CONTENT_TYPE_LATEST)

