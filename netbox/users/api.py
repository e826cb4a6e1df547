"""The users app's API pieces that differ from the derived ones: passwords, token secrets, provisioning, prefs."""
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.schema import ANY_OBJECT_SCHEMA
from netbox.api.serializers import BaseModelSerializer, serializer_for

from .models import Token, get_user_config


class UserSerializerBase(BaseModelSerializer):
    """Hashes the password instead of storing what was sent."""

    clean_exclude = ('password',)

    def validate(self, attrs):
        password = attrs.pop('password', None)
        attrs = super().validate(attrs)
        if password is not None:
            from django.contrib.auth.password_validation import validate_password
            from django.core.exceptions import ValidationError

            try:
                validate_password(password)
            except ValidationError as exc:
                raise serializers.ValidationError({'password': exc.messages})
            attrs['password'] = password
        elif self.instance is None:
            raise serializers.ValidationError({'password': ['This field is required.']})
        return attrs

    def create(self, validated_data):
        password = validated_data.pop('password')
        user = super().create(validated_data)
        user.set_password(password)
        user.save(update_fields=['password'])
        return user

    def update(self, instance, validated_data):
        password = validated_data.pop('password', None)
        user = super().update(instance, validated_data)
        if password:
            user.set_password(password)
            user.save(update_fields=['password'])
        return user


class TokenSerializerBase(BaseModelSerializer):
    """
    `version` is the integer 1 or 2. `token` is read-only: the server generates the secret and shows it alone (a v2
    client sends `nbt_<key>.<token>`) in the response that creates the token, and never again for v2; a v1 secret is
    shown later only while ALLOW_TOKEN_RETRIEVAL is on. Without API_TOKEN_PEPPERS a token that names no version is
    a v1 token, so clients that don't ask for a version work on an install without peppers.
    """

    # The fields themselves are in TOKEN_FIELDS: the declaration's fields replace the ones a base class declares.

    def get_token(self, instance):
        if instance.secret:
            return instance.secret
        if instance.version == 1 and settings.ALLOW_TOKEN_RETRIEVAL:
            return instance.plaintext
        return None

    def validate(self, attrs):
        if self.instance is None and 'version' not in attrs:
            attrs['version'] = 2 if settings.API_TOKEN_PEPPERS else 1
        return super().validate(attrs)

    def create(self, validated_data):
        instance = Token(**validated_data)
        instance.set_token()
        instance.save()
        return instance

    def update(self, instance, validated_data):
        if 'version' in validated_data and validated_data['version'] != instance.version:
            raise serializers.ValidationError({'version': ['The version of an existing token cannot change.']})
        return super().update(instance, validated_data)


TOKEN_FIELDS = {
    'version': serializers.ChoiceField(choices=Token._meta.get_field('version').choices, required=False),
    'token': serializers.SerializerMethodField(),
}


class TokenProvisionView(APIView):
    """POST username and password, get a new token (with its secret) for that user."""

    permission_classes = ()
    authentication_classes = ()

    def get_view_name(self):
        return 'Token Provision'

    @extend_schema(
        request={'application/json': {'type': 'object', 'required': ['username', 'password'], 'properties': {
            'username': {'type': 'string'}, 'password': {'type': 'string', 'format': 'password'},
            'version': {'type': 'integer', 'enum': [1, 2]}, 'expires': {'type': 'string', 'format': 'date-time'},
            'enabled': {'type': 'boolean'}, 'write_enabled': {'type': 'boolean'}, 'description': {'type': 'string'},
        }}},
        responses={201: ANY_OBJECT_SCHEMA})
    def post(self, request):
        username = request.data.get('username')
        password = request.data.get('password')
        errors = {name: ['This field is required.'] for name, value in
                  (('username', username), ('password', password)) if not value}
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        from netbox.authentication import login_blocked, throttle_message

        if login_blocked(request._request, username):
            return Response({'detail': throttle_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        user = authenticate(request=request._request, username=username, password=password)
        if user is None:
            return Response({'detail': 'Invalid user credentials.'}, status=status.HTTP_403_FORBIDDEN)
        declaration = Token._declaration
        payload = {key: request.data[key] for key in ('version', 'expires', 'enabled', 'write_enabled',
                                                       'description') if key in request.data}
        payload['user'] = user.pk
        request.user = user
        serializer = serializer_for(declaration)(data=payload, context={'request': request})
        with transaction.atomic():
            serializer.is_valid(raise_exception=True)
            token = serializer.save()
        return Response(serializer_for(declaration)(token, context={'request': request}).data,
                        status=status.HTTP_201_CREATED)


class UserConfigView(APIView):
    """The requesting user's preferences: GET returns them, PATCH merges changes in."""

    permission_classes = (IsAuthenticated,)

    def get_view_name(self):
        return 'User Preferences'

    @extend_schema(responses={200: ANY_OBJECT_SCHEMA})
    def get(self, request):
        return Response(get_user_config(request.user).data)

    @extend_schema(request={'application/json': ANY_OBJECT_SCHEMA}, responses={200: ANY_OBJECT_SCHEMA})
    def patch(self, request):
        config = get_user_config(request.user)
        if not isinstance(request.data, dict):
            return Response({'detail': 'Give a JSON object.'}, status=status.HTTP_400_BAD_REQUEST)
        _merge(config.data, request.data)
        config.save()
        return Response(config.data)


def _merge(target, changes):
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
