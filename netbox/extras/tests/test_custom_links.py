"""Custom links on object pages: shown in weight order, hidden when their text renders empty, grouped into one
dropdown per group name, left out when disabled or for other object types; render errors and unsafe URLs show a
marker instead of breaking the page; text and URL are escaped; one query for the links whatever their number."""
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dcim.models import Device, Site
from extras.models import CustomLink
from netbox.testing import make

pytestmark = pytest.mark.django_db


def link(name, text, url, models=(Device,), **attrs):
    custom_link = CustomLink.objects.create(name=name, link_text=text, link_url=url, **attrs)
    custom_link.object_types.set([ContentType.objects.get_for_model(model) for model in models])
    return custom_link


@pytest.fixture
def device():
    return make(Device, name='edge1')


def page(client, obj):
    response = client.get(obj.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def links_block(html):
    found = re.search(r'<div class="custom-links" data-custom-links>(.*?)\n</div>', html, re.S)
    return found.group(1) if found else ''


def test_link_renders_with_the_object(admin_client, device):
    link('nms', 'NMS {{ object.name }}', 'https://nms.example.com/?host={{ obj.name }}&u={{ user.username }}',
         button_class='blue', new_window=True)
    block = links_block(page(admin_client, device))
    assert 'href="https://nms.example.com/?host=edge1&amp;u=admin"' in block
    assert '>NMS edge1</a>' in block
    assert 'btn-link-blue' in block and 'target="_blank"' in block


def test_links_follow_their_weight(admin_client, device):
    link('b', 'Second', '/b', weight=200)
    link('a', 'First', '/a', weight=100)
    link('c', 'Third', '/c', weight=300)
    block = links_block(page(admin_client, device))
    assert block.index('First') < block.index('Second') < block.index('Third')


def test_empty_text_hides_the_link(admin_client, device):
    link('active only', "{% if object.status == 'offline' %}Offline{% endif %}  ", '/x')
    link('shown', 'Shown', '/y')
    block = links_block(page(admin_client, device))
    assert 'Shown' in block and 'active only' not in block and 'Offline' not in block


def test_no_links_no_block(admin_client, device):
    link('hidden', '   ', '/x')
    assert 'data-custom-links' not in page(admin_client, device)


def test_links_of_a_group_share_one_dropdown(admin_client, device):
    link('one', 'One', '/1', group_name='Tools', weight=10)
    link('two', 'Two', '/2', group_name='Tools', weight=20)
    link('alone', 'Alone', '/3', weight=15)
    block = links_block(page(admin_client, device))
    assert block.count('data-link-group="Tools"') == 1
    group = re.search(r'data-link-group="Tools">(.*?)</details>', block, re.S).group(1)
    assert 'One' in group and 'Two' in group and 'Alone' not in group
    assert '>Tools &#9662;</summary>' in group
    assert block.index('data-link-group') < block.index('Alone')  # the group sits where its lightest link falls


def test_disabled_links_and_other_types_are_not_shown(admin_client, device):
    link('off', 'Off', '/off', enabled=False)
    link('sites', 'Sites only', '/s', models=(Site,))
    html = page(admin_client, device)
    assert 'Off' not in links_block(html) and 'Sites only' not in html


def test_render_errors_show_a_marker_not_a_500(admin_client, device):
    link('broken', '{% if %}', '/x')
    link('escape', '{{ object.__class__ }}', '/y')
    link('bad url', 'Bad', '{{ 1 // 0 }}')
    link('fine', 'Fine', '/z')
    block = links_block(page(admin_client, device))
    assert block.count('data-link-error') == 3
    assert 'Custom link &quot;escape&quot;: Refused by the template sandbox' in block
    assert 'Fine' in block


def test_script_urls_are_refused(admin_client, device):
    link('js', 'Click', 'javascript:alert(1)')
    link('js2', 'Click', ' JavaScript:alert(1)')
    link('data', 'Click', 'data:text/html,<b>x</b>')
    block = links_block(page(admin_client, device))
    assert 'javascript:' not in block.lower().replace('the url scheme &quot;javascript&quot;', '')
    assert block.count('data-link-error') == 3


def test_text_and_url_are_escaped(admin_client, device):
    link('xss', '<script>alert(1)</script>', '/x?"><script>')
    block = links_block(page(admin_client, device))
    assert '<script>' not in block and '&lt;script&gt;' in block


def test_links_do_not_write(admin_client, device):
    link('writer', '{{ object.delete() }}', '/x')
    block = links_block(page(admin_client, device))
    assert 'data-link-error' in block
    assert Device.objects.filter(pk=device.pk).exists()


def test_context_has_request_user_perms_debug(admin_client, device):
    link('ctx', '{{ request.path }}|{{ user.username }}|{{ perms.dcim.view_device }}|{{ debug }}', '/x')
    block = links_block(page(admin_client, device))
    assert f'{device.get_absolute_url()}|admin|True|False' in block


def test_query_count_does_not_grow_with_links(admin_client, device):
    def queries():
        admin_client.get(device.get_absolute_url())
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(device.get_absolute_url()).status_code == 200
        return len([q for q in context.captured_queries if 'core_configrevision' not in q['sql']])

    link('l0', 'L0 {{ object.name }}', '/0')
    few = queries()
    for number in range(1, 12):
        link(f'l{number}', f'L{number} {{{{ object.name }}}}', f'/{number}', group_name='g' if number % 2 else '')
    assert queries() == few
    assert 'L11 edge1' in page(admin_client, device)


def test_rest_create_and_filters(api):
    response = api.post('/api/extras/custom-links/', {
        'name': 'nms', 'object_types': ['dcim.device'], 'link_text': 'NMS', 'link_url': 'https://x/{{ obj.pk }}',
        'button_class': 'ghost-dark', 'group_name': 'Tools'}, format='json')
    assert response.status_code == 201, response.content
    assert response.data['button_class'] == 'ghost-dark' and response.data['enabled'] is True
    assert response.data['weight'] == 100 and response.data['new_window'] is False
    assert api.get('/api/extras/custom-links/', {'object_type': 'dcim.device'}).data['count'] == 1
    assert api.get('/api/extras/custom-links/', {'group_name': 'Tools', 'enabled': True}).data['count'] == 1
    bad = api.post('/api/extras/custom-links/', {
        'name': 'x', 'object_types': ['dcim.device'], 'link_text': 'x', 'link_url': 'x', 'button_class': 'rainbow'},
        format='json')
    assert bad.status_code == 400 and 'button_class' in bad.data
