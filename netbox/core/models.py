"""Configuration revisions, the change log, background job records, and data sources with their files."""
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from netbox.models import AbsoluteURLMixin, FastLoadMixin, GenericForeignKey, PrimaryModel, RestrictedQuerySet


class ConfigRevision(AbsoluteURLMixin, models.Model):
    """A saved set of dynamic configuration values; the active one is live for every process."""

    created = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(max_length=200, blank=True)
    data = models.JSONField(blank=True, null=True, default=dict)
    active = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('-created',)
        constraints = [
            models.UniqueConstraint(fields=('active',), condition=models.Q(active=True), name='one_active_revision'),
        ]

    def __str__(self):
        return self.comment or f'Config revision #{self.pk}'


    @transaction.atomic
    def activate(self):
        """Make this revision the live configuration."""
        from netbox.dynamic_config import publish_revision_data

        ConfigRevision.objects.filter(active=True).exclude(pk=self.pk).update(active=False)
        # Written unconditionally: the in-memory flag may be stale when an older revision is re-activated.
        ConfigRevision.objects.filter(pk=self.pk).update(active=True)
        self.active = True
        transaction.on_commit(lambda: publish_revision_data(self.data))

    activate.alters_data = True  # templates (extras.rendering) may not call it


class ObjectChange(FastLoadMixin, AbsoluteURLMixin, models.Model):
    """One create, update or delete of an object, with its state before and after."""

    ACTION_CREATE = 'create'
    ACTION_UPDATE = 'update'
    ACTION_DELETE = 'delete'
    ACTION_CHOICES = ((ACTION_CREATE, 'Created'), (ACTION_UPDATE, 'Updated'), (ACTION_DELETE, 'Deleted'))

    time = models.DateTimeField(auto_now_add=True, editable=False, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name='changes', blank=True, null=True
    )
    user_name = models.CharField(max_length=150, editable=False)
    request_id = models.UUIDField(editable=False, db_index=True)
    action = models.CharField(max_length=50, choices=ACTION_CHOICES)
    changed_object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name='+')
    changed_object_id = models.PositiveBigIntegerField()
    changed_object = GenericForeignKey(ct_field='changed_object_type', fk_field='changed_object_id')
    related_object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name='+', blank=True, null=True
    )
    related_object_id = models.PositiveBigIntegerField(blank=True, null=True)
    related_object = GenericForeignKey(ct_field='related_object_type', fk_field='related_object_id')
    object_repr = models.CharField(max_length=200, editable=False)
    message = models.CharField(max_length=200, blank=True, editable=False)
    prechange_data = models.JSONField(editable=False, blank=True, null=True)
    postchange_data = models.JSONField(editable=False, blank=True, null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('-time', '-pk')
        indexes = [models.Index(fields=('changed_object_type', 'changed_object_id')),
                   models.Index(fields=('related_object_type', 'related_object_id'), name='core_objectchange_related')]

    def __str__(self):
        return f'{self.changed_object_type.model} {self.object_repr} {self.get_action_display().lower()} by ' \
               f'{self.user_name}'


    def diff(self):
        """(removed, added): the attributes whose values differ, before and after."""
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        keys = sorted(set(before) | set(after))
        changed = [key for key in keys if before.get(key) != after.get(key)]
        return ({key: before.get(key) for key in changed if key in before},
                {key: after.get(key) for key in changed if key in after})


class Job(AbsoluteURLMixin, models.Model):
    """A background task (script run, export, sync) and its outcome."""

    STATUS_CHOICES = (
        ('pending', 'Pending'), ('scheduled', 'Scheduled'), ('running', 'Running'),
        ('completed', 'Completed'), ('errored', 'Errored'), ('failed', 'Failed'),
    )
    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name='jobs', null=True, blank=True)
    object_id = models.PositiveBigIntegerField(blank=True, null=True)
    object = GenericForeignKey(ct_field='object_type', fk_field='object_id')
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=30, choices=STATUS_CHOICES, default='pending')
    created = models.DateTimeField(auto_now_add=True)
    scheduled = models.DateTimeField(blank=True, null=True)
    interval = models.PositiveIntegerField(blank=True, null=True)
    started = models.DateTimeField(blank=True, null=True)
    completed = models.DateTimeField(blank=True, null=True)
    # Stored (not derived per request) so that lists can filter and sort on it in SQL.
    execution_time = models.DurationField(blank=True, null=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name='+', null=True)
    data = models.JSONField(blank=True, null=True)
    error = models.TextField(blank=True, editable=False)
    job_id = models.UUIDField(unique=True, default=uuid.uuid4)
    queue_name = models.CharField(max_length=100, blank=True)
    log_entries = models.JSONField(blank=True, default=list)
    notifications = models.CharField(max_length=30, default='on_failure', choices=(
        ('always', 'Always'), ('on_failure', 'On failure'), ('never', 'Never')))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('-created',)
        indexes = [models.Index(fields=('object_type', 'object_id'), name='core_job_object')]

    def __str__(self):
        return f'{self.name} ({self.job_id})'

    def save(self, *args, **kwargs):
        self.execution_time = self.completed - self.started if self.started and self.completed else None
        super().save(*args, **kwargs)



class DataSource(PrimaryModel):
    """A place files are synced from: a local directory or a git repository (S3 is named but not supported yet).
    Syncs asked for through the API or the UI run as background jobs (core.datasync.enqueue_sync)."""

    TYPE_CHOICES = (('local', 'Local'), ('git', 'Git'), ('amazon-s3', 'Amazon S3'))
    STATUS_CHOICES = (('new', 'New'), ('queued', 'Queued'), ('syncing', 'Syncing'), ('completed', 'Completed'),
                      ('failed', 'Failed'))
    SYNC_INTERVAL_CHOICES = ((1, 'Minutely'), (60, 'Hourly'), (720, '12 hours'), (1440, 'Daily'),
                             (10080, 'Weekly'), (43200, '30 days'))

    name = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=50, choices=TYPE_CHOICES)
    source_url = models.CharField(max_length=200, verbose_name='URL')
    status = models.CharField(max_length=50, choices=STATUS_CHOICES, default='new', editable=False)
    enabled = models.BooleanField(default=True)
    sync_interval = models.PositiveSmallIntegerField(choices=SYNC_INTERVAL_CHOICES, blank=True, null=True)
    ignore_rules = models.TextField(blank=True, help_text='Patterns (one per line) of files to skip when syncing')
    parameters = models.JSONField(blank=True, null=True)
    last_synced = models.DateTimeField(blank=True, null=True, editable=False)

    class Meta:
        ordering = ('name',)

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.parameters is not None and not isinstance(self.parameters, dict):
            raise ValidationError({'parameters': 'Give the parameters as a JSON object.'})

    def sync(self):
        """Read the source's files into DataFile rows now, in this process; raise ValidationError when the source
        cannot be read."""
        from .datasync import sync_data_source

        sync_data_source(self)

    sync.alters_data = True  # templates (extras.rendering) may not call it


class DataFile(AbsoluteURLMixin, models.Model):
    """A file read from a data source at its last sync: its path in the source, content and hash."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name='datafiles', editable=False)
    path = models.CharField(max_length=1000, editable=False)
    last_updated = models.DateTimeField(editable=False)
    size = models.PositiveIntegerField(editable=False)
    hash = models.CharField(max_length=64, editable=False)
    data = models.BinaryField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('source', 'path')
        constraints = [models.UniqueConstraint(fields=('source', 'path'), name='core_datafile_unique_source_path')]

    def __str__(self):
        return self.path

    @property
    def data_as_string(self):
        """The content as text (UTF-8), or None when it is not text."""
        try:
            return bytes(self.data).decode('utf-8')
        except UnicodeDecodeError:
            return None


class SyncedDataMixin(models.Model):
    """An object whose content may follow a file of a data source (config templates, config contexts, export
    templates). A subclass says where the file's text goes in `apply_synced_content()`; `sync_data()` takes it and
    the caller saves. With `auto_sync_enabled`, every sync of the source updates the object (`sync_followers`)."""

    data_source = models.ForeignKey('core.DataSource', on_delete=models.PROTECT, related_name='+', blank=True,
                                    null=True)
    data_file = models.ForeignKey('core.DataFile', on_delete=models.SET_NULL, related_name='+', blank=True,
                                  null=True)
    data_path = models.CharField(max_length=1000, blank=True, editable=False)
    auto_sync_enabled = models.BooleanField(default=False, help_text='Take the data file\'s content at each sync')
    data_synced = models.DateTimeField(blank=True, null=True, editable=False)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.data_file_id and self.data_source_id and self.data_file.source_id != self.data_source_id:
            raise ValidationError({'data_file': 'The file must belong to the data source chosen.'})
        if self.data_file_id and not self.data_source_id:
            self.data_source_id = self.data_file.source_id

    def save(self, *args, **kwargs):
        self.data_path = self.data_file.path if self.data_file_id else ''
        if self.data_file_id and not self.data_source_id:
            self.data_source_id = self.data_file.source_id
        super().save(*args, **kwargs)

    def sync_data(self):
        """Take the content of the data file the object follows (saved by the caller)."""
        if not self.data_file_id:
            raise ValidationError({'data_file': f'This {self._meta.verbose_name} follows no data file.'})
        content = self.data_file.data_as_string
        if content is None:
            raise ValidationError({'data_file': f'{self.data_file.path} is not UTF-8 text.'})
        self.apply_synced_content(content)
        self.data_synced = timezone.now()

    sync_data.alters_data = True  # templates (extras.rendering) may not call it

    def apply_synced_content(self, content):
        """Put the data file's text where the object keeps its content; raise ValidationError naming the field when
        the text does not fit (JSON that does not parse, for instance)."""
        raise NotImplementedError


def synced_data_models():
    """Every model whose objects may follow a data file (proxies share their concrete model's rows: left out)."""
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, SyncedDataMixin) and not model._meta.proxy]


class ManagedFile(SyncedDataMixin, models.Model):
    """A Python file NetBox keeps under one of its roots (custom scripts under SCRIPTS_ROOT, legacy reports under
    REPORTS_ROOT): uploaded, found on disk, or following a data source's file (its content is written to disk at
    each sync)."""

    ROOT_CHOICES = (('scripts', 'Scripts'), ('reports', 'Reports'))

    file_root = models.CharField(max_length=1000, choices=ROOT_CHOICES)
    file_path = models.FilePathField(max_length=1000, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_updated = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('file_root', 'file_path')
        constraints = [models.UniqueConstraint(fields=('file_root', 'file_path'),
                                               name='core_managedfile_unique_root_path')]

    def __str__(self):
        return self.file_path

    @property
    def root_path(self):
        return getattr(settings, 'REPORTS_ROOT' if self.file_root == 'reports' else 'SCRIPTS_ROOT')

    @property
    def full_path(self):
        import os

        return os.path.join(self.root_path, self.file_path)

    def clean(self):
        super().clean()
        import os

        path = os.path.normpath(self.file_path or '')
        if not path or path.startswith(('..', '/')) or not path.endswith('.py'):
            raise ValidationError({'file_path': 'Give a Python file name (ending in .py) inside the root.'})

    def write(self, content):
        """Put `content` (text or bytes) in the file on disk."""
        import os

        os.makedirs(os.path.dirname(self.full_path), exist_ok=True)
        with open(self.full_path, 'wb') as handle:
            handle.write(content.encode() if isinstance(content, str) else content)

    def apply_synced_content(self, content):
        self.write(content)


class ObjectTypeQuerySet(RestrictedQuerySet):
    pass


class ObjectTypeManager(models.Manager.from_queryset(ObjectTypeQuerySet)):
    """ContentType's manager behaviour (get_for_model with its cache) plus permission-aware querysets."""

    def get_for_model(self, model, for_concrete_model=True):
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=for_concrete_model)
        return self.get(pk=content_type.pk)


class ObjectType(AbsoluteURLMixin, ContentType):
    """A model as NetBox describes it (its content type with the features the model has): read-only, listed at
    /api/core/object-types/. A proxy of Django's ContentType, so it needs no table of its own."""

    objects = ObjectTypeManager()

    class Meta:
        proxy = True
        ordering = ('app_label', 'model')
        verbose_name = 'object type'

    def __str__(self):
        model = self.model_class()
        return f'{self.app_name} | {model._meta.verbose_name}' if model is not None else f'{self.app_label} | ' \
                                                                                          f'{self.model}'

    @property
    def declaration(self):
        from netbox.registry import registry

        model = self.model_class()
        return registry.get(model) if model is not None else None

    @property
    def app_name(self):
        from django.apps import apps

        try:
            return str(apps.get_app_config(self.app_label).verbose_name)
        except LookupError:
            return self.app_label

    @property
    def model_name(self):
        model = self.model_class()
        return str(model._meta.verbose_name) if model is not None else self.model

    @property
    def model_name_plural(self):
        model = self.model_class()
        return str(model._meta.verbose_name_plural) if model is not None else self.model

    @property
    def public(self):
        """Whether the model is exposed (declared): users see, filter and refer to its objects."""
        return self.declaration is not None

    @property
    def features(self):
        return model_features(self.model_class())

    @property
    def is_plugin_model(self):
        return False

    @property
    def rest_api_endpoint(self):
        from netbox.api.fields import api_list_path

        model = self.model_class()
        path = api_list_path(model) if model is not None and self.public else None
        return path or ''

    @property
    def description(self):
        model = self.model_class()
        doc = (model.__doc__ or '').strip() if model is not None else ''
        # Django writes a signature ("Site(id, name, ...)") as the docstring of models without one.
        return '' if not doc or doc.startswith(f'{model.__name__}(') else ' '.join(doc.split())


def model_features(model):
    """The NetBox features a model supports, by NetBox's names."""
    if model is None:
        return []
    from netbox.models import ChangeLoggedModel
    from netbox.registry import registry

    declaration = registry.get(model)
    if declaration is None:
        return []
    names = {f.name for f in model._meta.get_fields()}
    features = ['bookmarks', 'export_templates']
    if issubclass(model, ChangeLoggedModel):
        features += ['change_logging', 'event_rules', 'notifications']
    if 'custom_field_data' in names:
        features += ['custom_fields', 'custom_links', 'custom_validation']
    if 'tags' in names:
        features.append('tags')
    if 'comments' in names or 'custom_field_data' in names:
        features.append('journaling')
    if hasattr(model, 'apply_synced_content'):
        features.append('synced_data')
    return sorted(features)


class ImportedObject(models.Model):
    """An object `manage.py import_netbox` copied from another NetBox: which object of which source it is, so that a
    re-run (--update) finds it again instead of making a second copy."""

    source = models.CharField(max_length=500)
    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name='+')
    source_id = models.PositiveBigIntegerField()
    local_id = models.PositiveBigIntegerField()
    imported = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ('source', 'object_type', 'source_id')
        constraints = [models.UniqueConstraint(fields=('source', 'object_type', 'source_id'),
                                               name='core_importedobject_unique_source_object')]

    def __str__(self):
        return f'{self.object_type.app_label}.{self.object_type.model} #{self.source_id} of {self.source}'
