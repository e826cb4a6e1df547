"""
A user's pages and an operator's maintenance window end to end in headless Chromium: sign in, switch to dark mode
from the user menu, sign out and in again and find the theme kept (down to the rack elevation drawing), then turn
MAINTENANCE_MODE on through a configuration revision: the banner shows, an edit is refused, the theme toggle still
works, and signing out and in again writes neither a session row nor last_login.

The sign-in step is one function, `login`, with browser_sso_login()'s signature (netbox/netbox/tests/oidc_provider.py):
pass that instead of login_with_password() to run the same flow through single sign-on.
"""
import functools

import pytest

from dcim.models import Rack, Site
from netbox.tests.test_browser import browser  # noqa: F401 - fixture shared with it
from netbox.tests.test_operator_browser import check_maintenance_blocks_edits
from users.models import get_user_config
from users.tests.test_sso_browser import sso_page  # noqa: F401 - a browser context that is not signed in
from users.tests.test_user_pages_browser import (
    DARK_BACKGROUND,
    DARK_RACK_BACKGROUND,
    LIGHT_BACKGROUND,
    READ_ELEVATION,
    open_user_menu,
    theme_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DARK_MAINTENANCE_BANNER = 'rgb(69, 10, 10)'  # .banner-maintenance in the dark theme


def login_with_password(page, base_url, username, password, next_path=None):
    """Sign in on NetBox's login page with a local username and password; land on `next_path` (default: home)."""
    page.goto(f'{base_url}/login/' + (f'?next={next_path}' if next_path else ''))
    page.fill('#id_username', username)
    page.fill('#id_password', password)
    page.click('form button[type=submit]')
    page.wait_for_url(f'{base_url}{next_path or "/"}')


def logout(page, base_url):
    open_user_menu(page)
    page.click('button:text("Log out")')
    page.wait_for_load_state()
    page.goto(f'{base_url}/user/profile/')
    assert '/login/' in page.url  # really signed out


def check_user_day(page, base_url, login, user):
    """
    `login(page, base_url, next_path=...)` signs `user` in (a superuser: the flow edits sites and restores
    configuration revisions).
    """
    from django.contrib.sessions.models import Session

    login(page, base_url, next_path='/user/profile/')
    assert theme_of(page) == ('light', LIGHT_BACKGROUND)

    # Dark mode from the user menu, kept across signing out and in.
    open_user_menu(page)
    page.click('button[data-theme-toggle][value=dark]')
    page.wait_for_url(f'{base_url}/user/profile/')
    assert theme_of(page) == ('dark', DARK_BACKGROUND)
    logout(page, base_url)
    login(page, base_url, next_path='/user/profile/')
    assert theme_of(page) == ('dark', DARK_BACKGROUND)
    assert get_user_config(user).get('ui.colormode') == 'dark'

    # The rack elevation drawing is dark too.
    rack = Rack.objects.create(site=Site.objects.create(name='Night DC', slug='night-dc'), name='Night rack',
                               u_height=6)
    page.goto(f'{base_url}{rack.get_absolute_url()}')
    drawing = page.evaluate(READ_ELEVATION)
    assert drawing is not None, 'the rack elevation SVG did not load'
    assert 'theme-dark' in drawing['cls'] and drawing['background'] == DARK_RACK_BACKGROUND

    # Maintenance mode through a configuration revision: banner (in dark colours), a refused edit.
    check_maintenance_blocks_edits(page, base_url)
    banner = page.locator('.banner-maintenance')
    assert banner.evaluate('element => getComputedStyle(element).backgroundColor') == DARK_MAINTENANCE_BANNER

    # During maintenance the theme is still the user's to change, and signing out and in writes nothing.
    sessions = set(Session.objects.values_list('session_key', flat=True))
    user.refresh_from_db()
    last_login = user.last_login
    open_user_menu(page)
    page.click('button[data-theme-toggle][value=light]')
    page.wait_for_load_state()
    assert theme_of(page) == ('light', LIGHT_BACKGROUND)
    assert get_user_config(user).get('ui.colormode') == 'light'
    logout(page, base_url)
    login(page, base_url, next_path='/user/profile/')
    assert page.locator('.banner-maintenance').is_visible()
    assert theme_of(page) == ('light', LIGHT_BACKGROUND)
    user.refresh_from_db()
    assert user.last_login == last_login
    assert set(Session.objects.values_list('session_key', flat=True)) == sessions


def test_dark_mode_kept_and_maintenance_window(sso_page, live_server, superuser):  # noqa: F811
    login = functools.partial(login_with_password, username='root', password='Root-pass-123')
    check_user_day(sso_page, live_server.url, login, superuser)
