"""
The user's walk end to end in headless Chromium: log in through single sign-on, switch to dark mode with the user
menu's toggle, log out and in again, and the dark theme is still there, down to the rack elevation drawing; then
maintenance mode is turned on, its banner shows, and an edit is refused.
"""
import pytest

from dcim.models import Rack, Site
from netbox.tests.oidc_provider import browser_sso_login, oidc_live, oidc_provider  # noqa: F401 - fixtures
from netbox.tests.test_browser import browser  # noqa: F401 - fixture shared with it
from netbox.tests.test_operator_browser import check_maintenance_blocks_edits
from users.models import User
from users.tests.test_sso_browser import sso_page  # noqa: F401 - fixture shared with it

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIGHT_BACKGROUND = 'rgb(244, 246, 249)'  # --bg of the light theme
DARK_BACKGROUND = 'rgb(15, 22, 35)'  # --bg of [data-theme="dark"]
DARK_RACK_BACKGROUND = 'rgb(23, 32, 50)'  # --rk-background of the dark drawing

# The drawing is an <object>: wait until its document has loaded, then read its classes and computed colours.
READ_ELEVATION = """async () => {
  const holder = document.querySelector('object.rack-elevation-svg');
  for (let i = 0; i < 100; i++) {
    const doc = holder.contentDocument;
    if (doc && doc.querySelector('rect.background')) {
      return {cls: doc.documentElement.getAttribute('class'),
              background: getComputedStyle(doc.querySelector('rect.background')).fill,
              slot: getComputedStyle(doc.querySelector('rect.slot')).fill};
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return null;
}"""


def theme_of(page):
    return page.locator('html').get_attribute('data-theme'), page.evaluate(
        'getComputedStyle(document.body).backgroundColor')


def open_user_menu(page):
    page.click('details.user-menu:not([data-bell]) > summary')


def check_dark_mode_kept(page, live_server_url, username='alice', password='alice-pw'):
    """
    Run after an SSO login (browser_sso_login) as `username`, a user who may view racks: toggle dark mode, log out,
    log in again through SSO as the same user, and check the theme and a rack elevation drawing are dark.
    """
    base = live_server_url
    page.goto(f'{base}/user/profile/')
    assert theme_of(page) == ('light', LIGHT_BACKGROUND)

    open_user_menu(page)
    page.click('button[data-theme-toggle][value=dark]')
    page.wait_for_url(f'{base}/user/profile/')  # back on the page the toggle was used on
    assert theme_of(page) == ('dark', DARK_BACKGROUND)

    open_user_menu(page)
    page.click('button:text("Log out")')
    page.wait_for_load_state()
    page.goto(f'{base}/user/profile/')
    assert '/login/' in page.url  # really logged out
    browser_sso_login(page, base, username=username, password=password, next_path='/user/profile/')
    assert theme_of(page) == ('dark', DARK_BACKGROUND)  # the preference is kept across sessions
    assert page.locator('button[data-theme-toggle]').get_attribute('value') == 'light'

    site, _ = Site.objects.get_or_create(name='Dark DC', slug='dark-dc')
    rack, _ = Rack.objects.get_or_create(site=site, name='Dark rack', defaults={'u_height': 8})
    page.goto(f'{base}/dcim/racks/{rack.pk}/')
    assert theme_of(page) == ('dark', DARK_BACKGROUND)
    drawing = page.evaluate(READ_ELEVATION)
    assert drawing is not None, 'the rack elevation SVG did not load'
    assert 'theme-dark' in drawing['cls']
    assert drawing['background'] == DARK_RACK_BACKGROUND
    assert drawing['slot'] == 'rgb(29, 40, 60)'


def test_dark_mode_is_kept_across_sso_logins(sso_page, live_server, oidc_live, settings):  # noqa: F811
    settings.SOCIAL_AUTH_SUPERUSER_GROUPS = ['admins']  # alice's groups claim names it: she may view racks
    browser_sso_login(sso_page, live_server.url)
    assert User.objects.get(username='alice').is_superuser
    check_dark_mode_kept(sso_page, live_server.url)
    assert User.objects.get(username='alice').config.data['ui']['colormode'] == 'dark'
    check_maintenance_blocks_edits(sso_page, live_server.url)
    assert sso_page.locator('html').get_attribute('data-theme') == 'dark'
