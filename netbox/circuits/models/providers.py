"""Providers (carriers), their accounts and the networks they run."""
from django.db import models

from netbox.models import PrimaryModel
from tenancy.models import ContactsMixin


class Provider(ContactsMixin, PrimaryModel):
    """A company that delivers circuits (a carrier or an internet service provider)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    asns = models.ManyToManyField('ipam.ASN', related_name='providers', blank=True)

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


class ProviderAccount(ContactsMixin, PrimaryModel):
    """An account held with a provider; circuits can be billed to it."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name='accounts')
    account = models.CharField(max_length=100)
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ('provider', 'account')
        constraints = [
            models.UniqueConstraint(fields=('provider', 'account'), name='circuits_provideraccount_unique_account',
                                    violation_error_message='This provider already has this account.'),
            models.UniqueConstraint(fields=('provider', 'name'), condition=~models.Q(name=''),
                                    name='circuits_provideraccount_unique_name',
                                    violation_error_message='This provider already has an account with this name.'),
        ]

    def __str__(self):
        return self.account if not self.name else f'{self.account} ({self.name})'


class ProviderNetwork(PrimaryModel):
    """A provider's network whose inside is not modelled (an MPLS cloud): circuits can end on it."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name='networks')
    name = models.CharField(max_length=100)
    service_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ('provider', 'name')
        constraints = [
            models.UniqueConstraint(fields=('provider', 'name'), name='circuits_providernetwork_unique_name',
                                    violation_error_message='This provider already has a network with this name.'),
        ]

    def __str__(self):
        return self.name
