"""
Device and module types in the devicetype-library YAML format (https://github.com/netbox-community/devicetype-library).

`import_types(text, kind)` creates one type per YAML document with all its component templates, creating the
manufacturer when it is missing. Everything happens in one transaction: any error leaves nothing behind, and every
error is reported under the path of the value at fault, e.g. {'interfaces[3].type': ['"foo" is not a valid
choice.']} (indexes count from 0; with several documents the path starts with the document's index: '[1].model').

`export_type(obj)` writes a type back in the same format, so that importing the export recreates the type.

Front-to-rear port mappings are read both from the classic form (a front port's `rear_port` and
`rear_port_position`) and from the `port-mappings` list ({front_port, front_port_position, rear_port,
rear_port_position}, by name); the export uses the classic form when every front port has at most one mapping at its
first position, the list otherwise.
"""
from decimal import Decimal

import yaml
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.text import slugify

from netbox.permissions import has_permission, object_permitted

from . import models as m

DEVICE_TYPE_FIELDS = ('model', 'slug', 'part_number', 'u_height', 'exclude_from_utilization', 'is_full_depth',
                      'subdevice_role', 'airflow', 'weight', 'weight_unit', 'description', 'comments')
MODULE_TYPE_FIELDS = ('model', 'part_number', 'airflow', 'weight', 'weight_unit', 'attributes', 'description',
                      'comments')
# Library keys that describe things this application does not keep (image files, a power flag); accepted, unused.
IGNORED_KEYS = {'front_image', 'rear_image', 'is_powered', '_is_power_source'}
# Fields written to an export even when they hold their default value (the library requires them).
ALWAYS_EXPORTED = {'u_height', 'is_full_depth'}
PORT_MAPPINGS_KEY = 'port-mappings'
LATER = 'later'


class Section:
    """One list of component templates in a library file, e.g. `interfaces:`."""

    def __init__(self, key, model, fields, references=(), device_only=False):
        self.key = key
        self.model = model
        # Plain fields, written as they are.
        self.fields = fields
        # Fields naming another object: {yaml key: where to find it}: a model, 'section:<key>' (a template named
        # in an earlier section or earlier in this one) or LATER (resolved once the whole section is saved).
        self.references = dict(references)
        self.device_only = device_only

    @property
    def keys(self):
        return set(self.fields) | set(self.references)


SECTIONS = (
    Section('console-ports', m.ConsolePortTemplate, ('name', 'label', 'type', 'description')),
    Section('console-server-ports', m.ConsoleServerPortTemplate, ('name', 'label', 'type', 'description')),
    Section('power-ports', m.PowerPortTemplate,
            ('name', 'label', 'type', 'maximum_draw', 'allocated_draw', 'description')),
    Section('power-outlets', m.PowerOutletTemplate, ('name', 'label', 'type', 'color', 'feed_leg', 'description'),
            references={'power_port': 'section:power-ports'}),
    Section('interfaces', m.InterfaceTemplate,
            ('name', 'label', 'type', 'enabled', 'mgmt_only', 'poe_mode', 'poe_type', 'rf_role', 'description'),
            references={'bridge': LATER}),
    Section('front-ports', m.FrontPortTemplate, ('name', 'label', 'type', 'color', 'positions', 'description'),
            references={'rear_port': LATER, 'rear_port_position': LATER}),
    Section('rear-ports', m.RearPortTemplate, ('name', 'label', 'type', 'color', 'positions', 'description')),
    Section('module-bays', m.ModuleBayTemplate, ('name', 'label', 'position', 'enabled', 'description')),
    Section('device-bays', m.DeviceBayTemplate, ('name', 'label', 'enabled', 'description'), device_only=True),
    Section('inventory-items', m.InventoryItemTemplate, ('name', 'label', 'part_id', 'description'),
            references={'manufacturer': m.Manufacturer, 'role': m.InventoryItemRole,
                        'parent': 'section:inventory-items'}, device_only=True),
)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
# Import order: what is referred to comes before what refers to it.
IMPORT_ORDER = ('console-ports', 'console-server-ports', 'power-ports', 'power-outlets', 'interfaces', 'rear-ports',
                'front-ports', 'module-bays', 'device-bays', 'inventory-items')


class Kind:
    """What is imported: device types or module types."""

    def __init__(self, model, fields, owner_field):
        self.model = model
        self.fields = fields
        self.owner_field = owner_field

    @property
    def sections(self):
        return [s for s in SECTIONS if not (s.device_only and self.owner_field == 'module_type')]

    @property
    def keys(self):
        keys = {'manufacturer', PORT_MAPPINGS_KEY} | set(self.fields) | {s.key for s in self.sections}
        if self.model is m.ModuleType:
            keys.add('profile')
        return keys


DEVICE_TYPES = Kind(m.DeviceType, DEVICE_TYPE_FIELDS, 'device_type')
MODULE_TYPES = Kind(m.ModuleType, MODULE_TYPE_FIELDS, 'module_type')


def kind_for(model):
    return DEVICE_TYPES if model is m.DeviceType else MODULE_TYPES


# Import

class Errors(dict):
    """{path: [messages]}, filled while importing."""

    def add(self, path, messages):
        if isinstance(messages, str):
            messages = [messages]
        self.setdefault(path or 'non_field_errors', []).extend(messages)

    def count(self):
        return sum(len(messages) for messages in self.values())

    def add_validation_error(self, path, exc, rename=None):
        """A model's ValidationError, each field's messages under `path.field`."""
        rename = rename or {}
        if hasattr(exc, 'error_dict'):
            for field, messages in exc.message_dict.items():
                if field == NON_FIELD_ERRORS:
                    self.add(path, messages)
                else:
                    self.add(join(path, rename.get(field, field)), messages)
        else:
            self.add(path, exc.messages)


def join(path, key):
    if not path:
        return str(key)
    return f'{path}{key}' if str(key).startswith('[') else f'{path}.{key}'


def parse_documents(text):
    """The YAML documents of `text` (empty documents skipped); a syntax error is a ValidationError on `data`."""
    if isinstance(text, bytes):
        text = text.decode('utf-8', errors='replace')
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({'data': ['Give the YAML of at least one type.']})
    try:
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, 'problem_mark', None)
        where = f' (line {mark.line + 1}, column {mark.column + 1})' if mark is not None else ''
        problem = getattr(exc, 'problem', None) or str(exc)
        raise ValidationError({'data': [f'Invalid YAML{where}: {problem}.']})
    if not documents:
        raise ValidationError({'data': ['Give the YAML of at least one type.']})
    return documents


def convert(field, value, path, errors):
    """A YAML value as the model field's Python value; None when it is invalid (the error is recorded)."""
    if field.choices and not isinstance(field, models.ForeignKey):
        valid = {str(choice) for choice, _ in field.flatchoices}
        if str(value) not in valid:
            errors.add(path, f'"{value}" is not a valid choice.')
            return None
        value = str(value)
    if isinstance(field, (models.CharField, models.TextField)) and isinstance(value, (dict, list, bool)):
        errors.add(path, 'Give a text value.')
        return None
    if isinstance(field, models.BooleanField) and not isinstance(value, bool):
        errors.add(path, f'"{value}" is not true or false.')
        return None
    if isinstance(field, (models.IntegerField, models.DecimalField)) and isinstance(value, bool):
        errors.add(path, f'"{value}" is not a number.')
        return None
    if isinstance(field, models.DecimalField) and isinstance(value, float):
        value = str(value)  # 7.6, not 7.5999999999999996447286321199499070644378662109375
    try:
        return field.to_python(value)
    except ValidationError as exc:
        errors.add(path, exc.messages)
        return None


def scalar_values(model, data, fields, path, errors):
    """{field: value} for the plain fields given in `data` (null values count as not given)."""
    values = {}
    for name in fields:
        if name in data and data[name] is not None:
            value = convert(model._meta.get_field(name), data[name], join(path, name), errors)
            if value is not None:
                values[name] = value
    return values


def check_keys(data, allowed, path, errors):
    for key in data:
        if key not in allowed and key not in IGNORED_KEYS:
            errors.add(join(path, key), 'Unknown field.')


def find_by_name(model, name):
    return model.objects.filter(Q(name__iexact=name) | Q(slug=slugify(name))).first() if hasattr(model, 'slug') \
        else model.objects.filter(name__iexact=name).first()


class TypeImporter:
    """Imports the documents of one request; keeps what it created for the permission check."""

    def __init__(self, kind, user=None):
        self.kind = kind
        self.user = user
        self.errors = Errors()
        self.created = []

    def run(self, documents):
        prefix_documents = len(documents) > 1
        types = []
        with transaction.atomic():
            for index, document in enumerate(documents):
                obj = self.import_document(document, f'[{index}]' if prefix_documents else '')
                if obj is not None:
                    types.append(obj)
            if self.errors:
                raise ValidationError(dict(self.errors))
            self.check_permitted()
        return types

    def save(self, obj, path, rename=None):
        """full_clean() then save(); False (with the errors recorded under `path`) when the object is invalid."""
        try:
            obj.full_clean()
        except ValidationError as exc:
            self.errors.add_validation_error(path, exc, rename)
            return False
        obj.save()
        self.created.append(obj)
        return True

    def check_permitted(self):
        if self.user is None:
            return
        for obj in self.created:
            if not object_permitted(self.user, obj, 'add'):
                raise PermissionDenied(f'You may not add {obj._meta.verbose_name} {obj} with your current '
                                       f'permissions.')

    # One document

    def import_document(self, document, path):
        if not isinstance(document, dict):
            self.errors.add(path, 'Each YAML document must be a mapping of fields to values.')
            return None
        errors_before = self.errors.count()
        check_keys(document, self.kind.keys, path, self.errors)
        manufacturer = self.manufacturer(document.get('manufacturer'), join(path, 'manufacturer'))
        values = scalar_values(self.kind.model, document, self.kind.fields, path, self.errors)
        if self.kind.model is m.DeviceType and 'slug' not in values and values.get('model'):
            values['slug'] = slugify(values['model'])
        if self.kind.model is m.ModuleType and document.get('profile') is not None:
            values['profile'] = self.lookup(m.ModuleTypeProfile, document['profile'], join(path, 'profile'))
        if manufacturer is not None and values.get('model'):
            self.check_unique(manufacturer, values, path)
        if manufacturer is None or self.errors.count() > errors_before:
            return None  # templates need a saved type; report what is wrong with it first
        obj = self.kind.model(manufacturer=manufacturer, **values)
        if not self.save(obj, path):
            return None
        templates = {}
        for key in IMPORT_ORDER:
            section = SECTIONS_BY_KEY[key]
            if section in self.kind.sections:
                templates[key] = self.import_section(obj, section, document.get(key), join(path, key), templates)
        self.import_port_mappings(document.get(PORT_MAPPINGS_KEY), join(path, PORT_MAPPINGS_KEY), templates)
        return obj

    def check_unique(self, manufacturer, values, path):
        name = self.kind.model._meta.verbose_name
        same = self.kind.model.objects.filter(manufacturer=manufacturer)
        if same.filter(model__iexact=values['model']).exists():
            self.errors.add(join(path, 'model'), f'{manufacturer} already has a {name} "{values["model"]}".')
        elif values.get('slug') and same.filter(slug=values['slug']).exists():
            self.errors.add(join(path, 'slug'), f'{manufacturer} already has a {name} with slug "{values["slug"]}".')

    def manufacturer(self, name, path):
        if name is None or name == '':
            self.errors.add(path, 'This field is required.')
            return None
        if not isinstance(name, (str, int, float)):
            self.errors.add(path, 'Give the manufacturer by name.')
            return None
        name = str(name)
        existing = find_by_name(m.Manufacturer, name)
        if existing is not None:
            return existing
        if self.user is not None and not has_permission(self.user, m.Manufacturer, 'add'):
            raise PermissionDenied(f'Manufacturer "{name}" does not exist and you may not add manufacturers.')
        manufacturer = m.Manufacturer(name=name, slug=slugify(name))
        if not self.save(manufacturer, path, rename={'name': '', 'slug': ''}):
            return None
        return manufacturer

    def lookup(self, model, name, path):
        found = find_by_name(model, str(name))
        if found is None:
            self.errors.add(path, f'No {model._meta.verbose_name} named "{name}".')
        return found

    # Component templates

    def import_section(self, owner, section, items, path, templates):
        """Create the templates of one section; returns {name: template} of those created."""
        by_name = {}
        if items is None:
            return by_name
        if not isinstance(items, list):
            self.errors.add(path, 'Give a list.')
            return by_name
        if self.user is not None and not has_permission(self.user, section.model, 'add'):
            raise PermissionDenied(f'You may not add {section.model._meta.verbose_name_plural}.')
        deferred = []
        for index, item in enumerate(items):
            item_path = f'{path}[{index}]'
            if not isinstance(item, dict):
                self.errors.add(item_path, 'Give a mapping of fields to values.')
                continue
            check_keys(item, section.keys, item_path, self.errors)
            errors_before = self.errors.count()
            values = scalar_values(section.model, item, section.fields, item_path, self.errors)
            references = self.references(section, item, item_path, templates, by_name)
            if self.errors.count() > errors_before:
                continue
            template = section.model(**{self.kind.owner_field: owner}, **values, **references)
            if self.save(template, item_path):
                by_name[template.name] = template
                deferred.append((item, item_path, template))
        if section.key == 'interfaces':
            self.link_bridges(deferred, by_name)
        if section.key == 'front-ports':
            self.map_inline(deferred, templates.get('rear-ports', {}))
        return by_name

    def references(self, section, item, path, templates, by_name):
        """Related objects named in an item, except those resolved after the section is saved."""
        found = {}
        for key, target in section.references.items():
            name = item.get(key)
            if name is None or target == LATER:
                continue
            if isinstance(target, str):
                target_key = target.split(':', 1)[1]
                pool = by_name if target_key == section.key else templates.get(target_key, {})
                if str(name) not in pool:
                    self.errors.add(join(path, key), f'No {target_key[:-1].replace("-", " ")} named "{name}".')
                    continue
                found[key] = pool[str(name)]
            else:
                related = self.lookup(target, name, join(path, key)) if target is not m.Manufacturer else \
                    self.manufacturer(name, join(path, key))
                if related is not None:
                    found[key] = related
        return found

    def link_bridges(self, saved, by_name):
        for item, path, template in saved:
            name = item.get('bridge')
            if name is None:
                continue
            if str(name) not in by_name:
                self.errors.add(join(path, 'bridge'), f'No interface named "{name}".')
                continue
            template.bridge = by_name[str(name)]
            if self.save(template, path):
                self.created.pop()  # saved twice, counted once

    def map_inline(self, saved, rears):
        for item, path, template in saved:
            rear_name = item.get('rear_port')
            if rear_name is None:
                if item.get('rear_port_position') is not None:
                    self.errors.add(join(path, 'rear_port'), 'Give the rear port this position belongs to.')
                continue
            self.add_mapping(template, 1, rear_name, item.get('rear_port_position') or 1, rears, path)

    def add_mapping(self, front, front_position, rear_name, rear_position, rears, path):
        rear = rears.get(str(rear_name))
        if rear is None:
            self.errors.add(join(path, 'rear_port'), f'No rear port named "{rear_name}".')
            return
        for key, value in (('front_port_position', front_position), ('rear_port_position', rear_position)):
            if isinstance(value, bool) or not isinstance(value, int):
                self.errors.add(join(path, key), f'"{value}" is not a whole number.')
                return
        mapping = m.PortTemplateMapping(front_port=front, rear_port=rear, front_port_position=front_position,
                                        rear_port_position=rear_position)
        try:
            mapping.full_clean()
        except ValidationError as exc:
            self.errors.add_validation_error(path, exc)
            return
        mapping.save()

    def import_port_mappings(self, items, path, templates):
        if items is None:
            return
        if not isinstance(items, list):
            self.errors.add(path, 'Give a list.')
            return
        fronts, rears = templates.get('front-ports', {}), templates.get('rear-ports', {})
        for index, item in enumerate(items):
            item_path = f'{path}[{index}]'
            if not isinstance(item, dict):
                self.errors.add(item_path, 'Give a mapping of fields to values.')
                continue
            check_keys(item, {'front_port', 'front_port_position', 'rear_port', 'rear_port_position'}, item_path,
                       self.errors)
            front = fronts.get(str(item.get('front_port')))
            if front is None:
                self.errors.add(join(item_path, 'front_port'), f'No front port named "{item.get("front_port")}".')
                continue
            self.add_mapping(front, item.get('front_port_position') or 1, item.get('rear_port'),
                             item.get('rear_port_position') or 1, rears, item_path)


def import_types(text, model=m.DeviceType, user=None):
    """
    Create the types described by the YAML `text` (one per document) with their templates, all or nothing.
    `model` is DeviceType or ModuleType. With a `user`, their add permissions are enforced (PermissionDenied).
    Raises ValidationError({path: [messages]}) when anything is invalid.
    """
    if user is not None and not has_permission(user, model, 'add'):
        raise PermissionDenied(f'You may not add {model._meta.verbose_name_plural}.')
    documents = parse_documents(text)
    return TypeImporter(kind_for(model), user=user).run(documents)


# Export

def plain(value):
    """A value as YAML writes it best: decimals as int or float, everything else unchanged."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def field_values(obj, fields, always=()):
    """{field: value} for the fields that differ from their default (empty text and null left out)."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if name not in always:
            field = obj._meta.get_field(name)
            if value is None or value == '' or value == {} or (field.has_default() and value == field.get_default()
                                                                and not isinstance(field, models.CharField)):
                continue
        out[name] = plain(value)
    return out


def export_data(obj):
    """The library representation of a device or module type, as a dict in the library's key order."""
    kind = kind_for(type(obj))
    data = {'manufacturer': obj.manufacturer.name}
    if kind.model is m.ModuleType and obj.profile_id:
        data['profile'] = obj.profile.name
    data.update(field_values(obj, kind.fields, always=ALWAYS_EXPORTED if kind.model is m.DeviceType else ()))
    owner = {kind.owner_field: obj}
    fronts = []
    for section in kind.sections:
        queryset = section.model.objects.filter(**owner)
        related = [key for key in section.references if key not in ('rear_port', 'rear_port_position')]
        if related:
            queryset = queryset.select_related(*related)
        if section.model is m.FrontPortTemplate:
            queryset = queryset.prefetch_related('mappings__rear_port')
        queryset = queryset.order_by('tree_id', 'lft') if section.model is m.InventoryItemTemplate else \
            queryset.order_by('pk')
        items = []
        for template in queryset:
            item = field_values(template, [name for name in section.fields if name != 'description'])
            for key in related:
                target = getattr(template, key)
                if target is not None:
                    item[key] = target.name
            item.update(field_values(template, ('description',)))
            items.append(item)
            if section.model is m.FrontPortTemplate:
                fronts.append((template, item))
        if items:
            data[section.key] = items
    mappings = [(front, mapping) for front, _ in fronts for mapping in front.mappings.all()]
    inline = all(len(front.mappings.all()) <= 1 and all(mp.front_port_position == 1 for mp in front.mappings.all())
                 for front, _ in fronts)
    if inline:
        for front, item in fronts:
            for mapping in front.mappings.all():
                item['rear_port'] = mapping.rear_port.name
                item['rear_port_position'] = mapping.rear_port_position
    elif mappings:
        data[PORT_MAPPINGS_KEY] = [
            {'front_port': front.name, 'front_port_position': mapping.front_port_position,
             'rear_port': mapping.rear_port.name, 'rear_port_position': mapping.rear_port_position}
            for front, mapping in mappings
        ]
    return data


class LibraryDumper(yaml.SafeDumper):
    """Indents list items under their key, as the library's files do."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def export_type(obj):
    """The YAML of one device or module type."""
    return yaml.dump(export_data(obj), Dumper=LibraryDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False)


def export_types(objects):
    """The YAML of several types, one document each."""
    return '---\n'.join(export_type(obj) for obj in objects)
