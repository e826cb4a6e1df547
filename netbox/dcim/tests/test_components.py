"""
Components from templates: a device gets its type's components in the transaction that creates it, a module gets its
type's with {module} replaced by its bay's position (nested modules too), links between templates carry over, a
failure leaves nothing behind, and the number of queries does not grow with the number of templates. Also name
patterns ('Gi1/[1-48]') and the page that adds components by pattern.
"""
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dcim.components import create_components_from_templates, expand_name_and_label, expand_name_pattern
from dcim.models import (
    ConsolePort,
    ConsolePortTemplate,
    Device,
    DeviceRole,
    DeviceType,
    FrontPortTemplate,
    Interface,
    InterfaceTemplate,
    InventoryItem,
    InventoryItemTemplate,
    Module,
    ModuleBay,
    ModuleBayTemplate,
    ModuleType,
    PortMapping,
    PortTemplateMapping,
    PowerOutlet,
    PowerOutletTemplate,
    PowerPort,
    PowerPortTemplate,
    RearPortTemplate,
    Site,
)
from netbox.testing import make

pytestmark = pytest.mark.django_db
# Queries to save a new device of a type with 48 interface, 2 power port and 1 console port templates: the device
# insert, one query finding which template kinds the type has, one for custom field defaults, per kind one to read
# the templates and one to insert the components, and the update of child devices that every save runs; and one
# insert of global search index values for the device and per component kind (netbox.cached_search).
DEVICE_FROM_SWITCH_TYPE_QUERIES = 16  # includes the savepoint pair of the atomic save


@pytest.fixture
def switch_type():
    """A 48-port switch type with two power supplies and a console port."""
    device_type = make(DeviceType, slug='switch-48')
    InterfaceTemplate.objects.bulk_create([
        InterfaceTemplate(device_type=device_type, name=f'Gi1/0/{n}', type='1000base-t') for n in range(1, 49)])
    PowerPortTemplate.objects.bulk_create([
        PowerPortTemplate(device_type=device_type, name=f'PSU{n}', type='iec-60320-c14', maximum_draw=250)
        for n in (1, 2)])
    ConsolePortTemplate.objects.create(device_type=device_type, name='Console', type='rj-45')
    return device_type


def device_payload(device_type, name='sw1'):
    return {'name': name, 'device_type': device_type.pk, 'role': make(DeviceRole).pk, 'site': make(Site).pk}


def component_names(model, device):
    return sorted(model.objects.filter(device=device).values_list('name', flat=True))


# Devices

def test_device_created_through_api_gets_every_component_of_its_type(api, switch_type):
    response = api.post('/api/dcim/devices/', device_payload(switch_type), format='json')
    assert response.status_code == 201, response.content
    device = Device.objects.get(pk=response.data['id'])
    assert Interface.objects.filter(device=device).count() == 48
    assert component_names(PowerPort, device) == ['PSU1', 'PSU2']
    assert component_names(ConsolePort, device) == ['Console']
    assert response.data['interface_count'] == 48
    assert response.data['power_port_count'] == 2
    assert response.data['console_port_count'] == 1


def test_device_created_through_model_gets_every_component_of_its_type(switch_type):
    device = make(Device, device_type=switch_type)
    assert Interface.objects.filter(device=device, type='1000base-t').count() == 48
    assert set(PowerPort.objects.filter(device=device).values_list('maximum_draw', flat=True)) == {250}
    assert ConsolePort.objects.get(device=device).type == 'rj-45'


def test_component_fields_come_from_the_template():
    device_type = make(DeviceType)
    InterfaceTemplate.objects.create(device_type=device_type, name='mgmt0', label='Management', type='1000base-t',
                                     mgmt_only=True, enabled=False, description='out of band')
    interface = Interface.objects.get(device=make(Device, device_type=device_type))
    assert (interface.name, interface.label, interface.mgmt_only, interface.enabled, interface.description) == \
        ('mgmt0', 'Management', True, False, 'out of band')
    # Empty template choices become the component's empty value rather than a NULL it cannot store.
    assert interface.poe_mode == '' and interface.rf_role == ''


def test_power_outlets_are_fed_by_the_power_port_their_template_names():
    device_type = make(DeviceType)
    inlet = PowerPortTemplate.objects.create(device_type=device_type, name='Inlet')
    PowerOutletTemplate.objects.create(device_type=device_type, name='Out1', power_port=inlet, feed_leg='A')
    PowerOutletTemplate.objects.create(device_type=device_type, name='Out2')
    device = make(Device, device_type=device_type)
    outlets = {o.name: o for o in PowerOutlet.objects.filter(device=device).select_related('power_port')}
    assert outlets['Out1'].power_port.name == 'Inlet' and outlets['Out1'].power_port.device == device
    assert outlets['Out1'].feed_leg == 'A'
    assert outlets['Out2'].power_port is None


def test_front_to_rear_port_template_mappings_become_port_mappings():
    device_type = make(DeviceType)
    rear = RearPortTemplate.objects.create(device_type=device_type, name='Rear', type='mpo', positions=2)
    for position in (1, 2):
        front = FrontPortTemplate.objects.create(device_type=device_type, name=f'Front{position}', type='lc')
        PortTemplateMapping.objects.create(front_port=front, rear_port=rear, rear_port_position=position)
    device = make(Device, device_type=device_type)
    mappings = PortMapping.objects.filter(front_port__device=device).select_related('front_port', 'rear_port')
    assert sorted((m.front_port.name, m.rear_port.name, m.rear_port_position) for m in mappings) == \
        [('Front1', 'Rear', 1), ('Front2', 'Rear', 2)]
    assert all(m.rear_port.device_id == device.pk for m in mappings)


def test_interface_bridges_and_inventory_item_tree_carry_over():
    device_type = make(DeviceType)
    bridge = InterfaceTemplate.objects.create(device_type=device_type, name='br0', type='bridge')
    InterfaceTemplate.objects.create(device_type=device_type, name='eth0', type='1000base-t', bridge=bridge)
    chassis = InventoryItemTemplate.objects.create(device_type=device_type, name='Chassis')
    InventoryItemTemplate.objects.create(device_type=device_type, name='Fan', parent=chassis)
    device = make(Device, device_type=device_type)
    assert Interface.objects.get(device=device, name='eth0').bridge.name == 'br0'
    fan = InventoryItem.objects.get(device=device, name='Fan')
    assert fan.parent.name == 'Chassis' and fan.parent.device_id == device.pk


def test_a_template_making_an_invalid_component_rolls_the_device_back(api, switch_type):
    InterfaceTemplate.objects.filter(device_type=switch_type, name='Gi1/0/30').update(type='no-such-type')
    response = api.post('/api/dcim/devices/', device_payload(switch_type), format='json')
    assert response.status_code == 400
    assert 'Gi1/0/30' in str(response.data)
    assert not Device.objects.exists()
    assert not Interface.objects.exists() and not PowerPort.objects.exists() and not ConsolePort.objects.exists()


def test_a_database_error_midway_rolls_the_device_back(api, switch_type, monkeypatch):
    """Console and power ports are in; the interfaces fail to insert: nothing may remain."""
    from django.db import IntegrityError

    manager_class = type(ConsolePort.objects)
    original = manager_class.bulk_create
    inserted = []

    def failing_insert(self, objs, *args, **kwargs):
        if self.model is Interface:
            raise IntegrityError('simulated failure')
        inserted.append(self.model)
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(manager_class, 'bulk_create', failing_insert)
    response = api.post('/api/dcim/devices/', device_payload(switch_type), format='json')
    assert response.status_code in (400, 409)
    assert ConsolePort in inserted and PowerPort in inserted
    assert not Device.objects.exists() and not Interface.objects.exists() and not PowerPort.objects.exists()


def test_model_creation_inside_a_transaction_rolls_back_whole():
    device_type = make(DeviceType)
    InterfaceTemplate.objects.create(device_type=device_type, name='eth0', type='1000base-t')
    InterfaceTemplate.objects.filter(device_type=device_type).update(type='bogus')
    with pytest.raises(ValidationError), transaction.atomic():
        make(Device, device_type=device_type)
    assert not Device.objects.filter(device_type=device_type).exists()
    assert not Interface.objects.exists()


def warm_content_types():
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(Interface, PowerPort, ConsolePort)


def test_device_from_48_interface_type_takes_a_fixed_number_of_queries(switch_type):
    device = Device(name='sw1', device_type=switch_type, role=make(DeviceRole), site=make(Site))
    warm_content_types()
    with CaptureQueriesContext(connection) as context:
        device.save()
    assert Interface.objects.filter(device=device).count() == 48
    assert len(context.captured_queries) == DEVICE_FROM_SWITCH_TYPE_QUERIES


def test_query_count_does_not_depend_on_the_number_of_templates(switch_type):
    small = make(DeviceType)
    InterfaceTemplate.objects.create(device_type=small, name='eth0', type='1000base-t')
    PowerPortTemplate.objects.create(device_type=small, name='PSU1')
    ConsolePortTemplate.objects.create(device_type=small, name='Console')

    def queries(device_type, name):
        device = Device(name=name, device_type=device_type, role=make(DeviceRole), site=make(Site))
        warm_content_types()
        with CaptureQueriesContext(connection) as context:
            device.save()
        return len(context.captured_queries)

    assert queries(small, 'small') == queries(switch_type, 'big')


def test_api_creation_logs_each_component(api, switch_type):
    from core.models import ObjectChange

    response = api.post('/api/dcim/devices/', device_payload(switch_type), format='json')
    assert response.status_code == 201
    logged = ObjectChange.objects.filter(related_object_id=response.data['id'], action='create')
    assert logged.filter(changed_object_type__model='interface').count() == 48
    assert logged.get(object_repr='Gi1/0/7').postchange_data['name'] == 'Gi1/0/7'


def test_api_creation_queries_do_not_depend_on_the_number_of_templates(api, switch_type):
    """Components and their change-log records are written per kind, not per component (33 queries when written;
    40 with making the role and site; 46 with the global search index values of the role, site, device and each of the
    three component kinds)."""
    small = make(DeviceType)
    InterfaceTemplate.objects.create(device_type=small, name='eth0', type='1000base-t')
    PowerPortTemplate.objects.create(device_type=small, name='PSU1')
    ConsolePortTemplate.objects.create(device_type=small, name='Console')
    api.post('/api/dcim/devices/', device_payload(make(DeviceType), 'warm-up'), format='json')

    def queries(device_type, name):
        with CaptureQueriesContext(connection) as context:
            assert api.post('/api/dcim/devices/', device_payload(device_type, name), format='json').status_code == 201
        return len(context.captured_queries)

    assert queries(switch_type, 'big') == queries(small, 'small') <= 46


def test_custom_field_defaults_are_applied_to_components(switch_type):
    from django.contrib.contenttypes.models import ContentType

    from extras.models import CustomField

    field = CustomField.objects.create(name='patched', type='boolean', default=False)
    field.object_types.set([ContentType.objects.get_for_model(Interface)])
    device = make(Device, device_type=switch_type)
    assert Interface.objects.filter(device=device, custom_field_data__patched=False).count() == 48
    assert PowerPort.objects.get(device=device, name='PSU1').custom_field_data == {}


# Modules

def module_type_with(*names, **kwargs):
    module_type = make(ModuleType, **kwargs)
    for name in names:
        InterfaceTemplate.objects.create(module_type=module_type, name=name, type='10gbase-x-sfpp')
    return module_type


def test_installing_a_module_replaces_module_token_with_the_bay_position():
    device = make(Device)
    bay = ModuleBay.objects.create(device=device, name='Slot 2', position='2')
    module_type = module_type_with('xe-{module}/0/0', 'xe-{module}/0/1')
    module = Module.objects.create(device=device, module_bay=bay, module_type=module_type)
    interfaces = Interface.objects.filter(device=device)
    assert sorted(i.name for i in interfaces) == ['xe-2/0/0', 'xe-2/0/1']
    assert all(i.module_id == module.pk for i in interfaces)


def test_module_installed_through_api_gets_its_components(api):
    device = make(Device)
    bay = ModuleBay.objects.create(device=device, name='Slot 1', position='1')
    module_type = module_type_with('Te{module}/1')
    response = api.post('/api/dcim/modules/', {'device': device.pk, 'module_bay': bay.pk,
                                               'module_type': module_type.pk}, format='json')
    assert response.status_code == 201, response.content
    assert component_names(Interface, device) == ['Te1/1']


def test_module_bays_of_a_device_type_come_with_the_device():
    device_type = make(DeviceType)
    ModuleBayTemplate.objects.create(device_type=device_type, name='Slot 1', position='1')
    device = make(Device, device_type=device_type)
    assert ModuleBay.objects.get(device=device).position == '1'


def test_nested_module_takes_the_position_of_its_own_bay():
    device = make(Device)
    slot = ModuleBay.objects.create(device=device, name='Slot 3', position='3')
    line_card = make(ModuleType)
    ModuleBayTemplate.objects.create(module_type=line_card, name='SFP {module}/1', position='{module}/1')
    card = Module.objects.create(device=device, module_bay=slot, module_type=line_card)
    sfp_bay = ModuleBay.objects.get(module=card)
    assert (sfp_bay.name, sfp_bay.position) == ('SFP 3/1', '3/1')

    optic = module_type_with('eth{module}')
    Module.objects.create(device=device, module_bay=sfp_bay, module_type=optic)
    assert component_names(Interface, device) == ['eth3/1']


def test_one_token_per_nesting_level_takes_each_levels_position():
    device = make(Device)
    slot = ModuleBay.objects.create(device=device, name='Slot 4', position='4')
    carrier = make(ModuleType)
    ModuleBayTemplate.objects.create(module_type=carrier, name='Sub 2', position='2')
    card = Module.objects.create(device=device, module_bay=slot, module_type=carrier)
    sub_bay = ModuleBay.objects.get(module=card)
    Module.objects.create(device=device, module_bay=sub_bay, module_type=module_type_with('Gi{module}/{module}/0'))
    assert component_names(Interface, device) == ['Gi4/2/0']


def test_module_clashing_with_an_existing_component_name_is_refused_whole():
    device = make(Device)
    Interface.objects.create(device=device, name='xe-1/0/1', type='virtual')
    bay = ModuleBay.objects.create(device=device, name='Slot 1', position='1')
    module_type = module_type_with('xe-{module}/0/0', 'xe-{module}/0/1')
    with pytest.raises(ValidationError, match='xe-1/0/1'), transaction.atomic():
        Module.objects.create(device=device, module_bay=bay, module_type=module_type)
    assert not Module.objects.exists()
    assert component_names(Interface, device) == ['xe-1/0/1']


def test_create_components_returns_the_components_by_template():
    device_type = make(DeviceType)
    template = InterfaceTemplate.objects.create(device_type=device_type, name='eth0', type='1000base-t')
    device = Device(name='d', device_type=make(DeviceType), role=make(DeviceRole), site=make(Site))
    device.save()
    device.device_type = device_type
    created = create_components_from_templates(device)
    assert created['interfacetemplates'][template.pk].name == 'eth0'


# Template rules

def test_power_outlet_template_cannot_use_a_power_port_of_another_type():
    inlet = PowerPortTemplate.objects.create(device_type=make(DeviceType), name='Inlet')
    outlet = PowerOutletTemplate(device_type=make(DeviceType), name='Out', power_port=inlet)
    with pytest.raises(ValidationError, match='another type'):
        outlet.full_clean()


def test_port_template_mapping_positions_must_exist():
    device_type = make(DeviceType)
    rear = RearPortTemplate.objects.create(device_type=device_type, name='Rear', type='mpo', positions=2)
    front = FrontPortTemplate.objects.create(device_type=device_type, name='Front', type='lc')
    with pytest.raises(ValidationError, match='positions 1 to 2'):
        PortTemplateMapping(front_port=front, rear_port=rear, rear_port_position=3).full_clean()


# Name patterns

@pytest.mark.parametrize('pattern, expected', [
    ('eth0', ['eth0']),
    ('Gi1/[1-3]', ['Gi1/1', 'Gi1/2', 'Gi1/3']),
    ('[ge,xe]-0/0/[0-1]', ['ge-0/0/0', 'ge-0/0/1', 'xe-0/0/0', 'xe-0/0/1']),
    ('port[08-11]', ['port08', 'port09', 'port10', 'port11']),
    ('[a-c]1', ['a1', 'b1', 'c1']),
    ('PSU[1,3-4]', ['PSU1', 'PSU3', 'PSU4']),
])
def test_expand_name_pattern(pattern, expected):
    assert expand_name_pattern(pattern) == expected


def test_expand_name_pattern_counts():
    assert len(expand_name_pattern('Gi1/[1-48]')) == 48
    assert len(expand_name_pattern('[ge,xe]-0/0/[0-3]')) == 8
    assert expand_name_pattern('Gi1/[001-100]')[-1] == 'Gi1/100'
    assert expand_name_pattern('Gi1/[001-100]')[0] == 'Gi1/001'


@pytest.mark.parametrize('pattern', ['Gi[3-1]', 'Gi[1-', 'Gi1]', 'x[1,,2]', '[a-C]', 'x[1-99999]'])
def test_bad_name_patterns_are_refused(pattern):
    with pytest.raises(ValidationError):
        expand_name_pattern(pattern)


def test_label_pattern_must_give_as_many_values_as_names():
    assert expand_name_and_label('eth[0-1]', 'Port [1-2]') == [('eth0', 'Port 1'), ('eth1', 'Port 2')]
    with pytest.raises(ValidationError):
        expand_name_and_label('eth[0-1]', 'Port [1-3]')


# The add-by-pattern page

@pytest.fixture
def browser(client, superuser):
    client.force_login(superuser)
    return client


PATTERN_PAGE = '/dcim/interfaces/add-by-pattern/'


def test_pattern_page_shows_the_form_for_a_device(browser):
    device = make(Device)
    response = browser.get(PATTERN_PAGE, {'device': device.pk})
    assert response.status_code == 200
    assert b'name="name_pattern"' in response.content


def test_pattern_page_creates_every_named_component(browser):
    device = make(Device)
    response = browser.post(PATTERN_PAGE, {'device': device.pk, 'kind': 'interface', 'name_pattern': 'Gi1/0/[1-48]',
                                           'label_pattern': 'Port [1-48]', 'type': '1000base-t'})
    assert response.status_code == 302 and response['Location'] == device.get_absolute_url()
    interfaces = Interface.objects.filter(device=device)
    assert interfaces.count() == 48
    assert interfaces.get(name='Gi1/0/48').label == 'Port 48'


def test_pattern_page_serves_other_component_kinds(browser):
    device = make(Device)
    browser.post(PATTERN_PAGE, {'device': device.pk, 'kind': 'powerport', 'name_pattern': 'PSU[0-1]'})
    assert component_names(PowerPort, device) == ['PSU0', 'PSU1']


def test_pattern_page_refuses_a_label_count_mismatch(browser):
    device = make(Device)
    response = browser.post(PATTERN_PAGE, {'device': device.pk, 'kind': 'interface', 'name_pattern': 'eth[0-3]',
                                           'label_pattern': 'Port [1-2]', 'type': '1000base-t'})
    assert response.status_code == 200
    assert b'label pattern gives 2 values' in response.content
    assert not Interface.objects.exists()


def test_pattern_page_creates_all_or_nothing(browser):
    device = make(Device)
    Interface.objects.create(device=device, name='eth2', type='virtual')
    response = browser.post(PATTERN_PAGE, {'device': device.pk, 'kind': 'interface', 'name_pattern': 'eth[0-3]',
                                           'type': '1000base-t'})
    assert response.status_code == 200
    assert b'eth2' in response.content
    assert component_names(Interface, device) == ['eth2']


def test_pattern_page_needs_add_permission_on_the_kind(client, plain_user):
    from netbox.testing import grant

    device = make(Device)
    grant(plain_user, Device, ['view'])
    grant(plain_user, PowerPort, ['add', 'view'])
    client.force_login(plain_user)
    response = client.post(PATTERN_PAGE, {'device': device.pk, 'kind': 'interface', 'name_pattern': 'eth[0-1]',
                                          'type': '1000base-t'})
    assert response.status_code == 403
    assert not Interface.objects.exists()


def test_pattern_page_needs_login(client):
    response = client.get(PATTERN_PAGE)
    assert response.status_code == 302 and '/login/' in response['Location']
