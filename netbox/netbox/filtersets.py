"""
Filter sets derived from declarations, with NetBox's lookup suffixes.

Text fields get exact plus n, ic, nic, ie, nie, isw, nisw, iew, niew, regex, iregex and empty; numbers and dates
get exact plus n, lt, lte, gt, gte and empty. Every value may repeat (`name=a&name=b` matches either). A relation
`group` gets `group_id` (by ID) and, where NetBox has it, `group` (by slug, username or a `filter_by_name` model's
name), each with `__n`; a many-to-many field is filtered by its singular (`groups` -> `group_id`); relations to trees
include the descendants of the objects named. `q` searches the declared search fields; `tag`, `tag_id` and
`cf_<name>` work on every model that has tags or custom fields. The result is NetBox's filter set: a declaration
removes what NetBox lacks (`filter_exclude`) or changes lookups (`filter_lookups`), so an unknown parameter is
ignored as NetBox ignores it.
"""
import copy
import datetime

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict
from mptt.models import MPTTModel

from netbox.registry import INTERNAL_FIELDS, registry
from netbox.search import search_condition, search_index_lookups, search_paths

STRING_LOOKUPS = {
    'n': ('exact', True), 'ic': ('icontains', False), 'nic': ('icontains', True), 'ie': ('iexact', False),
    'nie': ('iexact', True), 'isw': ('istartswith', False), 'nisw': ('istartswith', True),
    'iew': ('iendswith', False), 'niew': ('iendswith', True), 'regex': ('regex', False), 'iregex': ('iregex', False),
}
NUMBER_LOOKUPS = {
    'n': ('exact', True), 'lt': ('lt', False), 'lte': ('lte', False), 'gt': ('gt', False), 'gte': ('gte', False),
}


class MultiValueField(forms.Field):
    """A form field taking every value of a repeated query parameter, each cleaned by `inner`."""

    widget = forms.SelectMultiple

    def __init__(self, inner=None, null_value=None, **kwargs):
        self.inner = inner or forms.CharField()
        self.null_value = null_value
        kwargs.pop('choices', None)
        super().__init__(**kwargs)

    def clean(self, value):
        if value in (None, '', []):
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        cleaned = []
        for item in value:
            for part in [item]:
                if part in ('', None):
                    continue
                if self.null_value is not None and str(part).lower() == self.null_value:
                    cleaned.append(self.null_value)  # e.g. `region_id=null`: objects without one
                    continue
                cleaned.append(self.inner.clean(part))
        return cleaned


class RegexPatternField(forms.CharField):
    """A regular expression as PostgreSQL reads it: one it rejects is a 400 naming the filter, not a 500."""

    def clean(self, value):
        value = super().clean(value)
        if value:
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SELECT '' ~ %s", [value])
            except DatabaseError:
                raise ValidationError(f'"{value}" is not a valid regular expression.')
        return value


class AwareDateTimeField(forms.DateTimeField):
    """A date and time, held in UTC: offsets PostgreSQL cannot store (beyond ±15:59) are converted first."""

    def clean(self, value):
        value = super().clean(value)
        if value is not None and value.tzinfo is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:
                raise ValidationError(f'"{value}" is out of range.')
        return value


class MultiValueFilter(django_filters.Filter):
    """Matches any of the given values (or, with exclude, none of them)."""

    inner_field = forms.CharField

    def __init__(self, *args, **kwargs):
        self.null_value = kwargs.pop('null_value', None)
        self.inner_field = kwargs.pop('inner_field', self.inner_field)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, '_field'):
            inner = RegexPatternField if self.lookup_expr in ('regex', 'iregex') else self.inner_field
            self._field = MultiValueField(inner=inner(required=False), required=False,
                                          label=self.label, null_value=self.null_value)
        return self._field

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for item in value:
            if self.null_value is not None and item == self.null_value:
                condition |= Q(**{f'{self.field_name}__isnull': True})
            else:
                condition |= Q(**{f'{self.field_name}__{self.lookup_expr}': item})
        qs = qs.exclude(condition) if self.exclude else qs.filter(condition)
        return qs.distinct() if self.distinct else qs


class MultiValueCharFilter(MultiValueFilter):
    inner_field = forms.CharField


class MultiValueNumberFilter(MultiValueFilter):
    inner_field = forms.IntegerField


class MultiValueDecimalFilter(MultiValueFilter):
    inner_field = forms.DecimalField


class MultiValueDateFilter(MultiValueFilter):
    inner_field = forms.DateField


class MultiValueDateTimeFilter(MultiValueFilter):
    inner_field = AwareDateTimeField


class MultiValueUUIDFilter(MultiValueFilter):
    inner_field = forms.UUIDField


class MultiValueChoiceNumberFilter(MultiValueFilter):
    """A numeric field with choices: filtered like text (ic, isw...), but exact values must be numbers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.lookup_expr == 'exact':  # also `__n`, which excludes exact matches
            self.inner_field = forms.IntegerField


class MultiValueDurationFilter(MultiValueFilter):
    inner_field = forms.DurationField  # seconds ('90') or [DD ][HH:[MM:]]ss


class EmptyFilter(django_filters.BooleanFilter):
    """`<field>__empty=true`: the field is blank or null; false: it has a value."""

    def filter(self, qs, value):
        if value is None:
            return qs
        condition = Q(**{f'{self.field_name}__isnull': True})
        field = qs.model._meta.get_field(self.field_name.split('__')[0])
        if isinstance(field, (models.CharField, models.TextField)):
            condition |= Q(**{self.field_name: ''})
        return qs.filter(condition) if value else qs.exclude(condition)


class TreeFilter(MultiValueFilter):
    """Matches objects related to the named tree nodes or to any of their descendants."""

    def __init__(self, *args, tree_model=None, to_field='pk', **kwargs):
        self.tree_model = tree_model
        self.to_field = to_field
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, '_field'):
            inner = forms.IntegerField(required=False) if self.to_field == 'pk' else forms.CharField(required=False)
            self._field = MultiValueField(inner=inner, required=False, label=self.label, null_value=self.null_value)
        return self._field

    def filter(self, qs, value):
        if not value:
            return qs
        if self.null_value is not None and self.null_value in value:
            return qs.filter(**{f'{self.field_name}__isnull': True}) if not self.exclude else qs.exclude(
                **{f'{self.field_name}__isnull': True})
        nodes = self.tree_model._default_manager.filter(**{f'{self.to_field}__in': value})
        descendants = self.tree_model._tree_manager.get_queryset_descendants(nodes, include_self=True)
        condition = Q(**{f'{self.field_name}__in': descendants})
        qs = qs.exclude(condition) if self.exclude else qs.filter(condition)
        return qs.distinct()


class ContentTypeFilter(MultiValueCharFilter):
    """`object_type=dcim.device`: matches objects whose content type field points at that model."""

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for item in value:
            try:
                app_label, model = item.lower().split('.')
            except ValueError:
                condition |= Q(pk__in=[])
                continue
            condition |= Q(**{f'{self.field_name}__app_label': app_label, f'{self.field_name}__model': model})
        qs = qs.exclude(condition) if self.exclude else qs.filter(condition)
        return qs.distinct() if self.distinct else qs


class TagFilter(MultiValueCharFilter):
    """`tag=a&tag=b`: objects carrying every tag named (by slug); with __any, any of them."""

    def __init__(self, *args, any_of=False, by_id=False, **kwargs):
        self.any_of = any_of
        self.by_id = by_id
        # Tag IDs are numbers: anything else is a 400, not a failed query.
        self.inner_field = forms.IntegerField if by_id else forms.CharField
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        key = 'tags__id' if self.by_id else 'tags__slug'
        if self.exclude:
            return qs.exclude(**{f'{key}__in': value})
        if self.any_of:
            return qs.filter(**{f'{key}__in': value}).distinct()
        for item in value:
            qs = qs.filter(**{key: item})
        return qs.distinct()


class RequestIdFilter(django_filters.UUIDFilter):
    """Objects created/updated in the request with this ID, read from the change log."""

    def __init__(self, *args, actions=(), **kwargs):
        self.actions = actions
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        from core.models import ObjectChange

        ids = ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(qs.model), request_id=value,
            action__in=self.actions,
        ).values('changed_object_id')
        return qs.filter(pk__in=ids)


class SearchFilter(django_filters.CharFilter):
    """`q`: any of the search fields matches (see netbox.search: one index scan per column, no join)."""

    def __init__(self, *args, search_fields=(), **kwargs):
        self.search_fields = search_paths(search_fields)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or '').strip()
        if not value:
            return qs
        return qs.filter(search_condition(qs.model, self.search_fields, value))

    def index_lookups(self, model):
        return search_index_lookups(model, self.search_fields)


# Parameters that name saved filters: by ID, and by slug.
SAVED_FILTER_PARAMS = {'filter_id': 'pk', 'filter': 'slug'}


def apply_saved_filters(data, model, request):
    """(data with the named saved filters' parameters added, {parameter: [error, ...]}). A saved filter applies when
    it exists, is enabled, is the user's own or shared, and is made for this model; values of a parameter the
    request gives too are added to the request's (as NetBox merges them)."""
    from django.contrib.contenttypes.models import ContentType

    from extras.models import SavedFilter

    user = getattr(request, 'user', None)
    merged = data.copy()
    errors = {}
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    for param, key in SAVED_FILTER_PARAMS.items():
        wanted = [value for value in data.getlist(param) if str(value).strip()] if hasattr(data, 'getlist') else []
        if not wanted:
            continue
        problems = []
        if key == 'pk':
            if not all(str(value).strip().isdigit() for value in wanted):
                errors[param] = [f'Give saved filter IDs as whole numbers; got {", ".join(map(str, wanted))}.']
                continue
            wanted = [int(value) for value in wanted]
        found = {getattr(saved, key): saved for saved in
                 SavedFilter.objects.filter(**{f'{key}__in': wanted}).prefetch_related('object_types')}
        for value in wanted:
            saved = found.get(value)
            if saved is None:
                problems.append(f'No saved filter with {"ID" if key == "pk" else "slug"} {value}.')
            elif not saved.enabled:
                problems.append(f'The saved filter "{saved}" is disabled.')
            elif not saved.shared and (user is None or not user.is_authenticated or saved.user_id != user.pk):
                problems.append(f'The saved filter "{saved}" belongs to another user and is not shared.')
            elif content_type not in saved.object_types.all():
                problems.append(f'The saved filter "{saved}" is not made for {model._meta.verbose_name_plural}.')
            else:
                for name, values in saved.query_items():
                    if name in SAVED_FILTER_PARAMS:
                        continue  # a saved filter never names others
                    for item in values:
                        merged.appendlist(name, item)
        if problems:
            errors[param] = problems
    return merged, errors


class BaseFilterSet(django_filters.FilterSet):
    """Shared base; `custom_field_filters` are added per request because custom fields live in the database."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.saved_filter_errors = {}
        if data is not None and any(param in data for param in SAVED_FILTER_PARAMS):
            data, self.saved_filter_errors = apply_saved_filters(data, queryset.model, request)
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        # A bound filter set copies (and builds form fields for) only the filters its data names, by name or as a
        # suffixed widget's `<name>_...`: a model has hundreds, and copying them all cost more than a small page.
        # A filter left out is one without a value, which filters nothing.
        filters = dict(self.base_filters)
        if not self.is_bound or any(key.startswith('cf_') for key in self.data):
            filters.update(custom_field_filters(self._meta.model))
        if self.is_bound:
            given = set(self.data.keys())
            filters = {name: f for name, f in filters.items()
                       if name in given or any(key.startswith(f'{name}_') for key in given)}
        self.filters = copy.deepcopy(filters)
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    # `filter_id`/`filter` are not filters of their own (NetBox's filter sets don't list them): they add a saved
    # filter's parameters to the data, and a saved filter that can't be used makes the data invalid.
    def is_valid(self):
        return not self.saved_filter_errors and super().is_valid()

    @property
    def errors(self):
        errors = self.form.errors
        if self.saved_filter_errors:
            errors = ErrorDict(errors)
            for name, messages in self.saved_filter_errors.items():
                errors[name] = ErrorList([ValidationError(message) for message in messages])
        return errors

    def filter_queryset(self, queryset):
        # A value its form field accepted may still not fit the column (a UUID, a number for a choice): that is
        # the client's error, answered as a 400 naming the parameter rather than a server error.
        for name, value in self.form.cleaned_data.items():
            queryset = self.apply_filter(name, queryset, value)
        return queryset

    def apply_filter(self, name, queryset, value):
        from django.core.exceptions import FieldError
        from django.core.exceptions import ValidationError as DjangoValidationError
        from rest_framework.exceptions import ValidationError

        try:
            return self.filters[name].filter(queryset, value)
        except DjangoValidationError as exc:
            raise ValidationError({name: exc.messages}) from None
        except (ValueError, TypeError, FieldError) as exc:
            raise ValidationError({name: [str(exc).splitlines()[0]]}) from None


def _string_filters(name, field_name=None, filter_class=MultiValueCharFilter):
    field_name = field_name or name
    out = {name: filter_class(field_name=field_name, lookup_expr='exact')}
    for suffix, (lookup, exclude) in STRING_LOOKUPS.items():
        out[f'{name}__{suffix}'] = filter_class(field_name=field_name, lookup_expr=lookup, exclude=exclude)
    out[f'{name}__empty'] = EmptyFilter(field_name=field_name)
    return out


def _number_filters(name, filter_class, field_name=None):
    field_name = field_name or name
    out = {name: filter_class(field_name=field_name, lookup_expr='exact')}
    for suffix, (lookup, exclude) in NUMBER_LOOKUPS.items():
        out[f'{name}__{suffix}'] = filter_class(field_name=field_name, lookup_expr=lookup, exclude=exclude)
    out[f'{name}__empty'] = EmptyFilter(field_name=field_name)
    return out


def _relation_filters(name, field, field_name=None, by_name=True, type_ids=True):
    """`<name>_id` and `<name>` (slug or name) filters for a relation, tree-aware. by_name=None offers `<name>`
    only where NetBox does (see `name_lookup_field`); type_ids=False leaves a content type relation without
    `<name>_id`."""
    field_name = field_name or name
    related = field.related_model
    out = {}
    if related is ContentType:
        out[name] = ContentTypeFilter(field_name=field_name)
        out[f'{name}__n'] = ContentTypeFilter(field_name=field_name, exclude=True)
        if type_ids:
            out[f'{name}_id'] = MultiValueNumberFilter(field_name=f'{field_name}__id', lookup_expr='exact',
                                                       null_value='null')
            out[f'{name}_id__n'] = MultiValueNumberFilter(field_name=f'{field_name}__id', lookup_expr='exact',
                                                          exclude=True)
        return out
    distinct = field.many_to_many or field.one_to_many
    if by_name is None:
        name_field = name_lookup_field(related)
    else:
        slug_field = 'slug' if any(f.name == 'slug' for f in related._meta.fields) else None
        name_field = slug_field or ('name' if any(f.name == 'name' for f in related._meta.fields) else None)
        if name_field is None and any(f.name == 'username' for f in related._meta.fields):
            name_field = 'username'
    if issubclass(related, MPTTModel):
        out[f'{name}_id'] = TreeFilter(field_name=field_name, tree_model=related, null_value='null')
        out[f'{name}_id__n'] = TreeFilter(field_name=field_name, tree_model=related, exclude=True)
        if name_field:
            out[name] = TreeFilter(field_name=field_name, tree_model=related, to_field=name_field, null_value='null')
            out[f'{name}__n'] = TreeFilter(field_name=field_name, tree_model=related, to_field=name_field,
                                           exclude=True)
        return out
    out[f'{name}_id'] = MultiValueNumberFilter(field_name=f'{field_name}__id', lookup_expr='exact',
                                               null_value='null', distinct=distinct)
    out[f'{name}_id__n'] = MultiValueNumberFilter(field_name=f'{field_name}__id', lookup_expr='exact', exclude=True,
                                                  distinct=distinct)
    if name_field:
        out[name] = MultiValueCharFilter(field_name=f'{field_name}__{name_field}', lookup_expr='exact',
                                         null_value='null', distinct=distinct)
        out[f'{name}__n'] = MultiValueCharFilter(field_name=f'{field_name}__{name_field}', lookup_expr='exact',
                                                 exclude=True, distinct=distinct)
    return out


def name_lookup_field(model):
    """The field NetBox's filters match a related object's name against (`?site=<slug>`), or None where they take
    IDs only: the slug, a user's username, or the name of a model whose declaration sets `filter_by_name`."""
    names = {f.name for f in model._meta.fields}
    if 'slug' in names:
        return 'slug'
    if 'username' in names:
        return 'username'
    declaration = registry.get(model)
    if declaration is not None and declaration.filter_by_name and 'name' in names:
        return 'name'
    return None


def relation_filter_name(field):
    """The base filter name for a relation field: a many-to-many field is filtered by its singular
    (`groups` -> `group`, `group_id`), as NetBox names them; content types keep the field name."""
    if field.many_to_many and field.related_model is not ContentType and field.name.endswith('s'):
        return field.name[:-1]
    return field.name


def id_filter_name(declaration, field_name):
    """The filter of `declaration` that takes IDs of the objects `field_name` relates to (`site_id`, `group_id` for
    a many-to-many `groups`), or None when it has none."""
    offered = declaration.filterset().base_filters
    for name in (f'{field_name}_id', f'{field_name[:-1]}_id' if field_name.endswith('s') else None):
        if name and name in offered:
            return name
    return None


def filters_for_field(name, field, lookups=None):
    """The filters of one model field: the value filter and NetBox's lookups for its kind. `lookups` overrides
    the kind: 'exact' (no lookups), 'n', 'num', 'str' or a tuple of suffixes (e.g. ('gte', 'lte'))."""
    if field.is_relation:
        return _relation_filters(relation_filter_name(field), field, field_name=name, by_name=None)
    if isinstance(field, (models.FileField, models.JSONField, ArrayField)):
        return {}  # NetBox filters these through dedicated filters (has_front_image, unit...), if at all
    if isinstance(field, models.BooleanField):
        return {name: django_filters.BooleanFilter(field_name=name)}
    if isinstance(field, models.DateTimeField):
        filter_class, kind = MultiValueDateTimeFilter, 'num'
    elif isinstance(field, models.DateField):
        filter_class, kind = MultiValueDateFilter, 'num'
    elif isinstance(field, models.DurationField):
        filter_class, kind = MultiValueDurationFilter, 'num'
    elif isinstance(field, (models.DecimalField, models.FloatField)):
        filter_class, kind = MultiValueDecimalFilter, 'num'
    elif isinstance(field, (models.IntegerField, models.AutoField)):
        filter_class, kind = MultiValueNumberFilter, 'num'
        if getattr(field, 'choices', None):
            filter_class, kind = MultiValueChoiceNumberFilter, 'str'
    elif isinstance(field, models.UUIDField):
        filter_class, kind = MultiValueUUIDFilter, 'exact'
    elif isinstance(field, (models.CharField, models.TextField)):
        filter_class, kind = MultiValueCharFilter, 'str'
    else:
        filter_class, kind = MultiValueCharFilter, 'exact'
    return lookup_filters(name, filter_class, lookups or kind)


def lookup_filters(name, filter_class, kind, field_name=None):
    """`name` plus the lookups of `kind` ('exact', 'n', 'num', 'str' or a tuple of suffixes)."""
    field_name = field_name or name
    if kind == 'str':
        return _string_filters(name, field_name, filter_class)
    if kind == 'num':
        return _number_filters(name, filter_class, field_name)
    suffixes = {'exact': (), 'n': ('n',)}.get(kind, kind)
    out = {name: filter_class(field_name=field_name, lookup_expr='exact')}
    available = {**STRING_LOOKUPS, **NUMBER_LOOKUPS}
    for suffix in suffixes:
        if suffix == 'empty':
            out[f'{name}__empty'] = EmptyFilter(field_name=field_name)
            continue
        lookup, exclude = available[suffix]
        out[f'{name}__{suffix}'] = filter_class(field_name=field_name, lookup_expr=lookup, exclude=exclude)
    return out


def default_filter_names(declaration):
    opts = declaration.model._meta
    names = []
    for field in list(opts.concrete_fields) + list(opts.many_to_many):
        if field.name in INTERNAL_FIELDS or field.name in ('comments', 'tags') or \
                isinstance(field, models.JSONField):
            continue
        names.append(field.name)
    return names


def base_filter_name(name):
    """`name__ic` -> `name`: the filter a lookup belongs to (names without a known lookup are their own base)."""
    base, _, suffix = name.rpartition('__')
    if base and (suffix in STRING_LOOKUPS or suffix in NUMBER_LOOKUPS or suffix == 'empty'):
        return base
    return name


def contact_filters():
    from tenancy.models import ContactGroup

    return {
        'contact': MultiValueNumberFilter(field_name='contacts__contact', lookup_expr='exact', distinct=True),
        'contact__n': MultiValueNumberFilter(field_name='contacts__contact', lookup_expr='exact', exclude=True),
        'contact_role': MultiValueNumberFilter(field_name='contacts__role', lookup_expr='exact', distinct=True),
        'contact_role__n': MultiValueNumberFilter(field_name='contacts__role', lookup_expr='exact', exclude=True),
        'contact_group': TreeFilter(field_name='contacts__contact__groups', tree_model=ContactGroup),
        'contact_group__n': TreeFilter(field_name='contacts__contact__groups', tree_model=ContactGroup,
                                       exclude=True),
    }


def owner_filters():
    from users.models import OwnerGroup

    return {
        'owner_group_id': MultiValueNumberFilter(field_name='owner__group__id', lookup_expr='exact'),
        'owner_group_id__n': MultiValueNumberFilter(field_name='owner__group__id', lookup_expr='exact',
                                                    exclude=True),
        'owner_group': MultiValueCharFilter(field_name='owner__group__name', lookup_expr='exact'),
        'owner_group__n': MultiValueCharFilter(field_name='owner__group__name', lookup_expr='exact', exclude=True),
    } if OwnerGroup else {}


def with_counter(queryset, name, counter):
    """The queryset with counter `name` available for filtering: the REST annotation when the list already has it,
    else the same Subquery as a non-selected alias."""
    if name in queryset.query.annotations:
        return queryset
    from netbox.api.viewsets import counter_annotation

    return queryset.alias(**{name: counter_annotation(counter)})


class CounterFilter(MultiValueNumberFilter):
    """Number lookups on a declaration's Counter, e.g. `interface_count__gte=48`."""

    def __init__(self, *args, counter=None, **kwargs):
        self.counter = counter
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return super().filter(with_counter(qs, self.field_name, self.counter), value)


class CounterEmptyFilter(django_filters.BooleanFilter):
    """`<counter>__empty`: a counter is never null (no related object counts 0), so true matches nothing."""

    def __init__(self, *args, counter=None, **kwargs):
        self.counter = counter
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        qs = with_counter(qs, self.field_name, self.counter)
        return qs.filter(**{f'{self.field_name}__isnull': value})


def counter_filters(counts, names=None):
    """Exact, n, lt, lte, gt, gte and empty lookups for the given counters ({name: Counter})."""
    out = {}
    for name, counter in counts.items():
        if names is not None and name not in names:
            continue
        out[name] = CounterFilter(field_name=name, lookup_expr='exact', counter=counter)
        for suffix, (lookup, exclude) in NUMBER_LOOKUPS.items():
            out[f'{name}__{suffix}'] = CounterFilter(field_name=name, lookup_expr=lookup, exclude=exclude,
                                                     counter=counter)
        out[f'{name}__empty'] = CounterEmptyFilter(field_name=name, counter=counter)
    return out


def filterset_for(declaration):
    """The FilterSet class for a declaration, built on first use."""
    cached = declaration.__dict__.get('_filterset')
    if cached is not None:
        return cached
    model = declaration.model
    opts = model._meta
    attrs = {}
    names = declaration.filters if declaration.filters is not None else default_filter_names(declaration)
    timestamps = [f.name for f in opts.concrete_fields if f.name in ('created', 'last_updated')]
    for name in dict.fromkeys(['id', *names, *timestamps]):
        field = opts.get_field(name)
        attrs.update(filters_for_field(name, field, declaration.filter_lookups.get(name)))
    if declaration.search:
        attrs['q'] = SearchFilter(search_fields=declaration.search)
    if declaration.has_tags():
        attrs['tag'] = TagFilter()
        attrs['tag__n'] = TagFilter(exclude=True)
        attrs['tag__any'] = TagFilter(any_of=True)
        attrs['tag_id'] = TagFilter(by_id=True)
        attrs['tag_id__n'] = TagFilter(by_id=True, exclude=True)
        attrs['tag_id__any'] = TagFilter(by_id=True, any_of=True)
    if hasattr(model, 'created') and hasattr(model, 'last_updated') and issubclass_changelogged(model):
        attrs['created_by_request'] = RequestIdFilter(actions=('create',))
        attrs['updated_by_request'] = RequestIdFilter(actions=('update',))
        attrs['modified_by_request'] = RequestIdFilter(actions=('create', 'update', 'delete'))
    if any(f.name == 'owner' for f in opts.fields):
        attrs.update(owner_filters())
    if declaration.is_tree():
        attrs['ancestor_id'] = TreeFilter(field_name='pk', tree_model=model)
        attrs['ancestor_id__n'] = TreeFilter(field_name='pk', tree_model=model, exclude=True)
        key = 'slug' if any(f.name == 'slug' for f in opts.fields) else 'name'
        attrs['ancestor'] = TreeFilter(field_name='pk', tree_model=model, to_field=key)
        attrs['ancestor__n'] = TreeFilter(field_name='pk', tree_model=model, to_field=key, exclude=True)
    if declaration.contacts:
        attrs.update(contact_filters())
    if declaration.filter_counts:
        attrs.update(counter_filters(declaration.counts))
    attrs.update(declaration.extra_filters)
    # What NetBox doesn't filter on although our derivation would: gone, with every lookup.
    for name in [name for name in attrs if base_filter_name(name) in declaration.filter_exclude]:
        del attrs[name]
    attrs['Meta'] = type('Meta', (), {'model': model, 'fields': []})
    attrs['derived'] = True
    # A plugin's NetBox-style filter set is the base, so that its methods (`search`, method filters) serve.
    base = declaration.__dict__.get('filterset_base', BaseFilterSet)
    filterset = type(f'{model.__name__}FilterSet', (base,), attrs)
    declaration._filterset = filterset
    return filterset


def issubclass_changelogged(model):
    from netbox.models import ChangeLoggedModel

    return issubclass(model, ChangeLoggedModel)


def custom_field_filters(model):
    """`cf_<name>` filters (with lookups) for the model's custom fields, honouring filter_logic."""
    from extras.models import CustomField, CustomFieldTypes

    if not any(f.name == 'custom_field_data' for f in model._meta.get_fields()):
        return {}
    out = {}
    for cf in CustomField.objects.get_for_model(model):
        if cf.filter_logic == 'disabled':
            continue
        path = f'custom_field_data__{cf.name}'
        name = f'cf_{cf.name}'
        if cf.type in (CustomFieldTypes.TEXT, CustomFieldTypes.LONGTEXT, CustomFieldTypes.URL):
            out.update(_string_filters(name, path))
            if cf.filter_logic == 'loose':
                out[name] = MultiValueCharFilter(field_name=path, lookup_expr='icontains')
        elif cf.type == CustomFieldTypes.INTEGER:
            out.update(_number_filters(name, MultiValueNumberFilter, path))
        elif cf.type == CustomFieldTypes.DECIMAL:
            out.update(_number_filters(name, MultiValueDecimalFilter, path))
        elif cf.type == CustomFieldTypes.BOOLEAN:
            out[name] = django_filters.BooleanFilter(field_name=path)
        elif cf.type in (CustomFieldTypes.DATE, CustomFieldTypes.DATETIME):
            out.update(_number_filters(name, MultiValueCharFilter, path))
        elif cf.type == CustomFieldTypes.SELECT:
            out.update(_string_filters(name, path))
        elif cf.type == CustomFieldTypes.MULTISELECT:
            out[name] = MultiValueCharFilter(field_name=path, lookup_expr='contains')
            out[name].filter = _json_contains_filter(out[name])
        elif cf.type == CustomFieldTypes.OBJECT:
            out.update(_number_filters(name, MultiValueNumberFilter, path))
        elif cf.type == CustomFieldTypes.MULTIOBJECT:
            out[name] = MultiValueNumberFilter(field_name=path, lookup_expr='contains')
            out[name].filter = _json_contains_filter(out[name])
    return out


def _json_contains_filter(flt):
    def apply(qs, value):
        if not value:
            return qs
        condition = Q()
        for item in value:
            condition |= Q(**{f'{flt.field_name}__contains': [item]})
        return qs.filter(condition)

    return apply


def filterset_for_model(model):
    declaration = registry.get(model)
    return filterset_for(declaration) if declaration else None


class NoMatchFilter(MultiValueCharFilter):
    """
    A filter on a relation whose app this build does not have yet: every object has it empty, so a value matches
    nothing, `null` matches everything, and `__n` (exclude) inverts that.
    """

    def filter(self, qs, value):
        if not value:
            return qs
        every_object_matches = self.lookup_expr == 'exact' and 'null' in value
        return qs if every_object_matches != bool(self.exclude) else qs.none()


class NetBoxModelFilterSet(BaseFilterSet):
    """
    NetBox's base class for a plugin's filter set. Subclass it with `Meta.model` and `Meta.fields`; the model's
    declaration (netbox.plugins.adapters) takes those fields, the filters declared on the class and its
    `search(queryset, name, value)` method (the `q` filter), and derives every lookup, `tag`, custom field and
    change-log filter as for our own models. `filterset_for(declaration)` is the filter set actually used.
    """

    derived = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get('derived'):
            from netbox.registry import record_piece

            record_piece('filtersets', cls)


class ChangeLoggedModelFilterSet(NetBoxModelFilterSet):
    """NetBox's filter set base for change-logged models without tags (the same derivation)."""


class OrganizationalModelFilterSet(NetBoxModelFilterSet):
    """NetBox's filter set base for organisational models (the same derivation)."""


class PrimaryModelFilterSet(NetBoxModelFilterSet):
    """NetBox's filter set base for primary models (the same derivation)."""


class NestedGroupModelFilterSet(NetBoxModelFilterSet):
    """NetBox's filter set base for nested group models (the same derivation)."""
