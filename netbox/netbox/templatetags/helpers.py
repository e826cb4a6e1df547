"""A few of NetBox's template helpers, for plugins' own templates."""
from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def linkify(instance, attr=None):
    """A link to the object's page (its `attr` as text when given); the text alone when it has no page."""
    if instance is None:
        return placeholder(None)
    text = getattr(instance, attr) if attr else str(instance)
    url = instance.get_absolute_url() if hasattr(instance, 'get_absolute_url') else ''
    return format_html('<a href="{}">{}</a>', url, text) if url else text


@register.filter
def placeholder(value):
    """The value, or a muted dash when it is empty."""
    if value not in (None, '', [], ()):
        return value
    return mark_safe('<span class="muted">&mdash;</span>')
