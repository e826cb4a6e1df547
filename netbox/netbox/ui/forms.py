"""
Forms derived from declarations: add/edit (also used row by row by the importer) and bulk edit.

The editable fields are the declaration's writable REST fields that are model fields, plus write-only model fields
(a password); relations use type-ahead fields, tags and custom fields are added per form since they live in the
database. Model validation (full_clean, constraints) runs as for any ModelForm.
"""
import datetime
import decimal
import json

from django import forms
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models

from .fields import NullBooleanChoiceField, ObjectField, ObjectsField, TagsField, declared_content_types
from .values import custom_fields_for, display_order

NOT_EDITABLE = {'id', 'url', 'display_url', 'display', 'custom_fields', 'tags', 'created', 'last_updated', '_depth'}


def editable_field_names(declaration):
    """Model fields the declaration lets a user write, in REST order."""
    model = declaration.model
    names = []
    for name in list(declaration.rest_fields()) + list(declaration.write_only):
        # form_include also brings in a field the form sets though the API shows it read-only (a followed data
        # file) or the derivation leaves it out (a config context's criteria tags).
        fixed = name in NOT_EDITABLE and name not in declaration.form_include
        read_only = name in declaration.read_only and name not in declaration.form_include
        if fixed or read_only or name in declaration.counts or \
                name in declaration.form_exclude or name in names:
            continue
        serializer_field = declaration.serializer_fields.get(name)
        if serializer_field is not None and serializer_field.read_only:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, GenericForeignKey) or (not getattr(field, 'concrete', False) and
                                                    name not in declaration.form_include):
            continue
        if not field.editable or field.auto_created or getattr(field, 'auto_now', False) or \
                getattr(field, 'auto_now_add', False):
            continue
        names.append(name)
    return display_order(names)


def formfield_for(model_field, **kwargs):
    """The form field for one model field, with type-aheads for relations."""
    if model_field.is_relation:
        related = model_field.related_model
        queryset = declared_content_types() if related is ContentType else related._default_manager.all()
        limit = model_field.get_limit_choices_to()
        if limit:
            queryset = queryset.complex_filter(limit)
        options = {'required': not model_field.blank, 'label': _capfirst(model_field.verbose_name),
                   'help_text': model_field.help_text}
        options.update(kwargs)
        if model_field.many_to_many:
            return ObjectsField(queryset, **options)
        to_field = model_field.remote_field.field_name if hasattr(model_field.remote_field, 'field_name') else None
        if to_field and to_field != related._meta.pk.name:
            options['to_field_name'] = to_field
        return ObjectField(queryset, **options)
    if isinstance(model_field, ArrayField) and model_field.base_field.choices:
        # A list of choices (an event rule's event types): one checkbox per choice rather than comma-separated text.
        return forms.TypedMultipleChoiceField(
            choices=model_field.base_field.choices, coerce=str, required=not model_field.blank,
            label=_capfirst(model_field.verbose_name), help_text=model_field.help_text,
            widget=forms.CheckboxSelectMultiple)
    field = model_field.formfield(**kwargs)
    if field is None:
        return None
    if isinstance(model_field, models.DateTimeField):
        field.widget = forms.DateTimeInput(attrs={'type': 'datetime-local', 'step': 1}, format='%Y-%m-%dT%H:%M:%S')
    elif isinstance(model_field, models.DateField):
        field.widget = forms.DateInput(attrs={'type': 'date'}, format='%Y-%m-%d')
    elif isinstance(model_field, models.JSONField):
        field = JSONFormField(required=field.required, label=field.label, help_text=field.help_text,
                              initial=field.initial, encoder=model_field.encoder, decoder=model_field.decoder)
    elif isinstance(model_field, models.TextField):
        field.widget = forms.Textarea(attrs={'rows': 5 if model_field.name == 'comments' else 3})
    elif model_field.name == 'password':
        field.widget = forms.PasswordInput(render_value=False)
    if model_field.name == 'color' and isinstance(field.widget, forms.TextInput):
        field.widget.attrs.update({'data-color': 'true', 'placeholder': 'rrggbb'})
    return field


class JSONFormField(forms.JSONField):
    """JSON in a monospaced textarea; an empty value shows as an empty box rather than `null`."""

    widget = forms.Textarea(attrs={'rows': 4, 'class': 'mono'})

    def prepare_value(self, value):
        if value is None:
            return ''
        return super().prepare_value(value)


def _capfirst(text):
    text = str(text)
    return text[:1].upper() + text[1:]


# Custom fields

def custom_field_formfield(cf, for_bulk=False, for_filter=False):
    """The form field for a custom field (optional in bulk edits and filters)."""
    required = cf.required and not for_bulk and not for_filter
    options = {'required': required, 'label': str(cf), 'help_text': cf.description}
    kind = cf.type
    if kind == 'longtext' and not for_filter:
        field = forms.CharField(widget=forms.Textarea(attrs={'rows': 3}), **options)
    elif kind == 'integer' and not for_filter:
        field = forms.IntegerField(**options)
    elif kind == 'decimal' and not for_filter:
        field = forms.DecimalField(**options)
    elif kind == 'boolean':
        field = NullBooleanChoiceField(**options)
    elif kind == 'date' and not for_filter:
        field = forms.DateField(widget=forms.DateInput(attrs={'type': 'date'}, format='%Y-%m-%d'), **options)
    elif kind == 'datetime' and not for_filter:
        field = forms.DateTimeField(widget=forms.DateTimeInput(attrs={'type': 'datetime-local', 'step': 1},
                                                               format='%Y-%m-%dT%H:%M:%S'), **options)
    elif kind == 'json' and not for_filter:
        field = JSONFormField(**options)
    elif kind in ('select', 'multiselect'):
        choices = list(cf.choice_set.choices) if cf.choice_set_id else []
        if kind == 'multiselect' or for_filter:
            field = forms.MultipleChoiceField(choices=choices, **options)
        else:
            field = forms.ChoiceField(choices=[('', '---------')] + choices, **options)
    elif kind in ('object', 'multiobject') and cf.related_object_type_id:
        model = cf.related_object_type.model_class()
        if kind == 'multiobject' or for_filter:
            field = ObjectsField(model._default_manager.all(), **options)
        else:
            field = ObjectField(model._default_manager.all(), **options)
    else:
        field = forms.CharField(**options)
    field.custom_field = cf
    return field


def custom_field_value(cf, value):
    """A cleaned form value as stored in custom_field_data."""
    if value is None or value == '' or value == []:
        return None
    if hasattr(value, 'model') and hasattr(value, 'values_list'):  # a queryset of objects
        ids = sorted(value.values_list('pk', flat=True))
        return ids or None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def custom_field_initial(cf, value):
    """A stored custom field value as a form's initial value."""
    if value is None:
        return None
    if cf.type in ('object', 'multiobject'):
        return value if isinstance(value, list) else [value] if cf.type == 'multiobject' else value
    if cf.type == 'boolean':
        return 'true' if value else 'false'
    if cf.type == 'datetime' and isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


# The add/edit form

class ObjectForm(forms.ModelForm):
    """Base of every derived add/edit form; `declaration` is set on the derived class."""

    declaration = None

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        model = self._meta.model
        self.creating = self.instance.pk is None
        if 'password' in self.fields:
            self.fields['password'].required = self.creating
            if not self.creating:
                self.fields['password'].help_text = 'Leave empty to keep the current password.'
            self.initial['password'] = ''
        if self.declaration.has_tags():
            self.fields['tags'] = TagsField(model)
            if not self.creating:
                self.initial['tags'] = [tag.pk for tag in self.instance.tags.all()]
        self.custom_fields = []
        for cf in custom_fields_for(model):
            if cf.ui_editable == 'hidden':
                continue
            field = custom_field_formfield(cf)
            name = f'cf_{cf.name}'
            if self.creating:
                self.initial[name] = custom_field_initial(cf, cf.default)
            else:
                self.initial[name] = custom_field_initial(cf, (self.instance.custom_field_data or {}).get(cf.name))
            if cf.ui_editable == 'no':
                field.disabled = True
                field.required = False
            self.fields[name] = field
            self.custom_fields.append(cf)
        for name, limit in self.declaration.form_limits.items():
            field = self.fields.get(name)
            narrowed = limit(self) if field is not None else None
            if narrowed is not None:
                condition, query = narrowed
                field.queryset = field.queryset.filter(condition)
                field.widget.attrs['data-query'] = json.dumps(query)
        if user is not None:  # only objects the user may view can be chosen
            for field in self.fields.values():
                queryset = getattr(field, 'queryset', None)
                if queryset is not None and hasattr(queryset, 'restrict'):
                    field.queryset = queryset.restrict(user, 'view')

    @property
    def main_fields(self):
        return [self[name] for name in self.fields if name != 'tags' and not name.startswith('cf_')]

    @property
    def custom_field_groups(self):
        groups = {}
        for cf in self.custom_fields:
            groups.setdefault(cf.group_name or 'Custom fields', []).append(self[f'cf_{cf.name}'])
        return list(groups.items())

    def clean_password(self):
        value = self.cleaned_data.get('password')
        if not value:
            return self.instance.password if not self.creating else value
        from django.contrib.auth.password_validation import validate_password

        validate_password(value, self.instance)
        return value

    def clean(self):
        cleaned = super().clean()
        data = dict(self.instance.custom_field_data or {}) if hasattr(self.instance, 'custom_field_data') else {}
        if self.creating:
            for cf in custom_fields_for(self._meta.model):
                if cf.default is not None and cf.name not in data:
                    data[cf.name] = cf.default
        for cf in self.custom_fields:
            name = f'cf_{cf.name}'
            if cf.ui_editable == 'no':
                continue
            if name in self.errors:
                continue
            value = custom_field_value(cf, cleaned.get(name))
            try:
                cf.validate(value)
            except ValidationError as exc:
                self.add_error(name, exc.messages)
                continue
            data[cf.name] = value
        for cf in custom_fields_for(self._meta.model):
            if cf.required and data.get(cf.name) in (None, '', []) and f'cf_{cf.name}' not in self.errors and \
                    cf not in self.custom_fields:
                self.add_error(None, f'Custom field "{cf}" is required.')
        self.custom_field_data = data
        if self.declaration.form_clean is not None:
            self.declaration.form_clean(self, cleaned)
        return cleaned

    def add_error(self, field, error):
        # Model validation may name attributes the form does not have (set through the API only): show those
        # errors at the top of the form instead of failing.
        if field is None and isinstance(error, ValidationError) and hasattr(error, 'error_dict'):
            known, other = {}, []
            for name, errors in error.error_dict.items():
                if name == NON_FIELD_ERRORS or name in self.fields:
                    known[name] = errors
                else:
                    other.extend(f'{name}: {message}' for item in errors for message in item.messages)
            if other:
                known.setdefault(NON_FIELD_ERRORS, []).extend(ValidationError(message) for message in other)
                error = ValidationError(known)
        super().add_error(field, error)

    def _post_clean(self):
        if hasattr(self.instance, 'custom_field_data') and hasattr(self, 'custom_field_data'):
            self.instance.custom_field_data = self.custom_field_data
        super()._post_clean()
        if hasattr(self.instance, 'clean_related'):  # rules on many-to-many values, shared with the API
            many = {f.name for f in self._meta.model._meta.many_to_many}
            related = {name: list(value) for name, value in self.cleaned_data.items() if name in many}
            try:
                self.instance.clean_related(related)
            except ValidationError as exc:
                self.add_error(None, exc)

    def save(self, commit=True):
        instance = super().save(commit=False)
        password = self.cleaned_data.get('password')
        if 'password' in self.fields and password and hasattr(instance, 'set_password') and \
                password != self.initial_password:
            instance.set_password(password)
        if commit:
            instance.save()
            self._save_m2m()
            if 'tags' in self.fields:
                instance.tags.set(list(self.cleaned_data.get('tags') or []))
        return instance

    @property
    def initial_password(self):
        if not hasattr(self, '_initial_password'):
            model = self._meta.model
            self._initial_password = model._default_manager.filter(pk=self.instance.pk).values_list(
                'password', flat=True).first() if self.instance.pk else None
        return self._initial_password


def model_form_for(declaration):
    """The add/edit ModelForm class of a declaration, built once."""
    cached = declaration.__dict__.get('_ui_form')
    if cached is not None:
        return cached
    names = editable_field_names(declaration)

    def callback(model_field, **kwargs):
        return formfield_for(model_field, **kwargs)

    meta = type('Meta', (), {'model': declaration.model, 'fields': names, 'formfield_callback': callback})
    form = type(f'{declaration.model.__name__}Form', (ObjectForm,), {'Meta': meta, 'declaration': declaration})
    declaration._ui_form = form
    return form


# Bulk edit

class BulkEditForm(forms.Form):
    """Every editable field optional; a field left empty is left alone, `_nullify` empties it."""

    def __init__(self, declaration, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.declaration = declaration
        model = declaration.model
        self.nullable = []
        self.model_fields = []
        for name in editable_field_names(declaration):
            model_field = model._meta.get_field(name)
            if model_field.unique or name == 'password':
                continue
            if isinstance(model_field, models.BooleanField):
                field = NullBooleanChoiceField(required=False, label=_capfirst(model_field.verbose_name),
                                               empty_label='— no change —')
            else:
                field = formfield_for(model_field, required=False)
                if field is None:
                    continue
                field.required = False
                if isinstance(field, forms.ChoiceField) and \
                        not isinstance(field, (forms.ModelChoiceField, forms.MultipleChoiceField)):
                    field.choices = [('', '— no change —')] + [c for c in field.choices if c[0] != '']
            self.fields[name] = field
            self.model_fields.append(name)
            if model_field.null or model_field.blank:
                self.nullable.append(name)
        if declaration.has_tags():
            self.fields['add_tags'] = TagsField(model, label='Add tags')
            self.fields['remove_tags'] = TagsField(model, label='Remove tags')
        self.custom_fields = []
        for cf in custom_fields_for(model):
            if cf.ui_editable != 'yes':
                continue
            self.fields[f'cf_{cf.name}'] = custom_field_formfield(cf, for_bulk=True)
            self.custom_fields.append(cf)
            if not cf.required:
                self.nullable.append(f'cf_{cf.name}')
        if user is not None:
            for field in self.fields.values():
                queryset = getattr(field, 'queryset', None)
                if queryset is not None and hasattr(queryset, 'restrict'):
                    field.queryset = queryset.restrict(user, 'view')
        self.fields['_nullify'] = forms.MultipleChoiceField(
            required=False, choices=[(name, name) for name in self.nullable], widget=forms.MultipleHiddenInput)

    def rows(self):
        """(bound field, nullable) pairs for the template."""
        names = [name for name in self.fields if name not in ('_nullify',)]
        nullify = set(self.data.getlist('_nullify')) if hasattr(self.data, 'getlist') else set()
        return [(self[name], name in self.nullable, name in nullify) for name in names]

    def apply(self, instance):
        """Set the given values on `instance` (not saved); return the m2m values to set after saving."""
        cleaned = self.cleaned_data
        nullify = set(cleaned.get('_nullify') or [])
        m2m = {}
        model = self.declaration.model
        for name in self.model_fields:
            model_field = model._meta.get_field(name)
            if name in nullify:
                if model_field.many_to_many:
                    m2m[name] = []
                elif model_field.null:
                    setattr(instance, name, None)
                else:
                    setattr(instance, name, model_field.get_default() if model_field.has_default() else '')
                continue
            value = cleaned.get(name)
            if model_field.many_to_many:
                if value is not None and value.exists():
                    m2m[name] = list(value)
                continue
            if value is None or value == '' or value == []:
                continue
            setattr(instance, name, value)
        if self.custom_fields:
            data = dict(instance.custom_field_data or {})
            for cf in self.custom_fields:
                name = f'cf_{cf.name}'
                if name in nullify:
                    data[cf.name] = None
                    continue
                value = custom_field_value(cf, cleaned.get(name))
                if value is not None:
                    data[cf.name] = value
            instance.custom_field_data = data
        return m2m

    def validate_custom_fields(self, instance):
        errors = []
        for cf in self.custom_fields:
            try:
                cf.validate((instance.custom_field_data or {}).get(cf.name))
            except ValidationError as exc:
                errors.append(f'{cf}: {"; ".join(exc.messages)}')
        return errors
