"""OPTIONS responses: writable fields with their choices (pynetbox's `choices()` reads them)."""
from rest_framework.metadata import SimpleMetadata

from .fields import ChoiceField, NestedRelatedField


class BulkOperationMetadata(SimpleMetadata):
    def determine_actions(self, request, view):
        # Describe POST (and PUT) without requiring an object, and without loading related tables.
        actions = {}
        serializer = view.get_serializer()
        info = self.get_serializer_info(serializer)
        for method in {'PUT', 'POST'} & set(view.allowed_methods):
            actions[method] = info
        return actions

    def get_field_info(self, field):
        info = super().get_field_info(field)
        if isinstance(field, ChoiceField):
            info['type'] = 'choice'
            info['choices'] = [
                {'value': value, 'display_name': str(label)} for value, label in field.model_field.flatchoices
            ]
        elif isinstance(field, NestedRelatedField):
            info.pop('choices', None)
        return info
