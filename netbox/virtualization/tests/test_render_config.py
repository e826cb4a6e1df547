"""A virtual machine's configuration: its template (own, role's, platform's) rendered with the VM as
`virtualmachine`, its context and the request data; and the MAC addresses of its interfaces."""
from dcim.models import DeviceRole, MACAddress
from extras.models import ConfigTemplate
from netbox.testing import make
from virtualization.models import VirtualMachine, VMInterface


def test_vm_render_config_gives_the_vm_and_its_context(api, cluster):
    vm = VirtualMachine.objects.create(name='app1', cluster=cluster, local_context_data={'dns': '10.0.0.53'})
    vm.config_template = ConfigTemplate.objects.create(name='vm', template_code='{{ virtualmachine.name }} {{ dns }} '
                                                                                '{{ extra }}')
    vm.save()
    response = api.post(f'/api/virtualization/virtual-machines/{vm.pk}/render-config/', {'extra': 'x'},
                        format='json')
    assert response.status_code == 200, response.content
    assert response.data['content'] == 'app1 10.0.0.53 x'


def test_vm_falls_back_to_its_roles_template(api, cluster):
    role = make(DeviceRole)
    role.config_template = ConfigTemplate.objects.create(name='role', template_code='role of {{ virtualmachine }}')
    role.save()
    vm = VirtualMachine.objects.create(name='app2', cluster=cluster, role=role)
    response = api.post(f'/api/virtualization/virtual-machines/{vm.pk}/render-config/', {}, format='json')
    assert response.status_code == 200 and response.data['content'] == 'role of app2'


def test_vm_without_template_is_a_400_naming_the_vm(api, cluster):
    vm = VirtualMachine.objects.create(name='bare', cluster=cluster)
    response = api.post(f'/api/virtualization/virtual-machines/{vm.pk}/render-config/', {}, format='json')
    assert response.status_code == 400 and 'bare has no configuration template' in response.data['detail']


def test_vm_interface_lists_its_mac_addresses(api, cluster):
    vm = VirtualMachine.objects.create(name='app3', cluster=cluster)
    interface = VMInterface.objects.create(virtual_machine=vm, name='eth0')
    MACAddress.objects.create(mac_address='02:00:00:00:00:01', assigned_object=interface)
    body = api.get(f'/api/virtualization/interfaces/{interface.pk}/').json()
    assert [item['mac_address'] for item in body['mac_addresses']] == ['02:00:00:00:00:01']
