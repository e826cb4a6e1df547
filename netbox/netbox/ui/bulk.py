"""Bulk import, bulk edit and bulk delete: each applied in one transaction, all or nothing."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import QueryDict
from django.shortcuts import redirect, render

from extras.validators import ProtectionRuleError
from netbox.permissions import object_permitted

from .base import DeclaredView, counted, model_url, safe_return_url
from .forms import BulkEditForm, editable_field_names, model_form_for
from .importer import ImportDataError, ImportForm, import_records, parse

# Shown when confirming, at most.
LISTED = 100


class Rollback(Exception):
    pass


class BulkView(DeclaredView):
    """Works on the objects picked on the list page: `pk` values, or `_all` with the list's filter."""

    def selected(self, request):
        queryset = self.model.objects.restrict(request.user, self.action)
        if request.POST.get('_all'):
            params = QueryDict(request.POST.get('_filter', ''))
            filterset = self.declaration.filterset()(params, queryset=queryset, request=request)
            return filterset.qs if filterset.is_valid() else queryset.none()
        pks = [pk for pk in request.POST.getlist('pk') if str(pk).isdigit()]
        return queryset.filter(pk__in=pks)

    def return_url(self, request):
        return safe_return_url(request, model_url(self.declaration, 'list'))

    def selection_context(self, request, objects):
        return {
            'objects': objects[:LISTED],
            'total': len(objects),
            'pks': [obj.pk for obj in objects],
            'select_all': request.POST.get('_all', ''),
            'filter_query': request.POST.get('_filter', ''),
            'return_url': self.return_url(request),
        }


class BulkEditView(BulkView):
    action = 'change'
    template_name = 'generic/bulk_edit.html'

    def get(self, request):
        return redirect(self.return_url(request))

    def post(self, request):
        objects = list(self.selected(request))
        names = self.base_context(request)['names']
        if not objects:
            messages.warning(request, f'No {names["plural"]} were selected.')
            return redirect(self.return_url(request))
        if '_apply' not in request.POST:
            form = BulkEditForm(self.declaration, user=request.user)
            return self.render_page(request, form, objects)
        form = BulkEditForm(self.declaration, request.POST, user=request.user)
        if not form.is_valid():
            return self.render_page(request, form, objects)
        errors = []
        try:
            with transaction.atomic():
                for obj in objects:
                    errors.extend(self.apply(request, form, obj))
                if errors:
                    raise Rollback()
        except Rollback:
            return self.render_page(request, form, objects, errors)
        messages.success(request, f'Updated {counted(len(objects), names)}.')
        return redirect(self.return_url(request))

    def apply(self, request, form, obj):
        m2m = form.apply(obj)
        exclude = [name for name in editable_field_names(self.declaration) if name in m2m] + \
            [f.name for f in self.model._meta.many_to_many]
        errors = [f'{obj}: {message}' for message in form.validate_custom_fields(obj)]
        try:
            obj.full_clean(exclude=exclude)
        except ValidationError as exc:
            for field, messages_ in getattr(exc, 'message_dict', {'—': exc.messages}).items():
                errors.extend(f'{obj}: {field if field != "__all__" else ""} {message}'.replace(':  ', ': ')
                              for message in messages_)
        if errors:
            return errors
        try:
            with transaction.atomic():
                obj.save()
                for name, values in m2m.items():
                    getattr(obj, name).set(values)
                if 'add_tags' in form.cleaned_data and form.cleaned_data['add_tags']:
                    obj.tags.add(*form.cleaned_data['add_tags'])
                if 'remove_tags' in form.cleaned_data and form.cleaned_data['remove_tags']:
                    obj.tags.remove(*form.cleaned_data['remove_tags'])
        except IntegrityError as exc:
            return [f'{obj}: {exc}']
        if not object_permitted(request.user, obj, 'change'):
            return [f'{obj}: the result is outside your permissions.']
        return []

    def render_page(self, request, form, objects, errors=()):
        context = self.base_context(request)
        context.update(self.selection_context(request, objects))
        context.update({'form': form, 'errors': errors})
        return render(request, self.template_name, context)


class BulkDeleteView(BulkView):
    action = 'delete'
    template_name = 'generic/bulk_delete.html'

    def get(self, request):
        return redirect(self.return_url(request))

    def post(self, request):
        objects = list(self.selected(request))
        names = self.base_context(request)['names']
        if not objects:
            messages.warning(request, f'No {names["plural"]} were selected.')
            return redirect(self.return_url(request))
        if '_confirm' not in request.POST:
            context = self.base_context(request)
            context.update(self.selection_context(request, objects))
            return render(request, self.template_name, context)
        try:
            with transaction.atomic():
                for obj in objects:
                    obj.delete()
        except ProtectionRuleError as exc:
            messages.error(request, f'Nothing was deleted: {" ".join(exc.messages)}')
            return redirect(self.return_url(request))
        except (ProtectedError, RestrictedError) as exc:
            blockers = ', '.join(sorted(str(item) for item in list(exc.args[1])[:10]))
            messages.error(request, f'Nothing was deleted: some {names["plural"]} are still referenced by '
                                    f'{blockers}.')
            return redirect(self.return_url(request))
        messages.success(request, f'Deleted {counted(len(objects), names)}.')
        return redirect(self.return_url(request))


class BulkImportView(DeclaredView):
    action = 'add'
    template_name = 'generic/bulk_import.html'

    def get(self, request):
        return self.render_page(request, ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form)
        try:
            records = parse(form.cleaned_data['text'], form.cleaned_data['format'])
        except ImportDataError as exc:
            form.add_error(None, str(exc))
            return self.render_page(request, form)
        if not records:
            form.add_error(None, 'The data holds no rows.')
            return self.render_page(request, form)
        saved, errors = import_records(self.declaration, records, request.user)
        if errors:
            return self.render_page(request, form, errors)
        names = self.base_context(request)['names']
        messages.success(request, f'Imported {counted(len(saved), names)}.')
        return redirect(safe_return_url(request, model_url(self.declaration, 'list')))

    def render_page(self, request, form, errors=()):
        form_class = model_form_for(self.declaration)
        fields = form_class(user=request.user).fields
        columns = [{'name': name, 'label': field.label, 'required': field.required and not field.disabled,
                    'help': field.help_text} for name, field in fields.items() if not field.disabled]
        context = self.base_context(request)
        context.update({'form': form, 'errors': errors, 'columns': columns,
                        'return_url': safe_return_url(request, model_url(self.declaration, 'list'))})
        return render(request, self.template_name, context, status=200)
