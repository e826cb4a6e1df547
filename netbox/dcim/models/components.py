"""Device components (ports, interfaces, bays, inventory items) and the fields cables will fill."""
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from mptt.models import MPTTModel, TreeForeignKey

from netbox.bulk import deferred_checks
from netbox.models import (
    FastLoadMixin,
    GenericForeignKey,
    NetBoxModel,
    OrganizationalModel,
    RestrictedTreeManager,
    color_validator,
)

from ..choices import (
    CONSOLE_PORT_SPEED,
    CONSOLE_PORT_TYPE,
    DUPLEX,
    FEED_LEG,
    INTERFACE_MODE,
    INTERFACE_TYPE,
    MODULE_STATUS,
    POE_MODE,
    POE_TYPE,
    PORT_TYPE,
    POWER_OUTLET_STATUS,
    POWER_OUTLET_TYPE,
    POWER_PORT_TYPE,
    RF_CHANNEL,
    RF_ROLE,
)

CABLE_ENDS = (('A', 'A'), ('B', 'B'))
# Interface types that cannot take a cable.
# A channel interface is a logical part of its parent physical interface: it takes no cable of its own.
VIRTUAL_INTERFACE_TYPES = ('virtual', 'bridge', 'lag', 'channel')
WIRELESS_INTERFACE_PREFIXES = ('ieee802.11', 'ieee802.15', 'other-wireless')
CHANNEL_VALIDATORS = (MinValueValidator(1), MaxValueValidator(1024))


def channel_count_field():
    """An interface's (or interface template's) number of channels (4.7 breakout)."""
    return models.PositiveSmallIntegerField(blank=True, null=True, validators=CHANNEL_VALIDATORS,
                                            help_text='Channels a physical interface carries (e.g. breakout)')


def channel_id_field():
    """Which channel of its parent a channel interface (or template) is."""
    return models.PositiveSmallIntegerField(blank=True, null=True, validators=CHANNEL_VALIDATORS,
                                            help_text='Which channel of its parent a channel interface is')


class ComponentModel(NetBoxModel):
    """Base of device components: belongs to a device (and maybe a module), with a name unique on the device."""

    device = models.ForeignKey('dcim.Device', on_delete=models.CASCADE, related_name='%(class)ss')
    name = models.CharField(max_length=64)
    label = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')

    class Meta:
        abstract = True
        ordering = ('device', 'name')

    def __str__(self):
        return self.name

    # The object a change of this one is also listed under (see netbox.changelog).
    changelog_parent_field = 'device'

    @property
    def changelog_parent(self):
        return self.device

    def clean(self):
        super().clean()
        if not deferred_checks(self) and self.device_id and type(self).objects.filter(
                device=self.device_id, name=self.name).exclude(pk=self.pk).exists():
            raise ValidationError({'name': self._name_taken_message()})
        module = getattr(self, 'module', None)
        if module is not None and module.device_id != self.device_id:
            raise ValidationError({'module': f'Module {module} belongs to another device.'})

    def _name_taken_message(self):
        return f'{self.device} already has a {self._meta.verbose_name} named "{self.name}".'

    @classmethod
    def clean_set(cls, instances):
        """clean()'s check that a name is free on its device, for a set (netbox.bulk): one query, and no two
        objects of the set alike."""
        errors = [{} for _ in instances]
        keyed = [(index, (obj.device_id, obj.name)) for index, obj in enumerate(instances) if obj.device_id]
        if not keyed:
            return errors
        stored = {}
        rows = cls.objects.filter(device__in={key[0] for _, key in keyed}, name__in={key[1] for _, key in keyed})
        for pk, device_id, name in rows.order_by().values_list('pk', 'device_id', 'name'):
            stored.setdefault((device_id, name), set()).add(pk)
        seen = set()
        for index, key in keyed:
            if stored.get(key, set()) - {instances[index].pk} or key in seen:
                errors[index]['name'] = [instances[index]._name_taken_message()]
            seen.add(key)
        return errors


class ModularComponentModel(ComponentModel):
    """A component that may come from an installed module."""

    module = models.ForeignKey('dcim.Module', on_delete=models.CASCADE, related_name='%(class)ss', blank=True,
                               null=True)

    class Meta(ComponentModel.Meta):
        abstract = True


class CabledComponentMixin(models.Model):
    """The fields a cable fills: which cable and which end; paths come from the cable-path machinery."""

    cable = models.ForeignKey('dcim.Cable', on_delete=models.SET_NULL, related_name='+', blank=True, null=True)
    cable_end = models.CharField(max_length=1, choices=CABLE_ENDS, blank=True, null=True)
    mark_connected = models.BooleanField(default=False, help_text='Treat as if a cable is connected')

    class Meta:
        abstract = True

    @property
    def _occupied(self):
        return bool(self.mark_connected or self.cable_id)

    def clean(self):
        super().clean()
        if self.mark_connected and self.cable_id:
            raise ValidationError({'mark_connected': 'Cannot mark as connected with a cable attached.'})


class PathEndpointMixin(models.Model):
    """An endpoint of cable paths: keeps a pointer to its precomputed path."""

    _path = models.ForeignKey('dcim.CablePath', on_delete=models.SET_NULL, related_name='+', blank=True, null=True)

    class Meta:
        abstract = True

    @property
    def link_peers(self):
        if not self.cable_id:
            link = getattr(self, 'wireless_link', None) if getattr(self, 'wireless_link_id', None) else None
            if link is not None:  # a wireless interface's peer is the far end of its link
                return [link.interface_b if link.interface_a_id == self.pk else link.interface_a]
            return []
        return self.cable.b_terminations if self.cable_end == 'A' else self.cable.a_terminations

    @property
    def connected_endpoints(self):
        return self._path.destinations if self._path_id else []

    @property
    def connected_endpoint(self):
        """The first far end (NetBox's older single-endpoint name, which legacy reports use), or None."""
        endpoints = self.connected_endpoints
        return endpoints[0] if endpoints else None

    @property
    def connection_status(self):
        """None when nothing is connected, else whether the path is live (False: planned), as legacy reports
        compare it with dcim.constants.CONNECTION_STATUS_PLANNED."""
        if not self._path_id or not self.connected_endpoints:
            return None
        return bool(self._path.is_active)


class ConsolePort(PathEndpointMixin, CabledComponentMixin, ModularComponentModel):
    """A console (serial management) port of a device."""

    type = models.CharField(max_length=50, choices=CONSOLE_PORT_TYPE, blank=True, null=True)
    speed = models.PositiveIntegerField(choices=[(int(v), label) for v, label in CONSOLE_PORT_SPEED], blank=True,
                                        null=True)

    class Meta(ModularComponentModel.Meta):
        verbose_name = 'console port'


class ConsoleServerPort(PathEndpointMixin, CabledComponentMixin, ModularComponentModel):
    """A port of a console server that console ports connect to."""

    type = models.CharField(max_length=50, choices=CONSOLE_PORT_TYPE, blank=True, null=True)
    speed = models.PositiveIntegerField(choices=[(int(v), label) for v, label in CONSOLE_PORT_SPEED], blank=True,
                                        null=True)

    class Meta(ModularComponentModel.Meta):
        verbose_name = 'console server port'


class PowerPort(PathEndpointMixin, CabledComponentMixin, ModularComponentModel):
    """A power inlet of a device, with its maximum and allocated draw in watts."""

    type = models.CharField(max_length=50, choices=POWER_PORT_TYPE, blank=True, null=True)
    maximum_draw = models.PositiveIntegerField(blank=True, null=True, validators=[MinValueValidator(1)])
    allocated_draw = models.PositiveIntegerField(blank=True, null=True, validators=[MinValueValidator(1)])

    class Meta(ModularComponentModel.Meta):
        verbose_name = 'power port'

    def clean(self):
        super().clean()
        if self.maximum_draw and self.allocated_draw and self.allocated_draw > self.maximum_draw:
            raise ValidationError({'allocated_draw': f'Allocated draw cannot exceed the maximum draw '
                                                     f'({self.maximum_draw}W).'})


class PowerOutlet(PathEndpointMixin, CabledComponentMixin, ModularComponentModel):
    """A power outlet of a device (a PDU), fed by one of its power ports."""

    type = models.CharField(max_length=50, choices=POWER_OUTLET_TYPE, blank=True, null=True)
    status = models.CharField(max_length=50, choices=POWER_OUTLET_STATUS, default='enabled')
    color = models.CharField(max_length=6, blank=True, validators=[color_validator])
    power_port = models.ForeignKey(PowerPort, on_delete=models.SET_NULL, related_name='poweroutlets', blank=True,
                                   null=True)
    feed_leg = models.CharField(max_length=50, choices=FEED_LEG, blank=True, null=True)

    class Meta(ModularComponentModel.Meta):
        verbose_name = 'power outlet'

    def clean(self):
        super().clean()
        if self.power_port_id and self.power_port.device_id != self.device_id:
            raise ValidationError({'power_port': f'Power port {self.power_port} belongs to another device.'})


class InterfaceVLANRules:
    """The VLAN rules of device and VM interfaces: the mode decides which VLANs may be set, and each must be
    available where the interface's device (or virtual machine, `vlan_host_field`) is."""

    vlan_host_field = 'device'

    def vlan_host_label(self):
        host = getattr(self, self.vlan_host_field)
        kind = 'device' if self.vlan_host_field == 'device' else 'virtual machine'
        return f'{kind} {host}'

    def unavailable_vlans(self, vlans):
        """Those of `vlans` (VLAN objects) that this interface's device (or VM) cannot carry (ipam.vlan_filters)."""
        from ipam.vlan_filters import vlans_available_on

        ids = {vlan.pk for vlan in vlans if vlan is not None}
        host = getattr(self, self.vlan_host_field) if getattr(self, f'{self.vlan_host_field}_id') else None
        if not ids or host is None:
            return []
        available = set(vlans_available_on(host).filter(pk__in=ids).values_list('pk', flat=True))
        return [vlan for vlan in vlans if vlan is not None and vlan.pk not in available]

    def vlan_errors(self, tagged_vlans=None):
        """{field: message} for the interface's VLANs; `tagged_vlans` are the ones about to be set, if any."""
        errors = {}
        if self.untagged_vlan_id and self.unavailable_vlans([self.untagged_vlan]):
            errors['untagged_vlan'] = (f'VLAN {self.untagged_vlan} is not available on {self.vlan_host_label()}: it '
                                       'must be global, at its site or in a VLAN group covering it.')
        if self.qinq_svlan_id:
            if self.mode != 'q-in-q':
                errors['qinq_svlan'] = 'Only an interface in Q-in-Q mode can have a service VLAN.'
            elif self.qinq_svlan.qinq_role != 'svlan':
                errors['qinq_svlan'] = f'{self.qinq_svlan} is not a service VLAN (Q-in-Q role svlan).'
            elif self.unavailable_vlans([self.qinq_svlan]):
                errors['qinq_svlan'] = f'VLAN {self.qinq_svlan} is not available on {self.vlan_host_label()}.'
        if tagged_vlans:
            if self.mode != 'tagged':
                errors['tagged_vlans'] = (f'Tagged VLANs need the interface in tagged mode (mode is '
                                          f'"{self.mode or "none"}").')
            else:
                unavailable = self.unavailable_vlans(list(tagged_vlans))
                if unavailable:
                    names = ', '.join(str(vlan) for vlan in unavailable)
                    errors['tagged_vlans'] = f'Not available on {self.vlan_host_label()}: {names}.'
        return errors


class Interface(InterfaceVLANRules, PathEndpointMixin, CabledComponentMixin, ModularComponentModel):
    """A network interface: physical, virtual, LAG or wireless."""

    vdcs = models.ManyToManyField('dcim.VirtualDeviceContext', related_name='interfaces', blank=True)
    type = models.CharField(max_length=50, choices=INTERFACE_TYPE)
    enabled = models.BooleanField(default=True)
    parent = models.ForeignKey('self', on_delete=models.RESTRICT, related_name='child_interfaces', blank=True,
                               null=True)
    bridge = models.ForeignKey('self', on_delete=models.SET_NULL, related_name='bridge_interfaces', blank=True,
                               null=True)
    lag = models.ForeignKey('self', on_delete=models.SET_NULL, related_name='member_interfaces', blank=True,
                            null=True, limit_choices_to={'type': 'lag'})
    mtu = models.PositiveIntegerField(blank=True, null=True, validators=[MinValueValidator(1),
                                                                        MaxValueValidator(65536)])
    primary_mac_address = models.OneToOneField('dcim.MACAddress', on_delete=models.SET_NULL, related_name='+',
                                               blank=True, null=True)
    speed = models.PositiveBigIntegerField(blank=True, null=True, help_text='Kbps')
    duplex = models.CharField(max_length=50, choices=DUPLEX, blank=True, null=True)
    wwn = models.CharField(max_length=23, blank=True, null=True)
    mgmt_only = models.BooleanField(default=False)
    mode = models.CharField(max_length=50, choices=INTERFACE_MODE, blank=True)
    rf_role = models.CharField(max_length=30, choices=RF_ROLE, blank=True)
    rf_channel = models.CharField(max_length=50, choices=RF_CHANNEL, blank=True)
    rf_channel_frequency = models.DecimalField(max_digits=7, decimal_places=2, blank=True, null=True)
    rf_channel_width = models.DecimalField(max_digits=7, decimal_places=3, blank=True, null=True)
    tx_power = models.SmallIntegerField(blank=True, null=True, validators=[MinValueValidator(-40),
                                                                           MaxValueValidator(127)])
    poe_mode = models.CharField(max_length=50, choices=POE_MODE, blank=True)
    poe_type = models.CharField(max_length=50, choices=POE_TYPE, blank=True)
    channels = channel_count_field()
    wireless_link = models.ForeignKey('wireless.WirelessLink', on_delete=models.SET_NULL, related_name='+',
                                      blank=True, null=True)
    wireless_lans = models.ManyToManyField('wireless.WirelessLAN', related_name='interfaces', blank=True,
                                           verbose_name='wireless LANs')
    l2vpn_terminations = GenericRelation('vpn.L2VPNTermination', content_type_field='assigned_object_type',
                                         object_id_field='assigned_object_id', related_query_name='interface')
    tunnel_terminations = GenericRelation('vpn.TunnelTermination', content_type_field='termination_type',
                                          object_id_field='termination_id', related_query_name='interface')
    channel_id = channel_id_field()
    untagged_vlan = models.ForeignKey('ipam.VLAN', on_delete=models.SET_NULL, related_name='interfaces_as_untagged',
                                      blank=True, null=True, verbose_name='untagged VLAN')
    tagged_vlans = models.ManyToManyField('ipam.VLAN', related_name='interfaces_as_tagged', blank=True,
                                          verbose_name='tagged VLANs')
    qinq_svlan = models.ForeignKey('ipam.VLAN', on_delete=models.SET_NULL, related_name='interfaces_svlan',
                                   blank=True, null=True, verbose_name='Q-in-Q SVLAN')
    vlan_translation_policy = models.ForeignKey('ipam.VLANTranslationPolicy', on_delete=models.PROTECT,
                                                related_name='interfaces', blank=True, null=True)
    vrf = models.ForeignKey('ipam.VRF', on_delete=models.SET_NULL, related_name='interfaces', blank=True, null=True,
                            verbose_name='VRF')
    ip_addresses = GenericRelation('ipam.IPAddress', content_type_field='assigned_object_type',
                                   object_id_field='assigned_object_id', related_query_name='interface')
    # The MAC addresses assigned to the interface (one of them may be its primary one).
    mac_addresses = GenericRelation('dcim.MACAddress', content_type_field='assigned_object_type',
                                    object_id_field='assigned_object_id', related_query_name='interface')
    fhrp_group_assignments = GenericRelation('ipam.FHRPGroupAssignment', content_type_field='interface_type',
                                             object_id_field='interface_id', related_query_name='+')

    # Its receivers (dcim.signals) have set-wise forms: see before_set_save and after_set_save.
    set_wise_save = True

    class Meta(ModularComponentModel.Meta):
        verbose_name = 'interface'

    @classmethod
    def before_set_save(cls, instances, created):
        from ..signals import interfaces_before_save

        interfaces_before_save(instances)

    @classmethod
    def after_set_save(cls, instances, created):
        from ..signals import interfaces_after_save

        interfaces_after_save(instances, created)

    @property
    def is_virtual(self):
        return self.type in VIRTUAL_INTERFACE_TYPES

    @property
    def is_wireless(self):
        return self.type.startswith(WIRELESS_INTERFACE_PREFIXES) or self.type in ('gsm', 'cdma', 'lte', '4g', '5g')

    @property
    def is_lag(self):
        return self.type == 'lag'

    @property
    def mac_address(self):
        return self.primary_mac_address.mac_address if self.primary_mac_address_id else None

    def clean(self):
        super().clean()
        errors = {}
        if self.parent_id:
            if self.parent_id == self.pk:
                errors['parent'] = 'An interface cannot be its own parent.'
            elif self.parent.device_id != self.device_id:
                errors['parent'] = f'Parent interface {self.parent} belongs to another device.'
        if self.bridge_id:
            if self.bridge_id == self.pk:
                errors['bridge'] = 'An interface cannot be bridged to itself.'
            elif self.bridge.device_id != self.device_id:
                errors['bridge'] = f'Bridge interface {self.bridge} belongs to another device.'
        if self.lag_id:
            if self.lag_id == self.pk:
                errors['lag'] = 'A LAG cannot be a member of itself.'
            elif self.lag.type != 'lag':
                errors['lag'] = f'{self.lag} is not a LAG interface.'
            elif self.lag.device_id != self.device_id and not (
                    self.device.virtual_chassis_id and self.lag.device.virtual_chassis_id ==
                    self.device.virtual_chassis_id):
                errors['lag'] = f'LAG {self.lag} belongs to another device.'
        if self.is_virtual and self.cable_id:
            errors['type'] = f'{self.get_type_display()} interfaces cannot be cabled.'
        if self.is_virtual and self.lag_id:
            errors['lag'] = 'Virtual interfaces cannot be LAG members.'
        if (self.rf_role or self.rf_channel) and not self.is_wireless:
            errors['rf_role'] = 'Wireless settings are only allowed on wireless interfaces.'
        if self.poe_type and not self.poe_mode:
            errors['poe_type'] = 'Give a PoE mode along with the PoE type.'
        errors.update(self.vlan_errors())
        if errors:
            raise ValidationError(errors)
        from .device_types import validate_channel

        validate_channel(self)
        if self.type == 'channel' and self.parent_id and type(self).objects.filter(
                parent=self.parent_id, type='channel', channel_id=self.channel_id).exclude(pk=self.pk).exists():
            raise ValidationError({'channel_id': f'Channel {self.channel_id} of {self.parent} is taken.'})


class PortModel(CabledComponentMixin, ModularComponentModel):
    """Shared fields of front and rear ports."""

    type = models.CharField(max_length=50, choices=PORT_TYPE)
    color = models.CharField(max_length=6, blank=True, validators=[color_validator])
    positions = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1),
                                                                        MaxValueValidator(1024)])

    class Meta(ModularComponentModel.Meta):
        abstract = True


class RearPort(PortModel):
    """A rear (trunk) port of a patch panel; its positions pass through to front ports."""

    class Meta(ModularComponentModel.Meta):
        verbose_name = 'rear port'


class FrontPort(PortModel):
    """A front port of a patch panel, mapped to positions of rear ports."""

    class Meta(ModularComponentModel.Meta):
        verbose_name = 'front port'


class PortMapping(FastLoadMixin, models.Model):
    """Which rear port position a front port position passes through."""

    front_port = models.ForeignKey(FrontPort, on_delete=models.CASCADE, related_name='mappings')
    front_port_position = models.PositiveSmallIntegerField(default=1)
    rear_port = models.ForeignKey(RearPort, on_delete=models.CASCADE, related_name='mappings')
    rear_port_position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ('front_port', 'front_port_position')
        constraints = [
            models.UniqueConstraint(fields=('front_port', 'front_port_position'), name='dcim_port_mapping_front'),
            models.UniqueConstraint(fields=('rear_port', 'rear_port_position'), name='dcim_port_mapping_rear'),
        ]

    def __str__(self):
        return f'{self.front_port}:{self.front_port_position} -> {self.rear_port}:{self.rear_port_position}'

    def clean(self):
        super().clean()
        if self.front_port.device_id != self.rear_port.device_id:
            raise ValidationError({'rear_port': 'Front and rear ports must belong to the same device.'})
        if not 1 <= self.rear_port_position <= self.rear_port.positions:
            raise ValidationError({'rear_port_position': f'Rear port {self.rear_port} has positions 1 to '
                                                         f'{self.rear_port.positions}.'})
        if not 1 <= self.front_port_position <= self.front_port.positions:
            raise ValidationError({'front_port_position': f'Front port {self.front_port} has positions 1 to '
                                                          f'{self.front_port.positions}.'})


class ModuleBay(ModularComponentModel):
    """A slot of a device (or module) that takes a module."""

    position = models.CharField(max_length=30, blank=True, help_text='Replaces {module} in installed modules')
    enabled = models.BooleanField(default=True)
    module_bay_types = models.ManyToManyField('dcim.ModuleBayType', related_name='module_bays', blank=True)

    class Meta(ModularComponentModel.Meta):
        verbose_name = 'module bay'

    @property
    def _occupied(self):
        return hasattr(self, 'installed_module')

    @property
    def is_module_compatible(self):
        """Whether the installed module's type fits this bay's module bay types (true when nothing is installed)."""
        from .device_types import bay_types_compatible

        module = getattr(self, 'installed_module', None)
        if module is None:
            return True
        return bay_types_compatible(_type_ids(self), _type_ids(module.module_type))


def _type_ids(obj):
    """The module bay type IDs of a bay or module type, from a prefetch when there is one."""
    if not obj.pk:
        return []
    return [bay_type.pk for bay_type in obj.module_bay_types.all()]


class DeviceBay(ComponentModel):
    """A bay of a parent device that holds one child device."""

    enabled = models.BooleanField(default=True)
    installed_device = models.OneToOneField('dcim.Device', on_delete=models.SET_NULL, related_name='parent_bay',
                                            blank=True, null=True)

    class Meta(ComponentModel.Meta):
        verbose_name = 'device bay'

    @property
    def _occupied(self):
        return self.installed_device_id is not None

    def clean(self):
        super().clean()
        if self.device_id and self.device.device_type.subdevice_role != 'parent':
            raise ValidationError({'device': f'Device type of {self.device} is not a parent type; it cannot have '
                                             f'device bays.'})
        child = self.installed_device
        if child is not None:
            if child.pk == self.device_id:
                raise ValidationError({'installed_device': 'A device cannot be installed in itself.'})
            if child.device_type.subdevice_role != 'child':
                raise ValidationError({'installed_device': f'{child} is not of a child device type.'})
            taken = DeviceBay.objects.filter(installed_device=child).exclude(pk=self.pk).first()
            if taken is not None:
                raise ValidationError({'installed_device': f'{child} is already installed in {taken.device} '
                                                           f'({taken}).'})


class InventoryItemRole(OrganizationalModel):
    """The kind of an inventory item (transceiver, fan, disk...), with a colour."""

    color = models.CharField(max_length=6, default='9e9e9e', validators=[color_validator])


class InventoryItem(MPTTModel, ComponentModel):
    """A part inside a device (optic, disk, fan), optionally nested and tied to a component."""

    parent = TreeForeignKey('self', on_delete=models.CASCADE, related_name='child_items', blank=True, null=True)
    status = models.CharField(max_length=50, choices=MODULE_STATUS, default='active')
    role = models.ForeignKey(InventoryItemRole, on_delete=models.PROTECT, related_name='inventory_items', blank=True,
                             null=True)
    manufacturer = models.ForeignKey('dcim.Manufacturer', on_delete=models.PROTECT, related_name='inventory_items',
                                     blank=True, null=True)
    part_id = models.CharField(max_length=50, blank=True)
    serial = models.CharField(max_length=50, blank=True)
    asset_tag = models.CharField(max_length=50, blank=True, null=True, unique=True)
    discovered = models.BooleanField(default=False)
    component_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                       blank=True, null=True)
    component_id = models.PositiveBigIntegerField(blank=True, null=True)
    component = GenericForeignKey(ct_field='component_type', fk_field='component_id')

    objects = RestrictedTreeManager()

    class Meta(ComponentModel.Meta):
        verbose_name = 'inventory item'
        indexes = [models.Index(fields=('component_type', 'component_id'), name='dcim_inventoryitem_component')]

    class MPTTMeta:
        order_insertion_by = ('name',)

    def clean(self):
        super().clean()
        if self.parent_id and self.parent.device_id != self.device_id:
            raise ValidationError({'parent': f'Parent item {self.parent} belongs to another device.'})
