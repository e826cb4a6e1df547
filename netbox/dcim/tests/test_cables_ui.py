"""Cabling pages: connect from a component, the trace drawing and the connections list."""
import xml.etree.ElementTree as ET

import pytest

from dcim.models import Cable, Interface
from dcim.tests.test_cables import interface

pytestmark = pytest.mark.django_db


def test_connect_page_creates_a_cable(admin_client):
    a, b = interface(name='a'), interface(name='b')
    url = f'/dcim/cables/connect/?a_type=dcim.interface&a_id={a.pk}'
    page = admin_client.get(f'{url}&b_type=interface&b_device={b.device_id}')
    assert page.status_code == 200 and b'>b</option>' in page.content
    response = admin_client.post(url, {'b_type': 'interface', 'b_device': b.device_id, 'b_terminations': [b.pk],
                                       'status': 'connected', 'label': 'ui-cable'})
    assert response.status_code == 302
    cable = Cable.objects.get(label='ui-cable')
    assert Interface.objects.get(pk=a.pk).connected_endpoints == [b]
    assert cable.b_terminations == [b]


def test_connect_page_reports_errors_and_saves_nothing(admin_client):
    a = interface(name='a')
    response = admin_client.post(f'/dcim/cables/connect/?a_type=dcim.interface&a_id={a.pk}',
                                 {'b_type': 'interface', 'b_device': a.device_id, 'b_terminations': []})
    assert response.status_code == 400
    assert b'Choose at least one component' in response.content
    assert not Cable.objects.exists()


def test_connect_needs_permission(client, plain_user):
    client.force_login(plain_user)
    a = interface(name='a')
    assert client.get(f'/dcim/cables/connect/?a_type=dcim.interface&a_id={a.pk}').status_code == 403


def test_trace_page_draws_the_path(admin_client, patched):
    left, right, _ = patched
    response = admin_client.get(f'/dcim/interfaces/{left.pk}/trace/')
    assert response.status_code == 200
    content = response.content.decode()
    svg = content[content.index('<svg'):content.index('</svg>') + 6]
    root = ET.fromstring(svg)
    texts = ' '.join(t.text or '' for t in root.iter('{http://www.w3.org/2000/svg}text'))
    assert 'trunk' in texts and 'left' in texts and 'right' in texts


def test_component_page_offers_connect_or_trace(admin_client, patched):
    left, _, _ = patched
    spare = interface(name='spare')
    assert b'Trace' in admin_client.get(f'/dcim/interfaces/{left.pk}/').content
    assert b'/dcim/cables/connect/' in admin_client.get(f'/dcim/interfaces/{spare.pk}/').content


def test_connections_list(admin_client, patched):
    left, right, _ = patched
    response = admin_client.get('/dcim/interfaces/connections/')
    assert response.status_code == 200
    assert b'left' in response.content and b'right' in response.content


def test_interface_rows_offer_connect_or_link_the_cable(admin_client, patched):
    left, _, cables = patched
    spare = interface(name='spare')
    page = admin_client.get('/dcim/interfaces/').content.decode()
    assert f'a_type=dcim.interface&amp;a_id={spare.pk}' in page
    assert cables[0].get_absolute_url() in page


def test_adding_a_cable_from_the_menu_starts_with_the_near_end(admin_client):
    eth = interface(name='eth-start')
    page = admin_client.get('/dcim/cables/add/', {'a_kind': 'interface', 'a_device': eth.device_id})
    assert page.status_code == 200
    assert f'value="{eth.pk}"' in page.content.decode()
    assert admin_client.get('/dcim/cables/connect/', {'a_type': 'dcim.interface', 'a_id': eth.pk}).status_code == 200
