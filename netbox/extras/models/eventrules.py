"""Event rules: what to do (send a webhook, run a script, notify a group) when objects of some types are created,
updated or deleted, or when a background job starts or ends, optionally only when the event matches conditions."""
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models

from netbox.models import GenericForeignKey, NetBoxModel, RestrictedQuerySet

from .notifications import EVENT_TYPES

EVENT_RULES_VERSION_KEY = 'extras.event_rules.version'


class EventRuleActions:
    """What an event rule does; each names the model of its action object."""

    WEBHOOK = 'webhook'
    SCRIPT = 'script'
    NOTIFICATION = 'notification'
    CHOICES = ((WEBHOOK, 'Webhook'), (SCRIPT, 'Script'), (NOTIFICATION, 'Notification'))
    MODELS = {WEBHOOK: ('extras', 'webhook'), SCRIPT: ('extras', 'script'),
              NOTIFICATION: ('extras', 'notificationgroup')}


def event_rules_changed(**kwargs):
    """A new version: every process reads the enabled rules afresh (now, and again at commit)."""
    from django.core.cache import cache
    from django.db import transaction

    cache.delete(EVENT_RULES_VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(EVENT_RULES_VERSION_KEY))


class EventRule(NetBoxModel):
    """A rule run for every event (an object created/updated/deleted, a job started/ended) of its object types and
    event types whose data matches its conditions (extras.conditions): its action is a webhook, a script or a
    notification group, named by `action_object`."""

    object_types = models.ManyToManyField(ContentType, related_name='event_rules')
    name = models.CharField(max_length=150, unique=True)
    description = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    event_types = ArrayField(base_field=models.CharField(max_length=50, choices=EVENT_TYPES))
    conditions = models.JSONField(blank=True, null=True)
    action_type = models.CharField(max_length=30, choices=EventRuleActions.CHOICES, default=EventRuleActions.WEBHOOK)
    action_object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name='event_rule_actions',
                                           blank=True, null=True)
    action_object_id = models.PositiveBigIntegerField(blank=True, null=True)
    action_object = GenericForeignKey(ct_field='action_object_type', fk_field='action_object_id')
    action_data = models.JSONField(blank=True, null=True)
    comments = models.TextField(blank=True)
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('name',)
        indexes = [models.Index(fields=('action_object_type', 'action_object_id'))]

    def __str__(self):
        return self.name

    @property
    def action_is_available(self):
        """Whether the action can run: its object exists (a script's class is still in its module)."""
        target = self.action_object
        if target is None:
            return False
        return bool(getattr(target, 'is_executable', True))

    def clean(self):
        from ..conditions import ConditionError, check_conditions

        super().clean()
        errors = {}
        if not self.event_types:
            errors['event_types'] = 'Choose at least one event type.'
        else:
            known = {value for value, _ in EVENT_TYPES}
            unknown = [value for value in self.event_types if value not in known]
            if unknown:
                errors['event_types'] = f'Unknown event type(s): {", ".join(unknown)}.'
        if self.conditions not in (None, {}):
            try:
                check_conditions(self.conditions)
            except ConditionError as error:
                errors['conditions'] = f'Invalid conditions: {error}'
        if self.action_data is not None and not isinstance(self.action_data, dict):
            errors['action_data'] = 'Give the action data as a JSON object.'
        expected = EventRuleActions.MODELS.get(self.action_type)
        if self.action_object_type_id is None or self.action_object_id is None:
            errors['action_object_type'] = f'Name the {self.get_action_type_display().lower()} this rule runs.'
        elif expected is not None and (self.action_object_type.app_label,
                                       self.action_object_type.model) != expected:
            errors['action_object_type'] = (f'A {self.get_action_type_display().lower()} action needs an object '
                                            f'of type {".".join(expected)}.')
        else:
            model = self.action_object_type.model_class()
            if model is None or not model._default_manager.filter(pk=self.action_object_id).exists():
                errors['action_object_id'] = f'No {self.action_object_type} with ID {self.action_object_id}.'
        if errors:
            raise ValidationError(errors)
