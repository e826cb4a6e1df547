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


@register.simple_tag(takes_context=True)
def plugin_head(context):
    return render_extensions(context, 'head', context.get('object'), global_too=True)


@register.simple_tag(takes_context=True)
def plugin_navbar(context):
    return render_extensions(context, 'navbar', context.get('object'), global_too=True)


@register.simple_tag(takes_context=True)
def plugin_alerts(context, obj):
    return render_extensions(context, 'alerts', obj, global_too=True)


@register.simple_tag(takes_context=True)
def plugin_buttons(context, obj):
    return render_extensions(context, 'buttons', obj)


@register.simple_tag(takes_context=True)
def plugin_left_page(context, obj):
    return render_extensions(context, 'left_page', obj)


@register.simple_tag(takes_context=True)
def plugin_right_page(context, obj):
    return render_extensions(context, 'right_page', obj)


@register.simple_tag(takes_context=True)
def plugin_full_width_page(context, obj):
    return render_extensions(context, 'full_width_page', obj)


@register.simple_tag(takes_context=True)
def plugin_list_buttons(context, model):
    return render_extensions(context, 'list_buttons', model)
