"""The core app's API pieces beyond the derived ones: syncing a data source, and an object that follows one of its
files."""
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.schema import ERROR_RESPONSE_SCHEMA

from .datasync import READERS, enqueue_sync
from .models import DataSource


class DataSourceSyncView(APIView):
    """POST data-sources/<id>/sync/: queue a background job syncing the source (core.datasync.sync_job); answers
    at once with the source, its status `queued`, as NetBox does. The job (core.Job, listed under
    /api/core/jobs/?object_id=<id>) and the source's status tell how the sync went. A disabled source, or one of
    a type that cannot be synced, is a 400 saying why."""

    permission_model = DataSource
    permission_action = 'sync'

    def get_view_name(self):
        return 'Data Source Sync'

    @extend_schema(request=None, responses={400: ERROR_RESPONSE_SCHEMA})
    def post(self, request, pk):
        from netbox.api.viewsets import optimized_queryset
        from netbox.registry import registry

        source = get_object_or_404(DataSource.objects.restrict(request.user, 'sync'), pk=pk)
        if not source.enabled:
            return Response({'detail': f'Data source {source} is disabled; enable it to sync.'}, status=400)
        if source.type not in READERS:
            return Response({'type': [f'Syncing {source.get_type_display()} data sources is not supported yet; '
                                      f'local directories and git repositories are.']}, status=400)
        with transaction.atomic():
            enqueue_sync(source, request.user)
        declaration = registry.get(DataSource)
        # Read again with the counters (file_count) the response shows.
        source = optimized_queryset(declaration, declaration.rest_fields()).get(pk=source.pk)
        serializer = declaration.serializer()(source, context={'request': request})
        return Response(serializer.data)


class SyncedDataSyncView(APIView):
    """POST <objects>/<id>/sync/: the object takes the content of the data file it follows now. Routed per model
    with `SyncedDataSyncView.as_view(permission_model=Model)`."""

    permission_model = None
    permission_action = 'change'

    def get_view_name(self):
        return f'{self.permission_model._meta.verbose_name.title()} Sync'

    @extend_schema(request=None, responses={400: ERROR_RESPONSE_SCHEMA})
    def post(self, request, pk):
        from netbox.registry import registry

        model = self.permission_model
        instance = get_object_or_404(model.objects.restrict(request.user, 'change'), pk=pk)
        with transaction.atomic():
            instance.sync_data()
            instance.save()
        serializer = registry.get(model).serializer()(instance, context={'request': request})
        return Response(serializer.data)
