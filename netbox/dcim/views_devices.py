"""Device pages beyond the derived ones: the rendered configuration and configuration context tabs (virtual
machines use the same views with their own parent)."""
import json

from netbox.ui.tabs import ObjectTabView

from .api_devices import device_config_context


class DeviceRenderConfigView(ObjectTabView):
    """The object's configuration template rendered with its context (as the render-config endpoint does), or why
    it cannot be."""

    tab_label = 'Render config'
    parent_label = 'dcim.device'
    object_name = 'device'
    template_name = 'dcim/device_render_config.html'

    def tab_context(self, request, obj):
        from extras.rendering import RenderError

        config_template = obj.get_config_template()
        context = {'config_template': config_template, 'rendered': None, 'error': None,
                   'verbose_name': obj._meta.verbose_name}
        if config_template is not None:
            data = device_config_context(obj)
            data[self.object_name] = obj
            try:
                context['rendered'] = config_template.render(data)
            except RenderError as error:
                line = f' (line {error.line})' if config_template.debug and error.line else ''
                context['error'] = f'{error.message}{line}'
        return context


class DeviceConfigContextView(ObjectTabView):
    """The object's rendered configuration context (the matching contexts merged by weight, its local context data
    last) and its local context data, as JSON."""

    tab_label = 'Config context'
    parent_label = 'dcim.device'
    template_name = 'dcim/device_config_context.html'

    def tab_context(self, request, obj):
        from extras.configcontexts import matching_contexts

        local = obj.local_context_data
        contexts = matching_contexts(obj)
        return {
            'rendered_context': json.dumps(obj.get_config_context(), indent=2, sort_keys=True, default=str),
            'local_context': json.dumps(local, indent=2, sort_keys=True, default=str) if local is not None else None,
            'source_contexts': contexts,
        }
