"""
The generic browser UI, over every declared model that can be written: list, add, detail, edit, delete and
changelog pages; permissions; import, export and bulk operations on tenants; constant query counts.
"""
import csv
import io

import pytest
import yaml
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from netbox.permissions import has_permission
from netbox.registry import registry, ui_namespace
from netbox.testing import grant, make

WRITABLE = sorted((d for d in registry if 'POST' in d.api_methods), key=lambda d: d.label())
ids = [d.label() for d in WRITABLE]


def url(declaration, suffix='', *args):
    name = f'{ui_namespace(declaration.app_label())}:{declaration.model_name()}{"_" + suffix if suffix else ""}'
    return reverse(name, args=args)


def sample(declaration):
    """A saved object of the declaration's model, related objects created as needed."""
    return make(declaration.model)


def table_html(page):
    """The object table of a list page."""
    start = page.index('<table class="table')
    return page[start:page.index('</table>', start)]


def counted_queries(context):
    """Queries run, leaving out the configuration read (it depends on the shared Redis cache, not the page)."""
    return len([query for query in context.captured_queries if 'core_configrevision' not in query['sql']])


@pytest.fixture
def tenant_declaration():
    return registry.get('tenancy.tenant')


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', WRITABLE, ids=ids)
def test_pages_answer_for_superuser(admin_client, declaration):
    obj = sample(declaration)
    pages = [url(declaration, 'list'), url(declaration, 'add'), url(declaration, '', obj.pk),
             url(declaration, 'changelog', obj.pk)]
    if 'PUT' in declaration.api_methods or 'PATCH' in declaration.api_methods:
        pages.append(url(declaration, 'edit', obj.pk))
    if 'DELETE' in declaration.api_methods:
        pages.append(url(declaration, 'delete', obj.pk))
    pages.append(url(declaration, 'import'))
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, f'{page}: {response.status_code}'
    listing = admin_client.get(url(declaration, 'list')).content.decode()
    assert obj.get_absolute_url() in listing


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', WRITABLE, ids=ids)
def test_list_needs_permission(client, plain_user, declaration):
    response = client.get(url(declaration, 'list'))
    assert response.status_code == 302 and reverse('login') in response['Location']
    client.force_login(plain_user)
    response = client.get(url(declaration, 'list'))
    expected = 200 if has_permission(plain_user, declaration.model, 'view') else 403
    assert response.status_code == expected
    if expected == 403:
        grant(plain_user, declaration.model, ['view'])
        assert client.get(url(declaration, 'list')).status_code == 200
        assert client.get(url(declaration, 'add')).status_code == 403


@pytest.mark.django_db
def test_home_login_and_user_pages(client, superuser):
    assert client.get('/').status_code == 302
    response = client.get(reverse('login'))
    assert response.status_code == 200 and b'name="password"' in response.content
    response = client.post(reverse('login'), {'username': 'root', 'password': 'Root-pass-123'})
    assert response.status_code == 302
    home = client.get('/')
    assert home.status_code == 200 and b'Tenants' in home.content
    for name in ('account:profile', 'account:preferences', 'account:tokens'):
        assert client.get(reverse(name)).status_code == 200
    assert client.get('/no/such/page/').status_code == 404


@pytest.mark.django_db
def test_banners_and_error_pages(client, admin_client):
    from django.test import RequestFactory

    from netbox.dynamic_config import publish_revision_data
    from netbox.ui.views import server_error

    publish_revision_data({'BANNER_LOGIN': 'Authorised use only', 'BANNER_TOP': 'Top notice',
                           'BANNER_BOTTOM': 'Bottom notice', 'MAINTENANCE_MODE': True})
    assert 'Authorised use only' in client.get(reverse('login')).content.decode()
    home = admin_client.get('/').content.decode()
    assert 'Top notice' in home and 'Bottom notice' in home and 'maintenance mode' in home
    response = server_error(RequestFactory().get('/'))
    assert response.status_code == 500 and 'Something went wrong' in response.content.decode()
    missing = admin_client.get('/tenancy/tenants/999999/')
    assert missing.status_code == 404 and 'Page not found' in missing.content.decode()


@pytest.mark.django_db
def test_preferences_set_page_size(admin_client, tenant_declaration):
    from tenancy.models import Tenant
    from users.models import User, get_user_config

    for index in range(4):
        Tenant.objects.create(name=f'T{index}', slug=f't{index}')
    response = admin_client.post(reverse('account:preferences'), {'per_page': '25'})
    assert response.status_code == 302
    assert get_user_config(User.objects.get(username='admin')).get('pagination.per_page') == 25
    page = admin_client.get(url(tenant_declaration, 'list'), {'per_page': 2}).content.decode()
    assert 'Showing 1–2 of 4' in page


@pytest.mark.django_db
def test_api_token_created_once_and_deleted(admin_client):
    from users.models import Token

    response = admin_client.post(reverse('account:tokens'), {'description': 'ci', 'write_enabled': 'on',
                                                             'version': '2'})
    assert response.status_code == 200
    token = Token.objects.get(description='ci')
    assert token.key in response.content.decode() and 'nbt_' in response.content.decode()
    assert 'nbt_' not in admin_client.get(reverse('account:tokens')).content.decode().split('Your tokens')[0]
    response = admin_client.post(reverse('account:token_delete', args=[token.pk]))
    assert response.status_code == 302 and not Token.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
def test_add_edit_with_custom_field_and_tag(admin_client, tenant_declaration):
    from extras.models import CustomField, Tag
    from tenancy.models import Tenant, TenantGroup

    field = CustomField.objects.create(name='contract', type='integer', required=True)
    field.object_types.set([ContentType.objects.get_for_model(Tenant)])
    tag = Tag.objects.create(name='Gold', slug='gold', color='ffd700')
    group = TenantGroup.objects.create(name='Customers', slug='customers')
    form = admin_client.get(url(tenant_declaration, 'add')).content.decode()
    assert 'name="cf_contract"' in form and 'data-typeahead' in form
    assert 'Customers' not in form  # related selects hold only the current value
    response = admin_client.post(url(tenant_declaration, 'add'), {'name': 'Acme', 'slug': 'acme',
                                                                  'group': group.pk, 'tags': [tag.pk]})
    assert response.status_code == 200 and 'This field is required' in response.content.decode()
    response = admin_client.post(url(tenant_declaration, 'add'), {'name': 'Acme', 'slug': 'acme', 'group': 'customers',
                                                                  'tags': [tag.pk], 'cf_contract': '42'})
    tenant = Tenant.objects.get(slug='acme')
    assert response.status_code == 302 and response['Location'] == tenant.get_absolute_url()
    assert tenant.group == group and tenant.custom_field_data == {'contract': 42}
    assert list(tenant.tags.values_list('slug', flat=True)) == ['gold']
    edit = admin_client.get(url(tenant_declaration, 'edit', tenant.pk)).content.decode()
    assert 'Customers' in edit and 'value="42"' in edit
    response = admin_client.post(url(tenant_declaration, 'edit', tenant.pk), {
        'name': 'Acme Corp', 'slug': 'acme', 'cf_contract': '43', 'return_url': '/tenancy/tenants/'})
    assert response.status_code == 302 and response['Location'] == '/tenancy/tenants/'
    tenant.refresh_from_db()
    assert tenant.name == 'Acme Corp' and tenant.group is None and tenant.custom_field_data['contract'] == 43
    assert not tenant.tags.exists()
    detail = admin_client.get(tenant.get_absolute_url()).content.decode()
    assert 'Acme Corp' in detail and '43' in detail
    changelog = admin_client.get(url(tenant_declaration, 'changelog', tenant.pk)).content.decode()
    assert 'Acme Corp' in changelog and 'Updated' in changelog and 'Created' in changelog


@pytest.mark.django_db
def test_save_outside_permission_constraints_is_rolled_back(client, plain_user, tenant_declaration):
    from tenancy.models import Tenant

    grant(plain_user, Tenant, ['view', 'add'], constraints={'name__startswith': 'Ok'})
    client.force_login(plain_user)
    response = client.post(url(tenant_declaration, 'add'), {'name': 'Bad', 'slug': 'bad'})
    assert response.status_code == 200 and 'outside your permissions' in response.content.decode()
    assert not Tenant.objects.exists()
    response = client.post(url(tenant_declaration, 'add'), {'name': 'Ok tenant', 'slug': 'ok'})
    assert response.status_code == 302 and Tenant.objects.filter(slug='ok').exists()


@pytest.mark.django_db
def test_delete_confirms_and_protect_refuses(admin_client, tenant_declaration):
    from users.models import Owner, OwnerGroup

    group = OwnerGroup.objects.create(name='Ops')
    Owner.objects.create(name='Team', group=group)
    declaration = registry.get('users.ownergroup')
    page = admin_client.get(url(declaration, 'delete', group.pk)).content.decode()
    assert 'cannot be deleted' in page and 'Team' in page
    response = admin_client.post(url(declaration, 'delete', group.pk))
    assert response.status_code == 200 and OwnerGroup.objects.filter(pk=group.pk).exists()
    tenant = make(tenant_declaration.model)
    response = admin_client.post(url(tenant_declaration, 'delete', tenant.pk))
    assert response.status_code == 302 and not tenant_declaration.model.objects.filter(pk=tenant.pk).exists()


@pytest.mark.django_db
def test_import_csv_creates_rows(admin_client, tenant_declaration):
    from extras.models import Tag
    from tenancy.models import Tenant, TenantGroup

    TenantGroup.objects.create(name='Customers', slug='customers')
    Tag.objects.create(name='Gold', slug='gold')
    data = 'name,slug,group,tags\nAcme,acme,customers,gold\nGlobex,globex,,\n'
    response = admin_client.post(url(tenant_declaration, 'import'), {'data': data, 'format': 'auto'})
    assert response.status_code == 302, response.content.decode()
    assert sorted(Tenant.objects.values_list('name', flat=True)) == ['Acme', 'Globex']
    acme = Tenant.objects.get(slug='acme')
    assert acme.group.slug == 'customers' and [t.slug for t in acme.tags.all()] == ['gold']
    update = f'id,description\n{acme.pk},Updated by import\n'
    response = admin_client.post(url(tenant_declaration, 'import'), {'data': update, 'format': 'csv'})
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.description == 'Updated by import' and acme.group is not None and acme.tags.count() == 1


@pytest.mark.django_db
def test_import_with_a_bad_row_saves_nothing(admin_client, tenant_declaration):
    from tenancy.models import Tenant

    data = 'name,slug,group\nAcme,acme,\nGlobex,,no-such-group\n'
    response = admin_client.post(url(tenant_declaration, 'import'), {'data': data})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'Nothing was imported' in page and '<td class="num">2</td>' in page
    assert 'no-such-group' in page and 'slug' in page
    assert not Tenant.objects.exists()


@pytest.mark.django_db
def test_import_yaml_and_json(admin_client, tenant_declaration):
    from tenancy.models import Tenant

    data = '- name: Acme\n  slug: acme\n- name: Globex\n  slug: globex\n  description: Big\n'
    assert admin_client.post(url(tenant_declaration, 'import'), {'data': data}).status_code == 302
    data = '[{"name": "Initech", "slug": "initech"}]'
    assert admin_client.post(url(tenant_declaration, 'import'), {'data': data}).status_code == 302
    assert Tenant.objects.count() == 3 and Tenant.objects.get(slug='globex').description == 'Big'


@pytest.mark.django_db
def test_export_csv_and_yaml(admin_client, tenant_declaration):
    from extras.models import Tag
    from tenancy.models import Tenant, TenantGroup

    group = TenantGroup.objects.create(name='Customers', slug='customers')
    acme = Tenant.objects.create(name='Acme', slug='acme', group=group, description='First')
    acme.tags.set([Tag.objects.create(name='Gold', slug='gold')])
    Tenant.objects.create(name='Globex', slug='globex')
    response = admin_client.get(url(tenant_declaration, 'list'), {'export': 'csv'})
    assert response.status_code == 200 and response['Content-Type'].startswith('text/csv')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [['name', 'group', 'description', 'tags'], ['Acme', 'Customers', 'First', 'gold'],
                    ['Globex', '', '', '']]
    response = admin_client.get(url(tenant_declaration, 'list'), {'export': 'yaml', 'q': 'acme'})
    assert yaml.safe_load(response.content) == [{'name': 'Acme', 'group': 'Customers', 'description': 'First',
                                                 'tags': ['gold']}]


@pytest.mark.django_db
def test_table_configuration_and_ordering_are_saved(admin_client, tenant_declaration):
    from tenancy.models import Tenant
    from users.models import User, get_user_config

    Tenant.objects.create(name='B', slug='b', description='second')
    Tenant.objects.create(name='A', slug='a', description='first')
    response = admin_client.post(url(tenant_declaration, 'list'), {
        '_table_config': '1', 'columns': ['slug', 'name', 'created'], 'ordering': '-name'})
    assert response.status_code == 302
    config = get_user_config(User.objects.get(username='admin'))
    assert config.get('tables.TenantTable.columns') == ['slug', 'name', 'created']
    assert config.get('tables.TenantTable.ordering') == ['-name']
    page = table_html(admin_client.get(url(tenant_declaration, 'list')).content.decode())
    assert page.index('>b<') < page.index('>a<') and 'Created' in page and 'Description' not in page
    admin_client.get(url(tenant_declaration, 'list'), {'sort': 'name'})
    config.refresh_from_db()
    assert config.get('tables.TenantTable.ordering') == ['name']


@pytest.mark.django_db
def test_filters_and_quick_search(admin_client, tenant_declaration):
    from extras.models import CustomField
    from tenancy.models import Tenant, TenantGroup

    field = CustomField.objects.create(name='tier', type='text')
    field.object_types.set([ContentType.objects.get_for_model(Tenant)])
    group = TenantGroup.objects.create(name='Customers', slug='customers')
    Tenant.objects.create(name='Acme', slug='acme', group=group, custom_field_data={'tier': 'gold'})
    Tenant.objects.create(name='Globex', slug='globex')
    list_url = url(tenant_declaration, 'list')

    def names(params):
        page = table_html(admin_client.get(list_url, params).content.decode())
        return [name for name in ('Acme', 'Globex') if f'>{name}<' in page]

    assert names({'q': 'glob'}) == ['Globex']
    assert names({'group_id': group.pk}) == ['Acme']
    assert names({'cf_tier': 'gold'}) == ['Acme']
    page = admin_client.get(list_url, {'group_id': group.pk}).content.decode()
    assert 'name="cf_tier"' in page and '<option value="%d" selected>Customers</option>' % group.pk in page


@pytest.mark.django_db
def test_bulk_edit_and_delete(admin_client, tenant_declaration):
    from tenancy.models import Tenant, TenantGroup

    group = TenantGroup.objects.create(name='Customers', slug='customers')
    tenants = [Tenant.objects.create(name=f'T{i}', slug=f't{i}', description='old') for i in range(3)]
    pks = [tenants[0].pk, tenants[1].pk]
    page = admin_client.post(url(tenant_declaration, 'bulk_edit'), {'pk': pks})
    assert page.status_code == 200 and 'Edit 2 tenants' in page.content.decode()
    response = admin_client.post(url(tenant_declaration, 'bulk_edit'), {
        'pk': pks, '_apply': '1', 'group': group.pk, '_nullify': ['description']})
    assert response.status_code == 302
    assert Tenant.objects.filter(group=group, description='').count() == 2
    assert Tenant.objects.get(pk=tenants[2].pk).description == 'old'
    response = admin_client.post(url(tenant_declaration, 'bulk_edit'), {
        '_all': '1', '_filter': 'q=t', '_apply': '1', 'description': 'all'})
    assert response.status_code == 302 and Tenant.objects.filter(description='all').count() == 3
    page = admin_client.post(url(tenant_declaration, 'bulk_delete'), {'pk': pks})
    assert page.status_code == 200 and 'T0' in page.content.decode()
    assert Tenant.objects.count() == 3
    response = admin_client.post(url(tenant_declaration, 'bulk_delete'), {'pk': pks, '_confirm': '1'})
    assert response.status_code == 302 and list(Tenant.objects.values_list('pk', flat=True)) == [tenants[2].pk]


@pytest.mark.django_db
def test_bulk_edit_rechecks_each_object(client, plain_user, tenant_declaration):
    from tenancy.models import Tenant

    grant(plain_user, Tenant, ['view', 'change'], constraints={'description': 'mine'})
    first = Tenant.objects.create(name='A', slug='a', description='mine')
    client.force_login(plain_user)
    response = client.post(url(tenant_declaration, 'bulk_edit'), {'pk': [first.pk], '_apply': '1',
                                                                   'description': 'stolen'})
    assert response.status_code == 200 and 'Nothing was changed' in response.content.decode()
    first.refresh_from_db()
    assert first.description == 'mine'


@pytest.mark.django_db
def test_list_query_count_does_not_grow(admin_client, tenant_declaration):
    from extras.models import Tag
    from tenancy.models import Tenant, TenantGroup

    group = TenantGroup.objects.create(name='G', slug='g')
    tag = Tag.objects.create(name='Gold', slug='gold')

    def add(count):
        for _ in range(count):
            tenant = make(Tenant, group=group)
            tenant.tags.set([tag])

    list_url = url(tenant_declaration, 'list')
    add(3)
    admin_client.get(list_url)  # warm per-process caches

    def count():
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(list_url, {'per_page': 100}).status_code == 200
        return counted_queries(context)

    few = count()
    add(27)
    assert count() == few


# Models whose objects need values only the API (or a view of their own) sets: a cable needs its terminations.
API_ONLY = {'dcim.cable': ['a_terminations', 'b_terminations']}


def api_only_fields(declaration):
    """Required REST fields that are no model field (the generic form cannot set them)."""
    names = {f.name for f in declaration.model._meta.get_fields()}
    serializer = declaration.serializer()()
    return API_ONLY.get(declaration.label()) or sorted(
        name for name, field in serializer.fields.items() if field.required and not field.read_only and
        name not in names)


def posted(data):
    """A MultiValueDict of form data as the test client posts it (checkboxes left out when off)."""
    out = {}
    for key, values in data.lists():
        if values == ['false']:
            continue
        out[key] = values if len(values) != 1 else values[0]
    return out


def form_data(values):
    """Form data (strings, lists for many values) from API-style sample values."""
    import json

    data = {}
    for name, value in values.items():
        if isinstance(value, bool):
            data[name] = 'true' if value else ''
        elif isinstance(value, dict):
            data[name] = json.dumps(value)
        elif isinstance(value, list):
            data[name] = [str(item) if not isinstance(item, (list, dict)) else json.dumps(item) for item in value]
        else:
            data[name] = '' if value is None else str(value)
    return data


def form_creatable():
    # Cables get their terminations from the connect page, not the generic form (tested in dcim).
    # Models needing an uploaded file (image attachments) are added through their own upload forms (own tests).
    from netbox.testing import needs_upload

    return [d for d in WRITABLE if not api_only_fields(d) and not needs_upload(d)]


def changeable():
    return [d for d in WRITABLE if 'PATCH' in d.api_methods or 'PUT' in d.api_methods]


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', form_creatable(), ids=lambda d: d.label())
def test_add_form_creates_and_edit_form_round_trips(admin_client, declaration):
    from netbox.testing import sample_payload
    from netbox.ui.forms import model_form_for
    from netbox.ui.importer import current_data

    model = declaration.model
    before = set(model.objects.values_list('pk', flat=True))
    payload = sample_payload(declaration)
    form_class = model_form_for(declaration)
    # What the browser sends: the form's initial values (defaults), with the sample values typed in.
    data = posted(current_data(form_class(instance=model())))
    fields = form_class().fields
    data.update(form_data({name: value for name, value in payload.items() if name in fields}))
    if 'extra_choices' in data:
        data['extra_choices'] = '[["a", "A"], ["b", "B"]]'
    if isinstance(data.get('actions'), list):
        data['actions'] = ','.join(data['actions'])
    response = admin_client.post(url(declaration, 'add'), data)
    if response.status_code == 200 and 'secret' in response.context:  # a new API token's secret, shown once
        assert response.context['secret'] and response.context['secret'] in response.content.decode()
    else:
        assert response.status_code == 302, (data, response.context['form'].errors)
    created = set(model.objects.values_list('pk', flat=True)) - before
    assert len(created) == 1
    if 'PUT' not in declaration.api_methods and 'PATCH' not in declaration.api_methods:
        return
    obj = model.objects.get(pk=created.pop())
    data = posted(current_data(form_class(instance=obj)))
    response = admin_client.post(url(declaration, 'edit', obj.pk), data)
    assert response.status_code == 302, (data, response.context['form'].errors)


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', changeable(), ids=lambda d: d.label())
def test_exported_csv_imports_back(admin_client, declaration):
    """An export (with the id column) re-imported updates the same objects and changes nothing."""
    from netbox.ui.forms import editable_field_names
    from netbox.ui.tables import available_columns

    obj = sample(declaration)
    available = available_columns(declaration)
    columns = ['id'] + [name for name in editable_field_names(declaration) if name in available and name != 'password']
    if 'tags' in available and 'tags' not in columns:  # a config context's criteria tags are an editable field
        columns.append('tags')
    admin_client.post(url(declaration, 'list'), {'_table_config': '1', 'columns': columns})
    exported = admin_client.get(url(declaration, 'list'), {'export': 'csv', 'id': obj.pk}).content.decode()
    assert exported.splitlines()[0] == ','.join(columns)
    response = admin_client.post(url(declaration, 'import'), {'data': exported, 'format': 'csv'})
    errors = response.context['errors'] if response.status_code == 200 else None
    assert response.status_code == 302, [str(error) for error in errors or ()] or response.context['form'].errors
    assert declaration.model.objects.count() >= 1


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', WRITABLE, ids=ids)
def test_every_list_query_count_is_constant(admin_client, declaration):
    sample(declaration)
    list_url = url(declaration, 'list')
    admin_client.get(list_url)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(list_url, {'per_page': 100}).status_code == 200
        return counted_queries(context)

    few = count()
    for _ in range(4):
        sample(declaration)
    assert count() == few


READ_ONLY = sorted((d for d in registry if 'POST' not in d.api_methods), key=lambda d: d.label())


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', READ_ONLY, ids=[d.label() for d in READ_ONLY])
def test_read_only_models_have_no_add_pages(admin_client, declaration):
    obj = sample(declaration)
    for page in (url(declaration, 'list'), url(declaration, '', obj.pk), url(declaration, 'changelog', obj.pk)):
        assert admin_client.get(page).status_code == 200, page
    assert admin_client.get(url(declaration, 'add')).status_code == 404
    assert admin_client.get(url(declaration, 'import')).status_code == 404
    page = admin_client.get(url(declaration, 'list')).content.decode()
    assert url(declaration, 'add') not in page and url(declaration, 'edit', obj.pk) not in page
