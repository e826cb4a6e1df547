"""Virtual machine pages beyond the derived ones: the same configuration tabs as devices."""
from dcim.views_devices import DeviceConfigContextView, DeviceRenderConfigView


class VMRenderConfigUIView(DeviceRenderConfigView):
    """The VM's configuration template rendered with its context, the VM given as `virtualmachine`."""

    parent_label = 'virtualization.virtualmachine'
    object_name = 'virtualmachine'


class VMConfigContextView(DeviceConfigContextView):
    """The VM's rendered configuration context and local context data."""

    parent_label = 'virtualization.virtualmachine'
