"""
Form fields and widgets shared by the add/edit, bulk edit, import and filter forms.

Related objects are chosen with a type-ahead (project-static/js/netbox.js) that queries the related model's REST
list; the <select> sent to the browser only holds the current value(s), so a form never loads a whole table.
Object fields also accept a related object's name, slug (or other naming field) instead of its ID, which is what
the importer relies on.
"""
import json

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import MultipleObjectsReturned, ValidationError
from django.db.models import Q

from netbox.registry import registry

from .values import content_type_label

# 'rd': a VRF by its route distinguisher (unique), as NetBox's importer takes it.
LOOKUP_FIELDS = ('slug', 'name', 'username', 'model', 'mac_address', 'key', 'label', 'rd')


def api_url_for(model):
    """The REST list path the type-ahead queries for `model`, or None when the model has no API."""
    from netbox.api.fields import api_list_path

    if registry.get(model) is None:
        return None
    return api_list_path(model)


class TypeaheadMixin:
    """Renders only the selected options; the browser script fetches the rest from the API as the user types."""

    def __init__(self, api_url=None, value_field='id', query=None, attrs=None, **kwargs):
        attrs = dict(attrs or {})
        if api_url:
            attrs.update({'data-typeahead': 'true', 'data-url': api_url, 'data-value-field': value_field})
            if query:
                attrs['data-query'] = json.dumps(query)
        super().__init__(attrs=attrs, **kwargs)

    def selected_options(self, values):
        choices = self.choices
        field = getattr(choices, 'field', None)
        values = [str(v) for v in values if v not in (None, '')]
        if field is None:  # plain (value, label) choices
            return [(str(k), label) for k, label in choices if str(k) in values]
        if not values:
            return []
        return [(str(self.option_value(field, obj)), field.label_from_instance(obj))
                for obj in field.queryset_for_values(values)]

    @staticmethod
    def option_value(field, obj):
        return getattr(obj, field.to_field_name) if field.to_field_name else obj.pk

    def optgroups(self, name, value, attrs=None):
        groups = []
        if not self.allow_multiple_selected and not self.is_required:
            groups.append((None, [self.create_option(name, '', '---------', False, 0)], 0))
        for index, (option_value, label) in enumerate(self.selected_options(value or []), start=1):
            groups.append((None, [self.create_option(name, option_value, label, True, index)], index))
        return groups


class TypeaheadSelect(TypeaheadMixin, forms.Select):
    pass


class TypeaheadSelectMultiple(TypeaheadMixin, forms.SelectMultiple):
    pass


def _split(value):
    """A list from a comma-separated string (as CSV cells give many values)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(',') if part.strip()]
    return value


class LookupMixin:
    """Finds an object by ID, or by a naming field (slug, name, username...) given as text."""

    def lookup_q(self, value):
        text = str(value).strip()
        model = self.queryset.model
        names = {f.name for f in model._meta.concrete_fields}
        condition = Q()
        if text.isdigit():
            condition |= Q(pk=int(text))
        if model is ContentType and '.' in text:
            app_label, _, model_name = text.lower().partition('.')
            condition |= Q(app_label=app_label, model=model_name)
        for name in LOOKUP_FIELDS:
            if name in names:
                condition |= Q(**{name: text})
        return condition

    def find(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dict):
            value = value.get('id') or value.get('slug') or value.get('name') or ''
        if hasattr(value, 'pk') and isinstance(value, self.queryset.model):
            value = value.pk
        try:
            return self.queryset.get(self.lookup_q(value))
        except self.queryset.model.DoesNotExist:
            raise ValidationError(f'No {self.queryset.model._meta.verbose_name} "{value}" found.', code='invalid')
        except MultipleObjectsReturned:
            # An ID wins over a name that happens to be the same digits.
            text = str(value).strip()
            if text.isdigit():
                found = self.queryset.filter(pk=int(text)).first()
                if found is not None:
                    return found
            raise ValidationError(f'More than one {self.queryset.model._meta.verbose_name} matches "{value}"; '
                                  f'give its ID.', code='invalid')
        except (ValueError, TypeError):
            raise ValidationError(f'"{value}" is not a valid value.', code='invalid')

    def queryset_for_values(self, values):
        condition = Q()
        for value in values:
            condition |= self.lookup_q(value)
        return self.queryset.filter(condition) if values else self.queryset.none()


class ObjectField(LookupMixin, forms.ModelChoiceField):
    """One related object, chosen with a type-ahead."""

    def __init__(self, queryset, **kwargs):
        model = queryset.model
        kwargs.setdefault('widget', _widget_for(model, multiple=False))
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        return self.find(value)

    def label_from_instance(self, obj):
        if isinstance(obj, ContentType):
            return content_type_label(obj)
        return super().label_from_instance(obj)


class ObjectsField(LookupMixin, forms.ModelMultipleChoiceField):
    """Several related objects, chosen with a type-ahead."""

    def __init__(self, queryset, **kwargs):
        model = queryset.model
        kwargs.setdefault('widget', _widget_for(model, multiple=True))
        super().__init__(queryset, **kwargs)

    def clean(self, value):
        value = _split(value)
        if value in self.empty_values or value == []:
            if self.required:
                raise ValidationError(self.error_messages['required'], code='required')
            return self.queryset.none()
        if not isinstance(value, (list, tuple)):
            value = [value]
        objects = [self.find(item) for item in value if item not in self.empty_values]
        self.run_validators(objects)
        return self.queryset.filter(pk__in=[obj.pk for obj in objects])

    def label_from_instance(self, obj):
        if isinstance(obj, ContentType):
            return content_type_label(obj)
        return super().label_from_instance(obj)

    def prepare_value(self, value):
        if hasattr(value, '__iter__') and not isinstance(value, (str, bytes)):
            return [item.pk if hasattr(item, 'pk') else item for item in value]
        return super().prepare_value(value)


def _widget_for(model, multiple):
    url = api_url_for(model)
    if model is ContentType or url is None:
        # Object types are few: a plain select lists them all.
        return forms.SelectMultiple(attrs={'size': 8}) if multiple else forms.Select()
    return TypeaheadSelectMultiple(api_url=url) if multiple else TypeaheadSelect(api_url=url)


def declared_content_types():
    """The object types of declared models (what object-type fields may point at)."""
    condition = Q()
    for declaration in registry:
        condition |= Q(app_label=declaration.app_label(), model=declaration.model_name())
    return ContentType.objects.filter(condition).order_by('app_label', 'model')


class TagsField(ObjectsField):
    """Tags by ID, slug or name; limited to those allowed on the model's object type."""

    def __init__(self, model, **kwargs):
        from extras.models import Tag

        content_type = ContentType.objects.get_for_model(model)
        self.content_type = content_type
        kwargs.setdefault('required', False)
        kwargs.setdefault('label', 'Tags')
        kwargs.setdefault('widget', TypeaheadSelectMultiple(api_url=api_url_for(Tag),
                                                            query={'for_object_type_id': content_type.pk}))
        super().__init__(Tag.objects.all(), **kwargs)

    def clean(self, value):
        tags = super().clean(value)
        refused = [tag.name for tag in tags.prefetch_related('object_types')
                   if tag.object_types.all() and self.content_type not in tag.object_types.all()]
        if refused:
            raise ValidationError(f'Tag(s) {", ".join(refused)} may not be applied to this type of object.')
        return tags


BOOLEAN_TEXT = {'true': True, 'yes': True, 'y': True, '1': True, 'on': True,
                'false': False, 'no': False, 'n': False, '0': False, 'off': False}


class NullBooleanChoiceField(forms.TypedChoiceField):
    """Yes / No / unset as a select (for bulk edits, filters and custom fields)."""

    def __init__(self, empty_label='---------', **kwargs):
        kwargs['choices'] = [('', empty_label), ('true', 'Yes'), ('false', 'No')]
        kwargs['coerce'] = lambda value: BOOLEAN_TEXT.get(str(value).lower())
        kwargs['empty_value'] = None
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, bool):
            return 'true' if value else 'false'
        return str(value).lower() if value not in self.empty_values else ''

    def valid_value(self, value):
        return value in ('', 'true', 'false') or str(value).lower() in BOOLEAN_TEXT

    def prepare_value(self, value):
        if isinstance(value, bool):
            return 'true' if value else 'false'
        return value
