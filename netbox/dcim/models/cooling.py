"""
Cooling infrastructure (NetBox 4.7): sources of cooling at a site, the loops (feeds) they supply to racks, and the
intakes and outflows of devices. Modelled on power, but connected by direct links, not cables: an outflow names the
intake of its own device it returns fluid from, and an intake names the outflow (of any device) that supplies it.
"""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from netbox.models import PrimaryModel
from tenancy.models import ContactsMixin

from ..choices import (
    COOLING_CONNECTOR_TYPE,
    COOLING_FLUID_TYPE,
    COOLING_SOURCE_TYPE,
    COOLING_STATUS,
    DIAMETER_UNIT,
    FLOW_UNIT,
)
from .components import ModularComponentModel
from .sites import LocationWithinSiteMixin

CAPACITY_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100_000_000)]
POSITIVE_MEASURE_VALIDATORS = [MinValueValidator(Decimal('0.01')), MaxValueValidator(1_000_000)]


def capacity_field():
    return models.DecimalField(max_digits=12, decimal_places=2, blank=True, null=True, validators=CAPACITY_VALIDATORS,
                               help_text='Kilowatts of heat removed')


def measure_field(**kwargs):
    return models.DecimalField(max_digits=10, decimal_places=2, blank=True, null=True,
                               validators=POSITIVE_MEASURE_VALIDATORS, **kwargs)


class CoolingSource(LocationWithinSiteMixin, ContactsMixin, PrimaryModel):
    """A plant that removes heat (a chiller, a CRAH...), at a site and optionally a location; it supplies feeds."""

    site = models.ForeignKey('dcim.Site', on_delete=models.PROTECT, related_name='cooling_sources')
    location = models.ForeignKey('dcim.Location', on_delete=models.PROTECT, related_name='cooling_sources',
                                 blank=True, null=True)
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=50, choices=COOLING_SOURCE_TYPE)
    status = models.CharField(max_length=50, choices=COOLING_STATUS, default='active')
    fluid_type = models.CharField(max_length=50, choices=COOLING_FLUID_TYPE, blank=True, null=True)
    cooling_capacity = capacity_field()

    class Meta:
        ordering = ('site', 'name')
        constraints = [models.UniqueConstraint(fields=('site', 'name'), name='dcim_coolingsource_site_name',
                                               violation_error_message='This site has a cooling source with this '
                                                                       'name.')]

    def __str__(self):
        return self.name


class CoolingFeed(PrimaryModel):
    """A cooling loop from a source, usually to a rack, with its capacity and flow."""

    cooling_source = models.ForeignKey(CoolingSource, on_delete=models.PROTECT, related_name='cooling_feeds')
    rack = models.ForeignKey('dcim.Rack', on_delete=models.PROTECT, related_name='cooling_feeds', blank=True,
                             null=True)
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=50, choices=COOLING_STATUS, default='active')
    cooling_capacity = capacity_field()
    max_flow = measure_field()
    max_flow_unit = models.CharField(max_length=50, choices=FLOW_UNIT, blank=True, null=True)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='cooling_feeds', blank=True,
                               null=True)

    class Meta:
        ordering = ('cooling_source', 'name')
        constraints = [models.UniqueConstraint(fields=('cooling_source', 'name'), name='dcim_coolingfeed_source_name',
                                               violation_error_message='This cooling source has a feed with this '
                                                                       'name.')]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.rack_id and self.cooling_source_id and self.rack.site_id != self.cooling_source.site_id:
            raise ValidationError({'rack': f'Rack {self.rack} is not at the site of {self.cooling_source}.'})
        if self.max_flow is not None and not self.max_flow_unit:
            raise ValidationError({'max_flow_unit': 'Give a unit for the flow.'})


class CoolingComponentModel(ModularComponentModel):
    """What intakes and outflows share: the connector and its diameter."""

    type = models.CharField(max_length=50, choices=COOLING_CONNECTOR_TYPE, blank=True, null=True)
    diameter = measure_field()
    diameter_unit = models.CharField(max_length=50, choices=DIAMETER_UNIT, blank=True, null=True)

    class Meta(ModularComponentModel.Meta):
        abstract = True

    def clean(self):
        super().clean()
        if self.diameter is not None and not self.diameter_unit:
            raise ValidationError({'diameter_unit': 'Give a unit for the diameter.'})


class CoolingIntake(CoolingComponentModel):
    """Where coolant (or air) enters a device; it may be supplied by an outflow of another device (a CDU)."""

    max_flow = measure_field()
    max_flow_unit = models.CharField(max_length=50, choices=FLOW_UNIT, blank=True, null=True)
    cooling_outflow = models.ForeignKey('dcim.CoolingOutflow', on_delete=models.SET_NULL, related_name='+',
                                        blank=True, null=True, help_text='The outflow supplying this intake')

    class Meta(CoolingComponentModel.Meta):
        verbose_name = 'cooling intake'

    def clean(self):
        super().clean()
        if self.max_flow is not None and not self.max_flow_unit:
            raise ValidationError({'max_flow_unit': 'Give a unit for the flow.'})


class CoolingOutflow(CoolingComponentModel):
    """Where coolant (or air) leaves a device, returning what one of the device's intakes took in."""

    cooling_intake = models.ForeignKey(CoolingIntake, on_delete=models.SET_NULL, related_name='coolingoutflows',
                                       blank=True, null=True)

    class Meta(CoolingComponentModel.Meta):
        verbose_name = 'cooling outflow'

    def clean(self):
        super().clean()
        if self.cooling_intake_id and self.cooling_intake.device_id != self.device_id:
            raise ValidationError({'cooling_intake': f'Cooling intake {self.cooling_intake} belongs to another '
                                                     f'device.'})
