"""Configuration for the test suite: the environment-driven configuration with a fixed, test-only secret key."""
import os

from netbox.configuration_env import *  # noqa: F401,F403

SECRET_KEY = os.environ.get('SECRET_KEY', 'test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH')
DATABASE['NAME'] = os.environ.get('DB_NAME', 'netbox')  # noqa: F405
EXEMPT_VIEW_PERMISSIONS = []
LOGIN_REQUIRED = True
