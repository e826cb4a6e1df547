"""REST behaviour as NetBox 4.7 serves it: per-object bulk errors, selection custom fields, config_context, ETags."""
import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import Device
from extras.models import CustomField, CustomFieldChoiceSet
from netbox.testing import make
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db
TENANTS = '/api/tenancy/tenants/'


# Bulk errors name each failing object by its index

def test_bulk_create_with_two_bad_objects_of_three_lists_both_and_writes_nothing(api):
    payload = [{'name': 'Good', 'slug': 'good'}, {'slug': 'no-name'}, {'name': 'Bad slug', 'slug': 'not a slug!'}]
    response = api.post(TENANTS, payload, format='json')
    assert response.status_code == 400, response.content
    body = response.json()
    assert body['detail'] == '2 of 3 objects could not be created.'
    assert [item['index'] for item in body['errors']] == [1, 2]
    assert 'name' in body['errors'][0]['errors']
    assert 'slug' in body['errors'][1]['errors']
    assert all(isinstance(messages, list) for item in body['errors'] for messages in item['errors'].values())
    assert not Tenant.objects.exists()


def test_bulk_update_with_a_bad_object_lists_it_and_writes_nothing(api):
    first = Tenant.objects.create(name='One', slug='one')
    second = Tenant.objects.create(name='Two', slug='two')
    payload = [{'id': first.pk, 'description': 'changed'}, {'id': second.pk, 'slug': 'not a slug!'}]
    response = api.patch(TENANTS, payload, format='json')
    assert response.status_code == 400, response.content
    body = response.json()
    assert body['detail'] == '1 of 2 objects could not be updated.'
    assert body['errors'] == [{'index': 1, 'errors': {'slug': body['errors'][0]['errors']['slug']}}]
    first.refresh_from_db()
    assert first.description == ''


# Selection custom fields: read as {value, label}, written as the raw value

@pytest.fixture
def level_fields():
    choices = CustomFieldChoiceSet.objects.create(name='Levels', extra_choices=[['gold', 'Gold'], ['iron', 'Iron']])
    for name, kind in (('level', 'select'), ('levels', 'multiselect')):
        field = CustomField.objects.create(name=name, type=kind, choice_set=choices)
        field.object_types.set([ContentType.objects.get_for_model(Tenant)])


def test_selection_custom_fields_read_as_value_and_label(api, level_fields):
    response = api.post(TENANTS, {'name': 'A', 'slug': 'a', 'custom_fields': {'level': 'gold', 'levels': ['iron']}},
                        format='json')
    assert response.status_code == 201, response.content
    expected = {'level': {'value': 'gold', 'label': 'Gold'}, 'levels': [{'value': 'iron', 'label': 'Iron'}]}
    assert response.json()['custom_fields'] == expected
    assert api.get(f'{TENANTS}{response.json()["id"]}/').json()['custom_fields'] == expected
    assert Tenant.objects.get().custom_field_data == {'level': 'gold', 'levels': ['iron']}


def test_selection_custom_fields_written_raw_and_read_back_unchanged(api, level_fields):
    tenant = Tenant.objects.create(name='A', slug='a')
    response = api.patch(f'{TENANTS}{tenant.pk}/', {'custom_fields': {'level': 'iron', 'levels': ['gold', 'iron']}},
                         format='json')
    assert response.status_code == 200, response.content
    read = response.json()['custom_fields']
    # What a client read may be sent back as it is (an idempotent tool does that) and changes nothing.
    again = api.patch(f'{TENANTS}{tenant.pk}/', {'custom_fields': read}, format='json')
    assert again.status_code == 200, again.content
    assert again.json()['custom_fields'] == read
    tenant.refresh_from_db()
    assert tenant.custom_field_data == {'level': 'iron', 'levels': ['gold', 'iron']}
    bad = api.patch(f'{TENANTS}{tenant.pk}/', {'custom_fields': {'level': 'tin'}}, format='json')
    assert bad.status_code == 400 and 'level' in bad.json()['custom_fields']


def test_unset_selection_custom_field_reads_null(api, level_fields):
    tenant = Tenant.objects.create(name='A', slug='a')
    assert api.get(f'{TENANTS}{tenant.pk}/').json()['custom_fields'] == {'level': None, 'levels': None}


# Device config_context

def test_device_config_context_is_always_included(api):
    plain = make(Device)
    local = make(Device, local_context_data={'ntp': ['192.0.2.1']})
    assert api.get(f'/api/dcim/devices/{plain.pk}/').json()['config_context'] == {}
    assert api.get(f'/api/dcim/devices/{local.pk}/').json()['config_context'] == {'ntp': ['192.0.2.1']}
    rows = api.get('/api/dcim/devices/').json()['results']
    assert all('config_context' in row for row in rows)


def test_device_config_context_left_out_by_fields_or_omit(api):
    device = make(Device)
    assert 'config_context' not in api.get('/api/dcim/devices/', {'omit': 'config_context'}).json()['results'][0]
    assert set(api.get(f'/api/dcim/devices/{device.pk}/', {'fields': 'id,name'}).json()) == {'id', 'name'}


# ETag and If-Match

def test_object_response_carries_an_etag_that_changes_with_the_object(api):
    tenant = Tenant.objects.create(name='A', slug='a')
    url = f'{TENANTS}{tenant.pk}/'
    tag = api.get(url)['ETag']
    assert tag.startswith('"') and tag.endswith('"')
    response = api.patch(url, {'description': 'x'}, format='json', HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.content
    assert response['ETag'] != tag
    assert response['ETag'] == api.get(url)['ETag']


def test_stale_if_match_is_412_and_changes_nothing(api):
    tenant = Tenant.objects.create(name='A', slug='a')
    url = f'{TENANTS}{tenant.pk}/'
    stale = api.get(url)['ETag']
    assert api.patch(url, {'description': 'first'}, format='json', HTTP_IF_MATCH=stale).status_code == 200
    for method in (api.patch, api.put):
        response = method(url, {'name': 'A', 'slug': 'a', 'description': 'second'}, format='json',
                          HTTP_IF_MATCH=stale)
        assert response.status_code == 412, response.content
        assert 'detail' in response.json()
    assert api.delete(url, HTTP_IF_MATCH=stale).status_code == 412
    tenant.refresh_from_db()
    assert tenant.description == 'first'


def test_if_match_star_or_current_tag_allows_the_write(api):
    tenant = Tenant.objects.create(name='A', slug='a')
    url = f'{TENANTS}{tenant.pk}/'
    assert api.patch(url, {'description': 'x'}, format='json', HTTP_IF_MATCH='*').status_code == 200
    current = api.get(url)['ETag']
    assert api.delete(url, HTTP_IF_MATCH=f'"other", {current}').status_code == 204


def test_single_create_answers_with_an_etag(api):
    response = api.post(TENANTS, {'name': 'A', 'slug': 'a'}, format='json')
    assert response.status_code == 201
    assert response['ETag'] == api.get(f'{TENANTS}{response.json()["id"]}/')['ETag']
