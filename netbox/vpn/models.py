"""VPN: tunnels and their terminations, IKE/IPSec security chains, and layer-2 VPNs."""
from django.core.exceptions import ValidationError
from django.db import models

from netbox.models import GenericForeignKey, NetBoxModel, OrganizationalModel, PrimaryModel
from tenancy.models import ContactsMixin

from .choices import (
    AUTHENTICATION_ALGORITHM,
    AUTHENTICATION_METHOD,
    DH_GROUP,
    ENCRYPTION_ALGORITHM,
    IKE_MODE,
    IKE_VERSION,
    IPSEC_MODE,
    L2VPN_P2P_TYPES,
    L2VPN_STATUS,
    L2VPN_TYPE,
    TUNNEL_ENCAPSULATION,
    TUNNEL_STATUS,
    TUNNEL_TERMINATION_ROLE,
)

# A tunnel ends on a device or VM interface (virtualization.vminterface joins when that app is merged).
TUNNEL_TERMINATION_MODELS = models.Q(app_label='dcim', model='interface') | models.Q(
    app_label='virtualization', model='vminterface')
# An L2VPN terminates on a VLAN or an interface.
L2VPN_ASSIGNMENT_MODELS = models.Q(app_label='ipam', model='vlan') | models.Q(
    app_label='dcim', model='interface') | models.Q(app_label='virtualization', model='vminterface')


def _check_generic_target(instance, type_field, id_field):
    """The object a generic relation names must exist (its type is narrowed by the field's limit)."""
    ctype = getattr(instance, type_field)
    object_id = getattr(instance, id_field)
    if ctype is None or object_id is None:
        return
    model = ctype.model_class()
    if model is None or not model._default_manager.filter(pk=object_id).exists():
        raise ValidationError({id_field: f'No {ctype.name} with ID {object_id}.'})


class TunnelGroup(ContactsMixin, OrganizationalModel):
    """A set of tunnels, e.g. one mesh or one customer's tunnels."""

    class Meta:
        ordering = ('name',)
        verbose_name = 'tunnel group'


class Tunnel(ContactsMixin, PrimaryModel):
    """A virtual point-to-point or hub-and-spoke connection between two or more endpoints."""

    name = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=50, choices=TUNNEL_STATUS, default='active')
    group = models.ForeignKey(TunnelGroup, on_delete=models.PROTECT, related_name='tunnels', blank=True, null=True)
    encapsulation = models.CharField(max_length=50, choices=TUNNEL_ENCAPSULATION)
    ipsec_profile = models.ForeignKey('vpn.IPSecProfile', on_delete=models.PROTECT, related_name='tunnels',
                                      blank=True, null=True, verbose_name='IPSec profile')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='tunnels', blank=True,
                               null=True)
    tunnel_id = models.PositiveBigIntegerField(blank=True, null=True, verbose_name='tunnel ID')

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


class TunnelTermination(NetBoxModel):
    """One end of a tunnel: an interface, its role, and the public address the tunnel runs over."""

    tunnel = models.ForeignKey(Tunnel, on_delete=models.CASCADE, related_name='terminations')
    role = models.CharField(max_length=50, choices=TUNNEL_TERMINATION_ROLE, default='peer')
    termination_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                         limit_choices_to=TUNNEL_TERMINATION_MODELS)
    termination_id = models.PositiveBigIntegerField(blank=True, null=True)
    termination = GenericForeignKey(ct_field='termination_type', fk_field='termination_id')
    outside_ip = models.OneToOneField('ipam.IPAddress', on_delete=models.PROTECT,
                                      related_name='tunnel_termination', blank=True, null=True,
                                      verbose_name='outside IP')

    class Meta:
        ordering = ('tunnel', 'role', 'pk')
        verbose_name = 'tunnel termination'
        indexes = [models.Index(fields=('termination_type', 'termination_id'), name='vpn_tunnelterm_termination')]
        constraints = [
            models.UniqueConstraint(fields=('termination_type', 'termination_id'),
                                    name='vpn_tunneltermination_termination',
                                    violation_error_message='An object may be terminated to only one tunnel.'),
        ]

    def __str__(self):
        return f'{self.tunnel}: termination {self.pk}'

    def clean(self):
        super().clean()
        _check_generic_target(self, 'termination_type', 'termination_id')


class IKEProposal(PrimaryModel):
    """Phase 1 parameters of an IKE negotiation."""

    name = models.CharField(max_length=100, unique=True)
    authentication_method = models.CharField(max_length=50, choices=AUTHENTICATION_METHOD)
    encryption_algorithm = models.CharField(max_length=50, choices=ENCRYPTION_ALGORITHM)
    authentication_algorithm = models.CharField(max_length=50, choices=AUTHENTICATION_ALGORITHM, blank=True,
                                                null=True)
    group = models.PositiveSmallIntegerField(choices=DH_GROUP, verbose_name='group',
                                             help_text='Diffie-Hellman group ID')
    sa_lifetime = models.PositiveIntegerField(blank=True, null=True, verbose_name='SA lifetime',
                                              help_text='Security association lifetime (in seconds)')

    class Meta:
        ordering = ('name',)
        verbose_name = 'IKE proposal'

    def __str__(self):
        return self.name


class IKEPolicy(PrimaryModel):
    """An IKE version and mode with the proposals it offers."""

    name = models.CharField(max_length=100, unique=True)
    version = models.PositiveSmallIntegerField(choices=IKE_VERSION, default=2)
    mode = models.CharField(max_length=50, choices=IKE_MODE, blank=True, null=True)
    proposals = models.ManyToManyField(IKEProposal, related_name='ike_policies', blank=True)
    preshared_key = models.TextField(blank=True, verbose_name='pre-shared key')

    class Meta:
        ordering = ('name',)
        verbose_name = 'IKE policy'
        verbose_name_plural = 'IKE policies'

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # IKEv1 negotiates in main or aggressive mode: one must be given.
        if self.version == 1 and not self.mode:
            raise ValidationError({'mode': 'Mode is required for IKEv1.'})


class IPSecProposal(PrimaryModel):
    """Phase 2 parameters of an IPSec security association."""

    name = models.CharField(max_length=100, unique=True)
    encryption_algorithm = models.CharField(max_length=50, choices=ENCRYPTION_ALGORITHM, blank=True, null=True)
    authentication_algorithm = models.CharField(max_length=50, choices=AUTHENTICATION_ALGORITHM, blank=True,
                                                null=True)
    sa_lifetime_seconds = models.PositiveIntegerField(blank=True, null=True, verbose_name='SA lifetime (seconds)')
    sa_lifetime_data = models.PositiveIntegerField(blank=True, null=True, verbose_name='SA lifetime (KB)')

    class Meta:
        ordering = ('name',)
        verbose_name = 'IPSec proposal'

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.encryption_algorithm and not self.authentication_algorithm:
            raise ValidationError({'encryption_algorithm': 'An encryption and/or authentication algorithm is '
                                                           'required.'})


class IPSecPolicy(PrimaryModel):
    """The IPSec proposals offered and the perfect forward secrecy group."""

    name = models.CharField(max_length=100, unique=True)
    proposals = models.ManyToManyField(IPSecProposal, related_name='ipsec_policies', blank=True)
    pfs_group = models.PositiveSmallIntegerField(choices=DH_GROUP, blank=True, null=True, verbose_name='PFS group')

    class Meta:
        ordering = ('name',)
        verbose_name = 'IPSec policy'
        verbose_name_plural = 'IPSec policies'

    def __str__(self):
        return self.name


class IPSecProfile(PrimaryModel):
    """An IKE policy and an IPSec policy that a tunnel uses together."""

    name = models.CharField(max_length=100, unique=True)
    mode = models.CharField(max_length=50, choices=IPSEC_MODE)
    ike_policy = models.ForeignKey(IKEPolicy, on_delete=models.PROTECT, related_name='ipsec_profiles',
                                   verbose_name='IKE policy')
    ipsec_policy = models.ForeignKey(IPSecPolicy, on_delete=models.PROTECT, related_name='ipsec_profiles',
                                     verbose_name='IPSec policy')

    class Meta:
        ordering = ('name',)
        verbose_name = 'IPSec profile'

    def __str__(self):
        return self.name


class L2VPN(ContactsMixin, PrimaryModel):
    """A layer-2 virtual network (VPLS, VXLAN, EVPN...) joining VLANs and interfaces."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    type = models.CharField(max_length=50, choices=L2VPN_TYPE)
    status = models.CharField(max_length=50, choices=L2VPN_STATUS, default='active')
    identifier = models.BigIntegerField(blank=True, null=True)
    import_targets = models.ManyToManyField('ipam.RouteTarget', related_name='importing_l2vpns', blank=True)
    export_targets = models.ManyToManyField('ipam.RouteTarget', related_name='exporting_l2vpns', blank=True)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='l2vpns', blank=True,
                               null=True)

    class Meta:
        ordering = ('name', 'identifier')
        verbose_name = 'L2VPN'

    def __str__(self):
        return f'{self.name} ({self.identifier})' if self.identifier is not None else self.name


class L2VPNTermination(NetBoxModel):
    """Attaches a VLAN or an interface to an L2VPN; an object belongs to at most one L2VPN."""

    l2vpn = models.ForeignKey(L2VPN, on_delete=models.CASCADE, related_name='terminations', verbose_name='L2VPN')
    assigned_object_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                             limit_choices_to=L2VPN_ASSIGNMENT_MODELS)
    assigned_object_id = models.PositiveBigIntegerField()
    assigned_object = GenericForeignKey(ct_field='assigned_object_type', fk_field='assigned_object_id')

    class Meta:
        ordering = ('l2vpn', 'pk')
        verbose_name = 'L2VPN termination'
        indexes = [models.Index(fields=('assigned_object_type', 'assigned_object_id'), name='vpn_l2vpnterm_object')]
        constraints = [
            models.UniqueConstraint(fields=('assigned_object_type', 'assigned_object_id'),
                                    name='vpn_l2vpntermination_assigned_object',
                                    violation_error_message='An object may be assigned to only one L2VPN.'),
        ]

    def __str__(self):
        return f'{self.assigned_object} <> {self.l2vpn}' if self.pk else 'L2VPN termination'

    def clean(self):
        super().clean()
        _check_generic_target(self, 'assigned_object_type', 'assigned_object_id')
        # A point-to-point L2VPN joins two ends at most.
        if self.l2vpn_id and self.l2vpn.type in L2VPN_P2P_TYPES:
            others = self.l2vpn.terminations.exclude(pk=self.pk).count()
            if others >= 2:
                raise ValidationError({'l2vpn': f'{self.l2vpn.get_type_display()} L2VPNs cannot have more than two '
                                                f'terminations.'})
