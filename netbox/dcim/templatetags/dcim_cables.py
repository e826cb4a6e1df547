"""Template helpers for cabling pages."""
from django import template

register = template.Library()


@register.filter
def model_name_of(obj):
    """'interface' for an Interface: builds 'dcim.<model>' object types in links."""
    return obj._meta.model_name
