"""
Bulk REST writes (list bodies) are validated object by object but written set-wise (netbox.bulk): the number of
queries does not grow with the number of objects, the change log and the side effects are those of one-by-one
writes, and one bad object leaves nothing written.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ObjectChange
from dcim.models import Cable, Device, DeviceType, Interface, InterfaceTemplate, Site
from extras.models import Tag
from ipam.models import VLAN, IPAddress, Prefix
from netbox.changelog import serialize_object
from netbox.testing import client_for, grant, make

pytestmark = pytest.mark.django_db

SITES = '/api/dcim/sites/'
INTERFACES = '/api/dcim/interfaces/'
ADDRESSES = '/api/ipam/ip-addresses/'
PREFIXES = '/api/ipam/prefixes/'
# Fields whose values differ between two writes of the same data (row IDs, timestamps).
VOLATILE = {'id', 'created', 'last_updated'}


def queries_of(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    return response, [query['sql'] for query in captured.captured_queries]


def sites_body(prefix, count, **extra):
    return [{'name': f'{prefix}{n}', 'slug': f'{prefix}{n}', 'status': 'active', **extra} for n in range(count)]


@pytest.fixture
def devices():
    return [make(Device, name=f'bulk-dev-{n}') for n in range(3)]


def interfaces_body(devices, prefix, count):
    return [{'device': devices[n % len(devices)].pk, 'name': f'{prefix}{n}', 'type': '1000base-t'}
            for n in range(count)]


def addresses_body(second_octet, count):
    return [{'address': f'10.{second_octet}.{n // 200}.{n % 200 + 1}/24', 'status': 'active'} for n in range(count)]


# Query counts do not grow with the number of objects

@pytest.mark.parametrize('kind', ['sites', 'interfaces', 'addresses'])
def test_bulk_create_query_count_is_constant(api, devices, kind):
    bodies = {
        'sites': lambda tag, count: (SITES, sites_body(f's{tag}-', count)),
        'interfaces': lambda tag, count: (INTERFACES, interfaces_body(devices, f'e{tag}-', count)),
        'addresses': lambda tag, count: (ADDRESSES, addresses_body(tag, count)),
    }
    url, body = bodies[kind](0, 1)
    assert api.post(url, body, format='json').status_code == 201  # warm caches (token use, content types)
    counts = {}
    for tag, count in ((1, 10), (2, 100)):
        url, body = bodies[kind](tag, count)
        response, queries = queries_of(lambda url=url, body=body: api.post(url, body, format='json'))
        assert response.status_code == 201, response.content
        assert len(response.data) == count
        counts[count] = len(queries)
        inserts = [sql for sql in queries if sql.startswith('INSERT')]
        # The objects, their change-log records, and their values in the global search index.
        assert len(inserts) == 3, inserts
    assert counts[100] == counts[10], counts


@pytest.fixture(autouse=True)
def event_rules_read():
    """The enabled event rules are read once per process (then cached): read them before counting queries."""
    from extras.events import enabled_rules

    enabled_rules()


def test_bulk_update_and_delete_query_counts_are_constant(api):
    tag = Tag.objects.create(name='Bulk', slug='bulk')
    counts = {}
    for prefix, count in (('u', 10), ('v', 100)):
        ids = [row['id'] for row in api.post(SITES, sites_body(prefix, count), format='json').data]
        body = [{'id': pk, 'description': 'changed', 'tags': [tag.pk]} for pk in ids]
        response, patch = queries_of(lambda body=body: api.patch(SITES, body, format='json'))
        assert response.status_code == 200, response.content
        assert all(row['description'] == 'changed' and row['tags'][0]['id'] == tag.pk for row in response.data)
        response, delete = queries_of(lambda ids=ids: api.delete(SITES, [{'id': pk} for pk in ids], format='json'))
        assert response.status_code == 204, response.content
        assert not Site.objects.filter(pk__in=ids).exists()
        counts[count] = (len(patch), len(delete))
    assert counts[100] == counts[10], counts


def test_bulk_interface_update_and_delete_query_counts_are_constant(api, devices):
    counts = {}
    for prefix, count in (('k', 10), ('l', 100)):
        ids = [row['id'] for row in api.post(INTERFACES, interfaces_body(devices, prefix, count), format='json').data]
        body = [{'id': pk, 'enabled': False, 'mtu': 1500} for pk in ids]
        response, patch = queries_of(lambda body=body: api.patch(INTERFACES, body, format='json'))
        assert response.status_code == 200, response.content
        before = ObjectChange.objects.count()
        body = [{'id': pk} for pk in ids]
        response, delete = queries_of(lambda body=body: api.delete(INTERFACES, body, format='json'))
        assert response.status_code == 204, response.content
        records = ObjectChange.objects.order_by('-pk')[:count]
        assert ObjectChange.objects.count() == before + count
        assert {(r.action, r.related_object_id in {d.pk for d in devices}) for r in records} == {('delete', True)}
        counts[count] = (len(patch), len(delete))
    assert counts[100] == counts[10], counts


def test_device_from_type_inserts_each_component_kind_once(api):
    device_type = make(DeviceType)
    InterfaceTemplate.objects.bulk_create([InterfaceTemplate(device_type=device_type, name=f'eth{n}',
                                                             type='1000base-t') for n in range(48)])
    site, role = make(Site), make(Device).role
    body = {'name': 'from-type', 'site': site.pk, 'role': role.pk, 'device_type': device_type.pk}
    response, queries = queries_of(lambda: api.post('/api/dcim/devices/', body, format='json'))
    assert response.status_code == 201, response.content
    assert Interface.objects.filter(device_id=response.data['id']).count() == 48
    assert len([sql for sql in queries if sql.startswith('INSERT INTO "dcim_interface"')]) == 1
    assert len([sql for sql in queries if sql.startswith('INSERT INTO "core_objectchange"')]) == 2


# The change log matches one-by-one writes

def _records(exclude_ids=()):
    records = ObjectChange.objects.exclude(pk__in=exclude_ids).order_by('pk')
    return [_comparable(record) for record in records]


def _comparable(record):
    def strip(data):
        return None if data is None else {key: value for key, value in data.items() if key not in VOLATILE}

    return (record.action, record.changed_object_type.model, record.object_repr, record.user_name,
            record.related_object_type_id, record.related_object_id, strip(record.prechange_data),
            strip(record.postchange_data))


@pytest.mark.parametrize('kind', ['sites', 'interfaces', 'addresses'])
def test_bulk_create_change_log_equals_one_by_one(api, devices, kind):
    tags = [Tag.objects.create(name='Red', slug='red'), Tag.objects.create(name='Blue', slug='blue')]
    bodies = {'sites': (SITES, Site, sites_body('c', 4, description='x')),
              'interfaces': (INTERFACES, Interface, interfaces_body(devices, 'c', 4)),
              'addresses': (ADDRESSES, IPAddress, addresses_body(7, 4))}
    url, model, body = bodies[kind]
    body[0]['tags'] = [tags[0].pk, tags[1].pk]
    body[1]['tags'] = [{'name': 'Blue'}]
    before = list(ObjectChange.objects.values_list('pk', flat=True))

    for item in body:
        assert api.post(url, item, format='json').status_code == 201
    one_by_one = _records(exclude_ids=before)
    requests = set(ObjectChange.objects.exclude(pk__in=before).values_list('request_id', flat=True))
    assert len(one_by_one) == 4 and len(requests) == 4
    model.objects.filter(pk__in=ObjectChange.objects.exclude(pk__in=before).values('changed_object_id')).delete()
    before = list(ObjectChange.objects.values_list('pk', flat=True))

    response = api.post(url, body, format='json')
    assert response.status_code == 201, response.content
    in_bulk = _records(exclude_ids=before)
    assert len(set(ObjectChange.objects.exclude(pk__in=before).values_list('request_id', flat=True))) == 1
    assert in_bulk == one_by_one
    assert in_bulk[0][-1]['tags'] == ['Blue', 'Red'] and in_bulk[1][-1]['tags'] == ['Blue']


def test_bulk_update_change_log_records_states_before_and_after(api, devices):
    tag = Tag.objects.create(name='Green', slug='green')
    interfaces = [Interface.objects.create(device=devices[0], name=f'u{n}', type='1000base-t') for n in range(3)]
    interfaces[2].tags.set([tag])
    stored = {obj.pk: serialize_object(Interface.objects.get(pk=obj.pk)) for obj in interfaces}
    stamp = Interface.objects.get(pk=interfaces[2].pk).last_updated
    before = list(ObjectChange.objects.values_list('pk', flat=True))
    body = [{'id': interfaces[0].pk, 'description': 'first', 'mtu': 9000},
            {'id': interfaces[1].pk, 'tags': [tag.pk]},   # relations only
            {'id': interfaces[2].pk, 'tags': [tag.pk]}]   # no change at all
    response = api.patch(INTERFACES, body, format='json')
    assert response.status_code == 200, response.content
    records = {record.changed_object_id: record for record in ObjectChange.objects.exclude(pk__in=before)}
    assert set(records) == {interfaces[0].pk, interfaces[1].pk}
    for pk, record in records.items():
        assert record.action == 'update' and record.related_object_id == devices[0].pk
        assert record.prechange_data == stored[pk]
        assert record.postchange_data == serialize_object(Interface.objects.get(pk=pk))
    assert records[interfaces[0].pk].postchange_data['mtu'] == 9000
    assert records[interfaces[1].pk].postchange_data['tags'] == ['Green']
    assert Interface.objects.get(pk=interfaces[2].pk).last_updated == stamp  # not saved
    assert Interface.objects.get(pk=interfaces[0].pk).last_updated > stamp


def test_bulk_delete_logs_every_object_and_its_cascade(api, devices):
    for n in range(2):
        Interface.objects.create(device=devices[0], name=f'd{n}', type='1000base-t')
    stored = serialize_object(Device.objects.get(pk=devices[0].pk))
    before = list(ObjectChange.objects.values_list('pk', flat=True))
    response = api.delete('/api/dcim/devices/', [{'id': devices[0].pk}, {'id': devices[1].pk}], format='json')
    assert response.status_code == 204, response.content
    records = ObjectChange.objects.exclude(pk__in=before)
    assert {(r.changed_object_type.model, r.action) for r in records} == {('device', 'delete'),
                                                                            ('interface', 'delete')}
    assert records.filter(changed_object_type__model='interface').count() == 2
    assert records.get(changed_object_id=devices[0].pk, changed_object_type__model='device').prechange_data == stored


# All or nothing, and errors by index and field

def test_bulk_patch_writes_every_kind_of_column_like_single_patches(api, devices):
    from django.contrib.contenttypes.models import ContentType

    from extras.models import CustomField
    from ipam.models import VRF
    from tenancy.models import Tenant

    field = CustomField.objects.create(name='level', type='text')
    field.object_types.set([ContentType.objects.get_for_model(Site), ContentType.objects.get_for_model(IPAddress)])
    tenant, vrf = make(Tenant), VRF.objects.create(name='blue', enforce_unique=False)
    interface = Interface.objects.create(device=devices[0], name='col0', type='1000base-t')
    changes = {
        SITES: {'latitude': '12.345678', 'time_zone': 'Europe/Paris', 'tenant': tenant.pk, 'status': 'planned',
                'custom_fields': {'level': 'gold'}, 'facility': 'F' * 50},
        ADDRESSES: {'address': '10.77.0.9/16', 'vrf': vrf.pk, 'dns_name': 'a.example.com', 'role': 'vip',
                    'assigned_object_type': 'dcim.interface', 'assigned_object_id': interface.pk,
                    'custom_fields': {'level': 'iron'}},
    }
    for url, change in changes.items():
        body = sites_body('col', 4) if url == SITES else addresses_body(77, 4)
        ids = [row['id'] for row in api.post(url, body, format='json').data]
        for pk in ids[:2]:
            assert api.patch(f'{url}{pk}/', change, format='json').status_code == 200
        single = [api.get(f'{url}{pk}/').data for pk in ids[:2]]
        response = api.patch(url, [{'id': pk, **change} for pk in ids[2:]], format='json')
        assert response.status_code == 200, response.content
        bulk = [api.get(f'{url}{pk}/').data for pk in ids[2:]]
        for one, many in zip(single, bulk, strict=True):
            for name in change:
                assert one[name] == many[name], name
    response = api.patch(SITES, [{'id': Site.objects.first().pk, 'facility': 'F' * 51}], format='json')
    assert response.status_code == 400 and response.data['errors'][0]['errors'].keys() == {'facility'}


def test_bad_item_writes_nothing_and_is_named(api, devices):
    make(Site, name='taken', slug='taken')
    before = (Site.objects.count(), ObjectChange.objects.count())
    body = sites_body('ok', 3)
    body[1]['name'] = 'taken'
    body[2]['slug'] = body[0]['slug']  # a clash within the list
    response = api.post(SITES, body, format='json')
    assert response.status_code == 400
    assert response.data['detail'] == '2 of 3 objects could not be created.'
    assert [(entry['index'], set(entry['errors'])) for entry in response.data['errors']] == [(1, {'name'}),
                                                                                              (2, {'slug'})]
    assert (Site.objects.count(), ObjectChange.objects.count()) == before

    body = interfaces_body(devices, 'x', 3) + [{'device': devices[0].pk, 'name': 'x0', 'type': '1000base-t'}]
    body[1]['type'] = 'no-such-type'
    response = api.post(INTERFACES, body, format='json')
    assert response.status_code == 400
    assert [(entry['index'], set(entry['errors'])) for entry in response.data['errors']] == [(1, {'type'}),
                                                                                              (3, {'name'})]
    assert not Interface.objects.filter(name__startswith='x').exists()

    body = addresses_body(9, 3) + [{'address': '10.9.0.1/16'}]  # the same address as item 0, another mask
    response = api.post(ADDRESSES, body, format='json')
    assert response.status_code == 400
    assert response.data['errors'] == [{'index': 3, 'errors': {
        'address': ['Duplicate IP address found in the global table: 10.9.0.1/24']}}]
    assert not IPAddress.objects.exists()


def test_address_rules_are_checked_set_wise(api, devices):
    from ipam.models import VRF, IPRange

    interface = Interface.objects.create(device=devices[0], name='ip0', type='1000base-t')
    IPRange.objects.create(start_address='10.8.0.100/24', end_address='10.8.0.120/24', mark_populated=True)
    loose = VRF.objects.create(name='loose', enforce_unique=False)
    IPAddress.objects.create(address='10.8.0.5/24')
    body = [{'address': '10.8.0.1/24', 'assigned_object_type': 'dcim.interface', 'assigned_object_id': interface.pk},
            {'address': '10.8.0.2/24', 'assigned_object_type': 'dcim.interface', 'assigned_object_id': 999999},
            {'address': '10.8.0.110/24'},
            {'address': '10.8.0.5/32'},
            {'address': '10.8.0.5/24', 'vrf': loose.pk},
            {'address': '10.8.0.5/24', 'vrf': loose.pk},
            {'address': '10.8.0.6/24', 'role': 'anycast'},
            {'address': '10.8.0.6/24', 'role': 'anycast'}]
    response = api.post(ADDRESSES, body, format='json')
    assert response.status_code == 400
    assert response.data['errors'] == [
        {'index': 1, 'errors': {'assigned_object_id': ['No interface with ID 999999.']}},
        {'index': 2, 'errors': {'address': ['Cannot create IP address 10.8.0.110/24 inside range '
                                            '10.8.0.100-10.8.0.120/24, which is marked populated.']}},
        {'index': 3, 'errors': {'address': ['Duplicate IP address found in the global table: 10.8.0.5/24']}}]
    del body[1:4]
    response = api.post(ADDRESSES, body, format='json')
    assert response.status_code == 201, response.content
    assert IPAddress.objects.get(pk=response.data[0]['id']).assigned_object == interface


def test_bad_update_writes_nothing(api):
    ids = [row['id'] for row in api.post(SITES, sites_body('w', 3), format='json').data]
    body = [{'id': ids[0], 'description': 'changed'}, {'id': ids[1], 'name': 'w2'}, {'id': ids[2], 'status': 'x'}]
    response = api.patch(SITES, body, format='json')
    assert response.status_code == 400
    assert [(entry['index'], set(entry['errors'])) for entry in response.data['errors']] == [(1, {'name'}),
                                                                                              (2, {'status'})]
    assert Site.objects.get(pk=ids[0]).description == ''
    response = api.patch(SITES, [{'id': ids[0], 'name': 'a'}, {'id': ids[0], 'name': 'b'}], format='json')
    assert response.status_code == 400 and 'repeats' in str(response.data)


def test_permission_constraints_are_checked_for_the_whole_set(plain_user):
    grant(plain_user, Site, ['add', 'view'], constraints={'status': 'active'})
    client = client_for(plain_user)
    body = sites_body('p', 3)
    body[2]['status'] = 'planned'
    changes = ObjectChange.objects.count()
    response = client.post(SITES, body, format='json')
    assert response.status_code == 403
    assert not Site.objects.filter(name__startswith='p').exists()
    assert ObjectChange.objects.count() == changes
    body[2]['status'] = 'active'
    assert client.post(SITES, body, format='json').status_code == 201


# Side effects of the domain still happen

def test_prefix_hierarchy_follows_bulk_writes(api):
    parent = Prefix.objects.create(prefix='10.50.0.0/16')
    response = api.post(PREFIXES, [{'prefix': f'10.50.{n}.0/24'} for n in range(5)] + [{'prefix': '10.50.0.0/20'}],
                        format='json')
    assert response.status_code == 201, response.content
    parent.refresh_from_db()
    assert parent._children == 6
    by_prefix = {row['prefix']: row for row in response.data}
    assert by_prefix['10.50.1.0/24']['_depth'] == 2 and by_prefix['10.50.0.0/20']['children'] == 5
    ids = [row['id'] for row in response.data[:3]]
    assert api.delete(PREFIXES, [{'id': pk} for pk in ids], format='json').status_code == 204
    parent.refresh_from_db()
    assert parent._children == 3
    assert Prefix.objects.get(prefix='10.50.0.0/20')._children == 2
    response = api.patch(PREFIXES, [{'id': parent.pk, 'prefix': '10.60.0.0/16'}], format='json')
    assert response.status_code == 200, response.content
    assert Prefix.objects.get(prefix='10.50.0.0/20')._depth == 0


def test_bulk_cable_delete_frees_ends_and_paths(api, devices):
    pairs = []
    for n in range(3):
        a = Interface.objects.create(device=devices[0], name=f'c{n}', type='1000base-t')
        b = Interface.objects.create(device=devices[1], name=f'c{n}', type='1000base-t')
        cable = Cable(a_terminations=[a], b_terminations=[b])
        cable.save()
        pairs.append((cable, a, b))
    assert Interface.objects.get(pk=pairs[0][1].pk).connected_endpoints
    response = api.delete('/api/dcim/cables/', [{'id': cable.pk} for cable, _, _ in pairs], format='json')
    assert response.status_code == 204, response.content
    for _, a, b in pairs:
        for end in (a, b):
            end = Interface.objects.get(pk=end.pk)
            assert end.cable_id is None and end.cable_end is None and end._path_id is None


def test_interface_mode_rules_hold_in_bulk(api, devices):
    vlan = make(VLAN, vid=100, name='v100')
    interface = Interface.objects.create(device=devices[0], name='m0', type='1000base-t', mode='tagged',
                                         untagged_vlan=vlan)
    interface.tagged_vlans.set([vlan])
    response = api.patch(INTERFACES, [{'id': interface.pk, 'mode': ''}], format='json')
    assert response.status_code == 200, response.content
    interface.refresh_from_db()
    assert interface.untagged_vlan_id is None and not interface.tagged_vlans.exists()
    record = ObjectChange.objects.filter(changed_object_id=interface.pk, action='update').latest('pk')
    assert record.postchange_data['tagged_vlans'] == [] and record.prechange_data['tagged_vlans'] == [vlan.pk]


def test_bulk_created_devices_get_their_components(api):
    device_type = make(DeviceType)
    InterfaceTemplate.objects.create(device_type=device_type, name='mgmt', type='1000base-t')
    site, role = make(Site), make(Device).role
    body = [{'name': f'bd{n}', 'site': site.pk, 'role': role.pk, 'device_type': device_type.pk} for n in range(3)]
    response = api.post('/api/dcim/devices/', body, format='json')
    assert response.status_code == 201, response.content
    assert Interface.objects.filter(device__name__startswith='bd', name='mgmt').count() == 3
