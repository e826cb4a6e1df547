"""Settings for the test suite: the regular settings, read from configuration_testing.py."""
import os

os.environ.setdefault('NETBOX_CONFIGURATION', 'netbox.configuration_testing')

from netbox.settings import *  # noqa: E402,F401,F403
