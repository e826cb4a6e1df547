from netbox.apps import DeclaringAppConfig


class DCIMConfig(DeclaringAppConfig):
    default = True
    name = 'dcim'
    verbose_name = 'DCIM'
