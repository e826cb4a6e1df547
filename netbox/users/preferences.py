"""
Effective user preferences: the user's own UserConfig value, else DEFAULT_USER_PREFERENCES, else a built-in
default. Read once per request (the UserConfig row is cached in the request cache).
"""
import datetime

from netbox.request_context import current_change_context, request_cache

COLOR_MODES = ('light', 'dark', 'system')
COLOR_MODE_CHOICES = [('light', 'Light'), ('dark', 'Dark'), ('system', 'Follow the system setting')]

# name: (label, datetime strftime, date strftime)
DATE_FORMATS = {
    'iso': ('ISO 8601 (2026-06-26 13:23)', '%Y-%m-%d %H:%M', '%Y-%m-%d'),
    'us': ('US (06/26/2026 01:23 PM)', '%m/%d/%Y %I:%M %p', '%m/%d/%Y'),
    'european': ('European (26.06.2026 13:23)', '%d.%m.%Y %H:%M', '%d.%m.%Y'),
    'long': ('Long (26 Jun 2026 13:23)', '%d %b %Y %H:%M', '%d %b %Y'),
}
DEFAULT_DATE_FORMAT = 'iso'


def lookup(data, path):
    """The value at dotted `path` in nested dicts, or None."""
    node = data
    for part in path.split('.'):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def default_preference(path):
    """The value DEFAULT_USER_PREFERENCES gives `path`, or None."""
    from netbox.dynamic_config import get_config

    return lookup(get_config().DEFAULT_USER_PREFERENCES or {}, path)


def user_config(user):
    """The UserConfig of an authenticated `user`, read once per request; None for anonymous users."""
    if user is None or not user.is_authenticated:
        return None
    cache = request_cache()
    key = ('user_config', user.pk)
    if key not in cache:
        from .models import get_user_config

        cache[key] = get_user_config(user)
    return cache[key]


def preference(user, path, default=None):
    """The effective value of `path` for `user` (anonymous users get DEFAULT_USER_PREFERENCES)."""
    config = user_config(user)
    value = config.get(path) if config is not None else default_preference(path)
    return default if value is None else value


def color_mode(user):
    mode = preference(user, 'ui.colormode', 'light')
    return mode if mode in COLOR_MODES else 'light'


def _current_user():
    context = current_change_context()
    request = getattr(context, 'request', None)
    return getattr(request, 'user', None)


def date_format_name(user=None):
    name = preference(user if user is not None else _current_user(), 'ui.date_format', DEFAULT_DATE_FORMAT)
    return name if name in DATE_FORMATS else DEFAULT_DATE_FORMAT


def format_date(value, user=None):
    """`value` (a date or datetime) in the date format the current request's user prefers."""
    _label, datetime_format, date_format = DATE_FORMATS[date_format_name(user)]
    if isinstance(value, datetime.datetime):
        return value.strftime(datetime_format)
    return value.strftime(date_format)
