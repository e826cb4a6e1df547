"""API authentication (v1 and v2 tokens) and the permission class applied to every API view."""
import hmac

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions

from netbox.permissions import has_permission

TOKEN_LAST_USED_INTERVAL = 60  # seconds between last_used writes


def client_ip(request):
    forwarded = request.META.get('HTTP_X_FORWARDED_FOR')
    if forwarded:
        return forwarded.split(',')[0].strip()
    return request.META.get('REMOTE_ADDR')


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <40 hex>` (v1) or `Authorization: Bearer nbt_<key>.<secret>` (v2)."""

    def authenticate(self, request):
        from users.models import TOKEN_V2_PREFIX

        header = authentication.get_authorization_header(request).decode('latin-1').strip()
        if not header:
            return None
        parts = header.split()
        scheme = parts[0].lower()
        if scheme not in ('token', 'bearer'):
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                'Invalid authorization header: Must be in the form "Bearer <key>.<token>" or "Token <token>"')
        value = parts[1]
        if scheme == 'token' and value.startswith(TOKEN_V2_PREFIX):
            # The commonest mistake after an upgrade: say how a v2 token is sent rather than only "invalid".
            raise exceptions.AuthenticationFailed(
                'Invalid authorization header: v2 tokens (nbt_<key>.<token>) are sent with the "Bearer" keyword: '
                '"Authorization: Bearer nbt_<key>.<token>".')
        token = self.find_token(value)
        if token is None:
            raise exceptions.AuthenticationFailed('Invalid token')
        return self.check_token(request, token)

    @staticmethod
    def find_token(value):
        from users.models import TOKEN_V2_PREFIX, Token

        if value.startswith(TOKEN_V2_PREFIX):
            key, _, secret = value[len(TOKEN_V2_PREFIX):].partition('.')
            token = Token.objects.select_related('user').filter(version=2, key=key).first() if key else None
            if token is None or not secret or not token.verify_secret(secret):
                return None
            return token
        candidates = Token.objects.select_related('user').filter(version=1, plaintext=value)
        token = candidates.first()
        # The database lookup finds the row; compare again in constant time so timing reveals nothing more.
        if token is None or not hmac.compare_digest(token.plaintext, value):
            return None
        return token

    def check_token(self, request, token):
        from netbox.dynamic_config import get_config

        if not token.enabled:
            raise exceptions.AuthenticationFailed('Token is disabled.')
        if token.is_expired:
            raise exceptions.AuthenticationFailed('Token expired')
        if not token.validate_client_ip(client_ip(request)):
            raise exceptions.AuthenticationFailed(
                f'Source IP {client_ip(request)} is not permitted to authenticate using this token.')
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed('User inactive')
        now = timezone.now()
        stale = token.last_used is None or (now - token.last_used).total_seconds() > TOKEN_LAST_USED_INTERVAL
        if stale and not get_config().MAINTENANCE_MODE:
            type(token).objects.filter(pk=token.pk).update(last_used=now)
        return user, token

    def authenticate_header(self, request):
        # No WWW-Authenticate challenge: unauthenticated requests get 403, as NetBox answers.
        return None


class TokenPermissions(permissions.BasePermission):
    """
    Authentication is required unless LOGIN_REQUIRED is off (then anonymous reads are limited to exempt models);
    writes need a write-enabled token and a permission for the action on the view's model.
    """

    ACTIONS = {'GET': 'view', 'HEAD': 'view', 'OPTIONS': 'view', 'POST': 'add', 'PUT': 'change',
               'PATCH': 'change', 'DELETE': 'delete'}

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            if settings.LOGIN_REQUIRED or request.method not in permissions.SAFE_METHODS:
                raise exceptions.NotAuthenticated()
        token = request.auth
        if request.method not in permissions.SAFE_METHODS and token is not None and hasattr(token, 'write_enabled'):
            if not token.write_enabled:
                raise exceptions.PermissionDenied('This token does not permit write operations.')
        model = getattr(view, 'permission_model', None)
        if model is None:
            return True
        action = getattr(view, 'permission_action', None) or self.ACTIONS.get(request.method, 'view')
        return has_permission(user, model, action)
