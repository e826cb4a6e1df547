"""VPN and wireless pages: a tunnel's page lists its terminations; a wireless link's page shows both ends; the
menus exist."""
import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import Interface
from netbox.testing import make
from vpn.models import Tunnel, TunnelTermination
from wireless.models import WirelessLink

pytestmark = pytest.mark.django_db


def test_tunnel_page_lists_its_terminations(admin_client):
    tunnel = make(Tunnel, encapsulation='gre')
    interface = make(Interface, name='tun-end-0')
    termination = TunnelTermination.objects.create(
        tunnel=tunnel, termination_type=ContentType.objects.get_for_model(Interface), termination_id=interface.pk)
    page = admin_client.get(f'/vpn/tunnels/{tunnel.pk}/')
    assert page.status_code == 200
    html = page.content.decode()
    assert str(termination) in html and f'/vpn/tunnel-terminations/{termination.pk}/' in html


def test_wireless_link_page_shows_both_ends(admin_client):
    a = make(Interface, type='ieee802.11ac', name='radio-a')
    b = make(Interface, type='ieee802.11ac', name='radio-b')
    link = WirelessLink.objects.create(interface_a=a, interface_b=b, ssid='backhaul')
    html = admin_client.get(f'/wireless/wireless-links/{link.pk}/').content.decode()
    assert 'radio-a' in html and 'radio-b' in html


def test_vpn_and_wireless_menus(admin_client):
    html = admin_client.get('/vpn/tunnels/').content.decode()
    assert 'VPN' in html and 'Wireless' in html and '/wireless/wireless-lans/' in html
