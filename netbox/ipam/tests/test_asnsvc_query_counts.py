"""
The lists of ASNs, ASN ranges, FHRP groups and assignments, services and templates run the same number of queries
for a few objects as for many: sites, counters, virtual and bound addresses, interfaces and parents come in bulk.
"""
import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import Device, Interface, Site
from dcim.tests.test_query_counts import assert_same_queries, queries_for
from extras.models import Tag
from ipam.models import ASN, RIR, ASNRange, FHRPGroup, FHRPGroupAssignment, IPAddress, Role, Service, ServiceTemplate
from netbox.testing import make
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db
FEW, MANY = 3, 30


class Objects:
    """Makes `count` more objects of each listed model, each with its relations filled."""

    def __init__(self):
        self.rir, self.role, self.tenant = make(RIR), make(Role), make(Tenant)
        self.tags = [make(Tag, name=f'tag-{n}', slug=f'tag-{n}') for n in range(2)]
        self.made = 0
        self.interface_type = ContentType.objects.get_for_model(Interface)

    def create(self, count):
        for _ in range(count):
            n = self.made = self.made + 1
            asn = ASN.objects.create(asn=65000 + n, rir=self.rir, role=self.role, tenant=self.tenant)
            asn.sites.set([make(Site), make(Site)])
            asn.tags.set(self.tags)
            ASNRange.objects.create(name=f'range-{n}', slug=f'range-{n}', rir=self.rir, tenant=self.tenant,
                                    start=65000, end=65000 + n)
            device = make(Device)
            interface = make(Interface, device=device)
            address = IPAddress.objects.create(address=f'10.{n}.0.2/24', assigned_object=interface)
            group = make(FHRPGroup, protocol='vrrp2', group_id=n, auth_type='md5')
            virtual = IPAddress.objects.create(address=f'10.{n}.0.1/24', assigned_object=group)
            IPAddress.objects.create(address=f'192.0.{n}.1/32', nat_inside=virtual)
            FHRPGroupAssignment.objects.create(group=group, interface_type=self.interface_type,
                                               interface_id=interface.pk, priority=n)
            on_device = Service.objects.create(parent_object_type=ContentType.objects.get_for_model(device),
                                               parent_object_id=device.pk, name=f'ssh-{n}', protocol='tcp',
                                               ports=[22])
            on_device.ipaddresses.set([address])
            on_group = Service.objects.create(parent_object_type=ContentType.objects.get_for_model(group),
                                              parent_object_id=group.pk, name=f'vip-{n}', protocol='tcp',
                                              ports=[443])
            on_group.ipaddresses.set([virtual])
            ServiceTemplate.objects.create(name=f'template-{n}', protocol='udp', ports=[53, n])


@pytest.mark.parametrize('path', ['/api/ipam/asns/', '/api/ipam/asn-ranges/', '/api/ipam/fhrp-groups/',
                                  '/api/ipam/fhrp-group-assignments/', '/api/ipam/services/',
                                  '/api/ipam/service-templates/'])
def test_list_query_count_is_constant(api, path):
    objects = Objects()
    objects.create(FEW)
    few_rows, few = queries_for(api, path)
    objects.create(MANY - FEW)
    many_rows, many = queries_for(api, path)
    assert many_rows > few_rows
    assert_same_queries(few, many)
    brief_few = queries_for(api, path, brief=1)[1]
    assert len(brief_few) <= len(many)
