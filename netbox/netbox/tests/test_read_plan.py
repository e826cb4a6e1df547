"""
The compiled read path (netbox.api.readplan) serves exactly what the derived serializer would: for every declared
model and every mode (full, brief, `fields=`, `omit=`), a populated object — every field filled, tags, custom fields
of every type — reads byte for byte the same through the plan as through DRF's field tree, in lists and alone.
"""
import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType

from netbox.api import readplan
from netbox.api.fields import api_list_path
from netbox.api.viewsets import _nested_relations
from netbox.registry import registry
from netbox.testing import client_for, make, make_full

READABLE = sorted((d for d in registry if api_list_path(d.model) is not None), key=lambda d: d.label())


def custom_fields_of_every_type(model):
    """One custom field of each type on the model, and the values an object gets for them."""
    from extras.models import CustomField, CustomFieldChoiceSet, CustomFieldTypes
    from tenancy.models import Tenant

    content_type = ContentType.objects.get_for_model(model)
    choices = CustomFieldChoiceSet.objects.create(name=f'choices {model._meta.label}',
                                                  extra_choices=[['a', 'Alpha'], ['b', 'Beta']])
    tenant = make(Tenant)
    values = {
        CustomFieldTypes.TEXT: 'some text', CustomFieldTypes.LONGTEXT: 'long\ntext', CustomFieldTypes.INTEGER: 42,
        CustomFieldTypes.DECIMAL: '3.50', CustomFieldTypes.BOOLEAN: True, CustomFieldTypes.DATE: '2026-12-04',
        CustomFieldTypes.DATETIME: '2026-12-04T10:20:30+00:00', CustomFieldTypes.URL: 'https://example.com/x',
        CustomFieldTypes.JSON: {'nested': [1, 2, {'three': None}]}, CustomFieldTypes.SELECT: 'b',
        CustomFieldTypes.MULTISELECT: ['a', 'b'], CustomFieldTypes.OBJECT: tenant.pk,
        CustomFieldTypes.MULTIOBJECT: [tenant.pk],
    }
    data = {}
    for kind, value in values.items():
        field = CustomField.objects.create(
            name=f'cf_{kind}', type=kind,
            choice_set=choices if kind in (CustomFieldTypes.SELECT, CustomFieldTypes.MULTISELECT) else None,
            related_object_type=ContentType.objects.get_for_model(Tenant) if 'object' in kind else None)
        field.object_types.set([content_type])
        data[field.name] = value
    data['cf_unset'] = None
    CustomField.objects.create(name='cf_unset', type=CustomFieldTypes.TEXT).object_types.set([content_type])
    return data


def populated(declaration):
    """An object of the model with every field it can take filled, two tags and custom field values."""
    from extras.models import Tag

    model = declaration.model
    obj = make_full(model)
    if declaration.has_custom_fields():
        obj.custom_field_data = custom_fields_of_every_type(model)
        type(obj)._default_manager.filter(pk=obj.pk).update(custom_field_data=obj.custom_field_data)
    if declaration.has_tags():
        obj.tags.set([Tag.objects.create(name='Blue tag', slug='blue', color='0000ff'),
                      Tag.objects.create(name='Red tag', slug='red', color='ff0000', weight=5)])
    return obj


def read_both(api, monkeypatch, path, params):
    """(plan, reference) response bodies of one GET: the reference with the plan switched off."""
    planned = api.get(path, params)
    with monkeypatch.context() as patch:
        patch.setattr(readplan, 'plan_for', lambda serializer: None)
        reference = api.get(path, params)
    assert planned.status_code == reference.status_code == 200, (planned.content[:300], reference.content[:300])
    return planned.content, reference.content


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', READABLE, ids=[d.label() for d in READABLE])
def test_plan_reads_what_the_serializer_reads(admin_user, monkeypatch, declaration):
    obj = populated(declaration)
    api = client_for(admin_user)
    list_path = api_list_path(declaration.model)
    names = [name for name in declaration.rest_fields() if name not in ('id',)]
    modes = {
        'full': {},
        'brief': {'brief': '1'},
        'fields': {'fields': ','.join(['id', *names[len(names) // 2:]])},
        'omit': {'omit': ','.join(names[::2])},
    }
    for mode, params in modes.items():
        planned, reference = read_both(api, monkeypatch, list_path, {'id': obj.pk, **params})
        assert planned == reference, mode
        assert json.loads(planned)['count'] == 1, mode
        if 'GET' in declaration.api_methods:
            planned, reference = read_both(api, monkeypatch, f'{list_path}{obj.pk}/', params)
            assert planned == reference, f'{mode} (detail)'


@pytest.mark.django_db
def test_custom_fields_read_as_typed_values(admin_user):
    """The plan's custom field values, spelled out for one model (the equality test above only compares)."""
    from tenancy.models import Tenant

    declaration = registry.get(Tenant)
    obj = populated(declaration)
    body = client_for(admin_user).get(f'/api/tenancy/tenants/{obj.pk}/').json()
    fields = body['custom_fields']
    assert fields['cf_select'] == {'value': 'b', 'label': 'Beta'}
    assert fields['cf_multiselect'] == [{'value': 'a', 'label': 'Alpha'}, {'value': 'b', 'label': 'Beta'}]
    assert fields['cf_integer'] == 42 and fields['cf_unset'] is None and fields['cf_json']['nested'][2] == {
        'three': None}
    assert [tag['slug'] for tag in body['tags']] == ['red', 'blue']  # by weight (red's 5 before the default), then name
    assert body['created'].endswith('Z') and datetime.datetime.fromisoformat(body['created'])


NARROWED = [d for d in READABLE if readplan.nested_columns(d.model) is not None]


@pytest.mark.django_db
@pytest.mark.parametrize('declaration', NARROWED, ids=[d.label() for d in NARROWED])
def test_nested_form_needs_only_the_columns_the_plan_loads(declaration):
    """A joined object loaded with only the columns readplan.nested_columns() names (plus its joined relations and
    its prefetched lists) shows the same display and nested form as a whole one, without a query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    model = declaration.model
    obj = make_full(model)
    columns = readplan.nested_columns(model)
    relations = [name for name in columns if model._meta.get_field(name).is_relation]
    # As optimized_queryset joins them: each relation, and the relations of its own nested form.
    relations += [f'{name}__{inner}' for name in list(relations)
                  for inner in _nested_relations(model._meta.get_field(name).related_model)]
    # Lists in the nested form (an address's NAT outside addresses) are prefetched by the object's key.
    lists = _nested_relations(model, many=True)
    narrow = model._default_manager.select_related(*relations).only(*columns).prefetch_related(*lists).get(pk=obj.pk)
    whole = model._default_manager.select_related(*relations).prefetch_related(*lists).get(pk=obj.pk)
    context = type('Context', (), {'origin': 'http://testserver', 'lists': {}})()
    with CaptureQueriesContext(connection) as queries:
        shown = readplan.render_nested(narrow, context)
    assert not queries.captured_queries, [q['sql'] for q in queries.captured_queries]
    assert shown == readplan.render_nested(whole, context)


def _is_relation(model, name):
    try:
        return model._meta.get_field(name).is_relation
    except Exception:
        return False


@pytest.mark.django_db
def test_page_wide_list_fetch_gives_each_row_its_own_items(admin_user):
    """Many-to-many lists fetched for the whole page (readplan.ListRelation) stay with their own row."""
    from dcim.models import Device, Interface
    from ipam.models import VLAN

    device = make(Device)
    vlans = [VLAN.objects.create(vid=100 + n, name=f'v{n}') for n in range(4)]
    first = Interface.objects.create(device=device, name='eth1', type='1000base-t', mode='tagged')
    second = Interface.objects.create(device=device, name='eth2', type='1000base-t', mode='tagged')
    first.tagged_vlans.set(vlans[:3])
    second.tagged_vlans.set(vlans[2:])
    rows = client_for(admin_user).get('/api/dcim/interfaces/', {'device_id': device.pk}).json()['results']
    assert {row['name']: sorted(v['vid'] for v in row['tagged_vlans']) for row in rows} == {
        'eth1': [100, 101, 102], 'eth2': [102, 103]}


@pytest.mark.django_db
def test_an_error_in_a_key_read_is_reported_as_itself_and_leaves_no_settings():
    """A failing query inside a key read raises its own error (not "transaction aborted" from resetting the
    planner settings afterwards), and the rollback restores the settings."""
    from django.db import DatabaseError, connection, transaction

    from netbox.api.viewsets import joins_in_written_order

    with transaction.atomic():
        with pytest.raises(DatabaseError, match='no_such_table'):
            with joins_in_written_order(), connection.cursor() as cursor:
                cursor.execute('SELECT * FROM no_such_table')
        with connection.cursor() as cursor:
            cursor.execute('SHOW enable_hashjoin')
            assert cursor.fetchone()[0] == 'on'
