"""Each user's dashboard: the widgets on their home page, where they sit and how each is set up."""
import uuid

from django.conf import settings
from django.db import models

# Widget kinds the home page renders (netbox/extras/dashboard.py), with their configuration keys.
WIDGET_KINDS = ('extras.ObjectCountsWidget', 'extras.BookmarksWidget', 'extras.NoteWidget', 'extras.ObjectListWidget',
                'extras.NotificationsWidget')


def default_widgets():
    """The dashboard a new user starts with: [(kind, width, height, {title, config})]."""
    return [
        ('extras.ObjectCountsWidget', 4, 3, {'title': 'Organization', 'config': {
            'models': ['dcim.site', 'tenancy.tenant', 'tenancy.contact']}}),
        ('extras.ObjectCountsWidget', 4, 3, {'title': 'Devices', 'config': {
            'models': ['dcim.device', 'dcim.rack', 'dcim.cable', 'virtualization.virtualmachine']}}),
        ('extras.ObjectCountsWidget', 4, 3, {'title': 'IPAM', 'config': {
            'models': ['ipam.prefix', 'ipam.ipaddress', 'ipam.vlan', 'ipam.vrf']}}),
        ('extras.BookmarksWidget', 6, 4, {'title': 'Bookmarks', 'config': {'max_items': 10}}),
        ('extras.NotificationsWidget', 6, 4, {'title': 'Notifications', 'config': {'max_items': 10}}),
        ('extras.NoteWidget', 12, 2, {'title': 'Welcome', 'config': {
            'content': 'This is your dashboard. Change it through `/api/extras/dashboard/`.'}}),
    ]


def default_layout_and_config():
    layout, config = [], {}
    x = y = 0
    row_height = 0
    for kind, width, height, settings_ in default_widgets():
        if x + width > 12:
            x, y, row_height = 0, y + row_height, 0
        key = str(uuid.uuid4())
        layout.append({'id': key, 'x': x, 'y': y, 'w': width, 'h': height})
        config[key] = {'class': kind, **settings_}
        x += width
        row_height = max(row_height, height)
    return layout, config


class Dashboard(models.Model):
    """One user's home page: `layout` places widgets ([{id, x, y, w, h}]), `config` sets each up ({id: {class,
    title, color, config}})."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name='dashboard')
    layout = models.JSONField(default=list)
    config = models.JSONField(default=dict)

    def __str__(self):
        return f'Dashboard of {self.user}'

    @classmethod
    def for_user(cls, user):
        """The user's dashboard, made with the default layout the first time."""
        dashboard = cls.objects.filter(user=user).first()
        if dashboard is None:
            layout, config = default_layout_and_config()
            dashboard, _ = cls.objects.get_or_create(user=user, defaults={'layout': layout, 'config': config})
        return dashboard

    def reset(self):
        self.layout, self.config = default_layout_and_config()
        self.save()
