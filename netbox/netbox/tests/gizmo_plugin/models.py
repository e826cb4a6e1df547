"""Gizmos, and gizmos mounted in devices."""
from django.db import models
from django.urls import reverse

from netbox.models import NetBoxModel, PrimaryModel

from .choices import GizmoKindChoices


class Gizmo(PrimaryModel):
    """A kind of part kept in stock."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=30, choices=GizmoKindChoices, default=GizmoKindChoices.KIND_SENSOR)
    part_number = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse('plugins:gizmo_plugin:gizmo', args=[self.pk])


class GizmoMount(NetBoxModel):
    """A gizmo mounted in a device, in a numbered slot."""

    device = models.ForeignKey('dcim.Device', on_delete=models.CASCADE, related_name='gizmo_mounts')
    gizmo = models.ForeignKey(Gizmo, on_delete=models.PROTECT, related_name='mounts')
    slot = models.PositiveIntegerField()
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ('device', 'slot')
        constraints = [models.UniqueConstraint(fields=('device', 'slot'), name='gizmo_plugin_mount_unique_slot')]

    def __str__(self):
        return f'{self.gizmo} in slot {self.slot}'

    def get_absolute_url(self):
        return reverse('plugins:gizmo_plugin:gizmomount', args=[self.pk])
