"""Bookmarks: objects a user marked to find again (on the dashboard and their bookmarks page)."""
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from netbox.models import AbsoluteURLMixin, GenericForeignKey, RestrictedQuerySet


class Bookmark(AbsoluteURLMixin, models.Model):
    """One user's bookmark of one object; not change-logged (as in NetBox)."""

    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name='+')
    object_id = models.PositiveBigIntegerField()
    object = GenericForeignKey(ct_field='object_type', fk_field='object_id')
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name='bookmarks')
    created = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('-created', 'pk')
        indexes = [models.Index(fields=('object_type', 'object_id'))]
        constraints = [models.UniqueConstraint(fields=('object_type', 'object_id', 'user'),
                                               name='extras_bookmark_unique_per_object_and_user',
                                               violation_error_message='You have already bookmarked this object.')]

    def __str__(self):
        return str(self.object) if self.object is not None else f'Bookmark {self.pk}'

    def clean(self):
        super().clean()
        check_object_exists(self)


def check_object_exists(instance):
    """A bookmark or subscription names an existing object."""
    if instance.object_type_id is None or instance.object_id is None:
        return
    model = instance.object_type.model_class()
    if model is None:
        raise ValidationError({'object_type': f'"{instance.object_type}" is not a model.'})
    if not model._default_manager.filter(pk=instance.object_id).exists():
        raise ValidationError({'object_id': f'No {model._meta.verbose_name} with ID {instance.object_id}.'})
