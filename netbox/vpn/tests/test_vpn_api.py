"""VPN rules through the REST API: terminations on interfaces and VLANs, one per object, outside IPs, IKE/IPSec
chains, and the reverse views on interfaces and VLANs."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dcim.models import Interface
from ipam.models import VLAN, IPAddress, RouteTarget
from netbox.testing import make
from vpn.models import L2VPN, IKEProposal, IPSecProposal, Tunnel

pytestmark = pytest.mark.django_db


def _tunnel_termination(api, tunnel, interface, **extra):
    return api.post('/api/vpn/tunnel-terminations/', {
        'tunnel': tunnel.pk, 'role': 'peer', 'termination_type': 'dcim.interface', 'termination_id': interface.pk,
        **extra}, format='json')


def test_tunnel_terminations_on_interfaces_are_counted_and_show_the_interface(api):
    tunnel = make(Tunnel, encapsulation='gre')
    first, second = make(Interface), make(Interface)
    address = make(IPAddress, address='192.0.2.1/32')
    response = _tunnel_termination(api, tunnel, first, outside_ip=address.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body['termination']['id'] == first.pk
    assert body['outside_ip']['id'] == address.pk
    assert _tunnel_termination(api, tunnel, second).status_code == 201
    tunnel_body = api.get(f'/api/vpn/tunnels/{tunnel.pk}/').json()
    assert tunnel_body['terminations_count'] == 2
    listed = api.get('/api/vpn/tunnel-terminations/', {'interface_id': first.pk}).json()
    assert [row['id'] for row in listed['results']] == [body['id']]


def test_an_interface_terminates_one_tunnel_only(api):
    interface = make(Interface)
    assert _tunnel_termination(api, make(Tunnel, encapsulation='gre'), interface).status_code == 201
    response = _tunnel_termination(api, make(Tunnel, encapsulation='gre'), interface)
    assert response.status_code == 400, response.content


def test_a_tunnel_termination_on_a_missing_interface_is_refused_naming_the_field(api):
    response = _tunnel_termination(api, make(Tunnel, encapsulation='gre'), Interface(pk=999999))
    assert response.status_code == 400
    assert 'termination_id' in response.json()


def _l2vpn_termination(api, l2vpn, kind, obj):
    return api.post('/api/vpn/l2vpn-terminations/', {
        'l2vpn': l2vpn.pk, 'assigned_object_type': kind, 'assigned_object_id': obj.pk}, format='json')


def test_l2vpn_terminations_on_vlans_and_interfaces_show_on_both_sides(api):
    l2vpn = make(L2VPN, type='vxlan')
    vlan, interface = make(VLAN), make(Interface)
    assert _l2vpn_termination(api, l2vpn, 'ipam.vlan', vlan).status_code == 201
    assert _l2vpn_termination(api, l2vpn, 'dcim.interface', interface).status_code == 201
    assert api.get(f'/api/ipam/vlans/{vlan.pk}/').json()['l2vpn_termination']['l2vpn']['id'] == l2vpn.pk
    assert api.get(f'/api/dcim/interfaces/{interface.pk}/').json()['l2vpn_termination']['l2vpn']['id'] == l2vpn.pk
    assert [row['id'] for row in api.get('/api/dcim/interfaces/', {'l2vpn_id': l2vpn.pk}).json()['results']] == \
        [interface.pk]
    assert [row['id'] for row in api.get('/api/ipam/vlans/', {'l2vpn': l2vpn.slug}).json()['results']] == [vlan.pk]
    rows = api.get('/api/vpn/l2vpn-terminations/', {'vlan_vid': vlan.vid}).json()['results']
    assert [row['assigned_object']['id'] for row in rows] == [vlan.pk]
    assert api.get(f'/api/dcim/interfaces/{make(Interface).pk}/').json()['l2vpn_termination'] is None


def test_an_object_belongs_to_one_l2vpn_only(api):
    vlan = make(VLAN)
    assert _l2vpn_termination(api, make(L2VPN, type='vxlan'), 'ipam.vlan', vlan).status_code == 201
    response = _l2vpn_termination(api, make(L2VPN, type='vxlan'), 'ipam.vlan', vlan)
    assert response.status_code == 400, response.content


def test_a_point_to_point_l2vpn_takes_two_terminations(api):
    l2vpn = make(L2VPN, type='vpws')
    for _ in range(2):
        assert _l2vpn_termination(api, l2vpn, 'ipam.vlan', make(VLAN)).status_code == 201
    response = _l2vpn_termination(api, l2vpn, 'ipam.vlan', make(VLAN))
    assert response.status_code == 400
    assert 'l2vpn' in response.json()


def test_l2vpn_route_targets_are_written_by_id_and_shown_nested(api):
    target = make(RouteTarget, name='65000:1')
    response = api.post('/api/vpn/l2vpns/', {'name': 'evpn', 'slug': 'evpn', 'type': 'vxlan-evpn',
                                             'import_targets': [target.pk], 'export_targets': [target.pk]},
                        format='json')
    assert response.status_code == 201, response.content
    assert response.json()['import_targets'][0]['name'] == '65000:1'
    assert response.json()['type'] == {'value': 'vxlan-evpn', 'label': 'VXLAN-EVPN'}


def test_ike_and_ipsec_chain_to_a_tunnel(api):
    ike_proposal = make(IKEProposal, authentication_method='preshared-keys', encryption_algorithm='aes-256-cbc',
                        group=14)
    ipsec_proposal = make(IPSecProposal, encryption_algorithm='aes-256-gcm')
    ike = api.post('/api/vpn/ike-policies/', {'name': 'ike', 'version': 1, 'mode': 'main',
                                              'proposals': [ike_proposal.pk]}, format='json')
    assert ike.status_code == 201, ike.content
    ipsec = api.post('/api/vpn/ipsec-policies/', {'name': 'ipsec', 'pfs_group': 14,
                                                  'proposals': [ipsec_proposal.pk]}, format='json')
    assert ipsec.status_code == 201, ipsec.content
    profile = api.post('/api/vpn/ipsec-profiles/', {'name': 'profile', 'mode': 'esp', 'ike_policy': ike.json()['id'],
                                                    'ipsec_policy': ipsec.json()['id']}, format='json')
    assert profile.status_code == 201, profile.content
    tunnel = api.post('/api/vpn/tunnels/', {'name': 't1', 'encapsulation': 'ipsec-tunnel',
                                            'ipsec_profile': profile.json()['id']}, format='json')
    assert tunnel.status_code == 201, tunnel.content
    assert tunnel.json()['ipsec_profile']['name'] == 'profile'
    by_proposal = api.get('/api/vpn/ike-policies/', {'ike_proposal_id': ike_proposal.pk}).json()
    assert [row['name'] for row in by_proposal['results']] == ['ike']
    assert api.get('/api/vpn/tunnels/', {'ipsec_profile': 'profile'}).json()['count'] == 1


def test_ikev1_needs_a_mode(api):
    response = api.post('/api/vpn/ike-policies/', {'name': 'v1', 'version': 1}, format='json')
    assert response.status_code == 400
    assert 'mode' in response.json()


def _count_queries(api, path):
    api.get(path, {'limit': 1000})
    with CaptureQueriesContext(connection) as context:
        response = api.get(path, {'limit': 1000})
    assert response.status_code == 200
    return len([q for q in context.captured_queries
                if 'core_configrevision' not in q['sql'] and 'users_token' not in q['sql']])


def _tunnels_and_l2vpns(start, stop, tenant, target):
    Tunnel.objects.bulk_create([Tunnel(name=f't{i}', encapsulation='gre', tenant=tenant) for i in range(start, stop)])
    l2vpns = L2VPN.objects.bulk_create([L2VPN(name=f'l{i}', slug=f'l{i}', type='vpls', tenant=tenant)
                                        for i in range(start, stop)])
    L2VPN.import_targets.through.objects.bulk_create([
        L2VPN.import_targets.through(l2vpn_id=obj.pk, routetarget_id=target.pk) for obj in l2vpns])


def test_tunnel_and_l2vpn_lists_run_the_same_queries_for_10_and_500(api):
    from tenancy.models import Tenant

    tenant, target = make(Tenant), make(RouteTarget)
    _tunnels_and_l2vpns(0, 10, tenant, target)
    few = (_count_queries(api, '/api/vpn/tunnels/'), _count_queries(api, '/api/vpn/l2vpns/'))
    _tunnels_and_l2vpns(10, 500, tenant, target)
    many = (_count_queries(api, '/api/vpn/tunnels/'), _count_queries(api, '/api/vpn/l2vpns/'))
    assert few == many


def _terminations(count):
    from django.contrib.contenttypes.models import ContentType

    from vpn.models import L2VPNTermination, TunnelTermination

    tunnel, l2vpn = make(Tunnel, encapsulation='gre'), make(L2VPN, type='vxlan')
    interface_type, vlan_type = (ContentType.objects.get_for_model(Interface),
                                 ContentType.objects.get_for_model(VLAN))
    for _ in range(count):
        TunnelTermination.objects.create(tunnel=tunnel, termination_type=interface_type,
                                         termination_id=make(Interface).pk)
        L2VPNTermination.objects.create(l2vpn=l2vpn, assigned_object_type=vlan_type, assigned_object_id=make(VLAN).pk)


def test_termination_lists_run_the_same_queries_for_few_and_many(api):
    paths = ('/api/vpn/tunnel-terminations/', '/api/vpn/l2vpn-terminations/')
    _terminations(3)
    few = [_count_queries(api, path) for path in paths]
    _terminations(30)
    assert [_count_queries(api, path) for path in paths] == few


def test_deleting_an_interface_deletes_its_terminations(api):
    from vpn.models import L2VPNTermination, TunnelTermination

    interface = make(Interface)
    assert _tunnel_termination(api, make(Tunnel, encapsulation='gre'), interface).status_code == 201
    assert _l2vpn_termination(api, make(L2VPN, type='vxlan'), 'dcim.interface', interface).status_code == 201
    assert api.delete(f'/api/dcim/interfaces/{interface.pk}/').status_code == 204
    assert not TunnelTermination.objects.exists() and not L2VPNTermination.objects.exists()


def test_route_targets_are_filtered_by_the_l2vpns_using_them(api):
    target, other = make(RouteTarget, name='65000:7'), make(RouteTarget, name='65000:8')
    l2vpn = make(L2VPN, type='vxlan', identifier=10042)
    l2vpn.import_targets.set([target])
    # The L2VPN is named by its identifier (its VNI here), as NetBox does.
    rows = api.get('/api/ipam/route-targets/', {'importing_l2vpn': 10042}).json()['results']
    assert [row['id'] for row in rows] == [target.pk]
    assert api.get('/api/ipam/route-targets/', {'exporting_l2vpn_id': l2vpn.pk}).json()['count'] == 0
    assert other.pk in [row['id'] for row in api.get('/api/ipam/route-targets/',
                                                     {'importing_l2vpn_id__n': l2vpn.pk}).json()['results']]
