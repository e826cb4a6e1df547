"""Export templates: Jinja2 turning a filtered list of objects into a file (a Nagios configuration, a CSV of one's
own design...)."""
from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import SyncedDataMixin
from netbox.models import ChangeLoggedModel, RestrictedQuerySet

from .templates import UserTemplate


class ExportTemplate(UserTemplate, SyncedDataMixin, ChangeLoggedModel):
    """A Jinja2 template rendering the objects of a list (the `queryset` variable) of the object types it applies
    to; offered under the Export button of their list pages. Its code may follow a file of a data source."""

    object_types = models.ManyToManyField(ContentType, related_name='export_templates')
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    template_code = models.TextField(help_text='Jinja2 template code; the objects are in `queryset`')
    environment_params = models.JSONField(blank=True, null=True, default=dict,
                                          help_text='Jinja2 environment options, e.g. {"trim_blocks": true}')
    mime_type = models.CharField(max_length=50, blank=True, help_text='Defaults to text/plain')
    file_name = models.CharField(max_length=200, blank=True, help_text='Defaults to netbox_<object type>')
    file_extension = models.CharField(max_length=15, blank=True, help_text='Without the dot, e.g. "txt"')
    as_attachment = models.BooleanField(default=True, help_text='Download the rendered text as a file')
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('name', 'pk')

    def render(self, queryset):
        """The template rendered with `queryset` in the sandbox; raises extras.rendering.RenderError."""
        from ..rendering import render_template

        return render_template(self, {'queryset': queryset})

    def file_name_for(self, model):
        """The download's name: file_name (or netbox_<model plural>) plus the extension, if any."""
        base = self.file_name or f'netbox_{model._meta.verbose_name_plural}'.replace(' ', '_')
        return f'{base}.{self.file_extension}' if self.file_extension else base
