"""Device pages beyond the derived ones: the rendered configuration tab."""
from netbox.ui.tabs import ObjectTabView

from .api_devices import device_config_context


class DeviceRenderConfigView(ObjectTabView):
    """The device's configuration template rendered with its context (as the render-config endpoint does), or why
    it cannot be."""

    tab_label = 'Render config'
    parent_label = 'dcim.device'
    template_name = 'dcim/device_render_config.html'

    def tab_context(self, request, obj):
        from extras.rendering import RenderError

        config_template = obj.get_config_template()
        context = {'config_template': config_template, 'rendered': None, 'error': None}
        if config_template is not None:
            data = device_config_context(obj)
            data['device'] = obj
            try:
                context['rendered'] = config_template.render(data)
            except RenderError as error:
                line = f' (line {error.line})' if config_template.debug and error.line else ''
                context['error'] = f'{error.message}{line}'
        return context
