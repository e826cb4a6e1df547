"""
Configuration read from environment variables, with working local defaults.

The variable names are those the netbox-docker project uses. `scripts/serve` writes a configuration.py that imports
this module and pins a random SECRET_KEY; edit that file to override anything here.
"""
import json
import os
import re


def _env_list(name, default):
    value = os.environ.get(name)
    return [item.strip() for item in value.split(',') if item.strip()] if value else default


ALLOWED_HOSTS = _env_list('ALLOWED_HOSTS', ['*'])
# Prometheus metrics at /metrics (see docs/administration/metrics.md).
METRICS_ENABLED = os.environ.get('METRICS_ENABLED', 'false').lower() == 'true'

DATABASE = {
    'NAME': os.environ.get('DB_NAME', 'netbox'),
    'USER': os.environ.get('DB_USER', os.environ.get('USER', 'postgres')),
    'PASSWORD': os.environ.get('DB_PASSWORD', ''),
    'HOST': os.environ.get('DB_HOST', '127.0.0.1'),
    'PORT': os.environ.get('DB_PORT', '5432'),
    'CONN_MAX_AGE': int(os.environ.get('DB_CONN_MAX_AGE', '300')),
}

REDIS = {
    'tasks': {
        'HOST': os.environ.get('REDIS_HOST', '127.0.0.1'),
        'PORT': int(os.environ.get('REDIS_PORT', '6379')),
        'USERNAME': os.environ.get('REDIS_USERNAME', ''),
        'PASSWORD': os.environ.get('REDIS_PASSWORD', ''),
        'DATABASE': int(os.environ.get('REDIS_DATABASE', '0')),
        'SSL': os.environ.get('REDIS_SSL', 'false').lower() == 'true',
    },
    'caching': {
        'HOST': os.environ.get('REDIS_CACHE_HOST', os.environ.get('REDIS_HOST', '127.0.0.1')),
        'PORT': int(os.environ.get('REDIS_CACHE_PORT', os.environ.get('REDIS_PORT', '6379'))),
        'USERNAME': os.environ.get('REDIS_CACHE_USERNAME', ''),
        'PASSWORD': os.environ.get('REDIS_CACHE_PASSWORD', os.environ.get('REDIS_PASSWORD', '')),
        'DATABASE': int(os.environ.get('REDIS_CACHE_DATABASE', '1')),
        'SSL': os.environ.get('REDIS_CACHE_SSL', 'false').lower() == 'true',
    },
}

if 'SECRET_KEY' in os.environ:
    SECRET_KEY = os.environ['SECRET_KEY']


def env_peppers(environ=os.environ):
    """
    API_TOKEN_PEPPERS from the environment: netbox-docker's API_TOKEN_PEPPER_<id> variables, and API_TOKEN_PEPPERS as
    a JSON object ({"1": "..."}) or space/comma separated `<id>:<pepper>` pairs. Empty values are ignored.
    """
    peppers = {}
    combined = environ.get('API_TOKEN_PEPPERS', '').strip()
    if combined.startswith('{'):
        try:
            items = json.loads(combined).items()
        except (ValueError, AttributeError) as exc:
            raise ValueError(f'API_TOKEN_PEPPERS in the environment is not a JSON object: {exc}') from None
    else:
        items = [item.split(':', 1) for item in re.split(r'[\s,]+', combined) if item]
    for item in items:
        if len(item) != 2 or not str(item[0]).strip().isdigit():
            raise ValueError('API_TOKEN_PEPPERS in the environment: give `<id>:<pepper>` pairs, e.g. 1:<50+ chars>.')
        if item[1]:
            peppers[int(item[0])] = str(item[1])
    for name, value in environ.items():
        match = re.fullmatch(r'API_TOKEN_PEPPER_(\d+)', name)
        if match and value:
            peppers[int(match.group(1))] = value
    return peppers


if env_peppers():
    API_TOKEN_PEPPERS = env_peppers()

DEBUG = os.environ.get('DEBUG', 'false').lower() == 'true'
# Uploaded files (image attachments); netbox/media/ when unset.
MEDIA_ROOT = os.environ.get('MEDIA_ROOT') or None
SCRIPTS_ROOT = os.environ.get('SCRIPTS_ROOT') or None
REPORTS_ROOT = os.environ.get('REPORTS_ROOT') or None
TIME_ZONE = os.environ.get('TIME_ZONE', 'UTC')

# Sentry (netbox-docker's variable names); left to the defaults when unset.
if 'SENTRY_ENABLED' in os.environ:
    SENTRY_ENABLED = os.environ['SENTRY_ENABLED'].lower() == 'true'
if 'SENTRY_DSN' in os.environ:
    SENTRY_DSN = os.environ['SENTRY_DSN'] or None
if 'SENTRY_SAMPLE_RATE' in os.environ:
    SENTRY_SAMPLE_RATE = float(os.environ['SENTRY_SAMPLE_RATE'])
if 'SENTRY_TRACES_SAMPLE_RATE' in os.environ:
    SENTRY_TRACES_SAMPLE_RATE = float(os.environ['SENTRY_TRACES_SAMPLE_RATE'])
if 'SENTRY_TAGS' in os.environ:
    SENTRY_TAGS = json.loads(os.environ['SENTRY_TAGS'])  # a JSON object, e.g. {"site": "dc1"}
# Comma-separated CIDRs that webhooks may reach although not public, e.g. 127.0.0.0/8,10.1.0.0/16.
WEBHOOK_ALLOWED_NETWORKS = _env_list('WEBHOOK_ALLOWED_NETWORKS', [])
