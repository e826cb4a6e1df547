from netbox.apps import DeclaringAppConfig


class CoreConfig(DeclaringAppConfig):
    default = True
    name = 'core'
    verbose_name = 'Core'
