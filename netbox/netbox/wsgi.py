"""WSGI entry point (gunicorn netbox.wsgi)."""
import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'netbox.settings')
application = get_wsgi_application()

# Python's cyclic garbage collector walks every object it tracks on a full collection; the ~300,000 objects of the
# loaded application never become garbage, so they are moved out of its reach. Requests building a 1,000-row page
# keep thousands of objects alive while they run, which with the default thresholds set off a full collection
# every few such requests (about 230 ms each, the slowest tenth of those requests): collecting the young generation
# less often promotes fewer of them.
gc.set_threshold(20_000, 10, 10)
gc.freeze()
