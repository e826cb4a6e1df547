"""The allocation endpoints through the REST API: free lists, first-fit allocation, list bodies, 409s, permissions."""
import netaddr
import pytest
from django.db.backends.postgresql.psycopg_any import NumericRange

from ipam.models import ASN, RIR, VLAN, VRF, ASNRange, IPAddress, IPRange, Prefix, VLANGroup
from netbox.testing import client_for, grant

pytestmark = pytest.mark.django_db


def prefix(text, **attrs):
    return Prefix.objects.create(prefix=netaddr.IPNetwork(text), **attrs)


def address(text, **attrs):
    return IPAddress.objects.create(address=netaddr.IPNetwork(text), **attrs)


def url(kind, obj, route):
    return f'/api/ipam/{kind}/{obj.pk}/{route}/'


# available-prefixes


def test_available_prefixes_get(api):
    vrf = VRF.objects.create(name='blue')
    parent = prefix('10.0.0.0/24', vrf=vrf)
    prefix('10.0.0.0/25', vrf=vrf)
    prefix('10.0.0.192/26', vrf=vrf)
    response = api.get(url('prefixes', parent, 'available-prefixes'))
    assert response.status_code == 200, response.content
    assert [row['prefix'] for row in response.json()] == ['10.0.0.128/26']
    row = response.json()[0]
    assert row['family'] == 4 and row['vrf']['id'] == vrf.pk and row['vrf']['name'] == 'blue'


def test_available_prefixes_post_one_and_many(api):
    vrf = VRF.objects.create(name='blue')
    parent = prefix('10.1.0.0/24', vrf=vrf)
    prefix('10.1.0.0/28', vrf=vrf)
    response = api.post(url('prefixes', parent, 'available-prefixes'),
                        {'prefix_length': 28, 'description': 'first', 'status': 'reserved', 'is_pool': True,
                         'vrf': None}, format='json')
    assert response.status_code == 201, response.content
    body = response.json()
    assert body['prefix'] == '10.1.0.16/28' and body['description'] == 'first'
    assert body['status']['value'] == 'reserved' and body['is_pool'] is True
    assert body['vrf']['id'] == vrf.pk  # the parent's VRF, whatever the body says
    assert 'url' in body and 'created' in body
    assert body['_depth'] == 1  # placed in the hierarchy like any created prefix
    response = api.post(url('prefixes', parent, 'available-prefixes'),
                        [{'prefix_length': 27}, {'prefix_length': 26}, {'prefix_length': 30}], format='json')
    assert response.status_code == 201, response.content
    assert [row['prefix'] for row in response.json()] == ['10.1.0.32/27', '10.1.0.64/26', '10.1.0.128/30']
    assert Prefix.objects.filter(vrf=vrf).count() == 6


def test_available_prefixes_post_errors(api):
    parent = prefix('10.2.0.0/24')
    target = url('prefixes', parent, 'available-prefixes')
    for body, field in (({}, 'prefix_length'), ({'prefix_length': 23}, 'prefix_length'),
                        ({'prefix_length': 33}, 'prefix_length'), ({'prefix_length': 'x'}, 'prefix_length'),
                        ({'prefix_length': 28, 'status': 'bogus'}, 'status')):
        response = api.post(target, body, format='json')
        assert response.status_code == 400, (body, response.content)
        assert field in str(response.json()), (body, response.json())
    response = api.post(target, [{'prefix_length': 25}, {'prefix_length': 25}, {'prefix_length': 25}],
                        format='json')
    assert response.status_code == 409
    assert response.json() == {
        'detail': 'Insufficient space is available to accommodate the requested prefix size(s)'}
    # A list whose second element is invalid writes nothing.
    response = api.post(target, [{'prefix_length': 25}, {'prefix_length': 25, 'status': 'bogus'}], format='json')
    assert response.status_code == 400
    assert Prefix.objects.count() == 1
    assert api.post(target, 'junk', format='json').status_code == 400
    assert api.post(target, [], format='json').status_code == 400


# available-ips on prefixes


def test_available_ips_get_with_limit(api):
    parent = prefix('192.0.2.0/24')
    address('192.0.2.1/24')
    address('192.0.2.3/24')
    response = api.get(url('prefixes', parent, 'available-ips'), {'limit': 3})
    assert response.status_code == 200
    assert response.json() == [
        {'family': 4, 'address': '192.0.2.2/24', 'vrf': None},
        {'family': 4, 'address': '192.0.2.4/24', 'vrf': None},
        {'family': 4, 'address': '192.0.2.5/24', 'vrf': None},
    ]
    assert len(api.get(url('prefixes', parent, 'available-ips')).json()) == 50  # PAGINATE_COUNT
    assert len(api.get(url('prefixes', parent, 'available-ips'), {'limit': 0}).json()) == 252
    assert len(api.get(url('prefixes', parent, 'available-ips'), {'limit': 5000}).json()) == 252


def test_available_ips_post_one_and_many(api):
    vrf = VRF.objects.create(name='v')
    parent = prefix('192.0.2.0/29', vrf=vrf)
    address('192.0.2.1/29', vrf=vrf)
    response = api.post(url('prefixes', parent, 'available-ips'), {}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['address'] == '192.0.2.2/29'
    assert response.json()['vrf']['id'] == vrf.pk
    response = api.post(url('prefixes', parent, 'available-ips'),
                        [{'description': 'a', 'dns_name': 'a.example.com'}, {'status': 'reserved'}], format='json')
    assert response.status_code == 201, response.content
    rows = response.json()
    assert [row['address'] for row in rows] == ['192.0.2.3/29', '192.0.2.4/29']
    assert rows[0]['description'] == 'a' and rows[0]['dns_name'] == 'a.example.com'
    assert rows[1]['status']['value'] == 'reserved'
    response = api.post(url('prefixes', parent, 'available-ips'), [{}, {}, {}], format='json')
    assert response.status_code == 409
    assert response.json() == {'detail': 'Insufficient space is available to accommodate the requested IP address(es)'}
    assert IPAddress.objects.count() == 4  # all or nothing
    assert api.post(url('prefixes', parent, 'available-ips'), [{}, {}], format='json').status_code == 201
    assert api.post(url('prefixes', parent, 'available-ips'), {}, format='json').status_code == 409


def test_available_ips_post_validation_is_atomic(api):
    parent = prefix('192.0.2.0/24')
    response = api.post(url('prefixes', parent, 'available-ips'), [{}, {'status': 'nonsense'}], format='json')
    assert response.status_code == 400
    assert 'status' in str(response.json())
    assert not IPAddress.objects.exists()
    response = api.post(url('prefixes', parent, 'available-ips'), {'dns_name': 'bad name!'}, format='json')
    assert response.status_code == 400 and 'dns_name' in response.json()


@pytest.mark.parametrize('text, is_pool, expected', [
    ('192.0.2.0/30', False, ['192.0.2.1/30', '192.0.2.2/30']),
    ('192.0.2.0/30', True, ['192.0.2.0/30', '192.0.2.1/30', '192.0.2.2/30', '192.0.2.3/30']),
    ('192.0.2.0/31', False, ['192.0.2.0/31', '192.0.2.1/31']),
    ('192.0.2.7/32', False, ['192.0.2.7/32']),
    ('2001:db8::/126', False, ['2001:db8::1/126', '2001:db8::2/126', '2001:db8::3/126']),
    ('2001:db8::/126', True, ['2001:db8::/126', '2001:db8::1/126', '2001:db8::2/126', '2001:db8::3/126']),
    ('2001:db8::/127', False, ['2001:db8::/127', '2001:db8::1/127']),
])
def test_available_ips_rules(api, text, is_pool, expected):
    parent = prefix(text, is_pool=is_pool)
    rows = api.get(url('prefixes', parent, 'available-ips')).json()
    assert [row['address'] for row in rows] == expected
    assert {row['family'] for row in rows} == {parent.prefix.version}
    created = api.post(url('prefixes', parent, 'available-ips'), [{} for _ in expected], format='json')
    assert created.status_code == 201, created.content
    assert [row['address'] for row in created.json()] == expected
    assert api.post(url('prefixes', parent, 'available-ips'), {}, format='json').status_code == 409


def test_mark_utilized_and_populated_ranges(api):
    utilized = prefix('192.0.2.0/28', mark_utilized=True)
    assert api.get(url('prefixes', utilized, 'available-ips')).json() == []
    assert api.post(url('prefixes', utilized, 'available-ips'), {}, format='json').status_code == 409
    parent = prefix('198.51.100.0/29')
    IPRange.objects.create(start_address=netaddr.IPNetwork('198.51.100.1/29'),
                           end_address=netaddr.IPNetwork('198.51.100.4/29'), mark_populated=True)
    rows = api.get(url('prefixes', parent, 'available-ips')).json()
    assert [row['address'] for row in rows] == ['198.51.100.5/29', '198.51.100.6/29']
    response = api.post(url('prefixes', parent, 'available-ips'), {}, format='json')
    assert response.json()['address'] == '198.51.100.5/29'


# available-ips on IP ranges


def test_ip_range_available_ips(api):
    iprange = IPRange.objects.create(start_address=netaddr.IPNetwork('203.0.113.10/24'),
                                     end_address=netaddr.IPNetwork('203.0.113.13/24'))
    address('203.0.113.10/24')
    rows = api.get(url('ip-ranges', iprange, 'available-ips')).json()
    assert [row['address'] for row in rows] == ['203.0.113.11/24', '203.0.113.12/24', '203.0.113.13/24']
    response = api.post(url('ip-ranges', iprange, 'available-ips'), [{'description': 'x'}, {}], format='json')
    assert response.status_code == 201, response.content
    assert [row['address'] for row in response.json()] == ['203.0.113.11/24', '203.0.113.12/24']
    assert api.post(url('ip-ranges', iprange, 'available-ips'), [{}, {}], format='json').status_code == 409
    assert api.post(url('ip-ranges', iprange, 'available-ips'), {}, format='json').status_code == 201
    populated = IPRange.objects.create(start_address=netaddr.IPNetwork('203.0.113.100/24'),
                                       end_address=netaddr.IPNetwork('203.0.113.110/24'), mark_populated=True)
    assert api.get(url('ip-ranges', populated, 'available-ips')).json() == []
    response = api.post(url('ip-ranges', populated, 'available-ips'), {}, format='json')
    assert response.status_code == 409


# available-vlans


def test_available_vlans(api):
    group = VLANGroup.objects.create(name='g', slug='g', vid_ranges=[NumericRange(10, 14)])
    VLAN.objects.create(group=group, vid=10, name='ten')
    target = url('vlan-groups', group, 'available-vlans')
    rows = api.get(target).json()
    assert [row['vid'] for row in rows] == [11, 12, 13]
    assert rows[0]['group']['id'] == group.pk and rows[0]['group']['name'] == 'g'
    assert [row['vid'] for row in api.get(target, {'limit': 1}).json()] == [11]
    response = api.post(target, {'name': 'eleven', 'status': 'reserved'}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['vid'] == 11 and response.json()['group']['id'] == group.pk
    assert response.json()['status']['value'] == 'reserved'
    # A wanted VID is taken if free; the others get the next free ones.
    response = api.post(target, [{'name': 'a'}, {'name': 'b', 'vid': 12}], format='json')
    assert response.status_code == 201, response.content
    assert [row['vid'] for row in response.json()] == [13, 12]
    response = api.post(target, {'name': 'c'}, format='json')
    assert response.status_code == 409
    assert response.json() == {'detail': 'Insufficient space is available to accommodate the requested VLAN(s)'}


def test_available_vlans_errors(api):
    group = VLANGroup.objects.create(name='g', slug='g', vid_ranges=[NumericRange(10, 14)])
    VLAN.objects.create(group=group, vid=10, name='ten')
    target = url('vlan-groups', group, 'available-vlans')
    assert 'name' in api.post(target, {}, format='json').json()
    assert api.post(target, {'name': 'x', 'vid': 10}, format='json').status_code == 409
    response = api.post(target, {'name': 'x', 'vid': 99}, format='json')
    assert response.status_code == 400 and 'vid' in response.json()
    assert api.post(target, {'name': 'x', 'vid': 'abc'}, format='json').status_code == 400
    response = api.post(target, {'name': 'ten'}, format='json')  # the name is taken in the group
    assert response.status_code == 400
    assert VLAN.objects.count() == 1


# available-asns


def test_available_asns(api):
    rir = RIR.objects.create(name='R', slug='r')
    asn_range = ASNRange.objects.create(name='AR', slug='ar', rir=rir, start=65000, end=65003)
    ASN.objects.create(asn=65000, rir=rir)
    target = url('asn-ranges', asn_range, 'available-asns')
    rows = api.get(target).json()
    assert [row['asn'] for row in rows] == [65001, 65002, 65003]
    assert rows[0]['rir']['id'] == rir.pk
    response = api.post(target, {'description': 'next'}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['asn'] == 65001 and response.json()['rir']['id'] == rir.pk
    assert response.json()['description'] == 'next'
    response = api.post(target, [{}, {}], format='json')
    assert [row['asn'] for row in response.json()] == [65002, 65003]
    response = api.post(target, {}, format='json')
    assert response.status_code == 409
    assert response.json() == {'detail': 'Insufficient space is available to accommodate the requested ASN(s)'}


# Permissions


@pytest.fixture
def limited(plain_user):
    return client_for(plain_user, write_enabled=True)


def test_parent_not_visible_is_404(limited, plain_user):
    parent = prefix('10.9.0.0/24')
    assert limited.get(url('prefixes', parent, 'available-ips')).status_code == 403  # no view permission at all
    grant(plain_user, Prefix, ['view'], constraints={'description': 'mine'})
    grant(plain_user, IPAddress, ['add', 'view'])
    assert limited.get(url('prefixes', parent, 'available-ips')).status_code == 404
    assert limited.post(url('prefixes', parent, 'available-ips'), {}, format='json').status_code == 404
    assert limited.get('/api/ipam/prefixes/99999999/available-prefixes/').status_code == 404
    assert limited.get(f'/api/ipam/prefixes/{2 ** 64}/available-prefixes/').status_code == 404
    assert not IPAddress.objects.exists()


def test_no_add_permission_is_403(limited, plain_user):
    parent = prefix('10.9.0.0/24')
    grant(plain_user, Prefix, ['view'])
    assert limited.get(url('prefixes', parent, 'available-ips')).status_code == 200
    assert limited.post(url('prefixes', parent, 'available-ips'), {}, format='json').status_code == 403
    assert limited.post(url('prefixes', parent, 'available-prefixes'), {'prefix_length': 28},
                        format='json').status_code == 403
    assert not IPAddress.objects.exists() and Prefix.objects.count() == 1


def test_add_constraints_apply_to_what_is_created(limited, plain_user):
    parent = prefix('10.9.0.0/24')
    grant(plain_user, Prefix, ['view'])
    grant(plain_user, IPAddress, ['add', 'view'], constraints={'description': 'allowed'})
    target = url('prefixes', parent, 'available-ips')
    assert limited.post(target, {'description': 'other'}, format='json').status_code == 403
    assert limited.post(target, [{'description': 'allowed'}, {'description': 'other'}],
                        format='json').status_code == 403
    assert not IPAddress.objects.exists()
    response = limited.post(target, {'description': 'allowed'}, format='json')
    assert response.status_code == 201 and response.json()['address'] == '10.9.0.1/24'


def test_read_only_token_cannot_allocate(plain_user):
    parent = prefix('10.9.0.0/24')
    grant(plain_user, Prefix, ['view'])
    grant(plain_user, IPAddress, ['add'])
    client = client_for(plain_user, write_enabled=False)
    assert client.post(url('prefixes', parent, 'available-ips'), {}, format='json').status_code == 403


def test_schema_describes_the_routes():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ('/api/ipam/prefixes/{id}/available-prefixes/', '/api/ipam/prefixes/{id}/available-ips/',
                 '/api/ipam/ip-ranges/{id}/available-ips/', '/api/ipam/vlan-groups/{id}/available-vlans/',
                 '/api/ipam/asn-ranges/{id}/available-asns/'):
        assert set(schema['paths'][path]) == {'get', 'post'}, path
        post = schema['paths'][path]['post']
        assert {'201', '400', '403', '404', '409'} <= set(post['responses'])
        get = schema['paths'][path]['get']
        assert get['responses']['200']['content']['application/json']['schema']['type'] == 'array'


def test_form_encoded_body(api):
    parent = prefix('192.0.2.0/29')
    response = api.post(url('prefixes', parent, 'available-ips'), {'description': 'form'})  # multipart
    assert response.status_code == 201, response.content
    assert response.json()['description'] == 'form' and response.json()['address'] == '192.0.2.1/29'
