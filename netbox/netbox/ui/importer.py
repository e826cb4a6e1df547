"""
Bulk import: CSV, JSON or YAML (detected when not given), one object per row or item, each validated by the same
form as the add/edit page. An `id` names an existing object to update; only the given fields change. Relations
are given by ID or by name/slug, tags as comma-separated slugs, custom fields as `cf_<name>` (or, in JSON and
YAML, a `custom_fields` mapping). Nothing is saved unless every row is valid.
"""
import csv
import datetime
import io
import json
import re

import yaml
from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.datastructures import MultiValueDict

from netbox.permissions import object_permitted

from .fields import BOOLEAN_TEXT, NullBooleanChoiceField
from .forms import model_form_for

FORMATS = (('auto', 'Detect automatically'), ('csv', 'CSV'), ('json', 'JSON'), ('yaml', 'YAML'))


class ImportDataError(Exception):
    """The data could not be read at all (as opposed to a row being invalid)."""


class NotPermitted(Exception):
    pass


class RowError:
    def __init__(self, row, field, message):
        self.row = row
        self.field = field
        self.message = message

    def __str__(self):
        return f'Row {self.row}, {self.field}: {self.message}'


class ImportForm(forms.Form):
    data = forms.CharField(required=False, label='Data', widget=forms.Textarea(attrs={'rows': 12, 'class': 'mono'}))
    upload = forms.FileField(required=False, label='Or upload a file')
    format = forms.ChoiceField(choices=FORMATS, initial='auto', required=False)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get('upload')
        if upload:
            try:
                cleaned['text'] = upload.read().decode('utf-8-sig')
            except UnicodeDecodeError:
                raise ValidationError('The file is not UTF-8 text.')
        else:
            cleaned['text'] = cleaned.get('data') or ''
        if not cleaned['text'].strip():
            raise ValidationError('Give the data to import, pasted or as a file.')
        return cleaned


def detect_format(text):
    stripped = text.lstrip()
    if stripped.startswith(('[', '{')):
        return 'json'
    first = stripped.splitlines()[0] if stripped else ''
    if stripped.startswith('---') or re.match(r'^-\s', first) or (re.match(r'^[\w.-]+:(\s|$)', first) and
                                                                   ',' not in first):
        return 'yaml'
    return 'csv'


def parse(text, fmt='auto'):
    """[(row number, {field: value})]; raises ImportDataError when the text is not valid in the format."""
    if fmt in ('auto', '', None):
        fmt = detect_format(text)
    if fmt == 'csv':
        return _parse_csv(text)
    if fmt == 'json':
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportDataError(f'Invalid JSON: {exc}')
        items = data if isinstance(data, list) else [data]
    else:
        try:
            documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
        except yaml.YAMLError as exc:
            raise ImportDataError(f'Invalid YAML: {exc}')
        items = []
        for doc in documents:
            items.extend(doc if isinstance(doc, list) else [doc])
    records = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportDataError(f'Row {number} is not an object of field: value pairs.')
        records.append((number, dict(item)))
    return records


def _parse_csv(text):
    reader = csv.reader(io.StringIO(text.strip()))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportDataError('The CSV data is empty.')
    except csv.Error as exc:
        raise ImportDataError(f'Invalid CSV: {exc}')
    if not all(header):
        raise ImportDataError('Every CSV column needs a name in the header row.')
    if len(set(header)) != len(header):
        raise ImportDataError('A column is named twice in the CSV header.')
    records = []
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise ImportDataError(f'Row {number} has {len(cells)} values; the header names {len(header)} columns.')
            records.append((number, {name: cell.strip() for name, cell in zip(header, cells, strict=True)}))
    except csv.Error as exc:
        raise ImportDataError(f'Invalid CSV: {exc}')
    return records


# Turning a record into form data

def _multiple(field):
    return isinstance(field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField))


def _item_text(value):
    if isinstance(value, dict):
        for key in ('id', 'slug', 'name', 'value'):
            if value.get(key) not in (None, ''):
                return str(value[key])
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return '' if value is None else str(value)


def form_values(field, value):
    """The list of strings a form expects for `value` given to `field` (an ImportDataError-free best effort)."""
    if value is None:
        return ['']
    if _multiple(field):
        if isinstance(value, str):
            value = [part.strip() for part in value.split(',') if part.strip()]
        elif not isinstance(value, list):
            value = [value]
        return [_item_text(item) for item in value]
    if isinstance(field, forms.JSONField):
        return [value if isinstance(value, str) else json.dumps(value)]
    if isinstance(field, SimpleArrayField):
        return [value if isinstance(value, str) else ','.join(str(item) for item in value)]
    if isinstance(field, (forms.BooleanField, NullBooleanChoiceField)):
        text = str(value).strip().lower() if not isinstance(value, bool) else ('true' if value else 'false')
        if text == '' and isinstance(field, NullBooleanChoiceField):
            return ['']
        return ['true' if BOOLEAN_TEXT.get(text) else 'false'] if text in BOOLEAN_TEXT or text == '' else [text]
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        text = _item_text(value)
        values = {str(choice) for choice, _ in field.choices}
        if text not in values:
            for choice, label in field.choices:
                if str(label).lower() == text.lower():
                    return [str(choice)]
        return [text]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return [value.isoformat()]
    return [_item_text(value)]


def current_data(form):
    """An unbound form's values as form data: what an update starts from."""
    data = MultiValueDict()
    for name, field in form.fields.items():
        value = form[name].value()
        if _multiple(field):
            values = value or []
            if not isinstance(values, (list, tuple)):
                values = [values]
            data.setlist(name, [str(item) for item in values if item not in (None, '')])
        elif isinstance(value, bool):
            data[name] = 'true' if value else 'false'
        elif isinstance(value, (datetime.date, datetime.datetime)):
            data[name] = value.isoformat()
        elif isinstance(field, forms.JSONField) and not isinstance(value, str):
            data[name] = json.dumps(value)
        elif isinstance(value, (list, tuple)):
            data[name] = ','.join(str(item) for item in value)
        else:
            data[name] = '' if value is None else str(value)
    return data


def import_records(declaration, records, user):
    """Create or update one object per record in one transaction; [RowError] when any fails (nothing saved)."""
    form_class = model_form_for(declaration)
    model = declaration.model
    errors, saved = [], []

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            for number, record in records:
                errors.extend(_import_one(declaration, form_class, model, number, record, user, saved))
            if errors:
                raise Rollback()
    except Rollback:
        return [], errors
    return saved, []


def _import_one(declaration, form_class, model, number, record, user, saved):
    record = dict(record)
    custom = record.pop('custom_fields', None)
    if isinstance(custom, dict):
        for name, value in custom.items():
            record.setdefault(f'cf_{name}', value)
    pk = record.pop('id', None)
    if pk not in (None, ''):
        if 'PATCH' not in declaration.api_methods and 'PUT' not in declaration.api_methods:
            return [RowError(number, 'id', 'Existing objects of this type cannot be changed.')]
        try:
            instance = model.objects.restrict(user, 'change').get(pk=int(str(pk).strip()))
        except (ValueError, model.DoesNotExist):
            return [RowError(number, 'id', f'No {model._meta.verbose_name} with ID {pk} that you may change.')]
        action = 'change'
    else:
        instance = model()
        action = 'add'
    blank = form_class(instance=instance, user=user)
    unknown = sorted(name for name in record if name not in blank.fields)
    if unknown:
        return [RowError(number, name, 'Unknown field.') for name in unknown]
    data = current_data(blank)
    for name, value in record.items():
        field = blank.fields[name]
        data.setlist(name, form_values(field, value))
        if isinstance(field, forms.BooleanField) and data[name] not in ('true', 'false'):
            return [RowError(number, name, f'"{value}" is not true or false.')]
    form = form_class(data=data, instance=instance, user=user)
    if not form.is_valid():
        return [RowError(number, name if name != '__all__' else '—', message)
                for name, messages in form.errors.items() for message in messages]
    try:
        with transaction.atomic():
            obj = form.save()
            if not object_permitted(user, obj, action):
                raise NotPermitted()
    except NotPermitted:
        return [RowError(number, '—', f'You may not {action} this object with these values.')]
    except (ValidationError, IntegrityError) as exc:
        return [RowError(number, '—', '; '.join(getattr(exc, 'messages', [str(exc)])))]
    saved.append(obj)
    return []
