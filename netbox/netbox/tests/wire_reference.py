"""
NetBox 4.7.3's wire facts for the conformance tests: each list endpoint's field types (from the API reference) and
filters with their lookups (from the per-app reference pages, where `name[str]`, `name[num]`, `name[n]` or
`name[gte,lte]` say which lookups a filter has), and the filters we keep beyond NetBox's, read from the REST API
page of the docs so that the list there is the list the test accepts.
"""
import json
import re
from pathlib import Path

from netbox.filtersets import NUMBER_LOOKUPS, STRING_LOOKUPS

ROOT = Path(__file__).resolve().parents[3]
REFERENCE_DIR = ROOT.parent / 'shared' / 'reference'
API_REFERENCE = json.loads((REFERENCE_DIR / 'netbox-4.7-api.json').read_text())
DOCS_PAGE = ROOT / 'docs' / 'api' / 'overview.md'

LOOKUP_KINDS = {
    'str': (*STRING_LOOKUPS, 'empty'),
    'num': (*NUMBER_LOOKUPS, 'empty'),
    'n': ('n',),
    '': (),
}


def _parse_filter_pages():
    endpoints = {}
    for page in sorted((REFERENCE_DIR / 'api').glob('*.md')):
        path = None
        for line in page.read_text().splitlines():
            heading = re.match(r'## `(\S+)`', line)
            if heading:
                path = heading.group(1)
            elif line.startswith('- filters: ') and path:
                filters = {}
                for token in line[len('- filters: '):].split():
                    name, _, kind = token.partition('[')
                    kind = kind.rstrip(']')
                    filters[name] = LOOKUP_KINDS[kind] if kind in LOOKUP_KINDS else tuple(kind.split(','))
                endpoints[path] = filters
    return endpoints


FILTERS = _parse_filter_pages()


def allowed_filter_names(path):
    """Every query parameter NetBox's filter set answers on the list endpoint `path`, lookups included."""
    names = set()
    for base, suffixes in FILTERS.get(path, {}).items():
        names.add(base)
        names.update(f'{base}__{suffix}' for suffix in suffixes)
    return names


def kept_extra_filters():
    """{(endpoint path, filter name): reason} from the docs' table of filters kept beyond NetBox's."""
    kept = {}
    text = DOCS_PAGE.read_text()
    section = text.split('### Filters beyond NetBox', 1)
    if len(section) < 2:
        return kept
    for line in section[1].split('\n#', 1)[0].splitlines():
        cells = [cell.strip().strip('`') for cell in line.strip().strip('|').split('|')]
        if len(cells) == 3 and cells[0].startswith('/api/'):
            kept[(cells[0], cells[1])] = cells[2]
    return kept


def types_for(path):
    entry = API_REFERENCE.get(path) or {}
    return entry.get('types') or {}


def json_type(value):
    """The JSON type of a decoded value, as the reference names it."""
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, int):
        return 'integer'
    if isinstance(value, float):
        return 'number'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, list):
        return 'array'
    if isinstance(value, dict):
        return 'object'
    return type(value).__name__


def type_matches(expected, value):
    """Whether a value has the reference type `expected` ('number', 'object?', 'any', ...)."""
    nullable = expected.endswith('?')
    expected = expected.rstrip('?')
    if expected == 'any':
        return True
    if value is None:
        return nullable
    return json_type(value) == expected
