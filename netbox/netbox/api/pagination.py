"""Limit/offset pagination with NetBox's rules, plus cursor-style `start=` paging by primary key."""
from django.db.models import QuerySet
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from netbox.dynamic_config import get_config


class OptionalLimitOffsetPagination(LimitOffsetPagination):
    """
    `limit` defaults to PAGINATE_COUNT and is capped at MAX_PAGE_SIZE; `limit=0` asks for everything up to
    MAX_PAGE_SIZE. `start=<id>` pages by primary key (id >= start) without counting or offsets, for big tables.
    """

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        self.start = self.get_start(request)
        if self.start is not None:
            self.offset = 0
            self.count = None
            ordered = queryset.filter(pk__gte=self.start).order_by('pk')
            rows = list(ordered[:self.limit + 1])
            self.has_more = len(rows) > self.limit
            last = rows[self.limit - 1] if self.has_more else None
            self.last_pk = getattr(last, 'pk', last)  # a row, or the key itself when paging keys
            return rows[:self.limit]
        self.offset = self.get_offset(request)
        self.count = self.get_count(queryset)
        if self.count == 0 or self.offset > self.count:
            return []
        return list(queryset[self.offset:self.offset + self.limit])

    def get_count(self, queryset):
        if isinstance(queryset, QuerySet):
            return queryset.order_by().count()
        return len(queryset)

    def get_start(self, request):
        value = request.query_params.get('start')
        if value in (None, ''):
            return None
        try:
            return max(int(value), 0)
        except ValueError:
            return None

    def get_limit(self, request):
        config = get_config()
        max_size = config.MAX_PAGE_SIZE
        value = request.query_params.get(self.limit_query_param)
        if value in (None, ''):
            limit = config.PAGINATE_COUNT
        else:
            try:
                limit = int(value)
            except ValueError:
                limit = config.PAGINATE_COUNT
            if limit < 0:
                limit = config.PAGINATE_COUNT
            if limit == 0:
                limit = max_size or 10 ** 9
        if max_size:
            limit = min(limit, max_size)
        return limit

    def get_next_link(self):
        if self.start is not None:
            if not self.has_more:
                return None
            url = self.request.build_absolute_uri()
            return replace_query_param(url, 'start', self.last_pk + 1)
        if self.offset + self.limit >= self.count:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_previous_link(self):
        if self.start is not None or self.offset <= 0:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        if self.offset - self.limit <= 0:
            return remove_query_param(url, self.offset_query_param)
        return replace_query_param(url, self.offset_query_param, self.offset - self.limit)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        parameters.append({'name': 'start', 'required': False, 'in': 'query', 'schema': {'type': 'integer'},
                           'description': 'Page by primary key: rows with an ID of at least this, no count.'})
        return parameters

    def get_paginated_response_schema(self, schema):
        from netbox.api.schema import paginated

        return paginated(schema['items'])

    def get_paginated_response(self, data):
        from rest_framework.response import Response

        return Response({
            'count': self.count,
            'next': self.get_next_link(),
            'previous': self.get_previous_link(),
            'results': data,
        })
