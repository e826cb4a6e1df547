"""
Sessions that write nothing to the database in maintenance mode.

Outside maintenance mode sessions live in the configured backend (the database, or files with SESSION_FILE_PATH).
While MAINTENANCE_MODE is on the database may be read-only (a replica, a migration in progress), so, as NetBox does,
a session that starts or changes then (a sign-in, a sign-out, LOGIN_PERSISTENCE's renewal) is kept in a signed cookie
instead. A session stored before maintenance is still read, so signed-in users stay signed in; a cookie session made
during maintenance is moved into the configured backend on its first request afterwards.
"""
from functools import cache
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends import signed_cookies
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware

from .dynamic_config import clear_config, get_config


def is_cookie_session(session_key):
    """Whether the cookie holds a signed session itself rather than a backend's key (which has no colons)."""
    return bool(session_key) and ':' in session_key


class ReadsCookieSessions:
    """Mixed into the configured backend's store: a cookie session from maintenance mode is read and then saved in
    the backend under a new key."""

    def load(self):
        if is_cookie_session(self.session_key):
            data = signed_cookies.SessionStore(self.session_key).load()
            self._session_key = None  # save() then creates a backend key, which replaces the cookie
            self.modified = bool(data)
            return data
        return super().load()


@cache
def backend_store(engine):
    """The configured engine's store, able to read cookie sessions too (one class per engine)."""
    return type('SessionStore', (ReadsCookieSessions, import_module(engine).SessionStore), {})


class MaintenanceSessionStore(signed_cookies.SessionStore):
    """A signed-cookie store that still reads a session the configured backend stored before maintenance mode."""

    def load(self):
        if self.session_key and not is_cookie_session(self.session_key):
            # Reading only: the backend's load() writes nothing, even for a missing or expired session.
            return import_module(settings.SESSION_ENGINE).SessionStore(self.session_key).load()
        return super().load()


def session_store(session_key=None):
    """The store for one request: signed cookies while MAINTENANCE_MODE is on, else the configured backend."""
    if get_config().MAINTENANCE_MODE:
        return MaintenanceSessionStore(session_key)
    return backend_store(settings.SESSION_ENGINE)(session_key)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware with the store chosen per request by `session_store()`."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.SessionStore = session_store

    def process_request(self, request):
        # The configuration snapshot of this request (CoreMiddleware takes it again later, also cheaply).
        clear_config()
        super().process_request(request)
