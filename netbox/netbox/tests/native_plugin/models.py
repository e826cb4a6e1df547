"""Widgets."""
from django.db import models

from netbox.models import PrimaryModel


class Widget(PrimaryModel):
    """A widget of some size, kept at a site."""

    name = models.CharField(max_length=100, unique=True)
    size = models.PositiveIntegerField(default=1)
    site = models.ForeignKey('dcim.Site', on_delete=models.SET_NULL, related_name='widgets', blank=True, null=True)

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name
