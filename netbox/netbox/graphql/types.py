"""
The generated GraphQL object types and filter inputs live in this module's namespace (filled by
netbox.graphql.schema), so that types referring to each other lazily (`strawberry.lazy`) find one another by name.
"""

from typing import Annotated  # noqa: E402

import strawberry  # noqa: E402
from strawberry.scalars import JSON  # noqa: E402

__all__ = (
    'BaseObjectType',
    'NestedGroupObjectType',
    'NetBoxObjectType',
    'ObjectType',
    'OrganizationalObjectType',
    'PrimaryObjectType',
)


# NetBox's base classes of a plugin's GraphQL types (`@strawberry_django.type(Model, fields='__all__')`). The schema
# serves every declared model, plugins' included, with its derived type (netbox.graphql.schema); a plugin's own
# query fields of other names are added to it, and their types build on these bases: only what the user may view.

@strawberry.type
class BaseObjectType:
    """display and class_type, and the objects the user may view."""

    @classmethod
    def get_queryset(cls, queryset, info, **kwargs):
        from .schema import restrict, user_of

        return restrict(queryset, user_of(info))

    @strawberry.field
    def display(self) -> str:
        return str(self)

    @strawberry.field
    def class_type(self) -> str:
        return type(self).__name__


@strawberry.type
class ObjectType(BaseObjectType):
    """A change-logged object."""


@strawberry.type
class NetBoxObjectType(ObjectType):
    """An object with custom fields and tags."""

    @strawberry.field
    def custom_fields(self) -> JSON:
        return self.custom_field_data or {}

    @strawberry.field
    def tags(self) -> list[Annotated['TagType', strawberry.lazy('netbox.graphql.types')]]:  # noqa: F821
        from netbox.models import tags_of

        return tags_of(self)


@strawberry.type
class PrimaryObjectType(NetBoxObjectType):
    """A primary object (description, comments, owner)."""


@strawberry.type
class OrganizationalObjectType(NetBoxObjectType):
    """An organisational object (name, slug)."""


@strawberry.type
class NestedGroupObjectType(OrganizationalObjectType):
    """An organisational object in a tree."""
