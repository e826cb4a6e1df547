"""What the gizmo plugin adds to device pages."""
from netbox.plugins import PluginTemplateExtension, get_plugin_config


class DeviceGizmos(PluginTemplateExtension):
    models = ['dcim.device']

    def right_page(self):
        device = self.context['object']
        user = self.context['request'].user
        return self.render('gizmo_plugin/device_gizmos.html', extra_context={
            'title': get_plugin_config('netbox.tests.gizmo_plugin', 'panel_title'),
            'mounts': device.gizmo_mounts.restrict(user, 'view').select_related('gizmo'),
        })

    def buttons(self):
        return '<a class="btn btn-secondary" data-gizmo-button href="#gizmos">Gizmos</a>'


class GizmoAlert(PluginTemplateExtension):
    models = ['gizmo_plugin.gizmo']

    def alerts(self):
        if self.context['object'].part_number:
            return ''
        return '<div class="alert" data-gizmo-alert>This gizmo has no part number.</div>'


template_extensions = [DeviceGizmos, GizmoAlert]
