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


def asdot(asn):
    """The asdot form of an ASN: '1.0' for 65536; 2-byte ASNs are their plain number."""
    if asn is None:
        return ''
    return f'{asn // 65536}.{asn % 65536}' if asn > 65535 else str(asn)


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
        # As NetBox displays a range: its name and the plain numbers.
        return f'{self.name} ({self.start}-{self.end})'

    def child_asns(self):
        """The ASNs whose number lies within the range (of any RIR, as NetBox counts them)."""
        return ASN.objects.filter(asn__gte=self.start, asn__lte=self.end)

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
        # As NetBox displays an ASN: 'AS65001', and a 4-byte one with its asdot form, 'AS4200000000 (64086.59904)'.
        return f'AS{format_asn(self.asn)}' if self.asn is not None else ''

    @property
    def asn_asdot(self):
        return asdot(self.asn)
