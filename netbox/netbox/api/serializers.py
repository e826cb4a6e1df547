"""
Serializers derived from declarations.

`serializer_for(declaration)` builds (once) a ModelSerializer whose fields are the declaration's REST fields:
relations nested in brief form, choices as {value, label}, tags, custom fields and counters. Writes are validated
by the model's own full_clean(), so the UI, the API and scripts share one set of rules.
"""
import copy

from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.validators import UniqueValidator

from netbox.registry import registry

from .fields import (
    ChoiceField,
    ContentTypeField,
    ContentTypeListField,
    CounterField,
    GenericObjectField,
    NestedRelatedField,
    TagListField,
    TextValueField,
    api_url,
    display_url,
)


class CustomFieldsField(serializers.Field):
    """`custom_fields`: every custom field of the model by name; validated and defaulted on write."""

    def __init__(self, **kwargs):
        kwargs.setdefault('required', False)
        kwargs['source'] = 'custom_field_data'
        super().__init__(**kwargs)

    def custom_fields(self):
        from extras.models import CustomField

        # Asked for every item of a list body: kept on the field, which lives as long as its serializer.
        cached = self.__dict__.get('_custom_fields')
        if cached is None:
            cached = self._custom_fields = CustomField.objects.get_for_model(self.parent.Meta.model)
        return cached

    def to_representation(self, data):
        data = data or {}
        return {cf.name: _custom_field_value(cf, data.get(cf.name)) for cf in self.custom_fields()}

    def defaults(self):
        return {cf.name: cf.default for cf in self.custom_fields() if cf.default is not None}

    def get_default(self):
        # Omitted on create: apply defaults and enforce required fields. Omitted on update: leave data alone.
        if getattr(self.root, 'partial', False) or isinstance(self.parent.instance, models.Model):
            raise SkipField()
        return self.to_internal_value({})

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError('Give custom fields as a JSON object of name: value.')
        fields = {cf.name: cf for cf in self.custom_fields()}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise serializers.ValidationError(f'Unknown custom field(s): {", ".join(unknown)}.')
        instance = self.parent.instance if not isinstance(self.parent.instance, (list, models.QuerySet)) else None
        merged = dict(instance.custom_field_data) if instance is not None else self.defaults()
        merged.update({name: _raw_choice(fields[name], value) for name, value in data.items()})
        errors = {}
        for name, cf in fields.items():
            if instance is None or name in data:
                try:
                    cf.validate(merged.get(name))
                except DjangoValidationError as exc:
                    errors[name] = exc.messages
        if errors:
            raise serializers.ValidationError(errors)
        return merged


def _custom_field_value(cf, value):
    """Selections read as {value, label}, like choice fields; every other type as stored."""
    from extras.models import CustomFieldTypes

    if value in (None, '') or cf.type not in (CustomFieldTypes.SELECT, CustomFieldTypes.MULTISELECT):
        return value
    labels = dict(cf.choice_set.choices) if cf.choice_set_id else {}
    if cf.type == CustomFieldTypes.SELECT:
        return {'value': value, 'label': labels.get(value, value)}
    return [{'value': item, 'label': labels.get(item, item)} for item in value] if isinstance(value, list) else value


def _raw_choice(cf, value):
    """Selections are written as the raw value; a {value, label} read back from the API is taken as its value."""
    from extras.models import CustomFieldTypes

    if cf.type == CustomFieldTypes.SELECT and isinstance(value, dict) and 'value' in value:
        return value['value']
    if cf.type == CustomFieldTypes.MULTISELECT and isinstance(value, list):
        return [item['value'] if isinstance(item, dict) and 'value' in item else item for item in value]
    return value


class BaseModelSerializer(serializers.ModelSerializer):
    """Adds url/display/display_url, per-request field selection and model-level validation."""

    url = serializers.SerializerMethodField()
    display_url = serializers.SerializerMethodField()
    display = serializers.SerializerMethodField()
    # Model fields that full_clean() must not check (the serializer handles them itself).
    clean_exclude = ()

    def __init__(self, *args, fields=None, omit=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The field selection, applied when the fields are first built (the read plan may never need them).
        self.field_selection = (tuple(fields) if fields else None, tuple(omit) if omit else None)
        # The stored state, to tell an update that changes nothing (no save, no change record, same last_updated).
        self._original = field_values(self.instance) if isinstance(self.instance, models.Model) else None

    def get_fields(self):
        fields = super().get_fields()
        wanted, omit = getattr(self, 'field_selection', (None, None))
        if wanted:
            fields = {name: field for name, field in fields.items() if name in wanted}
        if omit:
            fields = {name: field for name, field in fields.items() if name not in omit}
        return fields

    @extend_schema_field({'type': 'string', 'format': 'uri', 'nullable': True})
    def get_url(self, obj):
        return api_url(obj, self.context.get('request'))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in getattr(self.Meta, 'absent_when_null', ()):
            if name in data and data[name] is None:
                del data[name]
        return data

    @extend_schema_field({'type': 'string', 'format': 'uri', 'nullable': True})
    def get_display_url(self, obj):
        return display_url(obj, self.context.get('request'))

    @extend_schema_field({'type': 'string'})
    def get_display(self, obj):
        return str(obj)

    def _split_relations(self, validated_data):
        many = {}
        model = self.Meta.model
        for name in list(validated_data):
            if name == 'tags':
                many[name] = validated_data.pop(name)
                continue
            try:
                field = model._meta.get_field(name)
            except Exception:
                continue
            if field.many_to_many or (field.one_to_many and field.auto_created):
                many[name] = validated_data.pop(name)
        return many

    def validate(self, attrs):
        attrs = super().validate(attrs)
        in_set = getattr(self, '_set_checks', None) is not None
        stored = self.instance if isinstance(self.instance, models.Model) else None
        # Part of a set: the object as this write leaves it is kept for the set-wise checks, so it is a copy.
        instance = (copy.copy(stored) if in_set else stored) if stored is not None else self.Meta.model()
        relations = {}
        snapshot = {}
        for name, value in attrs.items():
            try:
                field = self.Meta.model._meta.get_field(name)
            except Exception:
                field = None
            if name == 'tags' or (field is not None and (field.many_to_many or field.one_to_many)):
                relations[name] = value
                continue
            snapshot[name] = getattr(instance, name, None)
            setattr(instance, name, value)
        exclude = [f.name for f in self.Meta.model._meta.many_to_many] + ['tags', *self.clean_exclude]
        try:
            if in_set:
                self._clean_in_set(instance, exclude)
            else:
                instance.full_clean(exclude=exclude)
            if hasattr(instance, 'clean_related'):  # rules on many-to-many values, shared with the UI forms
                instance.clean_related(relations)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_error_dict(exc))
        finally:
            if not in_set and stored is not None:
                for name, value in snapshot.items():
                    setattr(instance, name, value)
        return attrs

    @property
    def _writable_fields(self):
        # In a set (validate_many) a field absent from the item that neither is required nor has a default would
        # only be skipped: it is left out at once, which spares DRF's per-field work on wide models.
        present = getattr(self, '_present', None)
        for field in self.fields.values():
            if field.read_only:
                continue
            if present is not None and field.field_name not in present and not _matters_when_absent(field):
                continue
            yield field

    def _clean_in_set(self, instance, exclude):
        """full_clean() less its database checks, which validate_many() makes for the whole set. An object that
        fails here gets its own database checks at once, so its errors are those full_clean() reports."""
        from netbox.bulk import check_set, clean_one

        errors = clean_one(instance, exclude)
        if errors:
            check_set(self.Meta.model, [instance], [exclude], [errors])
            raise DjangoValidationError(errors)
        self._set_checks = (instance, exclude)

    # Hooks for writes beyond the model's fields and many-to-many values (an interface's MAC address, a port's
    # mappings): pop them from the validated data, write them once the object is saved.

    def pop_extras(self, validated_data):
        return {}

    def write_extras(self, instance, extras):
        pass

    def create(self, validated_data):
        extras = self.pop_extras(validated_data)
        relations = self._split_relations(validated_data)
        instance = self.Meta.model(**validated_data)
        instance.save()
        self._save_relations(instance, relations)
        self.write_extras(instance, extras)
        return instance

    def update(self, instance, validated_data):
        extras = self.pop_extras(validated_data)
        relations = self._split_relations(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if self._original is None or field_values(instance, like=self._original) != self._original:
            instance.save()
        self._save_relations(instance, relations, only_changes=True)
        self.write_extras(instance, extras)
        return instance

    def _save_relations(self, instance, relations, only_changes=False):
        for name, value in relations.items():
            manager = getattr(instance, name)
            if only_changes and {obj.pk for obj in manager.all()} == {obj.pk for obj in value}:
                continue  # set() would still signal (and log) an unchanged tag list
            manager.set(value)

    # Sets of objects (bulk writes)

    def validate_many(self, items, instances=None):
        """
        Validate a list of objects to create (`instances` None) or to apply to `instances`: each with the field rules
        and the model's clean(), the database checks of full_clean() (and the model's clean_set()) for the whole set,
        the related objects the items name fetched with one query per relation. Returns (validated data, errors),
        one entry per item; an item's errors are {} when it is valid.
        """
        from netbox.bulk import check_set

        from .fields import prefetch_related_values

        prefetch_related_values(self, items)
        unique_fields = self._take_unique_validators()
        results, errors, checked = [], [], []
        # The objects built to validate new items, saved as they are by create_many().
        self._set_instances = [None] * len(items)
        for index, item in enumerate(items):
            self.instance = instances[index] if instances is not None else None
            self._original = None
            self.initial_data = item
            self._set_checks = ()
            self._present = set(item) if isinstance(item, dict) else None
            try:
                results.append(self.run_validation(item))
                errors.append({})
                if self._set_checks:
                    checked.append((index, *self._set_checks))
                    if instances is None:
                        self._set_instances[index] = self._set_checks[0]
            except serializers.ValidationError as exc:
                results.append(None)
                errors.append(exc.detail)
            finally:
                self._set_checks = None
                self._present = None
        if unique_fields:
            failed = self._check_unique_fields(unique_fields, results, errors, instances)
            checked = [entry for entry in checked if entry[0] not in failed]
        if checked:
            found = check_set(self.Meta.model, [entry[1] for entry in checked], [entry[2] for entry in checked],
                              [{} for _ in checked])
            for (index, *_), error in zip(checked, found, strict=True):
                if error:
                    errors[index] = _error_dict(DjangoValidationError(error))
        self.instance = None
        return results, errors

    def _take_unique_validators(self):
        """The serializer fields' unique validators (DRF's, one query per value), taken off the fields: validate_many()
        makes their check for the whole set."""
        taken = []
        for field in self.fields.values():
            if field.read_only:
                continue
            unique = [v for v in field.validators if isinstance(v, UniqueValidator) and v.lookup == 'exact']
            if unique:
                field.validators = [v for v in field.validators if v not in unique]
                taken.extend((field, validator) for validator in unique)
        return taken

    def _check_unique_fields(self, unique_fields, results, errors, instances):
        """DRF's unique validators for the valid items of a set: one query per field, and no two items alike. An item
        that fails reports only these errors, as it would alone (its other checks never ran). Returns the failing
        indexes."""
        failing = {}
        for field, validator in unique_fields:
            name = field.source_attrs[-1]
            wanted = {}
            for index, data in enumerate(results):
                # NULLs never collide (an unset asset tag): only values are checked.
                if data is not None and not errors[index] and data.get(field.source) is not None:
                    wanted.setdefault(data[field.source], []).append(index)
            if not wanted:
                continue
            stored = {}
            for pk, value in validator.queryset.filter(**{f'{name}__in': list(wanted)}).values_list('pk', name):
                stored.setdefault(value, set()).add(pk)
            for value, indexes in wanted.items():
                for position, index in enumerate(indexes):
                    own = instances[index].pk if instances is not None else None
                    if stored.get(value, set()) - {own} or position > 0:
                        failing.setdefault(index, {})[field.field_name] = [str(validator.message)]
        for index, error in failing.items():
            errors[index] = error
        return set(failing)

    def saves_as_set(self):
        """Whether this serializer writes with the shared create/update (other serializers do more per object)."""
        cls = type(self)
        return cls.create is BaseModelSerializer.create and cls.update is BaseModelSerializer.update

    def create_many(self, validated):
        """Create the objects of validated items in one batch (netbox.bulk.create_set); returns them."""
        from netbox.bulk import create_set, saves_set_wise, write_batch

        with write_batch():
            if not self.saves_as_set():
                return [self.create(data) for data in validated]
            extras = [self.pop_extras(data) for data in validated]
            relations = [self._split_relations(data) for data in validated]
            built = getattr(self, '_set_instances', None) or [None] * len(validated)
            if not saves_set_wise(self.Meta.model):  # its save() starts from a freshly constructed object
                built = [None] * len(validated)
            instances = []
            for data, instance in zip(validated, built, strict=True):
                if instance is None or instance.pk is not None:
                    instance = self.Meta.model(**data)
                else:  # the object validated, with the values as validation left them
                    for name, value in data.items():
                        setattr(instance, name, value)
                instances.append(instance)
            create_set(self.Meta.model, instances, relations)
            for instance, extra in zip(instances, extras, strict=True):
                if extra:
                    self.write_extras(instance, extra)
        return instances

    def update_many(self, instances, validated, originals, related_before):
        """Apply validated items to stored instances in one batch (netbox.bulk.update_set); `originals` are their
        stored field values, `related_before` their stored many-to-many values and tags (related_values())."""
        from netbox.bulk import update_set, write_batch

        with write_batch():
            if not self.saves_as_set():
                for instance, data, original in zip(instances, validated, originals, strict=True):
                    self.instance, self._original = instance, original
                    self.update(instance, data)
                return instances
            extras = [self.pop_extras(data) for data in validated]
            relations = [self._split_relations(data) for data in validated]
            for instance, data in zip(instances, validated, strict=True):
                for name, value in data.items():
                    setattr(instance, name, value)
            update_set(self.Meta.model, instances, originals, relations, related_before)
            for instance, extra in zip(instances, extras, strict=True):
                if extra:
                    self.write_extras(instance, extra)
        return instances


class NetBoxModelSerializer(BaseModelSerializer):
    """
    NetBox's base class for a plugin's serializer. Subclass it with `Meta.model`, `Meta.fields` and
    `Meta.brief_fields`: the model's declaration (netbox.plugins.adapters) takes them, and the REST API serves the
    serializer derived from the declaration (`serializer_for`), with the same fields, brief form, nested
    representations, custom fields, tags and set-wise writes as our own models.
    """

    def __init__(self, *args, nested=False, **kwargs):
        self.nested = nested
        super().__init__(*args, **kwargs)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(getattr(cls, 'Meta', None), 'model', None) is not None:
            from netbox.registry import record_piece

            record_piece('serializers', cls)


def _matters_when_absent(field):
    """Whether an absent serializer field still yields something (an error, a default)."""
    cached = field.__dict__.get('_matters_when_absent')
    if cached is None:
        cached = field._matters_when_absent = bool(
            field.required or field.default is not serializers.empty or
            type(field).get_default is not serializers.Field.get_default)
    return cached


def field_values(instance, like=None):
    """{attname: value} of the instance's loaded concrete fields, copied so later in-place changes show (a deferred
    field was not read, so it cannot have been changed: reading it would cost a query). `like`: an earlier result
    to compare with; the same fields are read, whatever was loaded since (validation may read deferred fields)."""
    if like is not None:
        return {name: copy.deepcopy(getattr(instance, name)) for name in like}
    deferred = instance.get_deferred_fields()
    return {field.attname: copy.deepcopy(field.value_from_object(instance))
            for field in instance._meta.concrete_fields
            if not getattr(field, 'auto_now', False) and field.attname not in deferred}


def _error_dict(exc):
    if hasattr(exc, 'error_dict'):
        errors = {}
        for field, messages in exc.message_dict.items():
            errors['non_field_errors' if field == NON_FIELD_ERRORS else field] = messages
        return errors
    return {'non_field_errors': exc.messages}


def _field_for(declaration, name):
    """The serializer field for one declared name, or None to let ModelSerializer build it."""
    model = declaration.model
    if name in declaration.serializer_fields:
        return copy.deepcopy(declaration.serializer_fields[name])
    if name in declaration.counts:
        return CounterField()
    if name == 'tags':
        return TagListField()
    if name == 'custom_fields':
        return CustomFieldsField()
    if name == '_depth':
        # A tree's depth is its MPTT level; other models (prefixes) keep a `_depth` column of their own.
        return serializers.IntegerField(source='level', read_only=True) if declaration.is_tree() else \
            serializers.IntegerField(read_only=True)
    try:
        field = model._meta.get_field(name)
    except Exception:
        return serializers.ReadOnlyField()
    read_only = name in declaration.read_only or not getattr(field, 'editable', True)
    if isinstance(field, GenericForeignKey):
        return GenericObjectField()
    if field.is_relation and field.related_model is not None:
        from django.contrib.contenttypes.models import ContentType

        if field.related_model is ContentType:
            if field.many_to_many:
                return ContentTypeListField(read_only=True) if read_only else ContentTypeListField(
                    required=not field.blank)
            if read_only:
                return ContentTypeField(read_only=True)
            return ContentTypeField(allow_null=field.null, required=not (field.blank or field.null))
        related = registry.get(field.related_model)
        nested = related.nested_fields() if related else None
        if field.related_model is model and related is not None:
            # An object of the same model (a NAT inside address) is shown in a shorter, non-recursive form.
            nested = related.nested_self_fields()
        if field.many_to_many or field.one_to_many:
            return NestedRelatedField(related_model=field.related_model, nested_fields=nested, many=True,
                                      required=False, read_only=read_only)
        kwargs = {'read_only': True, 'allow_null': field.null} if read_only else {
            'allow_null': field.null, 'required': not (field.blank or field.null or field.has_default())
        }
        return NestedRelatedField(related_model=field.related_model, nested_fields=nested, **kwargs)
    if getattr(field, 'wire_text', False):
        kwargs = {'read_only': True} if read_only else {
            'allow_null': field.null, 'required': not (field.blank or field.null or field.has_default())
        }
        return TextValueField(model_field=field, **kwargs)
    if getattr(field, 'choices', None):
        kwargs = {'read_only': True} if read_only else {
            'allow_null': field.null, 'required': not (field.blank or field.has_default())
        }
        if name in declaration.bare_choices:
            if not read_only:
                kwargs['allow_blank'] = field.blank
            return serializers.ChoiceField(choices=field.flatchoices, **kwargs)
        return ChoiceField(field, **kwargs)
    return None


def serializer_for(declaration, brief=False):
    """The serializer class for a declaration (full or brief), built on first use."""
    cache = declaration.__dict__.get('_serializers')
    if cache is None:
        cache = {}
        declaration._serializers = cache
    if brief in cache:
        return cache[brief]
    names = declaration.brief_fields() if brief else declaration.rest_fields()
    # Declared on the base class; None removes the ones this representation doesn't have.
    attrs = {name: None for name in ('url', 'display_url', 'display') if name not in names}
    for name in names:
        if name in ('url', 'display_url', 'display'):
            continue
        field = _field_for(declaration, name)
        if field is not None:
            attrs[name] = field
    for name in declaration.write_only:
        attrs[name] = declaration.serializer_fields.get(name) or serializers.CharField(write_only=True,
                                                                                       required=False)
    base = declaration.__dict__.get('serializer_base', BaseModelSerializer)
    meta = type('Meta', (), {
        'model': declaration.model,
        'fields': names + [name for name in declaration.write_only if name not in names],
        'read_only_fields': [n for n in declaration.read_only if n in names],
        'absent_when_null': tuple(declaration.absent_when_null),
        'validators': [],
    })
    attrs['Meta'] = meta
    name = f'{declaration.model.__name__}{"Brief" if brief else ""}Serializer'
    cls = type(name, (base,), attrs)
    cache[brief] = cls
    return cls
