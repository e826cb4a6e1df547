"""Each user's dashboard: a default layout on first use, read and changed through /api/extras/dashboard/ (the
user's own only), rendered as widgets on the home page."""
import pytest

from extras.models import Dashboard
from netbox.testing import client_for, grant
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db


def test_default_dashboard_for_a_new_user(plain_user):
    api = client_for(plain_user)
    response = api.get('/api/extras/dashboard/')
    assert response.status_code == 200
    layout, config = response.data['layout'], response.data['config']
    assert layout and {item['id'] for item in layout} == set(config)
    assert {'extras.ObjectCountsWidget', 'extras.BookmarksWidget', 'extras.NoteWidget'} <= \
        {widget['class'] for widget in config.values()}
    assert Dashboard.objects.filter(user=plain_user).count() == 1


def test_dashboards_are_per_user(plain_user, superuser):
    mine, theirs = client_for(plain_user), client_for(superuser)
    note = {'layout': [{'id': 'a', 'x': 0, 'y': 0, 'w': 6, 'h': 3}],
            'config': {'a': {'class': 'extras.NoteWidget', 'title': 'Mine', 'config': {'content': '**hello**'}}}}
    response = mine.put('/api/extras/dashboard/', note, format='json')
    assert response.status_code == 200 and response.data == note
    assert theirs.get('/api/extras/dashboard/').data['config'] != note['config']
    assert mine.get('/api/extras/dashboard/').data == note
    patched = mine.patch('/api/extras/dashboard/', {'layout': [{'id': 'a', 'x': 0, 'y': 0, 'w': 12, 'h': 3}]},
                         format='json')
    assert patched.data['layout'][0]['w'] == 12 and patched.data['config'] == note['config']
    assert mine.delete('/api/extras/dashboard/').status_code == 204
    assert mine.get('/api/extras/dashboard/').data['config'] != note['config']  # back to the default


@pytest.mark.parametrize('body, field', [({'layout': 'x', 'config': {}}, 'layout'),
                                         ({'layout': [], 'config': []}, 'config'),
                                         ({'layout': []}, 'config')])
def test_bad_dashboard_is_a_400(plain_user, body, field):
    response = client_for(plain_user).put('/api/extras/dashboard/', body, format='json')
    assert response.status_code == 400 and field in response.data


def test_dashboard_needs_authentication(client):
    from rest_framework.test import APIClient

    assert APIClient().get('/api/extras/dashboard/').status_code in (401, 403)


def test_home_page_renders_the_users_widgets(client, plain_user):
    grant(plain_user, Tenant, ['view'])
    Tenant.objects.create(name='Acme', slug='acme')
    Tenant.objects.create(name='Globex', slug='globex')
    Dashboard.objects.create(user=plain_user, layout=[
        {'id': 'n', 'x': 0, 'y': 0, 'w': 4, 'h': 2}, {'id': 'c', 'x': 4, 'y': 0, 'w': 4, 'h': 2},
        {'id': 'l', 'x': 8, 'y': 0, 'w': 4, 'h': 2}, {'id': 'u', 'x': 0, 'y': 2, 'w': 4, 'h': 2},
    ], config={
        'n': {'class': 'extras.NoteWidget', 'title': 'Notes', 'config': {'content': '**bold** <script>x</script>'}},
        'c': {'class': 'extras.ObjectCountsWidget', 'title': 'Counts',
              'config': {'models': ['tenancy.tenant', 'dcim.site']}},
        'l': {'class': 'extras.ObjectListWidget', 'title': 'Some tenants',
              'config': {'model': 'tenancy.tenant', 'url_params': {'name__ic': 'glo'}}},
        'u': {'class': 'extras.NoSuchWidget', 'title': 'Odd'},
    })
    client.force_login(plain_user)
    page = client.get('/').content.decode()
    assert '<strong>bold</strong>' in page and '<script>x' not in page
    counts = page[page.index('widget-ObjectCountsWidget'):]
    counts = counts[:counts.index('</section>')]
    assert 'Tenants' in counts and '>2<' in counts and 'Sites' not in counts  # no permission to view sites
    listed = page[page.index('widget-ObjectListWidget'):]
    listed = listed[:listed.index('</section>')]
    assert 'Globex' in listed and 'Acme' not in listed
    assert 'Unknown widget' in page
