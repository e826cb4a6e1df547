"""NetBox's form fields, as plugins use them, built on our own type-ahead fields (netbox.ui.fields)."""
from django import forms

from netbox.ui.fields import ObjectField, ObjectsField, _widget_for

__all__ = (
    'CommentField',
    'DynamicModelChoiceField',
    'DynamicModelMultipleChoiceField',
    'SlugField',
    'TagFilterField',
)

# NetBox's options of the dynamic fields that only change its own widget.
_WIDGET_OPTIONS = ('query_params', 'initial_params', 'null_option', 'disabled_indicator', 'fetch_trigger', 'selector',
                   'context', 'quick_add', 'quick_add_params')


def _options(kwargs):
    for name in _WIDGET_OPTIONS:
        kwargs.pop(name, None)
    return kwargs


class LateWidgetMixin:
    """The type-ahead widget needs the API's URLs, which may not be loaded when a plugin's form class is defined: a
    plain select stands in until the form is instantiated (fields are copied for each form)."""

    multiple = False

    def __init__(self, queryset, **kwargs):
        kwargs = _options(kwargs)
        kwargs.setdefault('widget', forms.SelectMultiple() if self.multiple else forms.Select())
        self.late_widget = kwargs['widget'].__class__ in (forms.Select, forms.SelectMultiple)
        # Past ObjectField's own __init__, which builds the type-ahead widget at once.
        super(ObjectsField if self.multiple else ObjectField, self).__init__(queryset, **kwargs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        if self.late_widget:
            result.widget = _widget_for(self.queryset.model, multiple=self.multiple)
            result.widget.is_required = result.required
            result.widget.choices = result.choices
        return result


class DynamicModelChoiceField(LateWidgetMixin, ObjectField):
    """One related object, chosen with a type-ahead over the REST API."""


class DynamicModelMultipleChoiceField(LateWidgetMixin, ObjectsField):
    """Several related objects, chosen with a type-ahead over the REST API."""

    multiple = True


class CommentField(forms.CharField):
    """Markdown comments."""

    def __init__(self, *, required=False, label='Comments', **kwargs):
        kwargs.setdefault('widget', forms.Textarea)
        super().__init__(required=required, label=label, **kwargs)


class SlugField(forms.SlugField):
    """A slug, prefilled from the name in the browser."""

    def __init__(self, *, slug_source='name', **kwargs):
        self.slug_source = slug_source
        super().__init__(**kwargs)


class TagFilterField(forms.MultipleChoiceField):
    """Tags to filter a list by."""

    def __init__(self, model, *args, **kwargs):
        kwargs.setdefault('required', False)
        kwargs.setdefault('label', 'Tags')
        super().__init__(*args, **kwargs)
