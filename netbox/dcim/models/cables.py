"""Cables, their terminations, and the precomputed paths signals take through them."""
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from netbox.models import FastLoadMixin, GenericForeignKey, PrimaryModel, RestrictedQuerySet, color_validator

from ..choices import CABLE_LENGTH_UNIT, CABLE_PROFILE, CABLE_STATUS, CABLE_TYPE


class CableBundle(PrimaryModel):
    """A named group of cables run together (a trunk, a harness, a conduit's contents)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ('name', 'pk')

    def __str__(self):
        return self.name


class Cable(PrimaryModel):
    """A physical connection between component terminations on its A and B sides."""

    type = models.CharField(max_length=50, choices=CABLE_TYPE, blank=True, null=True)
    status = models.CharField(max_length=50, choices=CABLE_STATUS, default='connected')
    profile = models.CharField(max_length=50, choices=CABLE_PROFILE, blank=True, null=True)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='cables', blank=True,
                               null=True)
    bundle = models.ForeignKey(CableBundle, on_delete=models.SET_NULL, related_name='cables', blank=True, null=True)
    label = models.CharField(max_length=100, blank=True)
    color = models.CharField(max_length=6, blank=True, validators=[color_validator])
    length = models.DecimalField(max_digits=8, decimal_places=2, blank=True, null=True,
                                 validators=[MinValueValidator(0)])
    length_unit = models.CharField(max_length=50, choices=CABLE_LENGTH_UNIT, blank=True, null=True)

    class Meta:
        ordering = ('label', 'pk')

    def __str__(self):
        return self.label or f'#{self.pk}'

    # Terminations given before save() (by the API or a script) are applied when the cable is saved.
    _pending_terminations = None

    def _side(self, end):
        if self._pending_terminations is not None:
            return self._pending_terminations[end]
        if not self.pk:
            return []
        # all() rather than filter() so a prefetched list of terminations is used.
        return [row.termination for row in self.terminations.all()
                if row.cable_end == end and row.termination is not None]

    @property
    def a_terminations(self):
        return self._side('A')

    @a_terminations.setter
    def a_terminations(self, value):
        self._pending_terminations = {'A': list(value), 'B': self._side('B')}

    @property
    def b_terminations(self):
        return self._side('B')

    @b_terminations.setter
    def b_terminations(self, value):
        self._pending_terminations = {'A': self._side('A'), 'B': list(value)}

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        if self.length is not None and not self.length_unit:
            raise ValidationError({'length_unit': 'Give a unit for the length.'})
        if self._pending_terminations is not None:
            from ..cabling import validate_terminations

            validate_terminations(self._pending_terminations['A'], self._pending_terminations['B'], self)
        elif not self.pk:
            raise ValidationError({'a_terminations': 'A new cable needs A and B terminations.'})
        elif self.profile:
            from ..cabling import validate_profile

            validate_profile(self, self._side('A'), self._side('B'))

    def save(self, *args, **kwargs):
        from django.db import transaction

        with transaction.atomic():
            super().save(*args, **kwargs)
            if self._pending_terminations is not None:
                from ..cabling import set_terminations

                pending, self._pending_terminations = self._pending_terminations, None
                set_terminations(self, pending['A'], pending['B'])
            elif self.pk:
                # A status change alters whether paths through this cable are active; a profile change moves its
                # terminations' connectors.
                from ..cabling import affected_paths, assign_connectors, rebuild_paths

                assign_connectors(self)
                rebuild_paths(affected_paths([self]))


class CableTermination(FastLoadMixin, models.Model):
    """One end point of a cable: which side (A or B) and which component it attaches to."""

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name='terminations')
    cable_end = models.CharField(max_length=1, choices=(('A', 'A'), ('B', 'B')))
    termination_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+')
    termination_id = models.PositiveBigIntegerField()
    termination = GenericForeignKey(ct_field='termination_type', fk_field='termination_id')
    # Where the cable's profile places this termination: which connector of its end, and which of that
    # connector's positions (lanes) it carries. Null on cables without a profile.
    connector = models.PositiveSmallIntegerField(blank=True, null=True, editable=False,
                                                 validators=[MinValueValidator(1), MaxValueValidator(256)])
    positions = ArrayField(models.PositiveSmallIntegerField(validators=[MinValueValidator(1),
                                                                        MaxValueValidator(1024)]),
                           blank=True, null=True, editable=False)
    created = models.DateTimeField(auto_now_add=True, blank=True, null=True)
    last_updated = models.DateTimeField(auto_now=True, blank=True, null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('cable', 'cable_end', 'pk')
        constraints = [
            models.UniqueConstraint(fields=('termination_type', 'termination_id'), name='dcim_cabletermination_once',
                                    violation_error_message='This component is already connected to a cable.'),
        ]

    def __str__(self):
        return f'Cable {self.cable_id} {self.cable_end}: {self.termination}'

    def get_absolute_url(self):
        return self.cable.get_absolute_url() if self.cable_id else ''


class CablePath(FastLoadMixin, models.Model):
    """
    A computed path from an origin component through cables (and patch panels) to its far end.

    `path` is a list of hops, each a list of 'content_type_id:object_id' references: origins, cable, far
    terminations, next cable... It is recomputed when cables or port mappings change, never when read.
    """

    path = models.JSONField(default=list)
    is_active = models.BooleanField(default=False)
    is_complete = models.BooleanField(default=False)
    is_split = models.BooleanField(default=False)

    class Meta:
        ordering = ('pk',)

    def __str__(self):
        return f'Path {self.pk} ({len(self.path)} hops)'

    @property
    def origins(self):
        return resolve_references(self.path[0]) if self.path else []

    @property
    def destinations(self):
        if not self.is_complete or len(self.path) < 3:
            return []
        return resolve_references(self.path[-1])


def reference(obj):
    from django.contrib.contenttypes.models import ContentType

    return f'{ContentType.objects.get_for_model(obj).pk}:{obj.pk}'


def resolve_references(references, nested=False):
    """The objects a list of 'ct:id' references point at, in order (missing ones are skipped); with nested=True
    they are only to be shown nested, and load only the columns that needs."""
    from django.contrib.contenttypes.models import ContentType

    from ..cabling import _endpoint_queryset

    by_type = {}
    for ref in references:
        ct_id, obj_id = (int(part) for part in ref.split(':'))
        by_type.setdefault(ct_id, []).append(obj_id)
    found = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        # Join what the nested representation shows (a port's device), so resolving adds no per-row queries.
        for obj in _endpoint_queryset(model, nested).filter(pk__in=ids):
            found[f'{ct_id}:{obj.pk}'] = obj
    return [found[ref] for ref in references if ref in found]
