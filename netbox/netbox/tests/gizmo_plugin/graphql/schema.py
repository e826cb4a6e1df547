"""GraphQL queries of the gizmo plugin."""
import strawberry
import strawberry_django

from .types import GizmoType


@strawberry.type(name='Query')
class GizmoQuery:
    gizmo: GizmoType = strawberry_django.field()
    gizmo_list: list[GizmoType] = strawberry_django.field()

    @strawberry.field
    def gizmo_kinds(self) -> list[str]:
        """The kinds a gizmo may be."""
        from ..choices import GizmoKindChoices

        return GizmoKindChoices.values()


schema = [GizmoQuery]
