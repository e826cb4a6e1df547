"""
NetBox's form base classes, as plugins write their forms. A NetBoxModelForm's `Meta.fields` choose the fields the
model's add/edit form offers (netbox.plugins.adapters); the form actually served is derived from the declaration
(netbox.ui.forms), with custom fields, tags, type-ahead relations and the model's validation, as for our own models.
The filter, import and bulk edit forms are accepted for compatibility; those pages are derived likewise.
"""
from django import forms

from netbox.registry import record_piece

__all__ = (
    'NetBoxModelBulkEditForm',
    'NetBoxModelFilterSetForm',
    'NetBoxModelForm',
    'NetBoxModelImportForm',
)


class NetBoxModelForm(forms.ModelForm):
    """A plugin model's add/edit form: `Meta.model`, `Meta.fields` (and `fieldsets`)."""

    fieldsets = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(getattr(cls, 'Meta', None), 'model', None) is not None:
            record_piece('forms', cls)


class NetBoxModelImportForm(NetBoxModelForm):
    """A plugin model's import form (the import page is derived from the declaration)."""

    def __init_subclass__(cls, **kwargs):
        forms.ModelForm.__init_subclass__(**kwargs)


class NetBoxModelFilterSetForm(forms.Form):
    """A plugin model's filter form: `model` and its filter fields (the list's filter form is derived)."""

    model = None
    fieldsets = ()
    q = forms.CharField(required=False, label='Search')


class NetBoxModelBulkEditForm(forms.Form):
    """A plugin model's bulk edit form: `model`, `nullable_fields` (the bulk edit page is derived)."""

    model = None
    fieldsets = ()
    nullable_fields = ()
    pk = forms.ModelMultipleChoiceField(queryset=None, widget=forms.MultipleHiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.model is not None:
            self.fields['pk'].queryset = self.model.objects.all()
