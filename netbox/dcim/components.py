"""Creating device components from type templates, and names expanded from patterns."""
import itertools
import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

# (template relation on a type, template model, component model), in creation order: power ports come before the
# outlets that point at them, rear ports before the front ports mapped onto them.
TEMPLATE_KINDS = (
    ('consoleporttemplates', 'ConsolePortTemplate', 'ConsolePort'),
    ('consoleserverporttemplates', 'ConsoleServerPortTemplate', 'ConsoleServerPort'),
    ('powerporttemplates', 'PowerPortTemplate', 'PowerPort'),
    ('poweroutlettemplates', 'PowerOutletTemplate', 'PowerOutlet'),
    ('coolingintaketemplates', 'CoolingIntakeTemplate', 'CoolingIntake'),
    ('coolingoutflowtemplates', 'CoolingOutflowTemplate', 'CoolingOutflow'),
    ('interfacetemplates', 'InterfaceTemplate', 'Interface'),
    ('rearporttemplates', 'RearPortTemplate', 'RearPort'),
    ('frontporttemplates', 'FrontPortTemplate', 'FrontPort'),
    ('modulebaytemplates', 'ModuleBayTemplate', 'ModuleBay'),
    ('devicebaytemplates', 'DeviceBayTemplate', 'DeviceBay'),
    ('inventoryitemtemplates', 'InventoryItemTemplate', 'InventoryItem'),
)
TEMPLATE_RELATIONS = tuple(relation for relation, _, _ in TEMPLATE_KINDS)
# Relations that clean_fields() would follow with a query per component; the links are checked here instead.
UNCHECKED_FIELDS = ('device', 'module', 'parent', 'power_port', 'cooling_intake', 'bridge', 'installed_device', 'lft',
                    'rght', 'tree_id', 'level', 'role', 'manufacturer', 'component_type')
# Most components one name pattern may produce.
MAX_PATTERN_NAMES = 4096
# False while objects are copied from another NetBox (netbox.importer): their components are copied as they are.
_from_templates = ContextVar('components_from_templates', default=True)


@contextmanager
def components_from_templates(enabled):
    """Whether new devices and modules get the components of their type's templates inside the block."""
    token = _from_templates.set(enabled)
    try:
        yield
    finally:
        _from_templates.reset(token)


def _model(name):
    return apps.get_model('dcim', name)


def _kinds_present(owner):
    """The template kinds a type has, found with one query instead of one per kind."""
    owner_field = 'device_type' if owner._meta.model_name == 'devicetype' else 'module_type'
    checks = {f'has_{relation}': Exists(_model(template).objects.filter(**{owner_field: OuterRef('pk')}))
              for relation, template, _ in TEMPLATE_KINDS}
    row = type(owner).objects.filter(pk=owner.pk).values(**checks).first() or {}
    return owner_field, [kind for kind in TEMPLATE_KINDS if row.get(f'has_{kind[0]}')]


def _custom_field_defaults(component_models):
    """{component model: {custom field: default}} for the custom fields that have a default, in one query."""
    from django.contrib.contenttypes.models import ContentType

    from extras.models import CustomField

    types = ContentType.objects.get_for_models(*component_models)
    by_type = {content_type.pk: model for model, content_type in types.items()}
    defaults = {model: {} for model in component_models}
    rows = CustomField.objects.filter(object_types__in=list(by_type), default__isnull=False).values_list(
        'object_types', 'name', 'default')
    for type_id, name, default in rows:
        defaults[by_type[type_id]][name] = default
    return defaults


def create_components_from_templates(device, module=None):
    """
    Create every component the device (or the module installed in it) gets from its type's templates, with the links
    between templates (outlet to power port, front to rear port, inventory item parents) carried over. Components of
    one kind are inserted together; the caller's transaction makes the whole creation succeed or fail as one.
    Returns {template relation: {template pk: component}}.
    """
    if not _from_templates.get():
        return {}
    owner = module.module_type if module is not None else device.device_type
    owner_field, kinds = _kinds_present(owner)
    if not kinds:
        return {}
    defaults = _custom_field_defaults([_model(component) for _, _, component in kinds])
    created = {}
    for relation, template_name, component_name in kinds:
        template_model, component_model = _model(template_name), _model(component_name)
        # Parents before their children for inventory items; plain ordering spares the joins of the default one.
        ordering = ('tree_id', 'lft') if relation == 'inventoryitemtemplates' else ('pk',)
        templates = list(template_model.objects.filter(**{owner_field: owner}).order_by(*ordering))
        components = [template.instantiate(device, module) for template in templates]
        by_template = dict(zip([t.pk for t in templates], components, strict=True))
        for template, component in zip(templates, components, strict=True):
            if defaults[component_model]:
                component.custom_field_data = dict(defaults[component_model])
            _link(relation, template, component, created)
            _validate(component, template, relation)
        if module is not None:
            _check_free_names(device, component_model, components)
        if relation == 'inventoryitemtemplates':
            for template, component in zip(templates, components, strict=True):
                if template.parent_id:
                    component.parent = by_template[template.parent_id]
                component.save()  # a tree: each insert places the item among its siblings
        else:
            component_model.objects.bulk_create(components)
            _log_created(component_model, components)
            if relation == 'interfacetemplates':
                _link_interfaces(templates, by_template)
            elif relation == 'modulebaytemplates':
                _copy_bay_types(templates, by_template)
        created[relation] = by_template
    if 'frontporttemplates' in created:
        _map_ports(created)
    return created


def _link(relation, template, component, created):
    """Point the new component at components made earlier from the templates its template points at."""
    if relation == 'poweroutlettemplates' and template.power_port_id:
        component.power_port = created.get('powerporttemplates', {}).get(template.power_port_id)
    elif relation == 'coolingoutflowtemplates' and template.cooling_intake_id:
        component.cooling_intake = created.get('coolingintaketemplates', {}).get(template.cooling_intake_id)
    elif relation == 'inventoryitemtemplates' and template.component_type_id and template.component_id:
        from django.contrib.contenttypes.models import ContentType

        target_template = ContentType.objects.get_for_id(template.component_type_id).model_class()
        kind = next((k for k in TEMPLATE_KINDS if _model(k[1]) is target_template), None)
        target = created.get(kind[0], {}).get(template.component_id) if kind else None
        if target is not None:
            component.component_type = ContentType.objects.get_for_model(target)
            component.component_id = target.pk


def _validate(component, template, relation):
    try:
        component.clean_fields(exclude=[f for f in UNCHECKED_FIELDS if hasattr(component, f)])
    except ValidationError as exc:
        problems = '; '.join(f'{field}: {", ".join(messages)}' for field, messages in exc.message_dict.items())
        raise ValidationError(f'{template._meta.verbose_name.capitalize()} "{template.name}" makes an invalid '
                              f'{component._meta.verbose_name} "{component.name}": {problems}')


def _check_free_names(device, component_model, components):
    names = [component.name for component in components]
    taken = sorted(component_model.objects.filter(device=device, name__in=names).values_list('name', flat=True))
    if taken:
        raise ValidationError(f'{device} already has {component_model._meta.verbose_name_plural} named '
                              f'{", ".join(taken)}.')


def _link_interfaces(templates, by_template):
    """Bridges and parents between interfaces made from templates that point at each other."""
    linked = []
    for template in templates:
        component = by_template[template.pk]
        changed = False
        for name in ('bridge', 'parent'):
            target = getattr(template, f'{name}_id')
            if target and target in by_template:
                setattr(component, name, by_template[target])
                changed = True
        if changed:
            linked.append(component)
    if linked:
        type(linked[0]).objects.bulk_update(linked, ['bridge', 'parent'])


def _copy_bay_types(templates, by_template):
    """Module bays take the module bay types of their templates."""
    through = _model('ModuleBay').module_bay_types.through
    template_through = _model('ModuleBayTemplate').module_bay_types.through
    rows = template_through.objects.filter(modulebaytemplate_id__in=list(by_template)).values_list(
        'modulebaytemplate_id', 'modulebaytype_id')
    through.objects.bulk_create([through(modulebay_id=by_template[template_id].pk, modulebaytype_id=type_id)
                                 for template_id, type_id in rows])


def _map_ports(created):
    from .models import PortMapping, PortTemplateMapping

    fronts, rears = created['frontporttemplates'], created.get('rearporttemplates', {})
    mappings = [
        PortMapping(front_port=fronts[mapping.front_port_id], front_port_position=mapping.front_port_position,
                    rear_port=rears[mapping.rear_port_id], rear_port_position=mapping.rear_port_position)
        for mapping in PortTemplateMapping.objects.filter(front_port_id__in=list(fronts))
        if mapping.rear_port_id in rears
    ]
    PortMapping.objects.bulk_create(mappings)


def _log_created(component_model, components):
    """Change-log records for components inserted in bulk (which sends no post_save), written in one query; a new
    component has no tags or other many-to-many links, so none are read."""
    from netbox.changelog import log_saved

    log_saved(components, created=True, relations_written=False)


# Moving modules

# Components that may belong to a module, and so travel with it.
MODULAR_COMPONENTS = ('ConsolePort', 'ConsoleServerPort', 'PowerPort', 'PowerOutlet', 'CoolingIntake', 'CoolingOutflow',
                      'Interface', 'RearPort', 'FrontPort', 'ModuleBay')


def move_module_contents(module, device):
    """
    After `module` moved to a bay of `device`: its child modules (at any depth) and the components of all of them
    follow it. Each object is saved on its own so that the change log records every move. Names must be free on the
    new device.
    """
    from .models import Module

    subtree = module.subtree_ids()
    problems = module_move_clashes(module, device, subtree)
    if problems:
        raise ValidationError({'module_bay': problems})
    for name in MODULAR_COMPONENTS:
        for component in _model(name).objects.filter(module__in=subtree).exclude(device=device):
            component.device = device
            component.save()
    for child in Module.objects.filter(pk__in=subtree - {module.pk}).exclude(device=device):
        child.device = device
        super(Module, child).save()  # the plain save: its contents were moved above


def module_move_clashes(module, device, subtree=None):
    """What stops the module's contents from moving to `device`: components named like ones it has already."""
    subtree = module.subtree_ids() if subtree is None else subtree
    problems = []
    for name in MODULAR_COMPONENTS:
        component_model = _model(name)
        names = component_model.objects.filter(module__in=subtree).exclude(device=device).values('name')
        clash = sorted(component_model.objects.filter(device=device, name__in=names).exclude(
            module__in=subtree).values_list('name', flat=True))
        if clash:
            problems.append(f'{device} already has {component_model._meta.verbose_name_plural} named '
                            f'{", ".join(clash)}.')
    return problems


# Name patterns

PATTERN = re.compile(r'\[([^\[\]]*)\]')
NUMERIC_RANGE = re.compile(r'(\d+)-(\d+)')
ALPHA_RANGE = re.compile(r'([a-zA-Z])-([a-zA-Z])')


def _expand_item(item, pattern):
    numeric = NUMERIC_RANGE.fullmatch(item)
    if numeric:
        start, end = numeric.groups()
        if int(start) > int(end):
            raise ValidationError(f'Range [{item}] in "{pattern}" runs backwards.')
        # A leading zero pads every number to the width of the range's start: [01-12] -> 01 ... 12.
        width = len(start) if start.startswith('0') and len(start) > 1 else 0
        if int(end) - int(start) >= MAX_PATTERN_NAMES:
            raise ValidationError(f'Range [{item}] in "{pattern}" is too long.')
        return [str(number).zfill(width) for number in range(int(start), int(end) + 1)]
    alpha = ALPHA_RANGE.fullmatch(item)
    if alpha:
        start, end = alpha.groups()
        if start.isupper() != end.isupper():
            raise ValidationError(f'Range [{item}] in "{pattern}" mixes upper and lower case.')
        if start > end:
            raise ValidationError(f'Range [{item}] in "{pattern}" runs backwards.')
        return [chr(code) for code in range(ord(start), ord(end) + 1)]
    return [item]


def expand_name_pattern(pattern):
    """
    Every name a pattern stands for. Brackets hold comma-separated values and ranges:
    'Gi1/[1-3]' -> Gi1/1, Gi1/2, Gi1/3; '[ge,xe]-0/0/[0-1]' -> ge-0/0/0, ge-0/0/1, xe-0/0/0, xe-0/0/1;
    'port[01-10]' pads to two digits; '[a-c]' runs through letters. A text without brackets is one name.
    """
    pattern = str(pattern)
    parts = PATTERN.split(pattern)
    for index in range(0, len(parts), 2):
        if '[' in parts[index] or ']' in parts[index]:
            raise ValidationError(f'Unbalanced brackets in "{pattern}".')
    choices = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            choices.append([part])
            continue
        values = []
        for item in part.split(','):
            item = item.strip()
            if not item:
                raise ValidationError(f'Empty value in [{part}] of "{pattern}".')
            values += _expand_item(item, pattern)
        choices.append(values)
    total = 1
    for values in choices:
        total *= len(values)
    if total > MAX_PATTERN_NAMES:
        raise ValidationError(f'"{pattern}" stands for {total} names; at most {MAX_PATTERN_NAMES} are allowed.')
    return [''.join(combo) for combo in itertools.product(*choices)]


def expand_name_and_label(name_pattern, label_pattern=''):
    """[(name, label)] from a name pattern and an optional label pattern that must give as many values."""
    names = expand_name_pattern(name_pattern)
    if not label_pattern:
        return [(name, '') for name in names]
    labels = expand_name_pattern(label_pattern)
    if len(labels) != len(names):
        raise ValidationError({'label': f'The label pattern gives {len(labels)} values but the name pattern gives '
                                        f'{len(names)}.'})
    return list(zip(names, labels, strict=True))
