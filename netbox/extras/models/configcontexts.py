"""Configuration contexts: JSON data assigned to devices and virtual machines by where they are and what they are,
merged by weight into each object's `config_context`; profiles give the data a JSON schema."""

import json

import jsonschema
import yaml
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from taggit.managers import TaggableManager

from core.models import SyncedDataMixin
from netbox.models import ChangeLoggedModel, RestrictedQuerySet

# The assignment criteria: {field: (related model, tree?)}. A context with no objects of a kind matches any object;
# with some, the object must match one of them (for trees, one of the object's node's ancestors counts too).
CRITERIA = {
    'regions': ('dcim.Region', True),
    'site_groups': ('dcim.SiteGroup', True),
    'sites': ('dcim.Site', False),
    'locations': ('dcim.Location', True),
    'device_types': ('dcim.DeviceType', False),
    'roles': ('dcim.DeviceRole', True),
    'platforms': ('dcim.Platform', True),
    'cluster_types': ('virtualization.ClusterType', False),
    'cluster_groups': ('virtualization.ClusterGroup', False),
    'clusters': ('virtualization.Cluster', False),
    'tenant_groups': ('tenancy.TenantGroup', True),
    'tenants': ('tenancy.Tenant', False),
    'tags': ('extras.Tag', False),
}


def parse_structured_text(text, field):
    """JSON or YAML text as Python data; ValidationError naming `field` when it is neither."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError({field: f'The file is neither JSON nor YAML: {error}'})


def schema_error_path(error):
    """Where a JSON schema error lies in the data, as `data.a[0].b`."""
    path = 'data'
    for part in error.absolute_path:
        path += f'[{part}]' if isinstance(part, int) else f'.{part}'
    return path


class ConfigContextProfile(SyncedDataMixin, ChangeLoggedModel):
    """A JSON schema that the data of the configuration contexts using this profile must satisfy."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=200, blank=True)
    schema = models.JSONField(blank=True, null=True, help_text='A JSON schema the contexts\' data must satisfy')
    comments = models.TextField(blank=True)
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')
    tags = TaggableManager(through='extras.TaggedItem', blank=True, ordering=('weight', 'name'))
    tagged_items = GenericRelation('extras.TaggedItem', content_type_field='content_type',
                                   object_id_field='object_id')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.schema is not None:
            if not isinstance(self.schema, dict):
                raise ValidationError({'schema': 'Give the schema as a JSON object.'})
            try:
                jsonschema.validators.validator_for(self.schema).check_schema(self.schema)
            except jsonschema.SchemaError as error:
                raise ValidationError({'schema': f'Not a valid JSON schema: {error.message}'})

    def apply_synced_content(self, content):
        self.schema = parse_structured_text(content, 'data_file')
        self.clean()

    def validate_data(self, data):
        """Raise ValidationError on `data` naming the first place that breaks the schema."""
        if not self.schema:
            return
        # Formats ("ipv4", "date"...) are checked too: a schema that names one means it.
        kind = jsonschema.validators.validator_for(self.schema)
        validator = kind(self.schema, format_checker=kind.FORMAT_CHECKER)
        error = jsonschema.exceptions.best_match(validator.iter_errors(data))
        if error is not None:
            raise ValidationError({'data': f'{error.message} at {schema_error_path(error)} '
                                           f'(profile {self.name})'})


class ConfigContext(SyncedDataMixin, ChangeLoggedModel):
    """JSON data given to the devices and virtual machines that match its criteria; contexts are merged by weight
    (then name) into each object's configuration context, the object's local context data last."""

    name = models.CharField(max_length=100, unique=True)
    weight = models.PositiveSmallIntegerField(default=1000, validators=[MaxValueValidator(32767)],
                                              help_text='Heavier contexts are merged later and win')
    profile = models.ForeignKey(ConfigContextProfile, on_delete=models.PROTECT, related_name='config_contexts',
                                blank=True, null=True)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    regions = models.ManyToManyField('dcim.Region', related_name='+', blank=True)
    site_groups = models.ManyToManyField('dcim.SiteGroup', related_name='+', blank=True)
    sites = models.ManyToManyField('dcim.Site', related_name='+', blank=True)
    locations = models.ManyToManyField('dcim.Location', related_name='+', blank=True)
    device_types = models.ManyToManyField('dcim.DeviceType', related_name='+', blank=True)
    roles = models.ManyToManyField('dcim.DeviceRole', related_name='+', blank=True)
    platforms = models.ManyToManyField('dcim.Platform', related_name='+', blank=True)
    cluster_types = models.ManyToManyField('virtualization.ClusterType', related_name='+', blank=True)
    cluster_groups = models.ManyToManyField('virtualization.ClusterGroup', related_name='+', blank=True)
    clusters = models.ManyToManyField('virtualization.Cluster', related_name='+', blank=True)
    tenant_groups = models.ManyToManyField('tenancy.TenantGroup', related_name='+', blank=True)
    tenants = models.ManyToManyField('tenancy.Tenant', related_name='+', blank=True)
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')
    # Criteria, as in NetBox: the objects carrying any of these tags (a context has no tags of its own).
    tags = models.ManyToManyField('extras.Tag', related_name='+', blank=True)
    data = models.JSONField(help_text='A JSON object')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('weight', 'name')

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.validate_data()

    def validate_data(self):
        if not isinstance(self.data, dict):
            raise ValidationError({'data': 'Give the data as a JSON object ({"key": value, ...}).'})
        if self.profile_id:
            self.profile.validate_data(self.data)

    def apply_synced_content(self, content):
        self.data = parse_structured_text(content, 'data_file')
        self.validate_data()
