"""Template context shared by every page: settings, dynamic configuration and the navigation menu."""
from django.conf import settings

from .dynamic_config import get_config


def settings_and_registry(request):
    from .ui.menu import build_menu

    return {
        'settings': settings,
        'config': get_config(),
        'nav_menu': build_menu(request) if getattr(request, 'user', None) is not None else [],
    }
