"""Racks, their types, roles and groups, and unit reservations."""
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from netbox.models import OrganizationalModel, PrimaryModel, color_validator
from tenancy.models import ContactsMixin

from ..choices import (
    DIMENSION_UNIT,
    RACK_AIRFLOW,
    RACK_COOLING_CAPABILITY,
    RACK_FORM_FACTOR,
    RACK_STATUS,
    RESERVATION_STATUS,
    WEIGHT_UNIT,
)
from .sites import LocationWithinSiteMixin

RACK_WIDTHS = ((10, '10 inches'), (19, '19 inches'), (21, '21 inches'), (23, '23 inches'))


class RackGroup(OrganizationalModel):
    """A label grouping racks (a row, a suite) across locations."""


class RackRole(OrganizationalModel):
    """The function of a rack (network, compute, storage...), with a display colour."""

    color = models.CharField(max_length=6, default='9e9e9e', validators=[color_validator])


class RackDimensions(models.Model):
    """Physical attributes shared by rack types and racks."""

    form_factor = models.CharField(max_length=50, choices=RACK_FORM_FACTOR, blank=True, null=True)
    width = models.PositiveSmallIntegerField(choices=RACK_WIDTHS, default=19)
    u_height = models.PositiveSmallIntegerField(default=42, validators=[MinValueValidator(1), MaxValueValidator(100)])
    starting_unit = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    desc_units = models.BooleanField(default=False, help_text='Units are numbered top-to-bottom')
    outer_width = models.PositiveSmallIntegerField(blank=True, null=True)
    outer_height = models.PositiveSmallIntegerField(blank=True, null=True)
    outer_depth = models.PositiveSmallIntegerField(blank=True, null=True)
    outer_unit = models.CharField(max_length=50, choices=DIMENSION_UNIT, blank=True, null=True)
    weight = models.DecimalField(max_digits=8, decimal_places=2, blank=True, null=True)
    max_weight = models.PositiveIntegerField(blank=True, null=True)
    weight_unit = models.CharField(max_length=50, choices=WEIGHT_UNIT, blank=True, null=True)
    mounting_depth = models.PositiveSmallIntegerField(blank=True, null=True)
    cooling_capability = models.CharField(max_length=50, choices=RACK_COOLING_CAPABILITY, blank=True, null=True)
    cooling_capacity = models.DecimalField(max_digits=12, decimal_places=2, blank=True, null=True,
                                           validators=[MinValueValidator(0), MaxValueValidator(100_000_000)],
                                           help_text='Kilowatts of heat the rack can reject')

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if any(getattr(self, f) is not None for f in ('outer_width', 'outer_height', 'outer_depth')) and \
                not self.outer_unit:
            raise ValidationError({'outer_unit': 'Give a unit for the outer dimensions.'})
        if (self.weight is not None or self.max_weight is not None) and not self.weight_unit:
            raise ValidationError({'weight_unit': 'Give a unit for the weight.'})


class RackType(RackDimensions, PrimaryModel):
    """A rack model from a manufacturer; racks of this type take its dimensions."""

    manufacturer = models.ForeignKey('dcim.Manufacturer', on_delete=models.PROTECT, related_name='rack_types')
    model = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ('manufacturer', 'model')
        constraints = [models.UniqueConstraint(fields=('manufacturer', 'model'), name='dcim_racktype_model',
                                               violation_error_message='This manufacturer has this model already.')]

    def __str__(self):
        return self.model


class Rack(LocationWithinSiteMixin, ContactsMixin, RackDimensions, PrimaryModel):
    """A frame or cabinet holding devices in numbered units."""

    name = models.CharField(max_length=100)
    facility_id = models.CharField(max_length=50, blank=True, null=True)
    site = models.ForeignKey('dcim.Site', on_delete=models.PROTECT, related_name='racks')
    location = models.ForeignKey('dcim.Location', on_delete=models.SET_NULL, related_name='racks', blank=True,
                                 null=True)
    group = models.ForeignKey(RackGroup, on_delete=models.SET_NULL, related_name='racks', blank=True, null=True)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='racks', blank=True,
                               null=True)
    status = models.CharField(max_length=50, choices=RACK_STATUS, default='active')
    role = models.ForeignKey(RackRole, on_delete=models.PROTECT, related_name='racks', blank=True, null=True)
    serial = models.CharField(max_length=50, blank=True)
    asset_tag = models.CharField(max_length=50, blank=True, null=True, unique=True)
    rack_type = models.ForeignKey(RackType, on_delete=models.PROTECT, related_name='racks', blank=True, null=True)
    airflow = models.CharField(max_length=50, choices=RACK_AIRFLOW, blank=True, null=True)

    class Meta:
        ordering = ('site', 'location', 'name', 'pk')
        constraints = [
            models.UniqueConstraint(fields=('location', 'name'), name='dcim_rack_location_name',
                                    violation_error_message='A rack with this name exists in this location.'),
            models.UniqueConstraint(fields=('location', 'facility_id'), name='dcim_rack_location_facility',
                                    violation_error_message='A rack with this facility ID exists in this location.'),
        ]

    def __str__(self):
        return self.name

    @property
    def units(self):
        """Unit numbers from top to bottom as drawn (descending unless desc_units)."""
        numbers = range(self.starting_unit, self.starting_unit + self.u_height)
        return list(numbers) if self.desc_units else list(reversed(numbers))

    def clean(self):
        super().clean()
        if self.pk:
            from .devices import Device

            top = self.starting_unit + self.u_height
            too_high = Device.objects.filter(rack=self.pk, position__isnull=False).exclude(
                device_type__u_height=0)
            for device in too_high.select_related('device_type'):
                if device.position < self.starting_unit or device.position + device.device_type.u_height > top:
                    raise ValidationError({'u_height': f'Device {device} at U{device.position:g} would no longer '
                                                       f'fit in the rack.'})

    def save(self, *args, **kwargs):
        # A rack type's dimensions are copied onto the rack when the type is (re)assigned.
        if self.rack_type_id and (self._state.adding or self._rack_type_changed()):
            for name in ('form_factor', 'width', 'u_height', 'starting_unit', 'desc_units', 'outer_width',
                         'outer_height', 'outer_depth', 'outer_unit', 'weight', 'max_weight', 'weight_unit',
                         'mounting_depth', 'cooling_capability', 'cooling_capacity'):
                setattr(self, name, getattr(self.rack_type, name))
        super().save(*args, **kwargs)

    def _rack_type_changed(self):
        previous = Rack.objects.filter(pk=self.pk).values_list('rack_type_id', flat=True).first()
        return previous != self.rack_type_id


class RackReservation(PrimaryModel):
    """Units of a rack set aside for a user or tenant."""

    rack = models.ForeignKey(Rack, on_delete=models.CASCADE, related_name='reservations')
    units = ArrayField(models.PositiveSmallIntegerField())
    status = models.CharField(max_length=50, choices=RESERVATION_STATUS, default='active')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='rackreservations',
                               blank=True, null=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name='rackreservations')

    class Meta:
        ordering = ('created', 'pk')

    def __str__(self):
        return f'Reservation for rack {self.rack}'

    @property
    def unit_count(self):
        return len(self.units or ())

    def clean(self):
        super().clean()
        if self.rack_id and self.units:
            valid = set(self.rack.units)
            invalid = sorted(set(self.units) - valid)
            if invalid:
                raise ValidationError({'units': f'Invalid unit(s) for a {self.rack.u_height}U rack: '
                                                f'{", ".join(map(str, invalid))}'})
            clash = RackReservation.objects.filter(rack=self.rack, units__overlap=self.units).exclude(pk=self.pk)
            if clash.exists():
                taken = sorted(set(self.units) & {u for r in clash for u in r.units})
                raise ValidationError({'units': f'Unit(s) already reserved: {", ".join(map(str, taken))}'})
