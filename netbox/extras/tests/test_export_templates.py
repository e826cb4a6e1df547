"""Export templates: ?export=<name> on list pages and REST lists renders the user's filtered, permission-restricted
list in the sandbox, with the template's MIME type and download name; errors are 400s; the built-in exports stay;
the Export menu offers the templates of the model only; environment options and data-file sync."""
import pytest
from django.contrib.contenttypes.models import ContentType

from core.models import DataSource
from dcim.models import Device, Site
from extras.models import ExportTemplate
from netbox.testing import grant, make
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db

DEVICES_URL = '/dcim/devices/'


def export_template(code, models=(Device,), **attrs):
    template = ExportTemplate.objects.create(name=attrs.pop('name', 'names'), template_code=code, **attrs)
    template.object_types.set([ContentType.objects.get_for_model(model) for model in models])
    return template


@pytest.fixture
def devices():
    return [make(Device, name=name) for name in ('alpha', 'beta', 'gamma')]


def test_export_renders_the_list_with_mime_type_and_attachment(admin_client, devices):
    export_template('{% for d in queryset %}{{ d.name }};{% endfor %}', mime_type='text/csv', file_name='hosts',
                    file_extension='txt')
    response = admin_client.get(DEVICES_URL, {'export': 'names'})
    assert response.status_code == 200
    assert response.content.decode() == 'alpha;beta;gamma;'
    assert response['Content-Type'].startswith('text/csv')
    assert response['Content-Disposition'] == 'attachment; filename="hosts.txt"'


def test_default_mime_type_and_inline_display(admin_client, devices):
    export_template('{{ queryset|length }}', as_attachment=False)
    response = admin_client.get(DEVICES_URL, {'export': 'names'})
    assert response.status_code == 200 and response.content == b'3'
    assert response['Content-Type'].startswith('text/plain')
    assert 'Content-Disposition' not in response
    assert response['Content-Security-Policy'] == 'sandbox'  # inline HTML could not run scripts


def test_default_file_name_is_the_model_plural(admin_client, devices):
    export_template('x', file_extension='conf')
    response = admin_client.get(DEVICES_URL, {'export': 'names'})
    assert response['Content-Disposition'] == 'attachment; filename="netbox_devices.conf"'


def test_export_follows_the_page_filters(admin_client, devices):
    export_template('{% for d in queryset %}{{ d.name }} {% endfor %}')
    response = admin_client.get(DEVICES_URL, {'export': 'names', 'name__isw': 'a'})
    assert response.content.decode().split() == ['alpha']
    response = admin_client.get(DEVICES_URL, {'export': 'names', 'q': 'mm'})
    assert response.content.decode().split() == ['gamma']


def test_constrained_user_exports_only_their_objects(client, plain_user, devices):
    template = export_template('{% for d in queryset %}{{ d.name }} {% endfor %}')
    grant(plain_user, Device, ['view'], constraints={'name__in': ['alpha', 'gamma']})
    grant(plain_user, ExportTemplate, ['view'])
    client.force_login(plain_user)
    response = client.get(DEVICES_URL, {'export': template.name})
    assert response.status_code == 200
    assert response.content.decode().split() == ['alpha', 'gamma']
    # The page's filters narrow it further.
    response = client.get(DEVICES_URL, {'export': template.name, 'name': 'gamma'})
    assert response.content.decode().split() == ['gamma']


def test_templates_the_user_may_not_view_are_neither_offered_nor_usable(client, plain_user, devices):
    export_template('{{ queryset|length }}')
    grant(plain_user, Device, ['view'])
    client.force_login(plain_user)
    page = client.get(DEVICES_URL).content.decode()
    assert 'data-export-template' not in page
    response = client.get(DEVICES_URL, {'export': 'names'})
    assert response.status_code == 400 and 'no export template named' in response.content.decode()


def test_template_applies_only_to_its_object_types(admin_client, devices):
    export_template('sites only', models=(Site,))
    response = admin_client.get(DEVICES_URL, {'export': 'names'})
    assert response.status_code == 400
    assert 'There is no export template named &quot;names&quot; for devices' in response.content.decode()
    make(Site, name='s1')
    assert admin_client.get('/dcim/sites/', {'export': 'names'}).content == b'sites only'


def test_export_menu_offers_builtin_exports_and_the_models_templates(admin_client, devices):
    export_template('x', name='Nagios hosts', description='for monitoring')
    export_template('y', name='Tenant sheet', models=(Tenant,))
    page = admin_client.get(DEVICES_URL, {'status': 'active'}).content.decode()
    assert 'CSV (shown columns)' in page and 'YAML (shown columns)' in page
    assert 'Nagios hosts' in page and 'title="for monitoring"' in page
    assert 'export=Nagios+hosts' in page and 'status=active' in page
    assert 'Tenant sheet' not in page


def test_builtin_csv_export_still_works(admin_client, devices):
    export_template('never used', name='csv-like')
    response = admin_client.get(DEVICES_URL, {'export': 'csv', 'name': 'beta'})
    assert response.status_code == 200
    assert response['Content-Type'].startswith('text/csv')
    lines = response.content.decode().splitlines()
    assert len(lines) == 2 and 'beta' in lines[1]


@pytest.mark.parametrize('code, expected', [
    ('{% for d in queryset %}', 'syntax'),
    ('{{ queryset.first().delete() }}', 'sandbox'),
    ('{{ missing.call() }}', 'could not be rendered'),
    ('{{ 1 // 0 }}', 'ZeroDivisionError'),
])
def test_template_errors_are_a_400_page(admin_client, devices, code, expected):
    export_template(code)
    response = admin_client.get(DEVICES_URL, {'export': 'names'})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'Export failed' in page and expected in page
    assert Device.objects.count() == 3


def test_unknown_template_is_a_400(admin_client, devices):
    response = admin_client.get(DEVICES_URL, {'export': 'nothing'})
    assert response.status_code == 400 and 'no export template named' in response.content.decode()


def test_rest_list_renders_an_export_template(api, devices):
    export_template('{% for d in queryset %}{{ d.name }},{% endfor %}', mime_type='text/csv', file_extension='csv')
    response = api.get('/api/dcim/devices/', {'export': 'names', 'name__n': 'beta'})
    assert response.status_code == 200
    assert response.content == b'alpha,gamma,'
    assert response['Content-Disposition'] == 'attachment; filename="netbox_devices.csv"'
    error = api.get('/api/dcim/devices/', {'export': 'nothing'})
    assert error.status_code == 400 and 'no export template' in error.json()['detail']


def test_rest_export_respects_constraints(plain_user, devices):
    from netbox.testing import client_for

    export_template('{% for d in queryset %}{{ d.name }} {% endfor %}')
    grant(plain_user, Device, ['view'], constraints={'name': 'beta'})
    grant(plain_user, ExportTemplate, ['view'])
    response = client_for(plain_user).get('/api/dcim/devices/', {'export': 'names'})
    assert response.status_code == 200 and response.content.decode().split() == ['beta']


def test_rest_create_and_object_type_filter(api):
    response = api.post('/api/extras/export-templates/', {
        'name': 'hosts', 'object_types': ['dcim.device'], 'template_code': '{{ queryset|length }}',
        'mime_type': 'text/plain', 'environment_params': {'trim_blocks': True}}, format='json')
    assert response.status_code == 201, response.content
    assert response.data['object_types'] == ['dcim.device'] and response.data['as_attachment'] is True
    assert api.get('/api/extras/export-templates/', {'object_type': 'dcim.device'}).data['count'] == 1
    assert api.get('/api/extras/export-templates/', {'object_type': 'dcim.site'}).data['count'] == 0


@pytest.mark.parametrize('params', [
    {'finalize': 'subprocess.getoutput'},  # CVE-2026-29514
    {'extensions': ['jinja2.ext.debug']},
    {'loader': 'jinja2.FileSystemLoader'},
    {'trim_blocks': 'yes'},
    ['trim_blocks'],
    {'block_start_string': '{{', 'variable_start_string': '{{'},
])
def test_code_loading_or_bad_environment_options_are_refused(api, params):
    response = api.post('/api/extras/export-templates/', {
        'name': 'poc', 'object_types': ['dcim.site'], 'template_code': '{{ "id" }}',
        'environment_params': params}, format='json')
    assert response.status_code == 400, response.content
    assert 'environment_params' in response.data
    assert not ExportTemplate.objects.filter(name='poc').exists()


def test_stored_refused_options_do_not_render(admin_client, devices):
    """Options written past validation (straight into the database) are still refused at render time."""
    template = export_template('{{ "id" }}')
    ExportTemplate.objects.filter(pk=template.pk).update(environment_params={'finalize': 'subprocess.getoutput'})
    response = admin_client.get(DEVICES_URL, {'export': 'names'})
    assert response.status_code == 400 and 'finalize' in response.content.decode()


def test_template_follows_its_data_file(api, devices, tmp_path, background):
    (tmp_path / 'hosts.j2').write_text('{% for d in queryset %}{{ d.name }}!{% endfor %}')
    source = DataSource.objects.create(name='local', type='local', source_url=str(tmp_path))
    assert background(lambda: api.post(f'/api/core/data-sources/{source.pk}/sync/')).status_code == 200
    data_file = source.datafiles.get(path='hosts.j2')
    template = export_template('inline', data_source=source, data_file=data_file)
    response = api.post(f'/api/extras/export-templates/{template.pk}/sync/')
    assert response.status_code == 200, response.content
    assert response.data['data_path'] == 'hosts.j2' and response.data['data_synced'] is not None
    assert api.get('/api/dcim/devices/', {'export': 'names'}).content == b'alpha!beta!gamma!'


def test_edit_form_sets_object_types_and_the_followed_file(admin_client, tmp_path):
    (tmp_path / 'hosts.j2').write_text('from file')
    source = DataSource.objects.create(name='local', type='local', source_url=str(tmp_path))
    source.sync()
    data_file = source.datafiles.get(path='hosts.j2')
    site_type = ContentType.objects.get_for_model(Site)
    response = admin_client.post('/extras/export-templates/add/', {
        'name': 'from form', 'object_types': [site_type.pk], 'template_code': 'x', 'data_file': data_file.pk,
        'as_attachment': 'on'})
    assert response.status_code == 302, response.content.decode()[-2000:]
    template = ExportTemplate.objects.get(name='from form')
    assert list(template.object_types.all()) == [site_type]
    assert template.data_file == data_file and template.data_source == source and template.data_path == 'hosts.j2'
