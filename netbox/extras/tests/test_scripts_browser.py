"""In headless Chromium: a script run from its form, its log appearing on the result page once a real RQ worker
process has run it; an ObjectVar's type-ahead narrowed by another variable (query_params)."""
import re

import pytest

from extras.tests.test_scripts import roots, run_worker, script  # noqa: F401 - the roots fixture
from netbox.tests.test_browser import browser, choose, page  # noqa: F401 - fixtures shared with it

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_run_a_script_from_its_form_and_watch_its_log(page, live_server, roots, settings):  # noqa: F811
    from core.jobs import clear_queue
    from tenancy.models import Tenant, TenantGroup

    clear_queue('default')
    customers = TenantGroup.objects.create(name='Customers', slug='customers')
    others = TenantGroup.objects.create(name='Others', slug='others')
    Tenant.objects.create(name='Inside', slug='inside', group=customers)
    Tenant.objects.create(name='Outside', slug='outside', group=others)
    target = script('sites.SiteTenant')
    base = live_server.url

    page.goto(f'{base}/extras/scripts/')
    module = page.locator('section.script-module[data-module="sites"]')
    assert module.locator('h2').inner_text().startswith('Site tools')
    module.get_by_role('link', name='Site tenant').click()
    page.wait_for_url(f'{base}/extras/scripts/{target.pk}/')

    choose(page, 'group', 'Cust', 'Customers')
    # The tenant type-ahead asks for the chosen group's tenants only.
    search = page.locator('#id_tenant_search')
    search.click()
    search.fill('side')
    menu = page.locator('div.ta', has=search).locator('.ta-menu')
    menu.locator('.ta-item', has_text='Inside').wait_for()
    assert menu.locator('.ta-item', has_text='Outside').count() == 0
    menu.locator('.ta-item', has_text='Inside').click()
    page.get_by_role('button', name='Run script').click()
    page.wait_for_url(re.compile(r'/extras/scripts/results/\d+/$'))
    assert page.locator('[data-job-status="pending"]').is_visible()

    run_worker(roots, settings)

    # The page polls and shows the log without a reload.
    page.locator('[data-job-status="completed"]').wait_for()
    row = page.locator('table.script-log tbody tr[data-level="success"]')
    assert row.locator('.log-message').inner_text() == 'Inside of Customers'
    assert row.get_by_role('link', name='Inside').is_visible()
    assert page.locator('[data-finished="true"]').count() == 1
    clear_queue('default')
