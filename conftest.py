"""Test-wide set-up: the test configuration module, before Django reads its settings."""
import os

os.environ.setdefault('NETBOX_CONFIGURATION', 'netbox.configuration_testing')
