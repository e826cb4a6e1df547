"""
Custom validation (`CUSTOM_VALIDATORS`) and protection rules (`PROTECTION_RULES`), both dynamic configuration.

Each maps a model label (`dcim.site`) to a list of validators: a dict of rules per attribute, the dotted path of a
`CustomValidator` subclass, or the class (or an instance) itself. Custom validators run after the model's own
validation on every write path, because they run inside `full_clean()` and the set-wise validation of bulk writes
(`netbox.bulk.clean_one`), which the UI forms, imports, bulk edits, the REST API and scripts all go through.
Protection rules run before an object is deleted (the change log's pre_delete signal runs for every deletion,
cascades included): the object must satisfy them, or the deletion is refused with the rule's message.

An attribute may be a dotted path (`tenant.group.name`) or start with `request.` (`request.user.username`) to test
the request making the change; rules on the request are skipped when there is none (a shell, a worker).
"""
import re
from importlib import import_module

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Manager, Model

__all__ = ('CustomValidator', 'ProtectionRuleError', 'run_custom_validators', 'run_protection_rules')

EMPTY_VALUES = (None, '', [], (), {})


class CustomValidator:
    """
    Rules on an object's attributes, checked after the model's own validation. Give the rules as
    `{attribute: {rule: value}}`; subclass and override `validate(instance, request)` for logic the rules cannot
    express, calling `fail(message, field=...)` to refuse.

    Rules: `min`, `max` (numbers), `min_length`, `max_length`, `regex` (text), `required`, `prohibited` (any
    value, given True), `eq`, `neq` (equal or not equal to the value).
    """

    RULES = ('min', 'max', 'min_length', 'max_length', 'regex', 'required', 'prohibited', 'eq', 'neq')

    def __init__(self, validation_rules=None):
        self.validation_rules = validation_rules or {}
        if not isinstance(self.validation_rules, dict):
            raise ImproperlyConfigured(f'{type(self).__name__}: give the validation rules as a dictionary of '
                                       f'{{attribute: {{rule: value}}}}, not {self.validation_rules!r}.')
        for attribute, rules in self.validation_rules.items():
            if not isinstance(rules, dict):
                raise ImproperlyConfigured(f'Validation rules for "{attribute}" must be a dictionary of '
                                           f'{{rule: value}}.')
            unknown = set(rules) - set(self.RULES)
            if unknown:
                raise ImproperlyConfigured(f'Unknown validation rule(s) for "{attribute}": {", ".join(sorted(unknown))}'
                                           f' (known: {", ".join(self.RULES)}).')

    def __call__(self, instance, request=None):
        errors = {}
        for attribute, rules in self.validation_rules.items():
            if attribute.startswith('request.'):
                if request is None:
                    continue
                value = _resolve(request, attribute.split('.')[1:])
            else:
                value = _resolve(instance, attribute.split('.'))
            field = attribute.split('.')[0]
            for rule, expected in rules.items():
                message = check_rule(rule, expected, value)
                if message:
                    errors.setdefault(field, []).append(
                        message if '.' not in attribute else f'{attribute}: {message}')
        if errors:
            raise ValidationError(errors)
        self.validate(instance, request)

    def validate(self, instance, request):
        """Override for custom logic; call self.fail() to refuse the object."""

    @staticmethod
    def fail(message, field=None):
        raise ValidationError({field: message} if field else message)


def _resolve(obj, path):
    """The value at a dotted path of attributes; None when a step is empty. A many-to-many manager gives its list
    of objects (empty while the object is not saved)."""
    value = obj
    for name in path:
        if value is None:
            return None
        try:
            value = getattr(value, name)
        except (AttributeError, ValueError):
            if isinstance(value, dict):
                value = value.get(name)
                continue
            return None
        if isinstance(value, Manager):
            instance = getattr(value, 'instance', None)
            value = list(value.all()) if instance is None or instance.pk else []
    return value


def _length(value):
    return len(value) if hasattr(value, '__len__') else len(str(value))


def check_rule(rule, expected, value):
    """The message when `value` breaks `rule` (with its `expected` argument), else None."""
    empty = value in EMPTY_VALUES
    if rule == 'required':
        return 'This field is required.' if expected and empty else None
    if rule == 'prohibited':
        return 'This field must be empty.' if expected and not empty else None
    shown = value.pk if isinstance(value, Model) and not isinstance(expected, Model) else value
    if rule == 'eq':
        return None if shown == expected or str(shown) == str(expected) else f'Must be equal to {expected}.'
    if rule == 'neq':
        return f'Must not be equal to {expected}.' if shown == expected or str(shown) == str(expected) else None
    if empty:  # the remaining rules constrain a value that is given
        return None
    if rule == 'min':
        return f'Must be at least {expected}.' if _number(value) < expected else None
    if rule == 'max':
        return f'Must be at most {expected}.' if _number(value) > expected else None
    if rule == 'min_length':
        return f'Must be at least {expected} characters long.' if _length(value) < expected else None
    if rule == 'max_length':
        return f'Must be at most {expected} characters long.' if _length(value) > expected else None
    if rule == 'regex':
        return None if re.search(expected, str(value)) else f'Must match the regular expression {expected}.'
    return None


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return float('nan')


def load_validator(entry):
    """A callable validator from a configuration entry: rules, a dotted path, a class or an instance."""
    if isinstance(entry, dict):
        return CustomValidator(entry)
    if isinstance(entry, str):
        module_name, _, class_name = entry.rpartition('.')
        try:
            entry = getattr(import_module(module_name), class_name)
        except (ImportError, AttributeError, ValueError) as exc:
            raise ImproperlyConfigured(f'Cannot import the custom validator "{entry}": {exc}') from exc
    if isinstance(entry, type):
        entry = entry()
    if not callable(entry):
        raise ImproperlyConfigured(f'{entry!r} is not a validator: give rules, a dotted path or a CustomValidator.')
    return entry


def _validators(parameter, instance):
    from netbox.dynamic_config import get_config

    configured = getattr(get_config(), parameter) or {}
    entries = configured.get(instance._meta.label_lower) or configured.get(instance._meta.label) or ()
    if isinstance(entries, (dict, str)) or not hasattr(entries, '__iter__'):
        entries = [entries]
    return [load_validator(entry) for entry in entries]


def _current_request():
    from netbox.request_context import current_change_context

    context = current_change_context()
    return getattr(context, 'request', None) if context is not None else None


def run_custom_validators(instance):
    """Check `instance` against CUSTOM_VALIDATORS; raises ValidationError naming the field."""
    validators = _validators('CUSTOM_VALIDATORS', instance)
    if not validators:
        return
    request = _current_request()
    for validator in validators:
        validator(instance, request)


class ProtectionRuleError(ValidationError):
    """A deletion refused by PROTECTION_RULES (a 400 naming the field in the API, a message in the UI)."""


def run_protection_rules(instance):
    """Refuse to delete `instance` unless it satisfies PROTECTION_RULES."""
    validators = _validators('PROTECTION_RULES', instance)
    if not validators:
        return
    request = _current_request()
    for validator in validators:
        try:
            validator(instance, request)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, 'error_dict') else {'__all__': exc.messages}
            detail = {field: [f'Cannot delete {instance._meta.verbose_name} {instance}: {message}'
                              for message in messages] for field, messages in errors.items()}
            raise ProtectionRuleError(detail) from exc
