"""App configuration: every app imports its declarations (and the change log connects) once Django is ready."""
from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig


class DeclaringAppConfig(AppConfig):
    """Imports `<app>.declarations` when present, registering the app's models with the shared machinery."""

    default_auto_field = 'django.db.models.BigAutoField'

    def ready(self):
        if find_spec(f'{self.name}.declarations'):
            import_module(f'{self.name}.declarations')
        if find_spec(f'{self.name}.signals'):
            import_module(f'{self.name}.signals')


class NetBoxConfig(AppConfig):
    name = 'netbox'
    verbose_name = 'NetBox'

    def ready(self):
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_migrate

        from . import (
            changelog,  # noqa: F401  (connects the change-log signal handlers)
            permissions,  # noqa: F401  (connects the checks of writes made acting for a user)
        )
        from .authentication import clear_login_failures, record_login_failure

        user_login_failed.connect(record_login_failure, dispatch_uid='netbox.login_failed')
        user_logged_in.connect(clear_login_failures, dispatch_uid='netbox.logged_in')
        # Django records last_login on every login; in maintenance mode the database is not written.
        from .authentication import update_last_login_unless_maintenance

        user_logged_in.disconnect(dispatch_uid='update_last_login')
        user_logged_in.connect(update_last_login_unless_maintenance, dispatch_uid='netbox.update_last_login')
        from .field_choices import apply_field_choices

        # Before the apps after this one import their declarations, which derive everything from the fields.
        apply_field_choices(getattr(settings, 'FIELD_CHOICES', None))
        from .search import post_migrate_handler

        # Once per migrate, after every app's migrations: the search indexes follow the declarations.
        post_migrate.connect(post_migrate_handler, sender=self, dispatch_uid='netbox.search_indexes')
        from .cached_search import connect_signals

        # The global search's cached values follow every save and delete.
        connect_signals()
