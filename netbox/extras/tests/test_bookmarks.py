"""Bookmarks: users bookmark objects for themselves (REST and the object page's button), see only their own unless
given more, and find them on their bookmarks page and dashboard."""
import pytest
from django.contrib.contenttypes.models import ContentType

from extras.models import Bookmark
from netbox.testing import client_for, grant
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant():
    return Tenant.objects.create(name='Acme', slug='acme')


def test_rest_bookmark_own_only(plain_user, superuser, tenant):
    api = client_for(plain_user)
    payload = {'object_type': 'tenancy.tenant', 'object_id': tenant.pk, 'user': plain_user.pk}
    response = api.post('/api/extras/bookmarks/', payload, format='json')
    assert response.status_code == 201, response.content
    assert response.data['object']['name'] == 'Acme' and response.data['object_type'] == 'tenancy.tenant'
    assert 'display_url' not in response.data
    # The same object twice is refused, naming the problem.
    again = api.post('/api/extras/bookmarks/', payload, format='json')
    assert again.status_code == 400
    missing = api.post('/api/extras/bookmarks/', {**payload, 'object_id': tenant.pk + 1000}, format='json')
    assert missing.status_code == 400 and 'object_id' in missing.data
    # Someone else's bookmark can neither be made nor seen.
    response = api.post('/api/extras/bookmarks/', {**payload, 'user': superuser.pk}, format='json')
    assert response.status_code == 403
    Bookmark.objects.create(user=superuser, object_type=ContentType.objects.get_for_model(Tenant),
                            object_id=tenant.pk)
    mine = api.get('/api/extras/bookmarks/')
    assert [row['user']['username'] for row in mine.data['results']] == ['alice']
    # A superuser sees everyone's; filters by user and object.
    every = client_for(superuser).get('/api/extras/bookmarks/', {'object_type': 'tenancy.tenant',
                                                                  'object_id': tenant.pk})
    assert every.data['count'] == 2
    only_root = client_for(superuser).get('/api/extras/bookmarks/', {'user': 'root'})
    assert only_root.data['count'] == 1


def test_bookmark_button_page_and_dashboard(client, plain_user, tenant):
    grant(plain_user, Tenant, ['view'])
    client.force_login(plain_user)
    page = client.get(tenant.get_absolute_url()).content.decode()
    assert 'data-bookmark' in page and 'Bookmark' in page
    data = {'object_type': ContentType.objects.get_for_model(Tenant).pk, 'object_id': tenant.pk,
            'return_url': tenant.get_absolute_url()}
    response = client.post('/user/bookmarks/toggle/', data)
    assert response.status_code == 302 and response['Location'] == tenant.get_absolute_url()
    assert Bookmark.objects.filter(user=plain_user, object_id=tenant.pk).count() == 1
    assert 'Unbookmark' in client.get(tenant.get_absolute_url()).content.decode()
    listing = client.get('/user/bookmarks/').content.decode()
    assert tenant.get_absolute_url() in listing and 'Acme' in listing
    home = client.get('/').content.decode()
    bookmarks_widget = home[home.index('widget-BookmarksWidget'):]
    assert 'Acme' in bookmarks_widget[:bookmarks_widget.index('</section>')]
    client.post('/user/bookmarks/toggle/', data)
    assert not Bookmark.objects.exists()


def test_deleted_objects_lose_their_bookmarks(api, plain_user, tenant, django_capture_on_commit_callbacks):
    Bookmark.objects.create(user=plain_user, object_type=ContentType.objects.get_for_model(Tenant),
                            object_id=tenant.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f'/api/tenancy/tenants/{tenant.pk}/').status_code == 204
    assert not Bookmark.objects.exists()
