"""The cached global search index: one row per indexed field value of every searchable object (netbox.cached_search
keeps it current and answers the global search from it)."""
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper

from netbox.models import GenericForeignKey

# GIN pending list limit (kB) of the trigram indexes: see GIN_STORAGE in netbox/netbox/search.py.
PENDING_LIST_LIMIT = 256


class CachedValue(models.Model):
    """One field value of one object as the global search sees it: the object's type and ID, the field's name, the
    value's kind ('str', 'int', 'float') and text, and its weight (lower ranks first). Rebuilt by manage.py reindex;
    written on every save and delete of an indexed object."""

    timestamp = models.DateTimeField(auto_now_add=True)
    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name='+')
    object_id = models.PositiveBigIntegerField()
    object = GenericForeignKey(ct_field='object_type', fk_field='object_id')
    field = models.CharField(max_length=200)
    type = models.CharField(max_length=30)
    value = models.TextField()
    weight = models.PositiveSmallIntegerField(default=1000)

    class Meta:
        ordering = ('weight', 'object_type', 'value', 'pk')
        verbose_name = 'cached value'
        verbose_name_plural = 'cached values'
        indexes = [
            models.Index(fields=('object_type', 'object_id'), name='extras_cachedvalue_object'),
            # Partial and exact matches compare UPPER(value) (Django's icontains and iexact); regular expressions
            # the value itself (iregex): a trigram index serves each.
            GinIndex(OpClass(Upper('value'), name='gin_trgm_ops'), name='extras_cachedvalue_upper_trgm',
                     gin_pending_list_limit=PENDING_LIST_LIMIT),
            GinIndex(OpClass('value', name='gin_trgm_ops'), name='extras_cachedvalue_value_trgm',
                     gin_pending_list_limit=PENDING_LIST_LIMIT),
        ]

    def __str__(self):
        return f'{self.object_type.model} {self.object_id}: {self.field} = {self.value[:50]}'
