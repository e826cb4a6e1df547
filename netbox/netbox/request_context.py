"""
Per-request state: the current request (for the change log) and a small cache for lookups repeated within it.

Both live in context variables, so they work the same under WSGI threads, the RQ worker and scripts.
"""
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

_current_request = ContextVar('current_request', default=None)
_request_cache = ContextVar('request_cache', default=None)


class ChangeContext:
    """Who is making changes and under which request id; a script or the shell can make one without a request."""

    def __init__(self, user=None, request_id=None, request=None):
        self._user = user
        self.id = request_id or uuid.uuid4()
        self.request = request

    @property
    def user(self):
        # Read lazily: API authentication sets request.user after the middleware has run.
        if self._user is None and self.request is not None:
            return getattr(self.request, 'user', None)
        return self._user


def current_change_context():
    return _current_request.get()


@contextmanager
def change_logging(context):
    """Record every change made inside the block in the change log, attributed to `context`."""
    token = _current_request.set(context)
    cache_token = _request_cache.set({})
    try:
        yield context
    finally:
        _current_request.reset(token)
        _request_cache.reset(cache_token)


def request_cache():
    cache = _request_cache.get()
    if cache is None:
        # Outside a request nothing clears the cache, so hand out a fresh one each time.
        return {}
    return cache


def clear_request_cache():
    cache = _request_cache.get()
    if cache is not None:
        cache.clear()
