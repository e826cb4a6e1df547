"""End-to-end: create an export template for devices in the UI, then export the (filtered) device list through it
from the list page's Export menu, in headless Chromium; a custom link shows on the device's page."""
import re

import pytest
from django.contrib.contenttypes.models import ContentType

from netbox.tests.test_browser import browser, page  # noqa: F401 - fixtures shared with it

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_template_from_the_export_menu(page, live_server):  # noqa: F811
    from dcim.models import Device
    from extras.models import ExportTemplate
    from netbox.testing import make

    for name in ('core1', 'core2', 'edge1'):
        make(Device, name=name)
    base = live_server.url

    # Create the template through its add form.
    page.goto(f'{base}/extras/export-templates/add/')
    page.fill('#id_name', 'Host list')
    page.select_option('#id_object_types', value=str(ContentType.objects.get_for_model(Device).pk))
    page.fill('#id_template_code', '{% for d in queryset %}host {{ d.name }}\n{% endfor %}')
    page.fill('#id_file_name', 'hosts')
    page.fill('#id_file_extension', 'txt')
    page.get_by_role('button', name='Create', exact=True).click()
    page.wait_for_url(re.compile(r'/extras/export-templates/\d+/$'))
    template = ExportTemplate.objects.get(name='Host list')
    assert [ct.model for ct in template.object_types.all()] == ['device']

    # Filter the device list, then export it through the template from the Export menu.
    page.goto(f'{base}/dcim/devices/?q=core')
    assert page.locator('table.table tbody tr').count() == 2
    page.click('details.menu-button summary:has-text("Export")')
    entry = page.locator('details.menu-button .dropdown a[data-export-template]', has_text='Host list')
    assert entry.is_visible()
    assert page.locator('details.menu-button .dropdown a', has_text='CSV').is_visible()
    with page.expect_download() as info:
        entry.click()
    download = info.value
    assert download.suggested_filename == 'hosts.txt'
    assert open(download.path()).read() == 'host core1\nhost core2\n'


def test_custom_link_on_the_device_page(page, live_server):  # noqa: F811
    from dcim.models import Device
    from extras.models import CustomLink
    from netbox.testing import make

    device = make(Device, name='edge9')
    for name, group in (('Graphs', 'Monitoring'), ('Alerts', 'Monitoring'), ('Ticket', '')):
        link = CustomLink.objects.create(name=name, link_text=f'{name} {{{{ object.name }}}}',
                                         link_url=f'https://example.com/{name.lower()}/{{{{ object.pk }}}}',
                                         group_name=group)
        link.object_types.set([ContentType.objects.get_for_model(Device)])
    page.goto(f'{live_server.url}{device.get_absolute_url()}')
    ticket = page.locator('.custom-links a', has_text='Ticket edge9')
    assert ticket.get_attribute('href') == f'https://example.com/ticket/{device.pk}'
    group = page.locator('.custom-links details[data-link-group="Monitoring"]')
    assert not group.locator('a', has_text='Graphs edge9').is_visible()
    group.locator('summary').click()
    assert group.locator('a', has_text='Graphs edge9').is_visible()
    assert group.locator('a', has_text='Alerts edge9').is_visible()
