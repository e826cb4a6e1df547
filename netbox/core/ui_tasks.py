"""UI pages of background jobs beyond the derived ones: a Job's status fragment (its page polls it until the job
finishes), and the background task pages for staff: queues with their counts per registry, the tasks of a queue
and status, one task with its actions (enqueue, requeue, stop, delete), and the workers."""
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views import View

from netbox.ui.base import DeclaredView

from . import tasks


class JobStatusView(DeclaredView):
    """GET jobs/<pk>/status/: the job's status, timings, error and log as an HTML fragment."""

    def setup(self, request, *args, **kwargs):
        from netbox.registry import registry

        super().setup(request, *args, **kwargs)
        self.declaration = registry.get('core.job')

    def get(self, request, pk):
        job = get_object_or_404(self.model.objects.restrict(request.user, 'view').select_related('user'), pk=pk)
        return render(request, 'core/job_status.html', {'object': job})


class StaffView(View):
    """Background tasks are for staff and superusers; anyone else gets a 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not tasks.may_manage_tasks(request.user):
            raise PermissionDenied('Only staff users may view or manage background tasks.')
        return super().dispatch(request, *args, **kwargs)


class QueueListView(StaffView):
    def get(self, request):
        return render(request, 'core/background_queues.html', {
            'queues': tasks.queues(), 'statuses': tasks.STATUSES,
            'workers': len(tasks.workers()),
        })


class TaskListView(StaffView):
    def get(self, request):
        queue, status = request.GET.get('queue') or None, request.GET.get('status') or None
        try:
            rows = tasks.tasks(queue, status)
        except tasks.TaskError as error:
            messages.error(request, str(error))
            rows = []
        page = Paginator(rows, 50).get_page(request.GET.get('page'))
        return render(request, 'core/background_tasks.html', {
            'page': page, 'queue': queue, 'status': status, 'statuses': tasks.STATUSES,
            'rows': [(task, tasks.task_status(task)) for task in page.object_list],
        })


class TaskView(StaffView):
    def get(self, request, id):
        from .models import Job

        task = tasks.get_task(id)
        if task is None:
            raise Http404(f'No task with the ID {id}.')
        return render(request, 'core/background_task.html', {
            'task': task, 'status': tasks.task_status(task), 'result': tasks.task_result(task),
            'job': Job.objects.restrict(request.user, 'view').filter(job_id=task.id).first()
            if _is_uuid(task.id) else None,
        })


def _is_uuid(value):
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class TaskActionView(StaffView):
    """POST background-tasks/<id>/<action>/: the action, then the task's page (or the queue's, after a delete)."""

    action = None

    def post(self, request, id):
        task = tasks.get_task(id)
        if task is None:
            raise Http404(f'No task with the ID {id}.')
        try:
            tasks.run_action(task, self.action, request.user)
        except tasks.TaskError as error:
            messages.error(request, str(error))
            return redirect('core:background_task', id=id)
        messages.success(request, f'Task {id}: {self.action} done.')
        if self.action == 'delete':
            return redirect(f'{reverse("core:background_task_list")}?queue={task.origin}')
        return redirect('core:background_task', id=id)


class WorkerListView(StaffView):
    def get(self, request):
        queue = request.GET.get('queue') or None
        return render(request, 'core/background_workers.html', {'workers': tasks.workers(queue), 'queue': queue})


def ui_patterns():
    from netbox.ui.menu import register_menu_item

    register_menu_item('Admin', 'System', 'Background tasks', 'core:background_queue_list',
                       tasks.may_manage_tasks)
    patterns = [
        path('background-queues/', QueueListView.as_view(), name='background_queue_list'),
        path('background-tasks/', TaskListView.as_view(), name='background_task_list'),
        path('background-tasks/<str:id>/', TaskView.as_view(), name='background_task'),
        path('background-workers/', WorkerListView.as_view(), name='background_worker_list'),
    ]
    for action in tasks.ACTIONS:
        view = type(f'Task{action.title()}View', (TaskActionView,), {'action': action})
        patterns.append(path(f'background-tasks/<str:id>/{action}/', view.as_view(),
                             name=f'background_task_{action}'))
    return patterns

