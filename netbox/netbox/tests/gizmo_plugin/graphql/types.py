"""GraphQL types of the gizmo models."""
from typing import Annotated

import strawberry
import strawberry_django

from netbox.graphql.types import NetBoxObjectType, PrimaryObjectType

from .. import models


@strawberry_django.type(models.Gizmo, fields=['id', 'name', 'kind', 'part_number', 'description'])
class GizmoType(PrimaryObjectType):
    mounts: list[Annotated['GizmoMountType', strawberry.lazy('netbox.tests.gizmo_plugin.graphql.types')]]


@strawberry_django.type(models.GizmoMount, fields=['id', 'slot', 'description'])
class GizmoMountType(NetBoxObjectType):
    gizmo: Annotated['GizmoType', strawberry.lazy('netbox.tests.gizmo_plugin.graphql.types')]
    device: Annotated['DeviceType', strawberry.lazy('dcim.graphql.types')]  # noqa: F821
