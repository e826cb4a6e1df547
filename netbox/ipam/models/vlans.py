"""VLANs, VLAN groups (scoped, with ranges of usable VIDs) and VLAN translation policies."""
import itertools

from django import forms
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.fields import ArrayField, IntegerRangeField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.postgresql.psycopg_any import NumericRange

from dcim.models.scope import SCOPE_MODELS, CachedScopeMixin
from netbox.models import NetBoxModel, PrimaryModel
from tenancy.models import ContactsMixin

from ..choices import VLAN_QINQ_ROLE, VLAN_STATUS, VLAN_VID_MAX, VLAN_VID_MIN


class VIDRange(NumericRange):
    """A range of VLAN IDs, stored half-open as PostgreSQL normalises int4range, shown inclusive ("100-199")."""

    @property
    def first(self):
        return self.lower

    @property
    def last(self):
        return self.upper - 1

    def __str__(self):
        return f'{self.first}-{self.last}'


def vid_range(first, last):
    """The VIDRange of the inclusive VIDs first..last."""
    return VIDRange(first, last + 1)


def parse_vid_ranges(text):
    """ "1-99,200" -> [VIDRange(1, 100), VIDRange(200, 201)]; ValueError on anything else."""
    out = []
    for part in str(text).replace(' ', '').split(','):
        if not part:
            continue
        first, _, last = part.partition('-')
        first = int(first)
        out.append(vid_range(first, int(last) if last else first))
    return out


class VIDRangeField(IntegerRangeField):
    """An int4range read back as a VIDRange."""

    range_type = VIDRange

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, VIDRange) or value.isempty:
            return value
        return VIDRange(value.lower, value.upper, value.bounds)


class VIDRangesFormField(forms.CharField):
    """VID ranges written as text, e.g. "1-99,200-299,400"."""

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ','.join(str(item) for item in value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, (list, tuple)):
            return list(value)
        if not value:
            return []
        try:
            return parse_vid_ranges(value)
        except ValueError:
            raise ValidationError('Give VLAN ID ranges as "first-last" separated by commas, e.g. "1-99,200".')


class VIDRangesField(ArrayField):
    """The VID ranges of a VLAN group."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault('base_field', VIDRangeField())
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop('base_field', None)
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, list):
            return [VIDRange(item.lower, item.upper, item.bounds) if isinstance(item, NumericRange) and
                    not isinstance(item, VIDRange) else item for item in value]
        return value

    def formfield(self, **kwargs):
        options = {'form_class': VIDRangesFormField, 'help_text': 'e.g. 1-99,200-299 (inclusive)'}
        options.update(kwargs)
        return models.Field.formfield(self, **options)


def default_vid_ranges():
    return [vid_range(VLAN_VID_MIN, VLAN_VID_MAX)]


def validate_vid_ranges(ranges):
    """The rules of a group's VID ranges: within 1-4094, first <= last, no overlaps. Returns error messages."""
    errors = []
    ordered = []
    for item in ranges or ():
        if item is None or item.lower is None or item.upper is None or item.isempty:
            errors.append('Each range needs a first and a last VLAN ID, the first not above the last.')
            continue
        first, last = item.lower, item.upper - 1
        if first < VLAN_VID_MIN or last > VLAN_VID_MAX:
            errors.append(f'Range {first}-{last} is outside {VLAN_VID_MIN}-{VLAN_VID_MAX}.')
        ordered.append((first, last))
    ordered.sort()
    for (first_a, last_a), (first_b, last_b) in itertools.pairwise(ordered):
        if first_b <= last_a:
            errors.append(f'Ranges {first_a}-{last_a} and {first_b}-{last_b} overlap.')
    return errors


vid_validators = [MinValueValidator(VLAN_VID_MIN), MaxValueValidator(VLAN_VID_MAX)]


class VLANGroup(CachedScopeMixin, PrimaryModel):
    """A set of VLANs whose IDs and names are unique within it, scoped to a place, with the VID ranges it may use."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    vid_ranges = VIDRangesField(default=default_vid_ranges, verbose_name='VLAN ID ranges')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='vlan_groups', blank=True,
                               null=True)
    total_vlan_ids = models.PositiveBigIntegerField(default=VLAN_VID_MAX, editable=False)

    scope_models = SCOPE_MODELS + ('rack', 'rackgroup')
    other_scope_models = ('virtualization.cluster', 'virtualization.clustergroup')
    # VLAN groups may also be scoped to a rack or a rack group, a cluster or a cluster group.
    scope_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                   blank=True, null=True,
                                   limit_choices_to=models.Q(app_label='dcim', model__in=scope_models) | models.Q(
                                       app_label='virtualization', model__in=('cluster', 'clustergroup')))

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

    def clean(self):
        super().clean()
        errors = validate_vid_ranges(self.vid_ranges)
        if not errors and not self.vid_ranges:
            errors = ['Give at least one range of VLAN IDs.']
        if errors:
            raise ValidationError({'vid_ranges': errors})
        if self.pk:
            # The VLANs already in the group must stay within its ranges.
            outside = self.vlans.exclude(self.vid_condition()).order_by('vid').values_list('vid', flat=True)
            outside = list(outside[:10])
            if outside:
                listed = ', '.join(str(vid) for vid in outside)
                raise ValidationError({'vid_ranges': f'VLANs of this group use VIDs outside these ranges: {listed}.'})

    def vid_condition(self, field='vid'):
        """Q: a VID (of `field`) within the group's ranges."""
        condition = models.Q(pk__in=[])
        for item in self.vid_ranges or ():
            condition |= models.Q(**{f'{field}__gte': item.lower, f'{field}__lt': item.upper})
        return condition

    def save(self, *args, **kwargs):
        self.total_vlan_ids = sum(r.upper - r.lower for r in self.vid_ranges or () if r.upper is not None and
                                  r.lower is not None)
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
    l2vpn_terminations = GenericRelation('vpn.L2VPNTermination', content_type_field='assigned_object_type',
                                         object_id_field='assigned_object_id', related_query_name='vlan')
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
        if self.group_id and self.site_id and 'group' not in errors:
            message = self.group_site_conflict()
            if message:
                errors['group'] = message
        if self.qinq_svlan_id and self.qinq_role != 'cvlan':
            errors['qinq_svlan'] = 'Only customer VLANs (Q-in-Q role cvlan) can have a service VLAN.'
        elif self.qinq_svlan_id and self.qinq_svlan.qinq_role != 'svlan':
            errors['qinq_svlan'] = f'{self.qinq_svlan} is not a service VLAN (Q-in-Q role svlan).'
        elif self.qinq_svlan_id and self.pk and self.qinq_svlan_id == self.pk:
            errors['qinq_svlan'] = 'A VLAN cannot be its own service VLAN.'
        if self.qinq_role == 'cvlan' and not self.qinq_svlan_id:
            errors['qinq_svlan'] = 'A customer VLAN must be assigned to a service VLAN.'
        if errors:
            raise ValidationError(errors)


    def group_site_conflict(self):
        """Why the VLAN's site lies outside its group's scope, or None when it doesn't."""
        from dcim.models import Region, SiteGroup

        group, site = self.group, self.site
        if not group.scope_type_id or group.scope is None:
            return None
        kind = group.scope_type.model
        if kind in ('site', 'location', 'rack'):
            inside = group._site_id == site.pk
        elif kind == 'region':
            inside = site.region_id is not None and Region.objects.filter(
                pk=site.region_id, tree_id=group.scope.tree_id, lft__gte=group.scope.lft,
                lft__lte=group.scope.rght).exists()
        elif kind == 'sitegroup':
            inside = site.group_id is not None and SiteGroup.objects.filter(
                pk=site.group_id, tree_id=group.scope.tree_id, lft__gte=group.scope.lft,
                lft__lte=group.scope.rght).exists()
        else:
            inside = True  # a rack group is not tied to any site
        if inside:
            return None
        return (f'VLAN group {group} is scoped to {group.scope_type.name} {group.scope}; a VLAN at site {site} '
                'cannot be in it.')


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
