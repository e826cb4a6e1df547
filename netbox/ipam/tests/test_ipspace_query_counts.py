"""
The prefix, IP range, aggregate and IP address lists (API and UI) run the same number of queries for 10 objects as
for 500: relations, tags, assigned objects, NAT addresses and utilisation are fetched for the page at once.
"""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dcim.models import Interface, Site
from extras.models import Tag, TaggedItem
from ipam.models import RIR, VRF, Aggregate, IPAddress, IPRange, Prefix, Role
from netbox.testing import make
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db
FEW, MANY = 10, 500
BOOKKEEPING = ('FROM "core_configrevision"', 'UPDATE "users_token"', 'FROM "django_session"',
               'UPDATE "django_session"')


def measure(get, path, **params):
    get(path, {'limit': 1000, 'per_page': 1000, **params})
    with CaptureQueriesContext(connection) as context:
        response = get(path, {'limit': 1000, 'per_page': 1000, **params})
    assert response.status_code == 200
    return [q['sql'] for q in context.captured_queries if not any(mark in q['sql'] for mark in BOOKKEEPING)]


class Space:
    """Prefixes, ranges and addresses in bulk, each with a VRF, tenant, role, tag; addresses assigned to interfaces
    and NATed to each other; prefixes scoped to a site."""

    def __init__(self):
        self.vrf = VRF.objects.create(name='red', rd='65000:1', enforce_unique=False)
        self.tenant = Tenant.objects.create(name='t', slug='t')
        self.role = Role.objects.create(name='r', slug='r')
        self.site = make(Site)
        self.interface = make(Interface)
        self.tag = Tag.objects.create(name='tag', slug='tag')
        self.rir = RIR.objects.create(name='rir', slug='rir')
        self.made = 0

    def create(self, count):
        start, self.made = self.made, self.made + count
        numbers = range(start, start + count)
        site_type = ContentType.objects.get_for_model(Site)
        prefixes = Prefix.objects.bulk_create([
            Prefix(prefix=f'10.{n // 256}.{n % 256}.0/24', vrf=self.vrf if n % 2 else None, tenant=self.tenant,
                   role=self.role, scope_type=site_type, scope_id=self.site.pk, _site=self.site)
            for n in numbers])
        ranges = IPRange.objects.bulk_create([
            IPRange(start_address=f'10.{n // 256}.{n % 256}.10/24', end_address=f'10.{n // 256}.{n % 256}.20/24',
                    size=11, vrf=self.vrf if n % 2 else None, tenant=self.tenant, role=self.role) for n in numbers])
        interface_type = ContentType.objects.get_for_model(Interface)
        addresses = IPAddress.objects.bulk_create([
            IPAddress(address=f'10.{n // 256}.{n % 256}.1/24', vrf=self.vrf if n % 2 else None, tenant=self.tenant,
                      assigned_object_type=interface_type, assigned_object_id=self.interface.pk) for n in numbers])
        for inside, outside in zip(addresses[::2], addresses[1::2], strict=False):
            outside.nat_inside = inside
        IPAddress.objects.bulk_update(addresses, ['nat_inside'])
        aggregates = Aggregate.objects.bulk_create([
            Aggregate(prefix=f'{11 + n // 256}.{n % 256}.0.0/16', rir=self.rir, tenant=self.tenant)
            for n in numbers])
        tagged = []
        for model, objects in ((Prefix, prefixes), (IPRange, ranges), (IPAddress, addresses),
                               (Aggregate, aggregates)):
            content_type = ContentType.objects.get_for_model(model)
            tagged += [TaggedItem(tag=self.tag, content_type=content_type, object_id=obj.pk) for obj in objects]
        TaggedItem.objects.bulk_create(tagged)


@pytest.mark.parametrize('path', ['/api/ipam/prefixes/', '/api/ipam/ip-addresses/', '/api/ipam/ip-ranges/',
                                  '/api/ipam/aggregates/'])
@pytest.mark.parametrize('brief', [False, True], ids=['full', 'brief'])
def test_api_list_query_count_does_not_grow(api, path, brief):
    space = Space()
    params = {'brief': 1} if brief else {}
    space.create(FEW)
    few = measure(api.get, path, **params)
    space.create(MANY - FEW)
    many = measure(api.get, path, **params)
    assert api.get(path, {'limit': 1000}).json()['count'] == MANY
    assert len(many) == len(few), (few, many)


@pytest.mark.parametrize('path', ['/ipam/prefixes/', '/ipam/ip-addresses/', '/ipam/ip-ranges/', '/ipam/aggregates/'])
def test_ui_list_query_count_does_not_grow(client, superuser, path):
    client.force_login(superuser)
    space = Space()
    space.create(FEW)
    few = measure(client.get, path)
    space.create(MANY - FEW)
    many = measure(client.get, path)
    assert len(many) == len(few), (few, many)
