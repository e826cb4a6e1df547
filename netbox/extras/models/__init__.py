"""The extras app's models, one module per feature; gathered here so that `from extras.models import X` works."""
from .bookmarks import Bookmark
from .customfields import (
    CustomField,
    CustomFieldChoiceSet,
    CustomFieldTypes,
    custom_fields_changed,
    custom_fields_version,
)
from .dashboard import Dashboard
from .notifications import Notification, NotificationGroup, Subscription, notify_users
from .savedfilters import SavedFilter, TableConfig
from .tags import Tag, TaggedItem
from .templates import ENVIRONMENT_PARAMS, ConfigTemplate

__all__ = (
    'ENVIRONMENT_PARAMS', 'ConfigTemplate', 'CustomField', 'CustomFieldChoiceSet', 'CustomFieldTypes', 'Tag',
    'TaggedItem', 'custom_fields_changed', 'custom_fields_version',
    'Bookmark', 'Dashboard', 'Notification', 'NotificationGroup', 'SavedFilter', 'Subscription', 'TableConfig',
    'notify_users',
)
