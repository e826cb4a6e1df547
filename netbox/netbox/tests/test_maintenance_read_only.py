"""
Maintenance mode on a database that may be read-only. Sessions: signing in and out writes no session row (a signed
cookie holds the session), a session stored before maintenance stays valid and is not renewed in the database, and a
cookie session is moved into the database once maintenance ends. A PostgreSQL connection set read-only: signing in,
pages and API reads work; the writes maintenance mode lets through are refused with its message, never a 500.
"""
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from netbox.testing import client_for

pytestmark = pytest.mark.django_db

MAINTENANCE = override_settings(CONFIG_OVERRIDES={'MAINTENANCE_MODE': True})
CREDENTIALS = {'username': 'root', 'password': 'Root-pass-123'}


def session_cookie(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def signed_in(client):
    """Whether the client's session is that of a signed-in user (the profile page answers instead of redirecting)."""
    return client.get(reverse('account:profile')).status_code == 200


def test_sign_in_and_out_during_maintenance_write_no_session_row(superuser):
    client = Client()
    with MAINTENANCE:
        assert client.post(reverse('login'), CREDENTIALS).status_code == 302
        assert Session.objects.count() == 0
        assert ':' in session_cookie(client)  # the signed session itself, not a key of a stored one
        assert signed_in(client)
        superuser.refresh_from_db()
        assert superuser.last_login is None
        assert client.post(reverse('logout')).status_code == 302
        assert not signed_in(client)
        assert Session.objects.count() == 0


@override_settings(SESSION_SAVE_EVERY_REQUEST=True)  # LOGIN_PERSISTENCE: every request renews the session
def test_a_session_from_before_maintenance_stays_valid_and_is_not_renewed(superuser):
    client = Client()
    client.force_login(superuser)
    stored = Session.objects.get()
    with MAINTENANCE:
        assert signed_in(client)
        assert signed_in(client)  # now from the signed cookie the first response set
    assert list(Session.objects.values_list('session_key', 'expire_date')) == [(stored.session_key,
                                                                                stored.expire_date)]
    assert signed_in(client)  # outside maintenance the renewal is stored again
    assert Session.objects.exclude(session_key=stored.session_key).count() == 1


def test_a_cookie_session_moves_into_the_database_after_maintenance(superuser):
    client = Client()
    with MAINTENANCE:
        client.post(reverse('login'), CREDENTIALS)
    assert signed_in(client)
    key = session_cookie(client)
    assert ':' not in key
    session = Session.objects.get(session_key=key)
    assert session.get_decoded()['_auth_user_id'] == str(superuser.pk)
    assert signed_in(client)
    assert Session.objects.count() == 1  # moved once


def test_a_forged_cookie_session_is_refused(superuser):
    client = Client()
    with MAINTENANCE:
        client.post(reverse('login'), CREDENTIALS)
    forged = session_cookie(client)[:-4] + 'AAAA'
    for maintenance in (True, False):
        client.cookies[settings.SESSION_COOKIE_NAME] = forged
        with override_settings(CONFIG_OVERRIDES={'MAINTENANCE_MODE': maintenance}):
            assert not signed_in(client)
    assert Session.objects.count() == 0


def test_ui_writes_are_still_refused_for_a_cookie_session(superuser):
    from tenancy.models import Tenant

    client = Client()
    with MAINTENANCE:
        client.post(reverse('login'), CREDENTIALS)
        response = client.post('/tenancy/tenants/add/', {'name': 'Acme', 'slug': 'acme'}, follow=True)
    assert 'NetBox is in maintenance mode' in response.content.decode()
    assert not Tenant.objects.exists() and Session.objects.count() == 0


# A read-only database


@pytest.mark.django_db(transaction=True)  # SET default_transaction_read_only reaches new transactions only
def test_a_read_only_database_in_maintenance_mode(superuser):
    from core.models import ConfigRevision
    from users.models import Token, UserConfig

    revision = ConfigRevision.objects.create(comment='Old', data={'BANNER_TOP': 'Old banner'})
    api = client_for(superuser)
    token = Token.objects.get(user=superuser)
    client = Client()
    with MAINTENANCE:
        with connection.cursor() as cursor:
            cursor.execute('SET default_transaction_read_only = on')
        try:
            # Signing in writes nothing; pages load for a user who has no stored preferences.
            assert client.post(reverse('login'), CREDENTIALS).status_code == 302
            profile = client.get(reverse('account:profile'))
            assert profile.status_code == 200 and 'maintenance mode' in profile.content.decode()
            # The posts maintenance mode lets through fail in the database: its message, not a 500.
            for url, data in ((reverse('account:preferences'), {'per_page': '25'}),
                              (reverse('core:configrevision_restore', args=[revision.pk]), {})):
                response = client.post(url, data, follow=True)
                assert response.status_code == 200
                assert 'NetBox is in maintenance mode: changes cannot be saved' in response.content.decode()
            # API reads work (the token's last_used is not written); writes get the 503.
            assert api.get('/api/tenancy/tenants/').status_code == 200
            assert api.post('/api/tenancy/tenants/', {'name': 'A', 'slug': 'a'}, format='json').status_code == 503
        finally:
            with connection.cursor() as cursor:
                cursor.execute('SET default_transaction_read_only = off')
    assert not UserConfig.objects.filter(user=superuser).exists() and Session.objects.count() == 0
    assert not ConfigRevision.objects.filter(active=True).exists()
    token.refresh_from_db()
    superuser.refresh_from_db()
    assert token.last_used is None and superuser.last_login is None


def test_a_page_the_read_only_database_breaks_is_a_503_not_a_redirect_loop(superuser, monkeypatch):
    from django.db import InternalError

    from netbox.ui import account

    def refused(*args, **kwargs):
        raise InternalError('cannot execute INSERT in a read-only transaction')

    monkeypatch.setattr(account.ProfileView, 'get', refused)
    client = Client()
    client.force_login(superuser)
    with MAINTENANCE:
        response = client.get(reverse('account:profile'))
    assert response.status_code == 503 and 'NetBox is in maintenance mode' in response.content.decode()
