"""Custom fields (user-defined data attached to any primary model) and their choice sets."""
import datetime
import decimal
import re
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models

from netbox.models import ChangeLoggedModel, RestrictedQuerySet


class CustomFieldChoiceSet(ChangeLoggedModel):
    """A named list of choices for select and multiselect custom fields."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=200, blank=True)
    base_choices = models.CharField(max_length=50, blank=True, null=True,
                                    choices=(('IATA', 'IATA'), ('ISO_3166', 'ISO 3166'), ('UN_LOCODE', 'UN/LOCODE')))
    extra_choices = models.JSONField(default=list, blank=True, help_text='[[value, label], ...]')
    choice_colors = models.JSONField(default=dict, blank=True)
    order_alphabetically = models.BooleanField(default=False)
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


    @property
    def choices(self):
        pairs = [(str(item[0]), str(item[1] if len(item) > 1 else item[0])) for item in self.extra_choices or ()]
        return sorted(pairs, key=lambda pair: pair[1].lower()) if self.order_alphabetically else pairs

    @property
    def values(self):
        return [value for value, _ in self.choices]

    @property
    def choices_count(self):
        return len(self.extra_choices or ())

    def clean(self):
        super().clean()
        if not isinstance(self.extra_choices, list) or not all(
            isinstance(item, (list, tuple)) and 1 <= len(item) <= 2 for item in self.extra_choices
        ):
            raise ValidationError({'extra_choices': 'Give a list of [value, label] pairs.'})
        if not self.extra_choices and not self.base_choices:
            raise ValidationError({'extra_choices': 'Give at least one choice (or base choices).'})


class CustomFieldTypes:
    TEXT = 'text'
    LONGTEXT = 'longtext'
    INTEGER = 'integer'
    DECIMAL = 'decimal'
    BOOLEAN = 'boolean'
    DATE = 'date'
    DATETIME = 'datetime'
    URL = 'url'
    JSON = 'json'
    SELECT = 'select'
    MULTISELECT = 'multiselect'
    OBJECT = 'object'
    MULTIOBJECT = 'multiobject'
    CHOICES = (
        (TEXT, 'Text'), (LONGTEXT, 'Text (long)'), (INTEGER, 'Integer'), (DECIMAL, 'Decimal'),
        (BOOLEAN, 'Boolean (true/false)'), (DATE, 'Date'), (DATETIME, 'Date & time'), (URL, 'URL'), (JSON, 'JSON'),
        (SELECT, 'Selection'), (MULTISELECT, 'Multiple selection'), (OBJECT, 'Object'),
        (MULTIOBJECT, 'Multiple objects'),
    )


class CustomFieldQuerySet(RestrictedQuerySet):
    def get_for_model(self, model):
        """The custom fields of a model, cached for the duration of the request."""
        from netbox.request_context import request_cache

        content_type = ContentType.objects.get_for_model(model._meta.concrete_model)
        key = ('custom_fields', content_type.pk)
        cache = request_cache()
        if key not in cache:
            cache[key] = self._shared_for(content_type)
        return cache[key]

    def _shared_for(self, content_type):
        """The custom fields of a content type as this process last read them, while no custom field has changed
        since (a version in the shared cache says so): a list's custom fields then cost no query."""
        if self.query.where or self._db:  # a narrowed or routed queryset reads for itself
            return self._read_for(content_type)
        global _custom_fields_read
        version = custom_fields_version()
        read = _custom_fields_read
        if read[0] != version:  # only the current version's reads are kept
            read = _custom_fields_read = (version, {})
        found = read[1].get(content_type.pk)
        if found is None:
            found = read[1][content_type.pk] = self._read_for(content_type)
        return list(found)

    def _read_for(self, content_type):
        return list(self.filter(object_types=content_type).select_related('choice_set', 'related_object_type'))


# (version, {content type id: [custom fields]}) as this process last read them.
_custom_fields_read = (None, {})
CUSTOM_FIELDS_VERSION_KEY = 'custom_fields_version'


def custom_fields_version():
    from django.core.cache import cache

    version = cache.get(CUSTOM_FIELDS_VERSION_KEY)
    if version is None:
        cache.add(CUSTOM_FIELDS_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(CUSTOM_FIELDS_VERSION_KEY)
    return version


def custom_fields_changed(**kwargs):
    """A new version: every process reads custom fields afresh. Now (the writing request reads its own change) and
    again at commit (a process that read the old rows meanwhile drops them)."""
    from django.core.cache import cache
    from django.db import transaction

    cache.delete(CUSTOM_FIELDS_VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(CUSTOM_FIELDS_VERSION_KEY))


class CustomField(ChangeLoggedModel):
    """A user-defined attribute added to one or more object types, stored in their custom_field_data."""

    object_types = models.ManyToManyField(ContentType, related_name='custom_fields')
    type = models.CharField(max_length=50, choices=CustomFieldTypes.CHOICES, default=CustomFieldTypes.TEXT)
    related_object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, blank=True, null=True,
                                            related_name='+')
    # Names become `cf_<name>` filters and template variables.
    name = models.CharField(max_length=50, unique=True, validators=[
        RegexValidator(r'^[a-z0-9_]+$', 'Only lowercase letters, digits and underscores are allowed.'),
    ])
    label = models.CharField(max_length=50, blank=True)
    group_name = models.CharField(max_length=50, blank=True)
    description = models.CharField(max_length=200, blank=True)
    required = models.BooleanField(default=False)
    unique = models.BooleanField(default=False)
    search_weight = models.PositiveSmallIntegerField(default=1000)
    filter_logic = models.CharField(max_length=50, default='loose',
                                    choices=(('disabled', 'Disabled'), ('loose', 'Loose'), ('exact', 'Exact')))
    ui_visible = models.CharField(max_length=50, default='always',
                                  choices=(('always', 'Always'), ('if-set', 'If set'), ('hidden', 'Hidden')))
    ui_editable = models.CharField(max_length=50, default='yes',
                                   choices=(('yes', 'Yes'), ('no', 'No'), ('hidden', 'Hidden')))
    is_cloneable = models.BooleanField(default=False)
    # When lists are ordered by this field, objects without a value come first.
    nulls_first = models.BooleanField(default=False)
    default = models.JSONField(blank=True, null=True)
    related_object_filter = models.JSONField(blank=True, null=True)
    weight = models.PositiveSmallIntegerField(default=100)
    validation_minimum = models.FloatField(blank=True, null=True)
    validation_maximum = models.FloatField(blank=True, null=True)
    validation_regex = models.CharField(max_length=500, blank=True)
    validation_schema = models.JSONField(blank=True, null=True)
    choice_set = models.ForeignKey(CustomFieldChoiceSet, on_delete=models.PROTECT, related_name='choices_for',
                                   blank=True, null=True)
    # Lifecycle of the field's data; set by the server, never by clients (4.7 has no writable transitions).
    status = models.CharField(max_length=50, editable=False, default='active', choices=(
        ('active', 'Active'), ('provisioning', 'Provisioning'), ('deleting', 'Deleting')))
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')
    comments = models.TextField(blank=True)

    objects = CustomFieldQuerySet.as_manager()

    class Meta:
        ordering = ('group_name', 'weight', 'name')

    def __str__(self):
        return self.label or self.name.replace('_', ' ').capitalize()


    @property
    def data_type(self):
        return {
            CustomFieldTypes.INTEGER: 'integer', CustomFieldTypes.DECIMAL: 'number',
            CustomFieldTypes.BOOLEAN: 'boolean', CustomFieldTypes.JSON: 'object',
            CustomFieldTypes.MULTISELECT: 'array', CustomFieldTypes.MULTIOBJECT: 'array',
            CustomFieldTypes.OBJECT: 'object',
        }.get(self.type, 'string')

    def clean(self):
        super().clean()
        if self.type in (CustomFieldTypes.SELECT, CustomFieldTypes.MULTISELECT) and not self.choice_set_id:
            raise ValidationError({'choice_set': 'Selection fields need a choice set.'})
        if self.type not in (CustomFieldTypes.SELECT, CustomFieldTypes.MULTISELECT) and self.choice_set_id:
            raise ValidationError({'choice_set': 'Only selection fields take a choice set.'})
        if self.type in (CustomFieldTypes.OBJECT, CustomFieldTypes.MULTIOBJECT) and not self.related_object_type_id:
            raise ValidationError({'related_object_type': 'Object fields need a related object type.'})
        if self.validation_regex:
            try:
                re.compile(self.validation_regex)
            except re.error as exc:
                raise ValidationError({'validation_regex': f'Invalid regular expression: {exc}'})
        if self.default not in (None, ''):
            try:
                self.validate(self.default)
            except ValidationError as exc:
                raise ValidationError({'default': f'Invalid default value: {"; ".join(exc.messages)}'})

    def validate(self, value):
        """Raise ValidationError when `value` is not acceptable for this field; None and '' mean unset."""
        if value in (None, '', []):
            if self.required:
                raise ValidationError('This field is required.')
            return
        kind = self.type
        if kind in (CustomFieldTypes.TEXT, CustomFieldTypes.LONGTEXT):
            if not isinstance(value, str):
                raise ValidationError('Value must be a string.')
            if self.validation_regex and not re.search(self.validation_regex, value):
                raise ValidationError(f'Value must match the pattern {self.validation_regex}.')
        elif kind == CustomFieldTypes.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError('Value must be an integer.')
            self._check_range(value)
        elif kind == CustomFieldTypes.DECIMAL:
            if isinstance(value, bool):
                raise ValidationError('Value must be a decimal number.')
            try:
                number = decimal.Decimal(str(value))
            except decimal.InvalidOperation:
                raise ValidationError('Value must be a decimal number.')
            self._check_range(number)
        elif kind == CustomFieldTypes.BOOLEAN:
            if value not in (True, False):
                raise ValidationError('Value must be true or false.')
        elif kind == CustomFieldTypes.DATE:
            try:
                datetime.date.fromisoformat(str(value))
            except ValueError:
                raise ValidationError('Date values must be in the format YYYY-MM-DD.')
        elif kind == CustomFieldTypes.DATETIME:
            try:
                datetime.datetime.fromisoformat(str(value))
            except ValueError:
                raise ValidationError('Date and time values must be in ISO 8601 format (YYYY-MM-DD HH:MM:SS).')
        elif kind == CustomFieldTypes.URL:
            try:
                URLValidator()(value)
            except ValidationError:
                raise ValidationError('Enter a valid URL.')
            if self.validation_regex and not re.search(self.validation_regex, value):
                raise ValidationError(f'Value must match the pattern {self.validation_regex}.')
        elif kind == CustomFieldTypes.SELECT:
            if value not in self.choice_set.values:
                raise ValidationError(f'"{value}" is not a valid choice; choose one of {self.choice_set.values}.')
        elif kind == CustomFieldTypes.MULTISELECT:
            if not isinstance(value, list):
                raise ValidationError('Value must be a list of choices.')
            invalid = [item for item in value if item not in self.choice_set.values]
            if invalid:
                raise ValidationError(f'{invalid} are not valid choices; choose from {self.choice_set.values}.')
        elif kind == CustomFieldTypes.OBJECT:
            self._check_objects([value])
        elif kind == CustomFieldTypes.MULTIOBJECT:
            if not isinstance(value, list):
                raise ValidationError('Value must be a list of object IDs.')
            self._check_objects(value)

    def _check_range(self, number):
        if self.validation_minimum is not None and number < self.validation_minimum:
            raise ValidationError(f'Value must be at least {self.validation_minimum:g}.')
        if self.validation_maximum is not None and number > self.validation_maximum:
            raise ValidationError(f'Value must not exceed {self.validation_maximum:g}.')

    def _check_objects(self, ids):
        if not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in ids):
            raise ValidationError('Give object IDs as integers.')
        model = self.related_object_type.model_class()
        found = set(model._default_manager.filter(pk__in=ids).values_list('pk', flat=True))
        missing = sorted(set(ids) - found)
        if missing:
            raise ValidationError(f'No {model._meta.verbose_name} with ID {missing}.')

    def to_representation(self, value):
        """The value as the API returns it (object fields as brief objects)."""
        return value

    @property
    def form_label(self):
        return str(self)
