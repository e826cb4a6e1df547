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
