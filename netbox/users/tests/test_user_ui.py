"""
User preferences where they meet lists and maintenance mode: the page length and date format preferences in a list's
rows, and the theme toggle, which stays the user's to use while NetBox is read-only.
"""
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from core.models import ConfigRevision
from users.models import get_user_config

pytestmark = pytest.mark.django_db

MAINTENANCE = override_settings(CONFIG_OVERRIDES={'MAINTENANCE_MODE': True})


def test_page_length_and_date_format_preferences_apply_to_list_rows(client, superuser):
    client.force_login(superuser)
    for number in range(30):
        ConfigRevision.objects.create(comment=f'Revision {number:02}')
    created = timezone.localtime(ConfigRevision.objects.order_by('-created').first().created)
    client.post('/user/preferences/', {'per_page': '25', 'date_format': 'european'})
    page = client.get('/core/config-revisions/').content.decode()
    rows = re.findall(r'href="/core/config-revisions/(\d+)/"', page)
    assert len(set(rows)) == 25
    assert created.strftime('%d.%m.%Y %H:%M') in page  # the created column, in the user's format
    assert created.strftime('%Y-%m-%d %H:%M') not in page
    client.post('/user/preferences/', {'per_page': '', 'date_format': 'us'})
    page = client.get('/core/config-revisions/').content.decode()
    assert len(set(re.findall(r'href="/core/config-revisions/(\d+)/"', page))) == 30  # PAGINATE_COUNT 50 again
    assert created.strftime('%m/%d/%Y %I:%M %p') in page


def test_theme_toggle_still_saves_in_maintenance_mode(client, superuser):
    client.force_login(superuser)
    with MAINTENANCE:
        response = client.post('/user/theme/', {'theme': 'dark', 'return_url': '/user/profile/'})
        assert response.status_code == 302 and response['Location'] == '/user/profile/'
        page = client.get('/user/profile/').content.decode()
    assert get_user_config(superuser).get('ui.colormode') == 'dark'
    assert 'data-theme="dark"' in page and 'NetBox is in maintenance mode:' not in page
    with MAINTENANCE:  # other writes of the user's own stay refused
        client.post('/user/password/', {'old_password': 'Root-pass-123', 'new_password1': 'Another-pass-456',
                                              'new_password2': 'Another-pass-456'})
    superuser.refresh_from_db()
    assert superuser.check_password('Root-pass-123')
