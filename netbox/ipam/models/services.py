"""Services (a protocol and ports listening on a device, VM or FHRP group) and templates for them."""
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from netbox.models import GenericForeignKey, PrimaryModel
from tenancy.models import ContactsMixin

from ..choices import SERVICE_PROTOCOL
from .fhrp import FHRPGroup

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

    def parent_object(self):
        """The parent, read afresh (None when the type or the object does not exist)."""
        if not self.parent_object_type_id or self.parent_object_id is None:
            return None
        model = self.parent_object_type.model_class()
        if model is None:
            return None
        return model._default_manager.filter(pk=self.parent_object_id).first()

    def clean(self):
        super().clean()
        # The type is checked against SERVICE_PARENT_MODELS by the field; the object must exist too.
        if self.parent_object_type_id and self.parent_object_id is not None and self.parent_object() is None:
            raise ValidationError({'parent_object_id': f'No {self.parent_object_type.name} with ID '
                                                       f'{self.parent_object_id}.'})

    def parent_ip_addresses(self, parent=None):
        """The IP addresses a service on its parent may be bound to: those of an FHRP group, or those assigned to the
        interfaces of a device (or virtual machine)."""
        from .ip import IPAddress

        parent = parent if parent is not None else self.parent_object()
        if parent is None:
            return IPAddress.objects.none()
        if isinstance(parent, FHRPGroup):
            return parent.ip_addresses.all()
        interfaces = getattr(parent, 'interfaces', None)
        if interfaces is None:
            return IPAddress.objects.none()
        return IPAddress.objects.filter(assigned_object_type=ContentType.objects.get_for_model(interfaces.model),
                                        assigned_object_id__in=interfaces.values('pk'))

    def clean_related(self, related):
        """Bound IP addresses must belong to the parent (given ones, or the current ones when only the parent
        changes)."""
        if 'ipaddresses' in related:
            addresses = list(related['ipaddresses'] or ())
        elif self.pk is not None:
            addresses = list(self.ipaddresses.all())
        else:
            addresses = []
        if not addresses:
            return
        allowed = set(self.parent_ip_addresses().filter(pk__in=[a.pk for a in addresses]).values_list('pk', flat=True))
        foreign = [str(address) for address in addresses if address.pk not in allowed]
        if foreign:
            raise ValidationError({'ipaddresses': f'IP addresses not belonging to the parent {self.parent_object()}: '
                                                  f'{", ".join(foreign)}.'})
