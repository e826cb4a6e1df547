"""Configuration templates: Jinja2 rendering a device's configuration."""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from taggit.managers import TaggableManager

from core.models import SyncedDataMixin
from netbox.models import ChangeLoggedModel, RestrictedQuerySet

# Jinja2 environment options a configuration template may set: plain values only (no loaders, no extensions,
# which would load code).
ENVIRONMENT_PARAMS = {
    'autoescape': bool, 'trim_blocks': bool, 'lstrip_blocks': bool, 'keep_trailing_newline': bool,
    'optimized': bool, 'newline_sequence': str, 'block_start_string': str, 'block_end_string': str,
    'variable_start_string': str, 'variable_end_string': str, 'comment_start_string': str,
    'comment_end_string': str, 'line_statement_prefix': str, 'line_comment_prefix': str,
}


class ConfigTemplate(SyncedDataMixin, ChangeLoggedModel):
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

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        params = self.environment_params
        if params is not None:
            if not isinstance(params, dict):
                raise ValidationError({'environment_params': 'Give the environment options as a JSON object.'})
            for key, value in params.items():
                kind = ENVIRONMENT_PARAMS.get(key)
                if kind is None:
                    raise ValidationError({'environment_params': f'Unknown or refused environment option "{key}"; '
                                                                 f'allowed: {", ".join(sorted(ENVIRONMENT_PARAMS))}.'})
                if not isinstance(value, kind) and not (kind is str and value is None):
                    raise ValidationError({'environment_params': f'"{key}" must be a {kind.__name__}.'})
            from ..rendering import environment_for

            try:
                environment_for(params)
            except (TypeError, ValueError, AssertionError) as error:
                reason = error or 'conflicting delimiters or newline sequence'
                raise ValidationError({'environment_params': f'Jinja2 refuses these options: {reason}.'})

    def apply_synced_content(self, content):
        self.template_code = content

    def render(self, context):
        """The template rendered with `context` in a sandbox; raises extras.rendering.RenderError."""
        from ..rendering import render_template

        return render_template(self, context)
