"""
NetBox 4.7 DCIM additions: cooling components from templates, module bay types, moving installed modules, interface
channels with one path per channel, writable interface MAC addresses and the power-feed location filter.
"""
import pytest
from django.contrib.contenttypes.models import ContentType

from core.models import ObjectChange
from dcim.models import (
    CablePath,
    CoolingFeed,
    CoolingIntake,
    CoolingIntakeTemplate,
    CoolingOutflow,
    CoolingOutflowTemplate,
    CoolingSource,
    Device,
    DeviceType,
    Interface,
    InterfaceTemplate,
    Location,
    MACAddress,
    Module,
    ModuleBay,
    ModuleBayTemplate,
    ModuleBayType,
    ModuleType,
    PowerFeed,
    PowerPanel,
    Rack,
    Site,
)
from dcim.tests.test_cables import connect
from netbox.testing import make

pytestmark = pytest.mark.django_db


# Cooling

def test_cooling_components_are_made_from_device_type_templates():
    device_type = make(DeviceType, cooling_method='liquid')
    intake = CoolingIntakeTemplate.objects.create(device_type=device_type, name='supply', type='uqd', diameter=12,
                                                  diameter_unit='mm', max_flow=4, max_flow_unit='lpm')
    CoolingOutflowTemplate.objects.create(device_type=device_type, name='return', type='uqd', cooling_intake=intake)
    device = make(Device, device_type=device_type)
    made_intake = CoolingIntake.objects.get(device=device)
    made_outflow = CoolingOutflow.objects.get(device=device)
    assert (made_intake.name, made_intake.type, made_intake.max_flow_unit) == ('supply', 'uqd', 'lpm')
    assert made_intake.diameter == 12
    assert made_outflow.name == 'return'
    assert made_outflow.cooling_intake == made_intake  # the template link is carried over
    assert device.cooling_method == 'liquid'  # taken from the type


def test_cooling_components_are_made_from_module_type_templates(api):
    device = make(Device)
    bay = ModuleBay.objects.create(device=device, name='slot', position='3')
    module_type = make(ModuleType)
    CoolingIntakeTemplate.objects.create(module_type=module_type, name='cold-{module}')
    CoolingOutflowTemplate.objects.create(module_type=module_type, name='hot-{module}')
    response = api.post('/api/dcim/modules/', {'device': device.pk, 'module_bay': bay.pk,
                                               'module_type': module_type.pk}, format='json')
    assert response.status_code == 201, response.content
    module = Module.objects.get(pk=response.data['id'])
    assert list(CoolingIntake.objects.filter(module=module).values_list('name', flat=True)) == ['cold-3']
    assert list(CoolingOutflow.objects.filter(module=module).values_list('name', flat=True)) == ['hot-3']
    counts = api.get(f'/api/dcim/devices/{device.pk}/').json()
    assert (counts['cooling_intake_count'], counts['cooling_outflow_count']) == (1, 1)
    type_counts = api.get(f'/api/dcim/module-types/{module_type.pk}/').json()
    assert (type_counts['cooling_intake_template_count'], type_counts['cooling_outflow_template_count']) == (1, 1)


def test_cooling_feed_belongs_to_its_sources_site(api):
    source = make(CoolingSource)
    elsewhere = make(Rack)
    response = api.post('/api/dcim/cooling-feeds/', {'cooling_source': source.pk, 'name': 'loop-a',
                                                     'rack': elsewhere.pk}, format='json')
    assert response.status_code == 400
    assert 'rack' in response.json()
    rack = make(Rack, site=source.site)
    response = api.post('/api/dcim/cooling-feeds/', {'cooling_source': source.pk, 'name': 'loop-a', 'rack': rack.pk,
                                                     'cooling_capacity': 35.5, 'max_flow': 120,
                                                     'max_flow_unit': 'lpm'}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['max_flow_unit'] == {'value': 'lpm', 'label': 'Litres per minute'}
    assert api.get(f'/api/dcim/cooling-sources/{source.pk}/').json()['coolingfeed_count'] == 1
    assert api.get('/api/dcim/cooling-feeds/', {'site_id': source.site_id}).json()['count'] == 1
    assert api.get('/api/dcim/cooling-feeds/', {'cooling_capacity__gte': 40}).json()['count'] == 0
    assert CoolingFeed.objects.get().rack == rack


# Module bay types

@pytest.fixture
def bay_types():
    return make(ModuleBayType, name='SFP28', slug='sfp28'), make(ModuleBayType, name='QSFP', slug='qsfp')


def test_installing_an_incompatible_module_is_a_400_naming_the_field(api, bay_types):
    sfp, qsfp = bay_types
    device = make(Device)
    bay = ModuleBay.objects.create(device=device, name='port1')
    bay.module_bay_types.set([sfp])
    optic = make(ModuleType)
    optic.module_bay_types.set([qsfp])
    response = api.post('/api/dcim/modules/', {'device': device.pk, 'module_bay': bay.pk, 'module_type': optic.pk},
                        format='json')
    assert response.status_code == 400
    assert 'module_bay' in response.json()
    assert not Module.objects.exists()
    optic.module_bay_types.add(sfp)  # overlapping types fit
    response = api.post('/api/dcim/modules/', {'device': device.pk, 'module_bay': bay.pk, 'module_type': optic.pk},
                        format='json')
    assert response.status_code == 201, response.content
    assert response.json()['is_bay_compatible'] is True
    bay_row = api.get(f'/api/dcim/module-bays/{bay.pk}/').json()
    assert bay_row['is_module_compatible'] is True
    assert [row['slug'] for row in bay_row['module_bay_types']] == ['sfp28']


def test_a_side_without_types_accepts_anything(api, bay_types):
    sfp, _ = bay_types
    device = make(Device)
    open_bay = ModuleBay.objects.create(device=device, name='any')
    typed = make(ModuleType)
    typed.module_bay_types.set([sfp])
    response = api.post('/api/dcim/modules/', {'device': device.pk, 'module_bay': open_bay.pk,
                                               'module_type': typed.pk}, format='json')
    assert response.status_code == 201, response.content
    typed_bay = ModuleBay.objects.create(device=device, name='sfp')
    typed_bay.module_bay_types.set([sfp])
    untyped = make(ModuleType)
    response = api.post('/api/dcim/modules/', {'device': device.pk, 'module_bay': typed_bay.pk,
                                               'module_type': untyped.pk}, format='json')
    assert response.status_code == 201, response.content


def test_bay_templates_pass_their_types_to_bays(api, bay_types):
    sfp, _ = bay_types
    device_type = make(DeviceType)
    response = api.post('/api/dcim/module-bay-templates/', {'device_type': device_type.pk, 'name': 'cage',
                                                            'module_bay_types': [sfp.pk]}, format='json')
    assert response.status_code == 201, response.content
    device = make(Device, device_type=device_type)
    assert list(ModuleBay.objects.get(device=device).module_bay_types.all()) == [sfp]
    assert api.get('/api/dcim/module-bays/', {'module_bay_type': 'sfp28'}).json()['count'] == 1
    assert api.get('/api/dcim/module-bay-types/', {'module_bay_template_id': response.data['id']}).json()[
        'count'] == 1


# Moving modules

def test_moving_a_module_to_another_device_takes_its_children_and_components(api):
    carrier = make(ModuleType)
    ModuleBayTemplate.objects.create(module_type=carrier, name='sub{module}', position='{module}')
    InterfaceTemplate.objects.create(module_type=carrier, name='eth{module}', type='10gbase-t')
    optic = make(ModuleType)
    InterfaceTemplate.objects.create(module_type=optic, name='sfp{module}', type='10gbase-t')
    old, new = make(Device, name='old'), make(Device, name='new')
    old_bay = ModuleBay.objects.create(device=old, name='slot1', position='1')
    new_bay = ModuleBay.objects.create(device=new, name='slot7', position='7')
    card = Module.objects.create(device=old, module_bay=old_bay, module_type=carrier)
    child_bay = ModuleBay.objects.get(module=card)
    child = Module.objects.create(device=old, module_bay=child_bay, module_type=optic)
    response = api.patch(f'/api/dcim/modules/{card.pk}/', {'module_bay': new_bay.pk}, format='json')
    assert response.status_code == 200, response.content
    assert response.json()['device']['id'] == new.pk
    card.refresh_from_db()
    child.refresh_from_db()
    assert (card.device, card.module_bay) == (new, new_bay)
    assert child.device == new
    assert set(Interface.objects.filter(module__in=[card, child]).values_list('device', flat=True)) == {new.pk}
    assert ModuleBay.objects.get(pk=child_bay.pk).device == new
    assert not Interface.objects.filter(device=old).exists()
    changes = ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(Module),
                                          changed_object_id=card.pk, action=ObjectChange.ACTION_UPDATE)
    change = changes.get()
    assert (change.prechange_data['module_bay'], change.postchange_data['module_bay']) == (old_bay.pk, new_bay.pk)
    assert change.postchange_data['device'] == new.pk
    assert ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(Module),
                                       changed_object_id=child.pk, action=ObjectChange.ACTION_UPDATE).exists()


def test_a_module_cannot_move_into_its_own_subtree_or_an_occupied_bay(api):
    carrier = make(ModuleType)
    ModuleBayTemplate.objects.create(module_type=carrier, name='sub')
    device = make(Device)
    bay, taken = (ModuleBay.objects.create(device=device, name=name) for name in ('a', 'b'))
    card = Module.objects.create(device=device, module_bay=bay, module_type=carrier)
    Module.objects.create(device=device, module_bay=taken, module_type=make(ModuleType))
    own = ModuleBay.objects.get(module=card)
    for target in (own, taken):
        response = api.patch(f'/api/dcim/modules/{card.pk}/', {'module_bay': target.pk}, format='json')
        assert response.status_code == 400
        assert 'module_bay' in response.json()
    card.refresh_from_db()
    assert card.module_bay == bay


# Interfaces: channels, parents of templates, MAC addresses

def test_channel_interfaces_get_one_path_per_channel():
    left, right = make(Device, name='left'), make(Device, name='right')
    ports = [Interface.objects.create(device=device, name='et1', type='400gbase-x-osfp', channels=2)
             for device in (left, right)]
    connect(ports[0], ports[1])
    channels = {(device.name, number): Interface.objects.create(device=device, name=f'et1/{number}', type='channel',
                                                                parent=port, channel_id=number)
                for device, port in zip((left, right), ports, strict=True) for number in (1, 2)}
    for (name, number), channel in channels.items():
        channel = Interface.objects.get(pk=channel.pk)
        other = 'right' if name == 'left' else 'left'
        assert channel.connected_endpoints == [channels[other, number]]
        assert channel._path.is_complete and channel._path.is_active
    assert CablePath.objects.count() == 6  # both ends, plus one per channel


def test_channel_rules(api):
    port = Interface.objects.create(device=make(Device), name='et1', type='400gbase-x-osfp', channels=4)
    url = '/api/dcim/interfaces/'
    base = {'device': port.device_id, 'type': 'channel'}
    assert 'parent' in api.post(url, {**base, 'name': 'c1', 'channel_id': 1}, format='json').json()
    assert 'channel_id' in api.post(url, {**base, 'name': 'c5', 'parent': port.pk, 'channel_id': 5},
                                    format='json').json()
    response = api.post(url, {**base, 'name': 'c2', 'parent': port.pk, 'channel_id': 2}, format='json')
    assert response.status_code == 201, response.content
    assert (response.json()['channel_id'], response.json()['type']['value']) == (2, 'channel')
    assert api.get(url, {'channels': 4}).json()['count'] == 1
    assert api.get(url, {'channel_id': 2}).json()['count'] == 1


def test_interface_templates_carry_their_parent():
    device_type = make(DeviceType)
    parent = InterfaceTemplate.objects.create(device_type=device_type, name='et1', type='400gbase-x-osfp', channels=2)
    InterfaceTemplate.objects.create(device_type=device_type, name='et1/1', type='channel', parent=parent,
                                     channel_id=1)
    device = make(Device, device_type=device_type)
    child = Interface.objects.get(device=device, name='et1/1')
    assert child.parent.name == 'et1'
    assert (child.type, child.channel_id, child.parent.channels) == ('channel', 1, 2)


def test_writable_interface_mac_address_sets_the_primary_mac(api):
    interface = make(Interface)
    url = f'/api/dcim/interfaces/{interface.pk}/'
    response = api.patch(url, {'mac_address': '00:11:22:aa:bb:cc'}, format='json')
    assert response.status_code == 200, response.content
    assert response.json()['mac_address'] == '00:11:22:AA:BB:CC'
    mac = MACAddress.objects.get()
    assert mac.assigned_object == interface
    assert api.get(f'/api/dcim/mac-addresses/{mac.pk}/').json()['is_primary'] is True
    api.patch(url, {'mac_address': '00:11:22:aa:bb:dd'}, format='json')  # updates the same object
    mac.refresh_from_db()
    assert (MACAddress.objects.count(), mac.mac_address) == (1, '00:11:22:AA:BB:DD')
    assert 'mac_address' in api.patch(url, {'mac_address': 'not-a-mac'}, format='json').json()
    response = api.patch(url, {'mac_address': None}, format='json')
    assert response.json()['mac_address'] is None
    assert api.get(f'/api/dcim/mac-addresses/{mac.pk}/').json()['is_primary'] is False
    created = api.post('/api/dcim/interfaces/', {'device': interface.device_id, 'name': 'eth9', 'type': '1000base-t',
                                                 'mac_address': '02:00:00:00:00:09'}, format='json')
    assert created.status_code == 201, created.content
    assert created.json()['mac_address'] == '02:00:00:00:00:09'


# Power feeds by location

def test_power_feeds_filter_by_their_panels_location(api):
    site = make(Site)
    hall = Location.objects.create(site=site, name='Hall', slug='hall')
    room = Location.objects.create(site=site, name='Room', slug='room', parent=hall)
    panel = PowerPanel.objects.create(site=site, location=room, name='P1')
    PowerFeed.objects.create(power_panel=panel, name='F1')
    PowerFeed.objects.create(power_panel=PowerPanel.objects.create(site=site, name='P2'), name='F2')
    assert [row['name'] for row in api.get('/api/dcim/power-feeds/', {'location_id': hall.pk}).json()['results']] == \
        ['F1']
    assert api.get('/api/dcim/power-feeds/', {'location': 'room'}).json()['count'] == 1
