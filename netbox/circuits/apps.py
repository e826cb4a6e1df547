from netbox.apps import DeclaringAppConfig


class CircuitsConfig(DeclaringAppConfig):
    default = True
    name = 'circuits'
    verbose_name = 'Circuits'
