"""The circuit and circuit termination lists run the same number of queries for 10 objects as for 500: the A/Z
terminations, what they end on, cables and link peers are fetched in bulk, never row by row."""
import pytest
from django.contrib.contenttypes.models import ContentType

from circuits.models import Circuit, CircuitTermination, CircuitType, Provider, ProviderNetwork
from dcim.models import Interface, Site
from dcim.tests.test_cables import connect, interface
from dcim.tests.test_query_counts import assert_same_queries, queries_for
from netbox.testing import make
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db
FEW, MANY = 10, 500


def build(count):
    """`count` circuits, each with an A end at a site and a Z end on a provider network; every tenth A end is
    cabled to an interface."""
    provider, ctype, tenant = make(Provider), make(CircuitType), make(Tenant)
    site, network = make(Site), make(ProviderNetwork, provider=provider)
    start = Circuit.objects.count()
    circuits = Circuit.objects.bulk_create(
        Circuit(cid=f'c{start + i}', provider=provider, type=ctype, tenant=tenant) for i in range(count))
    site_type, network_type = (ContentType.objects.get_for_model(model) for model in (Site, ProviderNetwork))
    ends = CircuitTermination.objects.bulk_create(
        [CircuitTermination(circuit=c, term_side='A', termination_type=site_type, termination_id=site.pk,
                            _site=site) for c in circuits] +
        [CircuitTermination(circuit=c, term_side='Z', termination_type=network_type, termination_id=network.pk,
                            _provider_network=network) for c in circuits])
    for circuit, a, z in zip(circuits, ends[:count], ends[count:], strict=True):
        circuit.termination_a, circuit.termination_z = a, z
    Circuit.objects.bulk_update(circuits, ['termination_a', 'termination_z'])
    device_iface = interface(name=f'x{start}')
    for index, end in enumerate(ends[:count:10]):
        target = device_iface if index == 0 else Interface.objects.create(device=device_iface.device,
                                                                          name=f'e{start}-{index}', type='1000base-t')
        connect(target, end)


@pytest.mark.parametrize('path', ('/api/circuits/circuits/', '/api/circuits/circuit-terminations/'))
def test_list_query_count_does_not_grow_with_rows(api, path):
    build(FEW)
    few_rows, few = queries_for(api, path)
    build(MANY - FEW)
    many_rows, many = queries_for(api, path)
    assert many_rows > few_rows
    assert_same_queries(few, many)
