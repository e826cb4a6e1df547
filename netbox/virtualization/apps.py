from netbox.apps import DeclaringAppConfig


class VirtualizationConfig(DeclaringAppConfig):
    default = True
    name = 'virtualization'
    verbose_name = 'Virtualization'
