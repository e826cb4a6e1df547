"""Services (a protocol and ports listening on a device, VM or FHRP group) and templates for them."""
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from netbox.models import PrimaryModel
from tenancy.models import ContactsMixin

from ..choices import SERVICE_PROTOCOL

SERVICE_PARENT_MODELS = models.Q(app_label='dcim', model='device') | models.Q(
    app_label='virtualization', model='virtualmachine') | models.Q(app_label='ipam', model='fhrpgroup')


def ports_field():
    return ArrayField(models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(65535)]),
                      verbose_name='port numbers', blank=True, null=True)


def port_mappings_field():
    return ArrayField(models.CharField(max_length=100), blank=True, default=list)


class ServiceBase(PrimaryModel):
    """What services and their templates share: a protocol and ports."""

    protocol = models.CharField(max_length=50, choices=SERVICE_PROTOCOL, blank=True, null=True)
    ports = ports_field()
    port_mappings = port_mappings_field()

    class Meta:
        abstract = True

    @property
    def port_list(self):
        return ', '.join(str(port) for port in sorted(self.ports or ()))


class ServiceTemplate(ServiceBase):
    """A reusable definition of a service (SSH on TCP/22...)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


class Service(ContactsMixin, ServiceBase):
    """A layer-4 service on a device, virtual machine or FHRP group, optionally bound to some of its IPs."""

    parent_object_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                           limit_choices_to=SERVICE_PARENT_MODELS)
    parent_object_id = models.PositiveBigIntegerField()
    parent = GenericForeignKey(ct_field='parent_object_type', fk_field='parent_object_id')
    name = models.CharField(max_length=100)
    ipaddresses = models.ManyToManyField('ipam.IPAddress', related_name='services', blank=True,
                                         verbose_name='IP addresses')

    class Meta:
        ordering = ('name', 'pk')
        indexes = [models.Index(fields=('parent_object_type', 'parent_object_id'), name='ipam_service_parent')]

    def __str__(self):
        return f'{self.name} ({self.get_protocol_display()}/{self.port_list})' if self.protocol else self.name
