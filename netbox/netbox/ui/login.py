"""
The login page: the password form (unless LOGIN_FORM_HIDDEN), refusing attempts while they are throttled, and one
"Log in with ..." button per single sign-on backend.
"""
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from netbox.authentication import login_blocked, throttle_message
from netbox.sso import login_buttons


class LoginForm(AuthenticationForm):
    """Django's login form, checked first against the failed-attempt counters so the refusal says why."""

    def clean(self):
        username = self.cleaned_data.get('username')
        if username and login_blocked(self.request, username):
            raise ValidationError(throttle_message(), code='throttled')
        return super().clean()


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = 'login.html'
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if settings.LOGIN_FORM_HIDDEN:
            # The form is not offered, so nothing may be posted to it either.
            context = self.get_context_data(form_refused='Login with a username and password is disabled.')
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['login_form_hidden'] = settings.LOGIN_FORM_HIDDEN
        context['sso_buttons'] = login_buttons(self.request)
        return context
