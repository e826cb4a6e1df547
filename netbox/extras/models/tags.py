"""Tags: coloured labels attached to objects."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import slugify
from taggit.models import GenericTaggedItemBase, TagBase

from netbox.models import ChangeLoggedModel, RestrictedQuerySet, color_validator


class Tag(ChangeLoggedModel, TagBase):
    """A label (with a colour) that can be attached to objects of the allowed types."""

    color = models.CharField(max_length=6, default='9e9e9e', validators=[color_validator])
    description = models.CharField(max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(default=1000)
    object_types = models.ManyToManyField(ContentType, related_name='+', blank=True,
                                          help_text='Object types the tag may be applied to (empty: any)')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('weight', 'name')


    def slugify(self, tag, i=None):
        slug = slugify(tag)[:100]
        return f'{slug}_{i}' if i else slug


class TaggedItem(GenericTaggedItemBase):
    """The link between a tag and one tagged object."""

    tag = models.ForeignKey(Tag, related_name='%(app_label)s_%(class)s_items', on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=('content_type', 'object_id'))]
