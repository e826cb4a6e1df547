"""Devices and what organises them: roles, platforms, virtual chassis, contexts, modules and MAC addresses."""
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from mptt.models import TreeForeignKey

from netbox.models import GenericForeignKey, NestedGroupModel, PrimaryModel, RestrictedQuerySet, color_validator
from tenancy.models import ContactsMixin

from ..choices import COOLING_METHOD, DEVICE_AIRFLOW, DEVICE_STATUS, MODULE_STATUS, RACK_FACE, VDC_STATUS


class DeviceRole(NestedGroupModel):
    """The function a device performs (core switch, server, PDU...), with a display colour."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    color = models.CharField(max_length=6, default='9e9e9e', validators=[color_validator])
    vm_role = models.BooleanField(default=True, help_text='Virtual machines may take this role')
    config_template = models.ForeignKey('extras.ConfigTemplate', on_delete=models.PROTECT, related_name='device_roles',
                                        blank=True, null=True)

    class Meta:
        ordering = ('tree_id', 'lft')


class Platform(NestedGroupModel):
    """The software a device runs (an OS and version family), optionally tied to a manufacturer."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    parent = TreeForeignKey('self', on_delete=models.CASCADE, related_name='children', blank=True, null=True)
    manufacturer = models.ForeignKey('dcim.Manufacturer', on_delete=models.PROTECT, related_name='platforms',
                                     blank=True, null=True)
    config_template = models.ForeignKey('extras.ConfigTemplate', on_delete=models.PROTECT, related_name='platforms',
                                        blank=True, null=True)

    class Meta:
        ordering = ('tree_id', 'lft')


STORED_CONTEXT_FIELDS = ('config_context_data', 'config_context_token')


class StoredContextDeferringManager(models.Manager.from_queryset(RestrictedQuerySet)):
    def get_queryset(self):
        return super().get_queryset().defer(*STORED_CONTEXT_FIELDS)


class RendersConfigMixin(models.Model):
    """An object rendered by a configuration template (devices, virtual machines), with its configuration context
    stored pre-rendered (see extras.configcontexts): `config_context_data` is NULL while stale, and
    `config_context_token` changes with every change that makes it stale, so a render that read an older state
    never overwrites a newer one."""

    config_context_data = models.JSONField(blank=True, null=True, editable=False)
    config_context_token = models.UUIDField(default=uuid.uuid4, editable=False)

    # Never loaded with the rows (the merge is read on its own, when shown), so never written back by a save().
    objects = StoredContextDeferringManager()

    class Meta:
        abstract = True

    def get_config_template(self):
        """The configuration template that renders this object: its own, else its role's, else its platform's."""
        if self.config_template_id:
            return self.config_template
        if self.role_id and self.role.config_template_id:
            return self.role.config_template
        if self.platform_id and self.platform.config_template_id:
            return self.platform.config_template
        return None

    def get_config_context(self):
        """The object's rendered configuration context: matching contexts merged by weight, local data last."""
        from extras.configcontexts import config_context_for

        return config_context_for(self)


class Device(RendersConfigMixin, ContactsMixin, PrimaryModel):
    """A piece of hardware: where it is installed and what it is."""

    name = models.CharField(max_length=64, blank=True, null=True)
    device_type = models.ForeignKey('dcim.DeviceType', on_delete=models.PROTECT, related_name='instances')
    role = models.ForeignKey(DeviceRole, on_delete=models.PROTECT, related_name='devices')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='devices', blank=True,
                               null=True)
    platform = models.ForeignKey(Platform, on_delete=models.SET_NULL, related_name='devices', blank=True, null=True)
    serial = models.CharField(max_length=50, blank=True)
    asset_tag = models.CharField(max_length=50, blank=True, null=True, unique=True)
    site = models.ForeignKey('dcim.Site', on_delete=models.PROTECT, related_name='devices')
    location = models.ForeignKey('dcim.Location', on_delete=models.PROTECT, related_name='devices', blank=True,
                                 null=True)
    rack = models.ForeignKey('dcim.Rack', on_delete=models.PROTECT, related_name='devices', blank=True, null=True)
    position = models.DecimalField(max_digits=4, decimal_places=1, blank=True, null=True,
                                   validators=[MinValueValidator(Decimal('0.5')), MaxValueValidator(1000)])
    face = models.CharField(max_length=50, choices=RACK_FACE, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=6, blank=True, null=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, blank=True, null=True)
    status = models.CharField(max_length=50, choices=DEVICE_STATUS, default='active')
    airflow = models.CharField(max_length=50, choices=DEVICE_AIRFLOW, blank=True, null=True)
    cooling_method = models.CharField(max_length=50, choices=COOLING_METHOD, blank=True, null=True)
    virtual_chassis = models.ForeignKey('dcim.VirtualChassis', on_delete=models.SET_NULL, related_name='members',
                                        blank=True, null=True)
    vc_position = models.PositiveSmallIntegerField(blank=True, null=True, validators=[MaxValueValidator(255)])
    vc_priority = models.PositiveSmallIntegerField(blank=True, null=True, validators=[MaxValueValidator(255)])
    local_context_data = models.JSONField(blank=True, null=True)
    cluster = models.ForeignKey('virtualization.Cluster', on_delete=models.SET_NULL, related_name='devices',
                                blank=True, null=True)
    config_template = models.ForeignKey('extras.ConfigTemplate', on_delete=models.PROTECT, related_name='devices',
                                        blank=True, null=True)
    primary_ip4 = models.OneToOneField('ipam.IPAddress', on_delete=models.SET_NULL, related_name='+', blank=True,
                                       null=True, verbose_name='primary IPv4')
    primary_ip6 = models.OneToOneField('ipam.IPAddress', on_delete=models.SET_NULL, related_name='+', blank=True,
                                       null=True, verbose_name='primary IPv6')
    oob_ip = models.OneToOneField('ipam.IPAddress', on_delete=models.SET_NULL, related_name='+', blank=True,
                                  null=True, verbose_name='out-of-band IP')

    class Meta:
        ordering = ('name', 'pk')
        constraints = [
            models.UniqueConstraint(models.functions.Lower('name'), 'site', 'tenant', name='dcim_device_unique_name',
                                    violation_error_message='Device name must be unique per site and tenant.'),
            models.UniqueConstraint(models.functions.Lower('name'), 'site', condition=Q(tenant__isnull=True),
                                    name='dcim_device_unique_name_no_tenant',
                                    violation_error_message='Device name must be unique per site.'),
            models.UniqueConstraint(fields=('rack', 'position', 'face'), name='dcim_device_unique_rack_position',
                                    violation_error_message='A device already occupies this position.'),
            models.UniqueConstraint(fields=('virtual_chassis', 'vc_position'), name='dcim_device_unique_vc_position',
                                    violation_error_message='This virtual chassis position is taken.'),
        ]

    def __str__(self):
        if self.name:
            return self.name
        if self.virtual_chassis_id and self.vc_position is not None:
            return f'{self.virtual_chassis.name}:{self.vc_position}'
        # Cheap on purpose: nested device representations must not need extra queries.
        return f'Unnamed device ({self.pk})'

    @property
    def parent_device(self):
        bay = getattr(self, 'parent_bay', None)
        return bay.device if bay is not None else None

    @property
    def primary_ip(self):
        from ..addressing import preferred_primary_ip

        return preferred_primary_ip(self)

    def clean(self):
        super().clean()
        from ..addressing import address_errors
        from ..placement import validate_device_placement

        validate_device_placement(self)
        errors = address_errors(self, self)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        creating = self._state.adding
        if creating and self.device_type_id and not self.airflow:
            self.airflow = self.device_type.airflow
        if creating and self.device_type_id and not self.cooling_method:
            self.cooling_method = self.device_type.cooling_method
        if creating and self.device_type_id and not self.platform_id:
            self.platform_id = self.device_type.default_platform_id
        if self.rack_id and not self.location_id:
            # A racked device is where its rack is.
            self.location_id = self.rack.location_id
        # The device and the components of its type are saved together or not at all, from any caller.
        with transaction.atomic():
            super().save(*args, **kwargs)
            if creating:
                from ..components import create_components_from_templates

                create_components_from_templates(self)
        # Child devices follow their parent's site, location and rack.
        self.children_in_bays().update(site=self.site, location=self.location, rack=self.rack)

    def children_in_bays(self):
        return Device.objects.filter(parent_bay__device=self)


class VirtualChassis(PrimaryModel):
    """Several devices managed as one (a switch stack), with a master."""

    name = models.CharField(max_length=64)
    domain = models.CharField(max_length=30, blank=True)
    master = models.OneToOneField(Device, on_delete=models.PROTECT, related_name='vc_master_for', blank=True,
                                  null=True)

    class Meta:
        ordering = ('name',)
        verbose_name_plural = 'virtual chassis'

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        created = self._state.adding
        super().save(*args, **kwargs)
        # A chassis created with a master takes it as its first member, as NetBox does; a later edit must find it
        # a member.
        if created and self.master_id and self.master.virtual_chassis_id is None:
            self.master.virtual_chassis = self
            if self.master.vc_position is None:
                self.master.vc_position = 1
            self.master.save()

    def clean(self):
        super().clean()
        if self.pk and self.master_id and self.master.virtual_chassis_id != self.pk:
            raise ValidationError({'master': f'{self.master} is not a member of this virtual chassis.'})


class VirtualDeviceContext(PrimaryModel):
    """A logical partition of a device (VDC, VSYS, logical system)."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name='vdcs')
    name = models.CharField(max_length=64)
    status = models.CharField(max_length=50, choices=VDC_STATUS, default='active')
    identifier = models.PositiveSmallIntegerField(blank=True, null=True)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='vdcs', blank=True, null=True)
    primary_ip4 = models.OneToOneField('ipam.IPAddress', on_delete=models.SET_NULL, related_name='+', blank=True,
                                       null=True, verbose_name='primary IPv4')
    primary_ip6 = models.OneToOneField('ipam.IPAddress', on_delete=models.SET_NULL, related_name='+', blank=True,
                                       null=True, verbose_name='primary IPv6')

    class Meta:
        ordering = ('name',)
        constraints = [
            models.UniqueConstraint(fields=('device', 'identifier'), name='dcim_vdc_device_identifier',
                                    violation_error_message='This device has a context with this identifier.'),
            models.UniqueConstraint(fields=('device', 'name'), name='dcim_vdc_device_name',
                                    violation_error_message='This device has a context with this name.'),
        ]

    def __str__(self):
        return self.name

    @property
    def primary_ip(self):
        from ..addressing import preferred_primary_ip

        return preferred_primary_ip(self)

    def clean(self):
        super().clean()
        from ..addressing import address_errors

        # A context's addresses are those of its device's interfaces, without NAT (as NetBox has it).
        errors = address_errors(self, self.device if self.device_id else None, allow_nat=False)
        if errors:
            raise ValidationError(errors)


class Module(PrimaryModel):
    """A module installed in a device's module bay; installing it creates its components."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name='modules')
    module_bay = models.OneToOneField('dcim.ModuleBay', on_delete=models.CASCADE, related_name='installed_module')
    module_type = models.ForeignKey('dcim.ModuleType', on_delete=models.PROTECT, related_name='instances')
    status = models.CharField(max_length=50, choices=MODULE_STATUS, default='active')
    serial = models.CharField(max_length=50, blank=True)
    asset_tag = models.CharField(max_length=50, blank=True, null=True, unique=True)

    class Meta:
        ordering = ('module_bay',)

    def __str__(self):
        return f'{self.module_bay.name}: {self.module_type} ({self.pk})' if self.module_bay_id else \
            f'Module {self.pk}'

    @property
    def is_bay_compatible(self):
        """Whether this module's type fits the module bay types of the bay it is installed in."""
        from .components import _type_ids
        from .device_types import bay_types_compatible

        if not self.module_bay_id or not self.module_type_id:
            return True
        return bay_types_compatible(_type_ids(self.module_bay), _type_ids(self.module_type))

    def _stored(self):
        """(module bay ID, device ID) as saved, or None for a new module."""
        if not self.pk:
            return None
        return Module.objects.filter(pk=self.pk).values_list('module_bay_id', 'device_id').first()

    def clean(self):
        super().clean()
        stored = self._stored()
        moved = stored is not None and self.module_bay_id and stored[0] != self.module_bay_id
        if moved and self.device_id == stored[1]:
            # Moving to a bay is enough: the module (and everything in it) goes to the bay's device.
            self.device_id = self.module_bay.device_id
        if self.module_bay_id and self.device_id and self.module_bay.device_id != self.device_id:
            raise ValidationError({'module_bay': f'Module bay {self.module_bay} belongs to another device.'})
        if not self.module_bay_id:
            return
        if moved:
            if hasattr(self.module_bay, 'installed_module') and self.module_bay.installed_module.pk != self.pk:
                raise ValidationError({'module_bay': f'Module bay {self.module_bay} is occupied.'})
            if self.module_bay.module_id and self.module_bay.module_id in self.subtree_ids():
                raise ValidationError({'module_bay': 'A module cannot be moved into a bay of itself or of a module '
                                                     'it holds.'})
            if self.device_id != stored[1]:
                from ..components import module_move_clashes

                problems = module_move_clashes(self, self.module_bay.device)
                if problems:
                    raise ValidationError({'module_bay': problems})
        if self.module_type_id and not self.is_bay_compatible:
            bay_types = ', '.join(str(t) for t in self.module_bay.module_bay_types.all())
            raise ValidationError({'module_bay': f'Module type {self.module_type} does not fit module bay '
                                                 f'{self.module_bay}, which takes {bay_types}.'})

    def subtree_ids(self):
        """IDs of this module and of every module installed, at any depth, in its bays."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(Module.objects.filter(module_bay__module__in=frontier).exclude(pk__in=ids)
                            .values_list('pk', flat=True))
            ids.update(frontier)
        return ids

    def save(self, *args, **kwargs):
        creating = self._state.adding
        stored = None if creating else self._stored()
        if stored is not None and self.module_bay_id and stored[0] != self.module_bay_id:
            self.device_id = _bay_device_id(self.module_bay_id)
        with transaction.atomic():
            super().save(*args, **kwargs)
            if creating:
                from ..components import create_components_from_templates

                create_components_from_templates(self.device, module=self)
            elif stored is not None and stored[1] != self.device_id:
                from ..components import move_module_contents

                move_module_contents(self, self.device)


def _bay_device_id(bay_id):
    from .components import ModuleBay

    return ModuleBay.objects.filter(pk=bay_id).values_list('device_id', flat=True).first()


class MACAddress(PrimaryModel):
    """A MAC address, optionally assigned to an interface."""

    mac_address = models.CharField(max_length=17)
    assigned_object_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                             blank=True, null=True)
    assigned_object_id = models.PositiveBigIntegerField(blank=True, null=True)
    assigned_object = GenericForeignKey(ct_field='assigned_object_type', fk_field='assigned_object_id')

    class Meta:
        ordering = ('mac_address', 'pk')
        verbose_name = 'MAC address'
        verbose_name_plural = 'MAC addresses'
        indexes = [models.Index(fields=('assigned_object_type', 'assigned_object_id'), name='dcim_macaddress_assigned')]

    def __str__(self):
        return self.mac_address

    @property
    def is_primary(self):
        """Whether the interface it is assigned to uses it as its primary MAC address."""
        cached = getattr(self, '_is_primary', None)
        if cached is not None:
            return cached
        from virtualization.models import VMInterface

        from .components import Interface

        return bool(self.pk) and (Interface.objects.filter(primary_mac_address=self.pk).exists() or
                                  VMInterface.objects.filter(primary_mac_address=self.pk).exists())

    def clean(self):
        super().clean()
        import netaddr

        try:
            self.mac_address = str(netaddr.EUI(self.mac_address, dialect=netaddr.mac_unix_expanded)).upper()
        except (netaddr.AddrFormatError, TypeError, ValueError):
            raise ValidationError({'mac_address': f'"{self.mac_address}" is not a valid MAC address.'})
