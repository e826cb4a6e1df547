"""Journal entries: written through the REST API (author set to the requesting user) and on the Journal tab every
journaled object's page has; their Markdown is shown sanitised; entries go with their object."""
import pytest
from django.contrib.contenttypes.models import ContentType

from extras.models import JournalEntry
from netbox.testing import client_for, grant, make
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db

ENTRIES = '/api/extras/journal-entries/'


@pytest.fixture
def tenant():
    return Tenant.objects.create(name='Acme', slug='acme')


def entry_for(obj, comments='note', **attrs):
    return JournalEntry.objects.create(assigned_object_type=ContentType.objects.get_for_model(type(obj)),
                                       assigned_object_id=obj.pk, comments=comments, **attrs)


def test_api_create_sets_the_author_and_serves_netbox_shapes(api, tenant):
    response = api.post(ENTRIES, {'assigned_object_type': 'tenancy.tenant', 'assigned_object_id': tenant.pk,
                                  'kind': 'warning', 'comments': 'Fan *noisy*'}, format='json')
    assert response.status_code == 201, response.content
    data = response.json()
    assert data['created_by'] == api.user.pk
    assert data['kind'] == {'value': 'warning', 'label': 'Warning'}
    assert data['assigned_object_type'] == 'tenancy.tenant'
    assert data['assigned_object']['id'] == tenant.pk and data['assigned_object']['name'] == 'Acme'
    assert data['created'] and data['display'].endswith('(Warning)')
    brief = api.get(f'{ENTRIES}{data["id"]}/', {'brief': 1}).json()
    assert set(brief) == {'id', 'url', 'display', 'created'}


def test_author_given_explicitly_is_kept(api, tenant, plain_user):
    response = api.post(ENTRIES, {'assigned_object_type': 'tenancy.tenant', 'assigned_object_id': tenant.pk,
                                  'comments': 'x', 'created_by': plain_user.pk}, format='json')
    assert response.status_code == 201 and response.json()['created_by'] == plain_user.pk
    assert response.json()['kind']['value'] == 'info'  # the default


@pytest.mark.parametrize('payload, field', [
    ({'assigned_object_type': 'tenancy.tenant', 'assigned_object_id': 999999, 'comments': 'x'}, 'assigned_object_id'),
    ({'assigned_object_type': 'extras.tag', 'assigned_object_id': 1, 'comments': 'x'}, 'assigned_object_type'),
    ({'assigned_object_type': 'no.such', 'assigned_object_id': 1, 'comments': 'x'}, 'assigned_object_type'),
    ({'assigned_object_type': 'tenancy.tenant', 'assigned_object_id': 1, 'comments': 'x', 'kind': 'bad'}, 'kind'),
    ({'assigned_object_type': 'tenancy.tenant', 'assigned_object_id': 1}, 'comments'),
])
def test_bad_input_is_a_400_naming_the_field(api, tenant, payload, field):
    if payload.get('assigned_object_id') == 1:
        payload['assigned_object_id'] = tenant.pk
    response = api.post(ENTRIES, payload, format='json')
    assert response.status_code == 400 and field in response.json(), response.content


def test_filters(api, tenant, plain_user):
    other = Tenant.objects.create(name='Other', slug='other')
    first = entry_for(tenant, kind='danger', created_by=plain_user)
    entry_for(other, kind='info')
    ids = lambda params: [row['id'] for row in api.get(ENTRIES, params).json()['results']]  # noqa: E731
    assert ids({'assigned_object_type': 'tenancy.tenant', 'assigned_object_id': tenant.pk}) == [first.pk]
    assert ids({'kind': 'danger'}) == [first.pk]
    assert ids({'created_by': 'alice'}) == [first.pk]
    assert ids({'created_by_id': plain_user.pk}) == [first.pk]
    assert ids({'q': 'note', 'kind__n': 'info'}) == [first.pk]


def test_journal_tab_lists_entries_with_markdown_sanitised(admin_client, tenant):
    entry_for(tenant, comments='**bold** <script>alert("x")</script> [link](javascript:alert(1)) '
                               '<img src="x" onerror="alert(2)">', kind='success')
    page = admin_client.get(f'/tenancy/tenants/{tenant.pk}/')
    assert f'href="/tenancy/tenants/{tenant.pk}/journal/"' in page.content.decode()
    response = admin_client.get(f'/tenancy/tenants/{tenant.pk}/journal/')
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong>bold</strong>' in html
    assert '<script>alert' not in html and 'javascript:' not in html and 'onerror' not in html
    assert 'badge-green' in html and 'name="comments"' in html


def test_journal_tab_form_adds_an_entry_by_the_user(admin_client, tenant):
    response = admin_client.post(f'/tenancy/tenants/{tenant.pk}/journal/', {'kind': 'info', 'comments': 'Replaced PSU'})
    assert response.status_code == 302
    entry = JournalEntry.objects.get()
    assert entry.assigned_object == tenant and entry.comments == 'Replaced PSU'
    assert entry.created_by.username == 'admin'
    response = admin_client.post(f'/tenancy/tenants/{tenant.pk}/journal/', {'kind': 'info', 'comments': ''})
    assert response.status_code == 400 and response.context['form'].errors['comments']


def test_every_journaled_model_has_the_tab(admin_client):
    from dcim.models import Device, Site

    for obj, path in ((make(Site), 'dcim/sites'), (make(Device), 'dcim/devices')):
        assert admin_client.get(f'/{path}/{obj.pk}/journal/').status_code == 200
    # Not journaled: a tag is no NetBoxModel.
    from extras.models import Tag

    tag = Tag.objects.create(name='t', slug='t')
    assert f'/extras/tags/{tag.pk}/journal/' not in admin_client.get(f'/extras/tags/{tag.pk}/').content.decode()
    assert admin_client.get(f'/extras/tags/{tag.pk}/journal/').status_code == 404


def test_tab_and_form_follow_permissions(client, plain_user, tenant):
    entry_for(tenant, comments='secret note')
    grant(plain_user, Tenant, ['view'])
    client.force_login(plain_user)
    assert 'journal/' not in client.get(f'/tenancy/tenants/{tenant.pk}/').content.decode()
    assert client.get(f'/tenancy/tenants/{tenant.pk}/journal/').status_code == 403
    grant(plain_user, JournalEntry, ['view'])
    response = client.get(f'/tenancy/tenants/{tenant.pk}/journal/')
    assert response.status_code == 200 and 'secret note' in response.content.decode()
    assert 'name="comments"' not in response.content.decode()  # no add permission: no form
    assert client.post(f'/tenancy/tenants/{tenant.pk}/journal/', {'comments': 'x'}).status_code == 403
    grant(plain_user, JournalEntry, ['add'])
    assert client.post(f'/tenancy/tenants/{tenant.pk}/journal/', {'kind': 'info', 'comments': 'x'}).status_code == 302
    assert JournalEntry.objects.filter(created_by=plain_user).count() == 1


def test_api_author_is_the_token_user(plain_user, tenant):
    grant(plain_user, JournalEntry, ['add', 'view'])
    grant(plain_user, Tenant, ['view'])
    api = client_for(plain_user)
    response = api.post(ENTRIES, {'assigned_object_type': 'tenancy.tenant', 'assigned_object_id': tenant.pk,
                                  'comments': 'mine'}, format='json')
    assert response.status_code == 201, response.content
    assert JournalEntry.objects.get().created_by == plain_user


def test_entries_are_deleted_with_their_object(tenant):
    entry_for(tenant)
    other = Tenant.objects.create(name='Other', slug='other')
    kept = entry_for(other)
    tenant.delete()
    assert list(JournalEntry.objects.all()) == [kept]


def test_entry_page_renders_its_comments_as_sanitised_markdown(admin_client, tenant):
    entry = entry_for(tenant, comments='# Title\n\n<script>alert(1)</script>*done*')
    html = admin_client.get(f'/extras/journal-entries/{entry.pk}/').content.decode()
    assert '<h1>Title</h1>' in html and '<em>done</em>' in html and '<script>alert' not in html


def test_generic_add_form_records_the_author(admin_client, tenant):
    response = admin_client.post('/extras/journal-entries/add/', {
        'assigned_object_type': ContentType.objects.get_for_model(Tenant).pk, 'assigned_object_id': tenant.pk,
        'kind': 'info', 'comments': 'from the form'})
    assert response.status_code == 302, response.context['form'].errors
    assert JournalEntry.objects.get().created_by.username == 'admin'
