"""Template tags placing the content of plugins' template extensions (netbox.plugins.PluginTemplateExtension)."""
import logging

from django import template
from django.db.models import Model
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()
logger = logging.getLogger('netbox.plugins')


def _label(model_or_object):
    if model_or_object is None:
        return None
    if isinstance(model_or_object, Model) or (isinstance(model_or_object, type) and issubclass(model_or_object,
                                                                                               Model)):
        return model_or_object._meta.label_lower
    return None


def render_extensions(context, method, model_or_object=None, global_too=False):
    """The HTML the extensions for this model (and, if `global_too`, those for every page) give for `method`."""
    from netbox.plugins import plugin_registry

    registered = plugin_registry['template_extensions']
    label = _label(model_or_object)
    extensions = list(registered.get(label, ())) if label else []
    if global_too:
        extensions += [extension for extension in registered.get(None, ()) if extension not in extensions]
    if not extensions:
        return ''
    parts = []
    for extension in extensions:
        instance = extension(context)
        try:
            content = getattr(instance, method)()
        except Exception:  # noqa: BLE001  (a failing plugin must not take the page down)
            logger.exception('Template extension %s.%s failed', extension.__name__, method)
            continue
        if content:
            parts.append(conditional_escape(content))
    return mark_safe(''.join(parts))


def _page_tag(method):
    """`{% plugin_<method> %}`: every page's extensions too, for the object shown when there is one."""
    return lambda context: render_extensions(context, method, context.get('object'), global_too=True)


def _object_tag(method, global_too=False):
    """`{% plugin_<method> obj %}`: the extensions for that object's (or model's) kind."""
    return lambda context, model_or_object: render_extensions(context, method, model_or_object, global_too)


# The tags NetBox's templates use, under NetBox's names.
for _name, _tag in (
    ('head', _page_tag('head')),
    ('navbar', _page_tag('navbar')),
    ('alerts', _object_tag('alerts', global_too=True)),
    ('buttons', _object_tag('buttons')),
    ('left_page', _object_tag('left_page')),
    ('right_page', _object_tag('right_page')),
    ('full_width_page', _object_tag('full_width_page')),
    ('list_buttons', _object_tag('list_buttons')),
):
    register.simple_tag(_tag, takes_context=True, name=f'plugin_{_name}')
