"""REST views of the background queues, workers and tasks (RQ's state, not models): /api/core/background-queues/,
background-workers/ and background-tasks/ with the task actions enqueue, requeue, stop and delete. Staff and
superusers only; anyone else gets a 403."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from netbox.api.authentication import TokenPermissions
from netbox.api.pagination import OptionalLimitOffsetPagination
from netbox.api.schema import ERROR_RESPONSE_SCHEMA

from . import tasks


class IsStaff(permissions.BasePermission):
    """Background tasks are for staff and superusers (NetBox lets no object permission grant them)."""

    message = 'Only staff users may view or manage background tasks.'

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        return tasks.may_manage_tasks(request.user)


class BackgroundQueueSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    jobs = serializers.IntegerField(read_only=True)
    oldest_job_timestamp = serializers.DateTimeField(read_only=True, allow_null=True)
    started_jobs = serializers.IntegerField(read_only=True)
    deferred_jobs = serializers.IntegerField(read_only=True)
    finished_jobs = serializers.IntegerField(read_only=True)
    failed_jobs = serializers.IntegerField(read_only=True)
    scheduled_jobs = serializers.IntegerField(read_only=True)
    workers = serializers.IntegerField(read_only=True)

    def get_url(self, summary) -> str:
        return reverse('core-api:background-queue-detail', args=[summary['name']], request=self.context['request'])


class BackgroundWorkerSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    name = serializers.CharField(read_only=True)
    state = serializers.SerializerMethodField()
    birth_date = serializers.DateTimeField(read_only=True, allow_null=True)
    queue_names = serializers.SerializerMethodField()
    pid = serializers.IntegerField(read_only=True, allow_null=True)
    current_job = serializers.SerializerMethodField()
    successful_job_count = serializers.IntegerField(read_only=True)
    failed_job_count = serializers.IntegerField(read_only=True)
    total_working_time = serializers.FloatField(read_only=True)
    last_heartbeat = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_url(self, worker) -> str:
        return reverse('core-api:background-worker-detail', args=[worker.name], request=self.context['request'])

    def get_state(self, worker) -> str:
        return str(worker.get_state())

    def get_queue_names(self, worker) -> list[str]:
        return worker.queue_names()

    def get_current_job(self, worker) -> str | None:
        return worker.get_current_job_id()


class BackgroundTaskSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    id = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True, allow_null=True)
    origin = serializers.CharField(read_only=True)
    func_name = serializers.CharField(read_only=True)
    args = serializers.ListField(read_only=True)
    kwargs = serializers.DictField(read_only=True)
    result = serializers.SerializerMethodField()
    timeout = serializers.IntegerField(read_only=True, allow_null=True)
    result_ttl = serializers.IntegerField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)
    enqueued_at = serializers.DateTimeField(read_only=True, allow_null=True)
    started_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    worker_name = serializers.CharField(read_only=True, allow_null=True)
    position = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    meta = serializers.DictField(read_only=True)
    last_heartbeat = serializers.DateTimeField(read_only=True, allow_null=True)
    exc_info = serializers.CharField(read_only=True, allow_null=True)
    is_finished = serializers.BooleanField(read_only=True)
    is_queued = serializers.BooleanField(read_only=True)
    is_failed = serializers.BooleanField(read_only=True)
    is_started = serializers.BooleanField(read_only=True)
    is_deferred = serializers.BooleanField(read_only=True)
    is_canceled = serializers.BooleanField(read_only=True)
    is_scheduled = serializers.BooleanField(read_only=True)
    is_stopped = serializers.BooleanField(read_only=True)

    def get_url(self, task) -> str:
        return reverse('core-api:background-task-detail', args=[task.id], request=self.context['request'])

    def get_result(self, task) -> str | None:
        result = tasks.task_result(task)
        return None if result is None else str(result)

    def get_position(self, task) -> int | None:
        return task.get_position()

    def get_status(self, task) -> str:
        return tasks.task_status(task)


class BackgroundView(APIView):
    # TokenPermissions: authentication, and write-enabled tokens for the actions.
    permission_classes = (TokenPermissions, IsStaff)
    pagination_class = OptionalLimitOffsetPagination
    serializer_class = None

    def paginated(self, request, rows):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        data = self.serializer_class(page, many=True, context={'request': request}).data
        return paginator.get_paginated_response(data)

    def one(self, request, row):
        return Response(self.serializer_class(row, context={'request': request}).data)


class BackgroundQueueListView(BackgroundView):
    """The configured RQ queues with their task counts per registry."""

    serializer_class = BackgroundQueueSerializer

    def get_view_name(self):
        return 'Background Queues'

    @extend_schema(responses=BackgroundQueueSerializer(many=True))
    def get(self, request):
        return self.paginated(request, tasks.queues())


class BackgroundDetailView(BackgroundView):
    """One queue, worker or task by its key; `find(key)` returns it, or None for a 404."""

    noun = None

    @staticmethod
    def find(key):
        raise NotImplementedError

    def get_view_name(self):
        return f'Background {self.noun.title()}'

    def get(self, request, **kwargs):
        key = next(iter(kwargs.values()))
        row = self.find(key)
        if row is None:
            raise exceptions.NotFound(f'No {self.noun} {key!r}.')
        return self.one(request, row)


def _detail_schema(serializer):
    return extend_schema_view(get=extend_schema(responses={200: serializer, 404: ERROR_RESPONSE_SCHEMA}))


@_detail_schema(BackgroundQueueSerializer)
class BackgroundQueueDetailView(BackgroundDetailView):
    serializer_class = BackgroundQueueSerializer
    noun = 'queue'

    @staticmethod
    def find(name):
        queue = tasks.get_queue(name)
        return tasks.queue_summary(queue) if queue is not None else None


class BackgroundWorkerListView(BackgroundView):
    """The RQ workers alive (those whose heartbeat Redis still holds)."""

    serializer_class = BackgroundWorkerSerializer

    def get_view_name(self):
        return 'Background Workers'

    @extend_schema(responses=BackgroundWorkerSerializer(many=True), parameters=[
        OpenApiParameter('queue', str, description='Only the workers of this queue.')])
    def get(self, request):
        queue = request.query_params.get('queue') or None
        if queue is not None and tasks.get_queue(queue) is None:
            raise exceptions.ValidationError({'queue': [f'No queue named {queue!r}.']})
        return self.paginated(request, tasks.workers(queue))


@_detail_schema(BackgroundWorkerSerializer)
class BackgroundWorkerDetailView(BackgroundDetailView):
    serializer_class = BackgroundWorkerSerializer
    noun = 'worker'
    find = staticmethod(tasks.get_worker)


class BackgroundTaskListView(BackgroundView):
    """The tasks of every queue, or of one (`queue`), in every status or one (`status`)."""

    serializer_class = BackgroundTaskSerializer

    def get_view_name(self):
        return 'Background Tasks'

    @extend_schema(responses=BackgroundTaskSerializer(many=True), parameters=[
        OpenApiParameter('queue', str, description='Only the tasks of this queue.'),
        OpenApiParameter('status', str, enum=tasks.STATUSES, description='Only the tasks in this status.')])
    def get(self, request):
        try:
            rows = tasks.tasks(request.query_params.get('queue') or None, request.query_params.get('status') or None)
        except tasks.TaskError as error:
            raise exceptions.ValidationError({error.field: [str(error)]})
        return self.paginated(request, rows)


@_detail_schema(BackgroundTaskSerializer)
class BackgroundTaskDetailView(BackgroundDetailView):
    serializer_class = BackgroundTaskSerializer
    noun = 'task'
    find = staticmethod(tasks.get_task)


class BackgroundTaskActionView(BackgroundView):
    """POST <task>/<action>/: the action on the task; the task as it is afterwards. An action that does not apply
    to the task's status is a 400 saying why."""

    serializer_class = BackgroundTaskSerializer
    action = None

    def get_view_name(self):
        return f'Background Task {self.action.title()}'

    @extend_schema(request=None, responses={200: BackgroundTaskSerializer, 400: ERROR_RESPONSE_SCHEMA,
                                            404: ERROR_RESPONSE_SCHEMA})
    def post(self, request, id):
        task = tasks.get_task(id)
        if task is None:
            raise exceptions.NotFound(f'No task {id!r}.')
        try:
            tasks.run_action(task, self.action, request.user)
        except tasks.TaskError as error:
            raise exceptions.ValidationError({'detail': str(error)})
        if self.action == 'delete':
            return Response({'detail': f'Task {id} deleted.'})
        return self.one(request, tasks.get_task(id) or task)


def api_patterns():
    from django.urls import path

    patterns = [
        path('background-queues/', BackgroundQueueListView.as_view(), name='background-queue-list'),
        path('background-queues/<str:name>/', BackgroundQueueDetailView.as_view(), name='background-queue-detail'),
        path('background-workers/', BackgroundWorkerListView.as_view(), name='background-worker-list'),
        path('background-workers/<str:name>/', BackgroundWorkerDetailView.as_view(),
             name='background-worker-detail'),
        path('background-tasks/', BackgroundTaskListView.as_view(), name='background-task-list'),
        path('background-tasks/<str:id>/', BackgroundTaskDetailView.as_view(), name='background-task-detail'),
    ]
    for action in tasks.ACTIONS:
        view = type(f'BackgroundTask{action.title()}View', (BackgroundTaskActionView,), {'action': action})
        patterns.append(path(f'background-tasks/<str:id>/{action}/', view.as_view(),
                             name=f'background-task-{action}'))
    return patterns
