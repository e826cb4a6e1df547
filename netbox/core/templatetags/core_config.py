"""Template tags of configuration revisions: the parameters a revision sets and how it differs from the live one."""
from django import template

from core.config_revisions import revision_diff, revision_parameters

register = template.Library()


@register.simple_tag
def config_parameters(revision):
    return revision_parameters(revision)


@register.simple_tag
def config_diff(revision):
    return revision_diff(revision)
