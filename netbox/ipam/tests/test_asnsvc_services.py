"""Services and service templates: ports, protocols, parents, the bound-address rule and the filters."""
import pytest
from django.contrib.contenttypes.models import ContentType

from dcim.models import Device, Interface
from ipam.models import FHRPGroup, IPAddress, Service, ServiceTemplate
from netbox.testing import make

pytestmark = pytest.mark.django_db
SERVICES = '/api/ipam/services/'
TEMPLATES = '/api/ipam/service-templates/'


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(row['id'] for row in response.json()['results'])


def device_with_address(address, name=None):
    device = make(Device, **({'name': name} if name else {}))
    interface = make(Interface, device=device)
    return device, IPAddress.objects.create(address=address, assigned_object=interface)


def on_device(device, **attrs):
    return {'parent_object_type': 'dcim.device', 'parent_object_id': device.pk, 'name': 'ssh', 'protocol': 'tcp',
            'ports': [22], **attrs}


def service(parent, name='svc', **attrs):
    return Service.objects.create(parent_object_type=ContentType.objects.get_for_model(parent),
                                  parent_object_id=parent.pk, name=name, **attrs)


def test_service_on_a_device_reads_back(api):
    device = make(Device)
    response = api.post(SERVICES, on_device(device, ports=[22, 2222], port_mappings=['22:2222']), format='json')
    assert response.status_code == 201, response.content
    body = response.json()
    assert body['protocol'] == {'value': 'tcp', 'label': 'TCP'}
    assert body['ports'] == [22, 2222]
    assert body['port_mappings'] == ['22:2222']
    assert (body['parent_object_type'], body['parent_object_id']) == ('dcim.device', device.pk)
    assert body['parent']['id'] == device.pk
    assert body['display'] == 'ssh (TCP/22, 2222)'


@pytest.mark.parametrize('ports', [[0], [65536], ['x'], 22])
def test_bad_ports_are_a_400_naming_ports(api, ports):
    response = api.post(SERVICES, on_device(make(Device), ports=ports), format='json')
    assert response.status_code == 400
    assert 'ports' in response.json()
    response = api.post(TEMPLATES, {'name': 'tpl', 'protocol': 'udp', 'ports': ports}, format='json')
    assert response.status_code == 400
    assert 'ports' in response.json()


def test_bad_parent_is_a_400(api):
    device = make(Device)
    response = api.post(SERVICES, on_device(device, parent_object_type='dcim.site'), format='json')
    assert response.status_code == 400
    assert 'parent_object_type' in response.json()
    response = api.post(SERVICES, on_device(device, parent_object_id=999999), format='json')
    assert response.status_code == 400
    assert 'parent_object_id' in response.json()
    response = api.post(SERVICES, on_device(device, protocol='icmp'), format='json')
    assert response.status_code == 400
    assert 'protocol' in response.json()


def test_bound_addresses_must_belong_to_the_device(api):
    device, own = device_with_address('192.0.2.1/24')
    _, foreign = device_with_address('192.0.2.2/24')
    unassigned = IPAddress.objects.create(address='192.0.2.3/24')
    response = api.post(SERVICES, on_device(device, ipaddresses=[own.pk]), format='json')
    assert response.status_code == 201, response.content
    assert [item['id'] for item in response.json()['ipaddresses']] == [own.pk]
    for address in (foreign, unassigned):
        response = api.post(SERVICES, on_device(device, ipaddresses=[own.pk, address.pk]), format='json')
        assert response.status_code == 400
        assert 'ipaddresses' in response.json()
        assert str(address.address) in str(response.json())
    assert Service.objects.count() == 1


def test_moving_a_service_to_another_parent_checks_its_addresses(api):
    device, own = device_with_address('192.0.2.1/24')
    other = make(Device)
    created = api.post(SERVICES, on_device(device, ipaddresses=[own.pk]), format='json').json()
    response = api.patch(f'{SERVICES}{created["id"]}/', {'parent_object_id': other.pk}, format='json')
    assert response.status_code == 400
    assert 'ipaddresses' in response.json()
    response = api.patch(f'{SERVICES}{created["id"]}/', {'parent_object_id': other.pk, 'ipaddresses': []},
                         format='json')
    assert response.status_code == 200, response.content
    assert response.json()['ipaddresses'] == []


def test_bound_addresses_of_an_fhrp_group_are_its_virtual_addresses(api):
    group = make(FHRPGroup)
    virtual = IPAddress.objects.create(address='198.51.100.1/24', assigned_object=group)
    _, on_interface = device_with_address('198.51.100.2/24')
    payload = {'parent_object_type': 'ipam.fhrpgroup', 'parent_object_id': group.pk, 'name': 'vip-http',
               'protocol': 'tcp', 'ports': [80]}
    response = api.post(SERVICES, {**payload, 'ipaddresses': [virtual.pk]}, format='json')
    assert response.status_code == 201, response.content
    assert response.json()['parent']['id'] == group.pk
    assert response.json()['parent']['protocol'] == group.protocol  # a bare string, nested too
    response = api.post(SERVICES, {**payload, 'ipaddresses': [on_interface.pk]}, format='json')
    assert response.status_code == 400
    assert 'ipaddresses' in response.json()


def test_service_filters(api):
    alpha, alpha_ip = device_with_address('203.0.113.1/24', name='alpha')
    beta = make(Device, name='beta')
    group = make(FHRPGroup, name='edge')
    ssh = service(alpha, 'ssh', protocol='tcp', ports=[22], port_mappings=['22:2222'])
    ssh.ipaddresses.set([alpha_ip])
    dns = service(beta, 'dns', protocol='udp', ports=[53, 5353])
    vip = service(group, 'vip', protocol='tcp', ports=[443])
    assert ids(api.get(SERVICES, {'device_id': alpha.pk})) == [ssh.pk]
    assert ids(api.get(SERVICES, {'device': ['alpha', 'beta']})) == [ssh.pk, dns.pk]
    assert ids(api.get(SERVICES, {'fhrpgroup_id': group.pk})) == [vip.pk]
    assert ids(api.get(SERVICES, {'fhrpgroup': 'edge'})) == [vip.pk]
    assert ids(api.get(SERVICES, {'parent_object_type': 'ipam.fhrpgroup'})) == [vip.pk]
    assert ids(api.get(SERVICES, {'parent_object_type__n': 'ipam.fhrpgroup'})) == [ssh.pk, dns.pk]
    assert ids(api.get(SERVICES, {'port': 53})) == [dns.pk]
    assert ids(api.get(SERVICES, {'port': [22, 443]})) == [ssh.pk, vip.pk]
    assert ids(api.get(SERVICES, {'port__gte': 1000})) == [dns.pk]
    assert ids(api.get(SERVICES, {'port__n': 22})) == [dns.pk, vip.pk]
    assert ids(api.get(SERVICES, {'protocol': 'udp'})) == [dns.pk]
    assert ids(api.get(SERVICES, {'protocol__n': 'udp'})) == [ssh.pk, vip.pk]
    assert ids(api.get(SERVICES, {'ip_address_id': alpha_ip.pk})) == [ssh.pk]
    assert ids(api.get(SERVICES, {'ip_address': '203.0.113.1/24'})) == [ssh.pk]
    assert ids(api.get(SERVICES, {'port_mappings': '22:2222'})) == [ssh.pk]
    assert ids(api.get(SERVICES, {'port_mappings__n': '22:2222'})) == [dns.pk, vip.pk]
    assert ids(api.get(SERVICES, {'virtual_machine_id': 1})) == []
    assert api.get(SERVICES, {'port': 'x'}).status_code == 400
    assert api.get(SERVICES, {'ip_address': 'not-an-ip'}).status_code == 400


def test_template_filters(api):
    ssh = ServiceTemplate.objects.create(name='ssh', protocol='tcp', ports=[22])
    dns = ServiceTemplate.objects.create(name='dns', protocol='udp', ports=[53])
    assert ids(api.get(TEMPLATES, {'port': 22})) == [ssh.pk]
    assert ids(api.get(TEMPLATES, {'port__lt': 50})) == [ssh.pk]
    assert ids(api.get(TEMPLATES, {'protocol': 'udp'})) == [dns.pk]
    assert api.get(f'{TEMPLATES}{ssh.pk}/').json()['protocol'] == {'value': 'tcp', 'label': 'TCP'}


def test_a_form_carrying_bound_addresses_applies_the_same_rule(superuser):
    """The derived add/edit forms leave many-to-many fields out today; a form that carries them (ObjectForm with
    `ipaddresses`) checks bound addresses with the model's clean_related, as the API does."""
    from ipam.declarations import ServiceDeclaration
    from netbox.ui.forms import ObjectForm, formfield_for

    meta = type('Meta', (), {'model': Service, 'fields': ['parent_object_type', 'parent_object_id', 'name',
                                                          'protocol', 'ports', 'ipaddresses'],
                             'formfield_callback': lambda field, **kwargs: formfield_for(field, **kwargs)})
    form_class = type('ServiceWithAddressesForm', (ObjectForm,), {'Meta': meta, 'declaration': ServiceDeclaration})
    device, own = device_with_address('192.0.2.1/24')
    _, foreign = device_with_address('192.0.2.2/24')
    data = {'parent_object_type': ContentType.objects.get_for_model(Device).pk, 'parent_object_id': device.pk,
            'name': 'web', 'protocol': 'tcp', 'ports': '80', 'ipaddresses': [foreign.pk]}
    form = form_class(data=data, user=superuser)
    assert not form.is_valid()
    assert 'not belonging to the parent' in str(form.errors)
    form = form_class(data={**data, 'ipaddresses': [own.pk]}, user=superuser)
    assert form.is_valid(), form.errors
    assert list(form.save().ipaddresses.all()) == [own]
