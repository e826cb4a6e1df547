"""Circuit rules and the filters and counters of other apps that circuits make real."""
import pytest
from django.contrib.contenttypes.models import ContentType

from circuits.models import Circuit, CircuitTermination, Provider, ProviderAccount, VirtualCircuit
from dcim.models import Interface, Site
from dcim.tests.test_cables import connect, interface
from ipam.models import ASN
from netbox.testing import make
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db


def test_circuit_account_must_belong_to_its_provider(api):
    circuit = make(Circuit)
    other = make(ProviderAccount)
    response = api.patch(f'/api/circuits/circuits/{circuit.pk}/', {'provider_account': other.pk}, format='json')
    assert response.status_code == 400 and 'provider_account' in response.json()


def test_termination_refuses_a_device_as_its_place(api):
    device_iface = interface()
    response = api.post('/api/circuits/circuit-terminations/', {
        'circuit': make(Circuit).pk, 'term_side': 'A', 'termination_type': 'dcim.interface',
        'termination_id': device_iface.pk}, format='json')
    assert response.status_code == 400 and 'termination_type' in response.json()


def test_termination_caches_its_site_for_place_filters(api):
    site = make(Site)
    circuit = make(Circuit)
    CircuitTermination.objects.create(circuit=circuit, term_side='A', termination_id=site.pk,
                                      termination_type=ContentType.objects.get_for_model(Site))
    CircuitTermination.objects.create(circuit=circuit, term_side='Z', termination_id=site.pk,
                                      termination_type=ContentType.objects.get_for_model(Site))
    rows = api.get('/api/circuits/circuits/', {'site_id': site.pk}).json()
    assert [row['id'] for row in rows['results']] == [circuit.pk]  # both ends at the site: listed once
    assert api.get(f'/api/dcim/sites/{site.pk}/').json()['circuit_count'] == 1
    assert api.get('/api/circuits/circuit-terminations/', {'region_id': site.region_id or 0}).json()['count'] == \
        (2 if site.region_id else 0)


def test_virtual_circuit_terminates_on_a_virtual_interface(api):
    physical = interface()
    response = api.post('/api/circuits/virtual-circuit-terminations/', {
        'virtual_circuit': make(VirtualCircuit).pk, 'interface': physical.pk}, format='json')
    assert response.status_code == 400 and 'interface' in response.json()


def test_interface_filters_by_virtual_circuit(api):
    virtual_circuit = make(VirtualCircuit)
    port = make(Interface, type='virtual')
    response = api.post('/api/circuits/virtual-circuit-terminations/', {
        'virtual_circuit': virtual_circuit.pk, 'interface': port.pk, 'role': 'hub'}, format='json')
    assert response.status_code == 201, response.content
    rows = api.get('/api/dcim/interfaces/', {'virtual_circuit_id': virtual_circuit.pk}).json()['results']
    assert [row['id'] for row in rows] == [port.pk]
    rows = api.get('/api/dcim/interfaces/', {'virtual_circuit_termination_id': response.json()['id']}).json()
    assert rows['count'] == 1


def test_asn_provider_filter_and_count(api):
    asn = make(ASN)
    provider = make(Provider)
    provider.asns.add(asn)
    assert api.get('/api/ipam/asns/', {'provider_id': provider.pk}).json()['count'] == 1
    assert api.get('/api/ipam/asns/', {'provider': provider.slug}).json()['count'] == 1
    assert api.get(f'/api/ipam/asns/{asn.pk}/').json()['provider_count'] == 1
    assert api.get('/api/circuits/providers/', {'asn': asn.asn}).json()['count'] == 1


def test_cable_filter_by_circuit_termination(api):
    circuit = make(Circuit)
    end = CircuitTermination.objects.create(circuit=circuit, term_side='A')
    cable = connect(interface(), end)
    rows = api.get('/api/dcim/cables/', {'circuittermination_id': end.pk}).json()['results']
    assert [row['id'] for row in rows] == [cable.pk]


def test_tenant_counts_its_circuits(api):
    circuit = make(Circuit, tenant=make(Tenant))
    assert api.get(f'/api/tenancy/tenants/{circuit.tenant_id}/').json()['circuit_count'] == 1
