"""Journal entries: dated, user-attributed notes kept on an object (a maintenance done, a fault seen)."""
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from netbox.models import GenericForeignKey, NetBoxModel, RestrictedQuerySet


class JournalEntryKinds:
    """The kinds of a journal entry, with the colours the UI shows them in."""

    INFO = 'info'
    SUCCESS = 'success'
    WARNING = 'warning'
    DANGER = 'danger'
    CHOICES = ((INFO, 'Info'), (SUCCESS, 'Success'), (WARNING, 'Warning'), (DANGER, 'Danger'))
    COLORS = {INFO: 'cyan', SUCCESS: 'green', WARNING: 'yellow', DANGER: 'red'}


def journaled(model):
    """Whether objects of `model` keep a journal: every object with custom fields and tags (NetBoxModel), as in
    NetBox, except journal entries themselves."""
    return isinstance(model, type) and issubclass(model, NetBoxModel) and model is not JournalEntry


class JournalEntry(NetBoxModel):
    """A note on an object, written by a user at a time, of a kind (info, success, warning, danger); its
    comments are Markdown, shown sanitised."""

    assigned_object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name='+')
    assigned_object_id = models.PositiveBigIntegerField()
    assigned_object = GenericForeignKey(ct_field='assigned_object_type', fk_field='assigned_object_id')
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, blank=True, null=True,
                                   related_name='+')
    kind = models.CharField(max_length=30, choices=JournalEntryKinds.CHOICES, default=JournalEntryKinds.INFO)
    comments = models.TextField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('-created', '-pk')
        verbose_name = 'journal entry'
        verbose_name_plural = 'journal entries'
        indexes = [models.Index(fields=('assigned_object_type', 'assigned_object_id'))]

    def __str__(self):
        when = f'{self.created:%Y-%m-%d %H:%M}' if self.created else 'New'
        return f'{when} ({self.get_kind_display()})'

    def clean(self):
        super().clean()
        if self.assigned_object_type_id is None or self.assigned_object_id is None:
            return
        model = self.assigned_object_type.model_class()
        if not journaled(model):
            raise ValidationError({'assigned_object_type': f'{self.assigned_object_type} objects keep no journal.'})
        if not model._default_manager.filter(pk=self.assigned_object_id).exists():
            raise ValidationError({'assigned_object_id': f'No {model._meta.verbose_name} with ID '
                                                         f'{self.assigned_object_id}.'})
