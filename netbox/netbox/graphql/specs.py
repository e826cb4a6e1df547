"""
What a declaration may add to its GraphQL type (`graphql_fields`) or filter (`graphql_filters`) where NetBox's names or
shapes differ from the model's own fields; everything else is derived (netbox.graphql.schema).
"""
import re


def natural_name(obj):
    """NetBox's `_name`: the name with its numbers zero-padded, so that text order is natural order."""
    return re.sub(r'\d+', lambda match: match.group().zfill(8), obj.name or '')


class Alias:
    """A field or relation of the model (or a `__` path to one) served under NetBox's name, e.g. `image_attachments`
    for `images`; as a filter, the lookups or the nested filter of what the path reaches."""

    def __init__(self, path, first=False):
        self.path = path
        self.first = first  # a to-many relation served as its first object (an interface's `l2vpn_termination`)


class Through(Alias):
    """An object reached through a path of to-one relations (a component's `_site` through `device__site`)."""


class GenericReverse:
    """The objects of another model whose generic foreign key points at this object, e.g. a device's `services`
    (`GenericReverse('ipam.Service', 'parent')`); as a filter, the nested filter of those objects."""

    def __init__(self, model, generic_field):
        self.model = model
        self.generic_field = generic_field


class Computed:
    """A value computed from the object: `function(obj)` returning `python_type`, reading the columns `only` and the
    relations `prefetch` (prefetched for the whole list)."""

    def __init__(self, python_type, function, only=(), prefetch=()):
        self.python_type = python_type
        self.function = function
        self.only = tuple(only)
        self.prefetch = tuple(prefetch)


class Lookup:
    """A filter applying one ORM lookup to a field: `Lookup('prefix', 'net_contains_or_equals', str)`."""

    def __init__(self, field, lookup, python_type):
        self.field = field
        self.lookup = lookup
        self.python_type = python_type


class Annotation:
    """A filter with number lookups on an expression computed per row (`function()` returns it)."""

    def __init__(self, function):
        self.function = function


class Reverse:
    """The objects of `model` whose `key` leads to this object, loaded for the whole list with one query: `key` is a
    `__` path from those objects (a module bay's `children`: `module__module_bay`) or a function returning an
    expression computing the key per row (where a cable termination's object stands)."""

    def __init__(self, model, key):
        self.model = model
        self.key = key


class KeyedBy:
    """As a filter: the nested filter of the `model` object whose primary key `key()` (an expression) computes per
    row, for a relation NetBox caches as a column and we derive (a cable termination's `site`)."""

    def __init__(self, model, key):
        self.model = model
        self.key = key


class Depth:
    """How many times `path` (to-one relations leading back to this model) can be followed before it ends: 0 for an
    object at the top, e.g. a module bay's `level`. One query per level of nesting for the whole list."""

    def __init__(self, path):
        self.path = path


class Constant:
    """A field NetBox has that our model holds no data for, served as NetBox serves it for an object without that
    data so that queries naming it run unchanged: `Constant([], 'TagType')` (an empty list of that type),
    `Constant({})` (an empty JSON object), `Constant(None, datetime)` or `Constant(None, 'OwnerType')` (null).
    As a filter it takes NetBox's input and matches what that value would match: a nested filter on an empty list
    matches no object unless it sets no condition, a JSON containment on `{}` only `{}`, and on null nothing."""

    def __init__(self, value, type_=None):
        self.value = value
        self.type_ = type_
