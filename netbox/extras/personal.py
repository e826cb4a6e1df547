"""A user's own pages: their bookmarks, subscriptions and notifications (with the bookmark and subscribe
buttons of object pages and the navbar bell), the saved filter and table configuration choosers of list pages, and
each user's dashboard on the home page."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views import View

from netbox.permissions import has_permission
from netbox.ui.base import safe_return_url

from .models import Bookmark, Notification, SavedFilter, Subscription, TableConfig

# How many unread notifications the navbar bell lists.
BELL_ITEMS = 5
# The flag each personal model sets on an object's page.
PERSONAL_MODELS = {'bookmarked': Bookmark, 'subscribed': Subscription}


# Object pages: bookmark and subscribe buttons

def personal_actions(obj, user):
    """{'bookmarked': bool, 'subscribed': bool, 'object_type': id} for the buttons of an object's page; None for
    anonymous users and for the personal objects themselves."""
    if not getattr(user, 'is_authenticated', False) or isinstance(obj, (Bookmark, Subscription, Notification)):
        return None
    content_type = ContentType.objects.get_for_model(obj)
    flags = {'object_type': content_type.pk, 'object_id': obj.pk}
    for flag, model in PERSONAL_MODELS.items():
        flags[flag] = model.objects.filter(user=user, object_type=content_type, object_id=obj.pk).exists()
    return flags


def _target(request):
    """The object a toggle names (object_type ID and object_id), if the user may view it."""
    try:
        content_type = ContentType.objects.get_for_id(int(request.POST.get('object_type', '')))
        object_id = int(request.POST.get('object_id', ''))
    except (ValueError, ContentType.DoesNotExist):
        raise Http404('Name an object by its type and ID.')
    model = content_type.model_class()
    if model is None or not hasattr(model._default_manager, 'restrict'):
        raise Http404('No such object type.')
    obj = get_object_or_404(model._default_manager.restrict(request.user, 'view'), pk=object_id)
    return content_type, obj


class PersonalToggleView(LoginRequiredMixin, View):
    """POST: add the user's bookmark of (or subscription to) an object, or remove it when it exists."""

    model = None
    added = removed = ''

    def post(self, request):
        content_type, obj = _target(request)
        fallback = obj.get_absolute_url() if hasattr(obj, 'get_absolute_url') else reverse('home')
        existing = self.model.objects.filter(user=request.user, object_type=content_type, object_id=obj.pk)
        with transaction.atomic():
            if existing.exists():
                existing.delete()
                messages.success(request, self.removed.format(obj))
            else:
                try:
                    with transaction.atomic():
                        self.model.objects.create(user=request.user, object_type=content_type, object_id=obj.pk)
                except IntegrityError:  # added meanwhile by another request: the wish holds
                    pass
                messages.success(request, self.added.format(obj))
        return redirect(safe_return_url(request, fallback))


class BookmarkToggleView(PersonalToggleView):
    model = Bookmark
    added = 'Bookmarked {}.'
    removed = 'Removed the bookmark of {}.'


class SubscriptionToggleView(PersonalToggleView):
    model = Subscription
    added = 'Subscribed to {}: you will be notified when it changes.'
    removed = 'Unsubscribed from {}.'


# The user's pages

def _page(request, queryset):
    return Paginator(queryset, 50).get_page(request.GET.get('page'))


class BookmarksView(LoginRequiredMixin, View):
    def get(self, request):
        bookmarks = Bookmark.objects.filter(user=request.user).select_related('object_type') \
            .prefetch_related('object')
        return render(request, 'account/bookmarks.html', {'active_tab': 'bookmarks',
                                                          'page': _page(request, bookmarks)})


class SubscriptionsView(LoginRequiredMixin, View):
    def get(self, request):
        subscriptions = Subscription.objects.filter(user=request.user).select_related('object_type') \
            .prefetch_related('object')
        return render(request, 'account/subscriptions.html', {'active_tab': 'subscriptions',
                                                              'page': _page(request, subscriptions)})


class NotificationsView(LoginRequiredMixin, View):
    """The user's notifications, newest first; POST marks some (or all) read, or deletes them."""

    def get(self, request):
        notifications = Notification.objects.filter(user=request.user).select_related('object_type') \
            .prefetch_related('object')
        return render(request, 'account/notifications.html', {'active_tab': 'notifications',
                                                              'page': _page(request, notifications)})

    def post(self, request):
        mine = Notification.objects.filter(user=request.user)
        if request.POST.get('all'):
            chosen = mine
        else:
            ids = [value for value in request.POST.getlist('pk') if value.isdigit()]
            chosen = mine.filter(pk__in=ids)
        with transaction.atomic():
            if request.POST.get('action') == 'delete':
                count = chosen.delete()[0]
                messages.success(request, f'Deleted {count} notification(s).')
            else:
                count = chosen.filter(read__isnull=True).update(read=timezone.now())
                messages.success(request, f'Marked {count} notification(s) read.')
        return redirect(safe_return_url(request, reverse('account:notifications')))


class NotificationOpenView(LoginRequiredMixin, View):
    """GET: mark one of the user's notifications read and go to its object (or the notification list when the
    object is gone)."""

    def get(self, request, pk):
        notification = get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
        notification.mark_read()
        obj = notification.object
        url = obj.get_absolute_url() if obj is not None and hasattr(obj, 'get_absolute_url') else ''
        return redirect(url or reverse('account:notifications'))


def bell(request):
    """The navbar bell's data, read only when a page shows it: {'unread': count, 'latest': [notifications]}."""
    def load():
        user = request.user
        unread = Notification.objects.filter(user=user, read__isnull=True)
        latest = list(unread.select_related('object_type')[:BELL_ITEMS])
        count = len(latest) if len(latest) < BELL_ITEMS else unread.count()
        return {'unread': count, 'latest': latest}
    return SimpleLazyObject(load)


# List pages: saved filters and table configurations

def list_choosers(declaration, request):
    """The context a list page needs for its saved filter and table configuration choosers."""
    user = request.user
    model = declaration.model
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    saved_filters = list(SavedFilter.objects.usable_by(user).filter(object_types=content_type))
    table_configs = list(TableConfig.objects.usable_by(user).filter(object_type=content_type))
    params = request.GET.copy()
    for key in ('page', 'export', 'sort', 'filter_id', 'filter', 'tableconfig_id'):
        params.pop(key, None)
    current = request.GET.get('filter_id', '')
    save_url = None
    if has_permission(user, SavedFilter, 'add'):
        import json
        from urllib.parse import urlencode

        parameters = {key: values if len(values) > 1 else values[0] for key, values in params.lists()
                      if key not in ('per_page',)}
        if parameters:
            save_url = reverse('extras:savedfilter_add') + '?' + urlencode({
                'object_types': content_type.pk, 'user': user.pk,
                'parameters': json.dumps(parameters), 'return_url': request.get_full_path()})
    return {
        'saved_filters': [(saved, _with_param(request, 'filter_id', saved.pk), str(saved.pk) == current)
                          for saved in saved_filters],
        'saved_filter_clear': _with_param(request, 'filter_id', None) if current else None,
        'saved_filter_save_url': save_url,
        'table_configs': [(config, _with_param(request, 'tableconfig_id', config.pk),
                           str(config.pk) == request.GET.get('tableconfig_id', '')) for config in table_configs],
    }


def _with_param(request, key, value):
    query = request.GET.copy()
    query.pop('page', None)
    if value is None:
        query.pop(key, None)
    else:
        query[key] = value
    return f'?{query.urlencode()}'


def chosen_table_config(declaration, request):
    """The table configuration `?tableconfig_id=` names, if the user may use it for this table; else None."""
    value = request.GET.get('tableconfig_id', '')
    if not value.isdigit():
        return None
    content_type = ContentType.objects.get_for_model(declaration.model, for_concrete_model=False)
    return TableConfig.objects.usable_by(request.user).filter(object_type=content_type, pk=int(value)).first()
