"""Tenants (who owns or uses resources) and contacts (whom to call about them)."""
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from netbox.models import GenericForeignKey, NestedGroupModel, NetBoxModel, OrganizationalModel, PrimaryModel


class ContactsMixin(models.Model):
    """Lets contacts be assigned to objects of this model."""

    contacts = GenericRelation('tenancy.ContactAssignment', content_type_field='object_type',
                               object_id_field='object_id', related_query_name='%(class)s')

    class Meta:
        abstract = True


class TenantGroup(NestedGroupModel):
    """A tree of tenant groups (for example by customer type or region)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ('tree_id', 'lft')


class Tenant(ContactsMixin, PrimaryModel):
    """An organisation or department that owns or uses resources."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    group = models.ForeignKey(TenantGroup, on_delete=models.SET_NULL, related_name='tenants', blank=True, null=True)

    class Meta:
        ordering = ('name',)
        constraints = [
            models.UniqueConstraint(fields=('group', 'name'), name='tenancy_tenant_unique_group_name',
                                    violation_error_message='Tenant name must be unique per group.'),
            models.UniqueConstraint(fields=('name',), condition=Q(group__isnull=True),
                                    name='tenancy_tenant_unique_name',
                                    violation_error_message='A tenant without a group with this name exists.'),
            models.UniqueConstraint(fields=('group', 'slug'), name='tenancy_tenant_unique_group_slug',
                                    violation_error_message='Tenant slug must be unique per group.'),
            models.UniqueConstraint(fields=('slug',), condition=Q(group__isnull=True),
                                    name='tenancy_tenant_unique_slug',
                                    violation_error_message='A tenant without a group with this slug exists.'),
        ]

    def __str__(self):
        return self.name


class ContactGroup(NestedGroupModel):
    """A tree of contact groups (for example by department)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ('tree_id', 'lft')


class ContactRole(OrganizationalModel):
    """The part a contact plays for an object (owner, NOC, billing...)."""


class Contact(PrimaryModel):
    """A person or team to contact about objects."""

    groups = models.ManyToManyField(ContactGroup, related_name='contacts', blank=True)
    name = models.CharField(max_length=100)
    title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    link = models.URLField(blank=True)

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


class ContactPriorityChoices:
    CHOICES = (('primary', 'Primary'), ('secondary', 'Secondary'), ('tertiary', 'Tertiary'),
               ('inactive', 'Inactive'))


class ContactAssignment(NetBoxModel):
    """Assigns a contact, in a role, to any object that accepts contacts."""

    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name='+')
    object_id = models.PositiveBigIntegerField()
    object = GenericForeignKey(ct_field='object_type', fk_field='object_id')
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name='assignments')
    role = models.ForeignKey(ContactRole, on_delete=models.PROTECT, related_name='assignments', blank=True,
                             null=True)
    priority = models.CharField(max_length=50, choices=ContactPriorityChoices.CHOICES, blank=True)

    class Meta:
        ordering = ('contact', 'priority', 'role', 'pk')
        indexes = [models.Index(fields=('object_type', 'object_id'))]
        constraints = [
            models.UniqueConstraint(fields=('object_type', 'object_id', 'contact', 'role'),
                                    name='tenancy_contactassignment_unique_object_contact_role',
                                    violation_error_message='This contact already has this role on the object.'),
        ]

    def __str__(self):
        return f'{self.contact} ({self.role})' if self.role_id else str(self.contact)
