"""End-to-end in headless Chromium: an operator turns maintenance mode on by restoring a configuration revision, sees
the banner, and an edit of a site is refused with a message and nothing saved."""
import re

import pytest

from netbox.tests.test_browser import browser, page  # noqa: F401 - fixtures shared with it

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_maintenance_blocks_edits(page, live_server_url):  # noqa: F811
    """
    With `page` logged in as a user who may view and change configuration revisions and sites (a superuser): turn
    MAINTENANCE_MODE on through a revision's Restore button, then try to rename a site in its edit form.
    """
    from core.models import ConfigRevision
    from dcim.models import Site

    site = Site.objects.create(name='Maint site', slug='maint-site')
    revision = ConfigRevision.objects.create(comment='Maintenance window', data={'MAINTENANCE_MODE': True})

    page.goto(f'{live_server_url}{revision.get_absolute_url()}')
    diff = page.locator('#config-diff')
    assert diff.locator('tr[data-parameter="MAINTENANCE_MODE"]').is_visible()
    diff.get_by_role('button', name='Restore this revision').click()
    page.wait_for_url(re.compile(rf'/core/config-revisions/{revision.pk}/$'))
    assert 'Restored Maintenance window' in page.locator('.alert-success').inner_text()
    banner = page.locator('.banner-maintenance')
    assert banner.is_visible() and 'maintenance mode' in banner.inner_text()

    edit_url = f'{live_server_url}/dcim/sites/{site.pk}/edit/'
    page.goto(edit_url)
    page.fill('#id_name', 'Renamed in maintenance')
    page.get_by_role('button', name='Save', exact=True).click()
    page.wait_for_url(edit_url)
    error = page.locator('.alert-error')
    assert 'NetBox is in maintenance mode' in error.inner_text()
    assert page.locator('.banner-maintenance').is_visible()
    site.refresh_from_db()
    assert site.name == 'Maint site'


def test_maintenance_mode_blocks_edits(page, live_server):  # noqa: F811
    check_maintenance_blocks_edits(page, live_server.url)
