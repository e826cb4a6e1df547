"""The template sandbox (extras.rendering) shared by export templates, custom links and configuration templates:
every known way out fails with a clear refusal instead of running (a 400 on the export page and the REST list,
an error marker on a custom link), nothing is ever written, and JINJA2_FILTERS adds the administrator's filters."""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory

from core.models import DataSource
from dcim.models import Device
from extras.models import ConfigTemplate, CustomLink, ExportTemplate
from extras.rendering import RenderError, render_string
from netbox.testing import make, make_token
from users.models import Owner, OwnerGroup, User

pytestmark = pytest.mark.django_db

MARKER = '/tmp/netbox-sandbox-escaped'

# Each payload, were it executed, would reach Python internals, a module, the database unrestricted or a secret.
ESCAPES = [
    # Attribute escapes from plain values and the template's globals.
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__base__.__subclasses__() }}",
    "{{ namespace.mro() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch " + MARKER + "').read() }}",
    "{{ lipsum.__globals__.os.system('touch " + MARKER + "') }}",
    "{{ lipsum.__globals__['__builtins__']['__import__']('os').system('touch " + MARKER + "') }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ namespace.__init__.__globals__.sys.modules.subprocess }}",
    "{{ range.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__.__builtins__ }}",
    "{{ queryset.__class__ }}",
    "{{ queryset.first()._meta.db_table }}",
    "{{ queryset.first().__class__.objects.all() }}",
    # Escapes through filters and str.format.
    "{{ lipsum|attr('__globals__') }}",
    "{{ queryset|attr('__class__') }}",
    "{{ ['a']|map(attribute='__class__')|list }}",
    "{{ ['a']|map(attribute='__class__.__mro__')|list }}",
    "{{ ['a', 'b']|sort(attribute='__class__') }}",
    "{{ ['a']|selectattr('__class__')|list }}",
    "{{ '{0.__class__}'.format(queryset) }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(lipsum) }}",
    "{{ '{x.__class__}'.format_map({'x': queryset}) }}",
    "{% set f = '{0.__globals__}'.format %}{{ f(lipsum) }}",  # CVE-2024-56326: a stored reference to format
    # Writes: methods Django marks alters_data.
    "{{ queryset.first().delete() }}",
    "{{ queryset.first().save() }}",
    "{{ queryset.update(name='owned') }}",
    "{{ queryset.delete() }}",
    "{{ queryset.create(name='new') }}",
    # Reading past the user's permissions, raw SQL and secrets.
    "{{ queryset.model.objects.all() }}",
    "{{ queryset|attr('model') }}",
    "{{ queryset.raw('SELECT * FROM users_user') }}",
    "{{ queryset.extra(select={'p': 'SELECT password FROM users_user LIMIT 1'}) }}",
    "{{ queryset.values_list('owner__users__password', flat=True)|list }}",
    "{{ queryset.filter(owner__users__password__startswith='pbkdf2')|list }}",
    "{{ queryset.first().owner.users.first().password }}",
    "{{ queryset.first().config_template.data_source.parameters }}",
    "{{ queryset.in_bulk(field_name='owner__users__password') }}",
    "{{ queryset.values_list('config_template__data_source__parameters')|list }}",
    # Resource exhaustion.
    "{{ 'a' * 100000000 }}",
    "{{ 10 ** 100000000 }}",
    "{{ range(1000000000)|list }}",
]


@pytest.fixture
def device():
    """A device whose owner has a user with a password: secrets a template must not reach."""
    owner = Owner.objects.create(name='o', group=OwnerGroup.objects.create(name='g'))
    owner.users.add(User.objects.create_user('victim', password='Secret-pass-123'))
    source = DataSource.objects.create(name='git', type='local', source_url='/tmp', parameters={'password': 'x'})
    template = ConfigTemplate.objects.create(name='t', template_code='x', data_source=source)
    return make(Device, name='target', owner=owner, config_template=template)


def export_template(code, **attrs):
    template = ExportTemplate.objects.create(name=attrs.pop('name', 'poc'), template_code=code, **attrs)
    template.object_types.set([ContentType.objects.get_for_model(Device)])
    return template


def assert_not_escaped(device):
    import os

    assert not os.path.exists(MARKER)
    device.refresh_from_db()
    assert device.name == 'target'
    assert Device.objects.count() == 1


@pytest.mark.parametrize('code', ESCAPES)
def test_escape_fails_on_the_export_page(admin_client, device, code):
    export_template(code)
    response = admin_client.get('/dcim/devices/', {'export': 'poc'})
    assert response.status_code == 400, response.content[:300]
    page = response.content.decode()
    assert 'could not be rendered' in page
    assert 'Refused by the template sandbox' in page or 'Range too big' in page
    assert_not_escaped(device)


@pytest.mark.parametrize('code', ESCAPES)
def test_escape_fails_on_the_rest_list(api, device, code):
    export_template(code)
    response = api.get('/api/dcim/devices/', {'export': 'poc'})
    assert response.status_code == 400, response.content[:300]
    assert 'could not be rendered' in response.json()['detail']
    assert_not_escaped(device)


@pytest.mark.parametrize('code', [
    "{{ object.__class__ }}",
    "{{ request.__class__ }}",
    "{{ request.META }}",
    "{{ request.COOKIES }}",
    "{{ request.session }}",
    "{{ request.headers }}",
    "{{ request.environ }}",
    "{{ user.password }}",
    "{{ user.tokens.first().key }}",
    "{{ object.delete() }}",
    "{{ cycler.__init__.__globals__.os }}",
])
def test_escape_in_a_custom_link_shows_an_error_marker(admin_client, admin_user, device, code):
    make_token(admin_user)
    link = CustomLink.objects.create(name='poc', link_text=code, link_url='/x')
    link.object_types.set([ContentType.objects.get_for_model(Device)])
    response = admin_client.get(device.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-link-error' in page and 'Refused by the template sandbox' in page
    assert_not_escaped(device)


def test_harmless_request_attributes_stay_readable(superuser):
    request = RequestFactory().get('/dcim/devices/1/', {'a': 'b'})
    request.user = superuser
    text = render_string('{{ request.path }} {{ request.GET.a }} {{ request.method }} {{ request.user.username }}',
                         {'request': request})
    assert text == '/dcim/devices/1/ b GET root'


def test_refusal_names_what_was_refused():
    with pytest.raises(RenderError) as error:
        render_string("{{ ''.__class__ }}", {})
    assert error.value.message == ("Refused by the template sandbox: access to attribute '__class__' of 'str' object "
                                   "is unsafe.")


def test_environment_options_that_name_code_are_refused_at_render_time():
    """CVE-2026-29514 passed "subprocess.getoutput" as `finalize`; options are checked again when rendering."""
    with pytest.raises(RenderError) as error:
        render_string('{{ "id" }}', {}, {'finalize': 'subprocess.getoutput'})
    assert 'finalize' in error.value.message


def test_rest_refuses_finalize_on_export_and_config_templates(api):
    for path, extra in (('/api/extras/export-templates/', {'object_types': ['dcim.site']}),
                        ('/api/extras/config-templates/', {})):
        response = api.post(path, {'name': 'poc', 'template_code': '{{ "id" }}',
                                   'environment_params': {'finalize': 'subprocess.getoutput'}, **extra},
                            format='json')
        assert response.status_code == 400 and 'environment_params' in response.data, path


def test_no_loader_means_no_include():
    with pytest.raises(RenderError):
        render_string("{% include '/etc/passwd' %}", {})


def test_jinja2_filters_from_the_configuration(settings, admin_client, device):
    settings.JINJA2_FILTERS = {'shout': lambda value: f'{str(value).upper()}!'}
    export_template('{% for d in queryset %}{{ d.name|shout }}{% endfor %}')
    response = admin_client.get('/dcim/devices/', {'export': 'poc'})
    assert response.status_code == 200 and response.content == b'TARGET!'


def test_ordinary_templates_still_work(admin_client, device):
    export_template("{% for d in queryset %}{{ d.name }} {{ d.site.name|length > 0 }} "
                    "{{ queryset.filter(name='target')|length }} {{ queryset.exclude(name='key')|length }} "
                    "{{ '{0}-{1}'.format(d.name, 1) }} "
                    "{{ range(3)|list }} {{ 'ab' * 2 }} {{ 2 ** 10 }}{% endfor %}")
    response = admin_client.get('/dcim/devices/', {'export': 'poc'})
    assert response.status_code == 200, response.content
    assert response.content.decode() == 'target True 1 1 target-1 [0, 1, 2] abab 1024'


@pytest.mark.parametrize('filters', [['shout'], {'shout': 'str.upper'}, {1: str.upper}])
def test_jinja2_filters_must_map_names_to_functions(filters):
    from django.core.exceptions import ImproperlyConfigured

    from netbox.configuration_loader import build_settings
    from netbox.tests.test_configuration import make_config

    with pytest.raises(ImproperlyConfigured, match='JINJA2_FILTERS'):
        build_settings(make_config(JINJA2_FILTERS=filters))
    assert build_settings(make_config(JINJA2_FILTERS={'shout': str.upper}))['JINJA2_FILTERS'] == {'shout': str.upper}


def test_any_exception_while_rendering_is_a_400(settings, admin_client, device):
    def boom(value):
        raise RuntimeError('filter failed')

    settings.JINJA2_FILTERS = {'boom': boom}
    export_template('{{ queryset|boom }}')
    response = admin_client.get('/dcim/devices/', {'export': 'poc'})
    assert response.status_code == 400 and 'RuntimeError: filter failed' in response.content.decode()


def test_deeply_nested_template_is_a_clear_error():
    with pytest.raises(RenderError):
        render_string('{{ ' + '(' * 5000 + '1' + ')' * 5000 + ' }}', {})
