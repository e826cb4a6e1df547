"""Wireless: LANs (SSIDs) in groups, and point-to-point links between two wireless interfaces."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction

from dcim.models.scope import CachedScopeMixin
from netbox.models import NestedGroupModel, PrimaryModel

from .choices import AUTH_CIPHER, AUTH_TYPE, DISTANCE_UNIT, WIRELESS_LAN_STATUS, WIRELESS_LINK_STATUS


class WirelessAuthenticationMixin(models.Model):
    """Authentication type, cipher and pre-shared key of a LAN or a link."""

    auth_type = models.CharField(max_length=50, choices=AUTH_TYPE, blank=True, null=True,
                                 verbose_name='authentication type')
    auth_cipher = models.CharField(max_length=50, choices=AUTH_CIPHER, blank=True, null=True,
                                   verbose_name='authentication cipher')
    auth_psk = models.CharField(max_length=64, blank=True, verbose_name='pre-shared key')

    class Meta:
        abstract = True


class WirelessLANGroup(NestedGroupModel):
    """A tree of groups that wireless LANs are filed in."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ('name', 'pk')
        verbose_name = 'wireless LAN group'


class WirelessLAN(WirelessAuthenticationMixin, CachedScopeMixin, PrimaryModel):
    """A wireless network (SSID), optionally bridged to a VLAN and scoped to a place."""

    ssid = models.CharField(max_length=32, verbose_name='SSID')
    group = models.ForeignKey(WirelessLANGroup, on_delete=models.SET_NULL, related_name='wireless_lans', blank=True,
                              null=True)
    status = models.CharField(max_length=50, choices=WIRELESS_LAN_STATUS, default='active')
    vlan = models.ForeignKey('ipam.VLAN', on_delete=models.PROTECT, related_name='wireless_lans', blank=True,
                             null=True, verbose_name='VLAN')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='wireless_lans', blank=True,
                               null=True)

    class Meta:
        ordering = ('ssid', 'pk')
        verbose_name = 'wireless LAN'
        indexes = [models.Index(fields=('scope_type', 'scope_id'), name='wireless_wirelesslan_scope')]

    def __str__(self):
        return self.ssid


def _is_wireless(interface):
    return interface is not None and interface.is_wireless


class WirelessLink(WirelessAuthenticationMixin, PrimaryModel):
    """A point-to-point wireless connection between two wireless interfaces; it takes part in paths like a cable."""

    interface_a = models.ForeignKey('dcim.Interface', on_delete=models.PROTECT, related_name='+',
                                    verbose_name='interface A')
    interface_b = models.ForeignKey('dcim.Interface', on_delete=models.PROTECT, related_name='+',
                                    verbose_name='interface B')
    ssid = models.CharField(max_length=32, blank=True, verbose_name='SSID')
    status = models.CharField(max_length=50, choices=WIRELESS_LINK_STATUS, default='connected')
    tenant = models.ForeignKey('tenancy.Tenant', on_delete=models.PROTECT, related_name='wireless_links',
                               blank=True, null=True)
    distance = models.DecimalField(max_digits=8, decimal_places=2, blank=True, null=True,
                                   validators=[MinValueValidator(-1000000), MaxValueValidator(1000000)])
    distance_unit = models.CharField(max_length=50, choices=DISTANCE_UNIT, blank=True, null=True)
    # The devices of both ends, cached so that links are filtered by device with plain joins.
    _interface_a_device = models.ForeignKey('dcim.Device', on_delete=models.CASCADE, related_name='+', blank=True,
                                            null=True)
    _interface_b_device = models.ForeignKey('dcim.Device', on_delete=models.CASCADE, related_name='+', blank=True,
                                            null=True)

    # Saving updates both interfaces and their paths: one object at a time.
    set_wise_save = False

    class Meta:
        ordering = ('pk',)
        verbose_name = 'wireless link'
        constraints = [
            models.UniqueConstraint(fields=('interface_a', 'interface_b'), name='wireless_wirelesslink_unique_ends',
                                    violation_error_message='These interfaces are already linked.'),
        ]

    def __str__(self):
        return self.ssid or f'#{self.pk}'

    def clean(self):
        super().clean()
        errors = {}
        for end in ('interface_a', 'interface_b'):
            interface = getattr(self, end) if getattr(self, f'{end}_id') else None
            if interface is None:
                continue
            if not _is_wireless(interface):
                errors[end] = f'{interface} is not a wireless interface ({interface.type}).'
            elif interface.cable_id:
                errors[end] = f'{interface} is cabled; a wireless link needs a free interface.'
            elif interface.wireless_link_id and interface.wireless_link_id != self.pk:
                errors[end] = f'{interface} is already in another wireless link.'
        if self.interface_a_id and self.interface_a_id == self.interface_b_id:
            errors['interface_b'] = 'A link joins two different interfaces.'
        if self.distance is not None and not self.distance_unit:
            errors['distance_unit'] = 'Give a unit with the distance.'
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        from dcim.models import Interface

        if self.distance is None:
            self.distance_unit = None
        self._interface_a_device_id = self.interface_a.device_id
        self._interface_b_device_id = self.interface_b.device_id
        previous = None
        if self.pk:
            previous = type(self).objects.filter(pk=self.pk).values_list('interface_a_id', 'interface_b_id').first()
        with transaction.atomic():
            super().save(*args, **kwargs)
            ends = [self.interface_a_id, self.interface_b_id]
            released = [pk for pk in (previous or ()) if pk not in ends]
            if released:
                Interface.objects.filter(pk__in=released).update(wireless_link=None)
            Interface.objects.filter(pk__in=ends).update(wireless_link=self)
            rebuild_link_paths(ends + released)

def rebuild_link_paths(interface_ids):
    """Recompute the paths of the given interfaces (and of paths through them) after a link changed."""
    from dcim.cabling import affected_paths, rebuild_paths
    from dcim.models import Interface

    interfaces = list(Interface.objects.filter(pk__in=interface_ids))
    rebuild_paths(affected_paths(interfaces), extra_terminations=interfaces)
