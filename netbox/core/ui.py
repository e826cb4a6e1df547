"""The core app's UI pieces beyond the derived ones: the Sync button of a data source."""
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect

from netbox.ui.base import DeclaredView


class DataSourceSyncUIView(DeclaredView):
    """POST <data source>/sync/: queue a background sync (as the REST sync does) and show the source again."""

    action = 'sync'

    def setup(self, request, *args, **kwargs):
        from netbox.registry import registry

        super().setup(request, *args, **kwargs)
        self.declaration = registry.get('core.datasource')

    def post(self, request, pk):
        from .datasync import READERS, enqueue_sync

        source = get_object_or_404(self.model.objects.restrict(request.user, 'sync'), pk=pk)
        if not source.enabled:
            messages.error(request, f'Data source {source} is disabled; enable it to sync.')
        elif source.type not in READERS:
            messages.error(request, f'Syncing {source.get_type_display()} data sources is not supported yet.')
        else:
            with transaction.atomic():
                job = enqueue_sync(source, request.user)
            messages.success(request, f'Queued a sync of {source} (job {job.job_id}).')
        return redirect(source.get_absolute_url())
