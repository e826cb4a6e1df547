"""
The filter form shown above a list: quick search, relations, choices, booleans, tags and custom fields.

It only displays the filters (and keeps their values); the filtering itself is the declaration's FilterSet applied
to the same GET parameters, so a URL built by hand filters exactly like the form.
"""
import copy

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from mptt.models import MPTTModel

from netbox.filtersets import TreeFilter, default_filter_names, id_filter_name

from .fields import NullBooleanChoiceField, ObjectsField, TypeaheadSelectMultiple, api_url_for
from .forms import custom_field_formfield
from .values import content_type_label, custom_fields_for

SKIPPED = ('id', 'created', 'last_updated')


def _related_model(model, path):
    """The model a `__`-separated relation path ends at, or None."""
    current = model
    for part in path.split('__'):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if not field.is_relation or field.related_model is None:
            return None
        current = field.related_model
    return current


def _objects_field(related, label):
    if api_url_for(related) is None:
        return None
    return ObjectsField(related._default_manager.all(), required=False, label=label)


def _label(text):
    text = str(text).replace('_', ' ')
    return text[:1].upper() + text[1:]


def filter_fields(declaration):
    """[(name, form field)] for the declaration's filters worth a form field, built once per declaration."""
    cached = declaration.__dict__.get('_ui_filter_fields')
    if cached is not None:
        return cached
    model = declaration.model
    offered = declaration.filterset().base_filters
    fields = []
    names = declaration.filters if declaration.filters is not None else default_filter_names(declaration)
    for name in names:
        if name in SKIPPED:
            continue
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        label = _label(getattr(model_field, 'verbose_name', name))
        if model_field.is_relation:
            related = model_field.related_model
            if related is ContentType and name in offered:
                field = forms.MultipleChoiceField(required=False, label=label, choices=[])
                field.content_types = True
                fields.append((name, field))
            elif id_filter_name(declaration, name) and related is not None:
                field = _objects_field(related, label)
                if field is not None:
                    fields.append((id_filter_name(declaration, name), field))
        elif getattr(model_field, 'choices', None) and name in offered:
            choices = [(str(value), text) for value, text in model_field.flatchoices if value not in ('', None)]
            fields.append((name, forms.MultipleChoiceField(required=False, label=label, choices=choices)))
        elif isinstance(model_field, models.BooleanField) and name in offered:
            fields.append((name, NullBooleanChoiceField(required=False, label=label, empty_label='Any')))
    taken = {name for name, _ in fields}
    for name, flt in declaration.extra_filters.items():
        if not name.endswith('_id') or '__' in name or name in taken or f'{name[:-3]}' in taken:
            continue
        related = flt.tree_model if isinstance(flt, TreeFilter) else _related_model(model, flt.field_name or '')
        if related is None or related is model and not issubclass(model, MPTTModel):
            continue
        field = _objects_field(related, _label(name[:-3]))
        if field is not None:
            fields.append((name, field))
    declaration._ui_filter_fields = fields
    return fields


class FilterForm(forms.Form):
    """Built per request: the cached filter fields, plus tags and custom fields."""

    def __init__(self, declaration, data, user=None):
        super().__init__(data)

        offered = declaration.filterset().base_filters
        if 'q' in offered:
            self.fields['q'] = forms.CharField(required=False, label='Search',
                                               widget=forms.TextInput(attrs={'placeholder': 'Search…',
                                                                             'type': 'search'}))
        for name, field in filter_fields(declaration):
            field = copy.deepcopy(field)
            if getattr(field, 'content_types', False):
                field.choices = [(f'{ct.app_label}.{ct.model}', content_type_label(ct)) for ct in _content_types()]
            queryset = getattr(field, 'queryset', None)
            if user is not None and queryset is not None and hasattr(queryset, 'restrict'):
                field.queryset = queryset.restrict(user, 'view')
            self.fields[name] = field
        if declaration.has_tags():
            from extras.models import Tag

            content_type = ContentType.objects.get_for_model(declaration.model)
            self.fields['tag'] = ObjectsField(
                Tag.objects.all(), required=False, label='Tags', to_field_name='slug',
                widget=TypeaheadSelectMultiple(api_url=api_url_for(Tag), value_field='slug',
                                               query={'for_object_type_id': content_type.pk}))
        for cf in custom_fields_for(declaration.model):
            if cf.filter_logic == 'disabled':
                continue
            field = custom_field_formfield(cf, for_filter=True)
            self.fields[f'cf_{cf.name}'] = field

    @property
    def active_count(self):
        return sum(1 for name in self.fields if name != 'q' and self.data.getlist(name) and
                   any(value not in ('', None) for value in self.data.getlist(name)))


def _content_types():
    from .fields import declared_content_types

    return declared_content_types()
