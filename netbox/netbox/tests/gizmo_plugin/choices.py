"""Choices of the gizmo fields."""
from utilities.choices import ChoiceSet


class GizmoKindChoices(ChoiceSet):
    """What a gizmo is."""

    KIND_SENSOR = 'sensor'
    KIND_FAN = 'fan'
    KIND_OPTIC = 'optic'

    CHOICES = (
        (KIND_SENSOR, 'Sensor', 'blue'),
        (KIND_FAN, 'Fan', 'green'),
        (KIND_OPTIC, 'Optic', 'orange'),
    )
