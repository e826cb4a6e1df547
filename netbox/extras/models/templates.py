"""Configuration templates: Jinja2 rendering a device's configuration."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from taggit.managers import TaggableManager

from core.models import SyncedDataMixin
from netbox.models import ChangeLoggedModel, RestrictedQuerySet

from ..rendering import ENVIRONMENT_PARAMS, clean_environment_params

__all__ = ('ENVIRONMENT_PARAMS', 'ConfigTemplate')


class UserTemplate:
    """What config and export templates share: Jinja2 code (which may follow a data file) with checked environment
    options, named by their name."""

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        clean_environment_params(self.environment_params)

    def apply_synced_content(self, content):
        self.template_code = content


class ConfigTemplate(UserTemplate, SyncedDataMixin, ChangeLoggedModel):
    """A Jinja2 template rendering a device's configuration from the device and its configuration context; its
    code may be written here or follow a file of a data source."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    environment_params = models.JSONField(blank=True, null=True, default=dict,
                                          help_text='Jinja2 environment options, e.g. {"trim_blocks": true}')
    template_code = models.TextField(help_text='Jinja2 template code')
    mime_type = models.CharField(max_length=50, blank=True, help_text='Defaults to text/plain')
    file_name = models.CharField(max_length=200, blank=True)
    file_extension = models.CharField(max_length=15, blank=True)
    as_attachment = models.BooleanField(default=True, help_text='Download the rendered text as a file')
    debug = models.BooleanField(default=False, help_text='Show the error location when rendering fails')
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')
    tags = TaggableManager(through='extras.TaggedItem', blank=True, ordering=('weight', 'name'))
    tagged_items = GenericRelation('extras.TaggedItem', content_type_field='content_type',
                                   object_id_field='object_id')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('name', 'pk')

    def render(self, context):
        """The template rendered with `context` in a sandbox; raises extras.rendering.RenderError."""
        from ..rendering import render_template

        return render_template(self, context)
