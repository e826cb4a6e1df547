"""Template filters that follow the signed-in user's preferences (a builtin library: no {% load %} needed)."""
from django import template

register = template.Library()


@register.filter
def userdate(value):
    """A date or time in the user's ui.date_format, in local time; empty for None (so `|default:` still works)."""
    if value in (None, ''):
        return ''
    from netbox.ui.values import format_datetime

    return format_datetime(value)
