"""Users, groups, object permissions, API tokens, owners and per-user preferences."""
import hashlib
import hmac
import secrets
import string

import netaddr
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from netbox.models import AbsoluteURLMixin, RestrictedQuerySet

TOKEN_V2_PREFIX = 'nbt_'
TOKEN_V2_KEY_LENGTH = 12
TOKEN_SECRET_LENGTH = 40
PEPPERS_NEEDED = ('Version 2 tokens need API_TOKEN_PEPPERS (in configuration.py or the environment); '
                  'create a version 1 token or add a pepper.')


class RestrictedUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `manage.py createsuperuser --noinput` takes DJANGO_SUPERUSER_PASSWORD unchecked; AUTH_PASSWORD_VALIDATORS
        # hold there too (the command reports the ValidationError as a CommandError).
        if password is not None:
            from django.contrib.auth.password_validation import validate_password

            validate_password(password, self.model(username=username, email=email or ''))
        return super().create_superuser(username, email, password, **extra_fields)


class Group(AbsoluteURLMixin, models.Model):
    """A set of users that share object permissions."""

    name = models.CharField(max_length=150, unique=True)
    description = models.CharField(max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


class User(AbsoluteURLMixin, AbstractUser):
    """A person (or service) that logs in to the UI or authenticates to the API."""

    groups = models.ManyToManyField(Group, related_name='users', blank=True)

    objects = RestrictedUserManager()

    class Meta:
        ordering = ('username',)

    def __str__(self):
        return self.username


    def clean(self):
        super().clean()
        clash = User.objects.filter(username__iexact=self.username).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({'username': f'A user named "{clash.first().username}" already exists.'})


class ObjectPermission(AbsoluteURLMixin, models.Model):
    """Grants actions on object types to users and groups, optionally limited by constraints."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    object_types = models.ManyToManyField(ContentType, related_name='object_permissions')
    actions = ArrayField(models.CharField(max_length=30), help_text='Actions granted, e.g. view, add, change, delete')
    constraints = models.JSONField(blank=True, null=True, help_text='Lookups the objects must match (dict or list)')
    groups = models.ManyToManyField(Group, blank=True, related_name='object_permissions')
    users = models.ManyToManyField(User, blank=True, related_name='object_permissions')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('name',)
        verbose_name = 'permission'

    def __str__(self):
        return self.name


    def clean(self):
        super().clean()
        if not self.actions:
            raise ValidationError({'actions': 'Grant at least one action.'})
        constraints = self.constraints
        if constraints in (None, {}, []):
            return
        sets = constraints if isinstance(constraints, list) else [constraints]
        if not all(isinstance(item, dict) for item in sets):
            raise ValidationError({'constraints': 'Constraints must be a JSON object or a list of JSON objects.'})


class OwnerGroup(AbsoluteURLMixin, models.Model):
    """A set of owners."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


class Owner(AbsoluteURLMixin, models.Model):
    """The team or people accountable for an object."""

    name = models.CharField(max_length=100, unique=True)
    group = models.ForeignKey(OwnerGroup, on_delete=models.PROTECT, related_name='members')
    description = models.CharField(max_length=200, blank=True)
    user_groups = models.ManyToManyField(Group, blank=True, related_name='owners')
    users = models.ManyToManyField(User, blank=True, related_name='owners')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name


def validate_ip_networks(value):
    for item in value or ():
        try:
            netaddr.IPNetwork(item)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise ValidationError(f'"{item}" is not a valid IP network.')


class Token(AbsoluteURLMixin, models.Model):
    """
    An API token. Version 1 tokens are 40 hex characters sent as `Token <value>`. Version 2 tokens are sent as
    `Bearer nbt_<key>.<secret>`; only an HMAC of the secret, keyed with a pepper from API_TOKEN_PEPPERS, is stored.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name='tokens')
    version = models.PositiveSmallIntegerField(choices=((1, 'v1'), (2, 'v2')), default=2)
    key = models.CharField(max_length=40, blank=True, null=True, unique=True)
    plaintext = models.CharField(max_length=40, blank=True, null=True, unique=True, editable=False)
    digest = models.CharField(max_length=64, blank=True, null=True, editable=False)
    pepper_id = models.PositiveSmallIntegerField(blank=True, null=True)
    description = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(blank=True, null=True)
    last_used = models.DateTimeField(blank=True, null=True)
    enabled = models.BooleanField(default=True)
    write_enabled = models.BooleanField(default=True, help_text='Permit create/update/delete operations')
    allowed_ips = ArrayField(
        models.CharField(max_length=50), blank=True, null=True, validators=[validate_ip_networks],
        help_text='Networks the token may be used from; empty allows any',
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('-created',)

    def __str__(self):
        if self.version == 1:
            return f'{(self.plaintext or "")[-6:]} ({self.user})'
        return f'{TOKEN_V2_PREFIX}{self.key} ({self.user})'


    # The secret is only known right after creation; it is never read back from the database for v2.
    # `secret` is the bare value the API shows as `token`; `token_value` is what a client sends after the keyword.
    secret = None

    @staticmethod
    def generate_secret():
        return secrets.token_hex(TOKEN_SECRET_LENGTH // 2)

    @staticmethod
    def current_pepper():
        peppers = settings.API_TOKEN_PEPPERS or {}
        if not peppers:
            return None, None
        pepper_id = max(peppers)
        return pepper_id, peppers[pepper_id]

    @staticmethod
    def hash_secret(secret, pepper):
        return hmac.new(str(pepper).encode(), secret.encode(), hashlib.sha256).hexdigest()

    def set_token(self, value=None):
        """Give the token a new secret (generated unless given) and remember it in `self.token_value`."""
        if self.version == 1:
            self.plaintext = value or self.generate_secret()
            self.key = None
            self.secret = self.token_value = self.plaintext
            return
        pepper_id, pepper = self.current_pepper()
        if pepper is None:
            raise ValidationError({'version': PEPPERS_NEEDED})
        alphabet = string.ascii_letters + string.digits
        self.key = self.key or ''.join(secrets.choice(alphabet) for _ in range(TOKEN_V2_KEY_LENGTH))
        secret = value or self.generate_secret()
        self.pepper_id = pepper_id
        self.digest = self.hash_secret(secret, pepper)
        self.plaintext = None
        self.secret = secret
        self.token_value = f'{TOKEN_V2_PREFIX}{self.key}.{secret}'

    token_value = None
    transient_attributes = ('token_value', 'secret')

    def save(self, *args, **kwargs):
        if self.pk is None and not (self.plaintext or self.digest):
            self.set_token()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.version == 2 and not settings.API_TOKEN_PEPPERS and not self.digest:
            raise ValidationError({'version': PEPPERS_NEEDED})

    @property
    def is_expired(self):
        return self.expires is not None and self.expires <= timezone.now()

    def verify_secret(self, secret):
        """Constant-time comparison of a presented v2 secret with the stored digest."""
        pepper = (settings.API_TOKEN_PEPPERS or {}).get(self.pepper_id)
        if pepper is None or not self.digest:
            return False
        return hmac.compare_digest(self.hash_secret(secret, pepper), self.digest)

    def validate_client_ip(self, client_ip):
        if not self.allowed_ips:
            return True
        if not client_ip:
            return False
        try:
            address = netaddr.IPAddress(client_ip)
        except (netaddr.AddrFormatError, ValueError):
            return False
        return any(address in netaddr.IPNetwork(network) for network in self.allowed_ips)


class UserConfig(models.Model):
    """A user's preferences (table columns, page size, theme...), seeded from DEFAULT_USER_PREFERENCES."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name='config')
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ('user',)
        verbose_name = 'user preferences'

    def __str__(self):
        return f'Preferences of {self.user}'

    def get(self, path, default=None):
        """Read a dotted path, e.g. `tables.TenantTable.columns`; unset paths fall back to DEFAULT_USER_PREFERENCES."""
        from .preferences import default_preference, lookup

        value = lookup(self.data, path)
        if value is None:
            value = default_preference(path)
        return default if value is None else value

    def set(self, path, value, commit=True):
        node = self.data
        parts = path.split('.')
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise TypeError(f'Preference "{part}" is a value, not a section.')
        node[parts[-1]] = value
        if commit:
            self.save()

    def clear(self, path, commit=True):
        node = self.data
        parts = path.split('.')
        for part in parts[:-1]:
            node = node.get(part, {})
        if isinstance(node, dict):
            node.pop(parts[-1], None)
        if commit:
            self.save()


def get_user_config(user):
    """The user's UserConfig, created from DEFAULT_USER_PREFERENCES the first time."""
    from netbox.dynamic_config import get_config

    defaults = {'data': dict(get_config().DEFAULT_USER_PREFERENCES or {})}
    if get_config().MAINTENANCE_MODE:
        # The database may be read-only: a user who has none gets an unsaved one, so pages still load.
        return UserConfig.objects.filter(user=user).first() or UserConfig(user=user, **defaults)
    config, _ = UserConfig.objects.get_or_create(user=user, defaults=defaults)
    return config
