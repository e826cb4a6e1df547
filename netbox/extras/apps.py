from netbox.apps import DeclaringAppConfig


class ExtrasConfig(DeclaringAppConfig):
    default = True
    name = 'extras'
    verbose_name = 'Extras'
