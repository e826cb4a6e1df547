"""
Malformed filter values are a 400 naming the parameter or an empty result, never a server error. Every filter of
every declared model gets junk values; the filter set either rejects the value (the API answers 400 keyed by the
parameter) or runs a query that completes.
"""
import pytest
from django.db import transaction
from django.http import QueryDict

from netbox.registry import registry
from netbox.testing import make

DECLARATIONS = sorted(registry, key=lambda d: d.label())
# Not a number, a date or a valid regular expression; a huge number; a NUL byte, which PostgreSQL text refuses.
JUNK = ('(zz', '99999999999999999999', '2026-13-45T99:99', 'a\x00b')


def filter_failure(filterset, name, value):
    """None when the filter rejects the value as a form error or runs its query to the end; else the error."""
    from django.core.exceptions import ValidationError
    from rest_framework.exceptions import ValidationError as APIValidationError

    try:
        cleaned = filterset.form.fields[name].clean(value)
    except ValidationError:
        return None  # the API answers 400 naming the parameter
    try:
        with transaction.atomic():  # a savepoint: a database error must not poison the test's transaction
            list(filterset.apply_filter(name, filterset.queryset, cleaned)[:2])
    except APIValidationError as exc:
        return None if set(exc.detail) == {name} else f'{name}={value[:12]!r}: 400 naming {sorted(exc.detail)}'
    except Exception as exc:  # noqa: BLE001 (every failing filter is reported at once)
        return f'{name}={value[:12]!r}: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}'
    return None


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', DECLARATIONS, ids=[d.label() for d in DECLARATIONS])
def test_junk_filter_values_never_fail(declaration):
    make(declaration.model)  # a row, so that per-row expressions (casts, regexes) are evaluated
    queryset = declaration.model._default_manager.all()
    # One filter set per model: building one copies every filter, too slow to repeat per parameter.
    filterset = declaration.filterset()(data=QueryDict(), queryset=queryset)
    failures = [failure for name in sorted(filterset.filters) for value in JUNK
                if (failure := filter_failure(filterset, name, value))]
    assert failures == [], '\n'.join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize('query', [
    {'id': 'abc'}, {'u_height__gte': 'x'}, {'name__regex': '('}, {'name__iregex': '[a-'}, {'created': 'yesterday'},
    {'last_updated__gte': '2026-99-01'}, {'site_id': 'abc'},
], ids=lambda q: next(iter(q)))
def test_malformed_device_type_and_device_filters_are_400_naming_the_parameter(api, query):
    from dcim.models import Device

    make(Device)
    path = '/api/dcim/device-types/' if 'u_height' in next(iter(query)) else '/api/dcim/devices/'
    response = api.get(path, query)
    assert response.status_code == 400, response.content
    assert next(iter(query)) in response.json()


@pytest.mark.django_db
def test_malformed_mac_address_filter_matches_nothing(api):
    from dcim.models import MACAddress

    make(MACAddress)
    response = api.get('/api/dcim/mac-addresses/', {'mac_address': 'zz'})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()['count'] == 0


@pytest.mark.django_db
def test_valid_regex_filter_still_matches(api):
    from tenancy.models import Tenant

    Tenant.objects.create(name='alpha-1', slug='alpha-1')
    Tenant.objects.create(name='beta-2', slug='beta-2')
    response = api.get('/api/tenancy/tenants/', {'name__regex': r'^alpha-\d$'})
    assert response.status_code == 200
    assert [row['name'] for row in response.json()['results']] == ['alpha-1']
