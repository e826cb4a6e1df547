"""VLAN groups, VLANs and VLAN translation through the REST API: VID ranges, the VLAN rules and the VLAN filters."""
import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import Device, Location, Rack, Region, Site, SiteGroup
from ipam.models import VLAN, VLANGroup, VLANTranslationPolicy, VLANTranslationRule
from ipam.models.vlans import vid_range
from netbox.testing import make

pytestmark = pytest.mark.django_db


def scope(obj):
    return {'scope_type': f'dcim.{obj._meta.model_name}', 'scope_id': obj.pk}


def group(name, obj=None, ranges=None):
    attrs = {'name': name, 'slug': name}
    if obj is not None:
        attrs.update(scope_type=ContentType.objects.get_for_model(obj), scope_id=obj.pk)
    if ranges is not None:
        attrs['vid_ranges'] = [vid_range(first, last) for first, last in ranges]
    return VLANGroup.objects.create(**attrs)


@pytest.fixture
def places():
    """region (parent) > child region > site1 (in site group sg > sg-child); site2 elsewhere; a device at site1."""
    parent = Region.objects.create(name='Europe', slug='europe')
    child = Region.objects.create(name='France', slug='france', parent=parent)
    site_group = SiteGroup.objects.create(name='SG', slug='sg')
    site_group_child = SiteGroup.objects.create(name='SG child', slug='sg-child', parent=site_group)
    site1 = Site.objects.create(name='Paris', slug='paris', region=child, group=site_group_child)
    site2 = Site.objects.create(name='Oslo', slug='oslo')
    location = Location.objects.create(name='Floor 1', slug='floor-1', site=site1)
    rack = Rack.objects.create(name='R1', site=site1, location=location)
    device = make(Device, site=site1, location=location, rack=rack)
    other = make(Device, site=site2)
    return {'parent': parent, 'child': child, 'sg': site_group, 'sg_child': site_group_child, 'site1': site1,
            'site2': site2, 'location': location, 'rack': rack, 'device': device, 'other': other}


# VLAN groups

def test_vid_ranges_are_inclusive_pairs_with_a_total(api):
    response = api.post('/api/ipam/vlan-groups/', {'name': 'g', 'slug': 'g', 'vid_ranges': [[100, 199], [300, 300]]},
                        format='json')
    assert response.status_code == 201, response.content
    data = response.json()
    assert data['vid_ranges'] == [[100, 199], [300, 300]]
    assert data['total_vlan_ids'] == 101
    assert data['vlan_count'] == 0 and data['utilization'] == '0.0'
    stored = VLANGroup.objects.get(pk=data['id'])
    assert [(r.lower, r.upper) for r in stored.vid_ranges] == [(100, 200), (300, 301)]
    assert str(stored.vid_ranges[0]) == '100-199'


def test_vid_ranges_default_to_every_vid(api):
    data = api.post('/api/ipam/vlan-groups/', {'name': 'g', 'slug': 'g'}, format='json').json()
    assert data['vid_ranges'] == [[1, 4094]] and data['total_vlan_ids'] == 4094


@pytest.mark.parametrize('ranges', [[[0, 10]], [[4000, 4095]], [[10, 5]], [[1, 100], [50, 150]], 'x', [[1]],
                                    [['a', 'b']], []])
def test_bad_vid_ranges_are_a_400_naming_the_field(api, ranges):
    response = api.post('/api/ipam/vlan-groups/', {'name': 'g', 'slug': 'g', 'vid_ranges': ranges}, format='json')
    assert response.status_code == 400, response.content
    assert 'vid_ranges' in response.json()
    assert not VLANGroup.objects.exists()


def test_utilization_is_the_share_of_vids_in_use(api):
    grp = group('g', ranges=[(1, 8)])
    VLAN.objects.create(group=grp, vid=1, name='a')
    data = api.get(f'/api/ipam/vlan-groups/{grp.pk}/').json()
    assert data['vlan_count'] == 1 and data['utilization'] == '12.5'
    listed = api.get('/api/ipam/vlan-groups/', {'fields': 'id,utilization'}).json()['results']
    assert listed == [{'id': grp.pk, 'utilization': '12.5'}]


def test_narrowing_ranges_below_existing_vlans_is_refused(api):
    grp = group('g', ranges=[(1, 100)])
    VLAN.objects.create(group=grp, vid=50, name='a')
    response = api.patch(f'/api/ipam/vlan-groups/{grp.pk}/', {'vid_ranges': [[60, 100]]}, format='json')
    assert response.status_code == 400 and 'vid_ranges' in response.json()


def test_group_scope_is_written_and_read_and_cached(api, places):
    response = api.post('/api/ipam/vlan-groups/', {'name': 'g', 'slug': 'g', **scope(places['rack'])}, format='json')
    assert response.status_code == 201, response.content
    data = response.json()
    assert data['scope_type'] == 'dcim.rack' and data['scope']['id'] == places['rack'].pk
    grp = VLANGroup.objects.get(pk=data['id'])
    assert grp._site_id == places['site1'].pk and grp._location_id == places['location'].pk
    assert grp._region_id == places['child'].pk
    response = api.post('/api/ipam/vlan-groups/', {'name': 'h', 'slug': 'h', 'scope_type': 'dcim.device',
                                                   'scope_id': places['device'].pk}, format='json')
    assert response.status_code == 400 and 'scope_type' in response.json()


def test_vlan_group_filters(api, places):
    at_site = group('at-site', places['site1'], ranges=[(1, 99)])
    at_region = group('at-region', places['parent'])
    group('unscoped', ranges=[(200, 299)])

    def names(**params):
        return sorted(item['name'] for item in api.get('/api/ipam/vlan-groups/', params).json()['results'])

    assert names(site=places['site1'].pk) == ['at-site']
    assert names(region=places['parent'].pk) == ['at-region']
    assert names(region=places['child'].pk) == []  # the scope itself, as NetBox filters it
    assert names(contains_vid=50) == ['at-region', 'at-site']
    assert names(contains_vid=250) == ['at-region', 'unscoped']
    assert names(cluster=1) == []
    assert at_site.pk and at_region.pk


# VLANs

def test_vid_outside_the_group_ranges_is_a_400_naming_vid(api):
    grp = group('g', ranges=[(100, 199)])
    response = api.post('/api/ipam/vlans/', {'name': 'v', 'vid': 50, 'group': grp.pk}, format='json')
    assert response.status_code == 400 and list(response.json()) == ['vid']
    response = api.post('/api/ipam/vlans/', {'name': 'v', 'vid': 150, 'group': grp.pk}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['group']['id'] == grp.pk and response.json()['prefix_count'] == 0
    assert response.json()['l2vpn_termination'] is None


def test_a_vlan_at_a_site_must_be_in_a_group_covering_it(api, places):
    elsewhere = group('elsewhere', places['site2'])
    covering = group('covering', places['parent'])
    by_site_group = group('by-sg', places['sg'])
    site = places['site1'].pk
    response = api.post('/api/ipam/vlans/', {'name': 'v', 'vid': 10, 'site': site, 'group': elsewhere.pk},
                        format='json')
    assert response.status_code == 400 and 'group' in response.json()
    for grp in (covering, by_site_group):
        response = api.post('/api/ipam/vlans/', {'name': f'v{grp.pk}', 'vid': 10, 'site': site, 'group': grp.pk},
                            format='json')
        assert response.status_code == 201, response.content


def test_qinq_rules(api):
    svlan = VLAN.objects.create(vid=100, name='s', qinq_role='svlan')
    plain = VLAN.objects.create(vid=101, name='p')
    response = api.post('/api/ipam/vlans/', {'name': 'c', 'vid': 10, 'qinq_role': 'cvlan'}, format='json')
    assert response.status_code == 400 and 'qinq_svlan' in response.json()
    response = api.post('/api/ipam/vlans/', {'name': 'c', 'vid': 10, 'qinq_role': 'cvlan', 'qinq_svlan': plain.pk},
                        format='json')
    assert response.status_code == 400 and 'qinq_svlan' in response.json()
    response = api.post('/api/ipam/vlans/', {'name': 'c', 'vid': 10, 'qinq_svlan': svlan.pk}, format='json')
    assert response.status_code == 400 and 'qinq_svlan' in response.json()
    response = api.post('/api/ipam/vlans/', {'name': 'c', 'vid': 10, 'qinq_role': 'cvlan', 'qinq_svlan': svlan.pk},
                        format='json')
    assert response.status_code == 201, response.content
    data = response.json()
    assert data['qinq_role'] == {'value': 'cvlan', 'label': 'Customer'}
    assert data['qinq_svlan']['id'] == svlan.pk and data['qinq_svlan']['vid'] == 100
    vids = [item['name'] for item in api.get('/api/ipam/vlans/', {'qinq_svlan_vid': 100}).json()['results']]
    assert vids == ['c']
    ids = [item['name'] for item in api.get('/api/ipam/vlans/', {'qinq_svlan_id': svlan.pk}).json()['results']]
    assert ids == ['c']


@pytest.fixture
def vlans(places):
    """One VLAN per way a VLAN can (or cannot) be available on places['device']."""
    made = {
        'global': VLAN.objects.create(vid=1, name='global'),
        'unscoped-group': VLAN.objects.create(vid=2, name='unscoped-group', group=group('unscoped')),
        'site': VLAN.objects.create(vid=3, name='site', site=places['site1']),
        'other-site': VLAN.objects.create(vid=4, name='other-site', site=places['site2']),
        'region-parent': VLAN.objects.create(vid=5, name='region-parent', group=group('rp', places['parent'])),
        'site-group': VLAN.objects.create(vid=6, name='site-group', group=group('sg', places['sg'])),
        'location': VLAN.objects.create(vid=7, name='location', group=group('loc', places['location'])),
        'rack': VLAN.objects.create(vid=8, name='rack', group=group('rack', places['rack'])),
        'site-scope': VLAN.objects.create(vid=9, name='site-scope', group=group('s1', places['site1'])),
        'other-scope': VLAN.objects.create(vid=10, name='other-scope', group=group('s2', places['site2'])),
    }
    return made


def _names(api, **params):
    return sorted(item['name'] for item in api.get('/api/ipam/vlans/', {'limit': 100, **params}).json()['results'])


def test_available_on_device(api, places, vlans):
    expected = sorted(set(vlans) - {'other-site', 'other-scope'})
    assert _names(api, available_on_device=places['device'].pk) == expected
    assert _names(api, available_on_device=places['other'].pk) == ['global', 'other-scope', 'other-site',
                                                                    'unscoped-group']


def test_available_at_site_and_site_group(api, places, vlans):
    assert _names(api, available_at_site=places['site1'].pk) == sorted(
        ['global', 'unscoped-group', 'site', 'region-parent', 'site-group', 'site-scope'])
    assert _names(api, available_at_site_group=places['sg_child'].pk) == sorted(
        ['global', 'unscoped-group', 'site-group'])


def test_related_to_site(api, places, vlans):
    assert _names(api, related_to_site=places['site1'].pk) == ['site', 'site-group', 'site-scope']
    assert 'site' not in _names(api, related_to_site__n=places['site1'].pk)


def test_region_and_site_group_filter_through_the_site(api, places, vlans):
    assert _names(api, region_id=places['parent'].pk) == ['site']
    assert _names(api, site_group=places['sg'].slug) == ['site']


def test_pending_vlan_filters_accept_values_and_match_nothing(api, vlans):
    assert _names(api, available_on_virtualmachine=1) == []
    assert _names(api, l2vpn_id=1) == []


# Translation

def test_translation_policy_lists_its_rules_and_a_rule_names_its_policy_by_id(api):
    policy = VLANTranslationPolicy.objects.create(name='p1')
    response = api.post('/api/ipam/vlan-translation-rules/', {'policy': policy.pk, 'local_vid': 10,
                                                              'remote_vid': 20}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['policy'] == policy.pk
    data = api.get(f'/api/ipam/vlan-translation-policies/{policy.pk}/').json()
    assert [(rule['policy'], rule['local_vid'], rule['remote_vid']) for rule in data['rules']] == [(policy.pk, 10,
                                                                                                   20)]
    brief = api.get('/api/ipam/vlan-translation-rules/', {'brief': 1}).json()['results'][0]
    assert brief['policy'] == policy.pk
    assert [r['local_vid'] for r in api.get('/api/ipam/vlan-translation-rules/',
                                            {'policy': 'p1'}).json()['results']] == [10]
    response = api.post('/api/ipam/vlan-translation-rules/', {'policy': policy.pk, 'local_vid': 10,
                                                              'remote_vid': 30}, format='json')
    assert response.status_code == 400
    assert VLANTranslationRule.objects.count() == 1
