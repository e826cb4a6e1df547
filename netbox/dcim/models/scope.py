"""
A scope: an object that applies to a region, a site group, a site or a location (prefixes, VLAN groups, and later
clusters and wireless LANs). The site, region, site group and location above the scope are cached on the row, so
`?site_id=` and `?region_id=` filter with plain joins.
"""
from django.core.exceptions import ValidationError
from django.db import models

from netbox.models import GenericForeignKey

# The models an object can be scoped to.
SCOPE_MODELS = ('region', 'sitegroup', 'site', 'location')


class CachedScopeMixin(models.Model):
    """scope_type/scope_id (a region, site group, site or location) and the cached place it lies in."""

    scope_type = models.ForeignKey('contenttypes.ContentType', on_delete=models.PROTECT, related_name='+',
                                   blank=True, null=True,
                                   limit_choices_to={'app_label': 'dcim', 'model__in': SCOPE_MODELS})
    scope_id = models.PositiveBigIntegerField(blank=True, null=True)
    scope = GenericForeignKey(ct_field='scope_type', fk_field='scope_id')
    _region = models.ForeignKey('dcim.Region', on_delete=models.CASCADE, related_name='_%(class)ss', blank=True,
                                null=True)
    _site_group = models.ForeignKey('dcim.SiteGroup', on_delete=models.CASCADE, related_name='_%(class)ss',
                                    blank=True, null=True)
    _site = models.ForeignKey('dcim.Site', on_delete=models.CASCADE, related_name='_%(class)ss', blank=True,
                              null=True)
    _location = models.ForeignKey('dcim.Location', on_delete=models.CASCADE, related_name='_%(class)ss',
                                  blank=True, null=True)

    # The kinds of object this model can be scoped to (VLAN groups add racks and rack groups), and kinds of other
    # apps as 'app_label.model' (VLAN groups: clusters and cluster groups).
    scope_models = SCOPE_MODELS
    other_scope_models = ()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        label = f'{self.scope_type.app_label}.{self.scope_type.model}' if self.scope_type_id else None
        if self.scope_type_id and label not in self.other_scope_models and (
                self.scope_type.app_label != 'dcim' or self.scope_type.model not in self.scope_models):
            kinds = ', '.join([f'dcim.{name}' for name in self.scope_models] + list(self.other_scope_models))
            raise ValidationError({'scope_type': f'A scope is one of: {kinds}.'})
        if self.scope_type_id and self.scope_id is None:
            raise ValidationError({'scope_id': 'Give the scope object with its type.'})
        if self.scope_id is not None and not self.scope_type_id:
            raise ValidationError({'scope_type': 'Give the scope type with the scope object.'})
        if self.scope_type_id and self.scope is None:
            raise ValidationError({'scope_id': f'No {self.scope_type.model} with ID {self.scope_id}.'})

    def cache_scope(self):
        """Set _region, _site_group, _site and _location from the scope."""
        self._region = self._site_group = self._site = self._location = None
        scope = self.scope if self.scope_type_id and self.scope_id else None
        if scope is None:
            return
        kind = self.scope_type.model
        if kind == 'region':
            self._region = scope
        elif kind == 'sitegroup':
            self._site_group = scope
        elif kind in ('rackgroup', 'clustergroup'):
            return
        elif kind == 'cluster':
            # A cluster lies where its own scope is.
            self._region_id, self._site_group_id = scope._region_id, scope._site_group_id
            self._site_id, self._location_id = scope._site_id, scope._location_id
        elif kind == 'rack':
            self._site_id, self._location_id = scope.site_id, scope.location_id
            self._region_id, self._site_group_id = scope.site.region_id, scope.site.group_id
        else:
            site = scope.site if kind == 'location' else scope
            self._location = scope if kind == 'location' else None
            self._site = site
            self._region_id = site.region_id
            self._site_group_id = site.group_id

    @classmethod
    def cache_scopes(cls, instances):
        """cache_scope() for many objects: their scopes fetched with one query per kind of scope."""
        from django.contrib.contenttypes.models import ContentType

        by_type = {}
        for obj in instances:
            if obj.scope_type_id and obj.scope_id:
                by_type.setdefault(obj.scope_type_id, set()).add(obj.scope_id)
        found = {}
        for type_id, ids in by_type.items():
            model = ContentType.objects.get_for_id(type_id).model_class()
            queryset = model._default_manager.filter(pk__in=ids)
            if any(f.name == 'site' for f in model._meta.concrete_fields):
                queryset = queryset.select_related('site')
            found.update({(type_id, obj.pk): obj for obj in queryset})
        for obj in instances:
            scope = found.get((obj.scope_type_id, obj.scope_id))
            if scope is not None:
                obj.scope = scope
            obj.cache_scope()

    def save(self, *args, **kwargs):
        self.cache_scope()
        super().save(*args, **kwargs)
