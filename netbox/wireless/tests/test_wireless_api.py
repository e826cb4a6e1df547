"""Wireless rules through the REST API: links between wireless interfaces take part in paths like cables; LANs
are scoped and attached to interfaces."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dcim.models import Interface, Site
from netbox.testing import make
from wireless.models import WirelessLAN, WirelessLANGroup

pytestmark = pytest.mark.django_db


def _radio(**attrs):
    return make(Interface, type='ieee802.11ax', **attrs)


def _link(api, a, b, **extra):
    return api.post('/api/wireless/wireless-links/', {'interface_a': a.pk, 'interface_b': b.pk, 'ssid': 'bridge',
                                                      **extra}, format='json')


def _interface(api, interface):
    return api.get(f'/api/dcim/interfaces/{interface.pk}/').json()


def test_a_wireless_link_connects_both_interfaces_and_its_removal_disconnects_them(api):
    a, b = _radio(), _radio()
    response = _link(api, a, b)
    assert response.status_code == 201, response.content
    link_id = response.json()['id']
    assert response.json()['interface_a']['id'] == a.pk
    for near, far in ((a, b), (b, a)):
        body = _interface(api, near)
        assert body['wireless_link']['id'] == link_id
        assert [peer['id'] for peer in body['link_peers']] == [far.pk]
        assert body['link_peers_type'] == 'dcim.interface'
        assert [end['id'] for end in body['connected_endpoints']] == [far.pk]
        assert body['connected_endpoints_reachable'] is True
    listed = api.get('/api/dcim/interfaces/', {'id': [a.pk, b.pk]}).json()['results']
    assert {row['id']: row['connected_endpoints'][0]['id'] for row in listed} == {a.pk: b.pk, b.pk: a.pk}
    assert api.get('/api/dcim/interfaces/', {'wireless_link_id': link_id}).json()['count'] == 2

    assert api.delete(f'/api/wireless/wireless-links/{link_id}/').status_code == 204
    for interface in (a, b):
        body = _interface(api, interface)
        assert body['wireless_link'] is None
        assert body['link_peers'] == []
        assert body['connected_endpoints'] is None


def test_a_planned_link_is_not_reachable(api):
    a, b = _radio(), _radio()
    assert _link(api, a, b, status='planned').status_code == 201
    assert _interface(api, a)['connected_endpoints_reachable'] is False


def test_only_wireless_interfaces_may_be_linked(api):
    wired = make(Interface, type='1000base-t')
    response = _link(api, _radio(), wired)
    assert response.status_code == 400
    assert 'interface_b' in response.json()


def test_an_interface_is_in_one_link_only(api):
    a, b, c = _radio(), _radio(), _radio()
    assert _link(api, a, b).status_code == 201
    response = _link(api, c, a)
    assert response.status_code == 400
    assert 'interface_b' in response.json()


def test_distance_needs_a_unit(api):
    response = _link(api, _radio(), _radio(), distance=1.5)
    assert response.status_code == 400
    assert 'distance_unit' in response.json()
    ok = _link(api, _radio(), _radio(), distance=1.5, distance_unit='km')
    assert ok.status_code == 201
    assert ok.json()['distance'] == 1.5


def test_a_lan_scoped_to_a_site_is_found_by_site_and_attached_to_interfaces(api):
    site = make(Site)
    group = make(WirelessLANGroup)
    response = api.post('/api/wireless/wireless-lans/', {'ssid': 'corp', 'group': group.pk, 'scope_type': 'dcim.site',
                                                         'scope_id': site.pk, 'auth_type': 'wpa-personal'},
                        format='json')
    assert response.status_code == 201, response.content
    lan_id = response.json()['id']
    assert response.json()['scope']['id'] == site.pk
    assert [row['id'] for row in api.get('/api/wireless/wireless-lans/', {'site_id': site.pk}).json()['results']] == \
        [lan_id]
    radio = _radio()
    patched = api.patch(f'/api/dcim/interfaces/{radio.pk}/', {'wireless_lans': [lan_id]}, format='json')
    assert patched.status_code == 200, patched.content
    assert [lan['ssid'] for lan in patched.json()['wireless_lans']] == ['corp']
    assert api.get('/api/wireless/wireless-lans/', {'interface_id': radio.pk}).json()['count'] == 1
    assert api.get(f'/api/wireless/wireless-lan-groups/{group.pk}/').json()['wirelesslan_count'] == 1


def _count_queries(api, path):
    api.get(path, {'limit': 1000})
    with CaptureQueriesContext(connection) as context:
        response = api.get(path, {'limit': 1000})
    assert response.status_code == 200
    return len([q for q in context.captured_queries
                if 'core_configrevision' not in q['sql'] and 'users_token' not in q['sql']])


def _lans(start, stop, group, site):
    from django.contrib.contenttypes.models import ContentType

    site_type = ContentType.objects.get_for_model(Site)
    WirelessLAN.objects.bulk_create([
        WirelessLAN(ssid=f'ssid{i}', group=group, scope_type=site_type, scope_id=site.pk, _site=site)
        for i in range(start, stop)])


def test_wireless_lan_list_runs_the_same_queries_for_10_and_500(api):
    group, site = make(WirelessLANGroup), make(Site)
    _lans(0, 10, group, site)
    few = _count_queries(api, '/api/wireless/wireless-lans/')
    _lans(10, 500, group, site)
    assert _count_queries(api, '/api/wireless/wireless-lans/') == few


def test_recomputing_every_path_keeps_wireless_links(api):
    from dcim.cabling import rebuild_all

    a, b = _radio(), _radio()
    assert _link(api, a, b).status_code == 201
    rebuild_all()
    assert [end['id'] for end in _interface(api, a)['connected_endpoints']] == [b.pk]


def test_an_interface_wireless_link_is_read_only_and_nested_by_ssid(api):
    a, b, c = _radio(), _radio(), _radio()
    link = _link(api, a, b).json()
    assert _interface(api, a)['wireless_link'] == {'id': link['id'], 'url': link['url'], 'display': link['display'],
                                                   'ssid': 'bridge'}
    assert api.patch(f'/api/dcim/interfaces/{c.pk}/', {'wireless_link': link['id']}, format='json').status_code == 200
    assert _interface(api, c)['wireless_link'] is None


def test_a_bulk_delete_of_links_disconnects_their_interfaces(api):
    pairs = [(_radio(), _radio()) for _ in range(2)]
    ids = [_link(api, a, b).json()['id'] for a, b in pairs]
    assert api.delete('/api/wireless/wireless-links/', [{'id': pk} for pk in ids], format='json').status_code == 204
    for a, b in pairs:
        assert _interface(api, a)['connected_endpoints'] is None
        assert _interface(api, b)['link_peers'] == []
