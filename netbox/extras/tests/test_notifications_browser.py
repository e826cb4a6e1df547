"""End-to-end in headless Chromium against a live server (real commits): subscribing with the object page's button,
a change by another request producing a notification, the bell's unread count, and reading it."""
import os

import pytest

from netbox.tests.test_browser import CHROMIUM_ARGS, browser, page  # noqa: F401  (fixtures)

os.environ.setdefault('DJANGO_ALLOW_ASYNC_UNSAFE', 'true')

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_subscribe_change_and_read_notification(page, live_server):  # noqa: F811
    from netbox.testing import client_for
    from tenancy.models import Tenant
    from users.models import User

    tenant = Tenant.objects.create(name='Acme', slug='acme')
    page.goto(f'{live_server.url}{tenant.get_absolute_url()}')
    page.click('button[data-subscribe]')
    page.wait_for_selector('button[data-subscribe]:has-text("Unsubscribe")')
    page.click('button[data-bookmark]')
    page.wait_for_selector('button[data-bookmark]:has-text("Unbookmark")')
    assert page.locator('[data-unread-count]').count() == 0

    # Another user changes the tenant through the API: committed, so the subscriber is notified.
    editor = User.objects.create_superuser('editor', 'editor@example.com', 'Editor-pass-123')
    response = client_for(editor).patch(f'/api/tenancy/tenants/{tenant.pk}/', {'description': 'moved'},
                                        format='json')
    assert response.status_code == 200
    page.goto(f'{live_server.url}/')
    assert page.locator('[data-unread-count]').inner_text() == '1'
    assert 'Acme' in page.locator('.widget-BookmarksWidget').inner_text()
    page.click('details[data-bell] > summary')
    page.click('details[data-bell] .dropdown a:has-text("Acme: Object updated")')
    page.wait_for_url(f'{live_server.url}{tenant.get_absolute_url()}')
    assert page.locator('[data-unread-count]').count() == 0
