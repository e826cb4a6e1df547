"""
What is written is what is read back, for every registered model that the API can create.

An object with every field filled (netbox.testing.make_full) is read through the API; its writable fields, turned
into a write payload (a relation by ID, a choice by value), are POSTed as a new object after the first is deleted.
The new object must read back exactly as the payload's source did (NetBox's own normalisation included: upper
case MACs, {value, label} choices, brief related objects, lists in a stable order). A PATCH with the same payload
must then change nothing: no change record, the same last_updated, the same representation.
"""
import pytest

from netbox.api.fields import api_list_path
from netbox.registry import registry
from netbox.testing import make_full, needs_upload, sample_payload

# Written as JSON (models needing an uploaded file are written by multipart in their own tests).
WRITABLE = sorted((d for d in registry if 'POST' in d.api_methods and 'PATCH' in d.api_methods and
                   not needs_upload(d)), key=lambda d: d.label())
# Attempts at dropping fields the generic filler set in a way the model's rules reject (a 400 naming them).
MAX_ATTEMPTS = 20


def writable_fields(declaration):
    serializer = declaration.serializer()()
    return [name for name, field in serializer.fields.items() if not field.read_only and not field.write_only]


def write_value(value):
    """The write form of a read value: nested objects by ID, choices by value, generic terminations by type/ID."""
    if isinstance(value, list):
        return [write_value(item) for item in value]
    if isinstance(value, dict):
        if set(value) >= {'value', 'label'} and len(value) == 2:
            return value['value']
        if 'object_type' in value and 'object_id' in value:
            return {'object_type': value['object_type'], 'object_id': value['object_id']}
        if 'id' in value:
            return value['id']
    return value


def same_reading(value):
    """What must read the same: related objects by ID and brief shape (their own data, e.g. an interface's cable or
    a new chassis member's display, may have changed since), everything else exactly."""
    if isinstance(value, list):
        return [same_reading(item) for item in value]
    if isinstance(value, dict):
        if 'id' in value:
            return ('object', value['id'], tuple(sorted(value)))
        return {key: same_reading(item) for key, item in value.items()}
    return value


def post_dropping_rejected(api, path, payload):
    """POST the payload; fields a 400 names are dropped (the generic data broke a rule) and it is sent again."""
    dropped = []
    for _ in range(MAX_ATTEMPTS):
        response = api.post(path, payload, format='json')
        if response.status_code != 400:
            return response, dropped
        errors = response.json()
        named = [name for name in errors if name in payload] if isinstance(errors, dict) else []
        if not named:
            return response, dropped
        for name in named:
            payload.pop(name)
            dropped.append(name)
    return response, dropped


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', WRITABLE, ids=[d.label() for d in WRITABLE])
def test_written_is_read_back_and_same_patch_changes_nothing(api, declaration, record_property):
    from core.models import ObjectChange

    path = api_list_path(declaration.model)
    source = make_full(declaration.model)
    expected = api.get(f'{path}{source.pk}/').json()
    fields = writable_fields(declaration)
    payload = {name: write_value(expected[name]) for name in fields if name in expected}
    sample = sample_payload(declaration)
    payload.update({name: sample[name] for name in declaration.write_only if name in sample})  # e.g. a password
    declaration.model._default_manager.filter(pk=source.pk).delete()

    response, dropped = post_dropping_rejected(api, path, payload)
    assert response.status_code == 201, response.content
    created = response.json()
    record_property('round_trip_dropped', dropped)
    differences = {name: (expected[name], created.get(name)) for name in payload if name in expected and
                   same_reading(created.get(name)) != same_reading(expected[name])}
    assert differences == {}, f'{path}: read back differs from what was sent (sent, read): {differences}'
    read = api.get(f'{path}{created["id"]}/').json()
    assert {name: read.get(name) for name in expected if name in payload} == \
        {name: created.get(name) for name in expected if name in payload}

    changes_before = ObjectChange.objects.count()
    # Write-only values (a password) can't be compared, and setting one again is a change.
    same = {name: value for name, value in payload.items() if name not in declaration.write_only}
    response = api.patch(f'{path}{created["id"]}/', same, format='json')
    assert response.status_code == 200, response.content
    after = response.json()
    new_changes = list(ObjectChange.objects.order_by('pk')[changes_before:].values_list(
        'changed_object_type__model', 'action', 'prechange_data', 'postchange_data'))
    assert new_changes == [], f'{path}: a PATCH with the same values was logged'
    if 'last_updated' in created:
        assert after['last_updated'] == created['last_updated']
    assert {name: after.get(name) for name in expected if name in payload} == \
        {name: created.get(name) for name in expected if name in payload}
