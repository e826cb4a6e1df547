"""
devicetype-library YAML: importing creates the manufacturer (when missing), the type and all its templates in one
transaction; any error is reported under its path and nothing is saved; exporting gives YAML that imports back to the
same type. Through the library functions, the REST API and the UI pages.
"""
import textwrap

import pytest
import yaml
from django.core.exceptions import ValidationError

from dcim.library import export_type, import_types
from dcim.models import (
    ConsolePortTemplate,
    DeviceBayTemplate,
    DeviceType,
    FrontPortTemplate,
    InterfaceTemplate,
    InventoryItemTemplate,
    Manufacturer,
    ModuleBayTemplate,
    ModuleType,
    PortTemplateMapping,
    PowerOutletTemplate,
    PowerPortTemplate,
    RearPortTemplate,
)
from netbox.testing import client_for, grant, make

pytestmark = pytest.mark.django_db


def switch_yaml(model='EX4300-48T', manufacturer='Juniper'):
    """A 48-port switch as the library describes it."""
    interfaces = '\n'.join(f'  - name: ge-0/0/{n}\n    type: 1000base-t' for n in range(48))
    return textwrap.dedent(f'''\
        manufacturer: {manufacturer}
        model: {model}
        slug: {model.lower()}
        part_number: {model}-AFO
        u_height: 1
        is_full_depth: true
        airflow: front-to-rear
        weight: 7.6
        weight_unit: kg
        comments: A switch
        console-ports:
          - name: Console
            type: rj-45
        power-ports:
          - name: PSU0
            type: iec-60320-c14
            maximum_draw: 350
          - name: PSU1
            type: iec-60320-c14
            maximum_draw: 350
        interfaces:
          - name: em0
            type: 1000base-t
            mgmt_only: true
        ''') + interfaces + '\n'


PATCH_PANEL = textwrap.dedent('''\
    manufacturer: Generic
    model: 4-port LC patch panel
    slug: generic-4-port-lc
    u_height: 1
    is_full_depth: false
    rear-ports:
      - name: Rear
        type: mpo
        positions: 4
    front-ports:
      - name: Port 1
        type: lc
        rear_port: Rear
        rear_port_position: 1
      - name: Port 2
        type: lc
        rear_port: Rear
        rear_port_position: 2
    ''')

PDU = textwrap.dedent('''\
    manufacturer: APC
    model: AP7900
    slug: apc-ap7900
    u_height: 1
    is_full_depth: false
    subdevice_role: parent
    power-ports:
      - name: Input
        type: nema-5-15p
    power-outlets:
      - name: Outlet 1
        type: nema-5-15r
        power_port: Input
        feed_leg: A
    device-bays:
      - name: Bay 1
    module-bays:
      - name: PSU bay
        position: '1'
    inventory-items:
      - name: Controller
        manufacturer: APC
        part_id: NMC2
    ''')

LINE_CARD = textwrap.dedent('''\
    manufacturer: Juniper
    model: MPC7E
    part_number: MPC7E-10G
    interfaces:
      - name: xe-{module}/0/0
        type: 10gbase-x-sfpp
      - name: xe-{module}/0/1
        type: 10gbase-x-sfpp
    module-bays:
      - name: PIC {module}/0
        position: '{module}/0'
    ''')


def nothing_saved():
    return not (DeviceType.objects.exists() or Manufacturer.objects.exists() or InterfaceTemplate.objects.exists()
                or PowerPortTemplate.objects.exists() or ConsolePortTemplate.objects.exists())


# Importing

def test_import_48_port_switch_creates_type_manufacturer_and_templates():
    [device_type] = import_types(switch_yaml())
    assert device_type.manufacturer.name == 'Juniper' and device_type.manufacturer.slug == 'juniper'
    assert (device_type.model, device_type.slug, device_type.part_number) == ('EX4300-48T', 'ex4300-48t',
                                                                             'EX4300-48T-AFO')
    assert (device_type.u_height, device_type.airflow, float(device_type.weight)) == (1, 'front-to-rear', 7.6)
    assert InterfaceTemplate.objects.filter(device_type=device_type, type='1000base-t').count() == 49
    assert InterfaceTemplate.objects.get(device_type=device_type, name='em0').mgmt_only is True
    assert sorted(PowerPortTemplate.objects.filter(device_type=device_type).values_list('name', 'maximum_draw')) == \
        [('PSU0', 350), ('PSU1', 350)]
    assert ConsolePortTemplate.objects.get(device_type=device_type).type == 'rj-45'


def test_import_reuses_an_existing_manufacturer_by_name():
    existing = make(Manufacturer, name='Juniper Networks', slug='juniper-networks')
    [device_type] = import_types(switch_yaml(manufacturer='juniper networks'))
    assert device_type.manufacturer == existing
    assert Manufacturer.objects.count() == 1


def test_import_links_outlets_bays_and_inventory_items():
    [pdu] = import_types(PDU)
    outlet = PowerOutletTemplate.objects.get(device_type=pdu)
    assert (outlet.power_port.name, outlet.feed_leg) == ('Input', 'A')
    assert DeviceBayTemplate.objects.get(device_type=pdu).name == 'Bay 1'
    assert ModuleBayTemplate.objects.get(device_type=pdu).position == '1'
    item = InventoryItemTemplate.objects.get(device_type=pdu)
    assert (item.manufacturer.name, item.part_id) == ('APC', 'NMC2')


def test_import_maps_front_ports_onto_rear_positions():
    [panel] = import_types(PATCH_PANEL)
    mappings = PortTemplateMapping.objects.filter(front_port__device_type=panel).select_related('front_port',
                                                                                               'rear_port')
    assert sorted((mp.front_port.name, mp.rear_port.name, mp.rear_port_position) for mp in mappings) == \
        [('Port 1', 'Rear', 1), ('Port 2', 'Rear', 2)]


def test_import_reads_the_port_mappings_list():
    text = PATCH_PANEL.replace('    rear_port: Rear\n    rear_port_position: 1\n', '').replace(
        '    rear_port: Rear\n    rear_port_position: 2\n', '') + textwrap.dedent('''\
        port-mappings:
          - front_port: Port 1
            front_port_position: 1
            rear_port: Rear
            rear_port_position: 3
        ''')
    [panel] = import_types(text)
    mapping = PortTemplateMapping.objects.get(front_port__device_type=panel)
    assert (mapping.front_port.name, mapping.rear_port_position) == ('Port 1', 3)


def test_import_module_type_keeps_module_tokens():
    [module_type] = import_types(LINE_CARD, ModuleType)
    assert module_type.part_number == 'MPC7E-10G'
    assert sorted(InterfaceTemplate.objects.filter(module_type=module_type).values_list('name', flat=True)) == \
        ['xe-{module}/0/0', 'xe-{module}/0/1']
    assert ModuleBayTemplate.objects.get(module_type=module_type).position == '{module}/0'


def test_import_several_documents_creates_several_types():
    created = import_types(switch_yaml('A') + '---\n' + switch_yaml('B'))
    assert sorted(t.model for t in created) == ['A', 'B']
    assert InterfaceTemplate.objects.count() == 98


def test_library_keys_without_a_field_here_are_accepted():
    [device_type] = import_types(switch_yaml() + 'front_image: true\nis_powered: true\n')
    assert device_type.model == 'EX4300-48T'


# Errors: the path of the value at fault, and nothing saved

def errors_of(text, model=DeviceType):
    with pytest.raises(ValidationError) as info:
        import_types(text, model)
    return info.value.message_dict


def test_bad_choice_names_its_path_and_saves_nothing():
    text = switch_yaml().replace('  - name: ge-0/0/2\n    type: 1000base-t', '  - name: ge-0/0/2\n    type: foo')
    errors = errors_of(text)
    assert errors == {'interfaces[3].type': ['"foo" is not a valid choice.']}
    assert nothing_saved()


def test_every_error_is_reported_at_once():
    text = switch_yaml().replace('maximum_draw: 350', 'maximum_draw: lots').replace('type: rj-45', 'type: rj-99')
    errors = errors_of(text)
    assert set(errors) == {'power-ports[0].maximum_draw', 'power-ports[1].maximum_draw', 'console-ports[0].type'}


def test_bad_type_field_is_reported_under_its_name():
    errors = errors_of(switch_yaml().replace('u_height: 1', 'u_height: 1.3'))
    assert 'u_height' in errors
    assert nothing_saved()


def test_missing_manufacturer_and_unknown_keys_are_reported():
    text = switch_yaml().replace('manufacturer: Juniper\n', '').replace('comments:', 'colour: red\ncomments:')
    errors = errors_of(text)
    assert errors['manufacturer'] == ['This field is required.']
    assert errors['colour'] == ['Unknown field.']


def test_unknown_power_port_is_reported():
    errors = errors_of(PDU.replace('power_port: Input', 'power_port: Inlet'))
    assert errors == {'power-outlets[0].power_port': ['No power port named "Inlet".']}


def test_rear_position_out_of_range_is_reported():
    errors = errors_of(PATCH_PANEL.replace('rear_port_position: 2', 'rear_port_position: 9'))
    assert list(errors) == ['front-ports[1].rear_port_position']
    assert nothing_saved()


def test_duplicate_type_is_reported_and_nothing_else_saved():
    import_types(switch_yaml())
    errors = errors_of(switch_yaml() + '---\n' + switch_yaml('Other'))
    assert list(errors) == ['[0].model']
    assert DeviceType.objects.count() == 1


def test_duplicate_template_name_is_reported():
    errors = errors_of(switch_yaml().replace('name: PSU1', 'name: PSU0'))
    assert list(errors) == ['power-ports[1].name']


def test_invalid_yaml_is_reported_with_its_line():
    errors = errors_of('manufacturer: Acme\nmodel: [unclosed\n')
    assert list(errors) == ['data'] and 'line' in errors['data'][0]


@pytest.mark.parametrize('text, path', [
    ('', 'data'),
    ('- just\n- a list\n', 'non_field_errors'),
    ('manufacturer: Acme\nmodel: X\ninterfaces: none\n', 'interfaces'),
    ('manufacturer: Acme\nmodel: X\ninterfaces:\n  - just a name\n', 'interfaces[0]'),
])
def test_malformed_documents_are_reported(text, path):
    assert path in errors_of(text)
    assert nothing_saved()


def test_device_bays_are_not_part_of_module_types():
    errors = errors_of(LINE_CARD + 'device-bays:\n  - name: Bay\n', ModuleType)
    assert errors == {'device-bays': ['Unknown field.']}


# Exporting

def test_export_writes_the_library_format():
    [device_type] = import_types(switch_yaml())
    data = yaml.safe_load(export_type(device_type))
    assert data['manufacturer'] == 'Juniper'
    assert (data['model'], data['u_height'], data['is_full_depth'], data['weight']) == ('EX4300-48T', 1, True, 7.6)
    assert len(data['interfaces']) == 49
    assert data['interfaces'][0] == {'name': 'em0', 'type': '1000base-t', 'mgmt_only': True}
    assert data['power-ports'][0] == {'name': 'PSU0', 'type': 'iec-60320-c14', 'maximum_draw': 350}


@pytest.mark.parametrize('text, model', [
    (switch_yaml(), DeviceType), (PATCH_PANEL, DeviceType), (PDU, DeviceType), (LINE_CARD, ModuleType),
], ids=['switch', 'patch-panel', 'pdu', 'line-card'])
def test_export_imports_back_to_the_same_type(text, model):
    [original] = import_types(text, model)
    exported = export_type(original)
    templates_before = template_summary(original)
    original.delete()
    [again] = import_types(exported, model)
    assert export_type(again) == exported
    assert template_summary(again) == templates_before


def test_many_mappings_per_front_port_use_the_port_mappings_list():
    [panel] = import_types(PATCH_PANEL)
    port = FrontPortTemplate.objects.get(device_type=panel, name='Port 1')
    port.positions = 2
    port.save()
    PortTemplateMapping.objects.create(front_port=port, front_port_position=2,
                                       rear_port=RearPortTemplate.objects.get(device_type=panel),
                                       rear_port_position=4)
    data = yaml.safe_load(export_type(panel))
    assert 'rear_port' not in data['front-ports'][0]
    assert {'front_port': 'Port 1', 'front_port_position': 2, 'rear_port': 'Rear', 'rear_port_position': 4} in \
        data['port-mappings']
    panel.delete()
    [again] = import_types(yaml.safe_dump(data, sort_keys=False))
    assert PortTemplateMapping.objects.filter(front_port__device_type=again).count() == 3


def template_summary(obj):
    owner = 'device_type' if isinstance(obj, DeviceType) else 'module_type'
    summary = {}
    for model in (ConsolePortTemplate, PowerPortTemplate, PowerOutletTemplate, InterfaceTemplate, RearPortTemplate,
                  FrontPortTemplate, ModuleBayTemplate, DeviceBayTemplate, InventoryItemTemplate):
        summary[model.__name__] = sorted(model.objects.filter(**{owner: obj}).values_list('name', flat=True))
    summary['mappings'] = sorted(PortTemplateMapping.objects.filter(**{f'front_port__{owner}': obj}).values_list(
        'front_port__name', 'front_port_position', 'rear_port__name', 'rear_port_position'))
    return summary


# REST API

def test_api_import_of_raw_yaml(api):
    response = api.generic('POST', '/api/dcim/device-types/import/', switch_yaml(), content_type='application/yaml')
    assert response.status_code == 201, response.content
    [row] = response.json()
    assert set(row) == {'id', 'url', 'display', 'manufacturer', 'model', 'slug', 'description', 'device_count'}
    assert row['model'] == 'EX4300-48T' and row['device_count'] == 0
    assert InterfaceTemplate.objects.filter(device_type_id=row['id']).count() == 49


def test_api_import_of_plain_text_and_json(api):
    response = api.generic('POST', '/api/dcim/device-types/import/', switch_yaml('A'), content_type='text/plain')
    assert response.status_code == 201, response.content
    response = api.post('/api/dcim/device-types/import/', {'data': switch_yaml('B')}, format='json')
    assert response.status_code == 201, response.content
    assert sorted(DeviceType.objects.values_list('model', flat=True)) == ['A', 'B']


def test_api_import_of_several_documents(api):
    response = api.generic('POST', '/api/dcim/device-types/import/', PATCH_PANEL + '---\n' + PDU,
                           content_type='application/yaml')
    assert response.status_code == 201
    assert [row['model'] for row in response.json()] == ['4-port LC patch panel', 'AP7900']


def test_api_import_of_module_types(api):
    response = api.generic('POST', '/api/dcim/module-types/import/', LINE_CARD, content_type='application/yaml')
    assert response.status_code == 201, response.content
    assert response.json()[0]['model'] == 'MPC7E'


def test_api_import_error_is_400_naming_the_path(api):
    text = switch_yaml().replace('  - name: ge-0/0/2\n    type: 1000base-t', '  - name: ge-0/0/2\n    type: foo')
    response = api.generic('POST', '/api/dcim/device-types/import/', text, content_type='application/yaml')
    assert response.status_code == 400
    assert response.json() == {'interfaces[3].type': ['"foo" is not a valid choice.']}
    assert nothing_saved()


def test_api_import_of_bad_yaml_is_400(api):
    response = api.generic('POST', '/api/dcim/device-types/import/', 'model: [', content_type='application/yaml')
    assert response.status_code == 400
    assert 'data' in response.json()
    response = api.post('/api/dcim/device-types/import/', {'yaml': 'x'}, format='json')
    assert response.status_code == 400


def test_api_import_needs_add_permission_on_types(plain_user):
    grant(plain_user, DeviceType, ['view'])
    response = client_for(plain_user).generic('POST', '/api/dcim/device-types/import/', switch_yaml(),
                                              content_type='application/yaml')
    assert response.status_code == 403
    assert nothing_saved()


def test_api_import_needs_add_permission_on_templates(plain_user):
    grant(plain_user, DeviceType, ['add', 'view'])
    grant(plain_user, Manufacturer, ['add', 'view'])
    grant(plain_user, ConsolePortTemplate, ['add'])
    grant(plain_user, PowerPortTemplate, ['add'])
    client = client_for(plain_user)
    response = client.generic('POST', '/api/dcim/device-types/import/', switch_yaml(), content_type='application/yaml')
    assert response.status_code == 403
    assert 'interface templates' in response.json()['detail']
    assert nothing_saved()
    grant(plain_user, InterfaceTemplate, ['add'])
    response = client_for(plain_user).generic('POST', '/api/dcim/device-types/import/', switch_yaml(),
                                              content_type='application/yaml')
    assert response.status_code == 201, response.content


def test_api_import_respects_permission_constraints(plain_user):
    make(Manufacturer, name='Juniper', slug='juniper')
    for model in (DeviceType, ConsolePortTemplate, PowerPortTemplate, InterfaceTemplate):
        grant(plain_user, model, ['add', 'view'], constraints=None if model is not DeviceType else
              {'manufacturer__slug': 'cisco'})
    response = client_for(plain_user).generic('POST', '/api/dcim/device-types/import/', switch_yaml(),
                                              content_type='application/yaml')
    assert response.status_code == 403
    assert not DeviceType.objects.exists() and not InterfaceTemplate.objects.exists()


def test_api_export_returns_yaml_that_imports_back(api):
    [device_type] = import_types(switch_yaml())
    response = api.get(f'/api/dcim/device-types/{device_type.pk}/export/')
    assert response.status_code == 200
    assert response['Content-Type'].startswith('application/yaml')
    text = response.content.decode()
    assert yaml.safe_load(text)['model'] == 'EX4300-48T'
    device_type.delete()
    response = api.generic('POST', '/api/dcim/device-types/import/', text, content_type='application/yaml')
    assert response.status_code == 201


def test_api_export_of_module_type(api):
    [module_type] = import_types(LINE_CARD, ModuleType)
    response = api.get(f'/api/dcim/module-types/{module_type.pk}/export/', HTTP_ACCEPT='application/yaml')
    assert response.status_code == 200
    assert yaml.safe_load(response.content)['interfaces'][0]['name'] == 'xe-{module}/0/0'


def test_api_export_hides_types_the_user_may_not_view(plain_user):
    [device_type] = import_types(switch_yaml())
    grant(plain_user, DeviceType, ['view'], constraints={'slug': 'other'})
    response = client_for(plain_user).get(f'/api/dcim/device-types/{device_type.pk}/export/')
    assert response.status_code == 404


# UI

@pytest.fixture
def browser(client, superuser):
    client.force_login(superuser)
    return client


def test_ui_import_page_imports_and_shows_the_type(browser):
    assert browser.get('/dcim/device-types/import-library/').status_code == 200
    response = browser.post('/dcim/device-types/import-library/', {'data': switch_yaml()})
    device_type = DeviceType.objects.get()
    assert response.status_code == 302 and response['Location'] == device_type.get_absolute_url()
    assert InterfaceTemplate.objects.filter(device_type=device_type).count() == 49


def test_ui_import_page_takes_a_file(browser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile('mpc7e.yaml', LINE_CARD.encode(), content_type='application/yaml')
    response = browser.post('/dcim/module-types/import-library/', {'upload': upload})
    assert response.status_code == 302
    assert ModuleType.objects.get().model == 'MPC7E'


def test_ui_import_page_lists_errors_by_path(browser):
    response = browser.post('/dcim/device-types/import-library/', {'data': PDU.replace('feed_leg: A', 'feed_leg: Z')})
    assert response.status_code == 200
    assert b'power-outlets[0].feed_leg' in response.content
    assert nothing_saved()


def test_ui_export_downloads_yaml_and_detail_page_links_to_it(browser):
    [device_type] = import_types(PATCH_PANEL)
    response = browser.get(f'/dcim/device-types/{device_type.pk}/export-library/')
    assert response.status_code == 200
    assert 'attachment' in response['Content-Disposition']
    assert yaml.safe_load(response.content)['front-ports'][0]['rear_port'] == 'Rear'
    detail = browser.get(device_type.get_absolute_url())
    assert f'{device_type.get_absolute_url()}export-library/'.encode() in detail.content
