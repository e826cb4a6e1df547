"""How bookmarks, subscriptions, notifications and notification groups are exposed."""
from netbox.api.fields import NestedRelatedField
from netbox.registry import Declaration, declare
from users.models import User

from ..models import Bookmark, Notification, NotificationGroup, Subscription


def _own_user_field():
    """The user a personal object belongs to: anyone may name themselves without being able to list users; the
    permission re-check after saving decides whether the object may belong to the user named."""
    return NestedRelatedField(related_model=User, restrict=False,
                              nested_fields=['id', 'url', 'display', 'username'])


PERSONAL_FIELDS = ('object_type', 'object_id', 'object', 'user', 'created')


@declare
class BookmarkDeclaration(Declaration):
    model = Bookmark
    fields = PERSONAL_FIELDS
    exclude = ('display_url',)
    serializer_fields = {'user': _own_user_field()}
    brief = ('object_id', 'object_type')
    filter_lookups = {'object_type': 'n', 'created': 'exact'}
    search = ()
    table = ('object', 'object_type', 'user', 'created')


@declare
class SubscriptionDeclaration(Declaration):
    model = Subscription
    fields = PERSONAL_FIELDS
    exclude = ('display_url',)
    serializer_fields = {'user': _own_user_field()}
    brief = ('user', 'object_type', 'object_id')
    # NetBox 4.7 filters subscriptions by nothing; only `id` (which every list answers) is kept.
    filters = ()
    filter_exclude = ('created',)
    search = ()
    table = ('object', 'object_type', 'user', 'created')


@declare
class NotificationDeclaration(Declaration):
    model = Notification
    fields = ('object_type', 'object_id', 'object', 'user', 'created', 'read', 'event_type')
    exclude = ('object_repr', 'display_url')
    bare_choices = ('event_type',)
    serializer_fields = {'user': _own_user_field()}
    brief = ('user', 'read', 'event_type')
    # NetBox 4.7 filters notifications by nothing; only `id` (which every list answers) is kept.
    filters = ()
    filter_exclude = ('created',)
    search = ()
    table = ('object', 'object_type', 'event_type', 'user', 'created', 'read')


@declare
class NotificationGroupDeclaration(Declaration):
    model = NotificationGroup
    fields = ('name', 'description', 'groups', 'users')
    form_include = ('groups', 'users')
    exclude = ('created', 'last_updated')
    brief = ('name', 'description')
    # NetBox 4.7 filters notification groups by nothing; only `id` (which every list answers) is kept.
    filters = ()
    filter_exclude = ('created', 'last_updated', 'created_by_request', 'updated_by_request', 'modified_by_request')
    search = ()
    table = ('name', 'description', 'groups', 'users')
    menu = ('Admin', 'Notifications')
