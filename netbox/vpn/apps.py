from netbox.apps import DeclaringAppConfig


class VPNConfig(DeclaringAppConfig):
    default = True
    name = 'vpn'
    verbose_name = 'VPN'
