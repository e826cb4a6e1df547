"""
Wire conformance with NetBox 4.7.3, over every registered model whose list endpoint the reference has:

- each field of an object with every field filled reads with the reference's JSON type (decimals are numbers);
- the list endpoint offers exactly NetBox's filter names and lookups, plus the extras the docs list with a reason,
  and ignores any other query parameter, as NetBox does.

Both record their counts per model; `conftest.pytest_terminal_summary` prints them per app.
"""
import pytest

from netbox.api.fields import api_list_path
from netbox.filtersets import base_filter_name
from netbox.registry import registry
from netbox.testing import make, make_full

from .wire_reference import FILTERS, allowed_filter_names, kept_extra_filters, type_matches, types_for

DECLARATIONS = sorted(registry, key=lambda d: d.label())
REFERENCED = [d for d in DECLARATIONS if api_list_path(d.model) in FILTERS or types_for(api_list_path(d.model))]
ids = [d.label() for d in REFERENCED]


def wrong_types(row, types):
    """[(field, reference type, value)] for every field of `row` whose JSON type is not the reference's."""
    return [(name, types[name], value) for name, value in row.items()
            if name in types and not type_matches(types[name], value)]


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', REFERENCED, ids=ids)
def test_every_field_has_the_reference_type(api, declaration, record_property):
    path = api_list_path(declaration.model)
    types = types_for(path)
    obj = make_full(declaration.model)
    full = api.get(f'{path}{obj.pk}/')
    assert full.status_code == 200, full.content
    brief = api.get(path, {'brief': 1, 'id': obj.pk})
    assert brief.status_code == 200, brief.content
    rows = [full.json(), *brief.json()['results']]
    wrong = wrong_types(rows[0], types) + [item for row in rows[1:] for item in wrong_types(row, types)]
    checked = sum(1 for row in rows for name in row if name in types)
    record_property('wire_types', {'app': declaration.app_label(), 'checked': checked, 'wrong': len(wrong)})
    assert checked, f'{path}: no field of the reference was served'
    assert wrong == [], f'{path}: fields of the wrong JSON type (field, reference, value): {wrong}'


def test_decimals_are_numbers_in_every_representation(api):
    from dcim.models import Device, DeviceType, Rack

    device_type = make(DeviceType, u_height=2)
    rack = make(Rack)
    device = make(Device, device_type=device_type, rack=rack, position=10, face='front')
    assert api.get(f'/api/dcim/device-types/{device_type.pk}/').json()['u_height'] == 2.0
    row = api.get('/api/dcim/devices/', {'id': device.pk}).json()['results'][0]
    assert isinstance(row['position'], float) and row['position'] == 10.0
    assert isinstance(api.get(f'/api/dcim/device-types/{device_type.pk}/').json()['u_height'], float)


def test_yaml_export_writes_decimals_as_numbers(client, superuser):
    import yaml

    from dcim.models import DeviceType

    device_type = make(DeviceType, u_height=1)
    client.force_login(superuser)
    response = client.get('/dcim/device-types/', {'export': 'yaml', 'id': device_type.pk})
    assert response.status_code == 200
    rows = yaml.safe_load(response.content)
    assert rows and isinstance(rows[0]['u_height'], float) and rows[0]['u_height'] == 1.0


@pytest.mark.parametrize('declaration', [d for d in REFERENCED if api_list_path(d.model) in FILTERS],
                         ids=[d.label() for d in REFERENCED if api_list_path(d.model) in FILTERS])
def test_filters_are_netboxs_or_documented(declaration, record_property):
    path = api_list_path(declaration.model)
    allowed = allowed_filter_names(path)
    kept = {name for endpoint, name in kept_extra_filters() if endpoint == path}
    offered = set(declaration.filterset().base_filters)
    unlisted = sorted(name for name in offered if name not in allowed and base_filter_name(name) not in kept)
    record_property('wire_filters', {'app': declaration.app_label(), 'checked': len(offered),
                                     'wrong': len(unlisted)})
    assert unlisted == [], f'{path} offers filters NetBox lacks (list them in docs/api/overview.md or drop them)'


def test_every_kept_extra_filter_has_a_reason_and_exists():
    for (path, name), reason in kept_extra_filters().items():
        declaration = next((d for d in registry if api_list_path(d.model) == path), None)
        assert declaration is not None, path
        assert name in declaration.filterset().base_filters, (path, name)
        assert len(reason) > 10, (path, name)


@pytest.mark.django_db
def test_parameters_netbox_lacks_are_ignored(api):
    """The Ansible collection looks power feeds up with power_panel=<id> and contact assignments with
    contact=<id>; NetBox has no such filters, ignores them and finds the object, so must we."""
    from dcim.models import PowerFeed
    from tenancy.models import ContactAssignment

    feed = make(PowerFeed)
    response = api.get('/api/dcim/power-feeds/', {'power_panel': feed.power_panel_id, 'name': feed.name})
    assert response.status_code == 200
    assert [row['id'] for row in response.json()['results']] == [feed.pk]
    assignment = make(ContactAssignment)
    response = api.get('/api/tenancy/contact-assignments/', {'contact': assignment.contact_id,
                                                             'contact_id': assignment.contact_id})
    assert [row['id'] for row in response.json()['results']] == [assignment.pk]
    response = api.get('/api/tenancy/contact-assignments/', {'no_such_filter': 'x'})
    assert response.status_code == 200 and response.json()['count'] == 1
