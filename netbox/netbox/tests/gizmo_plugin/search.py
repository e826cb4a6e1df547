"""The gizmo plugin's place in the global search."""
from netbox.search import SearchIndex, register_search

from .models import Gizmo


@register_search
class GizmoIndex(SearchIndex):
    model = Gizmo
    fields = (
        ('name', 100),
        ('part_number', 300),
        ('description', 500),
        ('comments', 5000),
    )
    display_attrs = ('kind', 'description')


indexes = [GizmoIndex]
