"""
Tables derived from declarations (django-tables2), and each user's saved columns and ordering.

The columns offered are the declaration's REST fields plus the model's visible custom fields; the default set is
`declaration.table_columns()`. A user's choice is kept in UserConfig at `tables.<Model>Table.columns` and
`tables.<Model>Table.ordering`.
"""
import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html

from .values import NAMING_FIELDS, custom_field_specs, display_order, field_specs, object_link, render_value

# REST fields never offered as columns.
HIDDEN_COLUMNS = ('_depth', 'token', 'password')


class ValueColumn(tables.Column):
    """A column showing one declared field of the row's object."""

    def __init__(self, spec, link_object=False, **kwargs):
        self.spec = spec
        self.link_object = link_object
        attrs = {'td': {'class': f'col-{spec.kind}'}, 'th': {'class': f'col-{spec.kind}'}}
        super().__init__(verbose_name=spec.label, accessor='pk', orderable=spec.orderable, empty_values=(),
                         attrs=attrs, **kwargs)

    def render(self, record):
        if self.link_object:
            url = record.get_absolute_url() if hasattr(record, 'get_absolute_url') else ''
            value = render_value(record, self.spec)
            if url and self.spec.kind not in ('object', 'objects', 'tags', 'url', 'email'):
                return format_html('<a class="object-link" href="{}">{}</a>', url, value)
            return value
        return render_value(record, self.spec)


class ObjectTable(tables.Table):
    """Base of every derived table: rows are model objects, cells come from ValueColumns."""

    class Meta:
        attrs = {'class': 'table'}
        orderable = True
        template_name = 'inc/table.html'


def table_name(declaration):
    return f'{declaration.model.__name__}Table'


def available_columns(declaration):
    """{name: FieldSpec} of every column a user may show, declared fields first, then custom fields."""
    specs = {name: spec for name, spec in field_specs(declaration).items() if name not in HIDDEN_COLUMNS}
    specs.update(custom_field_specs(declaration.model))
    return specs


def default_columns(declaration, available):
    columns = declaration.table_columns()
    if declaration.table is None:  # derived from the REST order, where inherited fields come first
        columns = display_order(columns)
    columns = [name for name in columns if name in available]
    return columns or [name for name in available if name != 'id'][:6]


def link_column(columns, available):
    """The column whose cells link to the object (a naming field), or None to add an "Object" column."""
    for name in (*NAMING_FIELDS, 'id'):
        if name in columns and available[name].custom_field is None and \
                available[name].kind in ('plain', 'longtext', 'choice'):
            return name
    return None


class SelfColumn(tables.Column):
    """Fallback first column linking to the object when no shown column names it."""

    def __init__(self):
        super().__init__(verbose_name='Object', accessor='pk', orderable=False, empty_values=())

    def render(self, record):
        return object_link(record)


def build_table(declaration, objects, columns, available, ordering=None):
    """A table of `objects` showing `columns` (names from `available`) in that order."""
    attrs = {}
    linked = link_column(columns, available)
    sequence = []
    if linked is None:
        attrs['display'] = SelfColumn()
        sequence.append('display')
    for name in columns:
        attrs[name] = ValueColumn(available[name], link_object=(name == linked))
        sequence.append(name)
    attrs['Meta'] = type('Meta', (ObjectTable.Meta,), {'sequence': sequence})
    table_class = type(table_name(declaration), (ObjectTable,), attrs)
    table = table_class(objects)
    table.ordering = ordering
    return table


# Ordering

def order_queryset(queryset, ordering, available):
    """Apply `ordering` ('name' or '-name', a column name) to the queryset; unknown columns are ignored."""
    if not ordering:
        return queryset
    descending = ordering.startswith('-')
    name = ordering.lstrip('-')
    spec = available.get(name)
    if spec is None or not spec.orderable:
        return queryset
    if spec.custom_field is not None:
        expression = F(f'custom_field_data__{spec.custom_field.name}')
    elif spec.kind == 'count':
        expression = F(name)
    elif spec.model_field is not None:
        expression = F(name) if not spec.model_field.is_relation else None
    else:
        return queryset
    if expression is None:  # a relation: the related model's own ordering
        return queryset.order_by(f'{"-" if descending else ""}{name}', 'pk')
    expression = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return queryset.order_by(expression, 'pk')


# Per-user preferences

class TablePreferences:
    """A user's saved columns and ordering for one table (nothing is saved for anonymous users)."""

    def __init__(self, user, name):
        self.user = user
        self.name = name
        self._config = None

    @property
    def config(self):
        if self._config is None and self.user is not None and self.user.is_authenticated:
            from users.preferences import user_config

            self._config = user_config(self.user)  # the row the page's theme was read from: no second query
        return self._config

    def get(self, key, default=None):
        config = self.config
        return config.get(f'tables.{self.name}.{key}', default) if config is not None else default

    def set(self, key, value):
        if self.config is not None:
            self.config.set(f'tables.{self.name}.{key}', value)

    def reset(self):
        if self.config is not None:
            tables = self.config.data.get('tables', {})
            tables.pop(self.name, None)
            self.config.save()

    def columns(self, available, default):
        saved = self.get('columns')
        if isinstance(saved, list):
            columns = [name for name in saved if name in available]
            if columns:
                return columns
        return default

    def ordering(self):
        saved = self.get('ordering')
        if isinstance(saved, list) and saved:
            return str(saved[0])
        if isinstance(saved, str):
            return saved
        return None
