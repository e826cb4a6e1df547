"""Configuration templates: rendering in a sandbox (device, context, request data), refused escapes and syntax
errors as 400s, text or JSON answers, the device -> role -> platform fallback, and following a data file."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import DataSource
from dcim.models import Device, DeviceRole, Platform
from extras.models import ConfigTemplate
from netbox.testing import make

pytestmark = pytest.mark.django_db


def template(code, **attrs):
    return ConfigTemplate.objects.create(name=attrs.pop('name', 'base'), template_code=code, **attrs)


def render(api, config_template, data=None, **headers):
    return api.post(f'/api/extras/config-templates/{config_template.pk}/render/', data or {}, format='json',
                    **headers)


def test_render_uses_request_data(api):
    response = render(api, template('hostname {{ name }}'), {'name': 'sw1'})
    assert response.status_code == 200, response.content
    assert response.data['content'] == 'hostname sw1'
    assert response.data['configtemplate']['name'] == 'base'


def test_render_as_text_when_asked(api):
    config_template = template('ntp {{ ntp }}', file_name='sw1', file_extension='cfg')
    response = render(api, config_template, {'ntp': '10.0.0.1'}, HTTP_ACCEPT='text/plain')
    assert response.status_code == 200
    assert response.content == b'ntp 10.0.0.1'
    assert response['Content-Type'].startswith('text/plain')
    assert response['Content-Disposition'] == 'attachment; filename="sw1.cfg"'


def test_environment_params_apply(api):
    config_template = template('{% if true %}\nline\n{% endif %}\n', environment_params={'trim_blocks': True})
    assert render(api, config_template).data['content'] == 'line\n'


def test_device_render_config_gives_device_and_context(api):
    device = make(Device, name='edge1', local_context_data={'ntp': ['10.0.0.1', '10.0.0.2']})
    device.config_template = template('{{ device.name }}{% for s in ntp %} {{ s }}{% endfor %} {{ extra }}')
    device.save()
    response = api.post(f'/api/dcim/devices/{device.pk}/render-config/', {'extra': 'x'}, format='json')
    assert response.status_code == 200, response.content
    assert response.data['content'] == 'edge1 10.0.0.1 10.0.0.2 x'


def test_device_falls_back_to_role_then_platform(api):
    role, platform = make(DeviceRole), make(Platform)
    device = make(Device, name='edge2', role=role, platform=platform)
    platform.config_template = template('platform', name='p')
    platform.save()
    url = f'/api/dcim/devices/{device.pk}/render-config/'
    assert api.post(url, {}, format='json').data['content'] == 'platform'
    role.config_template = template('role', name='r')
    role.save()
    assert api.post(url, {}, format='json').data['content'] == 'role'


def test_device_without_template_is_a_400(api):
    device = make(Device, name='bare')
    response = api.post(f'/api/dcim/devices/{device.pk}/render-config/', {}, format='json')
    assert response.status_code == 400 and 'no configuration template' in response.data['detail']


@pytest.mark.parametrize('code', [
    "{{ device.__class__.__mro__ }}",
    "{{ ''.__class__.__base__.__subclasses__() }}",
    "{{ device._meta.db_table }}",
    "{{ device.delete() }}",
    "{{ device.save() }}",
])
def test_sandbox_refuses_escapes(api, code):
    device = make(Device, name='target')
    device.config_template = template(code)
    device.save()
    response = api.post(f'/api/dcim/devices/{device.pk}/render-config/', {}, format='json')
    assert response.status_code == 400, response.content
    assert 'sandbox' in response.data['detail'] or 'error' in response.data['detail'].lower()
    assert Device.objects.filter(pk=device.pk, name='target').exists()


def test_syntax_error_is_a_400_with_its_line_in_debug(api):
    response = render(api, template('ok\n{% for x in %}', debug=True))
    assert response.status_code == 400
    assert 'syntax' in response.data['detail'].lower() and response.data['line'] == 2


def test_undefined_call_is_a_400(api):
    response = render(api, template('{{ missing.call() }}'))
    assert response.status_code == 400


def test_code_loading_environment_options_are_refused(api):
    response = api.post('/api/extras/config-templates/', {
        'name': 't', 'template_code': 'x', 'environment_params': {'extensions': ['jinja2.ext.debug']}},
        format='json')
    assert response.status_code == 400 and 'environment_params' in response.data


def test_template_follows_its_data_file(api, tmp_path, background):
    (tmp_path / 'base.j2').write_text('from file {{ x }}')
    source = DataSource.objects.create(name='local', type='local', source_url=str(tmp_path))
    assert background(lambda: api.post(f'/api/core/data-sources/{source.pk}/sync/')).status_code == 200
    data_file = source.datafiles.get(path='base.j2')
    config_template = template('inline', data_source=source, data_file=data_file, auto_sync_enabled=True)
    response = api.post(f'/api/extras/config-templates/{config_template.pk}/sync/')
    assert response.status_code == 200, response.content
    assert response.data['data_path'] == 'base.j2' and response.data['data_synced'] is not None
    assert render(api, config_template, {'x': 1}).data['content'] == 'from file 1'
    # A later sync of the source brings the new content to the templates that follow the file.
    (tmp_path / 'base.j2').write_text('changed')
    background(lambda: api.post(f'/api/core/data-sources/{source.pk}/sync/'))
    config_template.refresh_from_db()
    assert config_template.template_code == 'changed'


def test_config_template_list_query_count_is_constant(api):
    def add(count, start):
        ConfigTemplate.objects.bulk_create([ConfigTemplate(name=f't{start + n}', template_code='x')
                                            for n in range(count)])

    def queries():
        api.get('/api/extras/config-templates/', {'limit': 1000})
        with CaptureQueriesContext(connection) as context:
            assert api.get('/api/extras/config-templates/', {'limit': 1000}).status_code == 200
        return len([q for q in context.captured_queries if 'core_configrevision' not in q['sql']
                    and 'UPDATE "users_token"' not in q['sql']])

    add(10, 0)
    few = queries()
    add(200, 10)
    assert queries() == few


@pytest.mark.parametrize('params', [{'newline_sequence': 'x'}, {'block_start_string': '{{'}, {'trim_blocks': 'yes'}])
def test_environment_options_jinja_refuses_are_a_400(api, params):
    response = api.post('/api/extras/config-templates/', {'name': 't', 'template_code': 'x',
                                                          'environment_params': params}, format='json')
    assert response.status_code == 400 and 'environment_params' in response.data


def test_device_page_has_a_render_config_tab(admin_client):
    device = make(Device, name='edge3', local_context_data={'motd': 'hello <world>'})
    device.config_template = template('banner {{ motd }}')
    device.save()
    page = admin_client.get(f'/dcim/devices/{device.pk}/render-config/')
    assert page.status_code == 200
    assert 'banner hello &lt;world&gt;' in page.content.decode()
    detail = admin_client.get(f'/dcim/devices/{device.pk}/').content.decode()
    assert f'/dcim/devices/{device.pk}/render-config/' in detail


def test_render_config_tab_shows_errors(admin_client):
    device = make(Device, name='edge4')
    device.config_template = template('{{ device.__class__ }}')
    device.save()
    page = admin_client.get(f'/dcim/devices/{device.pk}/render-config/')
    assert page.status_code == 200 and 'sandbox' in page.content.decode()


def test_private_attribute_alone_is_refused_not_blank(api):
    response = render(api, template('{{ "x".__class__ }}'))
    assert response.status_code == 400 and 'sandbox' in response.data['detail']
