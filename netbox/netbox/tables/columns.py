"""NetBox's table columns, for plugins' tables (django-tables2)."""
import django_tables2 as tables
from django.utils.html import format_html, format_html_join

__all__ = (
    'ActionsColumn',
    'BooleanColumn',
    'ChoiceFieldColumn',
    'ColorColumn',
    'ContentTypeColumn',
    'TagColumn',
    'ToggleColumn',
)


class ToggleColumn(tables.CheckBoxColumn):
    """The row's selection checkbox."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault('accessor', tables.A('pk'))
        kwargs.setdefault('orderable', False)
        kwargs.setdefault('verbose_name', '')
        super().__init__(*args, **kwargs)


class ActionsColumn(tables.Column):
    """Edit and delete links of the row's object."""

    def __init__(self, actions=('edit', 'delete'), *args, **kwargs):
        self.actions = actions
        kwargs.setdefault('empty_values', ())
        kwargs.setdefault('orderable', False)
        kwargs.setdefault('verbose_name', '')
        super().__init__(*args, **kwargs)

    def render(self, record):
        url = record.get_absolute_url() if hasattr(record, 'get_absolute_url') else ''
        if not url:
            return ''
        return format_html_join(' ', '<a href="{}{}/">{}</a>', ((url, action, action.title())
                                                                for action in self.actions))


class ChoiceFieldColumn(tables.Column):
    """A choice field shown by its label."""

    def render(self, record, bound_column, value):
        display = getattr(record, f'get_{bound_column.accessor}_display', None)
        return display() if display else value


class BooleanColumn(tables.Column):
    """True, false or empty, as a mark."""

    def render(self, value):
        return '✔' if value else '✘'


class ColorColumn(tables.Column):
    """A colour swatch."""

    def render(self, value):
        return format_html('<span class="color-label" style="background-color: #{}">&nbsp;</span>', value)


class ContentTypeColumn(tables.Column):
    """An object type ('dcim.device')."""

    def render(self, value):
        return f'{value.app_label}.{value.model}'


class TagColumn(tables.TemplateColumn):
    """The row's tags."""

    def __init__(self, url_name=None, **kwargs):
        kwargs.setdefault('orderable', False)
        kwargs.setdefault('verbose_name', 'Tags')
        super().__init__(template_code='{% for tag in record.tags.all %}{{ tag }} {% endfor %}', **kwargs)
