"""Object types (/api/core/object-types/) and tagged objects (/api/extras/tagged-objects/): read-only lists with
NetBox's fields and filters."""
import pytest
from django.contrib.contenttypes.models import ContentType

from extras.models import Tag
from tenancy.models import Tenant, TenantGroup

pytestmark = pytest.mark.django_db


def test_object_type_fields(api):
    tenant_type = ContentType.objects.get_for_model(Tenant)
    response = api.get(f'/api/core/object-types/{tenant_type.pk}/')
    assert response.status_code == 200, response.content
    data = response.data
    assert data['app_label'] == 'tenancy' and data['model'] == 'tenant'
    assert data['app_name'] == 'Tenancy' and data['model_name'] == 'tenant' and data['model_name_plural'] == 'tenants'
    assert data['public'] is True and data['is_plugin_model'] is False
    assert data['rest_api_endpoint'] == '/api/tenancy/tenants/'
    assert {'change_logging', 'custom_fields', 'tags', 'bookmarks', 'notifications'} <= set(data['features'])
    assert data['display'] == 'Tenancy | tenant'


def test_object_type_filters(api):
    response = api.get('/api/core/object-types/', {'app_label': 'tenancy', 'limit': 100})
    models = {row['model'] for row in response.data['results']}
    assert {'tenant', 'tenantgroup', 'contact'} <= models and all(
        row['app_label'] == 'tenancy' for row in response.data['results'])
    private = api.get('/api/core/object-types/', {'public': 'false', 'app_label': 'contenttypes'})
    assert [row['model'] for row in private.data['results']] == ['contenttype']
    tagged = api.get('/api/core/object-types/', {'features': 'tags', 'app_label': 'tenancy', 'limit': 100})
    assert 'tenant' in {row['model'] for row in tagged.data['results']}
    assert 'tenantgroup' in {row['model'] for row in tagged.data['results']}
    searched = api.get('/api/core/object-types/', {'q': 'tenantgr'})
    assert [row['model'] for row in searched.data['results']] == ['tenantgroup']
    assert api.post('/api/core/object-types/', {}, format='json').status_code == 405


def test_tagged_objects(api):
    gold, silver = Tag.objects.create(name='Gold', slug='gold'), Tag.objects.create(name='Silver', slug='silver')
    acme = Tenant.objects.create(name='Acme', slug='acme')
    group = TenantGroup.objects.create(name='G', slug='g')
    acme.tags.set([gold, silver])
    group.tags.set([gold])
    response = api.get('/api/extras/tagged-objects/', {'tag': 'gold'})
    assert response.status_code == 200, response.content
    rows = response.data['results']
    assert {(row['object_type'], row['object_id']) for row in rows} == {('tenancy.tenant', acme.pk),
                                                                        ('tenancy.tenantgroup', group.pk)}
    row = next(row for row in rows if row['object_type'] == 'tenancy.tenant')
    assert row['object']['name'] == 'Acme' and row['tag']['slug'] == 'gold'
    assert api.get('/api/extras/tagged-objects/', {'object_type': 'tenancy.tenant'}).data['count'] == 2
    assert api.get('/api/extras/tagged-objects/', {'tag_id': silver.pk}).data['count'] == 1
    assert api.get('/api/extras/tagged-objects/', {'q': 'silv'}).data['count'] == 1
    detail = api.get(f'/api/extras/tagged-objects/{row["id"]}/')
    assert detail.status_code == 200 and detail.data['object_id'] == acme.pk
    assert api.post('/api/extras/tagged-objects/', {}, format='json').status_code == 405
