"""Image attachments: pictures (a rack's front, a site's floor plan) uploaded onto an object.

The files go through Django's default storage: the local MEDIA_ROOT directory unless STORAGE_BACKEND or STORAGES
name another (see configuration_loader). Deleting an attachment deletes its file once the deletion is committed.
"""
import os
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from netbox.models import ChangeLoggedModel, GenericForeignKey, NetBoxModel, RestrictedQuerySet

# Image formats accepted (Pillow's names); others (and files Pillow cannot read) are refused.
IMAGE_FORMATS = {'PNG', 'JPEG', 'GIF', 'WEBP', 'BMP', 'TIFF'}
IMAGE_EXTENSIONS = {'PNG': 'png', 'JPEG': 'jpg', 'GIF': 'gif', 'WEBP': 'webp', 'BMP': 'bmp', 'TIFF': 'tiff'}


def accepts_attachments(model):
    """Whether objects of `model` take image attachments: every object with custom fields and tags
    (NetBoxModel), except journal entries."""
    from .journal import JournalEntry

    return isinstance(model, type) and issubclass(model, NetBoxModel) and model is not JournalEntry


def max_image_size():
    """The largest upload accepted, in bytes: IMAGE_ATTACHMENT_MAX_SIZE (default 10 MiB)."""
    return getattr(settings, 'IMAGE_ATTACHMENT_MAX_SIZE', 10 * 1024 * 1024)


def image_upload_path(instance, filename):
    """Where a new image is stored: image-attachments/<model>_<object id>_<random>.<extension>. The user's file
    name is kept in `name` only, never in a path."""
    extension = os.path.splitext(filename)[1].lower().lstrip('.')
    extension = extension if extension.isalnum() and len(extension) <= 5 else 'img'
    model = instance.object_type.model if instance.object_type_id else 'object'
    return f'image-attachments/{model}_{instance.object_id}_{uuid.uuid4().hex[:12]}.{extension}'


def validate_image(upload):
    """Refuse what is not an image Pillow can read, in an accepted format, within the size limit."""
    from PIL import Image, UnidentifiedImageError

    limit = max_image_size()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(f'The file is {upload.size} bytes; images may be at most {limit} bytes.')
    position = upload.tell() if hasattr(upload, 'tell') else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError('Upload a valid image (PNG, JPEG, GIF, WebP, BMP or TIFF); this file is not one.')
    finally:
        upload.seek(position)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(f'{image_format} images are not accepted; use PNG, JPEG, GIF, WebP, BMP or TIFF.')


class ImageAttachment(ChangeLoggedModel):
    """An image attached to an object; its height, width and size in bytes are read from the file."""

    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name='+')
    object_id = models.PositiveBigIntegerField()
    parent = GenericForeignKey(ct_field='object_type', fk_field='object_id')
    image = models.ImageField(upload_to=image_upload_path, height_field='image_height', width_field='image_width',
                              max_length=200)
    image_height = models.PositiveIntegerField(editable=False, default=0)
    image_width = models.PositiveIntegerField(editable=False, default=0)
    image_size = models.PositiveBigIntegerField(editable=False, default=0)
    name = models.CharField(max_length=50, blank=True)
    description = models.CharField(max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('name', 'pk')
        indexes = [models.Index(fields=('object_type', 'object_id'))]

    def __str__(self):
        return self.name or self.filename

    @property
    def filename(self):
        return os.path.basename(self.image.name) if self.image else ''

    def clean(self):
        super().clean()
        if self.object_type_id is not None and self.object_id is not None:
            model = self.object_type.model_class()
            if not accepts_attachments(model):
                raise ValidationError({'object_type': f'{self.object_type} objects take no image attachments.'})
            if not model._default_manager.filter(pk=self.object_id).exists():
                raise ValidationError({'object_id': f'No {model._meta.verbose_name} with ID {self.object_id}.'})
        upload = getattr(self.image, 'file', None) if self.image and not self.image._committed else None
        if upload is not None:
            try:
                validate_image(upload)
            except ValidationError as error:
                raise ValidationError({'image': error.messages})

    def save(self, *args, **kwargs):
        if self.image:
            try:
                self.image_size = self.image.size
            except (OSError, ValueError):
                pass  # the stored file is missing: keep the size known
        replaced = None
        if self.pk and self.image and not self.image._committed:
            replaced = type(self).objects.filter(pk=self.pk).values_list('image', flat=True).first()
        super().save(*args, **kwargs)
        if replaced and replaced != self.image.name:
            # A new image replaces the file: the old one goes once the change is committed.
            storage = self.image.storage
            transaction.on_commit(lambda: storage.delete(replaced))


@receiver(post_delete, sender=ImageAttachment, dispatch_uid='image_attachment_file_deleted')
def delete_image_file(sender, instance, **kwargs):
    """The file goes with its attachment, once the deletion is committed (a rolled-back delete keeps it)."""
    name, storage = instance.image.name, instance.image.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
