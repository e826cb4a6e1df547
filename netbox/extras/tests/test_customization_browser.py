"""End-to-end in headless Chromium: a config context created in the UI reaches a device's rendered context, the
device's configuration template renders with it, and the device list exports through an export template."""
import re

import pytest
from django.contrib.contenttypes.models import ContentType

from netbox.tests.test_browser import browser, choose, page  # noqa: F401 - fixtures shared with it

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_config_context_render_config_and_export(page, live_server):  # noqa: F811
    from dcim.models import Device
    from extras.models import ConfigContext, ConfigTemplate, ExportTemplate
    from netbox.testing import make

    template = ConfigTemplate.objects.create(
        name='Base config', template_code='hostname {{ device.name }}\n{% for s in ntp_servers %}ntp server {{ s }}\n'
                                          '{% endfor %}')
    device = make(Device, name='edge1', config_template=template)
    make(Device, name='core1', site=device.site)
    export = ExportTemplate.objects.create(name='Inventory', file_name='inventory', file_extension='csv',
                                           template_code='{% for d in queryset %}{{ d.name }};{{ d.site.name }}\n'
                                                         '{% endfor %}')
    export.object_types.set([ContentType.objects.get_for_model(Device)])
    base = live_server.url

    # A config context for the device's site, created through its add form.
    page.goto(f'{base}/extras/config-contexts/add/')
    page.fill('#id_name', 'NTP at the site')
    page.fill('#id_weight', '100')
    page.fill('#id_data', '{"ntp_servers": ["192.0.2.1", "192.0.2.2"]}')
    choose(page, 'sites', device.site.name[:4], device.site.name)
    page.get_by_role('button', name='Create', exact=True).click()
    page.wait_for_url(re.compile(r'/extras/config-contexts/\d+/$'))
    context = ConfigContext.objects.get(name='NTP at the site')
    assert list(context.sites.all()) == [device.site]

    # The device's rendered context shows the merged data and where it came from.
    page.goto(f'{base}{device.get_absolute_url()}')
    page.click('a[data-tab="config-context"]')
    page.wait_for_url(re.compile(rf'/dcim/devices/{device.pk}/config-context/$'))
    rendered = page.locator('pre.rendered-context').inner_text()
    assert '"ntp_servers"' in rendered and '192.0.2.2' in rendered
    assert page.locator('a', has_text='NTP at the site').is_visible()

    # Its configuration template renders with that context.
    page.click('a[data-tab="render-config"]')
    page.wait_for_url(re.compile(rf'/dcim/devices/{device.pk}/render-config/$'))
    assert page.locator('pre.rendered-config').inner_text().strip() == (
        'hostname edge1\nntp server 192.0.2.1\nntp server 192.0.2.2')

    # The device list, filtered, exports through the export template.
    page.goto(f'{base}/dcim/devices/?q=edge')
    assert page.locator('table.table tbody tr').count() == 1
    page.click('details.menu-button summary:has-text("Export")')
    with page.expect_download() as info:
        page.locator('details.menu-button .dropdown a[data-export-template]', has_text='Inventory').click()
    download = info.value
    assert download.suggested_filename == 'inventory.csv'
    assert open(download.path()).read() == f'edge1;{device.site.name}\n'
