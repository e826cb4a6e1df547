"""Power panels and the feeds they supply to racks."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from netbox.models import PrimaryModel
from tenancy.models import ContactsMixin

from ..choices import POWERFEED_PHASE, POWERFEED_STATUS, POWERFEED_SUPPLY, POWERFEED_TYPE
from .components import CabledComponentMixin, PathEndpointMixin
from .sites import LocationWithinSiteMixin


def _config(name):
    from netbox.dynamic_config import get_config

    return getattr(get_config(), name)


# Defaults come from the dynamic configuration at the time a feed is created.
def default_voltage():
    return _config('POWERFEED_DEFAULT_VOLTAGE')


def default_amperage():
    return _config('POWERFEED_DEFAULT_AMPERAGE')


def default_max_utilization():
    return _config('POWERFEED_DEFAULT_MAX_UTILIZATION')


class PowerPanel(LocationWithinSiteMixin, ContactsMixin, PrimaryModel):
    """An electrical distribution panel at a site, the source of power feeds."""

    site = models.ForeignKey('dcim.Site', on_delete=models.PROTECT, related_name='power_panels')
    location = models.ForeignKey('dcim.Location', on_delete=models.PROTECT, related_name='power_panels', blank=True,
                                 null=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ('site', 'name')
        constraints = [models.UniqueConstraint(fields=('site', 'name'), name='dcim_powerpanel_site_name',
                                               violation_error_message='This site has a power panel with this name.')]

    def __str__(self):
        return self.name


class PowerFeed(PathEndpointMixin, CabledComponentMixin, PrimaryModel):
    """A circuit from a power panel, usually to a rack, with its electrical characteristics."""

    power_panel = models.ForeignKey(PowerPanel, on_delete=models.PROTECT, related_name='powerfeeds')
    rack = models.ForeignKey('dcim.Rack', on_delete=models.PROTECT, related_name='powerfeeds', blank=True, null=True)
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=50, choices=POWERFEED_STATUS, default='active')
    type = models.CharField(max_length=50, choices=POWERFEED_TYPE, default='primary')
    supply = models.CharField(max_length=50, choices=POWERFEED_SUPPLY, default='ac')
    phase = models.CharField(max_length=50, choices=POWERFEED_PHASE, default='single-phase')
    voltage = models.SmallIntegerField(default=default_voltage)
    amperage = models.PositiveSmallIntegerField(default=default_amperage, validators=[MinValueValidator(1)])
    max_utilization = models.PositiveSmallIntegerField(default=default_max_utilization,
                                                       validators=[MinValueValidator(1), MaxValueValidator(100)],
                                                       help_text='Percentage of the feed that may be drawn')
    available_power = models.PositiveIntegerField(default=0, editable=False)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='powerfeeds', blank=True,
                               null=True)

    class Meta:
        ordering = ('power_panel', 'name')
        constraints = [models.UniqueConstraint(fields=('power_panel', 'name'), name='dcim_powerfeed_panel_name',
                                               violation_error_message='This panel has a feed with this name.')]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.rack_id and self.power_panel_id and self.rack.site_id != self.power_panel.site_id:
            raise ValidationError({'rack': f'Rack {self.rack} is not at the site of panel {self.power_panel}.'})
        if self.supply == 'dc' and self.phase == 'three-phase':
            raise ValidationError({'phase': 'DC feeds cannot be three-phase.'})
        if self.voltage is not None and self.voltage < 0 and self.supply == 'ac':
            raise ValidationError({'voltage': 'AC voltage cannot be negative.'})

    def save(self, *args, **kwargs):
        self.available_power = self.compute_available_power()
        super().save(*args, **kwargs)

    def compute_available_power(self):
        """Watts that may be drawn: V x A x utilisation, times sqrt(3) on three-phase feeds."""
        power = abs(self.voltage or 0) * (self.amperage or 0) * (self.max_utilization or 0) / 100
        if self.phase == 'three-phase':
            power *= 3 ** 0.5
        return round(power)
