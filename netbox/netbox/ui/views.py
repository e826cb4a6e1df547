"""
Generic UI views derived from declarations: home, list (with filters, table preferences and export), detail and
change log. Add/edit/delete live in editing.py, bulk edit/delete and import in bulk.py, user pages in account.py.
"""
import json
import sys

from django.apps import apps
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.template import loader
from django.views import View

from extras.links import custom_links_for
from netbox.api.viewsets import joins_in_written_order, optimized_queryset, read_by_key
from netbox.filtersets import id_filter_name
from netbox.models import tags_of
from netbox.permissions import has_permission, object_permitted
from netbox.registry import registry

from .base import DeclaredView, allows, model_url, page_size, query_with, verbose_names
from .export import EXPORT_FORMATS, ExportError, export_response, export_templates_for, template_export_response
from .filterforms import FilterForm
from .markdown import render_markdown
from .menu import MENU_ORDER, menu_place, ordered_groups
from .tables import (
    TablePreferences,
    available_columns,
    build_table,
    default_columns,
    order_queryset,
    table_name,
)
from .tabs import object_tabs
from .values import (
    custom_field_specs,
    display_order,
    field_specs,
    preload_cf_objects,
    render_value,
    tag_badge,
)

PER_PAGE_CHOICES = (25, 50, 100, 250, 500, 1000)


class HomeView(View):
    """The user's dashboard (extras.dashboard); anonymous visitors (LOGIN_REQUIRED off) see object counts per model
    they may view, grouped like the navigation menu."""

    def get(self, request):
        if not request.user.is_authenticated and settings.LOGIN_REQUIRED:
            return redirect('login')
        if request.user.is_authenticated:
            from extras.dashboard import dashboard_widgets

            return render(request, 'home.html', {'widgets': dashboard_widgets(request)})
        sections = {}
        for declaration in registry:
            if not declaration.menu or not has_permission(request.user, declaration.model, 'view'):
                continue
            url = model_url(declaration, 'list')
            if url is None:
                continue
            count = declaration.model.objects.restrict(request.user, 'view').count()
            menu, group, weight = menu_place(declaration)
            sections.setdefault(menu, []).append((group, weight, {
                'label': verbose_names(declaration)['title_plural'], 'url': url, 'count': count, 'group': group,
            }))
        order = {name: index for index, name in enumerate(MENU_ORDER)}
        ordered = [(menu, [entry for _, entries in ordered_groups(items) for entry in entries])
                   for menu, items in sorted(sections.items(), key=lambda item: order.get(item[0], len(order)))]
        return render(request, 'home.html', {'sections': ordered})


class LogoutView(View):
    def get(self, request):
        logout(request)
        return redirect(resolve_url(settings.LOGOUT_REDIRECT_URL))

    post = get


class ObjectListView(DeclaredView):
    """A filtered, ordered, paginated table of the objects the user may view; ?export=csv|yaml downloads them,
    ?export=<name> renders them with the export template of that name."""

    template_name = 'generic/object_list.html'

    def columns(self, request, prefs, available):
        chosen = getattr(request, 'table_config', None)
        if chosen is not None:
            columns = [name for name in chosen.columns if name in available]
            if columns:
                return columns
        return prefs.columns(available, default_columns(self.declaration, available))

    def post(self, request):
        """Save (or reset) the user's table configuration, then show the list again."""
        available = available_columns(self.declaration)
        prefs = TablePreferences(request.user, table_name(self.declaration))
        if '_reset' in request.POST:
            prefs.reset()
        else:
            columns = [name for name in request.POST.getlist('columns') if name in available]
            if columns:
                prefs.set('columns', list(dict.fromkeys(columns)))
            ordering = request.POST.get('ordering', '')
            if ordering.lstrip('-') in available or ordering == '':
                prefs.set('ordering', [ordering] if ordering else [])
        return redirect(request.get_full_path())

    def get(self, request):
        from extras.personal import chosen_table_config, list_choosers

        declaration = self.declaration
        user = request.user
        available = available_columns(declaration)
        prefs = TablePreferences(user, table_name(declaration))
        # ?tableconfig_id=: a saved table configuration (the user's own or a shared one) chooses the columns.
        request.table_config = chosen_table_config(declaration, request)
        columns = self.columns(request, prefs, available)
        ordering = prefs.ordering()
        if request.table_config is not None and request.table_config.ordering:
            ordering = request.table_config.ordering[0]
        if 'sort' in request.GET:
            sort = request.GET.get('sort', '')
            if sort.lstrip('-') in available or sort == '':
                if sort != (ordering or ''):
                    prefs.set('ordering', [sort] if sort else [])
                ordering = sort or None

        shown = optimized_queryset(declaration, [name for name in columns if not name.startswith('cf_')])
        base = shown.restrict(user, 'view')
        filterset = declaration.filterset()(request.GET, queryset=base, request=request)
        if filterset.is_valid():
            queryset = filterset.qs
            filter_errors = {}
        else:
            queryset = base.none()
            filter_errors = filterset.errors
        queryset = order_queryset(queryset, ordering, available)
        if not queryset.ordered:
            queryset = queryset.order_by('pk')

        export = request.GET.get('export')
        if export in EXPORT_FORMATS:
            return export_response(declaration, queryset, columns, available, export)
        if export:
            try:
                return template_export_response(declaration.model, user, queryset, export)
            except ExportError as error:
                context = self.base_context(request)
                context.update({'message': str(error), 'return_url': query_with(request.GET, export=None)})
                return render(request, 'generic/export_error.html', context, status=400)

        per_page = page_size(request, prefs.config)
        paginator = Paginator(queryset, per_page)
        page = paginator.get_page(request.GET.get('page'))
        # The page's keys first (filters and order planned freely), then its rows by key (netbox.api.viewsets).
        objects = read_by_key(shown, list(page.object_list.values_list('pk', flat=True)))
        page.object_list = objects
        if declaration.prepare_rows is not None:
            declaration.prepare_rows(objects)
        preload_cf_objects([available[name] for name in columns], objects)
        table = build_table(declaration, objects, columns, available, ordering)

        params = request.GET
        headers = []
        classes = [f'col-{available[column.name].kind}' if column.name in available else 'col-self'
                   for column in table.columns]
        for column, css in zip(table.columns, classes, strict=True):
            sort_url = None
            direction = None
            if column.orderable and column.name in available:
                if ordering == column.name:
                    direction, sort_url = 'asc', query_with(params, sort=f'-{column.name}', page=None)
                elif ordering == f'-{column.name}':
                    direction, sort_url = 'desc', query_with(params, sort='', page=None)
                else:
                    sort_url = query_with(params, sort=column.name, page=None)
            headers.append({'column': column, 'sort_url': sort_url, 'direction': direction, 'css': css})

        filter_params = params.copy()
        for key in ('page', 'per_page', 'sort', 'export', 'tableconfig_id'):
            filter_params.pop(key, None)
        configured = [(name, available[name].label, True) for name in columns]
        configured += [(name, spec.label, False) for name, spec in available.items() if name not in columns]
        context = self.base_context(request)
        context.update({
            'table': table,
            'headers': headers,
            'rows': [(row.record, [(row.get_cell(column.name), css) for column, css in zip(table.columns, classes,
                                                                                            strict=True)])
                     for row in table.rows],
            'page': page,
            'paginator': paginator,
            'page_nav': _page_links(page, params),
            'per_page': per_page,
            'per_page_links': [(size, query_with(params, per_page=size, page=None)) for size in PER_PAGE_CHOICES],
            'filter_form': FilterForm(declaration, params, user=user),
            'filter_errors': filter_errors,
            'filter_query': filter_params.urlencode(),
            'export_links': [(label, query_with(params, export=key, page=None))
                             for key, label in EXPORT_FORMATS.items()],
            'export_templates': [(template.name, template.description, query_with(params, export=template.name,
                                                                                  page=None))
                                 for template in export_templates_for(declaration.model, user)],
            'configured_columns': configured,
            'ordering': ordering or '',
            'ordering_choices': [(name, spec.label) for name, spec in available.items() if spec.orderable],
            'return_url': request.get_full_path(),
        })
        if user.is_authenticated:
            context.update(list_choosers(declaration, request))
        return render(request, self.template_name, context)


def _page_links(page, params):
    """Page numbers to show (None for a gap) with their URLs, and the previous/next page URLs."""
    total = page.paginator.num_pages
    current = page.number
    wanted = sorted({1, 2, total - 1, total, current - 2, current - 1, current, current + 1, current + 2})
    links, previous = [], 0
    for number in wanted:
        if number < 1 or number > total:
            continue
        if number - previous > 1:
            links.append((None, None))
        links.append((number, query_with(params, page=number)))
        previous = number
    return {
        'links': links,
        'previous': query_with(params, page=page.previous_page_number()) if page.has_previous() else None,
        'next': query_with(params, page=page.next_page_number()) if page.has_next() else None,
    }


class ObjectDetailView(DeclaredView):
    """One object: its attributes, custom fields, tags, counts, related lists and custom links."""

    template_name = 'generic/object_detail.html'

    def get(self, request, pk):
        declaration = self.declaration
        user = request.user
        specs = field_specs(declaration)
        queryset = optimized_queryset(declaration, list(specs)).restrict(user, 'view')
        with joins_in_written_order():
            obj = get_object_or_404(queryset, pk=pk)
        if declaration.prepare_rows is not None:
            declaration.prepare_rows([obj])
        attributes, counts = [], []
        comments = None
        for name in display_order(specs):
            spec = specs[name]
            if name in ('id', 'created', 'last_updated', '_depth', 'token', 'password'):
                continue
            if name == 'tags' and declaration.has_tags():  # shown as badges below; a field of that name (a
                continue  # config context's tag criteria) is an attribute
            if spec.kind == 'count':
                counts.append(self.count_entry(obj, name, spec, user))
            elif name == 'comments':
                comments = render_markdown(getattr(obj, 'comments', '')) or None
            else:
                attributes.append((spec.label, render_value(obj, spec, detail=True)))
        custom_fields = {}
        for spec in custom_field_specs(declaration.model).values():
            cf = spec.custom_field
            value = (obj.custom_field_data or {}).get(cf.name)
            if cf.ui_visible == 'if-set' and value in (None, '', []):
                continue
            custom_fields.setdefault(cf.group_name or '', []).append((spec.label, render_value(obj, spec, True),
                                                                      cf.description))
        context = self.base_context(request)
        context.update({
            'object': obj,
            'tab': self.active_tab(),
            'attributes': attributes,
            'comments': comments,
            'custom_fields': list(custom_fields.items()),
            'tags': [tag_badge(tag) for tag in tags_of(obj)] if declaration.has_tags() else None,
            'counts': [entry for entry in counts if entry is not None],
            'related': self.related_lists(obj, user),
            'detail_templates': declaration.detail_templates,
            'custom_links': custom_links_for(obj, request),
        })
        context.update(object_actions(declaration, obj, user))
        context.update(self.get_extra_context(request, obj))
        return render(request, self.get_template_name(), context)

    def get_template_name(self):
        return self.template_name

    def active_tab(self):
        """The name of the page's tab in the object's header."""
        return 'detail'

    def get_extra_context(self, request, instance):
        """More context for the page (a plugin's view adds its own)."""
        return {}

    def count_entry(self, obj, name, spec, user):
        counter = self.declaration.counts[name]
        model = counter.model
        if model is None:  # counts objects of a feature not built yet
            return None
        if f'{counter.model_label}.{counter.field}'.lower() in {entry.lower() for entry in self.declaration.related}:
            return None  # listed in full among the related lists
        related = registry.get(model)
        url = None
        if related is not None and has_permission(user, model, 'view'):
            list_url = model_url(related, 'list')
            filter_name = id_filter_name(related, counter.field) if counter.field else None
            if list_url and filter_name:
                url = f'{list_url}?{filter_name}={obj.pk}'
        return {'label': spec.label, 'count': getattr(obj, name, 0) or 0, 'url': url}

    def related_lists(self, obj, user):
        lists = []
        for entry in self.declaration.related:
            label, _, field = entry.rpartition('.')
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError):
                continue
            related = registry.get(model)
            if related is None or not has_permission(user, model, 'view'):
                continue
            queryset = model.objects.restrict(user, 'view').filter(**{field: obj})
            list_url = model_url(related, 'list')
            filter_name = id_filter_name(related, field)
            lists.append({
                'title': verbose_names(related)['title_plural'],
                'objects': list(queryset[:10]),
                'count': queryset.count(),
                'url': f'{list_url}?{filter_name}={obj.pk}' if list_url and filter_name else None,
                'add_url': self.related_add_url(related, field, obj, user),
            })
        return lists

    def related_add_url(self, related, field, obj, user):
        if not allows(related, 'add') or not has_permission(user, related.model, 'add'):
            return None
        url = model_url(related, 'add')
        return f'{url}?{field}={obj.pk}&return_url={obj.get_absolute_url()}' if url else None


def object_actions(declaration, obj, user):
    """Edit/delete/changelog URLs for an object, where the user may use them."""
    can_change = allows(declaration, 'change') and object_permitted(user, obj, 'change')
    can_delete = allows(declaration, 'delete') and object_permitted(user, obj, 'delete')
    from extras.personal import personal_actions

    return {
        'personal': personal_actions(obj, user),
        'edit_url': model_url(declaration, 'edit', obj.pk) if can_change else None,
        'delete_url': model_url(declaration, 'delete', obj.pk) if can_delete else None,
        'changelog_url': model_url(declaration, 'changelog', obj.pk),
        'detail_url': model_url(declaration, '', obj.pk),
        'object_tabs': object_tabs(declaration, obj, user),
    }


class ObjectChangelogView(DeclaredView):
    """The change log of one object (and of the objects whose changes it is the parent of)."""

    template_name = 'generic/object_changelog.html'

    def get(self, request, pk):
        from core.models import ObjectChange

        declaration = self.declaration
        obj = get_object_or_404(declaration.model.objects.restrict(request.user, 'view'), pk=pk)
        content_type = ContentType.objects.get_for_model(declaration.model)
        changes = ObjectChange.objects.restrict(request.user, 'view').filter(
            Q(changed_object_type=content_type, changed_object_id=obj.pk) |
            Q(related_object_type=content_type, related_object_id=obj.pk)
        ).select_related('user', 'changed_object_type').order_by('-time', '-pk')
        paginator = Paginator(changes, page_size(request))
        page = paginator.get_page(request.GET.get('page'))
        entries = []
        for change in page.object_list:
            before, after = change.diff()
            keys = sorted(set(before) | set(after))
            if change.action == 'update' and len(keys) > 1:
                keys = [key for key in keys if key != 'last_updated']  # always changes; only noise here
            entries.append({'change': change, 'diff': [(key, _diff_text(before.get(key)), _diff_text(after.get(key)),
                                                        key in before, key in after) for key in keys]})
        context = self.base_context(request)
        context.update({
            'object': obj,
            'tab': 'changelog',
            'entries': entries,
            'page': page,
            'page_nav': _page_links(page, request.GET),
            'logged': hasattr(declaration.model, 'last_updated'),
        })
        context.update(object_actions(declaration, obj, request.user))
        return render(request, self.template_name, context)


def _diff_text(value):
    if value is None:
        return ''
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def views_for(declaration):
    from .bulk import BulkDeleteView, BulkEditView, BulkImportView
    from .editing import ObjectDeleteView, ObjectEditView

    def view(cls):
        return cls.as_view(declaration=declaration)

    return {
        'list': view(ObjectListView),
        'edit': view(ObjectEditView),
        'import': view(BulkImportView),
        'bulk_edit': view(BulkEditView),
        'bulk_delete': view(BulkDeleteView),
        'detail': view(ObjectDetailView),
        'delete': view(ObjectDeleteView),
        'changelog': view(ObjectChangelogView),
    }


def server_error(request, template_name='500.html'):
    """A friendly error page that needs neither the database nor the request context."""
    try:
        template = loader.get_template(template_name)
        error = sys.exc_info()[1]
        return HttpResponseServerError(template.render({
            'error_type': type(error).__name__ if error else None,
            'request_id': getattr(request, 'id', None),
            'static_url': settings.STATIC_URL,
            'home_url': f'/{settings.BASE_PATH}',
        }))
    except Exception:  # the template itself failed: plain text still tells the user what happened
        return HttpResponseServerError('Server error', content_type='text/plain')
