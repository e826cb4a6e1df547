"""Global search: answered from the cached search index (netbox.cached_search), within the user's permissions."""
from django.apps import apps
from django.shortcuts import render
from django.utils.text import capfirst
from django.views import View

from netbox.cached_search import DEFAULT_LOOKUP, LOOKUP_CHOICES, LOOKUPS, SearchError, indexed_models, search

from .base import model_url

RESULTS_PER_MODEL = 10


def search_all(user, text, per_model=RESULTS_PER_MODEL, lookup=DEFAULT_LOOKUP, object_types=None):
    """[(declaration, objects, total)] for each model with a match the user may view: models with an exact match
    first, then by the weight of their best match, then by count; each model's objects ranked the same way."""
    return [(found.declaration, [match.object for match in found.matches], found.total)
            for found in search(user, text, lookup=lookup, object_types=object_types, per_type=per_model)]


def object_type_choices():
    return sorted(((model._meta.label_lower, capfirst(model._meta.verbose_name_plural)) for model in indexed_models()),
                  key=lambda choice: choice[1])


class SearchView(View):
    """`/search/?q=...[&lookup=iexact][&obj_types=dcim.device]`: matches across every model, each group linking to
    its filtered list."""

    def get(self, request):
        text = request.GET.get('q', '').strip()
        lookup = request.GET.get('lookup') or DEFAULT_LOOKUP
        labels = [label for label in request.GET.getlist('obj_types') if label]
        errors = []
        if lookup not in LOOKUPS:
            errors.append(f'lookup: unknown lookup "{lookup}"; choose one of {", ".join(LOOKUPS)}.')
        object_types = []
        for label in labels:
            try:
                object_types.append(apps.get_model(label))
            except (LookupError, ValueError):
                errors.append(f'obj_types: unknown object type "{label}".')
        groups = []
        if text and not errors:
            try:
                found = search(request.user, text, lookup=lookup, object_types=object_types or None,
                               per_type=RESULTS_PER_MODEL)
            except SearchError as exc:
                errors.append(f'q: {exc}')
                found = []
            for result in found:
                groups.append({
                    'title': capfirst(result.declaration.model._meta.verbose_name_plural),
                    'matches': result.matches,
                    'objects': [match.object for match in result.matches],
                    'total': result.total,
                    'list_url': model_url(result.declaration, 'list'),
                })
        context = {'q': text, 'groups': groups, 'lookup': lookup, 'lookup_choices': LOOKUP_CHOICES,
                   'obj_types': labels, 'type_choices': object_type_choices(), 'errors': errors}
        return render(request, 'search.html', context, status=400 if errors else 200)
