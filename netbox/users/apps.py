from netbox.apps import DeclaringAppConfig


class UsersConfig(DeclaringAppConfig):
    default = True
    name = 'users'
    verbose_name = 'Users'
