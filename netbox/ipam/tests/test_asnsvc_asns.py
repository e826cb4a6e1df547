"""ASNs and ASN ranges: display, sites, counters, the range rule and the filters, over the REST API."""
import pytest

from dcim.models import Site, SiteGroup
from ipam.models import ASN, RIR, ASNRange
from netbox.testing import make
from tenancy.models import Tenant, TenantGroup

pytestmark = pytest.mark.django_db
ASNS = '/api/ipam/asns/'
RANGES = '/api/ipam/asn-ranges/'


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(row['id'] for row in response.json()['results'])


def test_display_shows_asdot_for_four_byte_asns(api):
    rir = make(RIR)
    small = ASN.objects.create(asn=65001, rir=rir)
    large = ASN.objects.create(asn=4200000000, rir=rir)
    assert api.get(f'{ASNS}{small.pk}/').json()['display'] == 'AS65001'
    assert api.get(f'{ASNS}{large.pk}/').json()['display'] == 'AS4200000000 (64086.59904)'
    assert large.asn_asdot == '64086.59904'


def test_sites_are_written_as_ids_and_read_as_asn_sites(api):
    sites = [make(Site), make(Site)]
    response = api.post(ASNS, {'asn': 65010, 'sites': [site.pk for site in sites]}, format='json')
    assert response.status_code == 201, response.content
    body = response.json()
    assert sorted(site['id'] for site in body['sites']) == sorted(site.pk for site in sites)
    assert set(body['sites'][0]) == {'id', 'url', 'display', 'name', 'description', 'slug'}
    assert body['site_count'] == 2
    assert body['provider_count'] == 0  # circuits is not built: providers count 0
    response = api.patch(f'{ASNS}{body["id"]}/', {'sites': [sites[0].pk]}, format='json')
    assert response.status_code == 200, response.content
    assert [site['id'] for site in response.json()['sites']] == [sites[0].pk]
    assert response.json()['site_count'] == 1


def test_unknown_site_is_a_400_naming_sites(api):
    response = api.post(ASNS, {'asn': 65011, 'sites': [999999]}, format='json')
    assert response.status_code == 400
    assert 'sites' in response.json()


@pytest.mark.parametrize('asn', [0, 4294967296, 'x'])
def test_asn_out_of_range_is_a_400_naming_asn(api, asn):
    response = api.post(ASNS, {'asn': asn}, format='json')
    assert response.status_code == 400
    assert 'asn' in response.json()


def test_asn_filters_by_site_site_group_tenant_group_and_pending_provider(api):
    parent = make(SiteGroup)
    child = make(SiteGroup, parent=parent)
    in_child, elsewhere = make(Site, group=child), make(Site)
    group = make(TenantGroup)
    first = ASN.objects.create(asn=65020, tenant=make(Tenant, group=group))
    first.sites.set([in_child, elsewhere])
    second = ASN.objects.create(asn=65021)
    second.sites.set([elsewhere])
    third = ASN.objects.create(asn=65022)
    assert ids(api.get(ASNS, {'site_id': in_child.pk})) == [first.pk]
    assert ids(api.get(ASNS, {'site': elsewhere.slug})) == [first.pk, second.pk]
    # Site groups include their descendants; an ASN at two matching sites is listed once.
    assert ids(api.get(ASNS, {'site_group_id': parent.pk})) == [first.pk]
    assert ids(api.get(ASNS, {'site_group': parent.slug})) == [first.pk]
    assert ids(api.get(ASNS, {'tenant_group_id': group.pk})) == [first.pk]
    assert ids(api.get(ASNS, {'asn__gte': 65021})) == [second.pk, third.pk]
    # No ASN has a provider yet: an ID matches nothing, `null` everything.
    assert ids(api.get(ASNS, {'provider_id': 1})) == []
    assert api.get(ASNS, {'provider': 'null'}).json()['count'] == 3
    assert api.get(ASNS, {'provider_id': 'null'}).json()['count'] == 3


def test_range_end_below_start_is_a_400_naming_end(api):
    rir = make(RIR)
    payload = {'name': 'r1', 'slug': 'r1', 'rir': rir.pk, 'start': 65100, 'end': 65000}
    response = api.post(RANGES, payload, format='json')
    assert response.status_code == 400
    assert 'end' in response.json()
    # A range of a single ASN is a range.
    response = api.post(RANGES, {**payload, 'end': 65100}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['display'] == 'r1 (65100-65100)'


def test_range_counts_the_asns_within_it_whatever_their_rir(api):
    rir, other = make(RIR), make(RIR)
    asn_range = ASNRange.objects.create(name='private', slug='private', rir=rir, start=65000, end=65010)
    empty = ASNRange.objects.create(name='empty', slug='empty', rir=rir, start=1, end=10)
    for number in (64999, 65000, 65005, 65010, 65011):
        ASN.objects.create(asn=number, rir=rir)
    ASN.objects.create(asn=65007, rir=other)
    counts = {row['id']: row['asn_count'] for row in api.get(RANGES).json()['results']}
    assert counts == {asn_range.pk: 4, empty.pk: 0}
    assert api.get(f'{RANGES}{asn_range.pk}/').json()['asn_count'] == 4
    assert set(asn_range.child_asns().values_list('asn', flat=True)) == {65000, 65005, 65007, 65010}


def test_range_filters(api):
    rir = make(RIR)
    group = make(TenantGroup)
    low = ASNRange.objects.create(name='low', slug='low', rir=rir, start=1, end=100,
                                  tenant=make(Tenant, group=group))
    high = ASNRange.objects.create(name='high', slug='high', rir=make(RIR), start=1000, end=2000)
    assert ids(api.get(RANGES, {'start__gte': 500})) == [high.pk]
    assert ids(api.get(RANGES, {'rir': rir.slug})) == [low.pk]
    assert ids(api.get(RANGES, {'tenant_group_id': group.pk})) == [low.pk]
    assert ids(api.get(RANGES, {'q': 'hig'})) == [high.pk]
