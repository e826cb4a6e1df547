"""The extras app's models, one module per feature; gathered here so that `from extras.models import X` works."""
from .configcontexts import ConfigContext, ConfigContextProfile
from .customfields import (
    CustomField,
    CustomFieldChoiceSet,
    CustomFieldTypes,
    custom_fields_changed,
    custom_fields_version,
)
from .tags import Tag, TaggedItem
from .templates import ENVIRONMENT_PARAMS, ConfigTemplate

__all__ = (
    'ENVIRONMENT_PARAMS', 'ConfigContext', 'ConfigContextProfile', 'ConfigTemplate', 'CustomField',
    'CustomFieldChoiceSet', 'CustomFieldTypes', 'Tag', 'TaggedItem', 'custom_fields_changed', 'custom_fields_version',
)
