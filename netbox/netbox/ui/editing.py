"""Add, edit and delete one object, each in one transaction and re-checked against the user's permissions."""
import json

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import ProtectedError, RestrictedError
from django.shortcuts import get_object_or_404, redirect, render

from extras.validators import ProtectionRuleError
from netbox.permissions import object_permitted

from .base import DeclaredView, model_url, safe_return_url
from .forms import model_form_for
from .views import object_actions


class PermissionViolation(Exception):
    """The saved object falls outside what the user may do; the transaction is rolled back."""


def secret_response(request, declaration, obj, names):
    """A page showing a just-created secret (an API token) once; it is never shown again."""
    return render(request, 'generic/object_secret.html', {
        'object': obj, 'declaration': declaration, 'names': names, 'secret': obj.token_value,
        'detail_url': model_url(declaration, '', obj.pk),
    })


class ObjectEditView(DeclaredView):
    """Add (no pk) or edit (pk) an object with the form derived from its declaration."""

    template_name = 'generic/object_edit.html'

    def get_action(self, request, **kwargs):
        return 'change' if kwargs.get('pk') else 'add'

    def get_object(self, request, pk):
        if pk is None:
            return self.model()
        return get_object_or_404(self.model.objects.restrict(request.user, 'change'), pk=pk)

    def initial_from_query(self, request):
        """Prefill from the query string (?group=3), as the related lists' "add" links do."""
        initial = {}
        for key in request.GET:
            if key == 'return_url':
                continue
            values = request.GET.getlist(key)
            initial[key] = values if len(values) > 1 else values[0]
        return initial

    def get(self, request, pk=None):
        obj = self.get_object(request, pk)
        form_class = model_form_for(self.declaration)
        initial = self.initial_from_query(request) if pk is None else {}
        for name, value in initial.items():
            # A JSON value in the query (a saved filter's parameters) prefills as that value, not as a string.
            if isinstance(form_class.base_fields.get(name), forms.JSONField) and isinstance(value, str):
                try:
                    initial[name] = json.loads(value)
                except ValueError:
                    pass
        form = form_class(instance=obj, initial=initial, user=request.user)
        return self.render_form(request, form, obj)

    def post(self, request, pk=None):
        obj = self.get_object(request, pk)
        creating = obj.pk is None
        action = 'add' if creating else 'change'
        form_class = model_form_for(self.declaration)
        form = form_class(data=request.POST, files=request.FILES, instance=obj, user=request.user)
        names = self.base_context(request)['names']
        if form.is_valid():
            if creating and 'created_by' not in form.fields and hasattr(form.instance, 'created_by_id'):
                form.instance.created_by = request.user  # a model recording its author (journal entries)
            try:
                with transaction.atomic():
                    obj = form.save()
                    if not object_permitted(request.user, obj, action):
                        raise PermissionViolation()
            except PermissionViolation:
                form.add_error(None, f'You may not {action} this {names["singular"]} with these values: the result '
                                     f'is outside your permissions. Nothing was saved.')
            except (ValidationError, IntegrityError) as exc:
                form.add_error(None, '; '.join(getattr(exc, 'messages', [str(exc)])))
            else:
                verb = 'Created' if creating else 'Modified'
                messages.success(request, f'{verb} {names["singular"]} {obj}.')
                if getattr(obj, 'token_value', None):
                    return secret_response(request, self.declaration, obj, names)
                fallback = obj.get_absolute_url() if hasattr(obj, 'get_absolute_url') else None
                if '_addanother' in request.POST and model_url(self.declaration, 'add'):
                    return redirect(model_url(self.declaration, 'add'))
                return redirect(safe_return_url(request, fallback or model_url(self.declaration, 'list')))
            if creating:
                form.instance.pk = None
                form.instance._state.adding = True
        return self.render_form(request, form, form.instance if not creating else self.model())

    def render_form(self, request, form, obj):
        context = self.base_context(request)
        fallback = obj.get_absolute_url() if obj.pk else model_url(self.declaration, 'list')
        context.update({
            'object': obj,
            'form': form,
            'creating': obj.pk is None,
            # Only a return URL the user came with is carried through; by default a save shows the object.
            'return_url': safe_return_url(request, ''),
            'cancel_url': safe_return_url(request, fallback),
        })
        if obj.pk:
            context.update(object_actions(self.declaration, obj, request.user))
        return render(request, self.template_name, context)


def deletion_summary(obj):
    """What deleting `obj` takes with it, by model, and what protects it from deletion."""
    collector = NestedObjects(using=router.db_for_write(type(obj)))
    collector.collect([obj])
    cascade = []
    for model, instances in collector.model_objs.items():
        others = [item for item in instances if not (type(item) is type(obj) and item.pk == obj.pk)]
        if not others or model._meta.label_lower in ('extras.taggeditem', 'core.objectchange'):
            continue
        names = model._meta
        cascade.append({'label': str(names.verbose_name_plural if len(others) != 1 else names.verbose_name),
                        'count': len(others), 'objects': sorted(others, key=str)[:20]})
    protected = [{'object': item, 'type': str(item._meta.verbose_name)} for item in
                 sorted(collector.protected, key=str)]
    return cascade, protected


class ObjectDeleteView(DeclaredView):
    """A confirmation page listing what would cascade; refuses when a protecting relation blocks it."""

    action = 'delete'
    template_name = 'generic/object_delete.html'

    def get_object(self, request, pk):
        return get_object_or_404(self.model.objects.restrict(request.user, 'delete'), pk=pk)

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        return self.render_page(request, obj)

    def render_page(self, request, obj):
        cascade, protected = deletion_summary(obj)
        context = self.base_context(request)
        context.update({
            'object': obj, 'cascade': cascade, 'protected': protected,
            'return_url': safe_return_url(request, obj.get_absolute_url()),
        })
        context.update(object_actions(self.declaration, obj, request.user))
        return render(request, self.template_name, context)

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        names = self.base_context(request)['names']
        label = str(obj)
        detail_url = model_url(self.declaration, '', obj.pk)
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectionRuleError as exc:
            messages.error(request, ' '.join(exc.messages))
            return self.render_page(request, obj)
        except (ProtectedError, RestrictedError) as exc:
            blockers = ', '.join(sorted(str(item) for item in list(exc.args[1])[:10]))
            messages.error(request, f'Unable to delete {names["singular"]} {label}: it is still referenced by '
                                    f'{blockers}. Delete or reassign those first.')
            return self.render_page(request, obj)
        messages.success(request, f'Deleted {names["singular"]} {label}.')
        fallback = model_url(self.declaration, 'list')
        url = safe_return_url(request, fallback)
        return redirect(fallback if url.split('?')[0] == detail_url else url)
