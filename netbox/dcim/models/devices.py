"""Devices and what organises them: roles, platforms, virtual chassis, contexts, modules and MAC addresses."""
from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from mptt.models import TreeForeignKey

from netbox.models import NestedGroupModel, PrimaryModel, color_validator
from tenancy.models import ContactsMixin

from ..choices import DEVICE_AIRFLOW, DEVICE_STATUS, MODULE_STATUS, RACK_FACE, VDC_STATUS


class DeviceRole(NestedGroupModel):
    """The function a device performs (core switch, server, PDU...), with a display colour."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    color = models.CharField(max_length=6, default='9e9e9e', validators=[color_validator])
    vm_role = models.BooleanField(default=True, help_text='Virtual machines may take this role')

    class Meta:
        ordering = ('tree_id', 'lft')


class Platform(NestedGroupModel):
    """The software a device runs (an OS and version family), optionally tied to a manufacturer."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    parent = TreeForeignKey('self', on_delete=models.CASCADE, related_name='children', blank=True, null=True)
    manufacturer = models.ForeignKey('dcim.Manufacturer', on_delete=models.PROTECT, related_name='platforms',
                                     blank=True, null=True)

    class Meta:
        ordering = ('tree_id', 'lft')


class Device(ContactsMixin, PrimaryModel):
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
    virtual_chassis = models.ForeignKey('dcim.VirtualChassis', on_delete=models.SET_NULL, related_name='members',
                                        blank=True, null=True)
    vc_position = models.PositiveSmallIntegerField(blank=True, null=True, validators=[MaxValueValidator(255)])
    vc_priority = models.PositiveSmallIntegerField(blank=True, null=True, validators=[MaxValueValidator(255)])
    local_context_data = models.JSONField(blank=True, null=True)

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

    def clean(self):
        super().clean()
        from ..placement import validate_device_placement

        validate_device_placement(self)

    def save(self, *args, **kwargs):
        creating = self._state.adding
        if creating and self.device_type_id and not self.airflow:
            self.airflow = self.device_type.airflow
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

    def clean(self):
        super().clean()
        if self.module_bay_id and self.device_id and self.module_bay.device_id != self.device_id:
            raise ValidationError({'module_bay': f'Module bay {self.module_bay} belongs to another device.'})

    def save(self, *args, **kwargs):
        creating = self._state.adding
        with transaction.atomic():
            super().save(*args, **kwargs)
            if creating:
                from ..components import create_components_from_templates

                create_components_from_templates(self.device, module=self)


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

    def __str__(self):
        return self.mac_address

    def clean(self):
        super().clean()
        import netaddr

        try:
            self.mac_address = str(netaddr.EUI(self.mac_address, dialect=netaddr.mac_unix_expanded)).upper()
        except (netaddr.AddrFormatError, TypeError, ValueError):
            raise ValidationError({'mac_address': f'"{self.mac_address}" is not a valid MAC address.'})
