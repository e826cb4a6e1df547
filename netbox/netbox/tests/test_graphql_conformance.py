"""
GraphQL conformance with NetBox 4.7.3: for every model we have, the reference's query fields (`<model>`,
`<model>_list`), its object type's field names and its filter input's field names must be in our schema. A per-app
summary is printed at the end of the run (see conftest.py); adding a model extends the check with no change here.
"""
import json
from collections import defaultdict
from pathlib import Path

import pytest

from netbox.graphql.schema import exposed_declarations, filter_name, get_schema, type_name
from netbox.tests.test_conformance import summary_table, tally

REFERENCE_PATH = Path(__file__).resolve().parents[4] / 'shared' / 'reference' / 'netbox-4.7-graphql.json'
REFERENCE = json.loads(REFERENCE_PATH.read_text())
KINDS = ('queries', 'fields', 'filters')
@pytest.fixture(scope='module')
def schema():
    return get_schema()._schema  # graphql-core's schema: what introspection serves


def ours(schema):
    """{'queries': {name: type string}, 'objects': {type: {fields}}, 'inputs': {input: {fields}}}."""
    out = {'queries': {name: str(field.type) for name, field in schema.query_type.fields.items()},
           'objects': {}, 'inputs': {}}
    for name, graphql_type in schema.type_map.items():
        if name.startswith('__') or not hasattr(graphql_type, 'fields'):
            continue
        kind = 'inputs' if graphql_type.__class__.__name__ == 'GraphQLInputObjectType' else 'objects'
        out[kind][name] = set(graphql_type.fields)
    return out


def compare(schema_entries):
    """({app: {kind: [found, total]}}, [missing entries]) over the reference entries of the models we have."""
    counts = defaultdict(lambda: {kind: [0, 0] for kind in KINDS})
    missing = []
    for declaration in exposed_declarations():
        app, type_ = declaration.app_label(), type_name(declaration)
        if type_ not in REFERENCE['objects']:
            continue  # a model NetBox's GraphQL API doesn't have
        wanted_queries = [name for name, spec in REFERENCE['query'].items()
                          if spec['type'].strip('[]!') == type_]
        for name in wanted_queries:
            counts[app]['queries'][1] += 1
            if schema_entries['queries'].get(name, '').strip('[]!') == type_:
                counts[app]['queries'][0] += 1
            else:
                missing.append(f'query {name}')
        checks = {
            'fields': (expected(type_, REFERENCE['objects'][type_]), schema_entries['objects'].get(type_, set())),
            'filters': (expected(filter_name(declaration), REFERENCE['inputs'].get(filter_name(declaration), ())),
                        schema_entries['inputs'].get(filter_name(declaration), set())),
        }
        tally(counts[app], checks, missing, {'fields': type_, 'filters': filter_name(declaration)})
    return counts, missing


def expected(name, entries):
    """The reference's entries for a type or input: all of them (none is left out)."""
    return list(entries)


def totals_of(counts):
    return {kind: [sum(counts[app][kind][0] for app in counts), sum(counts[app][kind][1] for app in counts)]
            for kind in KINDS}


def test_reference_graphql_entries_are_in_schema(schema, record_property):
    counts, missing = compare(ours(schema))
    totals = totals_of(counts)
    table = summary_table(counts, KINDS) + '\n' + f'{"share":<10}' + ''.join(
        f'{f"{found / total:.0%}":>16}' for found, total in totals.values())
    if missing:
        table += f'\n{len(missing)} with gaps:\n' + '\n'.join(f'  {entry}' for entry in missing)
    record_property('graphql_conformance_summary', table)  # printed by netbox/conftest.py
    assert counts, 'no model of ours is in the reference'
    assert not missing, table
    for found, total in totals.values():
        assert found == total, table


def test_every_exposed_model_has_its_queries(schema):
    from netbox.graphql.schema import query_name

    entries = ours(schema)
    for declaration in exposed_declarations():
        name = query_name(declaration)
        assert entries['queries'][name] == f'{type_name(declaration)}!'
        assert entries['queries'][f'{name}_list'] == f'[{type_name(declaration)}!]!'
        args = schema.query_type.fields[f'{name}_list'].args
        assert str(args['filters'].type) == filter_name(declaration)
        assert str(args['pagination'].type) == 'OffsetPaginationInput'
        assert {'AND', 'OR', 'NOT', 'DISTINCT'} <= entries['inputs'][filter_name(declaration)]


def test_lookup_inputs_are_netboxs(schema):
    """The filter lookups carry NetBox's input type names and lookups."""
    entries = ours(schema)
    assert {'exact', 'i_contains', 'in_list', 'is_null', 'regex', 'i_regex', 'starts_with', 'ends_with',
            'contains', 'i_exact', 'i_starts_with', 'i_ends_with'} <= entries['inputs']['StrFilterLookup']
    device_filter = schema.type_map['DeviceFilter'].fields
    assert str(device_filter['name'].type) == 'StrFilterLookup'
    assert {'gt', 'gte', 'lt', 'lte', 'range', 'exact', 'in_list'} <= set(device_filter['position'].type.fields)
    assert {'offset', 'limit', 'start'} <= entries['inputs']['OffsetPaginationInput']
    assert {'contains', 'contained_by', 'overlap', 'length'} <= entries['inputs']['IntegerArrayLookup']
    assert {'app_label', 'model', 'id'} <= entries['objects']['ContentTypeType']


def test_compare_reports_what_is_missing(schema):
    """The check itself: a query field, an object field and a filter taken out of our schema are reported."""
    entries = ours(schema)
    del entries['queries']['tenant_list']
    entries['objects']['TenantType'].discard('slug')
    entries['inputs']['TenantFilter'].discard('group')
    _, missing = compare(entries)
    assert 'query tenant_list' in missing
    assert any(entry.startswith('TenantType: ') and 'slug' in entry.split(': ')[1].split(', ') for entry in missing)
    assert any(entry.startswith('TenantFilter: ') and 'group' in entry.split(': ')[1].split(', ')
               for entry in missing)
