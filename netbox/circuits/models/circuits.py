"""Circuits, their types, their A/Z terminations and circuit groups."""
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models

from dcim.models.components import CabledComponentMixin
from netbox.models import GenericForeignKey, NetBoxModel, OrganizationalModel, PrimaryModel, color_validator
from tenancy.models import ContactsMixin

from ..choices import CIRCUIT_STATUS, DISTANCE_UNIT, PRIORITY, TERM_SIDE

# The kinds of object a circuit termination can end on.
TERMINATION_MODELS = (('dcim', 'region'), ('dcim', 'sitegroup'), ('dcim', 'site'), ('dcim', 'location'),
                      ('circuits', 'providernetwork'))


class CircuitType(OrganizationalModel):
    """What a circuit is for (internet transit, MPLS, dark fibre...)."""

    color = models.CharField(max_length=6, blank=True, validators=[color_validator])


class Circuit(ContactsMixin, PrimaryModel):
    """A communications circuit delivered by a provider, identified by its circuit ID (cid)."""

    cid = models.CharField(max_length=100, verbose_name='Circuit ID')
    provider = models.ForeignKey('circuits.Provider', on_delete=models.PROTECT, related_name='circuits')
    provider_account = models.ForeignKey('circuits.ProviderAccount', on_delete=models.PROTECT,
                                         related_name='circuits', blank=True, null=True)
    type = models.ForeignKey(CircuitType, on_delete=models.PROTECT, related_name='circuits')
    status = models.CharField(max_length=50, choices=CIRCUIT_STATUS, default='active')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='circuits', blank=True,
                               null=True)
    install_date = models.DateField(blank=True, null=True)
    termination_date = models.DateField(blank=True, null=True)
    commit_rate = models.PositiveIntegerField(blank=True, null=True, help_text='Committed rate (Kbps)')
    distance = models.DecimalField(max_digits=8, decimal_places=2, blank=True, null=True)
    distance_unit = models.CharField(max_length=50, choices=DISTANCE_UNIT, blank=True, null=True)
    # The A and Z terminations, kept up to date by the terminations themselves.
    termination_a = models.ForeignKey('circuits.CircuitTermination', on_delete=models.SET_NULL, related_name='+',
                                      blank=True, null=True, editable=False)
    termination_z = models.ForeignKey('circuits.CircuitTermination', on_delete=models.SET_NULL, related_name='+',
                                      blank=True, null=True, editable=False)
    assignments = GenericRelation('circuits.CircuitGroupAssignment', content_type_field='member_type',
                                  object_id_field='member_id', related_query_name='circuit')

    class Meta:
        ordering = ('provider', 'provider_account', 'cid')
        constraints = [
            models.UniqueConstraint(fields=('provider', 'cid'), name='circuits_circuit_unique_provider_cid',
                                    violation_error_message='This provider already has a circuit with this ID.'),
            models.UniqueConstraint(fields=('provider_account', 'cid'), name='circuits_circuit_unique_account_cid',
                                    violation_error_message='This account already has a circuit with this ID.'),
        ]

    def __str__(self):
        return self.cid

    def clean(self):
        super().clean()
        if self.provider_account_id and self.provider_id and self.provider_account.provider_id != self.provider_id:
            raise ValidationError({'provider_account': 'The account must belong to the circuit\'s provider.'})
        if self.distance is not None and not self.distance_unit:
            raise ValidationError({'distance_unit': 'Give a unit for the distance.'})
        if self.distance is None:
            self.distance_unit = None


class CircuitTermination(CabledComponentMixin, NetBoxModel):
    """One end (A or Z) of a circuit: where it is delivered (a site, location, region, site group or a provider
    network), the port's figures and the cable plugged into it."""

    circuit = models.ForeignKey(Circuit, on_delete=models.CASCADE, related_name='terminations')
    term_side = models.CharField(max_length=1, choices=TERM_SIDE, verbose_name='Termination side')
    termination_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                         blank=True, null=True)
    termination_id = models.PositiveBigIntegerField(blank=True, null=True)
    termination = GenericForeignKey(ct_field='termination_type', fk_field='termination_id')
    port_speed = models.PositiveIntegerField(blank=True, null=True, help_text='Physical circuit speed (Kbps)')
    upstream_speed = models.PositiveIntegerField(blank=True, null=True, help_text='Upstream speed, if different '
                                                                                  'from port speed (Kbps)')
    xconnect_id = models.CharField(max_length=50, blank=True, verbose_name='Cross-connect ID')
    pp_info = models.CharField(max_length=100, blank=True, verbose_name='Patch panel/port(s)')
    description = models.CharField(max_length=200, blank=True)
    # The place the termination lies in, cached so that ?site_id= and ?region_id= filter with plain joins.
    _provider_network = models.ForeignKey('circuits.ProviderNetwork', on_delete=models.PROTECT,
                                          related_name='circuit_terminations', blank=True, null=True)
    _region = models.ForeignKey('dcim.Region', on_delete=models.CASCADE, related_name='circuit_terminations',
                                blank=True, null=True)
    _site_group = models.ForeignKey('dcim.SiteGroup', on_delete=models.CASCADE, related_name='circuit_terminations',
                                    blank=True, null=True)
    _site = models.ForeignKey('dcim.Site', on_delete=models.CASCADE, related_name='circuit_terminations',
                              blank=True, null=True)
    _location = models.ForeignKey('dcim.Location', on_delete=models.CASCADE, related_name='circuit_terminations',
                                  blank=True, null=True)

    changelog_parent_field = 'circuit'

    class Meta:
        ordering = ('circuit', 'term_side')
        indexes = [models.Index(fields=('termination_type', 'termination_id'), name='circuits_termination_object')]
        constraints = [
            models.UniqueConstraint(fields=('circuit', 'term_side'), name='circuits_circuittermination_unique_side',
                                    violation_error_message='This circuit already has a termination on this side.'),
        ]

    def __str__(self):
        return f'{self.circuit}: Termination {self.term_side}'

    def clean(self):
        super().clean()
        if self.termination_type_id:
            kind = (self.termination_type.app_label, self.termination_type.model)
            if kind not in TERMINATION_MODELS:
                names = ', '.join(f'{app}.{model}' for app, model in TERMINATION_MODELS)
                raise ValidationError({'termination_type': f'A circuit terminates on one of: {names}.'})
            if self.termination_id is None:
                raise ValidationError({'termination_id': 'Give the termination object with its type.'})
            if self.termination is None:
                raise ValidationError({'termination_id': f'No {kind[1]} with ID {self.termination_id}.'})
        elif self.termination_id is not None:
            raise ValidationError({'termination_type': 'Give the termination type with the termination object.'})

    def cache_termination(self):
        """Set the cached provider network, region, site group, site and location from the termination."""
        self._provider_network = self._region = self._site_group = self._site = self._location = None
        target = self.termination if self.termination_type_id and self.termination_id else None
        if target is None:
            return
        kind = self.termination_type.model
        if kind == 'providernetwork':
            self._provider_network = target
        elif kind == 'region':
            self._region = target
        elif kind == 'sitegroup':
            self._site_group = target
        else:
            site = target.site if kind == 'location' else target
            self._location = target if kind == 'location' else None
            self._site = site
            self._region_id, self._site_group_id = site.region_id, site.group_id

    def save(self, *args, **kwargs):
        self.cache_termination()
        super().save(*args, **kwargs)

    @property
    def link_peers(self):
        if not self.cable_id:
            return []
        return self.cable.b_terminations if self.cable_end == 'A' else self.cable.a_terminations

    def get_peer_termination(self):
        """The termination at the circuit's other end, if any."""
        other = 'Z' if self.term_side == 'A' else 'A'
        return CircuitTermination.objects.filter(circuit_id=self.circuit_id, term_side=other).first()


class CircuitGroup(PrimaryModel):
    """A named set of circuits (for example those backing up one another)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='circuit_groups',
                               blank=True, null=True)

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


class CircuitGroupAssignment(NetBoxModel):
    """A circuit or virtual circuit's membership of a group, with a priority."""

    group = models.ForeignKey(CircuitGroup, on_delete=models.CASCADE, related_name='assignments')
    member_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                    limit_choices_to={'app_label': 'circuits',
                                                      'model__in': ('circuit', 'virtualcircuit')})
    member_id = models.PositiveBigIntegerField()
    member = GenericForeignKey(ct_field='member_type', fk_field='member_id')
    priority = models.CharField(max_length=50, choices=PRIORITY, blank=True)

    class Meta:
        ordering = ('group', 'member_type', 'member_id', 'priority', 'pk')
        constraints = [
            models.UniqueConstraint(fields=('member_type', 'member_id', 'group'),
                                    name='circuits_circuitgroupassignment_unique_member_group',
                                    violation_error_message='This member is already in this group.'),
        ]

    def __str__(self):
        return f'{self.member} ({self.group})' if self.member_id else str(self.group)

    def clean(self):
        super().clean()
        if self.member_type_id and self.member is None:
            raise ValidationError({'member_id': f'No {self.member_type.model} with ID {self.member_id}.'})
