"""The generic fuzz pass (netbox/tests/test_fuzz.py) over the allocation routes alone, with free space to hand out."""
import netaddr
import pytest
from django.db.backends.postgresql.psycopg_any import NumericRange

from ipam.models import RIR, ASNRange, IPRange, Prefix, VLANGroup
from netbox.tests.test_fuzz import fuzz_operation, fuzz_schema, keep_connection  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_allocation_routes_never_answer_5xx_or_off_schema(fuzz_schema):  # noqa: F811
    schema, headers = fuzz_schema
    # Parents under the IDs the generator tends to pick, so that GETs and POSTs reach the domain code.
    for pk in (1, 2000):
        Prefix.objects.create(pk=pk, prefix=netaddr.IPNetwork(f'10.{pk % 250}.0.0/24'))
        IPRange.objects.create(pk=pk, start_address=netaddr.IPNetwork(f'10.{pk % 250}.1.1/24'),
                               end_address=netaddr.IPNetwork(f'10.{pk % 250}.1.9/24'))
        VLANGroup.objects.create(pk=pk, name=f'g{pk}', slug=f'g{pk}', vid_ranges=[NumericRange(1, 4095)])
        rir = RIR.objects.create(name=f'r{pk}', slug=f'r{pk}')
        ASNRange.objects.create(pk=pk, name=f'a{pk}', slug=f'a{pk}', rir=rir, start=64512, end=65534)
    failures, tested = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if '/available-' not in operation.path:
            continue
        fuzz_operation(operation, headers, failures)
        tested += 1
    assert tested == 10
    assert not failures, '\n'.join(failures)
