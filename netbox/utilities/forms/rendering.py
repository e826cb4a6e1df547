"""NetBox's form layout helpers, accepted for plugins' forms (our forms lay their fields out themselves)."""

__all__ = ('FieldSet',)


class FieldSet:
    """A titled group of a form's fields."""

    def __init__(self, *items, name=None):
        self.items = items
        self.name = name
