"""`{{ html|banner_html }}`: administrator-written banner HTML, sanitised before it reaches a page."""
from django import template

from netbox.ui.markdown import sanitize_banner

register = template.Library()


@register.filter
def banner_html(value):
    return sanitize_banner(value)
