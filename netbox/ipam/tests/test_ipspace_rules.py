"""The address space rules, each a 400 naming the field: uniqueness, bounds, host bits, ranges, NAT loops."""
import pytest

from ipam.models import RIR, VRF, Aggregate, IPAddress, IPRange, Prefix
from netbox.dynamic_config import get_config

pytestmark = pytest.mark.django_db


def refused(response, field):
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    return response.json()[field]


def post(api, path, **data):
    return api.post(path, data, format='json')


def test_duplicate_prefix_in_the_global_table_and_in_a_unique_vrf(api):
    Prefix.objects.create(prefix='10.0.0.0/8')
    assert 'Duplicate prefix' in refused(post(api, '/api/ipam/prefixes/', prefix='10.0.0.0/8'), 'prefix')[0]
    strict = VRF.objects.create(name='strict', enforce_unique=True)
    loose = VRF.objects.create(name='loose', enforce_unique=False)
    assert post(api, '/api/ipam/prefixes/', prefix='10.0.0.0/8', vrf=strict.pk).status_code == 201
    refused(post(api, '/api/ipam/prefixes/', prefix='10.0.0.0/8', vrf=strict.pk), 'prefix')
    assert post(api, '/api/ipam/prefixes/', prefix='10.0.0.0/8', vrf=loose.pk).status_code == 201
    assert post(api, '/api/ipam/prefixes/', prefix='10.0.0.0/8', vrf=loose.pk).status_code == 201


def test_global_duplicates_allowed_when_enforce_global_unique_is_off(api):
    config = get_config()
    config.overrides['ENFORCE_GLOBAL_UNIQUE'] = False
    try:
        IPAddress.objects.create(address='192.0.2.1/24')
        assert post(api, '/api/ipam/ip-addresses/', address='192.0.2.1/24').status_code == 201
        Prefix.objects.create(prefix='10.0.0.0/8')
        assert post(api, '/api/ipam/prefixes/', prefix='10.0.0.0/8').status_code == 201
    finally:
        config.overrides.pop('ENFORCE_GLOBAL_UNIQUE', None)


def test_duplicate_address_ignores_the_mask_but_shared_roles_may_repeat(api):
    IPAddress.objects.create(address='192.0.2.1/24')
    assert 'Duplicate IP address' in refused(post(api, '/api/ipam/ip-addresses/', address='192.0.2.1/25'),
                                             'address')[0]
    for _ in range(2):
        assert post(api, '/api/ipam/ip-addresses/', address='192.0.2.9/24', role='vip').status_code == 201
    red = VRF.objects.create(name='red')
    assert post(api, '/api/ipam/ip-addresses/', address='192.0.2.1/24', vrf=red.pk).status_code == 201
    refused(post(api, '/api/ipam/ip-addresses/', address='192.0.2.1/24', vrf=red.pk), 'address')


@pytest.mark.parametrize('path,field,value', [
    ('/api/ipam/prefixes/', 'prefix', '0.0.0.0/0'),
    ('/api/ipam/prefixes/', 'prefix', '10.0.0.0/33'),
    ('/api/ipam/prefixes/', 'prefix', '2001:db8::/129'),
    ('/api/ipam/prefixes/', 'prefix', '10.1.2.3/16'),
    ('/api/ipam/prefixes/', 'prefix', '2001:db8::1/64'),
    ('/api/ipam/ip-addresses/', 'address', '10.0.0.1/0'),
    ('/api/ipam/ip-addresses/', 'address', '256.0.0.1/24'),
    ('/api/ipam/ip-addresses/', 'address', '2001:db8::g/64'),
])
def test_bounds_host_bits_and_zero_masks(api, path, field, value):
    refused(post(api, path, **{field: value}), field)


def test_aggregates_cannot_overlap(api):
    rir = RIR.objects.create(name='R', slug='r')
    Aggregate.objects.create(prefix='10.0.0.0/8', rir=rir)
    refused(post(api, '/api/ipam/aggregates/', prefix='10.1.0.0/16', rir=rir.pk), 'prefix')
    refused(post(api, '/api/ipam/aggregates/', prefix='8.0.0.0/6', rir=rir.pk), 'prefix')
    assert post(api, '/api/ipam/aggregates/', prefix='172.16.0.0/12', rir=rir.pk).status_code == 201


@pytest.mark.parametrize('start,end', [
    ('192.0.2.10/24', '2001:db8::1/64'),     # families differ
    ('192.0.2.10/24', '192.0.2.20/25'),      # masks differ
    ('192.0.2.20/24', '192.0.2.10/24'),      # start after end
    ('192.0.2.10/24', '192.0.2.10/24'),      # start equal to end
])
def test_bad_ranges(api, start, end):
    refused(post(api, '/api/ipam/ip-ranges/', start_address=start, end_address=end), 'end_address')


def test_ranges_cannot_overlap_in_a_vrf(api):
    IPRange.objects.create(start_address='192.0.2.10/24', end_address='192.0.2.20/24')
    refused(post(api, '/api/ipam/ip-ranges/', start_address='192.0.2.20/24', end_address='192.0.2.30/24'),
            'start_address')
    refused(post(api, '/api/ipam/ip-ranges/', start_address='192.0.2.1/24', end_address='192.0.2.100/24'),
            'start_address')
    assert post(api, '/api/ipam/ip-ranges/', start_address='192.0.2.21/24',
                end_address='192.0.2.30/24').status_code == 201
    red = VRF.objects.create(name='red')
    response = post(api, '/api/ipam/ip-ranges/', start_address='192.0.2.10/24', end_address='192.0.2.20/24',
                    vrf=red.pk)
    assert response.status_code == 201
    assert response.json()['size'] == 11 and response.json()['family'] == {'value': 4, 'label': 'IPv4'}


def test_no_address_inside_a_populated_range(api):
    IPRange.objects.create(start_address='192.0.2.10/24', end_address='192.0.2.20/24', mark_populated=True)
    assert 'populated' in refused(post(api, '/api/ipam/ip-addresses/', address='192.0.2.15/24'), 'address')[0]
    assert post(api, '/api/ipam/ip-addresses/', address='192.0.2.21/24').status_code == 201
    red = VRF.objects.create(name='red')
    assert post(api, '/api/ipam/ip-addresses/', address='192.0.2.15/24', vrf=red.pk).status_code == 201


def test_nat_loops_are_refused(api):
    a = IPAddress.objects.create(address='192.0.2.1/24')
    b = IPAddress.objects.create(address='192.0.2.2/24', nat_inside=a)
    c = IPAddress.objects.create(address='192.0.2.3/24', nat_inside=b)
    refused(api.patch(f'/api/ipam/ip-addresses/{a.pk}/', {'nat_inside': a.pk}, format='json'), 'nat_inside')
    refused(api.patch(f'/api/ipam/ip-addresses/{a.pk}/', {'nat_inside': c.pk}, format='json'), 'nat_inside')
    assert api.patch(f'/api/ipam/ip-addresses/{c.pk}/', {'nat_inside': a.pk}, format='json').status_code == 200
    assert [row['id'] for row in api.get(f'/api/ipam/ip-addresses/{a.pk}/').json()['nat_outside']] == sorted(
        [b.pk, c.pk])


def test_ui_form_refuses_a_duplicate_naming_the_field(client, superuser):
    Prefix.objects.create(prefix='10.0.0.0/8')
    client.force_login(superuser)
    response = client.post('/ipam/prefixes/add/', {'prefix': '10.0.0.0/8', 'status': 'active'})
    assert response.status_code == 200
    assert b'Duplicate prefix' in response.content
    assert Prefix.objects.count() == 1


def test_assignment_needs_an_existing_object_of_an_allowed_type(api):
    from dcim.models import Interface
    from netbox.testing import make

    interface = make(Interface)
    ok = post(api, '/api/ipam/ip-addresses/', address='192.0.2.1/24', assigned_object_type='dcim.interface',
              assigned_object_id=interface.pk)
    assert ok.status_code == 201, ok.content
    assert ok.json()['assigned_object']['id'] == interface.pk
    refused(post(api, '/api/ipam/ip-addresses/', address='192.0.2.2/24', assigned_object_type='dcim.interface',
                 assigned_object_id=999999), 'assigned_object_id')
    refused(post(api, '/api/ipam/ip-addresses/', address='192.0.2.3/24', assigned_object_type='tenancy.tenant',
                 assigned_object_id=1), 'assigned_object_type')
    refused(post(api, '/api/ipam/ip-addresses/', address='192.0.2.4/24', assigned_object_type='dcim.interface'),
            'assigned_object_id')
    refused(post(api, '/api/ipam/ip-addresses/', address='192.0.2.0/24', assigned_object_type='dcim.interface',
                 assigned_object_id=interface.pk), 'address')
