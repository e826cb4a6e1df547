"""Global search: the declared search fields of every model the user may view."""
from django.shortcuts import render
from django.utils.text import capfirst
from django.views import View

from netbox.filtersets import SearchFilter
from netbox.permissions import has_permission
from netbox.registry import registry

from .base import model_url

RESULTS_PER_MODEL = 10


def search_all(user, text, per_model=RESULTS_PER_MODEL):
    """[(declaration, objects, total)] for each model with a match, most matches first."""
    results = []
    for declaration in registry:
        if not declaration.search or declaration.menu is None or not has_permission(user, declaration.model,
                                                                                    'view'):
            continue
        queryset = SearchFilter(search_fields=declaration.search).filter(
            declaration.model.objects.restrict(user, 'view'), text)
        objects = list(queryset[:per_model + 1])
        if objects:
            total = queryset.count() if len(objects) > per_model else len(objects)
            results.append((declaration, objects[:per_model], total))
    return sorted(results, key=lambda item: -item[2])


class SearchView(View):
    """`/search/?q=...`: matches across every model, each group linking to its filtered list."""

    def get(self, request):
        text = request.GET.get('q', '').strip()
        groups = []
        if text:
            for declaration, objects, total in search_all(request.user, text):
                groups.append({
                    'title': capfirst(declaration.model._meta.verbose_name_plural),
                    'objects': objects,
                    'total': total,
                    'list_url': model_url(declaration, 'list'),
                })
        return render(request, 'search.html', {'q': text, 'groups': groups})
