"""Power arithmetic: feeds' available power, PDU port draw (total and per leg), rack and feed utilisation."""
import json
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from dcim.models import Cable, Device, PowerFeed, PowerOutlet, PowerPanel, PowerPort, Rack
from dcim.power import available_power, feed_power, power_port_power, rack_power
from netbox.testing import make

pytestmark = pytest.mark.django_db
REFERENCE = json.loads((Path(__file__).resolve().parents[4] / 'shared' / 'reference' /
                        'netbox-4.7-api.json').read_text())


# Available power

def test_single_phase_available_power_is_volts_times_amps_times_utilisation():
    assert available_power(230, 32, 80) == 5888


def test_three_phase_available_power_includes_root_three():
    assert available_power(400, 32, 80, 'three-phase') == 17736  # 400 * 32 * 0.8 * 1.7320508


def test_negative_dc_voltage_counts_by_magnitude():
    assert available_power(-48, 50, 100) == 2400


def test_saved_feed_stores_the_same_available_power():
    feed = make(PowerFeed, voltage=400, amperage=16, max_utilization=80, phase='three-phase')
    assert feed.available_power == available_power(400, 16, 80, 'three-phase')


# A PDU power port and what its outlets feed

@pytest.fixture
def pdu():
    """A PDU with inlet `inlet` feeding outlets on legs A and B, a second inlet with its own outlet, and a server
    power supply behind each outlet."""
    device = make(Device, name='pdu')
    inlet = make(PowerPort, device=device, name='inlet')
    other_inlet = make(PowerPort, device=device, name='inlet2')
    outlets = {
        'A': make(PowerOutlet, device=device, name='out-a', power_port=inlet, feed_leg='A'),
        'B': make(PowerOutlet, device=device, name='out-b', power_port=inlet, feed_leg='B'),
        'other': make(PowerOutlet, device=device, name='out-x', power_port=other_inlet, feed_leg='A'),
    }
    server = make(Device, name='server')
    supplies = {
        'A': make(PowerPort, device=server, name='psu1', allocated_draw=100, maximum_draw=200),
        'B': make(PowerPort, device=server, name='psu2', allocated_draw=50, maximum_draw=80),
        'other': make(PowerPort, device=server, name='psu3', allocated_draw=999, maximum_draw=999),
    }
    return inlet, outlets, supplies


def in_device_linkage(outlets, supplies):
    """A downstream function that knows which supply each outlet feeds without any cable."""
    by_outlet = {outlet.pk: [supplies[key]] for key, outlet in outlets.items()}
    return lambda given: {outlet.pk: by_outlet.get(outlet.pk, []) for outlet in given}


def test_port_draw_sums_what_its_own_outlets_feed(pdu):
    inlet, outlets, supplies = pdu
    power = power_port_power(inlet, downstream=in_device_linkage(outlets, supplies))
    assert (power.draw.allocated, power.draw.maximum, power.draw.port_count) == (150, 280, 2)
    assert power.outlet_count == 2


def test_port_draw_breaks_down_by_feed_leg(pdu):
    inlet, outlets, supplies = pdu
    power = power_port_power(inlet, downstream=in_device_linkage(outlets, supplies))
    assert {leg.leg: leg.draw.allocated for leg in power.legs} == {'A': 100, 'B': 50, 'C': 0}


def test_three_phase_legs_are_measured_against_a_third_of_the_feed(pdu):
    inlet, outlets, supplies = pdu
    feed = make(PowerFeed, voltage=400, amperage=10, max_utilization=100, phase='three-phase')  # 6928 W
    power = power_port_power(inlet, downstream=in_device_linkage(outlets, supplies), feed=feed)
    leg_a = next(leg for leg in power.legs if leg.leg == 'A')
    assert leg_a.available == 2309
    assert leg_a.utilisation == 4.3  # 100 W of 2309 W
    assert power.utilisation == 2.2  # 150 W of 6928 W


def test_port_draw_follows_cables_from_outlets_by_default(pdu):
    inlet, outlets, supplies = pdu
    Cable(a_terminations=[outlets['A']], b_terminations=[supplies['A']]).save()
    Cable(a_terminations=[outlets['other']], b_terminations=[supplies['other']]).save()
    power = power_port_power(inlet)
    assert (power.draw.allocated, power.draw.port_count) == (100, 1)


def test_port_finds_the_feed_it_is_cabled_to(pdu):
    inlet, _, _ = pdu
    feed = make(PowerFeed)
    Cable(a_terminations=[feed], b_terminations=[inlet]).save()
    inlet.refresh_from_db()  # cabling stores the path in the database
    assert power_port_power(inlet).feed == feed


# Racks and feeds

@pytest.fixture
def loaded_rack():
    """A rack holding 400 W of expected draw (100 allocated + 300 maximum only), fed by two 5888 W feeds."""
    rack = make(Rack, u_height=42)
    racked = make(Device, site=rack.site, rack=rack)
    make(PowerPort, device=racked, name='psu1', allocated_draw=100, maximum_draw=150)
    make(PowerPort, device=racked, name='psu2', maximum_draw=300)
    make(PowerPort, device=make(Device, site=rack.site), name='elsewhere', allocated_draw=5000)
    panel = make(PowerPanel, site=rack.site)
    feeds = [make(PowerFeed, power_panel=panel, rack=rack, name=name, voltage=230, amperage=32, max_utilization=80)
             for name in ('feed-a', 'feed-b')]
    return rack, feeds


def test_rack_draw_uses_allocated_draw_falling_back_to_maximum(loaded_rack):
    rack, _ = loaded_rack
    assert rack_power(rack).allocated == 400


def test_rack_utilisation_per_feed_and_overall(loaded_rack):
    rack, feeds = loaded_rack
    power = rack_power(rack)
    assert [(load.feed, load.utilisation) for load in power.feeds] == [(feeds[0], 6.8), (feeds[1], 6.8)]
    assert (power.available, power.utilisation) == (11776, 3.4)


def test_rack_without_feeds_has_no_utilisation():
    assert rack_power(make(Rack)).utilisation is None


def test_unconnected_feed_takes_the_draw_of_its_rack(loaded_rack):
    _, feeds = loaded_rack
    power = feed_power(feeds[0])
    assert (power.source, power.allocated, power.utilisation) == ('rack', 400, 6.8)


def test_connected_feed_takes_the_draw_behind_its_pdu_port(pdu):
    inlet, outlets, supplies = pdu
    feed = make(PowerFeed, voltage=230, amperage=10, max_utilization=100)  # 2300 W
    Cable(a_terminations=[feed], b_terminations=[inlet]).save()
    Cable(a_terminations=[outlets['B']], b_terminations=[supplies['B']]).save()
    feed.refresh_from_db()  # cabling stores the path in the database
    power = feed_power(feed)
    assert (power.source, power.allocated, power.utilisation) == ('port', 50, 2.2)


def test_feed_without_rack_or_connection_has_no_draw():
    power = feed_power(make(PowerFeed))
    assert (power.source, power.allocated, power.utilisation) == (None, None, None)


# What users see

def test_feed_panel_shows_available_power_and_utilisation(loaded_rack):
    _, feeds = loaded_rack
    html = render_to_string('dcim/powerfeed_utilisation.html', {'object': feeds[0]})
    assert '5888 W' in html
    assert '400 W' in html
    assert '6.8%' in html


def test_power_feed_declaration_adds_the_panel():
    assert 'dcim/powerfeed_utilisation.html' in PowerFeed._declaration.detail_templates


def test_power_feed_list_fields_still_match_the_reference(api):
    make(PowerFeed)
    row = api.get('/api/dcim/power-feeds/').json()['results'][0]
    assert set(row) == set(REFERENCE['/api/dcim/power-feeds/']['fields'])
