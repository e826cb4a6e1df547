"""The OpenAPI schema and the API documentation pages."""
import json

import pytest
import yaml
from openapi_spec_validator import validate

from netbox.api.fields import api_list_path
from netbox.registry import registry

pytestmark = pytest.mark.django_db


@pytest.fixture(scope='module')
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operation(schema, path, method):
    return schema['paths'][path][method]


def component(schema, ref):
    return schema['components']['schemas'][ref['$ref'].rsplit('/', 1)[-1]]


def test_schema_is_valid_openapi_3(schema):
    validate(json.loads(json.dumps(schema)))
    assert schema['openapi'].startswith('3.')


def test_schema_is_yaml_by_default_and_json_on_request(api):
    response = api.get('/api/schema/')
    assert response.status_code == 200
    assert response['Content-Type'].startswith('application/vnd.oai.openapi')
    assert yaml.safe_load(response.content)['info']['title'] == 'NetBox REST API'
    response = api.get('/api/schema/', {'format': 'json'})
    assert response.status_code == 200
    assert '/api/dcim/devices/' in json.loads(response.content)['paths']


@pytest.mark.parametrize('url,marker', [('/api/docs/', b'swagger-ui'), ('/api/redoc/', b'redoc')])
def test_documentation_pages_use_local_assets(api, url, marker):
    response = api.get(url)
    assert response.status_code == 200
    assert marker in response.content.lower()
    # The UI assets come from the sidecar package under /static/, never a CDN.
    assert b'cdn.' not in response.content and b'unpkg' not in response.content


def test_both_token_schemes_are_offered(schema):
    schemes = schema['components']['securitySchemes']
    assert schemes['tokenAuth'] == {'type': 'apiKey', 'in': 'header', 'name': 'Authorization',
                                    'description': schemes['tokenAuth']['description']}
    assert schemes['bearerAuth']['scheme'] == 'bearer'
    security = operation(schema, '/api/dcim/devices/', 'get')['security']
    assert {'tokenAuth': []} in security and {'bearerAuth': []} in security


def test_list_has_paging_selection_and_typed_filters(schema):
    parameters = {p['name']: p for p in operation(schema, '/api/dcim/devices/', 'get')['parameters']}
    for name in ('limit', 'offset', 'start', 'brief', 'fields', 'omit', 'ordering', 'q'):
        assert name in parameters, name
    assert parameters['site_id']['schema'] == {'type': 'array', 'items': {'type': 'integer'}}
    assert parameters['name__ic']['schema'] == {'type': 'array', 'items': {'type': 'string'}}
    assert parameters['name__empty']['schema'] == {'type': 'boolean'}
    assert parameters['created__gte']['schema']['items']['format'] == 'date-time'
    assert parameters['interface_count__gte']['schema']['items'] == {'type': 'integer'}


def test_page_count_is_nullable_for_start_paging(schema):
    response = operation(schema, '/api/tenancy/tenants/', 'get')['responses']['200']
    page = component(schema, response['content']['application/json']['schema'])
    assert page['properties']['count'] == {'type': 'integer', 'nullable': True}
    assert component(schema, page['properties']['results']['items'])['properties']['slug']['type'] == 'string'


def test_relations_choices_and_brief_forms(schema):
    device = schema['components']['schemas']['Device']['properties']
    assert device['site'] == {'$ref': '#/components/schemas/BriefSite'}
    assert device['tenant']['nullable'] is True
    assert 'active' in device['status']['properties']['value']['enum']
    brief = schema['components']['schemas']['BriefSite']
    assert set(brief['required']) >= {'id', 'url', 'display', 'name', 'slug'}
    request = schema['components']['schemas']['DeviceRequest']
    assert set(request['required']) >= {'device_type', 'role', 'site'}
    assert {'type': 'integer', 'minimum': 1} in request['properties']['site']['oneOf']
    assert 'active' in request['properties']['status']['enum']
    assert 'id' not in request['properties'] and 'url' not in request['properties']
    assert 'required' not in schema['components']['schemas']['PatchedDeviceRequest']


def test_bulk_operations_on_list_paths(schema):
    paths = schema['paths']['/api/dcim/sites/']
    assert set(paths) == {'get', 'post', 'put', 'patch', 'delete'}
    create = paths['post']['requestBody']['content']['application/json']['schema']
    assert create['oneOf'][1]['type'] == 'array'
    bulk = paths['patch']['requestBody']['content']['application/json']['schema']
    assert bulk['items']['allOf'][0]['required'] == ['id']
    assert bulk['items']['allOf'][1] == {'$ref': '#/components/schemas/PatchedSiteRequest'}
    assert '204' in paths['delete']['responses']
    ids = [op['operationId'] for path in schema['paths'].values() for op in path.values()]
    assert len(ids) == len(set(ids))


def test_extra_routes_are_described(schema):
    for path in ('/api/dcim/interfaces/{id}/trace/', '/api/dcim/rear-ports/{id}/paths/',
                 '/api/dcim/racks/{id}/elevation/', '/api/users/tokens/provision/', '/api/dcim/connected-device/',
                 '/api/dcim/device-types/import/', '/api/status/'):
        assert path in schema['paths'], path
    elevation = operation(schema, '/api/dcim/racks/{id}/elevation/', 'get')
    assert {'application/json', 'image/svg+xml'} <= set(elevation['responses']['200']['content'])
    declared = [route for declaration in registry for route in declaration.api_routes]
    assert declared and all(
        any(path.startswith(api_list_path(d.model)) and path.endswith(suffix.replace('<int:pk>', '{id}'))
            for d in registry for suffix, _, _ in d.api_routes for path in schema['paths'])
        for _ in declared)
