"""
The GraphQL API (/graphql/): queries from NetBox's documentation, permissions at every depth, a SQL query count that
depends on the query's shape only, authentication, GRAPHQL_ENABLED, alias and depth limits, and GraphiQL.
"""
import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from netbox.testing import client_for, grant, make
from netbox.tests.test_browser import browser, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def run(client, query, variables=None, status=200):
    response = client.post('/graphql/', {'query': query, 'variables': variables or {}}, format='json')
    assert response.status_code == status, response.content
    return response.json()


def data_of(client, query, variables=None):
    body = run(client, query, variables)
    assert 'errors' not in body, body['errors']
    return body['data']


@pytest.fixture
def world(db):
    """Two sites, each with a tenant's rack and a VLAN, and devices with interfaces and IP addresses."""
    from dcim.models import Device, Interface, Rack, Site
    from ipam.models import VLAN, IPAddress
    from tenancy.models import Tenant

    tenant = make(Tenant, name='Tenant A', slug='tenant-a')
    out = {'tenant': tenant, 'sites': [], 'devices': [], 'racks': [], 'vlans': []}
    for n in (1, 2):
        site = make(Site, name=f'Site {n}', slug=f'site-{n}')
        rack = make(Rack, site=site, name=f'Rack {n}', tenant=tenant)
        vlan = make(VLAN, site=site, vid=100 + n, name=f'VLAN {n}', tenant=tenant)
        out['sites'].append(site)
        out['racks'].append(rack)
        out['vlans'].append(vlan)
        for d in (1, 2):
            device = make(Device, site=site, rack=rack, name=f'dev-{n}-{d}', tenant=tenant)
            interface = make(Interface, device=device, name='eth0', untagged_vlan=None)
            make(IPAddress, address=f'10.{n}.{d}.1/24', assigned_object=interface)
            out['devices'].append(device)
    return out


def bulk_devices(count, site):
    """`count` devices of `site`, each with two interfaces holding one IP address each (bulk inserts)."""
    from dcim.models import Device, Interface
    from ipam.models import IPAddress

    template = make(Device, site=site, name=f'bulk-{site.pk}-template')
    devices = Device.objects.bulk_create(
        Device(name=f'bulk-{site.pk}-{n}', site=site, role_id=template.role_id, device_type_id=template.device_type_id,
               status='active') for n in range(count - 1))
    devices.append(template)
    interfaces = Interface.objects.bulk_create(
        Interface(device=device, name=f'eth{i}', type='1000base-t') for device in devices for i in range(2))
    IPAddress.objects.bulk_create(
        IPAddress(address=f'10.{100 + site.pk % 100}.{n >> 8 & 255}.{n & 255}/16', assigned_object=interface)
        for n, interface in enumerate(interfaces, start=1))
    return devices


DEVICES_WITH_IPS = """
query ($site: [String!]) {
  device_list(filters: {site: {slug: {in_list: $site}}}) {
    name
    site { name }
    interfaces { name ip_addresses { address } }
  }
}
"""


def test_documentation_query_devices_interfaces_ips_by_site(api, world):
    data = data_of(api, DEVICES_WITH_IPS, {'site': ['site-1']})
    devices = sorted(data['device_list'], key=lambda d: d['name'])
    assert [d['name'] for d in devices] == ['dev-1-1', 'dev-1-2']
    assert devices[0]['site'] == {'name': 'Site 1'}
    assert devices[0]['interfaces'] == [{'name': 'eth0', 'ip_addresses': [{'address': '10.1.1.1/24'}]}]
    # The same as REST returns, device by device.
    for device in devices:
        rest = api.get(f'/api/dcim/interfaces/?device={device["name"]}').json()['results']
        assert [i['name'] for i in rest] == [i['name'] for i in device['interfaces']]
        for interface, rest_interface in zip(device['interfaces'], rest, strict=True):
            ips = api.get(f'/api/ipam/ip-addresses/?interface_id={rest_interface["id"]}').json()['results']
            assert sorted(ip['address'] for ip in ips) == sorted(ip['address'] for ip in interface['ip_addresses'])
    rest_devices = api.get('/api/dcim/devices/?site=site-1').json()['results']
    assert sorted(d['name'] for d in rest_devices) == [d['name'] for d in devices]


def test_documentation_query_ip_address_contains(api, world):
    data = data_of(api, '{ ip_address_list(filters: {address: {i_contains: "10.1."}}) { address display } }')
    assert sorted(ip['address'] for ip in data['ip_address_list']) == ['10.1.1.1/24', '10.1.2.1/24']
    rest = api.get('/api/ipam/ip-addresses/?parent=10.1.0.0/16').json()['results']
    assert sorted(ip['address'] for ip in rest) == ['10.1.1.1/24', '10.1.2.1/24']


def test_single_object_and_scalars(api, world):
    device = world['devices'][0]
    data = data_of(api, '{ device(id: %d) { id name display class_type custom_fields tags { name } '
                        'config_context interface_count tenant { name devices { name } } } }' % device.pk)
    obj = data['device']
    assert obj['id'] == str(device.pk)
    assert obj['name'] == device.name and obj['display'] == str(device)
    assert obj['class_type'] == 'Device'
    assert obj['custom_fields'] == {} and obj['tags'] == [] and obj['config_context'] == {}
    assert obj['interface_count'] == 1
    assert len(obj['tenant']['devices']) == 4
    rest = api.get(f'/api/dcim/devices/{device.pk}/').json()
    assert rest['interface_count'] == obj['interface_count'] and rest['config_context'] == obj['config_context']


def test_filters_lookups_and_logic(api, world):
    query = '{ device_list(filters: {name: {starts_with: "dev-1"}, OR: {name: {exact: "dev-2-2"}}}) { name } }'
    assert sorted(d['name'] for d in data_of(api, query)['device_list']) == ['dev-1-1', 'dev-1-2', 'dev-2-2']
    query = '{ device_list(filters: {name: {i_contains: "DEV"}, NOT: {site: {slug: {exact: "site-1"}}}}) { name } }'
    assert sorted(d['name'] for d in data_of(api, query)['device_list']) == ['dev-2-1', 'dev-2-2']
    site = world['sites'][1]
    query = '{ device_list(filters: {site_id: {exact: "%d"}, id: {gte: "0"}}) { name } }' % site.pk
    assert sorted(d['name'] for d in data_of(api, query)['device_list']) == ['dev-2-1', 'dev-2-2']
    from tenancy.models import TenantGroup

    group = make(TenantGroup, name='Group G', slug='group-g')
    world['tenant'].group = group
    world['tenant'].save()
    query = '{ rack_list(filters: {tenant_group: {slug: {exact: "group-g"}}}) { name } }'
    assert sorted(r['name'] for r in data_of(api, query)['rack_list']) == ['Rack 1', 'Rack 2']
    query = '{ rack_list(filters: {tenant_group_id: {exact: "%d"}}) { name } }' % group.pk
    assert len(data_of(api, query)['rack_list']) == 2
    query = '{ rack_list(filters: {tenant_group_id: {exact: "%d"}}) { name } }' % (group.pk + 1000)
    assert data_of(api, query)['rack_list'] == []
    query = '{ vlan_list(filters: {vid: {gt: 101}}) { vid } }'
    assert data_of(api, query)['vlan_list'] == [{'vid': 102}]


def test_pagination(api, world):
    query = '{ device_list(pagination: {offset: 1, limit: 2}) { name } }'
    assert [d['name'] for d in data_of(api, query)['device_list']] == ['dev-1-2', 'dev-2-1']
    # `start`: from that ID on, in ID order.
    from dcim.models import Device

    ids = sorted(Device.objects.values_list('pk', flat=True))
    query = '{ device_list(pagination: {start: "%d", limit: 2}) { id } }' % ids[1]
    assert [int(d['id']) for d in data_of(api, query)['device_list']] == ids[1:3]
    body = run(api, '{ device_list(pagination: {start: "%d", offset: 1}) { id } }' % ids[1])
    assert 'either offset or start' in body['errors'][0]['message']


def test_cable_terminations_union(api, plain_user):
    from dcim.models import Cable, Device, Interface

    device = make(Device)
    a, b = make(Interface, device=device, name='a'), make(Interface, device=device, name='b')
    cable = Cable(a_terminations=[a], b_terminations=[b])
    cable.save()
    query = '''{ cable(id: %d) { id
        a_terminations { __typename ... on InterfaceType { name device { name } } }
        b_terminations { ... on InterfaceType { name } } } }''' % cable.pk
    data = data_of(api, query)['cable']
    assert data['a_terminations'] == [{'__typename': 'InterfaceType', 'name': 'a', 'device': {'name': device.name}}]
    assert data['b_terminations'] == [{'name': 'b'}]
    # A user who may view cables but not interfaces sees no terminations.
    grant(plain_user, Cable, ['view'])
    data = data_of(client_for(plain_user), query)['cable']
    assert data == {'id': str(cable.pk), 'a_terminations': [], 'b_terminations': []}


def test_changelog(api, plain_user, world):
    from dcim.models import Site

    response = api.post('/api/dcim/sites/', {'name': 'Logged', 'slug': 'logged'}, format='json')
    assert response.status_code == 201
    api.patch(f'/api/dcim/sites/{response.json()["id"]}/', {'description': 'changed'}, format='json')
    query = '{ site_list(filters: {slug: {exact: "logged"}}) { changelog { action object_repr } } }'
    changes = data_of(api, query)['site_list'][0]['changelog']
    assert sorted(c['action'] for c in changes) == ['create', 'update']
    # Without permission to view change records: none.
    grant(plain_user, Site, ['view'])
    assert data_of(client_for(plain_user), query)['site_list'][0]['changelog'] == []


def test_cable_terminations_and_paths_match_rest(api):
    """A cable's terminations (a union: fragments per type) and an interface's link peers, connected endpoints and
    cable position data are what REST shows."""
    from dcim.models import Cable, Device, Interface

    device_a, device_b = make(Device, name='cab-a'), make(Device, name='cab-b')
    a, b = make(Interface, device=device_a, name='xe-0/0/0'), make(Interface, device=device_b, name='xe-0/0/1')
    cable = Cable(a_terminations=[a], b_terminations=[b], label='c1')
    cable.save()
    query = '''{ cable(id: %d) { label a_terminations { ... on InterfaceType { id name device { name } } }
        b_terminations { ... on InterfaceType { id name } } terminations { cable_end termination_type { model } } } }
    ''' % cable.pk
    data = data_of(api, query)['cable']
    rest = api.get(f'/api/dcim/cables/{cable.pk}/').json()
    assert [str(t['object']['id']) for t in rest['a_terminations']] == [t['id'] for t in data['a_terminations']]
    assert [str(t['object']['id']) for t in rest['b_terminations']] == [t['id'] for t in data['b_terminations']]
    assert data['a_terminations'][0]['device'] == {'name': 'cab-a'}
    assert sorted((t['cable_end'], t['termination_type']['model']) for t in data['terminations']) == [
        ('A', 'interface'), ('B', 'interface')]
    query = '''{ interface(id: %d) { cable { label } cable_end cable_connector cable_positions
        link_peers { __typename ... on InterfaceType { id name } }
        connected_endpoints { ... on InterfaceType { id name device { name } } } } }''' % a.pk
    data = data_of(api, query)['interface']
    rest = api.get(f'/api/dcim/interfaces/{a.pk}/').json()
    assert data['cable'] == {'label': 'c1'} and data['cable_end'] == rest['cable_end'] == 'A'
    assert [p['id'] for p in data['link_peers']] == [str(p['id']) for p in rest['link_peers']] == [str(b.pk)]
    assert data['link_peers'][0]['__typename'] == 'InterfaceType'
    assert [e['id'] for e in data['connected_endpoints']] == [str(e['id']) for e in rest['connected_endpoints']]
    assert data['connected_endpoints'][0]['device'] == {'name': 'cab-b'}


def test_derived_fields(api, world):
    from dcim.models import DeviceType
    from ipam.models import Service

    device = world['devices'][0]
    interface = device.interfaces.first()
    make(Service, parent=device, name='ssh', protocol='tcp', ports=[22])
    DeviceType.objects.filter(pk=device.device_type_id).update(weight=2, weight_unit='kg')
    query = '''{ device(id: %d) { services { name ports } device_type { _abs_weight }
        interfaces { _name _site { name } _rack { name } _location { name } } } }''' % device.pk
    data = data_of(api, query)['device']
    assert data['services'] == [{'name': 'ssh', 'ports': [22]}]
    assert data['device_type'] == {'_abs_weight': 2000}
    assert data['interfaces'] == [{'_name': 'eth00000000', '_site': {'name': 'Site 1'}, '_rack': {'name': 'Rack 1'},
                                   '_location': None}]
    data = data_of(api, '{ ip_address_list(filters: {address: {starts_with: "10.1.1."}}) { family '
                        'assigned_object_type { app_label model } } }')
    assert data['ip_address_list'] == [{'family': 4, 'assigned_object_type': {'app_label': 'dcim',
                                                                               'model': 'interface'}}]
    assert interface is not None


def test_derived_filters(api, world):
    # Counters, REST-derived filters (family), a component's site (through its device), arrays, nested relations.
    query = '{ device_list(filters: {interface_count: {gte: 1}, site: {slug: {exact: "site-2"}}}) { name } }'
    assert sorted(d['name'] for d in data_of(api, query)['device_list']) == ['dev-2-1', 'dev-2-2']
    query = '{ device_list(filters: {interface_count: {gt: 1}}) { name } }'
    assert data_of(api, query)['device_list'] == []
    query = '{ interface_list(filters: {site: {slug: {exact: "site-1"}}}) { device { name } } }'
    assert sorted(i['device']['name'] for i in data_of(api, query)['interface_list']) == ['dev-1-1', 'dev-1-2']
    query = '{ ip_address_list(filters: {family: 6}) { address } }'
    assert data_of(api, query)['ip_address_list'] == []
    query = '{ ip_address_list(filters: {family: 4, assigned: true}) { address } }'
    assert len(data_of(api, query)['ip_address_list']) == 4
    query = '{ interface_list(filters: {cabled: true}) { name } }'
    assert data_of(api, query)['interface_list'] == []
    from ipam.models import Service

    make(Service, parent=world['devices'][0], name='web', protocol='tcp', ports=[80, 443])
    query = '{ service_list(filters: {ports: {contains: [443]}}) { name } }'
    assert data_of(api, query)['service_list'] == [{'name': 'web'}]
    query = '{ service_list(filters: {port__gte: ["443"]}) { name } }'
    assert data_of(api, query)['service_list'] == [{'name': 'web'}]
    query = '{ interface_list(filters: {kind: ["virtual"]}) { name } }'
    assert data_of(api, query)['interface_list'] == []
    query = '{ device_list(filters: {services: {name: {exact: "web"}}}) { name } }'
    assert data_of(api, query)['device_list'] == [{'name': world['devices'][0].name}]
    query = '{ rack_reservation_list(filters: {unit_count: {gte: 1}}) { id } }'
    assert data_of(api, query)['rack_reservation_list'] == []
    body = run(api, '{ ip_address_list(filters: {family: 5}) { address } }')
    assert body['errors'] and 'family' in body['errors'][0]['message']



def count_queries(client, query):
    with CaptureQueriesContext(connection) as captured:
        data_of(client, query)
    return len(captured)


def test_query_count_depends_on_shape_not_rows(api, db):
    """devices -> interfaces -> IP addresses (and the derived fields) issue the same SQL for 10 and 500 devices."""
    from dcim.models import Site

    small, large = make(Site, name='Small', slug='small'), make(Site, name='Large', slug='large')
    bulk_devices(10, small)
    bulk_devices(500, large)
    query = '''{ device_list(filters: {site: {slug: {exact: "%s"}}}) { name display tags { name } changelog { id }
        site { name } services { name } interfaces { name display _site { name } link_peers { __typename }
        connected_endpoints { __typename } cable_positions
        ip_addresses { address display family tenant { name } } } } }'''
    data = data_of(api, query % 'large')
    assert len(data['device_list']) == 500
    assert all(len(d['interfaces']) == 2 and len(d['interfaces'][0]['ip_addresses']) == 1 for d in data['device_list'])
    assert count_queries(api, query % 'small') == count_queries(api, query % 'large')


def test_query_count_for_constrained_user(plain_user, db):
    """The same for a user whose permissions are constrained, at every nested level (the constraints are applied
    inside each level's query)."""
    from dcim.models import Device, Interface, Site
    from ipam.models import IPAddress

    small, large = make(Site, name='Small', slug='small'), make(Site, name='Large', slug='large')
    bulk_devices(10, small)
    bulk_devices(500, large)
    for model in (Device, Interface, IPAddress, Site):
        grant(plain_user, model, ['view'], constraints={'id__gte': 0} if model is not Site else None)
    client = client_for(plain_user)
    query = '''{ device_list(filters: {site: {slug: {exact: "%s"}}}) { name site { name }
        interfaces { name _site { name }
        ip_addresses { address assigned_object { ... on InterfaceType { name } } } } } }'''
    data_of(client, query % 'small')  # the user's permissions are read once per request: warm the caches
    data = data_of(client, query % 'large')
    assert len(data['device_list']) == 500
    assert all(len(i['ip_addresses']) == 1 for d in data['device_list'] for i in d['interfaces'])
    assert count_queries(client, query % 'small') == count_queries(client, query % 'large')
    # Nested under a site (reverse relation), constrained too.
    query = '{ site_list(filters: {slug: {exact: "%s"}}) { devices { name interfaces { name } } } }'
    assert len(data_of(client, query % 'large')['site_list'][0]['devices']) == 500
    assert count_queries(client, query % 'small') == count_queries(client, query % 'large')


# Permissions ------------------------------------------------------------------------------------------------------

@pytest.fixture
def site_user(plain_user, world):
    """May view everything but sees only the devices of Site 1."""
    from dcim.models import Device, Interface, Rack, Site
    from ipam.models import VLAN, IPAddress
    from tenancy.models import Tenant

    for model in (Rack, Site, VLAN, Tenant, Interface, IPAddress):
        grant(plain_user, model, ['view'])
    grant(plain_user, Device, ['view'], constraints={'site__slug': 'site-1'})
    return client_for(plain_user)


def test_constrained_user_sees_only_their_site_devices(site_user, world, api):
    top = data_of(site_user, '{ device_list { name } }')['device_list']
    assert sorted(d['name'] for d in top) == ['dev-1-1', 'dev-1-2']
    rest = site_user.get('/api/dcim/devices/?limit=0').json()['results']
    assert sorted(d['name'] for d in rest) == sorted(d['name'] for d in top)
    # Nested under a tenant, a rack of the other site, a VLAN (through its interfaces' devices).
    tenant = data_of(site_user, '{ tenant(id: %d) { devices { name } } }' % world['tenant'].pk)['tenant']
    assert sorted(d['name'] for d in tenant['devices']) == ['dev-1-1', 'dev-1-2']
    other_rack = world['racks'][1]
    assert data_of(site_user, '{ rack(id: %d) { name devices { name } } }' % other_rack.pk)['rack'] == {
        'name': 'Rack 2', 'devices': []}
    racks = data_of(site_user, '{ rack_list { name devices { name } } }')['rack_list']
    assert sorted((r['name'], len(r['devices'])) for r in racks) == [('Rack 1', 2), ('Rack 2', 0)]
    sites = data_of(site_user, '{ vlan_list { name site { devices { name } } } }')['vlan_list']
    assert sorted(len(v['site']['devices']) for v in sites) == [0, 2]
    # VLAN -> interfaces -> device: the interfaces of hidden devices are shown (interfaces are granted), their
    # devices are not.
    from dcim.models import Interface

    Interface.objects.filter(device__in=world['devices']).update(mode='access', untagged_vlan=world['vlans'][0])
    vlan = data_of(site_user, '{ vlan(id: %d) { interfaces_as_untagged { device { name } } } }'
                   % world['vlans'][0].pk)['vlan']
    assert sorted(str(i['device'] and i['device']['name']) for i in vlan['interfaces_as_untagged']) == [
        'None', 'None', 'dev-1-1', 'dev-1-2']
    # A component's _site (through its device) is the site's, which the user may view.
    shown = data_of(site_user, '{ interface_list { _site { name } } }')['interface_list']
    assert sorted(i['_site']['name'] for i in shown) == ['Site 1', 'Site 1', 'Site 2', 'Site 2']
    # The interface of a hidden device is visible (interfaces are granted) but its device is not.
    interfaces = data_of(site_user, '{ interface_list { device { name } } }')['interface_list']
    assert sorted(str(i['device'] and i['device']['name']) for i in interfaces) == [
        'None', 'None', 'dev-1-1', 'dev-1-2']
    # Nor through a generic relation's fragment, nor beside a display that reads the device.
    query = '{ ip_address_list { assigned_object { ... on InterfaceType { display device { name } } } } }'
    shown = data_of(site_user, query)['ip_address_list']
    assert sorted(str(ip['assigned_object']['device'] and ip['assigned_object']['device']['name'])
                  for ip in shown) == ['None', 'None', 'dev-1-1', 'dev-1-2']
    interfaces = data_of(site_user, '{ interface_list { display device { name } } }')['interface_list']
    assert sorted(str(i['device'] and i['device']['name']) for i in interfaces) == [
        'None', 'None', 'dev-1-1', 'dev-1-2']
    # A hidden device by ID: an error, no data.
    hidden = world['devices'][3]
    body = run(site_user, '{ device(id: %d) { name } }' % hidden.pk)
    assert body['errors'] and not body.get('data')
    # The superuser sees all four.
    assert len(data_of(api, '{ device_list(filters: {name: {starts_with: "dev-"}}) { name } }')['device_list']) == 4


def test_generic_relations_are_restricted(plain_user, world):
    from ipam.models import IPAddress

    grant(plain_user, IPAddress, ['view'])
    client = client_for(plain_user)
    data = data_of(client, '{ ip_address_list { address assigned_object { ... on InterfaceType { name } } } }')
    assert len(data['ip_address_list']) == 4
    assert all(ip['assigned_object'] is None for ip in data['ip_address_list'])


def test_user_without_permissions_sees_nothing(user_api, world):
    assert data_of(user_api, '{ device_list { name } site_list { name } }') == {'device_list': [], 'site_list': []}


@override_settings(LOGIN_REQUIRED=True)
def test_anonymous_gets_nothing_when_login_required(world):
    response = Client().post('/graphql/', {'query': '{ device_list { name } }'}, content_type='application/json')
    assert response.status_code == 403
    assert 'data' not in response.json()


@override_settings(LOGIN_REQUIRED=False, EXEMPT_VIEW_PERMISSIONS=['dcim.site'])
def test_anonymous_sees_exempt_models_only_without_login_required(world):
    query = '{ device_list { name } site_list(filters: {slug: {starts_with: "site-"}}) { name } }'
    response = Client().post('/graphql/', {'query': query}, content_type='application/json')
    assert response.status_code == 200
    assert response.json()['data'] == {'device_list': [], 'site_list': [{'name': 'Site 1'}, {'name': 'Site 2'}]}


def test_invalid_token_is_refused(db):
    client = Client(HTTP_AUTHORIZATION='Token 0123456789abcdef0123456789abcdef01234567')
    response = client.post('/graphql/', {'query': '{ site_list { name } }'}, content_type='application/json')
    assert response.status_code == 403


def test_session_needs_csrf_token(superuser, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    response = client.post('/graphql/', {'query': '{ site_list { name } }'}, content_type='application/json')
    assert response.status_code == 403
    ide = client.get('/graphql/', HTTP_ACCEPT='text/html')
    token = ide.cookies['csrftoken'].value
    response = client.post('/graphql/', {'query': '{ site(id: %d) { name } }' % world['sites'][0].pk},
                           content_type='application/json', HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()['data'] == {'site': {'name': 'Site 1'}}


@override_settings(CONFIG_OVERRIDES={'GRAPHQL_ENABLED': False})
def test_graphql_disabled(api):
    response = api.post('/graphql/', {'query': '{ site_list { name } }'}, format='json')
    assert response.status_code == 404
    assert 'GRAPHQL_ENABLED' in response.json()['detail']


@override_settings(GRAPHQL_MAX_ALIASES=2)
def test_alias_limit(api, world):
    assert 'errors' not in run(api, '{ a: site_list { name } b: site_list { name } }')
    body = run(api, '{ a: site_list { name } b: site_list { name } c: site_list { name } }')
    assert body['errors'][0]['message'] == '3 aliases found. Allowed: 2' and not body.get('data')


@override_settings(GRAPHQL_MAX_DEPTH=3)
def test_depth_limit(api, world):
    assert 'errors' not in run(api, '{ site_list { tenant { name } } }')
    body = run(api, '{ site_list { tenant { devices { site { name } } } } }')
    assert 'exceeds maximum operation depth' in body['errors'][0]['message'] and not body.get('data')


def test_graphiql_for_logged_in_users_with_local_assets(superuser):
    client = Client()
    response = client.get('/graphql/', HTTP_ACCEPT='text/html')
    assert response.status_code == 302 and '/login/' in response['Location']
    client.force_login(superuser)
    response = client.get('/graphql/', HTTP_ACCEPT='text/html')
    assert response.status_code == 200
    html = response.content.decode()
    assert '/static/graphiql/graphiql.min.js' in html and 'unpkg' not in html and 'https://' not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_graphiql_runs_a_query_in_the_browser(page, live_server, world):  # noqa: F811 (the page fixture)
    """GraphiQL loads from our own static files only, and runs a query with the session."""
    from urllib.parse import quote

    requested, problems = [], []
    page.on('request', lambda request: requested.append(request.url))
    page.on('console', lambda message: problems.append(message.text) if message.type == 'error' else None)
    page.on('response', lambda response: problems.append(f'{response.status} {response.url}')
            if response.status >= 400 else None)
    page.goto(f'{live_server.url}/graphql/?q={quote("{ site_list { name } }")}')
    try:
        page.wait_for_selector('.graphiql-execute-button')
    except Exception:
        raise AssertionError((problems, requested, page.content()[:3000])) from None
    page.click('.graphiql-execute-button')
    page.wait_for_function("document.querySelector('.result-window') && "
                           "document.querySelector('.result-window').innerText.includes('Site 2')")
    assert requested and all(url.startswith(live_server.url) or url.startswith('data:') for url in requested), \
        [url for url in requested if not url.startswith(live_server.url)]


# Fields NetBox reads from cached columns, derived here ------------------------------------------------------------

def cabled_site(name, pairs):
    """A site with a location, a rack and `pairs` pairs of devices cabled interface to interface."""
    from dcim.models import Cable, Device, Interface, Location, Rack, Site

    site = make(Site, name=name, slug=name.lower())
    location = make(Location, site=site, name=f'{name} room', slug=f'{name.lower()}-room')
    rack = make(Rack, site=site, location=location, name=f'{name} rack')
    template = make(Device, site=site, location=location, rack=rack, name=f'{name}-0')
    devices = [template] + Device.objects.bulk_create(
        Device(name=f'{name}-{n}', site=site, location=location, rack=rack, role_id=template.role_id,
               device_type_id=template.device_type_id, status='active') for n in range(1, 2 * pairs))
    interfaces = Interface.objects.bulk_create(Interface(device=d, name='eth0', type='1000base-t') for d in devices)
    for a, b in zip(interfaces[::2], interfaces[1::2], strict=True):
        Cable(a_terminations=[a], b_terminations=[b]).save()
    return site, location, rack, devices


def test_cable_termination_set_of_sites_locations_racks_devices(api):
    from circuits.models import Circuit, CircuitTermination
    from dcim.models import Cable, Interface, PowerFeed, PowerPanel, PowerPort

    site, location, rack, devices = cabled_site('North', 1)
    other, _, _, _ = cabled_site('South', 1)
    # A circuit termination at the site, cabled to a third interface; a power feed in the rack, to a power port.
    circuit = make(Circuit)
    circuit_end = make(CircuitTermination, circuit=circuit, term_side='A', termination=site)
    extra = make(Interface, device=devices[0], name='eth1')
    Cable(a_terminations=[circuit_end], b_terminations=[extra]).save()
    feed = make(PowerFeed, power_panel=make(PowerPanel, site=site), rack=rack, name='feed')
    port = make(PowerPort, device=devices[1], name='psu')
    Cable(a_terminations=[feed], b_terminations=[port]).save()

    def shown(query, key):
        return {row['name']: sorted((t['cable_end'], t['termination']['__typename'], t['termination']['name'])
                                    for t in row['cabletermination_set'])
                for row in data_of(api, query)[key]}

    ends = '{ name cabletermination_set { cable_end termination { __typename ' \
           '... on InterfaceType { name } ... on PowerPortType { name } ... on PowerFeedType { name } ' \
           '... on CircuitTerminationType { name: term_side } } } }'
    all_north = [('A', 'CircuitTerminationType', 'A'), ('A', 'InterfaceType', 'eth0'), ('A', 'PowerFeedType', 'feed'),
                 ('B', 'InterfaceType', 'eth0'), ('B', 'InterfaceType', 'eth1'), ('B', 'PowerPortType', 'psu')]
    sites = shown('{ site_list %s }' % ends, 'site_list')
    assert sites['North'] == all_north and len(sites['South']) == 2
    # Location and rack: not the circuit termination (it stands at the site only).
    in_rack = [end for end in all_north if end[1] != 'CircuitTerminationType']
    assert shown('{ location_list %s }' % ends, 'location_list')['North room'] == in_rack
    assert shown('{ rack_list %s }' % ends, 'rack_list')['North rack'] == in_rack
    by_device = shown('{ device_list(filters: {site_id: {exact: "%d"}}) %s }' % (site.pk, ends), 'device_list')
    assert by_device == {'North-0': [('A', 'InterfaceType', 'eth0'), ('B', 'InterfaceType', 'eth1')],
                         'North-1': [('B', 'InterfaceType', 'eth0'), ('B', 'PowerPortType', 'psu')]}
    # The filters: by the site, location, rack or device the termination's object stands in.
    for condition, expected in (('site: {slug: {exact: "north"}}', 6), ('location: {slug: {exact: "north-room"}}', 5),
                                ('rack: {name: {exact: "North rack"}}', 5), ('device: {name: {exact: "North-1"}}', 2),
                                ('site: {slug: {exact: "south"}}', 2), ('device: {name: {exact: "none"}}', 0)):
        query = '{ cable_termination_list(filters: {%s}) { id } }' % condition
        assert len(data_of(api, query)['cable_termination_list']) == expected, condition
    query = '{ cable_termination_list(filters: {site: {slug: {exact: "south"}}, OR: {device: {name: {exact: ' \
            '"North-1"}}}}) { cable_end } }'
    assert len(data_of(api, query)['cable_termination_list']) == 4
    assert other.pk != site.pk and Cable.objects.count() == 4


def test_cable_termination_set_is_restricted_and_batched(api, plain_user):
    from dcim.models import CableTermination, Site

    cabled_site('Small', 2)
    cabled_site('Large', 40)
    query = '{ site_list(filters: {slug: {exact: "%s"}}) { name cabletermination_set { cable_end cable { id } ' \
            'termination { ... on InterfaceType { name } } } } }'
    large = data_of(api, query % 'large')['site_list'][0]['cabletermination_set']
    assert len(large) == 80 and all(t['termination']['name'] == 'eth0' for t in large)
    assert count_queries(api, query % 'small') == count_queries(api, query % 'large')
    # Under the device list too: the same SQL for 4 and 80 devices.
    query = '{ device_list(filters: {site: {slug: {exact: "%s"}}}) { name cabletermination_set { cable_end } } }'
    assert all(len(d['cabletermination_set']) == 1 for d in data_of(api, query % 'large')['device_list'])
    assert count_queries(api, query % 'small') == count_queries(api, query % 'large')
    # A user may see only the terminations their permissions allow (here the A ends, then none).
    grant(plain_user, Site, ['view'])
    grant(plain_user, CableTermination, ['view'], constraints={'cable_end': 'A'})
    client = client_for(plain_user)
    query = '{ site_list(filters: {slug: {exact: "small"}}) { cabletermination_set { cable_end } } }'
    assert data_of(client, query)['site_list'][0]['cabletermination_set'] == [{'cable_end': 'A'}] * 2
    query = '{ cable_termination_list(filters: {site: {slug: {exact: "small"}}}) { cable_end } }'
    assert data_of(client, query)['cable_termination_list'] == [{'cable_end': 'A'}] * 2


def test_module_bay_children_and_level(api):
    from dcim.models import Device, Module, ModuleBay, ModuleType

    device = make(Device, name='chassis')
    module_type = make(ModuleType)
    slot = make(ModuleBay, device=device, name='slot')
    card = make(Module, device=device, module_bay=slot, module_type=module_type)
    sub = make(ModuleBay, device=device, module=card, name='sub')
    make(Module, device=device, module_bay=sub, module_type=module_type, serial='inner')
    inner = Module.objects.get(serial='inner')
    leaf = make(ModuleBay, device=device, module=inner, name='leaf')
    make(ModuleBay, device=device, name='empty')
    query = '{ module_bay_list(filters: {device: {name: {exact: "chassis"}}}) { name level children { name } ' \
            'parent { name } } }'
    bays = {b['name']: b for b in data_of(api, query)['module_bay_list']}
    assert {name: (b['level'], [c['name'] for c in b['children']], b['parent'] and b['parent']['name'])
            for name, b in bays.items()} == {
        'slot': (0, ['sub'], None), 'sub': (1, ['leaf'], 'slot'), 'leaf': (2, [], 'sub'), 'empty': (0, [], None)}
    # The query count doesn't grow with the number of bays at a level.
    few = count_queries(api, query)
    ModuleBay.objects.bulk_create(ModuleBay(device=device, module=inner, name=f'more{n}') for n in range(30))
    assert count_queries(api, query) == few
    assert leaf.pk


def test_fields_for_data_we_dont_keep_are_served_as_netbox_serves_them(api):
    """Entries of NetBox's schema our models hold no data for answer as for an object without that data; a
    configuration context's tags (its tag criteria) and a webhook's events (the event rules using it) are real."""
    from dcim.models import Cable, Device, Interface
    from extras.models import ConfigContext, ConfigContextProfile, EventRule, Tag, Webhook

    device = make(Device)
    Cable(a_terminations=[make(Interface, device=device, name='a')],
          b_terminations=[make(Interface, device=device, name='b')]).save()
    data = data_of(api, '{ cable_termination_list { tags { name } custom_fields journal_entries { id } } }')
    assert data['cable_termination_list'] == [{'tags': [], 'custom_fields': {}, 'journal_entries': []}] * 2
    tag = make(Tag, name='Gold', slug='gold')
    assert data_of(api, '{ tag(id: %d) { name owner { id } } }' % tag.pk)['tag'] == {'name': 'Gold', 'owner': None}
    profile = make(ConfigContextProfile, name='Profile')
    query = '{ config_context_profile(id: %d) { custom_fields custom_field_data journal_entries { id } } }'
    assert data_of(api, query % profile.pk)['config_context_profile'] == {
        'custom_fields': {}, 'custom_field_data': {}, 'journal_entries': []}
    for condition, found in (('custom_field_data: {}', 1), ('custom_field_data: {a: 1}', 0),
                             ('journal_entries: {comments: {i_contains: "x"}}', 0), ('journal_entries: {}', 1)):
        query = '{ config_context_profile_list(filters: {%s}) { name } }' % condition
        assert len(data_of(api, query)['config_context_profile_list']) == found, condition
    context = make(ConfigContext, name='Tagged', data={'a': 1})
    context.tags.set([tag])
    assert data_of(api, '{ config_context(id: %d) { tags { name } } }' % context.pk)['config_context'] == {
        'tags': [{'name': 'Gold'}]}
    webhook = make(Webhook, name='hook')
    make(Webhook, name='unused')
    make(EventRule, name='on-create', action_type='webhook', action_object=webhook)
    query = '{ webhook_list(filters: {events: {name: {exact: "on-create"}}}) { name } }'
    assert data_of(api, query)['webhook_list'] == [{'name': 'hook'}]
    from dcim.models import Module, ModuleBay

    make(Module, device=device, module_bay=make(ModuleBay, device=device, name='bay'))
    for condition, found in (('device_bays: {name: {exact: "x"}}', 0), ('local_context_data: {a: 1}', 0),
                             ('device_bays: {}', 1)):
        query = '{ module_list(filters: {%s}) { id } }' % condition
        assert len(data_of(api, query)['module_list']) == found, condition
