"""
NetBox's model feature mixins, as plugins compose their models from them. The features that our machinery gives
every declared model (bookmarks, export templates, custom links, custom validation, event rules, notifications,
cloning) need nothing on the model: those mixins are empty. The others add the fields their feature reads.
"""
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from taggit.managers import TaggableManager

from . import ChangeLoggedModel, CustomFieldsMixin

__all__ = (
    'BookmarksMixin',
    'ChangeLoggingMixin',
    'CloningMixin',
    'ContactsMixin',
    'CustomFieldsMixin',
    'CustomLinksMixin',
    'CustomValidationMixin',
    'EventRulesMixin',
    'ExportTemplatesMixin',
    'ImageAttachmentsMixin',
    'JournalingMixin',
    'NotificationsMixin',
    'TagsMixin',
)

# created/last_updated, the change log, the permission-aware manager and the object's URL.
ChangeLoggingMixin = ChangeLoggedModel


class TagsMixin(models.Model):
    """Tags (extras.Tag) on the model's objects."""

    tags = TaggableManager(through='extras.TaggedItem', blank=True, ordering=('weight', 'name'))
    tagged_items = GenericRelation('extras.TaggedItem', content_type_field='content_type',
                                   object_id_field='object_id')

    class Meta:
        abstract = True


class JournalingMixin(models.Model):
    """Journal entries on the model's objects (deleted with them)."""

    journal_entries = GenericRelation('extras.JournalEntry', content_type_field='assigned_object_type',
                                      object_id_field='assigned_object_id')

    class Meta:
        abstract = True


class ImageAttachmentsMixin(models.Model):
    """Image attachments on the model's objects (deleted with them)."""

    images = GenericRelation('extras.ImageAttachment', content_type_field='object_type', object_id_field='object_id')

    class Meta:
        abstract = True


class ContactsMixin(models.Model):
    """Contact assignments on the model's objects."""

    contacts = GenericRelation('tenancy.ContactAssignment', content_type_field='object_type',
                               object_id_field='object_id', related_query_name='%(class)s')

    class Meta:
        abstract = True


class _Empty(models.Model):
    class Meta:
        abstract = True


class BookmarksMixin(_Empty):
    """Bookmarks (given to every declared model)."""

    class Meta:
        abstract = True


class CloningMixin(_Empty):
    """Cloning: `clone_fields` names the fields an "add another" form copies."""

    clone_fields = ()

    class Meta:
        abstract = True


class CustomLinksMixin(_Empty):
    """Custom links (given to every declared model)."""

    class Meta:
        abstract = True


class CustomValidationMixin(_Empty):
    """Custom validation rules (run for every change-logged model)."""

    class Meta:
        abstract = True


class EventRulesMixin(_Empty):
    """Event rules (given to every change-logged model)."""

    class Meta:
        abstract = True


class ExportTemplatesMixin(_Empty):
    """Export templates (given to every declared model)."""

    class Meta:
        abstract = True


class NotificationsMixin(_Empty):
    """Notifications and subscriptions (given to every declared model)."""

    class Meta:
        abstract = True
