"""
NetBox's table base class, as plugins write their tables (django-tables2). A NetBoxTable's `Meta.default_columns`
become the columns the model's list shows by default (netbox.plugins.adapters); the table served is derived from
the declaration (netbox.ui.tables), with every field and custom field offered as a column, user preferences,
ordering and export, as for our own models.
"""
import django_tables2 as tables

from netbox.registry import record_piece

from .columns import (
    ActionsColumn,
    BooleanColumn,
    ChoiceFieldColumn,
    ColorColumn,
    ContentTypeColumn,
    TagColumn,
    ToggleColumn,
)

__all__ = (
    'ActionsColumn',
    'BooleanColumn',
    'ChoiceFieldColumn',
    'ColorColumn',
    'ContentTypeColumn',
    'NetBoxTable',
    'TagColumn',
    'ToggleColumn',
)


class BaseTable(tables.Table):
    """A table of model objects."""

    class Meta:
        attrs = {'class': 'table'}


class NetBoxTable(BaseTable):
    """A plugin model's table: `Meta.model`, `Meta.fields`, `Meta.default_columns`."""

    pk = ToggleColumn()
    id = tables.Column(linkify=True, verbose_name='ID')
    actions = ActionsColumn()

    class Meta(BaseTable.Meta):
        pass

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(getattr(cls, 'Meta', None), 'model', None) is not None:
            record_piece('tables', cls)
