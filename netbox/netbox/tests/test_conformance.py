"""
REST conformance with NetBox 4.7.3: every path, response field, brief field and filter that the reference lists for
a built model (one registered in `netbox.registry.registry`) must be in our OpenAPI schema. A per-app summary is
printed at the end of the run (see conftest.py); adding a model extends the check with no change here.
"""
import json
from collections import defaultdict
from pathlib import Path

import pytest

from netbox.api.fields import api_list_path
from netbox.registry import registry

REFERENCE_PATH = Path(__file__).resolve().parents[4] / 'shared' / 'reference' / 'netbox-4.7-api.json'
REFERENCE = json.loads(REFERENCE_PATH.read_text())
KINDS = ('endpoints', 'fields', 'brief', 'filters')
# Reference paths built without a model behind them ({path prefix: app}): their paths and methods are checked.
BUILT_NON_MODEL_PATHS = {
    '/api/core/background-': 'core',
}


@pytest.fixture(scope='module')
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema, node):
    while '$ref' in node:
        node = schema['components']['schemas'][node['$ref'].rsplit('/', 1)[-1]]
    if 'allOf' in node and len(node['allOf']) == 1:
        return resolve(schema, node['allOf'][0])
    return node


def list_row_properties(schema, path):
    """The properties of one row of a list endpoint's response."""
    response = schema['paths'][path]['get']['responses']['200']['content']['application/json']['schema']
    page = resolve(schema, response)
    return set(resolve(schema, page['properties']['results']['items'])['properties'])


def brief_properties(schema, declaration):
    component = schema['components']['schemas'].get(f'Brief{declaration.model.__name__}', {})
    return set(component.get('properties', {}))


def query_parameters(schema, path):
    return {p['name'] for p in schema['paths'][path]['get'].get('parameters', ()) if p['in'] == 'query'}


def built_reference_paths():
    """{reference path: declaration} for every reference path of a built model (list, detail and extra routes)."""
    out = {}
    for declaration in registry:
        base = api_list_path(declaration.model)
        if base is None:
            continue
        for path in REFERENCE:
            if path == base or path.startswith(f'{base}{{id}}/'):
                out[path] = declaration
    return out


def compare(schema):
    """({app: {kind: [found, total]}}, [missing entries]) over the reference entries of built models."""
    counts = defaultdict(lambda: {kind: [0, 0] for kind in KINDS})
    missing = []
    for path in sorted(REFERENCE):
        app = next((app for prefix, app in BUILT_NON_MODEL_PATHS.items() if path.startswith(prefix)), None)
        if app is None:
            continue
        methods = {method.upper() for method in schema['paths'].get(path, {})}
        absent = sorted(set(REFERENCE[path].get('methods', ())) - methods)
        counts[app]['endpoints'][1] += 1
        if absent:
            missing.append(f'{path}: methods {", ".join(absent)}' if methods else f'{path}: no such path')
        else:
            counts[app]['endpoints'][0] += 1
    for path, declaration in sorted(built_reference_paths().items()):
        app = declaration.app_label()
        reference = REFERENCE[path]
        ours = schema['paths'].get(path, {})
        methods = {method.upper() for method in ours}
        absent = sorted(set(reference.get('methods', ())) - methods)
        counts[app]['endpoints'][1] += 1
        if absent:
            missing.append(f'{path}: methods {", ".join(absent)}' if ours else f'{path}: no such path')
        else:
            counts[app]['endpoints'][0] += 1
        if path != api_list_path(declaration.model):
            continue
        checks = {
            'fields': (reference.get('fields', ()), list_row_properties(schema, path) if ours else set()),
            'brief': (reference.get('brief', ()), brief_properties(schema, declaration)),
            'filters': (reference.get('filters', ()), query_parameters(schema, path) if ours else set()),
        }
        tally(counts[app], checks, missing, {kind: f'{path} {kind}' for kind in checks})
    return counts, missing


def tally(app_counts, checks, missing, labels):
    """Add each check's {kind: (wanted names, offered names)} to the app's [found, total]; list the gaps, each
    under its kind's label."""
    for kind, (wanted, offered) in checks.items():
        gaps = sorted(set(wanted) - offered)
        app_counts[kind][0] += len(set(wanted)) - len(gaps)
        app_counts[kind][1] += len(set(wanted))
        if gaps:
            missing.append(f'{labels[kind]}: {", ".join(gaps)}')


def summary_table(counts, kinds=KINDS):
    lines = [f'{"app":<10}' + ''.join(f'{kind:>16}' for kind in kinds)]
    totals = {kind: [0, 0] for kind in kinds}
    for app in sorted(counts):
        cells = []
        for kind in kinds:
            found, total = counts[app][kind]
            totals[kind][0] += found
            totals[kind][1] += total
            cells.append(f'{found}/{total}')
        lines.append(f'{app:<10}' + ''.join(f'{cell:>16}' for cell in cells))
    lines.append(f'{"total":<10}' + ''.join(f'{f"{t[0]}/{t[1]}":>16}' for t in totals.values()))
    return '\n'.join(lines)


def test_reference_entries_of_built_models_are_in_schema(schema, record_property):
    counts, missing = compare(schema)
    table = summary_table(counts)
    if missing:
        table += f'\n{len(missing)} missing:\n' + '\n'.join(f'  {entry}' for entry in missing)
    record_property('conformance_summary', table)  # printed by netbox/conftest.py
    assert counts, 'no built model has a reference entry'
    assert not missing, table


def test_every_declared_model_has_its_paths(schema):
    for declaration in registry:
        base = api_list_path(declaration.model)
        methods = {m.lower() for m in declaration.api_methods}
        assert set(schema['paths'][base]) == methods & {'get', 'post', 'put', 'patch', 'delete'}, base
        assert set(schema['paths'][f'{base}{{id}}/']) == (methods & {'get', 'put', 'patch', 'delete'}) | set(
            declaration.detail_actions), base


def test_compare_reports_what_is_missing(schema):
    """The check itself: a field, a filter and a path taken out of our schema are reported."""
    trimmed = json.loads(json.dumps(schema))
    del trimmed['paths']['/api/tenancy/tenants/{id}/']
    trimmed['components']['schemas']['Tenant']['properties'].pop('slug')
    trimmed['paths']['/api/tenancy/tenants/']['get']['parameters'] = [
        p for p in trimmed['paths']['/api/tenancy/tenants/']['get']['parameters'] if p['name'] != 'slug']
    _, missing = compare(trimmed)
    assert '/api/tenancy/tenants/{id}/: no such path' in missing
    assert '/api/tenancy/tenants/ fields: slug' in missing
    assert '/api/tenancy/tenants/ filters: slug' in missing
