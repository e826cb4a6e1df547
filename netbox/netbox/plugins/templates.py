"""PluginTemplateExtension: content a plugin adds to the pages of the models it names."""
from django.template.loader import get_template

__all__ = ('PluginTemplateExtension',)


class PluginTemplateExtension:
    """
    Subclass it and list the models whose pages it extends in `models` (['dcim.device']; none: every page). Each
    method returns HTML (usually `self.render(template, extra_context)`) for one place of the page:

    - head, navbar, alerts: every page of the models (alerts above the object's content);
    - buttons: beside the object's own buttons; left_page, right_page, full_width_page: its detail page;
    - list_buttons: beside the list page's buttons.

    `self.context` is the page's template context (`object` on object pages, `request`, `user`...).
    """

    models = None

    def __init__(self, context):
        self.context = context

    def render(self, template_name, extra_context=None):
        """Render `template_name` with the page's context and `extra_context`."""
        context = self.context.flatten() if hasattr(self.context, 'flatten') else dict(self.context)
        context.update(extra_context or {})
        return get_template(template_name).render(context, self.context.get('request'))

    def head(self):
        return ''

    def navbar(self):
        return ''

    def alerts(self):
        return ''

    def buttons(self):
        return ''

    def left_page(self):
        return ''

    def right_page(self):
        return ''

    def full_width_page(self):
        return ''

    def list_buttons(self):
        return ''
