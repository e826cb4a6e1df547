from netbox.apps import DeclaringAppConfig


class WirelessConfig(DeclaringAppConfig):
    default = True
    name = 'wireless'
    verbose_name = 'Wireless'
