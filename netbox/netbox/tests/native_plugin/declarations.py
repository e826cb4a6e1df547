"""How the widget model is exposed: one declaration gives its REST API, filters, UI, menu entry and search."""
from netbox.registry import Declaration, declare

from .models import Widget


@declare
class WidgetDeclaration(Declaration):
    model = Widget
    brief = ('name', 'size', 'description')
    search = ('name', 'description', 'comments')
    table = ('name', 'size', 'site', 'tags')
    menu = ('Plugins', 'Widgets')
