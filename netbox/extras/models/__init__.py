"""The extras app's models, one module per feature; gathered here so that `from extras.models import X` works."""
from .customfields import (
    CustomField,
    CustomFieldChoiceSet,
    CustomFieldTypes,
    custom_fields_changed,
    custom_fields_version,
)
from .customlinks import BUTTON_CLASSES, CustomLink
from .exporttemplates import ExportTemplate
from .tags import Tag, TaggedItem
from .templates import ENVIRONMENT_PARAMS, ConfigTemplate

__all__ = (
    'BUTTON_CLASSES', 'ENVIRONMENT_PARAMS', 'ConfigTemplate', 'CustomField', 'CustomFieldChoiceSet', 'CustomFieldTypes',
    'CustomLink', 'ExportTemplate', 'Tag', 'TaggedItem', 'custom_fields_changed', 'custom_fields_version',
)
