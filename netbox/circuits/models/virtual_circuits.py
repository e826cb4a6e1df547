"""Virtual circuits: point-to-point or hub-and-spoke links across a provider network."""
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models

from netbox.models import NetBoxModel, OrganizationalModel, PrimaryModel, color_validator

from ..choices import CIRCUIT_STATUS, VIRTUAL_TERMINATION_ROLE


class VirtualCircuitType(OrganizationalModel):
    """What a virtual circuit is (an EVPL, a VPLS...)."""

    color = models.CharField(max_length=6, blank=True, validators=[color_validator])


class VirtualCircuit(PrimaryModel):
    """A virtual circuit carried across a provider network between device interfaces."""

    cid = models.CharField(max_length=100, verbose_name='Circuit ID')
    provider_network = models.ForeignKey('circuits.ProviderNetwork', on_delete=models.PROTECT,
                                         related_name='virtual_circuits')
    provider_account = models.ForeignKey('circuits.ProviderAccount', on_delete=models.PROTECT,
                                         related_name='virtual_circuits', blank=True, null=True)
    type = models.ForeignKey(VirtualCircuitType, on_delete=models.PROTECT, related_name='virtual_circuits')
    status = models.CharField(max_length=50, choices=CIRCUIT_STATUS, default='active')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='virtual_circuits',
                               blank=True, null=True)
    assignments = GenericRelation('circuits.CircuitGroupAssignment', content_type_field='member_type',
                                  object_id_field='member_id', related_query_name='virtual_circuit')

    class Meta:
        ordering = ('provider_network', 'provider_account', 'cid')
        constraints = [
            models.UniqueConstraint(fields=('provider_network', 'cid'),
                                    name='circuits_virtualcircuit_unique_network_cid',
                                    violation_error_message='This provider network already has a virtual circuit '
                                                            'with this ID.'),
            models.UniqueConstraint(fields=('provider_account', 'cid'),
                                    name='circuits_virtualcircuit_unique_account_cid',
                                    violation_error_message='This account already has a virtual circuit with this '
                                                            'ID.'),
        ]

    def __str__(self):
        return self.cid

    @property
    def provider(self):
        return self.provider_network.provider if self.provider_network_id else None

    def clean(self):
        super().clean()
        if self.provider_account_id and self.provider_network_id and \
                self.provider_account.provider_id != self.provider_network.provider_id:
            raise ValidationError({'provider_account': 'The account must belong to the provider of the network.'})


class VirtualCircuitTermination(NetBoxModel):
    """A device interface taking part in a virtual circuit, as a peer, hub or spoke."""

    virtual_circuit = models.ForeignKey(VirtualCircuit, on_delete=models.CASCADE, related_name='terminations')
    role = models.CharField(max_length=50, choices=VIRTUAL_TERMINATION_ROLE, default='peer')
    interface = models.OneToOneField('dcim.Interface', on_delete=models.CASCADE,
                                     related_name='virtual_circuit_termination')
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ('virtual_circuit', 'role', 'pk')

    def __str__(self):
        return f'{self.virtual_circuit}: {self.role} termination'

    def clean(self):
        super().clean()
        if self.interface_id and not self.interface.is_virtual:
            raise ValidationError({'interface': 'A virtual circuit terminates on a virtual interface.'})
