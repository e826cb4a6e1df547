"""
Configuration read from environment variables, with working local defaults.

The variable names are those the netbox-docker project uses. `scripts/serve` writes a configuration.py that imports
this module and pins a random SECRET_KEY; edit that file to override anything here.
"""
import os


def _env_list(name, default):
    value = os.environ.get(name)
    return [item.strip() for item in value.split(',') if item.strip()] if value else default


ALLOWED_HOSTS = _env_list('ALLOWED_HOSTS', ['*'])

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

DEBUG = os.environ.get('DEBUG', 'false').lower() == 'true'
TIME_ZONE = os.environ.get('TIME_ZONE', 'UTC')
