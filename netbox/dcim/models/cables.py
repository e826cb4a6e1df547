"""Cables: the model components point at. Terminations and paths arrive with the cables feature."""
from django.core.validators import MinValueValidator
from django.db import models
from netbox.models import PrimaryModel, color_validator

from ..choices import CABLE_LENGTH_UNIT, CABLE_PROFILE, CABLE_STATUS


class Cable(PrimaryModel):
    """A physical connection between component terminations on its A and B sides."""

    type = models.CharField(max_length=50, blank=True, null=True)
    status = models.CharField(max_length=50, choices=CABLE_STATUS, default='connected')
    profile = models.CharField(max_length=50, choices=CABLE_PROFILE, blank=True, null=True)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='cables', blank=True,
                               null=True)
    label = models.CharField(max_length=100, blank=True)
    color = models.CharField(max_length=6, blank=True, validators=[color_validator])
    length = models.DecimalField(max_digits=8, decimal_places=2, blank=True, null=True,
                                 validators=[MinValueValidator(0)])
    length_unit = models.CharField(max_length=50, choices=CABLE_LENGTH_UNIT, blank=True, null=True)

    class Meta:
        ordering = ('label', 'pk')

    def __str__(self):
        return self.label or f'#{self.pk}'
