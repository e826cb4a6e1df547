"""Rack elevations in headless Chromium: the rack page shows both faces, and the SVG endpoint works with a session."""
import os
import re

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from dcim.models import Device, DeviceRole, DeviceType, Rack, Site
from netbox.testing import make

# Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise refuse to run beside it.
os.environ['DJANGO_ALLOW_ASYNC_UNSAFE'] = 'true'

from playwright import sync_api  # noqa: E402  (after the environment switch above)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']
PASSWORD = 'Root-pass-123'


@pytest.fixture
def browser_page():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path='/usr/bin/chromium', args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def rack_with_devices(db):
    site = make(Site, name='DC1', slug='dc1')
    rack = make(Rack, site=site, name='R1', u_height=12)
    role = make(DeviceRole, name='Core', slug='core', color='1f3a93')
    for name, position, face, full_depth in (('core-sw-1', 10, 'front', True), ('patch-panel-9', 3, 'rear', False)):
        make(Device, site=site, rack=rack, position=position, face=face, name=name, role=role,
             device_type=make(DeviceType, u_height=1, is_full_depth=full_depth))
    return rack


def log_in(page, base_url):
    page.goto(f'{base_url}/login/')
    page.fill('input[name="username"]', 'root')
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form').filter(has=page.locator('input[name="password"]')).locator(
        'button[type="submit"], input[type="submit"]').first.click()
    page.wait_for_load_state()
    assert '/login/' not in page.url, 'login failed'


def session_cookie(user, live_server_url):
    """A logged-in session for `user`, as the login page would have created it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = next(path for path in settings.AUTHENTICATION_BACKENDS
                                        if path.endswith('ObjectPermissionBackend'))
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {'name': settings.SESSION_COOKIE_NAME, 'value': session.session_key, 'url': live_server_url}


def test_rack_page_shows_front_and_rear_elevations_naming_the_devices(live_server, superuser, rack_with_devices,
                                                                      browser_page):
    page = browser_page
    log_in(page, live_server.url)
    page.goto(f'{live_server.url}/dcim/racks/{rack_with_devices.pk}/')
    elevations = page.locator('object.rack-elevation-svg')
    sync_api.expect(elevations).to_have_count(2)
    # Each <object> holds the SVG document fetched with the user's session; read its text once it has loaded.
    drawn_text = """(face) => {
        const holder = document.querySelector(`figure[data-face="${face}"] object`);
        const doc = holder && holder.contentDocument;
        return doc && doc.documentElement && doc.documentElement.tagName === 'svg'
            ? doc.documentElement.textContent : null;
    }"""
    page.wait_for_function(f'() => ({drawn_text})("front") && ({drawn_text})("rear")')
    front = page.evaluate(drawn_text, 'front')
    rear = page.evaluate(drawn_text, 'rear')
    assert 'core-sw-1' in front and 'patch-panel-9' not in front
    assert 'patch-panel-9' in rear and 'core-sw-1' in rear  # full depth: seen from the rear too


def test_elevation_svg_opens_in_the_browser_with_the_session(live_server, superuser, rack_with_devices,
                                                             browser_page):
    page = browser_page
    page.context.add_cookies([session_cookie(superuser, live_server.url)])
    response = page.goto(f'{live_server.url}/api/dcim/racks/{rack_with_devices.pk}/elevation/?render=svg')
    assert response.status == 200
    assert response.headers['content-type'].startswith('image/svg+xml')
    drawing = page.locator('svg.rack-elevation')
    sync_api.expect(drawing).to_contain_text('core-sw-1')
    link = page.locator('a', has_text='core-sw-1')
    device = Device.objects.get(name='core-sw-1')
    sync_api.expect(link).to_have_attribute('href', re.compile(rf'/dcim/devices/{device.pk}/$'))


def test_elevation_svg_needs_a_session(live_server, rack_with_devices, browser_page):
    response = browser_page.goto(f'{live_server.url}/api/dcim/racks/{rack_with_devices.pk}/elevation/?render=svg')
    assert response.status == 403
