"""Custom links: buttons on object pages pointing elsewhere (a monitoring system, a ticket queue...)."""
from django.contrib.contenttypes.models import ContentType
from django.db import models

from netbox.models import ChangeLoggedModel, RestrictedQuerySet

BUTTON_CLASSES = (
    ('default', 'Default'), ('blue', 'Blue'), ('indigo', 'Indigo'), ('purple', 'Purple'), ('pink', 'Pink'),
    ('red', 'Red'), ('orange', 'Orange'), ('yellow', 'Yellow'), ('green', 'Green'), ('teal', 'Teal'),
    ('cyan', 'Cyan'), ('gray', 'Gray'), ('black', 'Black'), ('white', 'White'), ('ghost-dark', 'Link'),
)


class CustomLink(ChangeLoggedModel):
    """A link shown on the page of every object of its object types; its text and URL are Jinja2 rendered in the
    sandbox with the object. Links sharing a group name form one dropdown button; empty text hides a link."""

    object_types = models.ManyToManyField(ContentType, related_name='custom_links')
    name = models.CharField(max_length=100, unique=True)
    enabled = models.BooleanField(default=True)
    link_text = models.TextField(help_text='Jinja2 template code for the link text (empty text hides the link)')
    link_url = models.TextField(help_text='Jinja2 template code for the link URL')
    weight = models.PositiveSmallIntegerField(default=100)
    group_name = models.CharField(max_length=50, blank=True,
                                  help_text='Links with the same group name show as one dropdown button')
    button_class = models.CharField(max_length=30, choices=BUTTON_CLASSES, default='default')
    new_window = models.BooleanField(default=False, help_text='Open the link in a new window')
    owner = models.ForeignKey('users.Owner', on_delete=models.SET_NULL, blank=True, null=True, related_name='+')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('group_name', 'weight', 'name')

    def __str__(self):
        return self.name
