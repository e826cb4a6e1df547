from netbox.apps import DeclaringAppConfig


class TenancyConfig(DeclaringAppConfig):
    default = True
    name = 'tenancy'
    verbose_name = 'Tenancy'
