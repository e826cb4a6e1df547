"""The Journal and Images tabs every eligible object's page gets (registered in extras/declarations): the
object's journal entries (Markdown shown sanitised) with a form adding one, and its image attachments as
thumbnails with an upload form."""
from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect

from netbox.permissions import has_permission, object_permitted
from netbox.ui.base import model_url, page_size
from netbox.ui.markdown import render_markdown
from netbox.ui.tabs import ObjectTabView

from .models import ImageAttachment, JournalEntry, JournalEntryKinds


class JournalEntryForm(forms.Form):
    """What a user writes on the Journal tab; the object, author and time are the tab's."""

    kind = forms.ChoiceField(choices=JournalEntryKinds.CHOICES, initial=JournalEntryKinds.INFO)
    comments = forms.CharField(widget=forms.Textarea(attrs={'rows': 4}), label='Comments',
                               help_text='Markdown is supported')


class ImageUploadForm(forms.Form):
    """An image to attach on the Images tab."""

    image = forms.FileField(label='Image')
    name = forms.CharField(max_length=50, required=False)
    description = forms.CharField(max_length=200, required=False)


class ChildFormTabView(ObjectTabView):
    """A tab listing an object's children of `child_model` (a generic relation to the object) with a form adding
    one: viewing needs the view permission on both, adding the add permission on the child model (and the new
    child within the user's constraints)."""

    child_model = None
    form_class = None

    @classmethod
    def tab_visible(cls, user):
        return has_permission(user, cls.child_model, 'view')

    def can_add(self, request):
        return has_permission(request.user, self.child_model, 'add')

    def children(self, request, obj):
        raise NotImplementedError

    def build_child(self, request, obj, form):
        """The unsaved child from a valid form."""
        raise NotImplementedError

    def tab_context(self, request, obj, form=None):
        children = self.children(request, obj)
        paginator = Paginator(children, page_size(request))
        page = paginator.get_page(request.GET.get('page'))
        page.object_list = list(page.object_list)
        from netbox.ui.views import _page_links

        declaration = self.child_model._declaration
        if form is None and self.can_add(request):
            form = self.form_class()
        can_change = has_permission(request.user, self.child_model, 'change')
        can_delete = has_permission(request.user, self.child_model, 'delete')
        back = f'?return_url={request.path}'
        for child in page.object_list:
            # Links only: the edit and delete pages check the user's constraints on the object itself.
            child.tab_edit_url = f'{model_url(declaration, "edit", child.pk)}{back}' if can_change else None
            child.tab_delete_url = f'{model_url(declaration, "delete", child.pk)}{back}' if can_delete else None
        return {
            'page': page,
            'page_nav': _page_links(page, request.GET),
            'child_count': paginator.count,
            'form': form,
            'return_url': request.path,
        }

    def post(self, request, pk):
        if not self.tab_visible(request.user) or not self.can_add(request):
            raise PermissionDenied(f'You do not have permission to add {self.child_model._meta.verbose_name_plural}.')
        obj = self.get_object(request, pk)
        form = self.form_class(request.POST, request.FILES)
        if form.is_valid():
            child = self.build_child(request, obj, form)
            try:
                with transaction.atomic():
                    child.full_clean()
                    child.save()
                    if not object_permitted(request.user, child, 'add'):
                        raise PermissionDenied()
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except PermissionDenied:
                form.add_error(None, 'The result is outside your permissions. Nothing was saved.')
            else:
                messages.success(request, f'Added {self.child_model._meta.verbose_name} {child}.')
                return redirect(request.path)
        return self.render_tab(request, obj, form)

    def render_tab(self, request, obj, form):
        from django.shortcuts import render

        from netbox.ui.views import object_actions

        context = self.base_context(request)
        context.update(object_actions(self.declaration, obj, request.user))
        context.update({'object': obj, 'tab': self.tab_name(), 'tab_label': self.tab_label})
        context.update(self.tab_context(request, obj, form=form))
        return render(request, self.template_name, context, status=400)


def serve_media(request, path):
    """A file under MEDIA_URL, for a logged-in user who may view the image attachment it belongs to; anything
    else is a 404 (media is never public, and files of no attachment are never served)."""
    import mimetypes

    from django.contrib.auth.views import redirect_to_login
    from django.core.files.storage import default_storage
    from django.http import FileResponse, Http404

    user = request.user
    if not user.is_authenticated and request.headers.get('Authorization'):
        # An API client (the importer of another NetBox) reads files with its token, as it reads the attachment.
        from rest_framework.exceptions import AuthenticationFailed

        from netbox.api.authentication import TokenAuthentication

        try:
            found = TokenAuthentication().authenticate(request)
        except AuthenticationFailed:
            found = None
        if found is None:
            from django.http import HttpResponseForbidden

            return HttpResponseForbidden('Invalid token.')
        user = found[0]
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attachment = ImageAttachment.objects.restrict(user, 'view').filter(image=path).first()
    if attachment is None:
        raise Http404('No such file.')
    try:
        handle = default_storage.open(attachment.image.name, 'rb')
    except (FileNotFoundError, OSError):
        raise Http404('The file of this attachment is missing.')
    content_type = mimetypes.guess_type(attachment.image.name)[0] or 'application/octet-stream'
    response = FileResponse(handle, content_type=content_type)
    response['X-Content-Type-Options'] = 'nosniff'
    response['Cache-Control'] = 'private, max-age=3600'
    return response


class JournalTabView(ChildFormTabView):
    """The object's journal, newest first, with a form adding an entry written by the requesting user."""

    tab_label = 'Journal'
    template_name = 'extras/journal_tab.html'
    child_model = JournalEntry
    form_class = JournalEntryForm

    def children(self, request, obj):
        content_type = ContentType.objects.get_for_model(type(obj))
        entries = JournalEntry.objects.restrict(request.user, 'view').filter(
            assigned_object_type=content_type, assigned_object_id=obj.pk).select_related('created_by')
        return entries.order_by('-created', '-pk')

    def tab_context(self, request, obj, form=None):
        context = super().tab_context(request, obj, form)
        context['entries'] = [{'entry': entry, 'html': render_markdown(entry.comments),
                               'color': JournalEntryKinds.COLORS.get(entry.kind, 'neutral')}
                              for entry in context['page'].object_list]
        return context

    def build_child(self, request, obj, form):
        return JournalEntry(assigned_object_type=ContentType.objects.get_for_model(type(obj)),
                            assigned_object_id=obj.pk, created_by=request.user, kind=form.cleaned_data['kind'],
                            comments=form.cleaned_data['comments'])


class ImageAttachmentsTabView(ChildFormTabView):
    """The object's images as thumbnails (each opening the full image), with an upload form."""

    tab_label = 'Images'
    template_name = 'extras/images_tab.html'
    child_model = ImageAttachment
    form_class = ImageUploadForm

    def children(self, request, obj):
        content_type = ContentType.objects.get_for_model(type(obj))
        return ImageAttachment.objects.restrict(request.user, 'view').filter(
            object_type=content_type, object_id=obj.pk).order_by('name', 'pk')

    def build_child(self, request, obj, form):
        return ImageAttachment(object_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk,
                               image=form.cleaned_data['image'], name=form.cleaned_data['name'],
                               description=form.cleaned_data['description'])
