"""
The conditions of an event rule: a small JSON language evaluated against an event.

A leaf compares one attribute with a value:

    {"attr": "status.value", "value": "active", "op": "eq", "negate": false}

`op` is one of eq (the default), gt, gte, lt, lte, in (the attribute is one of a list), contains (the attribute,
a string or list, contains the value), regex (the attribute, a string, matches the pattern), changed and unchanged
(the attribute differs, or not, between the event's `snapshots.prechange` and `snapshots.postchange`; no value).
`negate` inverts the leaf. Sets combine leaves: {"and": [...]} and {"or": [...]}, nested as deep as needed.

Attributes are dotted paths into the event's `data` (the object's REST representation), except those beginning
with `snapshots.` (`snapshots.prechange.status`, `snapshots.postchange.name`), which are read from the event
itself. An attribute that does not resolve makes its leaf false, negated or not (fail closed), and is logged on
the `netbox.events` logger.
"""
import logging
import re

logger = logging.getLogger('netbox.events')

OPERATORS = ('eq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'regex', 'changed', 'unchanged')
SNAPSHOT_OPERATORS = ('changed', 'unchanged')
LOGIC = ('and', 'or')
_MISSING = object()


class ConditionError(ValueError):
    """A malformed condition (said with where it is)."""


def check_conditions(conditions, where='conditions'):
    """Raise ConditionError when `conditions` is not a well-formed condition or condition set."""
    if not isinstance(conditions, dict):
        raise ConditionError(f'{where} must be a JSON object.')
    logic = [key for key in conditions if key.lower() in LOGIC]
    if logic:
        if len(conditions) != 1:
            raise ConditionError(f'{where}: a condition set has exactly one key, "and" or "or".')
        items = conditions[logic[0]]
        if not isinstance(items, list) or not items:
            raise ConditionError(f'{where}.{logic[0]} must be a non-empty list of conditions.')
        for index, item in enumerate(items):
            check_conditions(item, f'{where}.{logic[0]}[{index}]')
        return
    unknown = set(conditions) - {'attr', 'value', 'op', 'negate'}
    if unknown:
        raise ConditionError(f'{where}: unknown key(s) {", ".join(sorted(unknown))}.')
    attr = conditions.get('attr')
    if not isinstance(attr, str) or not attr.strip():
        raise ConditionError(f'{where}: "attr" must name an attribute.')
    op = conditions.get('op', 'eq')
    if op not in OPERATORS:
        raise ConditionError(f'{where}: unknown operator "{op}"; use one of {", ".join(OPERATORS)}.')
    if not isinstance(conditions.get('negate', False), bool):
        raise ConditionError(f'{where}: "negate" must be true or false.')
    if op in SNAPSHOT_OPERATORS:
        if attr.startswith('snapshots.'):
            raise ConditionError(f'{where}: "{op}" compares the snapshots itself; give a plain attribute.')
        return
    if 'value' not in conditions:
        raise ConditionError(f'{where}: "value" is required with operator "{op}".')
    value = conditions['value']
    if op == 'in' and not isinstance(value, list):
        raise ConditionError(f'{where}: operator "in" needs a list value.')
    if op == 'regex':
        if not isinstance(value, str):
            raise ConditionError(f'{where}: operator "regex" needs a string value.')
        try:
            re.compile(value)
        except re.error as error:
            raise ConditionError(f'{where}: invalid regular expression ({error}).') from None


def _resolve(root, path):
    value = root
    for part in path.split('.'):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.lstrip('-').isdigit() and -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _leaf(condition, event):
    attr, op = condition['attr'], condition.get('op', 'eq')
    if op in SNAPSHOT_OPERATORS:
        snapshots = event.get('snapshots') or {}
        before = _resolve(snapshots.get('prechange'), attr) if snapshots.get('prechange') is not None else _MISSING
        after = _resolve(snapshots.get('postchange'), attr) if snapshots.get('postchange') is not None else _MISSING
        if before is _MISSING or after is _MISSING:
            logger.info('Condition on "%s" (%s) is false: the attribute is not in both snapshots of %s %s.',
                        attr, op, event.get('object_type'), event.get('object_id'))
            return False
        result = (before != after) if op == 'changed' else (before == after)
    else:
        root = event if attr.startswith('snapshots.') else event.get('data')
        actual = _resolve(root, attr)
        if actual is _MISSING:
            logger.info('Condition on "%s" is false: the attribute does not resolve for %s %s.', attr,
                        event.get('object_type'), event.get('object_id'))
            return False
        try:
            result = _compare(op, actual, condition.get('value'))
        except TypeError as error:
            logger.info('Condition on "%s" (%s) is false: %s', attr, op, error)
            return False
    return not result if condition.get('negate', False) else result


def _compare(op, actual, value):
    if op == 'eq':
        return actual == value
    if op == 'in':
        return actual in value
    if op == 'contains':
        if actual is None:
            return False
        return value in actual
    if op == 'regex':
        return isinstance(actual, str) and re.search(value, actual) is not None
    if actual is None or value is None:
        return False
    if op == 'gt':
        return actual > value
    if op == 'gte':
        return actual >= value
    if op == 'lt':
        return actual < value
    return actual <= value  # lte


def evaluate(conditions, event):
    """Whether `event` matches `conditions` (no conditions: always). Malformed conditions match nothing."""
    if not conditions:
        return True
    try:
        check_conditions(conditions)
    except ConditionError as error:
        logger.warning('Malformed conditions ignored (match nothing): %s', error)
        return False
    return _evaluate(conditions, event)


def _evaluate(conditions, event):
    for key, items in conditions.items():
        if key.lower() == 'and':
            return all(_evaluate(item, event) for item in items)
        if key.lower() == 'or':
            return any(_evaluate(item, event) for item in items)
    return _leaf(conditions, event)
