"""Custom field definitions through the REST API: NetBox 4.7's `nulls_first` (writable) and `status` (read-only)."""
import pytest

from extras.models import CustomField


@pytest.mark.django_db
def test_nulls_first_is_written_and_status_starts_active(api):
    response = api.post('/api/extras/custom-fields/', {
        'name': 'asset_tag', 'type': 'text', 'object_types': ['tenancy.tenant'], 'nulls_first': True,
        'status': 'deleting',
    }, format='json')
    assert response.status_code == 201, response.content
    assert response.data['nulls_first'] is True
    assert response.data['status'] == {'value': 'active', 'label': 'Active'}
    field = CustomField.objects.get(name='asset_tag')
    assert (field.nulls_first, field.status) == (True, 'active')


@pytest.mark.django_db
def test_status_and_nulls_first_filters(api):
    for name, nulls_first in (('a', True), ('b', False)):
        CustomField.objects.create(name=name, type='text', nulls_first=nulls_first)
    names = lambda params: sorted(r['name'] for r in api.get('/api/extras/custom-fields/', params).json()['results'])  # noqa: E731,E501
    assert names({'nulls_first': 'true'}) == ['a']
    assert names({'status': 'active'}) == ['a', 'b']
    assert names({'status': 'deleting'}) == []
