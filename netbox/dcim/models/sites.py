"""Where things are: regions, site groups, sites and locations inside sites."""
import functools

from django.core.exceptions import ValidationError
from django.db import models
from mptt.models import TreeForeignKey

from netbox.models import NestedGroupModel, PrimaryModel
from tenancy.models import ContactsMixin

from ..choices import SITE_STATUS


class Region(ContactsMixin, NestedGroupModel):
    """A geographic area (continent, country, city...) in a tree."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)


class SiteGroup(ContactsMixin, NestedGroupModel):
    """A functional grouping of sites (campus, branch offices...) in a tree."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)


class Site(ContactsMixin, PrimaryModel):
    """A building or campus where equipment is installed."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    status = models.CharField(max_length=50, choices=SITE_STATUS, default='active')
    region = models.ForeignKey(Region, on_delete=models.SET_NULL, related_name='sites', blank=True, null=True)
    group = models.ForeignKey(SiteGroup, on_delete=models.SET_NULL, related_name='sites', blank=True, null=True)
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='sites', blank=True,
                               null=True)
    facility = models.CharField(max_length=50, blank=True)
    time_zone = models.CharField(max_length=63, blank=True, null=True)
    physical_address = models.CharField(max_length=200, blank=True)
    shipping_address = models.CharField(max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=6, blank=True, null=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, blank=True, null=True)

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.time_zone:
            if self.time_zone not in _time_zones():
                raise ValidationError({'time_zone': f'Unknown time zone "{self.time_zone}".'})
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({'latitude': 'Latitude must be between -90 and 90.'})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError({'longitude': 'Longitude must be between -180 and 180.'})


@functools.cache
def _time_zones():
    # Read from the system's zone files, which takes milliseconds: once per process.
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


class Location(ContactsMixin, NestedGroupModel):
    """A room, floor or cage inside a site, in a tree."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name='locations')
    parent = TreeForeignKey('self', on_delete=models.CASCADE, related_name='children', blank=True, null=True)
    status = models.CharField(max_length=50, choices=SITE_STATUS, default='active')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='locations', blank=True,
                               null=True)
    facility = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ('site', 'tree_id', 'lft')
        constraints = [
            models.UniqueConstraint(fields=('site', 'parent', 'name'), name='dcim_location_name',
                                    violation_error_message='A location with this name exists here already.'),
            models.UniqueConstraint(fields=('site', 'parent', 'slug'), name='dcim_location_slug',
                                    violation_error_message='A location with this slug exists here already.'),
        ]

    def clean(self):
        super().clean()
        if self.parent_id and self.site_id and self.parent.site_id != self.site_id:
            raise ValidationError({'parent': f'Parent location {self.parent} belongs to another site.'})


class LocationWithinSiteMixin(models.Model):
    """For models with both `site` and an optional `location`: the location must belong to that site."""

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.location_id and self.site_id and self.location.site_id != self.site_id:
            raise ValidationError({'location': f'Location {self.location} is not in site {self.site}.'})
