"""Notifications: subscriptions to objects, the notices their changes produce, and named groups of recipients."""
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from netbox.models import AbsoluteURLMixin, ChangeLoggedModel, GenericForeignKey, RestrictedQuerySet

EVENT_TYPES = (
    ('object_created', 'Object created'),
    ('object_updated', 'Object updated'),
    ('object_deleted', 'Object deleted'),
    ('job_started', 'Job started'),
    ('job_completed', 'Job completed'),
    ('job_failed', 'Job failed'),
    ('job_errored', 'Job errored'),
)
# The change log's actions as notification event types.
CHANGE_EVENTS = {'create': 'object_created', 'update': 'object_updated', 'delete': 'object_deleted'}


def _repr(obj):
    return str(obj)[:200] if obj is not None else ''


class Subscription(AbsoluteURLMixin, models.Model):
    """A user's wish to be notified when one object changes or is deleted; not change-logged (as in NetBox)."""

    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name='+')
    object_id = models.PositiveBigIntegerField()
    object = GenericForeignKey(ct_field='object_type', fk_field='object_id')
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name='subscriptions')
    created = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('-created', 'pk')
        indexes = [models.Index(fields=('object_type', 'object_id'))]
        constraints = [models.UniqueConstraint(fields=('object_type', 'object_id', 'user'),
                                               name='extras_subscription_unique_per_object_and_user',
                                               violation_error_message='You are already subscribed to this object.')]

    def __str__(self):
        return _repr(self.object) or f'Subscription {self.pk}'

    def clean(self):
        from .bookmarks import check_object_exists

        super().clean()
        check_object_exists(self)


class Notification(AbsoluteURLMixin, models.Model):
    """A notice to one user that something happened to an object; unread until `read` is set. Not change-logged."""

    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name='+')
    object_id = models.PositiveBigIntegerField()
    object = GenericForeignKey(ct_field='object_type', fk_field='object_id')
    # What the object was called, for notices about objects since deleted.
    object_repr = models.CharField(max_length=200, editable=False, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name='notifications')
    created = models.DateTimeField(auto_now_add=True)
    read = models.DateTimeField(blank=True, null=True)
    event_type = models.CharField(max_length=50, choices=EVENT_TYPES)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('-created', '-pk')
        indexes = [models.Index(fields=('object_type', 'object_id'))]
        constraints = [models.UniqueConstraint(fields=('object_type', 'object_id', 'user'),
                                               name='extras_notification_unique_per_object_and_user',
                                               violation_error_message='The user already has a notification '
                                                                       'about this object.')]

    def __str__(self):
        return f'{self.object_repr or _repr(self.object) or "Object"}: {self.get_event_type_display()}'

    def save(self, *args, **kwargs):
        if not self.object_repr:
            self.object_repr = _repr(self.object)
        super().save(*args, **kwargs)

    def mark_read(self):
        if self.read is None:
            self.read = timezone.now()
            type(self).objects.filter(pk=self.pk).update(read=self.read)


class NotificationGroup(ChangeLoggedModel):
    """A named set of users and groups to notify together (the recipients of an event rule's notifications)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=200, blank=True)
    groups = models.ManyToManyField('users.Group', blank=True, related_name='notification_groups')
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name='notification_groups')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name

    @property
    def members(self):
        """Every user named, directly or through a group."""
        from users.models import User

        return User.objects.filter(models.Q(notification_groups=self) | models.Q(groups__notification_groups=self)
                                   ).distinct()

    def notify(self, obj, event_type):
        """Give every member a notification about `obj` (replacing an earlier one about it)."""
        return notify_users(self.members.values_list('pk', flat=True), obj, event_type)


def notify_users(user_ids, obj, event_type, object_type=None, object_id=None, object_repr=None):
    """One notification about an object for each user, replacing the ones they had about it: a user sees the
    latest event only, as NetBox does. `obj` may be None (a deleted object) when its type, id and name are given."""
    user_ids = list(user_ids)
    if not user_ids:
        return []
    object_type = object_type or ContentType.objects.get_for_model(obj)
    object_id = object_id if object_id is not None else obj.pk
    object_repr = object_repr if object_repr is not None else _repr(obj)
    Notification.objects.filter(object_type=object_type, object_id=object_id, user__in=user_ids).delete()
    return Notification.objects.bulk_create([
        Notification(object_type=object_type, object_id=object_id, object_repr=object_repr[:200], user_id=user_id,
                     event_type=event_type)
        for user_id in user_ids
    ])
