"""VLANs, VLAN groups (scoped, with ranges of usable VIDs) and VLAN translation policies."""
from django.contrib.postgres.fields import ArrayField, IntegerRangeField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.postgresql.psycopg_any import NumericRange

from dcim.models.scope import CachedScopeMixin
from netbox.models import NetBoxModel, PrimaryModel
from tenancy.models import ContactsMixin

from ..choices import VLAN_QINQ_ROLE, VLAN_STATUS, VLAN_VID_MAX, VLAN_VID_MIN


def default_vid_ranges():
    return [NumericRange(VLAN_VID_MIN, VLAN_VID_MAX + 1)]


vid_validators = [MinValueValidator(VLAN_VID_MIN), MaxValueValidator(VLAN_VID_MAX)]


class VLANGroup(CachedScopeMixin, PrimaryModel):
    """A set of VLANs whose IDs and names are unique within it, scoped to a place, with the VID ranges it may use."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    vid_ranges = ArrayField(IntegerRangeField(), default=default_vid_ranges, verbose_name='VLAN ID ranges')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='vlan_groups', blank=True,
                               null=True)
    total_vlan_ids = models.PositiveBigIntegerField(default=VLAN_VID_MAX, editable=False)

    class Meta:
        ordering = ('name', 'pk')
        verbose_name = 'VLAN group'
        verbose_name_plural = 'VLAN groups'
        constraints = [
            models.UniqueConstraint(fields=('scope_type', 'scope_id', 'name'), nulls_distinct=False,
                                    name='ipam_vlangroup_unique_scope_name',
                                    violation_error_message='A VLAN group with this name exists in this scope.'),
            models.UniqueConstraint(fields=('scope_type', 'scope_id', 'slug'), nulls_distinct=False,
                                    name='ipam_vlangroup_unique_scope_slug',
                                    violation_error_message='A VLAN group with this slug exists in this scope.'),
        ]

    def __str__(self):
        return self.name

    def vids(self):
        """Every VID the group may use, in order."""
        for vid_range in sorted(self.vid_ranges or (), key=lambda r: r.lower):
            yield from range(vid_range.lower, vid_range.upper)

    def save(self, *args, **kwargs):
        self.total_vlan_ids = sum(r.upper - r.lower for r in self.vid_ranges or ())
        super().save(*args, **kwargs)


class VLAN(ContactsMixin, PrimaryModel):
    """A layer-2 domain, identified by its VID, in a group or at a site."""

    site = models.ForeignKey('dcim.Site', on_delete=models.PROTECT, related_name='vlans', blank=True, null=True)
    group = models.ForeignKey(VLANGroup, on_delete=models.PROTECT, related_name='vlans', blank=True, null=True)
    vid = models.PositiveSmallIntegerField(verbose_name='VLAN ID', validators=vid_validators)
    name = models.CharField(max_length=64)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='vlans', blank=True,
                               null=True)
    status = models.CharField(max_length=50, choices=VLAN_STATUS, default='active')
    role = models.ForeignKey('ipam.Role', on_delete=models.SET_NULL, related_name='vlans', blank=True, null=True)
    qinq_role = models.CharField(max_length=50, choices=VLAN_QINQ_ROLE, blank=True, null=True,
                                 verbose_name='Q-in-Q role')
    qinq_svlan = models.ForeignKey('self', on_delete=models.PROTECT, related_name='qinq_cvlans', blank=True,
                                   null=True, verbose_name='Q-in-Q SVLAN')

    class Meta:
        ordering = ('site', 'group', 'vid', 'pk')
        verbose_name = 'VLAN'
        verbose_name_plural = 'VLANs'
        constraints = [
            models.UniqueConstraint(fields=('group', 'vid'), name='ipam_vlan_unique_group_vid',
                                    violation_error_message='VLAN ID must be unique within its group.'),
            models.UniqueConstraint(fields=('group', 'name'), name='ipam_vlan_unique_group_name',
                                    violation_error_message='VLAN name must be unique within its group.'),
            models.UniqueConstraint(fields=('qinq_svlan', 'vid'), name='ipam_vlan_unique_qinq_svlan_vid',
                                    violation_error_message='VLAN ID must be unique within its SVLAN.'),
            models.UniqueConstraint(fields=('qinq_svlan', 'name'), name='ipam_vlan_unique_qinq_svlan_name',
                                    violation_error_message='VLAN name must be unique within its SVLAN.'),
        ]

    def __str__(self):
        return f'{self.name} ({self.vid})'

    def clean(self):
        super().clean()
        errors = {}
        if self.group_id and self.vid is not None and self.group.vid_ranges and \
                not any(r.lower <= self.vid < r.upper for r in self.group.vid_ranges):
            ranges = ', '.join(f'{r.lower}-{r.upper - 1}' for r in self.group.vid_ranges)
            errors['vid'] = f'VID must be in the ranges {ranges} of VLAN group {self.group}.'
        if self.qinq_svlan_id and self.qinq_role != 'cvlan':
            errors['qinq_svlan'] = 'Only customer VLANs (Q-in-Q role cvlan) can have a service VLAN.'
        if self.qinq_role == 'cvlan' and not self.qinq_svlan_id:
            errors['qinq_svlan'] = 'A customer VLAN must be assigned to a service VLAN.'
        if errors:
            raise ValidationError(errors)


class VLANTranslationPolicy(PrimaryModel):
    """A named set of VID translation rules applied to interfaces."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ('name',)
        verbose_name = 'VLAN translation policy'
        verbose_name_plural = 'VLAN translation policies'

    def __str__(self):
        return self.name


class VLANTranslationRule(NetBoxModel):
    """One mapping of a local VID to a remote VID within a policy."""

    policy = models.ForeignKey(VLANTranslationPolicy, on_delete=models.CASCADE, related_name='rules')
    description = models.CharField(max_length=200, blank=True)
    local_vid = models.PositiveSmallIntegerField(verbose_name='local VLAN ID', validators=vid_validators)
    remote_vid = models.PositiveSmallIntegerField(verbose_name='remote VLAN ID', validators=vid_validators)

    class Meta:
        ordering = ('policy', 'local_vid', 'pk')
        verbose_name = 'VLAN translation rule'
        constraints = [
            models.UniqueConstraint(fields=('policy', 'local_vid'), name='ipam_vlantranslationrule_unique_local_vid',
                                    violation_error_message='Each local VID may be translated once per policy.'),
            models.UniqueConstraint(fields=('policy', 'remote_vid'),
                                    name='ipam_vlantranslationrule_unique_remote_vid',
                                    violation_error_message='Each remote VID may be translated once per policy.'),
        ]

    def __str__(self):
        return f'{self.local_vid} -> {self.remote_vid} ({self.policy})'
