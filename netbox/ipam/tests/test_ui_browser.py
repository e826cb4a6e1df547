"""End-to-end IPAM flow in headless Chromium: create a prefix, take a free address from its IP addresses tab."""
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_prefix_to_ip_address_flow(page, live_server):
    from ipam.models import IPAddress, Prefix
    from tenancy.models import Tenant

    Tenant.objects.create(name='Acme', slug='acme')
    base = live_server.url

    # Create a prefix through the add form.
    page.goto(f'{base}/ipam/prefixes/add/')
    page.fill('#id_prefix', '10.20.0.0/24')
    page.get_by_role('button', name='Create', exact=True).click()
    page.wait_for_url(re.compile(r'/ipam/prefixes/\d+/$'))
    prefix = Prefix.objects.get(prefix='10.20.0.0/24')
    assert page.locator('.attr-table .utilization').inner_text().strip() == '0%'

    # Its IP addresses tab shows the whole usable range as one available row.
    page.click('.tabs a:has-text("IP addresses")')
    page.wait_for_url(f'{base}/ipam/prefixes/{prefix.pk}/ip-addresses/')
    available = page.locator('tr.available-row a.available-link')
    assert available.count() == 1
    assert available.inner_text() == '10.20.0.1-10.20.0.254 (254 available)'

    # Clicking it opens the add form with the first free address; saving returns to the tab.
    available.click()
    page.wait_for_url(re.compile(r'/ipam/ip-addresses/add/\?'))
    assert page.input_value('#id_address') == '10.20.0.1/24'
    page.fill('#id_dns_name', 'gw.example.com')
    page.get_by_role('button', name='Create', exact=True).click()
    page.wait_for_url(f'{base}/ipam/prefixes/{prefix.pk}/ip-addresses/')
    assert 'Created IP address 10.20.0.1/24' in page.locator('.alert-success').inner_text()
    address = IPAddress.objects.get(dns_name='gw.example.com')
    assert str(address.address) == '10.20.0.1/24'

    # The address is listed, the free run shrank and the utilisation rose (1 of 254 usable addresses).
    row = page.locator(f'tr[data-pk="{address.pk}"]')
    assert '10.20.0.1/24' in row.inner_text() and 'gw.example.com' in row.inner_text()
    assert page.locator('tr.available-row a.available-link').inner_text() == \
        '10.20.0.2-10.20.0.254 (253 available)'
    assert page.locator('.children-summary .utilization').inner_text().strip() == '0.39%'
    page.goto(f'{base}/ipam/prefixes/')
    assert page.locator(f'tr[data-pk="{prefix.pk}"] .utilization').inner_text().strip() == '0.39%'
