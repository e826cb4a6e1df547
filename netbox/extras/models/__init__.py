"""The extras app's models, one module per feature; gathered here so that `from extras.models import X` works."""
from .attachments import ImageAttachment, accepts_attachments
from .bookmarks import Bookmark
from .configcontexts import ConfigContext, ConfigContextProfile
from .customfields import (
    CustomField,
    CustomFieldChoiceSet,
    CustomFieldTypes,
    custom_fields_changed,
    custom_fields_version,
)
from .customlinks import BUTTON_CLASSES, CustomLink
from .dashboard import Dashboard
from .eventrules import EventRule, EventRuleActions
from .exporttemplates import ExportTemplate
from .journal import JournalEntry, JournalEntryKinds, journaled
from .notifications import Notification, NotificationGroup, Subscription, notify_users
from .savedfilters import SavedFilter, TableConfig
from .scripts import Script, ScriptModule
from .search import CachedValue
from .tags import Tag, TaggedItem
from .templates import ENVIRONMENT_PARAMS, ConfigTemplate
from .webhooks import Webhook

__all__ = (
    'BUTTON_CLASSES', 'Bookmark', 'ConfigContext', 'ConfigContextProfile', 'ConfigTemplate', 'CustomField',
    'CustomFieldChoiceSet', 'CustomFieldTypes', 'CustomLink', 'Dashboard', 'ENVIRONMENT_PARAMS', 'ExportTemplate',
    'ImageAttachment', 'JournalEntry', 'JournalEntryKinds', 'Notification', 'NotificationGroup', 'SavedFilter',
    'Subscription', 'TableConfig', 'Tag', 'TaggedItem', 'accepts_attachments', 'custom_fields_changed',
    'custom_fields_version', 'journaled', 'notify_users',
    'Script',
    'ScriptModule',
    'CachedValue',
    'EventRule',
    'EventRuleActions',
    'Webhook',
)
