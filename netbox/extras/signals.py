"""Processes keep the custom fields they read until one changes (extras.models.custom_fields_version); deletions
meet PROTECTION_RULES first."""
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from .models import CustomField, CustomFieldChoiceSet, custom_fields_changed
from .validators import run_protection_rules

for _model in (CustomField, CustomFieldChoiceSet):
    post_save.connect(custom_fields_changed, sender=_model, dispatch_uid=f'custom_fields_saved_{_model.__name__}')
    post_delete.connect(custom_fields_changed, sender=_model, dispatch_uid=f'custom_fields_deleted_{_model.__name__}')
m2m_changed.connect(custom_fields_changed, sender=CustomField.object_types.through,
                    dispatch_uid='custom_field_types_changed')


def protect_from_deletion(sender, instance, **kwargs):
    run_protection_rules(instance)


# Every deletion, cascades included: Django sends all pre_delete signals before it deletes anything.
pre_delete.connect(protect_from_deletion, dispatch_uid='protection_rules')
