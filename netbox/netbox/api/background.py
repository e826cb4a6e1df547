"""
Bulk writes in the background (NetBox 4.7): a bulk POST, PUT, PATCH or DELETE on a list endpoint with
`?background=true` answers `202 Accepted` with the job that will do it, and a worker makes the same call later.

The request is authenticated and its model permission checked as usual before it is accepted. The worker
re-invokes the same viewset action as the requesting user (the same restricted querysets, the same per-object
constraint checks, the same single transaction), and keeps in the job's `data` what the synchronous call would
have answered: `{"status_code": ..., "data": ...}`. A refused write (400, 403, 404, 409, ...) leaves the job
`failed` with that answer; nothing is written. The request body travels to the worker through Redis only; it is
never kept on the job. Writes whose answer carries a secret (API tokens) cannot run in the background.
"""
import json
from urllib.parse import urlencode

from django.apps import apps
from django.test.client import RequestFactory
from django.urls import reverse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from netbox.registry import api_namespace, registry
from netbox.request_context import ChangeContext, change_logging, current_change_context

BACKGROUND_PARAMETER = 'background'
# Models whose write answers carry a secret shown once: such a body must not be kept on a job (4.7.2, #23196).
SECRET_BEARING_MODELS = {'users.token'}
VERBS = {'POST': 'create', 'PUT': 'update', 'PATCH': 'update', 'DELETE': 'delete'}


def background_requested(request):
    return request.query_params.get(BACKGROUND_PARAMETER, '').strip().lower() in ('true', '1', 'yes', 'on')


def enqueue_bulk_write(view, request):
    """Accept the bulk write of `request` for a worker: the 202 answer with the job's representation."""
    from core.jobs import enqueue_job
    from core.models import Job

    model = view.declaration.model
    label = model._meta.label_lower
    if label in SECRET_BEARING_MODELS:
        raise ValidationError({BACKGROUND_PARAMETER: [
            f'{model._meta.verbose_name_plural} cannot be written in the background: the answer carries secrets '
            'that a job must not keep. Leave out background=true.']})
    if not isinstance(request.data, list) or not request.data:
        raise ValidationError({'non_field_errors': ['A background write takes a non-empty list of objects.']})
    query = [(key, value) for key, values in request.query_params.lists() if key != BACKGROUND_PARAMETER
             for value in values]
    context = current_change_context()
    job = enqueue_job('netbox.api.background.run_bulk_write', user=request.user,
                      name=f'Bulk {VERBS[request.method]} of {len(request.data)} {model._meta.verbose_name_plural}',
                      kwargs={'model': label, 'method': request.method, 'body': request.data, 'query': query,
                              'host': request.get_host(), 'secure': request.is_secure(),
                              'request_id': str(context.id) if context is not None else None})
    job = Job.objects.get(pk=job.pk)
    data = registry.get(Job).serializer()(job, context={'request': request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={'Location': data['url']})


def run_bulk_write(job, model, method, body, query, host, secure, request_id=None):
    """What the worker runs: the same bulk call, made as the job's user; its answer is kept in `job.data`."""
    from core.jobs import JobFailed, log

    from .routers import LIST_ACTIONS, allowed_actions
    from .viewsets import viewset_for

    if job.user is None or not job.user.is_active:
        raise JobFailed('The user who asked for this write no longer exists or is inactive; nothing was written.')
    declaration = registry.get(apps.get_model(model))
    path = reverse(f'{api_namespace(declaration.model._meta.app_label)}:{declaration.model_name()}-list')
    request = RequestFactory().generic(
        method, f'{path}?{urlencode(query)}' if query else path, data=json.dumps(body),
        content_type='application/json', HTTP_HOST=host, secure=secure, HTTP_ACCEPT='application/json')
    request._force_auth_user = job.user  # DRF's forced authentication: the requester, already authenticated
    view = viewset_for(declaration).as_view(allowed_actions(LIST_ACTIONS, declaration))
    with change_logging(ChangeContext(user=job.user, request_id=request_id)):
        response = view(request)
    response.render()
    answer = json.loads(response.content) if response.content else None
    job.data = {'status_code': response.status_code, 'data': answer}
    if response.status_code >= 400:
        raise JobFailed(_failure_summary(response.status_code, answer))
    count = len(answer) if isinstance(answer, list) else len(body)
    log(job, f'{VERBS[method].capitalize()}d {count} {declaration.model._meta.verbose_name_plural}.', 'success')


def _failure_summary(status_code, answer):
    detail = answer.get('detail') if isinstance(answer, dict) else None
    text = str(detail or answer)
    return f'The write was refused ({status_code}): {text[:500]}. Nothing was written.'
