"""First-hop redundancy groups (VRRP, HSRP, CARP...) and their assignment to interfaces."""
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from netbox.models import ChangeLoggedModel, GenericForeignKey, PrimaryModel

from ..choices import FHRP_AUTH_TYPE, FHRP_PROTOCOL

# Objects an FHRP group can be assigned to (virtualization.vminterface joins when that app is built).
FHRP_ASSIGNMENT_MODELS = models.Q(app_label='dcim', model='interface') | models.Q(
    app_label='virtualization', model='vminterface')


class FHRPGroup(PrimaryModel):
    """A group of interfaces sharing virtual addresses through a first-hop redundancy protocol."""

    group_id = models.PositiveSmallIntegerField(verbose_name='group ID', validators=[MaxValueValidator(32767)])
    name = models.CharField(max_length=100, blank=True)
    protocol = models.CharField(max_length=50, choices=FHRP_PROTOCOL)
    auth_type = models.CharField(max_length=50, choices=FHRP_AUTH_TYPE, blank=True, null=True,
                                 verbose_name='authentication type')
    auth_key = models.CharField(max_length=255, blank=True, verbose_name='authentication key')
    ip_addresses = GenericRelation('ipam.IPAddress', content_type_field='assigned_object_type',
                                   object_id_field='assigned_object_id', related_query_name='fhrpgroup')

    class Meta:
        ordering = ('protocol', 'group_id', 'pk')
        verbose_name = 'FHRP group'

    def __str__(self):
        name = f'{self.get_protocol_display()}: {self.group_id}'
        return f'{name} ({self.name})' if self.name else name


class FHRPGroupAssignment(ChangeLoggedModel):
    """Puts an interface into an FHRP group with a priority."""

    interface_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.CASCADE, related_name='+',
                                       limit_choices_to=FHRP_ASSIGNMENT_MODELS)
    interface_id = models.PositiveBigIntegerField()
    interface = GenericForeignKey(ct_field='interface_type', fk_field='interface_id')
    group = models.ForeignKey(FHRPGroup, on_delete=models.CASCADE, related_name='assignments')
    priority = models.PositiveSmallIntegerField(validators=[MaxValueValidator(255)])

    class Meta:
        ordering = ('-priority', 'pk')
        verbose_name = 'FHRP group assignment'
        indexes = [models.Index(fields=('interface_type', 'interface_id'), name='ipam_fhrpassign_interface')]
        constraints = [
            models.UniqueConstraint(fields=('interface_type', 'interface_id', 'group'),
                                    name='ipam_fhrpgroupassignment_unique_interface_group',
                                    violation_error_message='This interface is already in this group.'),
        ]

    def __str__(self):
        return f'{self.interface}: {self.group} ({self.priority})'

    def clean(self):
        super().clean()
        # The type is checked against FHRP_ASSIGNMENT_MODELS by the field; the object must exist too.
        if self.interface_type_id and self.interface_id is not None:
            model = self.interface_type.model_class()
            if model is None or not model._default_manager.filter(pk=self.interface_id).exists():
                raise ValidationError({'interface_id': f'No {self.interface_type.name} with ID {self.interface_id}.'})
