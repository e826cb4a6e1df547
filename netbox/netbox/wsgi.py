"""WSGI entry point (gunicorn netbox.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'netbox.settings')
application = get_wsgi_application()
