"""Subscriptions and notifications: a change to a subscribed object notifies its subscribers once committed (not
when rolled back), the bell shows the unread count, users manage only their own, notification groups and the
users' `notification_group_id` filter, and housekeeping of read notifications."""
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from extras.models import Notification, NotificationGroup, Subscription
from netbox.testing import client_for
from tenancy.models import Tenant
from users.models import Group, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant():
    return Tenant.objects.create(name='Acme', slug='acme')


def subscribe(user, obj):
    return Subscription.objects.create(user=user, object_type=ContentType.objects.get_for_model(obj),
                                       object_id=obj.pk)


def test_users_subscribe_themselves_only(plain_user, superuser, tenant):
    api = client_for(plain_user)
    response = api.post('/api/extras/subscriptions/', {'object_type': 'tenancy.tenant', 'object_id': tenant.pk,
                                                        'user': plain_user.pk}, format='json')
    assert response.status_code == 201, response.content
    assert response.data['object']['name'] == 'Acme' and response.data['user']['username'] == 'alice'
    response = api.post('/api/extras/subscriptions/', {'object_type': 'tenancy.tenant', 'object_id': tenant.pk,
                                                        'user': superuser.pk}, format='json')
    assert response.status_code == 403
    subscribe(superuser, tenant)
    listed = api.get('/api/extras/subscriptions/')
    assert [row['user']['id'] for row in listed.data['results']] == [plain_user.pk]


def test_update_notifies_subscribers_after_commit(api, plain_user, superuser, tenant,
                                                  django_capture_on_commit_callbacks):
    subscribe(plain_user, tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f'/api/tenancy/tenants/{tenant.pk}/', {'description': 'changed'}, format='json')
    assert response.status_code == 200
    notification = Notification.objects.get(user=plain_user)
    assert notification.event_type == 'object_updated' and notification.object == tenant
    assert notification.read is None and notification.object_repr == 'Acme'
    assert not Notification.objects.filter(user=superuser).exists()  # not subscribed
    mine = client_for(plain_user).get('/api/extras/notifications/')
    assert mine.status_code == 200 and mine.data['count'] == 1
    assert mine.data['results'][0]['event_type'] == 'object_updated'
    # A second change replaces the notification rather than adding one.
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(f'/api/tenancy/tenants/{tenant.pk}/', {'description': 'again'}, format='json')
    assert Notification.objects.filter(user=plain_user).count() == 1


def test_delete_notifies_and_ends_subscriptions(api, plain_user, tenant, django_capture_on_commit_callbacks):
    subscribe(plain_user, tenant)
    pk = tenant.pk
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f'/api/tenancy/tenants/{pk}/').status_code == 204
    notification = Notification.objects.get(user=plain_user)
    assert notification.event_type == 'object_deleted' and notification.object_id == pk
    assert str(notification) == 'Acme: Object deleted'
    assert not Subscription.objects.exists()


def test_bulk_update_notifies(api, plain_user, tenant, django_capture_on_commit_callbacks):
    other = Tenant.objects.create(name='Globex', slug='globex')
    subscribe(plain_user, tenant)
    subscribe(plain_user, other)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch('/api/tenancy/tenants/', [{'id': tenant.pk, 'description': 'x'},
                                                       {'id': other.pk, 'description': 'y'}], format='json')
    assert response.status_code == 200, response.content
    assert Notification.objects.filter(user=plain_user, event_type='object_updated').count() == 2


def test_rolled_back_change_notifies_nobody(plain_user, tenant, django_capture_on_commit_callbacks):
    from django.db import transaction

    from netbox.request_context import ChangeContext, change_logging

    subscribe(plain_user, tenant)
    other = Tenant.objects.create(name='Globex', slug='globex')
    subscribe(plain_user, other)
    with django_capture_on_commit_callbacks(execute=True), change_logging(ChangeContext()):
        with pytest.raises(RuntimeError), transaction.atomic():
            tenant.description = 'never'
            tenant.save()
            raise RuntimeError('rolled back')
        # The same context's next change, in a new transaction, is delivered on its own.
        other.description = 'kept'
        other.save()
    assert list(Notification.objects.values_list('object_id', flat=True)) == [other.pk]


def test_bell_shows_unread_count_and_marking_read(client, plain_user, tenant):
    client.force_login(plain_user)
    page = client.get('/').content.decode()
    assert 'data-bell' in page and 'data-unread-count' not in page
    tenant_type = ContentType.objects.get_for_model(Tenant)
    first = Notification.objects.create(user=plain_user, object_type=tenant_type, object_id=tenant.pk,
                                        event_type='object_updated')
    other = Tenant.objects.create(name='Globex', slug='globex')
    Notification.objects.create(user=plain_user, object_type=tenant_type, object_id=other.pk,
                                event_type='object_deleted')
    page = client.get('/').content.decode()
    assert 'data-unread-count>2<' in page and 'Acme: Object updated' in page
    # Opening a notification marks it read and leads to its object.
    response = client.get(f'/user/notifications/{first.pk}/')
    assert response.status_code == 302 and response['Location'] == tenant.get_absolute_url()
    first.refresh_from_db()
    assert first.read is not None
    assert 'data-unread-count>1<' in client.get('/').content.decode()
    response = client.post('/user/notifications/', {'all': '1'})
    assert response.status_code == 302
    assert not Notification.objects.filter(read__isnull=True).exists()
    assert 'data-unread-count' not in client.get('/').content.decode()
    listing = client.get('/user/notifications/').content.decode()
    assert 'Globex' in listing
    client.post('/user/notifications/', {'pk': [first.pk], 'action': 'delete'})
    assert list(Notification.objects.values_list('object_id', flat=True)) == [other.pk]


def test_subscribe_button_toggles(client, plain_user, tenant):
    from netbox.testing import grant

    grant(plain_user, Tenant, ['view'])
    client.force_login(plain_user)
    page = client.get(tenant.get_absolute_url()).content.decode()
    assert 'data-subscribe' in page and '>Subscribe<' in page
    tenant_type = ContentType.objects.get_for_model(Tenant)
    data = {'object_type': tenant_type.pk, 'object_id': tenant.pk}
    assert client.post('/user/subscriptions/toggle/', data).status_code == 302
    assert Subscription.objects.filter(user=plain_user, object_id=tenant.pk).exists()
    assert '>Unsubscribe<' in client.get(tenant.get_absolute_url()).content.decode()
    client.post('/user/subscriptions/toggle/', data)
    assert not Subscription.objects.exists()


def test_cannot_subscribe_to_an_object_one_may_not_view(client, plain_user, tenant):
    client.force_login(plain_user)
    tenant_type = ContentType.objects.get_for_model(Tenant)
    response = client.post('/user/subscriptions/toggle/', {'object_type': tenant_type.pk, 'object_id': tenant.pk})
    assert response.status_code == 404
    assert not Subscription.objects.exists()


def test_notification_group_members_and_user_filters(api, plain_user, superuser, tenant):
    team = Group.objects.create(name='NOC')
    bob = User.objects.create_user('bob', 'bob@example.com', 'Bob-pass-123')
    bob.groups.add(team)
    response = api.post('/api/extras/notification-groups/', {'name': 'On call', 'users': [plain_user.pk],
                                                              'groups': [team.pk]}, format='json')
    assert response.status_code == 201, response.content
    assert [user['username'] for user in response.data['users']] == ['alice']
    assert [group['name'] for group in response.data['groups']] == ['NOC']
    group = NotificationGroup.objects.get(name='On call')
    assert set(group.members.values_list('username', flat=True)) == {'alice', 'bob'}
    group.notify(tenant, 'object_updated')
    assert set(Notification.objects.values_list('user__username', flat=True)) == {'alice', 'bob'}
    users = api.get('/api/users/users/', {'notification_group_id': group.pk})
    assert [row['username'] for row in users.data['results']] == ['alice']
    groups = api.get('/api/users/groups/', {'notification_group_id': group.pk})
    assert [row['name'] for row in groups.data['results']] == ['NOC']


def test_notification_groups_are_change_logged_and_personal_objects_not(api, plain_user, tenant):
    from core.models import ObjectChange

    api.post('/api/extras/notification-groups/', {'name': 'Team'}, format='json')
    api.post('/api/extras/bookmarks/', {'object_type': 'tenancy.tenant', 'object_id': tenant.pk,
                                        'user': plain_user.pk}, format='json')
    logged = set(ObjectChange.objects.values_list('changed_object_type__model', flat=True))
    assert 'notificationgroup' in logged and 'bookmark' not in logged


def test_housekeeping_deletes_old_read_notifications(plain_user, tenant):
    from core.management.commands.housekeeping import READ_NOTIFICATION_RETENTION_DAYS

    tenant_type = ContentType.objects.get_for_model(Tenant)
    others = [Tenant.objects.create(name=f'T{n}', slug=f't{n}') for n in range(3)]
    old_read = Notification.objects.create(user=plain_user, object_type=tenant_type, object_id=tenant.pk,
                                           event_type='object_updated')
    recent_read = Notification.objects.create(user=plain_user, object_type=tenant_type, object_id=others[0].pk,
                                              event_type='object_updated', read=timezone.now())
    old_unread = Notification.objects.create(user=plain_user, object_type=tenant_type, object_id=others[1].pk,
                                             event_type='object_updated')
    long_ago = timezone.now() - timedelta(days=READ_NOTIFICATION_RETENTION_DAYS + 1)
    Notification.objects.filter(pk=old_read.pk).update(read=long_ago, created=long_ago)
    Notification.objects.filter(pk=old_unread.pk).update(created=long_ago)
    out = StringIO()
    call_command('housekeeping', verbosity=1, stdout=out, stderr=StringIO())
    assert set(Notification.objects.values_list('pk', flat=True)) == {recent_read.pk, old_unread.pk}
    assert 'Deleted 1 notification(s)' in out.getvalue()
