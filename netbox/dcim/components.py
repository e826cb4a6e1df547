"""Creating device components from type templates, and names expanded from patterns."""
import itertools
import re

from django.core.exceptions import ValidationError

TEMPLATE_RELATIONS = (
    'consoleporttemplates', 'consoleserverporttemplates', 'powerporttemplates', 'poweroutlettemplates',
    'interfacetemplates', 'rearporttemplates', 'frontporttemplates', 'modulebaytemplates', 'devicebaytemplates',
    'inventoryitemtemplates',
)


def create_components_from_templates(device, module=None):
    """Create every component the device (or the module installed in it) gets from its type's templates."""
    from .models import PortMapping, PowerOutlet, PowerPort, RearPort

    owner = module.module_type if module is not None else device.device_type
    created = {}
    for relation in TEMPLATE_RELATIONS:
        templates = list(getattr(owner, relation).all()) if hasattr(owner, relation) else []
        if not templates:
            continue
        components = [template.instantiate(device, module) for template in templates]
        for component in components:
            # Templates were validated when saved; check field values only, without a query per component.
            component.clean_fields(exclude=['device', 'module', 'parent', 'power_port', 'installed_device', 'lft',
                                            'rght', 'tree_id', 'level'])
        model = type(components[0])
        if relation == 'inventoryitemtemplates':
            for component in components:
                component.save()
        else:
            model.objects.bulk_create(components)
        created[relation] = dict(zip([t.pk for t in templates], components, strict=True))
    # Links between templates become links between the new components.
    outlets = created.get('poweroutlettemplates', {})
    if outlets:
        ports = {p.name: p for p in PowerPort.objects.filter(device=device)}
        changed = []
        for component in outlets.values():
            name = getattr(component, '_power_port_name', None)
            if name and name in ports:
                component.power_port = ports[name]
                changed.append(component)
        PowerOutlet.objects.bulk_update(changed, ['power_port'])
    fronts = created.get('frontporttemplates', {})
    if fronts:
        from .models import PortTemplateMapping

        rears = {p.name: p for p in RearPort.objects.filter(device=device)}
        mappings = []
        for mapping in PortTemplateMapping.objects.filter(front_port_id__in=list(fronts)).select_related('rear_port'):
            rear = rears.get(mapping.rear_port.resolve_name(module))
            if rear is not None:
                mappings.append(PortMapping(front_port=fronts[mapping.front_port_id], rear_port=rear,
                                            front_port_position=mapping.front_port_position,
                                            rear_port_position=mapping.rear_port_position))
        PortMapping.objects.bulk_create(mappings)
    return created


PATTERN = re.compile(r'\[([^\]]+)\]')


def expand_name_pattern(pattern):
    """Names from a pattern: 'Gi1/[1-3]' -> Gi1/1, Gi1/2, Gi1/3; '[ge,xe]-0/0/[0-1]' -> ge-0/0/0 ... xe-0/0/1."""
    parts = PATTERN.split(pattern)
    choices = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            choices.append([part])
            continue
        values = []
        for item in part.split(','):
            item = item.strip()
            match = re.fullmatch(r'(\d+)-(\d+)', item) or re.fullmatch(r'([a-zA-Z])-([a-zA-Z])', item)
            if match:
                start, end = match.groups()
                if start.isdigit():
                    width = len(start) if start.startswith('0') else 0
                    if int(start) > int(end):
                        raise ValidationError(f'Range {item} runs backwards.')
                    values += [str(n).zfill(width) for n in range(int(start), int(end) + 1)]
                else:
                    values += [chr(c) for c in range(ord(start), ord(end) + 1)]
            elif item:
                values.append(item)
        if not values:
            raise ValidationError(f'Empty range in "{pattern}".')
        choices.append(values)
    return [''.join(combo) for combo in itertools.product(*choices)]
