"""Network columns through the generic machinery: text on the REST wire, 400s naming the field, exact filters."""
import pytest

from ipam.models import RIR, Aggregate, IPAddress, Prefix

pytestmark = pytest.mark.django_db


def test_prefix_is_text_on_the_wire_and_family_a_choice(api):
    response = api.post('/api/ipam/prefixes/', {'prefix': '10.20.0.0/16'}, format='json')
    assert response.status_code == 201, response.content
    data = response.json()
    assert data['prefix'] == '10.20.0.0/16'
    assert data['family'] == {'value': 4, 'label': 'IPv4'}
    assert data['children'] == 0 and data['_depth'] == 0
    assert Prefix.objects.get(pk=data['id']).prefix.prefixlen == 16


@pytest.mark.parametrize('value', ['10.0.0.1/8', 'not-a-prefix', '300.1.1.0/24', 12])
def test_bad_prefix_is_a_400_naming_the_field(api, value):
    response = api.post('/api/ipam/prefixes/', {'prefix': value}, format='json')
    assert response.status_code == 400, response.content
    assert 'prefix' in response.json()
    assert not Prefix.objects.exists()


def test_bad_address_is_a_400_naming_the_field(api):
    response = api.post('/api/ipam/ip-addresses/', {'address': '192.0.2.300/24'}, format='json')
    assert response.status_code == 400
    assert list(response.json()) == ['address']


def test_nat_inside_is_nested_without_recursion(api):
    inside = IPAddress.objects.create(address='192.0.2.1/24')
    outside = IPAddress.objects.create(address='198.51.100.1/24', nat_inside=inside)
    data = api.get(f'/api/ipam/ip-addresses/{outside.pk}/').json()
    assert data['nat_inside']['address'] == '192.0.2.1/24'
    assert set(data['nat_inside']) == {'id', 'url', 'display', 'family', 'address'}
    assert data['nat_inside']['family'] == {'value': 4, 'label': 'IPv4'}
    brief = api.get(f'/api/ipam/ip-addresses/{inside.pk}/', {'brief': 1}).json()
    assert [item['address'] for item in brief['nat_outside']] == ['198.51.100.1/24']


def test_exact_filter_on_a_network_column(api):
    rir = RIR.objects.create(name='R', slug='r')
    Aggregate.objects.create(prefix='10.0.0.0/8', rir=rir)
    Aggregate.objects.create(prefix='172.16.0.0/12', rir=rir)
    response = api.get('/api/ipam/aggregates/', {'prefix': '10.0.0.0/8'})
    assert [row['prefix'] for row in response.json()['results']] == ['10.0.0.0/8']
    response = api.get('/api/ipam/aggregates/', {'prefix': 'junk'})
    assert response.status_code == 400 and 'prefix' in response.json()


def test_schema_types_network_columns_as_strings():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema['components']['schemas']
    assert components['Prefix']['properties']['prefix'] == {'type': 'string'}
    assert components['IPAddress']['properties']['address'] == {'type': 'string'}
    nested = components['NestedIPAddress']
    assert set(nested['properties']) == {'id', 'url', 'display', 'family', 'address'}
    assert 'NestedIPAddress' in str(components['BriefIPAddress']['properties']['nat_inside'])
