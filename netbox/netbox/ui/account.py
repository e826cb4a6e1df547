"""The signed-in user's own pages: profile, preferences and API tokens (URL namespace `account`)."""
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from netbox.dynamic_config import get_config
from netbox.permissions import has_permission, object_permitted
from users.preferences import COLOR_MODE_CHOICES, COLOR_MODES, DATE_FORMATS, lookup

PER_PAGE_CHOICES = [('', 'Default'), ('25', '25'), ('50', '50'), ('100', '100'), ('250', '250'), ('500', '500'),
                    ('1000', '1000')]

# Form field -> UserConfig path.
PREFERENCE_PATHS = {'colormode': 'ui.colormode', 'per_page': 'pagination.per_page', 'date_format': 'ui.date_format'}


class ProfileView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        return render(request, 'account/profile.html', {
            'active_tab': 'profile',
            'groups': list(user.groups.all()),
        })


class PreferencesForm(forms.Form):
    colormode = forms.ChoiceField(choices=[('', 'Default')] + COLOR_MODE_CHOICES, required=False, label='Theme',
                                  help_text='Light or dark pages; "system" follows your browser\'s setting.')
    per_page = forms.ChoiceField(choices=PER_PAGE_CHOICES, required=False, label='Rows per page',
                                 help_text='How many rows list pages show unless the URL asks for another number.')
    date_format = forms.ChoiceField(
        choices=[('', 'Default')] + [(name, spec[0]) for name, spec in DATE_FORMATS.items()], required=False,
        label='Date format', help_text='How dates and times are shown in lists and on object pages.')
    reset_tables = forms.BooleanField(required=False, label='Reset table layouts',
                                      help_text='Forget the columns and ordering saved for every table.')


class PreferencesView(LoginRequiredMixin, View):
    def get(self, request):
        from users.models import get_user_config

        config = get_user_config(request.user)
        # Show the user's own choices; "Default" where they follow DEFAULT_USER_PREFERENCES.
        form = PreferencesForm(initial={
            field: str(lookup(config.data, path) or '') for field, path in PREFERENCE_PATHS.items()
        })
        return self.render_page(request, form, config)

    def post(self, request):
        from users.models import get_user_config

        config = get_user_config(request.user)
        form = PreferencesForm(request.POST)
        if form.is_valid():
            for field, path in PREFERENCE_PATHS.items():
                value = form.cleaned_data[field]
                if value:
                    config.set(path, int(value) if field == 'per_page' else value, commit=False)
                else:
                    config.clear(path, commit=False)
            if form.cleaned_data['reset_tables']:
                config.data.pop('tables', None)
            config.save()
            messages.success(request, 'Your preferences have been saved.')
            return redirect('account:preferences')
        return self.render_page(request, form, config)

    def render_page(self, request, form, config):
        return render(request, 'account/preferences.html', {
            'active_tab': 'preferences', 'form': form, 'saved': sorted(_flatten(config.data).items()),
            'defaults': sorted(_flatten(get_config().DEFAULT_USER_PREFERENCES or {}).items()),
        })


class ThemeView(LoginRequiredMixin, View):
    """POST theme=light|dark|system (the user menu's toggle): saves ui.colormode and goes back to the page."""

    def post(self, request):
        from users.models import get_user_config

        theme = request.POST.get('theme', '')
        if theme not in COLOR_MODES:
            return HttpResponseBadRequest(f'theme: "{theme}" is not one of {", ".join(COLOR_MODES)}.')
        config = get_user_config(request.user)
        config.set('ui.colormode', theme)
        return_url = request.POST.get('return_url', '')
        if not url_has_allowed_host_and_scheme(return_url, {request.get_host()}, request.is_secure()):
            return_url = reverse('home')
        return redirect(return_url)


class PasswordView(LoginRequiredMixin, View):
    """Change the local password: the current one is required, AUTH_PASSWORD_VALIDATORS apply, the session stays."""

    def get(self, request):
        return self.render_page(request, PasswordChangeForm(request.user))

    def post(self, request):
        if not request.user.has_usable_password():
            raise PermissionDenied('Your account has no local password to change.')
        form = PasswordChangeForm(request.user, request.POST)
        if not form.is_valid():
            return self.render_page(request, form)
        with transaction.atomic():
            user = form.save()
        update_session_auth_hash(request, user)  # changing the password would otherwise end this session
        messages.success(request, 'Your password has been changed.')
        return redirect('account:password')

    def render_page(self, request, form):
        return render(request, 'account/password.html', {
            'active_tab': 'password', 'form': form, 'usable': request.user.has_usable_password(),
        })


def _flatten(data, prefix=''):
    flat = {}
    for key, value in (data or {}).items():
        path = f'{prefix}{key}'
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f'{path}.'))
        else:
            flat[path] = value
    return flat


class TokenForm(forms.Form):
    description = forms.CharField(max_length=200, required=False)
    expires = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={'type': 'datetime-local'}),
                                  help_text='Leave empty for a token that never expires.')
    write_enabled = forms.BooleanField(required=False, initial=True, label='Write enabled',
                                       help_text='Allow create, update and delete operations.')
    version = forms.TypedChoiceField(choices=[(2, 'v2 (recommended)'), (1, 'v1')], coerce=int, initial=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not settings.API_TOKEN_PEPPERS:
            self.fields['version'].choices = [(1, 'v1')]
            self.fields['version'].initial = 1


class TokensView(LoginRequiredMixin, View):
    """The user's API tokens; creating one shows its secret once."""

    def get(self, request):
        return self.render_page(request, TokenForm())

    def post(self, request):
        from users.models import Token

        if not has_permission(request.user, Token, 'add'):
            raise PermissionDenied('You may not create API tokens.')
        form = TokenForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, form)
        token = Token(user=request.user, **form.cleaned_data)
        try:
            with transaction.atomic():
                token.set_token()
                token.save()
                if not object_permitted(request.user, token, 'add'):
                    raise PermissionDenied('You may not create this API token.')
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return self.render_page(request, form)
        messages.success(request, 'Created a new API token. Copy its secret now: it will not be shown again.')
        return self.render_page(request, TokenForm(), new_token=token)

    def render_page(self, request, form, new_token=None):
        from users.models import Token

        tokens = Token.objects.filter(user=request.user).order_by('-created')
        return render(request, 'account/tokens.html', {
            'active_tab': 'tokens', 'form': form, 'tokens': tokens, 'new_token': new_token,
            'can_add': has_permission(request.user, Token, 'add'),
        })


class TokenDeleteView(LoginRequiredMixin, View):
    def get_token(self, request, pk):
        from users.models import Token

        return get_object_or_404(Token.objects.filter(user=request.user).restrict(request.user, 'delete'), pk=pk)

    def get(self, request, pk):
        token = self.get_token(request, pk)
        return render(request, 'account/token_delete.html', {'active_tab': 'tokens', 'token': token})

    def post(self, request, pk):
        token = self.get_token(request, pk)
        label = str(token)
        with transaction.atomic():
            token.delete()
        messages.success(request, f'Deleted API token {label}.')
        return redirect(reverse('account:tokens'))
