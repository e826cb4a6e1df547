from netbox.apps import DeclaringAppConfig


class IPAMConfig(DeclaringAppConfig):
    default = True
    name = 'ipam'
    verbose_name = 'IPAM'
