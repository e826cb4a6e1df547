"""The headless Chromium fixtures of the generic browser tests, for the IPAM browser test."""
from netbox.tests.test_browser import browser, page  # noqa: F401
