"""Template context shared by every page: settings, dynamic configuration and the navigation menu."""
from django.conf import settings

from .dynamic_config import get_config


def settings_and_registry(request):
    from users.preferences import color_mode

    from .ui.menu import build_menu

    user = getattr(request, 'user', None)
    mode = color_mode(user)
    context = {
        'settings': settings,
        'config': get_config(),
        'nav_menu': build_menu(request) if user is not None else [],
        # <html data-theme>: "system" renders light and a one-line script switches it to the browser's scheme.
        'colormode': mode,
        'theme': 'light' if mode == 'system' else mode,
    }
    if user is not None and user.is_authenticated:
        from extras.personal import bell

        context['bell'] = bell(request)  # read only when a page shows it
    return context
