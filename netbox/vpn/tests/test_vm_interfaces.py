"""Tunnel and L2VPN terminations on virtual machine interfaces, as on device interfaces."""
from netbox.testing import make
from virtualization.models import VMInterface
from vpn.models import L2VPN, L2VPNTermination, Tunnel, TunnelTermination


def test_a_tunnel_ends_on_a_vm_interface(api):
    tunnel, interface = make(Tunnel, encapsulation='gre'), make(VMInterface)
    response = api.post('/api/vpn/tunnel-terminations/', {
        'tunnel': tunnel.pk, 'role': 'hub', 'termination_type': 'virtualization.vminterface',
        'termination_id': interface.pk}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['termination']['id'] == interface.pk
    assert api.get('/api/vpn/tunnel-terminations/', {'vminterface_id': interface.pk}).json()['count'] == 1


def test_an_l2vpn_terminates_on_a_vm_interface_and_shows_there(api):
    l2vpn, interface = make(L2VPN, type='vxlan'), make(VMInterface)
    response = api.post('/api/vpn/l2vpn-terminations/', {
        'l2vpn': l2vpn.pk, 'assigned_object_type': 'virtualization.vminterface', 'assigned_object_id': interface.pk},
        format='json')
    assert response.status_code == 201, response.content
    body = api.get(f'/api/virtualization/interfaces/{interface.pk}/').json()
    assert body['l2vpn_termination']['l2vpn']['id'] == l2vpn.pk
    found = api.get('/api/virtualization/interfaces/', {'l2vpn_id': l2vpn.pk}).json()['results']
    assert [row['id'] for row in found] == [interface.pk]


def test_a_vm_interface_takes_one_l2vpn_only(api):
    interface = make(VMInterface)
    make(L2VPNTermination, l2vpn=make(L2VPN, type='vxlan'), assigned_object=interface)
    response = api.post('/api/vpn/l2vpn-terminations/', {
        'l2vpn': make(L2VPN, type='vxlan').pk, 'assigned_object_type': 'virtualization.vminterface',
        'assigned_object_id': interface.pk}, format='json')
    assert response.status_code == 400


def test_deleting_a_vm_interface_deletes_its_terminations(api):
    interface = make(VMInterface)
    make(TunnelTermination, tunnel=make(Tunnel, encapsulation='gre'), termination=interface, role='peer')
    make(L2VPNTermination, l2vpn=make(L2VPN, type='vxlan'), assigned_object=interface)
    assert api.delete(f'/api/virtualization/interfaces/{interface.pk}/').status_code == 204
    assert not TunnelTermination.objects.exists() and not L2VPNTermination.objects.exists()
