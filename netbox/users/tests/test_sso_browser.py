"""
Single sign-on end to end: headless Chromium (Playwright) on NetBox's login page, through the OpenID Connect
provider the tests start on a loopback port (netbox/netbox/tests/oidc_provider.py), and back to NetBox logged in.
"""
import re

import pytest

from netbox.tests.oidc_provider import browser_sso_login, oidc_live, oidc_provider  # noqa: F401 - fixtures
from netbox.tests.test_browser import browser  # noqa: F401 - fixture shared with it
from users.models import Group, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sso_page(browser):  # noqa: F811
    context = browser.new_context(viewport={'width': 1200, 'height': 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_login_through_the_provider_creates_and_updates_the_user(sso_page, live_server, oidc_live, settings):  # noqa: F811
    page, base = sso_page, live_server.url
    Group.objects.create(name='netops')
    settings.SOCIAL_AUTH_SUPERUSER_GROUPS = ['admins']

    # The login page offers the provider; the browser signs in there and comes back to the page it asked for.
    page.goto(f'{base}/dcim/sites/')
    page.wait_for_url(f'{base}/login/?next=/dcim/sites/')
    button = page.locator('button.sso-button')
    assert button.count() == 1 and button.inner_text().strip() == 'Log in with OpenID Connect'
    button.click()
    page.wait_for_url(re.compile(re.escape(f'{oidc_live.issuer}/authorize?')))
    page.fill('#username', 'alice')
    page.fill('#password', 'alice-pw')
    page.click('#allow')
    page.wait_for_url(f'{base}/dcim/sites/')
    assert page.locator('h1', has_text='Sites').count() == 1

    user = User.objects.get(username='alice')
    assert (user.email, user.first_name, user.last_name) == ('alice@example.org', 'Alice', 'Anders')
    assert list(user.groups.values_list('name', flat=True)) == ['netops']  # 'admins' is not created
    assert user.is_superuser  # the claim names 'admins', a superuser group

    # The provider's record changes; the next login brings NetBox in line (groups removed and added).
    Group.objects.create(name='readers')
    person = oidc_live.users['alice']
    person.given_name, person.email, person.groups = 'Alicia', 'alicia@example.org', ['readers']
    page.context.clear_cookies()
    browser_sso_login(page, base)
    user.refresh_from_db()
    assert (user.first_name, user.email) == ('Alicia', 'alicia@example.org')
    assert list(user.groups.values_list('name', flat=True)) == ['readers']
    assert not user.is_superuser
    assert User.objects.count() == 1


def test_denied_consent_shows_the_error_on_the_login_page(sso_page, live_server, oidc_live):  # noqa: F811
    page, base = sso_page, live_server.url
    page.goto(f'{base}/login/')
    page.click('button.sso-button[data-backend=oidc]')
    page.click('#deny')
    page.wait_for_url(f'{base}/login/')
    error = page.locator('.alert-error')
    assert error.count() == 1
    assert 'Log in with OpenID Connect failed' in error.inner_text()
    assert page.locator('#id_username').is_visible()  # the password form is still there
    assert not User.objects.filter(username='alice').exists()


def test_wrong_password_at_the_provider_keeps_the_user_there(sso_page, live_server, oidc_live):  # noqa: F811
    page, base = sso_page, live_server.url
    page.goto(f'{base}/login/')
    page.click('button.sso-button[data-backend=oidc]')
    page.fill('#username', 'alice')
    page.fill('#password', 'not-her-password')
    page.click('#allow')
    assert page.locator('#error').inner_text() == 'Wrong username or password.'
    page.fill('#username', 'alice')
    page.fill('#password', 'alice-pw')
    page.click('#allow')
    page.wait_for_url(f'{base}/')
    assert User.objects.filter(username='alice').exists()


def test_no_sso_button_without_a_social_backend(sso_page, live_server):
    sso_page.goto(f'{live_server.url}/login/')
    assert sso_page.locator('#id_username').is_visible()
    assert sso_page.locator('.sso-button').count() == 0
