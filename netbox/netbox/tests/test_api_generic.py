"""
Standard REST tests, parametrized over every declared model: the reference field sets, CRUD, brief mode, field
selection, filters, bulk operations, permissions and constant query counts.
"""
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netbox.api.fields import api_list_path
from netbox.registry import registry
from netbox.testing import client_for, editable_text_field, grant, make, needs_upload, sample_payload

REFERENCE_PATH = Path(__file__).resolve().parents[4] / 'shared' / 'reference' / 'netbox-4.7-api.json'
REFERENCE = json.loads(REFERENCE_PATH.read_text())
# Apps whose endpoints must match the reference exactly; others are checked where the reference has them.
STRICT_APPS = ('tenancy', 'users')
PAGING_PARAMS = {'q', 'limit', 'offset', 'ordering', 'brief', 'fields', 'omit', 'start'}

DECLARATIONS = sorted(registry, key=lambda d: d.label())
WRITABLE = [d for d in DECLARATIONS if 'POST' in d.api_methods]
# Created from a JSON payload (models needing an uploaded file are created by multipart in their own tests).
JSON_WRITABLE = [d for d in WRITABLE if not needs_upload(d)]
DELETABLE = [d for d in DECLARATIONS if 'DELETE' in d.api_methods]
ids = [d.label() for d in DECLARATIONS]


def reference_for(declaration):
    return REFERENCE.get(api_list_path(declaration.model))


def list_url(declaration):
    return api_list_path(declaration.model)


def detail_url(declaration, pk):
    return f'{api_list_path(declaration.model)}{pk}/'


@pytest.mark.parametrize('declaration', DECLARATIONS, ids=ids)
def test_declared_fields_match_reference(declaration):
    reference = reference_for(declaration)
    if reference is None:
        assert declaration.app_label() not in STRICT_APPS, f'{declaration.label()} has no reference entry'
        return
    assert set(declaration.rest_fields()) == set(reference['fields'])
    if reference.get('brief'):
        assert set(declaration.brief_fields()) == set(reference['brief'])


@pytest.mark.parametrize('declaration', DECLARATIONS, ids=ids)
def test_reference_filters_are_offered(declaration):
    reference = reference_for(declaration)
    if reference is None:
        return
    offered = set(declaration.filterset().base_filters) | PAGING_PARAMS
    missing = sorted(set(reference['filters']) - offered)
    if declaration.app_label() in STRICT_APPS:
        assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', DECLARATIONS, ids=ids)
def test_list_returns_reference_fields(api, declaration):
    obj = make(declaration.model)
    response = api.get(list_url(declaration), {'id': obj.pk})
    assert response.status_code == 200, response.content
    assert response.data['count'] == 1
    row = response.json()['results'][0]
    absent = {name for name in declaration.absent_when_null if name not in row}
    assert set(row) | absent == set(declaration.rest_fields())
    assert row['id'] == obj.pk
    assert row['url'].endswith(detail_url(declaration, obj.pk))


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', DECLARATIONS, ids=ids)
def test_brief_fields_and_omit(api, declaration):
    obj = make(declaration.model)
    brief = api.get(list_url(declaration), {'brief': 1, 'id': obj.pk}).json()['results'][0]
    assert set(brief) == set(declaration.brief_fields())
    only = api.get(list_url(declaration), {'fields': 'id,display', 'id': obj.pk}).json()['results'][0]
    assert set(only) == {'id', 'display'}
    omitted = api.get(detail_url(declaration, obj.pk), {'omit': 'display'}).json()
    assert 'display' not in omitted and 'id' in omitted


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', JSON_WRITABLE, ids=[d.label() for d in JSON_WRITABLE])
def test_create_update_delete(api, declaration):
    payload = sample_payload(declaration)
    response = api.post(list_url(declaration), payload, format='json')
    assert response.status_code == 201, response.content
    pk = response.data['id']
    assert declaration.model.objects.filter(pk=pk).exists()

    field = editable_text_field(declaration)
    if field and 'PATCH' in declaration.api_methods:
        response = api.patch(detail_url(declaration, pk), {field: 'changed-value'}, format='json')
        assert response.status_code == 200, response.content
        assert response.data[field] == 'changed-value'

    if 'DELETE' in declaration.api_methods:
        response = api.delete(detail_url(declaration, pk))
        assert response.status_code == 204
        assert not declaration.model.objects.filter(pk=pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', JSON_WRITABLE, ids=[d.label() for d in JSON_WRITABLE])
def test_bulk_create_is_one_request_and_all_or_nothing(api, declaration):
    good = [sample_payload(declaration), sample_payload(declaration)]
    response = api.post(list_url(declaration), good, format='json')
    assert response.status_code == 201, response.content
    assert len(response.data) == 2
    before = declaration.model.objects.count()
    bad = [sample_payload(declaration), 'not an object']
    response = api.post(list_url(declaration), bad, format='json')
    assert response.status_code == 400
    assert declaration.model.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', DELETABLE, ids=[d.label() for d in DELETABLE])
def test_bulk_delete(api, declaration):
    objects = [make(declaration.model), make(declaration.model)]
    response = api.delete(list_url(declaration), [{'id': obj.pk} for obj in objects], format='json')
    assert response.status_code == 204, response.content
    assert not declaration.model.objects.filter(pk__in=[obj.pk for obj in objects]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', DECLARATIONS, ids=ids)
def test_id_filters(api, declaration):
    first, second = make(declaration.model), make(declaration.model)
    response = api.get(list_url(declaration), {'id': [first.pk, second.pk]})
    assert {row['id'] for row in response.data['results']} == {first.pk, second.pk}
    response = api.get(list_url(declaration), {'id__n': first.pk, 'id__gte': first.pk})
    assert [row['id'] for row in response.data['results']] == [second.pk]
    response = api.get(list_url(declaration), {'id': 'not-a-number'})
    assert response.status_code == 400
    assert 'id' in response.data


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', DECLARATIONS, ids=ids)
def test_view_requires_permission(plain_user, declaration):
    obj = make(declaration.model)
    client = client_for(plain_user)
    if f'{declaration.app_label()}.view_{declaration.model_name()}' in settings.DEFAULT_PERMISSIONS:
        # Every user may see their own tokens, bookmarks... (DEFAULT_PERMISSIONS); this one is someone else's.
        response = client.get(list_url(declaration), {'id': obj.pk})
        assert response.status_code == 200 and response.data['count'] == 0
        return
    assert client.get(list_url(declaration)).status_code == 403
    grant(plain_user, declaration.model, ['view'])
    client = client_for(plain_user)
    response = client.get(list_url(declaration), {'id': obj.pk})
    assert response.status_code == 200
    assert response.data['count'] == 1


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', DECLARATIONS, ids=ids)
def test_list_query_count_is_constant(api, declaration):
    make(declaration.model)
    api.get(list_url(declaration))  # warm per-process caches (content types, URL prefixes)

    def count_queries():
        api.get(list_url(declaration), {'limit': 1})  # warm the cached configuration and custom fields
        with CaptureQueriesContext(connection) as context:
            response = api.get(list_url(declaration), {'limit': 100})
        assert response.status_code == 200
        return len(context.captured_queries)

    few = count_queries()
    for _ in range(5):
        make(declaration.model)
    assert count_queries() == few
