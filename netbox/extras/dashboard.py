"""The widgets of a user's dashboard (the home page), each rendered from its entry in the dashboard's config:
object counts, bookmarks, notifications, a note (Markdown) and a list of objects."""
from django.apps import apps
from django.utils.html import escape
from django.utils.safestring import mark_safe

from netbox.permissions import has_permission
from netbox.registry import registry
from netbox.ui.base import model_url, verbose_names

from .models import Bookmark, Dashboard, Notification

MAX_LIST_ITEMS = 50


def _declaration(label):
    try:
        model = apps.get_model(str(label))
    except (LookupError, ValueError):
        return None
    return registry.get(model)


def _count(value, default, limit=MAX_LIST_ITEMS):
    try:
        return max(1, min(int(value), limit))
    except (TypeError, ValueError):
        return default


def object_counts(request, config):
    rows = []
    for label in config.get('models') or ():
        declaration = _declaration(label)
        if declaration is None or not has_permission(request.user, declaration.model, 'view'):
            continue
        rows.append({'label': verbose_names(declaration)['title_plural'], 'url': model_url(declaration, 'list'),
                     'count': declaration.model.objects.restrict(request.user, 'view').count()})
    return {'rows': rows}


def bookmarks(request, config):
    items = Bookmark.objects.filter(user=request.user).select_related('object_type').prefetch_related('object')
    return {'items': [item for item in items[:_count(config.get('max_items'), 10)] if item.object is not None]}


def notifications(request, config):
    items = Notification.objects.filter(user=request.user).select_related('object_type')
    return {'items': list(items[:_count(config.get('max_items'), 10)])}


def note(request, config):
    return {'html': render_markdown(str(config.get('content') or ''))}


def object_list(request, config):
    declaration = _declaration(config.get('model'))
    if declaration is None:
        return {'error': f'Unknown model "{config.get("model")}"; give it as "app_label.model".'}
    if not has_permission(request.user, declaration.model, 'view'):
        return {'error': f'You may not view {verbose_names(declaration)["plural"]}.'}
    queryset = declaration.model.objects.restrict(request.user, 'view')
    url = model_url(declaration, 'list')
    filters = config.get('url_params') or {}
    if isinstance(filters, dict) and filters:
        from django.http import QueryDict

        data = QueryDict(mutable=True)
        for key, value in filters.items():
            data.setlist(key, [str(item) for item in (value if isinstance(value, list) else [value])])
        filterset = declaration.filterset()(data, queryset=queryset, request=request)
        if not filterset.is_valid():
            return {'error': '; '.join(f'{name}: {" ".join(errors)}' for name, errors in filterset.errors.items())}
        queryset = filterset.qs
        url = f'{url}?{data.urlencode()}'
    return {'items': list(queryset[:_count(config.get('page_size'), 10)]), 'url': url,
            'names': verbose_names(declaration)}


WIDGETS = {
    'extras.ObjectCountsWidget': ('Object counts', object_counts),
    'extras.BookmarksWidget': ('Bookmarks', bookmarks),
    'extras.NotificationsWidget': ('Notifications', notifications),
    'extras.NoteWidget': ('Note', note),
    'extras.ObjectListWidget': ('Object list', object_list),
}


def render_markdown(text):
    """Markdown as HTML, with any HTML in the text escaped first (a note is the user's own text, shown to them)."""
    import markdown

    return mark_safe(markdown.markdown(escape(text), extensions=['tables', 'fenced_code']))


def dashboard_widgets(request):
    """The user's widgets in layout order (top to bottom, left to right), each {id, kind, title, color, width,
    template data}. A widget whose kind is unknown is shown as such rather than breaking the page."""
    dashboard = Dashboard.for_user(request.user)
    layout = [item for item in (dashboard.layout or []) if isinstance(item, dict)]
    config = dashboard.config if isinstance(dashboard.config, dict) else {}
    widgets = []
    for item in sorted(layout, key=lambda entry: (_int(entry.get('y')), _int(entry.get('x')))):
        key = str(item.get('id', ''))
        settings_ = config.get(key)
        if not isinstance(settings_, dict):
            continue
        kind = settings_.get('class', '')
        label, render = WIDGETS.get(kind, (None, None))
        widget_config = settings_.get('config') if isinstance(settings_.get('config'), dict) else {}
        entry = {'id': key, 'kind': kind.rsplit('.', 1)[-1], 'title': settings_.get('title') or label or kind,
                 'color': settings_.get('color') or '', 'width': max(1, min(_int(item.get('w'), 4), 12))}
        entry['data'] = render(request, widget_config) if render else {'error': f'Unknown widget "{kind}".'}
        widgets.append(entry)
    return widgets


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
