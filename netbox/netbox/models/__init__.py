"""
Abstract base models every app builds on, and the permission-aware queryset.

- ChangeLoggedModel: created/last_updated, and changes recorded in the change log.
- NetBoxModel: custom fields and tags.
- PrimaryModel: a first-class object (custom fields, tags, description, comments, owner).
- OrganizationalModel: name/slug/description plus PrimaryModel features.
- NestedGroupModel: an OrganizationalModel arranged in a tree (django-mptt).
"""
import inspect

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey as DjangoGenericForeignKey
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Q
from django.db.models.base import ModelState
from django.db.models.expressions import ColPairs
from django.db.models.fields.files import FileDescriptor, ImageFileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.urls import NoReverseMatch, reverse
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet
from taggit.managers import TaggableManager

from ..permissions import permission_q

__all__ = (
    'AbsoluteURLMixin',
    'ChangeLoggedModel',
    'FastLoadMixin',
    'NestedGroupModel',
    'NetBoxModel',
    'OrganizationalModel',
    'PrimaryModel',
    'RestrictedQuerySet',
    'RestrictedTreeQuerySet',
)


class RestrictedMixin:
    """Permission-aware querysets, plus tags fetched for a whole page in one query."""

    _attach_tags = False

    def with_tags(self):
        """Fetch the tags of every object in the results with one query (read them with tags_of())."""
        clone = self._chain()
        clone._attach_tags = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._attach_tags = self._attach_tags
        return clone

    def _fetch_all(self):
        fetched_before = self._result_cache is not None
        super()._fetch_all()
        if self._attach_tags and not fetched_before and self._result_cache:
            attach_tags(self._result_cache)

    def restrict(self, user, action='view'):
        """Only the objects `user` may perform `action` on (view, add, change, delete or a custom action)."""
        condition = permission_q(user, self.model, action)
        if condition is None:
            return self
        if condition is False:
            return self.none()
        return self.filter(condition).distinct() if _needs_distinct(condition) else self.filter(condition)


def _needs_distinct(condition):
    # A constraint that crosses a to-many relation can repeat rows.
    return any('__' in str(child[0]) for child in _leaves(condition))


def _leaves(q):
    for child in q.children:
        if isinstance(child, Q):
            yield from _leaves(child)
        else:
            yield child


class RestrictedQuerySet(RestrictedMixin, models.QuerySet):
    pass


class RestrictedTreeQuerySet(RestrictedMixin, TreeQuerySet):
    pass


class RestrictedTreeManager(TreeManager.from_queryset(RestrictedTreeQuerySet)):
    pass


class GenericForeignKey(DjangoGenericForeignKey):
    """Django's generic foreign key, with the content type of a stored id read from the shared cache: Django asks
    through a copied manager for every object (a page's prefetch of 1,000 IP address assignments made 1,000 manager
    copies)."""

    def get_content_type(self, obj=None, id=None, using=None, model=None):
        if obj is None and id is not None and using in (None, DEFAULT_DB_ALIAS):
            return ContentType.objects.get_for_id(id)
        return super().get_content_type(obj=obj, id=id, using=using, model=model)


def _any_of_sql(lookup, compiler, connection):
    """`column = ANY(%s)` for an `__in` lookup with a long list of integers, or None to write it as Django does."""
    values = lookup.rhs
    if connection.vendor != 'postgresql' or not lookup.rhs_is_direct_value() or \
            not isinstance(values, (list, tuple, set, frozenset)) or len(values) <= LONG_IN_LIST:
        return None
    values = [value for value in values if value is not None]
    if not values or not all(type(value) is int for value in values):
        return None
    lhs, lhs_params = lookup.process_lhs(compiler, connection)
    return f'{lhs} = ANY(%s)', (*lhs_params, values)


# `__in` on integer columns (keys included) with more values than this is written `column = ANY(%s)`, the values as
# one array parameter rather than one placeholder each: prefetches ask for a page's worth of keys, and with
# client-side binding psycopg scans a 1,000-placeholder statement on every run.
LONG_IN_LIST = 32


class IntegerIn(In):
    """`__in` on an integer column: see LONG_IN_LIST."""

    def as_sql(self, compiler, connection):
        return _any_of_sql(self, compiler, connection) or super().as_sql(compiler, connection)


class RelatedIntegerIn(RelatedIn):
    """`<foreign key>__in` on a single integer column: see LONG_IN_LIST."""

    def as_sql(self, compiler, connection):
        target = getattr(self.lhs, 'target', None)
        if not isinstance(self.lhs, ColPairs) and \
                isinstance(getattr(target, 'target_field', None), models.IntegerField):
            sql = _any_of_sql(self, compiler, connection)
            if sql is not None:
                return sql
        return super().as_sql(compiler, connection)


models.IntegerField.register_lookup(IntegerIn)
models.ForeignKey.register_lookup(RelatedIntegerIn)


class AbsoluteURLMixin:
    """The object's UI page, at the URL the declaration-derived views register ('<app>:<model>')."""

    def get_absolute_url(self):
        from ..registry import ui_namespace

        try:
            return reverse(f'{ui_namespace(self._meta.app_label)}:{self._meta.model_name}', args=[self.pk])
        except NoReverseMatch:
            return ''


class FastLoadMixin:
    """
    Rows loaded from the database become instances without going through `Model.__init__`, which sets each
    column through `setattr` and sends two signals: a 1,000-row list with its joined objects builds thousands of
    instances, and that was a fifth of its time. The result is the same: the loaded columns in the instance's
    dictionary, the others deferred, `_state` marking it as stored in `db` (trees also note their position, as
    django-mptt's `__init__` does). Models with another `__init__` of their own, init signal receivers or a column
    attribute that converts what it is given take Django's path.
    """

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        layout = _load_layouts.get(cls)
        if layout is None:
            layout = _load_layouts[cls] = _load_layout(cls)
        if layout is False:
            return super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        attnames, partial, after_load = layout
        if len(values) == len(attnames):
            names = attnames
        else:
            # One query passes the same list for each of its rows (keeping it here keeps its id unique).
            known = partial.get(id(field_names))
            if known is not None and known[0] is field_names:
                names = known[1]
            else:
                if len(partial) > 64:
                    partial.clear()
                names = tuple(name for name in attnames if name in field_names)
                partial[id(field_names)] = (field_names, names)
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        if fetch_mode is not None:
            state.fetch_mode = fetch_mode
        values_by_name = new.__dict__
        values_by_name['_state'] = state
        values_by_name.update(zip(names, values, strict=True))
        if after_load is not None:
            after_load(new)
        return new


_load_layouts = {}


def _load_layout(cls):
    """(column attribute names, {id(field_names): (field_names, their names)}, what to run after) for the fast load,
    or False."""
    if cls.__init__ is models.Model.__init__:
        after_load = None
    elif cls.__init__ is MPTTModel.__init__:
        after_load = _mptt_after_load(cls)
    else:
        return False
    if pre_init.has_listeners(cls) or post_init.has_listeners(cls):
        return False
    attnames = tuple(field.attname for field in cls._meta.concrete_fields)
    for name in attnames:
        descriptor = inspect.getattr_static(cls, name, None)
        if type(descriptor) not in DIRECT_LOAD_DESCRIPTORS and not getattr(descriptor, 'direct_load', False):
            return False
    return attnames, {}, after_load


def _mptt_after_load(cls):
    """What django-mptt's `__init__` does to a loaded node (`update_mptt_cached_fields`: the parent and ordering
    values it compares on save, deferred ones marked as such), without its per-instance scan of every field."""
    meta = cls._mptt_meta
    names = {meta.parent_attr} | {name.lstrip('-') for name in meta.order_insertion_by or ()}
    columns = tuple((name, cls._meta.get_field(name).attname) for name in sorted(names))

    def after_load(instance):
        values = instance.__dict__
        values['_mptt_cached_fields'] = {name: values[attname] if attname in values else DeferredAttribute
                                         for name, attname in columns}
    return after_load


# Column attributes that store what they are given as it is (on a new instance): a loaded value may be put in the
# instance's dictionary directly.
DIRECT_LOAD_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor, ImageFileDescriptor)


class ChangeLoggedModel(FastLoadMixin, AbsoluteURLMixin, models.Model):
    """Base for every model whose changes are recorded in the change log."""

    created = models.DateTimeField(auto_now_add=True, blank=True, null=True)
    last_updated = models.DateTimeField(auto_now=True, blank=True, null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def content_type(cls):
        return ContentType.objects.get_for_model(cls)

    def full_clean(self, *args, **kwargs):
        super().full_clean(*args, **kwargs)
        # After the model's own rules, as NetBox runs them; set-wise writes run them in netbox.bulk.clean_one.
        from extras.validators import run_custom_validators

        run_custom_validators(self)


class CustomFieldsMixin(models.Model):
    custom_field_data = models.JSONField(blank=True, default=dict, encoder=None)

    class Meta:
        abstract = True

    @property
    def cf(self):
        return self.custom_field_data


class NetBoxModel(CustomFieldsMixin, ChangeLoggedModel):
    """A change-logged object with custom fields and tags."""

    tags = TaggableManager(through='extras.TaggedItem', blank=True, ordering=('weight', 'name'))
    # The same links seen from this side: prefetching them (with their tags joined) is one cheap query per page,
    # where taggit's own prefetch builds a queryset per object. Deleting the object deletes its links.
    tagged_items = GenericRelation('extras.TaggedItem', content_type_field='content_type',
                                   object_id_field='object_id')
    # The object's journal and images (extras): deleted with it.
    journal_entries = GenericRelation('extras.JournalEntry', content_type_field='assigned_object_type',
                                      object_id_field='assigned_object_id')
    images = GenericRelation('extras.ImageAttachment', content_type_field='object_type', object_id_field='object_id')

    class Meta:
        abstract = True


class PrimaryModel(NetBoxModel):
    """A first-class object: custom fields, tags, description, comments and an optional owner."""

    description = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')
    comments = models.TextField(blank=True)

    class Meta:
        abstract = True


class OrganizationalModel(PrimaryModel):
    """A named, slugged object used to organise others (roles, groups, manufacturers...)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        abstract = True
        ordering = ('name',)

    def __str__(self):
        return self.name


class NestedGroupModel(MPTTModel, OrganizationalModel):
    """An organisational object arranged in a tree; ancestors and descendants come without recursion."""

    parent = TreeForeignKey('self', on_delete=models.CASCADE, related_name='children', blank=True, null=True)

    objects = RestrictedTreeManager()

    class Meta:
        abstract = True
        ordering = ('tree_id', 'lft')

    class MPTTMeta:
        order_insertion_by = ('name',)

    @property
    def _depth(self):
        return self.level

    def clean(self):
        super().clean()
        if self.pk and self.parent_id:
            if self.parent_id == self.pk or self.parent in self.get_descendants():
                from django.core.exceptions import ValidationError

                raise ValidationError({'parent': f'Cannot assign {self.parent} as parent: it is this object or one '
                                                 f'of its descendants.'})


color_validator = RegexValidator(regex='^[0-9a-f]{6}$', message='Enter a valid hexadecimal RGB color code.')

USER_MODEL = settings.AUTH_USER_MODEL


def attach_tags(objects):
    """Give each object `_tags_cache`: its tags, fetched for all of them in one query."""
    from extras.models import TaggedItem

    objects = [obj for obj in objects if isinstance(obj, models.Model) and obj.pk is not None]
    if not objects:
        return
    from extras.models import Tag

    content_type = ContentType.objects.get_for_model(type(objects[0]))
    # Plain rows, and one Tag instance per distinct tag: a page of 1,000 tagged objects names a handful of tags,
    # and building a tagged item and a tag object per row cost more than the query.
    columns = [field.attname for field in Tag._meta.concrete_fields]
    rows = TaggedItem.objects.filter(content_type=content_type, object_id__in=[obj.pk for obj in objects]) \
        .values_list('object_id', *(f'tag__{column}' for column in columns))
    key = columns.index(Tag._meta.pk.attname)
    tags, by_object = {}, {}
    for object_id, *values in rows:
        tag = tags.get(values[key])
        if tag is None:
            tag = tags[values[key]] = Tag.from_db(None, columns, values)
        by_object.setdefault(object_id, []).append(tag)
    for obj in objects:
        obj._tags_cache = sorted(by_object.get(obj.pk, []), key=lambda tag: (tag.weight, tag.name))


def has_tag_manager(model):
    """Whether the model's `tags` are its own tags (taggit, through TaggedItem) rather than a plain many-to-many
    field of that name (a configuration context's tag criteria)."""
    from taggit.managers import TaggableManager

    return any(field.name == 'tags' and isinstance(field, TaggableManager) for field in model._meta.get_fields())


def tags_of(obj):
    """An object's tags (by weight, then name), without a query when they were fetched in bulk."""
    cached = getattr(obj, '_tags_cache', None)
    if cached is not None:
        return cached
    cache = getattr(obj, '_prefetched_objects_cache', {})
    if 'tagged_items' in cache:
        return sorted((item.tag for item in cache['tagged_items']), key=lambda tag: (tag.weight, tag.name))
    return list(obj.tags.all()) if obj.pk else []
