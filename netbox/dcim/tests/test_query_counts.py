"""
The device and interface lists run the same number of queries for 10 objects as for 500: every relation, nested
object, tag, custom field, counter and cable detail shown is fetched in bulk, never row by row.
"""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dcim.models import (
    Cable,
    Device,
    DeviceBay,
    DeviceRole,
    DeviceType,
    Interface,
    MACAddress,
    Platform,
    Rack,
    Site,
    VirtualChassis,
)
from extras.models import CustomField, Tag, TaggedItem
from netbox.testing import make
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db
FEW, MANY = 10, 500


# Per-request bookkeeping, not per-row work: re-reading the configuration revision when the Redis cache was emptied
# (another test process sharing the Redis database may flush it) and the token's once-a-minute last_used update.
BOOKKEEPING = ('FROM "core_configrevision"', 'UPDATE "users_token"')


def queries_for(api, path, **params):
    """(rows, SQL of the queries) of one list request, measured right after an identical one so that per-process
    caches are warm; bookkeeping queries are left out."""
    api.get(path, {'limit': 1000, **params})
    with CaptureQueriesContext(connection) as context:
        response = api.get(path, {'limit': 1000, **params})
    assert response.status_code == 200, response.content
    queries = [query['sql'] for query in context.captured_queries]
    return response.json()['count'], [sql for sql in queries if not any(mark in sql for mark in BOOKKEEPING)]


def assert_same_queries(few, many):
    """The same number of queries; on failure, the tables each list read, to show what differs."""
    def tables(queries):
        return [sql.split(' FROM ')[1][:50] if ' FROM ' in sql else sql[:50] for sql in queries]

    assert len(many) == len(few), f'small list: {tables(few)}; large list: {tables(many)}'


class DeviceFactory:
    """Devices in bulk (no save() per device: these devices need no components), each with a tenant, a rack, a
    platform, two tags and a custom field value. One in five is installed in a bay of a chassis (parent_device); one
    in five is an unnamed member of a virtual chassis (shown by the chassis name and its position)."""

    def __init__(self):
        self.site = make(Site)
        self.rack = make(Rack, site=self.site)
        self.role = make(DeviceRole)
        self.device_type = make(DeviceType)
        self.platform = make(Platform)
        self.tags = [make(Tag, name=f'tag-{n}', slug=f'tag-{n}') for n in range(2)]
        field = CustomField.objects.create(name='asset_owner', type='text')
        field.object_types.set([ContentType.objects.get_for_model(Device)])
        self.chassis = make(Device, site=self.site, device_type=make(DeviceType, subdevice_role='parent'))
        self.stack = make(VirtualChassis, name='stack', master=None)
        self.made = 0

    def create(self, count):
        tenants = Tenant.objects.bulk_create(
            [Tenant(name=f'tenant-{self.made + n}', slug=f'tenant-{self.made + n}') for n in range(count)])
        devices = Device.objects.bulk_create([
            Device(site=self.site, rack=self.rack, role=self.role, device_type=self.device_type,
                   platform=self.platform, tenant=tenant, custom_field_data={'asset_owner': f'owner-{n}'},
                   **self._name_or_stack_position(self.made + n))
            for n, tenant in enumerate(tenants)])
        device_type = ContentType.objects.get_for_model(Device)
        TaggedItem.objects.bulk_create([TaggedItem(tag=tag, content_type=device_type, object_id=device.pk)
                                        for device in devices for tag in self.tags])
        DeviceBay.objects.bulk_create([DeviceBay(device=self.chassis, name=f'bay-{child.pk}', installed_device=child)
                                       for child in devices[::5]])
        self.made += count
        return devices

    def _name_or_stack_position(self, number):
        if number % 5 != 1:
            return {'name': f'device-{number}'}
        return {'name': None, 'virtual_chassis': self.stack, 'vc_position': number}


@pytest.mark.parametrize('brief', [False, True], ids=['full', 'brief'])
def test_device_list_query_count_does_not_grow(api, brief):
    factory = DeviceFactory()
    path, params = '/api/dcim/devices/', {'brief': 1} if brief else {}
    factory.create(FEW)
    few = queries_for(api, path, **params)
    factory.create(MANY - FEW)
    many = queries_for(api, path, **params)
    assert (few[0], many[0]) == (FEW + 1, MANY + 1)  # and the chassis
    assert_same_queries(few[1], many[1])


class InterfaceFactory:
    """Interfaces on several devices: per device a LAG, members of it, subinterfaces (parent) and bridged ports;
    a primary MAC address on every member, and a cable from the first member to an uplink port (on named devices
    only, unless cable_unnamed)."""

    PER_DEVICE = 10

    def __init__(self, cable_unnamed=False):
        self.devices = DeviceFactory()
        self.cable_unnamed = cable_unnamed
        self.made = 0

    def create(self, count):
        interfaces = []
        for device in self.devices.create(max(1, count // self.PER_DEVICE)):
            interfaces += self._on_device(device, min(self.PER_DEVICE, count - len(interfaces)))
            if len(interfaces) >= count:
                break
        self.made += len(interfaces)
        return interfaces

    def _on_device(self, device, count):
        lag = Interface.objects.create(device=device, name='bond0', type='lag')
        members = Interface.objects.bulk_create([
            Interface(device=device, name=f'eth{n}', type='1000base-t', lag=lag) for n in range((count - 1) // 2)])
        macs = MACAddress.objects.bulk_create([
            MACAddress(mac_address=f'02:00:00:{device.pk % 256:02X}:{n // 256:02X}:{n % 256:02X}')
            for n in range(len(members))])
        for member, mac in zip(members, macs, strict=True):
            member.primary_mac_address = mac
        Interface.objects.bulk_update(members, ['primary_mac_address'])
        others = Interface.objects.bulk_create([
            Interface(device=device, name=f'{members[n % len(members)].name}.{n}', type='virtual',
                      parent=members[n % len(members)], bridge=lag)
            for n in range(count - 1 - len(members))]) if members else []
        if members and (device.name or self.cable_unnamed):
            uplink = Interface.objects.create(device=device, name='uplink', type='1000base-t')
            Cable(a_terminations=members[:1], b_terminations=[uplink]).save()
            others.append(uplink)
        return [lag, *members, *others]


def interface_list_queries(api, factory, params):
    path = '/api/dcim/interfaces/'
    factory.create(FEW)
    few = queries_for(api, path, **params)
    factory.create(MANY - FEW)
    many = queries_for(api, path, **params)
    assert many[0] >= MANY > few[0]
    return few[1], many[1]


@pytest.mark.parametrize('brief', [False, True], ids=['full', 'brief'])
def test_interface_list_query_count_does_not_grow(api, brief):
    assert_same_queries(*interface_list_queries(api, InterfaceFactory(), {'brief': 1} if brief else {}))


def test_interface_list_with_cables_on_unnamed_stack_members(api):
    assert_same_queries(*interface_list_queries(api, InterfaceFactory(cable_unnamed=True), {}))
