"""Saved filters (named sets of list filter parameters) and table configurations (named column sets), both
belonging to a user and optionally shared with everyone."""
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from netbox.models import ChangeLoggedModel, RestrictedQuerySet


class UsableQuerySet(RestrictedQuerySet):
    """Objects a user may apply: enabled, and theirs or shared."""

    def usable_by(self, user):
        mine = Q(user=user) if user is not None and user.is_authenticated else Q(pk__in=[])
        return self.filter(Q(enabled=True) & (Q(shared=True) | mine))


class SavedFilter(ChangeLoggedModel):
    """A named set of filter parameters for the lists of some object types, applied with `?filter_id=<id>` (or
    `?filter=<slug>`) on any list, in the UI or the REST API."""

    object_types = models.ManyToManyField(ContentType, related_name='saved_filters')
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, blank=True, null=True,
                             related_name='+')
    weight = models.PositiveSmallIntegerField(default=100)
    enabled = models.BooleanField(default=True)
    shared = models.BooleanField(default=True)
    parameters = models.JSONField(help_text='Filter parameters as a JSON object, e.g. {"status": ["active"]}')
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')

    objects = UsableQuerySet.as_manager()

    class Meta:
        ordering = ('weight', 'name')

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not isinstance(self.parameters, dict):
            raise ValidationError({'parameters': 'Give the filter parameters as a JSON object.'})
        for key, value in self.parameters.items():
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(item, (str, int, float, bool)) for item in values):
                raise ValidationError({'parameters': f'"{key}" must be a string, number or boolean, or a list of '
                                                     'them.'})

    def query_items(self):
        """The parameters as (name, [value, ...]) pairs, values as text the way a query string holds them."""
        for key, value in (self.parameters or {}).items():
            values = value if isinstance(value, list) else [value]
            yield key, [str(item).lower() if isinstance(item, bool) else str(item) for item in values]


class TableConfig(ChangeLoggedModel):
    """A named choice of columns (and ordering) for one table, a user's own or shared."""

    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name='table_configs')
    table = models.CharField(max_length=100)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, blank=True, null=True,
                             related_name='+')
    weight = models.PositiveSmallIntegerField(default=1000)
    enabled = models.BooleanField(default=True)
    shared = models.BooleanField(default=True)
    columns = ArrayField(base_field=models.CharField(max_length=100))
    ordering = ArrayField(base_field=models.CharField(max_length=100), blank=True, null=True)

    objects = UsableQuerySet.as_manager()

    class Meta:
        ordering = ('weight', 'name')

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.columns:
            raise ValidationError({'columns': 'Choose at least one column.'})
        model = self.object_type.model_class() if self.object_type_id else None
        if self.object_type_id and model is None:
            raise ValidationError({'object_type': 'This object type has no model.'})
        if model is not None:
            from netbox.registry import registry

            declaration = registry.get(model)
            if declaration is None:
                raise ValidationError({'object_type': f'{model._meta.verbose_name_plural} have no table.'})
            from netbox.ui.tables import available_columns

            available = available_columns(declaration)
            unknown = [name for name in self.columns if name not in available]
            if unknown:
                raise ValidationError({'columns': f'Unknown column(s) {", ".join(unknown)}; the table offers '
                                                  f'{", ".join(available)}.'})
            bad = [name for name in self.ordering or () if name.lstrip('-') not in available]
            if bad:
                raise ValidationError({'ordering': f'Unknown column(s) {", ".join(bad)}.'})
