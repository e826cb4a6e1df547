"""The user's own pages: preferences (theme, page length, date format), DEFAULT_USER_PREFERENCES, password change,
API tokens shown once, the dark theme on every page and in the rack elevation drawing."""
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings
from django.utils import timezone

from dcim.models import Rack, Site
from netbox.dynamic_config import clear_config
from netbox.testing import make
from tenancy.models import Tenant
from users.models import Token, UserConfig, get_user_config

pytestmark = pytest.mark.django_db
VALIDATORS = [{'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator',
               'OPTIONS': {'min_length': 14}}]


@pytest.fixture
def client(client, plain_user):
    """pytest-django's client, signed in as alice."""
    client.force_login(plain_user)
    return client


@pytest.fixture
def admin_client(root_client):
    """A client signed in as the superuser (root)."""
    return root_client


def html_theme(response):
    assert response.status_code == 200
    return re.search(r'<html [^>]*data-theme="(\w+)"', response.content.decode()).group(1)


def defaults(preferences):
    """DEFAULT_USER_PREFERENCES set in configuration.py for the block."""
    clear_config()
    return override_settings(CONFIG_OVERRIDES={'DEFAULT_USER_PREFERENCES': preferences})


def test_preferences_are_saved_in_userconfig(client, plain_user):
    response = client.post('/user/preferences/', {'colormode': 'dark', 'per_page': '25', 'date_format': 'european'})
    assert response.status_code == 302
    data = UserConfig.objects.get(user=plain_user).data
    assert data['ui'] == {'colormode': 'dark', 'date_format': 'european'}
    assert data['pagination'] == {'per_page': 25}
    page = client.get('/user/preferences/').content.decode()
    assert '<option value="dark" selected>' in page


def test_bad_preference_value_is_refused_with_the_field_named(client, plain_user):
    response = client.post('/user/preferences/', {'colormode': 'purple'})
    assert response.status_code == 200
    assert 'purple is not one of the available choices' in response.content.decode()
    assert get_user_config(plain_user).data.get('ui') is None


def test_page_length_preference_is_honoured_in_a_list(admin_client, superuser):
    for number in range(30):
        make(Tenant, name=f'Tenant {number:02}', slug=f'tenant-{number:02}')
    admin_client.post('/user/preferences/', {'per_page': '25'})
    page = admin_client.get('/tenancy/tenants/').content.decode()
    assert page.count('href="/tenancy/tenants/') - page.count('href="/tenancy/tenants/add') >= 25
    assert 'Tenant 24' in page and 'Tenant 25' not in page
    assert 'Tenant 25' in admin_client.get('/tenancy/tenants/?page=2').content.decode()


def test_date_format_preference_changes_dates_on_pages(admin_client):
    tenant = make(Tenant, name='Dated', slug='dated')
    created = timezone.localtime(tenant.created)
    assert created.strftime('%Y-%m-%d %H:%M') in admin_client.get(f'/tenancy/tenants/{tenant.pk}/').content.decode()
    admin_client.post('/user/preferences/', {'date_format': 'european'})
    page = admin_client.get(f'/tenancy/tenants/{tenant.pk}/').content.decode()
    assert created.strftime('%d.%m.%Y %H:%M') in page
    assert created.strftime('%Y-%m-%d %H:%M') not in page


def test_default_user_preferences_apply_where_the_user_has_no_value(client, plain_user):
    get_user_config(plain_user)  # a config that existed before the defaults were set
    with defaults({'ui': {'colormode': 'dark'}, 'pagination': {'per_page': 40}}):
        assert html_theme(client.get('/user/profile/')) == 'dark'
        assert get_user_config(plain_user).get('pagination.per_page') == 40
        client.post('/user/preferences/', {'colormode': 'light'})  # the user's own value wins
        assert html_theme(client.get('/user/profile/')) == 'light'
        assert get_user_config(plain_user).get('pagination.per_page') == 40
        page = client.get('/user/preferences/').content.decode()
        assert 'pagination.per_page' in page and 'id="default-preferences"' in page


def test_default_page_length_applies_to_lists(admin_client):
    for number in range(12):
        make(Tenant, name=f'Tenant {number:02}', slug=f'tenant-{number:02}')
    with defaults({'pagination': {'per_page': 10}}):
        page = admin_client.get('/tenancy/tenants/').content.decode()
    assert 'Tenant 09' in page and 'Tenant 10' not in page


def test_password_change_keeps_the_session(client, plain_user):
    with override_settings(AUTH_PASSWORD_VALIDATORS=VALIDATORS):
        response = client.post('/user/password/', {
            'old_password': 'Alice-pass-123', 'new_password1': 'A-much-longer-pass-456',
            'new_password2': 'A-much-longer-pass-456'})
    assert response.status_code == 302
    plain_user.refresh_from_db()
    assert plain_user.check_password('A-much-longer-pass-456')
    assert client.get('/user/profile/').status_code == 200  # still signed in


def test_password_validator_message_is_shown(client, plain_user):
    with override_settings(AUTH_PASSWORD_VALIDATORS=VALIDATORS):
        response = client.post('/user/password/', {
            'old_password': 'Alice-pass-123', 'new_password1': 'Short-9x', 'new_password2': 'Short-9x'})
    assert response.status_code == 200
    assert 'This password is too short. It must contain at least 14 characters.' in response.content.decode()
    plain_user.refresh_from_db()
    assert plain_user.check_password('Alice-pass-123')


def test_wrong_current_password_is_refused(client, plain_user):
    response = client.post('/user/password/', {
        'old_password': 'not-my-password', 'new_password1': 'A-much-longer-pass-456',
        'new_password2': 'A-much-longer-pass-456'})
    assert response.status_code == 200
    assert 'Your old password was entered incorrectly' in response.content.decode()
    plain_user.refresh_from_db()
    assert plain_user.check_password('Alice-pass-123')


@override_settings(API_TOKEN_PEPPERS={1: 'p' * 50})
def test_v2_token_secret_is_shown_once(admin_client, superuser):
    response = admin_client.post('/user/api-tokens/', {'description': 'ci', 'version': '2', 'write_enabled': 'on'})
    assert response.status_code == 200
    page = response.content.decode()
    token = Token.objects.get(user=superuser, description='ci')
    secret = re.search(r'<code id="new-token">(nbt_[^<]+)</code>', page).group(1)
    assert secret.startswith(f'nbt_{token.key}.')
    assert Token.objects.get(pk=token.pk).plaintext is None  # not stored
    listing = admin_client.get('/user/api-tokens/').content.decode()
    assert secret not in listing and secret.split('.', 1)[1] not in listing
    assert 'id="new-token"' not in listing


@pytest.mark.parametrize('mode, theme', [('dark', 'dark'), ('light', 'light'), ('system', 'light')])
def test_html_data_theme_follows_the_preference(client, plain_user, mode, theme):
    get_user_config(plain_user).set('ui.colormode', mode)
    response = client.get('/user/profile/')
    assert html_theme(response) == theme
    page = response.content.decode()
    assert f'data-colormode="{mode}"' in page
    assert ('prefers-color-scheme: dark' in page) == (mode == 'system')  # only "system" asks the browser


def test_theme_toggle_saves_the_preference_and_returns(client, plain_user):
    page = client.get('/user/profile/').content.decode()
    assert 'name="theme" value="dark"' in page  # the user menu offers dark mode
    response = client.post('/user/theme/', {'theme': 'dark', 'return_url': '/user/preferences/'})
    assert response.status_code == 302 and response['Location'] == '/user/preferences/'
    assert get_user_config(plain_user).get('ui.colormode') == 'dark'
    assert 'name="theme" value="light"' in client.get('/user/profile/').content.decode()
    outside = client.post('/user/theme/', {'theme': 'light', 'return_url': 'https://evil.example/'})
    assert outside['Location'] == '/'
    assert client.post('/user/theme/', {'theme': 'sepia'}).status_code == 400


def test_rack_svg_carries_dark_colours_when_the_preference_is_dark(admin_client, superuser):
    rack = make(Rack, site=make(Site, name='DC1', slug='dc1'), name='R1', u_height=4)
    url = f'/api/dcim/racks/{rack.pk}/elevation/?render=svg'
    light = ET.fromstring(admin_client.get(url).content)
    assert 'theme-light' in light.get('class')
    get_user_config(superuser).set('ui.colormode', 'dark')
    response = admin_client.get(url)
    root = ET.fromstring(response.content)
    assert 'theme-dark' in root.get('class')
    background = root.find('{http://www.w3.org/2000/svg}rect')
    assert background.get('class') == 'background' and background.get('fill') == '#172032'
    assert 'svg.rack-elevation.theme-dark { --rk-background: #172032;' in response.content.decode()
    assert admin_client.get(url + '&theme=light').content.decode().count('theme-light') == 1
    assert admin_client.get(url + '&theme=sepia').status_code == 400


def test_cable_trace_svg_has_theme_classes():
    from dcim.views_cables import trace_svg

    svg = trace_svg([([], None, [])])
    assert 'class="cable-trace"' in svg and 'trace-box trace-near' in svg
