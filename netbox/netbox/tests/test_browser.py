"""End-to-end: a user drives the UI in headless Chromium (Playwright) against a live server."""
import os
import re

import pytest
from django.contrib.contenttypes.models import ContentType

os.environ.setdefault('DJANGO_ALLOW_ASYNC_UNSAFE', 'true')

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']


@pytest.fixture
def browser():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path='/usr/bin/chromium', args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # The ORM calls made while Playwright runs use a connection of their own context; close it so the
            # test database can be dropped at the end of the session.
            connections.close_all()


@pytest.fixture
def page(browser, live_server, superuser):
    context = browser.new_context(viewport={'width': 1400, 'height': 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f'{live_server.url}/login/')
    page.fill('#id_username', 'root')
    page.fill('#id_password', 'Root-pass-123')
    page.click('button[type=submit]')
    page.wait_for_url(f'{live_server.url}/')
    yield page
    context.close()


def choose(page, field, text, option):
    """Pick `option` in the type-ahead of form field `field` after typing `text`."""
    search = page.locator(f'#id_{field}_search')
    search.click()
    search.fill(text)
    widget = page.locator('div.ta', has=search)
    widget.locator('.ta-menu .ta-item', has_text=option).first.click()


def test_tenant_lifecycle(page, live_server):
    from extras.models import CustomField, Tag
    from tenancy.models import Tenant, TenantGroup

    field = CustomField.objects.create(name='contract', label='Contract', type='text')
    field.object_types.set([ContentType.objects.get_for_model(Tenant)])
    Tag.objects.create(name='Gold', slug='gold', color='ffd700')
    TenantGroup.objects.create(name='Customers', slug='customers')
    base = live_server.url

    # Create through the add form, with the custom field, a tag and a group chosen by type-ahead.
    page.goto(f'{base}/tenancy/tenants/add/')
    page.fill('#id_name', 'Acme')
    page.fill('#id_slug', 'acme')
    page.fill('#id_cf_contract', 'C-42')
    choose(page, 'group', 'cust', 'Customers')
    choose(page, 'tags', 'go', 'Gold')
    assert page.locator('.ta-chip', has_text='Gold').count() == 1
    page.get_by_role('button', name='Create', exact=True).click()
    page.wait_for_url(re.compile(r'/tenancy/tenants/\d+/$'))
    assert page.locator('.alert-success').inner_text().startswith('Created tenant Acme')
    assert page.locator('.detail-side .tag', has_text='Gold').is_visible()
    assert page.locator('.attr-table td', has_text='C-42').is_visible()
    tenant = Tenant.objects.get(slug='acme')
    assert tenant.group.slug == 'customers' and tenant.custom_field_data == {'contract': 'C-42'}
    assert [tag.slug for tag in tenant.tags.all()] == ['gold']

    # Find it in the list with the quick search.
    Tenant.objects.create(name='Globex', slug='globex')
    page.goto(f'{base}/tenancy/tenants/')
    assert page.locator('table.table tbody tr').count() == 2
    page.fill('#filter-form input[name=q]', 'acm')
    page.click('#filter-form button:has-text("Search")')
    page.wait_for_url(re.compile(r'q=acm'))
    rows = page.locator('table.table tbody tr')
    assert rows.count() == 1 and 'Acme' in rows.first.inner_text()
    rows.first.locator('a.object-link').click()
    page.wait_for_url(f'{base}{tenant.get_absolute_url()}')

    # Edit it.
    page.click('a.btn:has-text("Edit")')
    page.wait_for_url(re.compile(r'/edit/$'))
    page.fill('#id_description', 'Our best customer')
    page.get_by_role('button', name='Save', exact=True).click()
    page.wait_for_url(f'{base}{tenant.get_absolute_url()}')
    assert page.locator('.attr-table td', has_text='Our best customer').is_visible()

    # The change shows in its changelog, with the new value in the diff.
    page.click('.tabs a:has-text("Changelog")')
    page.wait_for_url(re.compile(r'/changelog/$'))
    updated = page.locator('article.change', has_text='Updated').first
    assert 'Our best customer' in updated.locator('.diff-after').all_inner_texts()[0] or \
        'Our best customer' in updated.inner_text()
    assert page.locator('article.change', has_text='Created').count() == 1

    # Delete it.
    page.click('a.btn:has-text("Delete")')
    page.wait_for_url(re.compile(r'/delete/$'))
    page.get_by_role('button', name='Delete', exact=True).click()
    page.wait_for_url(f'{base}/tenancy/tenants/')
    assert 'Deleted tenant Acme' in page.locator('.alert-success').inner_text()
    assert not Tenant.objects.filter(slug='acme').exists()


def test_bulk_selection_and_table_configuration(page, live_server):
    from tenancy.models import Tenant

    for name in ('Alpha', 'Bravo', 'Charlie'):
        Tenant.objects.create(name=name, slug=name.lower())
    base = live_server.url
    page.goto(f'{base}/tenancy/tenants/')
    edit_button = page.locator('button:has-text("Edit selected")')
    assert edit_button.is_disabled()
    page.check('[data-select-all]')
    assert page.locator('[data-selected-count]').inner_text() == '3'
    page.locator('tr', has_text='Charlie').locator('input[name=pk]').uncheck()
    page.click('button:has-text("Delete selected")')
    page.wait_for_url(re.compile(r'/delete/$'))
    page.click('button[type=submit]:has-text("Delete 2")')
    page.wait_for_url(f'{base}/tenancy/tenants/')
    assert list(Tenant.objects.values_list('name', flat=True)) == ['Charlie']

    page.click('button:has-text("Configure table")')
    page.check('#table-config input[value=slug]')
    page.click('#table-config button:has-text("Save")')
    page.wait_for_load_state()
    assert page.locator('table.table th', has_text='Slug').count() == 1


def test_api_docs_render_the_device_operations(page, live_server):
    # Swagger UI builds the page from /api/schema/ in the browser; its assets come from the sidecar package.
    # Tags start collapsed; a deep link (#/<tag>/<operationId>) opens one operation, whose element id is
    # operations-<tag>-<operationId>.
    page.goto(f'{live_server.url}/api/docs/#/dcim/dcim_devices_list')
    operation = page.locator('#operations-dcim-dcim_devices_list')
    operation.wait_for(timeout=60000)
    assert '/api/dcim/devices/' in operation.locator('.opblock-summary').inner_text()
    # Opened, it lists the operation's filters.
    page.locator('#operations-dcim-dcim_devices_list tr[data-param-name="site_id"]').wait_for(timeout=30000)
    assert page.locator('#operations-dcim-dcim_devices_create').count() == 1
