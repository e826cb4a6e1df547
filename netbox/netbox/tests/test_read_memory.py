"""
A list response lets go of its rows when the request ends: nothing of the page (model instances, row dictionaries,
the response) is left in a reference cycle for the garbage collector. DRF's response and view, and a list serializer
and its child, point at each other; those cycles held every page until the next full collection, and a server
worker grew by megabytes per 1,000-row page (netbox.middleware.release_view, readplan.render_many).
"""
import gc
import io
import sys

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from dcim.models import Interface
from netbox.testing import make
from users.models import Token


def wsgi_get(token, path, query):
    """GET through Django's WSGI handler, as gunicorn calls it; returns the body."""
    environ = {
        'REQUEST_METHOD': 'GET', 'PATH_INFO': path, 'QUERY_STRING': query, 'SERVER_NAME': 'testserver',
        'SERVER_PORT': '80', 'wsgi.input': io.BytesIO(b''), 'wsgi.url_scheme': 'http', 'wsgi.errors': sys.stderr,
        'HTTP_AUTHORIZATION': f'Token {token}', 'HTTP_ACCEPT': 'application/json',
    }
    statuses = []
    result = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    try:
        body = b''.join(result)
    finally:
        result.close()
    assert statuses == ['200 OK'], body[:300]
    return body


@pytest.mark.django_db
def test_list_page_leaves_no_garbage_cycles(admin_user):
    device = make(Interface).device
    for index in range(20):
        Interface.objects.create(device=device, name=f'eth{index}', type='1000base-t')
    token = Token(user=admin_user, version=1, write_enabled=False)
    token.save()
    # As Django's test client does: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    flags = gc.get_debug()
    gc.collect()
    gc.disable()
    try:
        wsgi_get(token.token_value, '/api/dcim/interfaces/', 'limit=50')  # plans and caches built
        gc.collect()
        body = wsgi_get(token.token_value, '/api/dcim/interfaces/', 'limit=50')
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = {type(obj).__name__ for obj in gc.garbage}
        rows = [obj for obj in gc.garbage if isinstance(obj, dict) and 'display_url' in obj]
    finally:
        gc.set_debug(flags)
        gc.garbage.clear()
        gc.enable()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert b'eth19' in body
    # The serializers may stay in their own cycle (a fixed cost per request), but without the page.
    assert not {'Response', 'Interface', 'Device'} & left, {'Response', 'Interface', 'Device'} & left
    assert rows == []
