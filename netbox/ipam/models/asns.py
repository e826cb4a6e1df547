"""Autonomous system numbers and the ranges they are allocated from."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from netbox.models import OrganizationalModel, PrimaryModel

from ..choices import ASN_MAX, ASN_MIN

asn_validators = [MinValueValidator(ASN_MIN), MaxValueValidator(ASN_MAX)]


def format_asn(asn):
    """4-byte ASNs also in asdot notation: 65536 -> '65536 (1.0)'."""
    if asn is None:
        return ''
    if asn > 65535:
        return f'{asn} ({asn // 65536}.{asn % 65536})'
    return str(asn)


class ASNRange(OrganizationalModel):
    """A run of AS numbers a RIR allocates from; `available-asns` hands out its free numbers."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    rir = models.ForeignKey('ipam.RIR', on_delete=models.PROTECT, related_name='asn_ranges', verbose_name='RIR')
    start = models.PositiveBigIntegerField(validators=asn_validators)
    end = models.PositiveBigIntegerField(validators=asn_validators)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='asn_ranges', blank=True,
                               null=True)

    class Meta:
        ordering = ('name',)
        verbose_name = 'ASN range'
        verbose_name_plural = 'ASN ranges'

    def __str__(self):
        return f'{self.name} ({format_asn(self.start)}-{format_asn(self.end)})'

    def clean(self):
        super().clean()
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValidationError({'end': f'The end ASN ({self.end}) must not be below the start ({self.start}).'})


class ASN(PrimaryModel):
    """An autonomous system number, optionally tied to sites (and providers)."""

    asn = models.PositiveBigIntegerField(unique=True, validators=asn_validators, verbose_name='ASN',
                                         help_text='16- or 32-bit autonomous system number')
    rir = models.ForeignKey('ipam.RIR', on_delete=models.PROTECT, related_name='asns', blank=True, null=True,
                            verbose_name='RIR')
    role = models.ForeignKey('ipam.Role', on_delete=models.SET_NULL, related_name='asns', blank=True, null=True)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='asns', blank=True,
                               null=True)
    sites = models.ManyToManyField('dcim.Site', related_name='asns', blank=True)

    class Meta:
        ordering = ('asn',)
        verbose_name = 'ASN'
        verbose_name_plural = 'ASNs'

    def __str__(self):
        return format_asn(self.asn)
