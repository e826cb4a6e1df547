"""Manufacturers, device and module types, and the component templates that types carry."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from mptt.models import MPTTModel, TreeForeignKey

from netbox.models import (
    ChangeLoggedModel,
    GenericForeignKey,
    OrganizationalModel,
    PrimaryModel,
    RestrictedTreeManager,
    color_validator,
)
from tenancy.models import ContactsMixin

from ..choices import (
    CONSOLE_PORT_TYPE,
    COOLING_CONNECTOR_TYPE,
    COOLING_METHOD,
    DEVICE_AIRFLOW,
    DIAMETER_UNIT,
    FEED_LEG,
    FLOW_UNIT,
    INTERFACE_TYPE,
    MODULE_AIRFLOW,
    POE_MODE,
    POE_TYPE,
    PORT_TYPE,
    POWER_OUTLET_TYPE,
    POWER_PORT_TYPE,
    RF_ROLE,
    SUBDEVICE_ROLE,
    WEIGHT_UNIT,
)
from .components import channel_count_field, channel_id_field
from .cooling import measure_field

MODULE_TOKEN = '{module}'


def module_bay_positions(module):
    """Positions of the bays holding `module`, outermost first (a module may sit in a bay of another module)."""
    cached = getattr(module, '_bay_positions', None)
    if cached is None:
        positions, seen, current = [], set(), module
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            bay = current.module_bay
            positions.append(bay.position or bay.name)
            current = bay.module if bay.module_id else None
        cached = module._bay_positions = positions[::-1]
    return cached


def substitute_module_token(text, module):
    """
    Replace {module} in a template's text by the position of the module's bay. When the text holds one token per
    level of nesting, each token takes the position of its own level, outermost first.
    """
    if module is None or not text or MODULE_TOKEN not in text:
        return text
    positions = module_bay_positions(module)
    count = text.count(MODULE_TOKEN)
    if count > 1 and count == len(positions):
        for position in positions:
            text = text.replace(MODULE_TOKEN, position, 1)
        return text
    return text.replace(MODULE_TOKEN, positions[-1])


class Manufacturer(ContactsMixin, OrganizationalModel):
    """A maker of devices, modules, racks or inventory items."""


class ModuleBayType(PrimaryModel):
    """
    A kind of module slot (SFP28 cage, PCIe x16, PSU bay...). Bays and module types list the kinds they are; a
    module fits a bay when their kinds overlap, or when either lists none.
    """

    manufacturer = models.ForeignKey(Manufacturer, on_delete=models.PROTECT, related_name='module_bay_types',
                                     blank=True, null=True)
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    color = models.CharField(max_length=6, blank=True, validators=[color_validator])

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


def bay_types_compatible(bay_type_ids, module_type_ids):
    """Whether a bay with these module bay types takes a module type with those: an empty side accepts anything."""
    bay_type_ids, module_type_ids = set(bay_type_ids), set(module_type_ids)
    return not bay_type_ids or not module_type_ids or bool(bay_type_ids & module_type_ids)


class DeviceType(PrimaryModel):
    """A hardware model: its size, airflow and the components every device of the type gets."""

    manufacturer = models.ForeignKey(Manufacturer, on_delete=models.PROTECT, related_name='device_types')
    default_platform = models.ForeignKey('dcim.Platform', on_delete=models.SET_NULL, related_name='+', blank=True,
                                         null=True)
    model = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    part_number = models.CharField(max_length=50, blank=True)
    u_height = models.DecimalField(max_digits=4, decimal_places=1, default=1,
                                   validators=[MinValueValidator(0), MaxValueValidator(1000)])
    exclude_from_utilization = models.BooleanField(default=False)
    is_full_depth = models.BooleanField(default=True)
    subdevice_role = models.CharField(max_length=50, choices=SUBDEVICE_ROLE, blank=True, null=True)
    airflow = models.CharField(max_length=50, choices=DEVICE_AIRFLOW, blank=True, null=True)
    cooling_method = models.CharField(max_length=50, choices=COOLING_METHOD, blank=True, null=True)
    weight = models.DecimalField(max_digits=8, decimal_places=2, blank=True, null=True)
    weight_unit = models.CharField(max_length=50, choices=WEIGHT_UNIT, blank=True, null=True)
    end_of_life = models.DateField(blank=True, null=True, help_text='When the manufacturer ends support')
    front_image = models.ImageField(upload_to='devicetype-images', blank=True)
    rear_image = models.ImageField(upload_to='devicetype-images', blank=True)

    class Meta:
        ordering = ('manufacturer', 'model')
        constraints = [
            models.UniqueConstraint(fields=('manufacturer', 'model'), name='dcim_devicetype_model',
                                    violation_error_message='This manufacturer has a device type with this model.'),
            models.UniqueConstraint(fields=('manufacturer', 'slug'), name='dcim_devicetype_slug',
                                    violation_error_message='This manufacturer has a device type with this slug.'),
        ]

    def __str__(self):
        return self.model

    @property
    def full_name(self):
        return f'{self.manufacturer} {self.model}'

    def clean(self):
        super().clean()
        if self.u_height is not None and (self.u_height * 2) % 1:
            raise ValidationError({'u_height': 'Height must be a multiple of 0.5 rack units.'})
        if self.subdevice_role == 'child' and self.u_height:
            raise ValidationError({'u_height': 'Child device types must be 0U.'})
        if self.weight is not None and not self.weight_unit:
            raise ValidationError({'weight_unit': 'Give a unit for the weight.'})
        if self.pk and self.u_height is not None:
            from .devices import Device

            previous = DeviceType.objects.filter(pk=self.pk).values_list('u_height', 'subdevice_role').first()
            if previous and previous[1] == 'parent' and self.subdevice_role != 'parent' and \
                    self.device_bay_templates.exists():
                raise ValidationError({'subdevice_role': 'Remove the device bay templates before changing the '
                                                         'parent role.'})
            if previous and self.u_height > previous[0]:
                racked = Device.objects.filter(device_type=self, position__isnull=False).count()
                if racked:
                    raise ValidationError({'u_height': f'{racked} racked device(s) of this type would need more '
                                                       f'room; move them first.'})


class ModuleTypeProfile(PrimaryModel):
    """A kind of module (power supply, fan, line card...) with a JSON schema for its attributes."""

    name = models.CharField(max_length=100, unique=True)
    schema = models.JSONField(blank=True, null=True)

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


class ModuleType(PrimaryModel):
    """A model of field-replaceable module (line card, PSU, transceiver) and its component templates."""

    profile = models.ForeignKey(ModuleTypeProfile, on_delete=models.PROTECT, related_name='module_types',
                                blank=True, null=True)
    manufacturer = models.ForeignKey(Manufacturer, on_delete=models.PROTECT, related_name='module_types')
    model = models.CharField(max_length=100)
    part_number = models.CharField(max_length=50, blank=True)
    airflow = models.CharField(max_length=50, choices=MODULE_AIRFLOW, blank=True, null=True)
    cooling_method = models.CharField(max_length=50, choices=COOLING_METHOD, blank=True, null=True)
    weight = models.DecimalField(max_digits=8, decimal_places=2, blank=True, null=True)
    weight_unit = models.CharField(max_length=50, choices=WEIGHT_UNIT, blank=True, null=True)
    end_of_life = models.DateField(blank=True, null=True, help_text='When the manufacturer ends support')
    attributes = models.JSONField(blank=True, null=True)
    module_bay_types = models.ManyToManyField(ModuleBayType, related_name='module_types', blank=True)

    class Meta:
        ordering = ('manufacturer', 'model')
        constraints = [models.UniqueConstraint(fields=('manufacturer', 'model'), name='dcim_moduletype_model',
                                               violation_error_message='This manufacturer has this module type.')]

    def __str__(self):
        return self.model

    def clean(self):
        super().clean()
        if self.weight is not None and not self.weight_unit:
            raise ValidationError({'weight_unit': 'Give a unit for the weight.'})


class ComponentTemplate(ChangeLoggedModel):
    """Base of component templates: belongs to a device type or a module type, never both."""

    # The component model a template instantiates; set by each subclass.
    component_model_name = None
    # Fields copied from template to component besides name, label and description.
    copied_fields = ()

    device_type = models.ForeignKey(DeviceType, on_delete=models.CASCADE, related_name='%(class)ss', blank=True,
                                    null=True)
    module_type = models.ForeignKey(ModuleType, on_delete=models.CASCADE, related_name='%(class)ss', blank=True,
                                    null=True)
    name = models.CharField(max_length=64, help_text='{module} is replaced by the module bay position')
    label = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ('device_type', 'module_type', 'name')

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if bool(self.device_type_id) == bool(self.module_type_id):
            raise ValidationError({'device_type': 'A template belongs to either a device type or a module type.'})
        if self.device_type_id and MODULE_TOKEN in self.name:
            raise ValidationError({'name': f'{MODULE_TOKEN} may only be used in module type templates.'})
        owner = {'device_type_id': self.device_type_id} if self.device_type_id else \
            {'module_type_id': self.module_type_id}
        if type(self).objects.filter(name=self.name, **owner).exclude(pk=self.pk).exists():
            raise ValidationError({'name': f'A {self._meta.verbose_name} named "{self.name}" exists on this type.'})

    def resolve_name(self, module=None):
        return substitute_module_token(self.name, module)

    def resolve_label(self, module=None):
        return substitute_module_token(self.label, module)

    def owner_filter(self):
        """The lookup selecting templates of the same type as this one."""
        if self.device_type_id:
            return {'device_type_id': self.device_type_id}
        return {'module_type_id': self.module_type_id}

    def same_owner(self, other):
        return other.device_type_id == self.device_type_id and other.module_type_id == self.module_type_id

    def instantiate(self, device, module=None):
        """An unsaved component of `device` (and `module`) made from this template."""
        from django.apps import apps

        model = apps.get_model('dcim', self.component_model_name)
        values = {}
        for name in self.copied_fields:
            value = getattr(self, name)
            # Some template fields allow null where the component's field stores an empty string instead.
            if value is None and not model._meta.get_field(name).null:
                value = ''
            values[name] = value
        component = model(device=device, name=self.resolve_name(module), label=self.resolve_label(module),
                          description=self.description, **values)
        if module is not None and hasattr(model, 'module_id'):
            component.module = module
        return component


class ConsolePortTemplate(ComponentTemplate):
    """A console port every device (or module) of the type gets."""

    component_model_name = 'ConsolePort'
    copied_fields = ('type',)
    type = models.CharField(max_length=50, choices=CONSOLE_PORT_TYPE, blank=True, null=True)

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'console port template'


class ConsoleServerPortTemplate(ComponentTemplate):
    """A console server port every device (or module) of the type gets."""

    component_model_name = 'ConsoleServerPort'
    copied_fields = ('type',)
    type = models.CharField(max_length=50, choices=CONSOLE_PORT_TYPE, blank=True, null=True)

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'console server port template'


class PowerPortTemplate(ComponentTemplate):
    """A power inlet every device (or module) of the type gets."""

    component_model_name = 'PowerPort'
    copied_fields = ('type', 'maximum_draw', 'allocated_draw')
    type = models.CharField(max_length=50, choices=POWER_PORT_TYPE, blank=True, null=True)
    maximum_draw = models.PositiveIntegerField(blank=True, null=True, validators=[MinValueValidator(1)])
    allocated_draw = models.PositiveIntegerField(blank=True, null=True, validators=[MinValueValidator(1)])

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'power port template'

    def clean(self):
        super().clean()
        if self.maximum_draw and self.allocated_draw and self.allocated_draw > self.maximum_draw:
            raise ValidationError({'allocated_draw': f'Allocated draw cannot exceed the maximum draw '
                                                     f'({self.maximum_draw}W).'})


class PowerOutletTemplate(ComponentTemplate):
    """A power outlet every device (or module) of the type gets."""

    component_model_name = 'PowerOutlet'
    copied_fields = ('type', 'color', 'feed_leg')
    type = models.CharField(max_length=50, choices=POWER_OUTLET_TYPE, blank=True, null=True)
    color = models.CharField(max_length=6, blank=True)
    power_port = models.ForeignKey(PowerPortTemplate, on_delete=models.SET_NULL, related_name='poweroutlet_templates',
                                   blank=True, null=True)
    feed_leg = models.CharField(max_length=50, choices=FEED_LEG, blank=True, null=True)

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'power outlet template'

    def clean(self):
        super().clean()
        if self.power_port_id and not self.same_owner(self.power_port):
            raise ValidationError({'power_port': f'Power port template {self.power_port} belongs to another type.'})


class InterfaceTemplate(ComponentTemplate):
    """A network interface every device (or module) of the type gets."""

    component_model_name = 'Interface'
    copied_fields = ('type', 'enabled', 'mgmt_only', 'poe_mode', 'poe_type', 'rf_role', 'channels', 'channel_id')
    type = models.CharField(max_length=50, choices=INTERFACE_TYPE)
    enabled = models.BooleanField(default=True)
    mgmt_only = models.BooleanField(default=False)
    parent = models.ForeignKey('self', on_delete=models.CASCADE, related_name='child_templates', blank=True,
                               null=True)
    bridge = models.ForeignKey('self', on_delete=models.SET_NULL, related_name='bridge_interfaces', blank=True,
                               null=True)
    channels = channel_count_field()
    channel_id = channel_id_field()
    poe_mode = models.CharField(max_length=50, choices=POE_MODE, blank=True, null=True)
    poe_type = models.CharField(max_length=50, choices=POE_TYPE, blank=True, null=True)
    rf_role = models.CharField(max_length=30, choices=RF_ROLE, blank=True, null=True)

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'interface template'

    def clean(self):
        super().clean()
        if self.bridge_id:
            if self.bridge_id == self.pk:
                raise ValidationError({'bridge': 'An interface cannot be bridged to itself.'})
            if not self.same_owner(self.bridge):
                raise ValidationError({'bridge': f'Bridge interface template {self.bridge} belongs to another type.'})
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({'parent': 'An interface cannot be its own parent.'})
            if not self.same_owner(self.parent):
                raise ValidationError({'parent': f'Parent interface template {self.parent} belongs to another type.'})
        validate_channel(self)


def validate_channel(interface):
    """Channel rules shared by interfaces and their templates: a channel interface is one channel of its parent."""
    if interface.type == 'channel':
        if not interface.parent_id:
            raise ValidationError({'parent': 'A channel interface needs the parent interface it is a channel of.'})
        if interface.channel_id is None:
            raise ValidationError({'channel_id': 'Give the channel number of a channel interface.'})
        if interface.parent.channels and interface.channel_id > interface.parent.channels:
            raise ValidationError({'channel_id': f'{interface.parent} has channels 1 to {interface.parent.channels}.'})
        if interface.channels:
            raise ValidationError({'channels': 'A channel interface has no channels of its own.'})
    elif interface.channel_id is not None:
        raise ValidationError({'channel_id': 'Only channel interfaces have a channel number.'})


class PortTemplate(ComponentTemplate):
    """Shared fields of front and rear port templates."""

    copied_fields = ('type', 'color', 'positions')
    type = models.CharField(max_length=50, choices=PORT_TYPE)
    color = models.CharField(max_length=6, blank=True)
    positions = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1),
                                                                        MaxValueValidator(1024)])

    class Meta(ComponentTemplate.Meta):
        abstract = True


class RearPortTemplate(PortTemplate):
    """A rear (trunk) port of a patch panel type, with its number of positions."""

    component_model_name = 'RearPort'

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'rear port template'


class FrontPortTemplate(PortTemplate):
    """A front port of a patch panel type, mapped to positions of rear port templates."""

    component_model_name = 'FrontPort'

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'front port template'


class PortTemplateMapping(models.Model):
    """Which rear port template position a front port template position connects through."""

    front_port = models.ForeignKey(FrontPortTemplate, on_delete=models.CASCADE, related_name='mappings')
    front_port_position = models.PositiveSmallIntegerField(default=1)
    rear_port = models.ForeignKey(RearPortTemplate, on_delete=models.CASCADE, related_name='mappings')
    rear_port_position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ('front_port', 'front_port_position')
        constraints = [
            models.UniqueConstraint(fields=('front_port', 'front_port_position'), name='dcim_fpt_mapping_front'),
            models.UniqueConstraint(fields=('rear_port', 'rear_port_position'), name='dcim_fpt_mapping_rear'),
        ]

    def __str__(self):
        return f'{self.front_port}:{self.front_port_position} -> {self.rear_port}:{self.rear_port_position}'

    def clean(self):
        super().clean()
        if not self.front_port.same_owner(self.rear_port):
            raise ValidationError({'rear_port': 'Front and rear port templates must belong to the same type.'})
        if not 1 <= self.rear_port_position <= self.rear_port.positions:
            raise ValidationError({'rear_port_position': f'Rear port template {self.rear_port} has positions 1 to '
                                                         f'{self.rear_port.positions}.'})
        if not 1 <= self.front_port_position <= self.front_port.positions:
            raise ValidationError({'front_port_position': f'Front port template {self.front_port} has positions 1 '
                                                          f'to {self.front_port.positions}.'})


class ModuleBayTemplate(ComponentTemplate):
    """A slot every device (or module) of the type has for a module."""

    component_model_name = 'ModuleBay'
    copied_fields = ('position', 'enabled')
    position = models.CharField(max_length=30, blank=True, help_text='Replaces {module} in installed modules')
    enabled = models.BooleanField(default=True)
    module_bay_types = models.ManyToManyField(ModuleBayType, related_name='module_bay_templates', blank=True)

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'module bay template'

    def instantiate(self, device, module=None):
        component = super().instantiate(device, module)
        component.position = substitute_module_token(self.position, module)
        return component


class DeviceBayTemplate(ComponentTemplate):
    """A bay for a child device in every device of a parent type."""

    component_model_name = 'DeviceBay'
    copied_fields = ('enabled',)
    enabled = models.BooleanField(default=True)

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'device bay template'

    def clean(self):
        super().clean()
        if self.device_type_id and self.device_type.subdevice_role != 'parent':
            raise ValidationError({'device_type': f'Device type {self.device_type} must have the parent subdevice '
                                                  f'role to take device bays.'})


class InventoryItemTemplate(MPTTModel, ComponentTemplate):
    """An inventory item (part) every device of the type carries, optionally in a tree."""

    component_model_name = 'InventoryItem'
    copied_fields = ('role', 'manufacturer', 'part_id')
    parent = TreeForeignKey('self', on_delete=models.CASCADE, related_name='child_items', blank=True, null=True)
    role = models.ForeignKey('dcim.InventoryItemRole', on_delete=models.PROTECT,
                             related_name='inventoryitem_templates', blank=True, null=True)
    manufacturer = models.ForeignKey(Manufacturer, on_delete=models.PROTECT, related_name='inventoryitem_templates',
                                     blank=True, null=True)
    part_id = models.CharField(max_length=50, blank=True)
    component_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                       blank=True, null=True)
    component_id = models.PositiveBigIntegerField(blank=True, null=True)
    component = GenericForeignKey(ct_field='component_type', fk_field='component_id')

    objects = RestrictedTreeManager()

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'inventory item template'
        indexes = [models.Index(fields=('component_type', 'component_id'), name='dcim_invitemtemplate_component')]

    class MPTTMeta:
        order_insertion_by = ('name',)

    def clean(self):
        super().clean()
        if self.parent_id and not self.same_owner(self.parent):
            raise ValidationError({'parent': f'Parent item {self.parent} belongs to another type.'})


class CoolingIntakeTemplate(ComponentTemplate):
    """A cooling intake every device (or module) of the type gets."""

    component_model_name = 'CoolingIntake'
    copied_fields = ('type', 'diameter', 'diameter_unit', 'max_flow', 'max_flow_unit')
    type = models.CharField(max_length=50, choices=COOLING_CONNECTOR_TYPE, blank=True, null=True)
    diameter = measure_field()
    diameter_unit = models.CharField(max_length=50, choices=DIAMETER_UNIT, blank=True, null=True)
    max_flow = measure_field()
    max_flow_unit = models.CharField(max_length=50, choices=FLOW_UNIT, blank=True, null=True)

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'cooling intake template'


class CoolingOutflowTemplate(ComponentTemplate):
    """A cooling outflow every device (or module) of the type gets, optionally returning one of its intakes."""

    component_model_name = 'CoolingOutflow'
    copied_fields = ('type', 'diameter', 'diameter_unit')
    type = models.CharField(max_length=50, choices=COOLING_CONNECTOR_TYPE, blank=True, null=True)
    diameter = measure_field()
    diameter_unit = models.CharField(max_length=50, choices=DIAMETER_UNIT, blank=True, null=True)
    cooling_intake = models.ForeignKey(CoolingIntakeTemplate, on_delete=models.SET_NULL,
                                       related_name='coolingoutflow_templates', blank=True, null=True)

    class Meta(ComponentTemplate.Meta):
        verbose_name = 'cooling outflow template'

    def clean(self):
        super().clean()
        if self.cooling_intake_id and not self.same_owner(self.cooling_intake):
            raise ValidationError({'cooling_intake': f'Cooling intake template {self.cooling_intake} belongs to '
                                                     f'another type.'})
