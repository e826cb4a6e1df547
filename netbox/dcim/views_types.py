"""
UI pages for types and components:

- /dcim/device-types/import-library/ (and module types): paste or upload devicetype-library YAML;
- /dcim/device-types/<id>/export-library/ (and module types): download the type as library YAML;
- /dcim/interfaces/add-by-pattern/?device=<id>&kind=interface: add many components of one kind to a device from a
  name pattern such as Gi1/0/[1-48], all in one transaction.
"""
from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from netbox.permissions import has_permission, object_permitted
from netbox.registry import registry
from netbox.ui.base import DeclaredView, model_url, safe_return_url
from netbox.ui.fields import ObjectField

from . import choices
from . import models as m
from .components import expand_name_and_label
from .library import export_type, import_types

# devicetype-library import and export


class LibraryImportForm(forms.Form):
    data = forms.CharField(
        label='YAML', required=False, widget=forms.Textarea(attrs={'rows': 20, 'class': 'mono', 'spellcheck': 'false'}),
        help_text='One type per YAML document; separate several with a line holding ---.')
    upload = forms.FileField(label='Or a file', required=False)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get('upload')
        if upload is not None:
            cleaned['data'] = upload.read().decode('utf-8', errors='replace')
        if not (cleaned.get('data') or '').strip():
            raise ValidationError('Paste the YAML or choose a file.')
        return cleaned


class TypeView(DeclaredView):
    """A page of the device type or module type declaration (given as `type_model`)."""

    type_model = None

    @property
    def declaration(self):
        return registry.get(self.type_model)


class LibraryImportView(TypeView):
    action = 'add'
    template_name = 'dcim/devicetype_import_library.html'

    def get(self, request):
        return self.render_page(request, LibraryImportForm())

    def post(self, request):
        form = LibraryImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form)
        try:
            created = import_types(form.cleaned_data['data'], self.type_model, user=request.user)
        except ValidationError as exc:
            errors = [(path, message) for path, found in exc.message_dict.items() for message in found]
            return self.render_page(request, form, errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self.render_page(request, form, status=403)
        names = self.base_context(request)['names']
        label = names['singular'] if len(created) == 1 else names['plural']
        messages.success(request, f'Imported {len(created)} {label}: {", ".join(str(obj) for obj in created)}.')
        if len(created) == 1:
            return redirect(created[0].get_absolute_url() or model_url(self.declaration, 'list'))
        return redirect(model_url(self.declaration, 'list'))

    def render_page(self, request, form, errors=(), status=200):
        context = self.base_context(request)
        context.update({'form': form, 'errors': errors,
                        'return_url': safe_return_url(request, model_url(self.declaration, 'list')),
                        'api_url': f'/api/dcim/{self.declaration.slug()}/import/'})
        return render(request, self.template_name, context, status=status)


class LibraryExportView(TypeView):
    action = 'view'

    def get(self, request, pk):
        obj = get_object_or_404(self.type_model.objects.restrict(request.user, 'view'), pk=pk)
        response = HttpResponse(export_type(obj), content_type='application/yaml; charset=utf-8')
        filename = getattr(obj, 'slug', '') or str(obj.model).replace(' ', '-').replace('/', '-')
        response['Content-Disposition'] = f'attachment; filename="{filename}.yaml"'
        return response


def library_ui_routes(model):
    """The `ui_routes` of a device or module type declaration."""
    return (
        ('import-library/', LibraryImportView.as_view(type_model=model), 'import_library'),
        ('<int:pk>/export-library/', LibraryExportView.as_view(type_model=model), 'export_library'),
    )


# Components by name pattern

# Kinds offered on the page: {key: (component model, type choices or None)}.
COMPONENT_KINDS = {
    'consoleport': (m.ConsolePort, choices.CONSOLE_PORT_TYPE),
    'consoleserverport': (m.ConsoleServerPort, choices.CONSOLE_PORT_TYPE),
    'powerport': (m.PowerPort, choices.POWER_PORT_TYPE),
    'poweroutlet': (m.PowerOutlet, choices.POWER_OUTLET_TYPE),
    'interface': (m.Interface, choices.INTERFACE_TYPE),
    'frontport': (m.FrontPort, choices.PORT_TYPE),
    'rearport': (m.RearPort, choices.PORT_TYPE),
    'modulebay': (m.ModuleBay, None),
    'devicebay': (m.DeviceBay, None),
    'inventoryitem': (m.InventoryItem, None),
}


class ComponentsByPatternForm(forms.Form):
    device = forms.Field()  # replaced in __init__: the type-ahead widget needs the URLs, not loaded at import
    kind = forms.ChoiceField(label='Component type', choices=[
        (key, str(model._meta.verbose_name).capitalize()) for key, (model, _) in COMPONENT_KINDS.items()])
    name_pattern = forms.CharField(
        label='Name', max_length=500,
        help_text='Brackets expand to several names: Gi1/0/[1-48], [ge,xe]-0/0/[0-3], port[01-24], slot[a-d].')
    label_pattern = forms.CharField(label='Label', max_length=500, required=False,
                                    help_text='Optional; must expand to as many values as the name.')
    type = forms.ChoiceField(required=False, help_text='Required for interfaces and front/rear ports.')
    description = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        devices = m.Device.objects.restrict(user, 'view') if user is not None else m.Device.objects.all()
        self.fields['device'] = ObjectField(queryset=devices)
        groups = [(str(model._meta.verbose_name).capitalize(), list(type_choices))
                  for model, type_choices in COMPONENT_KINDS.values() if type_choices]
        self.fields['type'].choices = [('', '---------')] + groups

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get('kind')
        if kind and cleaned.get('type'):
            valid = {str(value) for value, _ in (COMPONENT_KINDS[kind][1] or ())}
            if cleaned['type'] not in valid:
                self.add_error('type', f'"{cleaned["type"]}" is not a type of {kind_name(kind)}.')
        if cleaned.get('name_pattern'):
            try:
                cleaned['pairs'] = expand_name_and_label(cleaned['name_pattern'], cleaned.get('label_pattern'))
            except ValidationError as exc:
                field = 'label_pattern' if hasattr(exc, 'error_dict') else 'name_pattern'
                self.add_error(field, exc.messages)
        return cleaned


def kind_name(kind, plural=False):
    opts = COMPONENT_KINDS[kind][0]._meta
    return str(opts.verbose_name_plural if plural else opts.verbose_name)


class ComponentsByPatternView(View):
    """Add components of one kind to a device, one per name the pattern expands to."""

    template_name = 'dcim/components_add_by_pattern.html'

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not any(has_permission(request.user, model, 'add') for model, _ in COMPONENT_KINDS.values()):
            raise PermissionDenied('You may not add device components.')
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        initial = {'kind': request.GET.get('kind') if request.GET.get('kind') in COMPONENT_KINDS else 'interface'}
        if request.GET.get('device'):
            initial['device'] = request.GET['device']
        return self.render_page(request, ComponentsByPatternForm(initial=initial, user=request.user))

    def post(self, request):
        form = ComponentsByPatternForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_page(request, form)
        kind = form.cleaned_data['kind']
        if not has_permission(request.user, COMPONENT_KINDS[kind][0], 'add'):
            form.add_error('kind', f'You may not add {kind_name(kind, plural=True)}.')
            return self.render_page(request, form, status=403)
        try:
            created = create_by_pattern(form.cleaned_data, request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return self.render_page(request, form)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self.render_page(request, form, status=403)
        device = form.cleaned_data['device']
        label = kind_name(kind) if len(created) == 1 else kind_name(kind, plural=True)
        messages.success(request, f'Added {len(created)} {label} to {device}.')
        return redirect(safe_return_url(request, device.get_absolute_url() or '/'))

    def render_page(self, request, form, status=200):
        device_id = form['device'].value()
        return_url = safe_return_url(request, '')
        if not return_url and device_id and str(device_id).isdigit():
            device = m.Device.objects.restrict(request.user, 'view').filter(pk=device_id).first()
            return_url = device.get_absolute_url() if device is not None else ''
        return render(request, self.template_name, {'form': form, 'return_url': return_url}, status=status)


def create_by_pattern(data, user):
    """Create the components a validated ComponentsByPatternForm describes, all or none."""
    model = COMPONENT_KINDS[data['kind']][0]
    device = data['device']
    created = []
    with transaction.atomic():
        for name, label in data['pairs']:
            component = model(device=device, name=name, label=label, description=data.get('description') or '')
            if data.get('type'):
                component.type = data['type']
            try:
                component.full_clean()
            except ValidationError as exc:
                problems = '; '.join(f'{field}: {" ".join(messages)}' if field != '__all__' else ' '.join(messages)
                                     for field, messages in exc.message_dict.items())
                raise ValidationError(f'{name}: {problems}')
            component.save()
            if not object_permitted(user, component, 'add'):
                raise PermissionDenied(f'You may not add {model._meta.verbose_name} {name} to {device}.')
            created.append(component)
    return created


def components_ui_routes():
    """The `ui_routes` of the interface declaration (the page serves every component kind)."""
    return (('add-by-pattern/', ComponentsByPatternView.as_view(), 'add_by_pattern'),)
