"""
`FIELD_CHOICES`: replace (`dcim.Site.status`) or extend (`dcim.Site.status+`) a field's built-in choices with
`(value, label)` or `(value, label, colour)` entries.

Applied once at start-up, before the declarations derive serializers, filters, forms and tables from the model
fields, so every path (REST, filters, UI, imports) offers and accepts the same choices. Migrations keep seeing the
built-in choices: they describe the schema, which the configured choices do not change.
"""
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured

# Colour names a choice may give (NetBox's), each with the badge class the UI shows it with.
CHOICE_COLOR_NAMES = {
    'blue': 'blue', 'indigo': 'indigo', 'purple': 'purple', 'pink': 'pink', 'red': 'red', 'orange': 'orange',
    'yellow': 'yellow', 'green': 'green', 'teal': 'teal', 'cyan': 'cyan', 'gray': 'gray', 'black': 'black',
    'white': 'white',
}


def _field_for(key):
    label = key[:-1] if key.endswith('+') else key
    parts = label.split('.')
    if len(parts) != 3:
        raise ImproperlyConfigured(f'FIELD_CHOICES: "{key}" must name app.Model.field (e.g. "dcim.Site.status", or '
                                   f'"dcim.Site.status+" to extend the built-in choices).')
    app_label, model_name, field_name = parts
    try:
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    except (LookupError, FieldDoesNotExist) as exc:
        raise ImproperlyConfigured(f'FIELD_CHOICES: "{key}" names no model field ({exc}).') from exc
    if not getattr(field, 'choices', None):
        raise ImproperlyConfigured(f'FIELD_CHOICES: {label} is not a field with choices.')
    return field


def _entries(key, entries):
    pairs, colors = [], {}
    if isinstance(entries, (str, dict)) or not hasattr(entries, '__iter__'):
        raise ImproperlyConfigured(f'FIELD_CHOICES: "{key}" must give a list of (value, label[, colour]) entries.')
    for entry in entries:
        if not isinstance(entry, (list, tuple)) or len(entry) not in (2, 3):
            raise ImproperlyConfigured(f'FIELD_CHOICES: "{key}" has {entry!r}; give (value, label) or '
                                       f'(value, label, colour).')
        value, label = entry[0], entry[1]
        if len(entry) == 3:
            if entry[2] not in CHOICE_COLOR_NAMES:
                raise ImproperlyConfigured(f'FIELD_CHOICES: "{key}" gives colour "{entry[2]}" for "{value}"; known '
                                           f'colours: {", ".join(CHOICE_COLOR_NAMES)}.')
            colors[str(value).lower()] = CHOICE_COLOR_NAMES[entry[2]]
        pairs.append((value, str(label)))
    return pairs, colors


def _keep_builtin_choices_in_migrations(field, builtin):
    deconstruct = field.deconstruct

    def deconstruct_with_builtin_choices():
        name, path, args, kwargs = deconstruct()
        kwargs['choices'] = builtin
        return name, path, args, kwargs

    field.deconstruct = deconstruct_with_builtin_choices


def apply_field_choices(configured):
    """Give the configured choices to their fields; ImproperlyConfigured names the entry at fault."""
    from netbox.ui.values import CHOICE_COLORS

    for key, entries in (configured or {}).items():
        field = _field_for(key)
        pairs, colors = _entries(key, entries)
        builtin = list(field.choices)
        if key.endswith('+'):
            known = {value for value, _label in builtin}
            pairs = builtin + [pair for pair in pairs if pair[0] not in known]
        if not hasattr(field, '_builtin_choices'):
            field._builtin_choices = builtin
            _keep_builtin_choices_in_migrations(field, builtin)
        field.choices = pairs
        for value, color in colors.items():
            CHOICE_COLORS.setdefault(value, color)
