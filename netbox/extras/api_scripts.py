"""The scripts API beyond the derived list and detail: running a script (POST scripts/<id>/) and uploading or
syncing a module (POST scripts/upload/, PUT/PATCH scripts/upload/<id>/)."""
import os

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.schema import ERROR_RESPONSE_SCHEMA
from netbox.api.viewsets import NetBoxModelViewSet
from netbox.permissions import has_permission

from .models import Script, ScriptModule


class ScriptInputSerializer(serializers.Serializer):
    """What a run takes: the variables' values, whether to commit, and when (and how often) to run."""

    data = serializers.JSONField()
    commit = serializers.BooleanField()
    schedule_at = serializers.DateTimeField(required=False, allow_null=True)
    interval = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    notifications = serializers.ChoiceField(choices=('always', 'on_failure', 'never'), required=False)


class ScriptViewSet(NetBoxModelViewSet):
    """Scripts: listed from the modules on disk (new files are picked up on the list), run by POST."""

    def list(self, request, *args, **kwargs):
        from .scripts import discover_modules

        with transaction.atomic():
            discover_modules()
        return super().list(request, *args, **kwargs)

    @property
    def permission_action(self):
        return 'run' if self.request.method == 'POST' else None

    def get_queryset(self):
        if self.request.method == 'POST':
            return Script.objects.select_related('module').restrict(self.request.user, 'run')
        return super().get_queryset()

    @extend_schema(request=ScriptInputSerializer, responses={400: ERROR_RESPONSE_SCHEMA})
    def run(self, request, pk):
        """Queue a run of the script; answers with the script, its `result` the new job."""
        script = get_object_or_404(self.get_queryset(), pk=pk)
        inputs = ScriptInputSerializer(data=request.data)
        inputs.is_valid(raise_exception=True)
        cls = script.python_class
        if cls is None or not script.is_executable:
            raise ValidationError({'detail': f'{script.full_name} cannot be run: its module no longer defines it or '
                                             f'fails to load.'})
        values = inputs.validated_data
        if (values.get('schedule_at') or values.get('interval')) and not cls.Meta.scheduling_enabled:
            raise ValidationError({'schedule_at': 'Scheduling is not enabled for this script.'})
        data = values['data'] if isinstance(values['data'], dict) else None
        if data is None:
            raise ValidationError({'data': 'Give the variables as a JSON object.'})
        from .scripts import _form_data, restrict_choices

        form = cls.as_form(_form_data(cls, data), scheduling=False)
        restrict_choices(form, request.user)
        if not form.is_valid():
            raise ValidationError({'data': {name: errors for name, errors in form.errors.items()}})
        with transaction.atomic():
            job = script.enqueue(request.user, data, commit=values['commit'], schedule_at=values.get('schedule_at'),
                                 interval=values.get('interval'), request=request)
            if values.get('notifications'):
                type(job).objects.filter(pk=job.pk).update(notifications=values['notifications'])
        script = self.refreshed([script])[0]
        script.__dict__['_result'] = job
        return Response(self.get_serializer(script).data)


class ScriptModuleSerializer(serializers.Serializer):
    """A module as uploaded (a file) or following a data source's file."""

    file = serializers.FileField(required=False, write_only=True)
    data_source = serializers.IntegerField(required=False, write_only=True)
    data_file = serializers.IntegerField(required=False, write_only=True)
    auto_sync_enabled = serializers.BooleanField(required=False, write_only=True)


def module_representation(module, request):
    from netbox.api.fields import nested_representation

    return {
        'id': module.pk, 'display': str(module), 'file_root': module.file_root, 'file_path': module.file_path,
        'data_source': nested_representation(module.data_source, {'request': request}),
        'data_file': nested_representation(module.data_file, {'request': request}),
        'data_path': module.data_path, 'auto_sync_enabled': module.auto_sync_enabled,
        'data_synced': module.data_synced.isoformat() if module.data_synced else None,
        'created': module.created.isoformat() if module.created else None,
        'last_updated': module.last_updated.isoformat() if module.last_updated else None,
        'scripts': [nested_representation(script, {'request': request})
                    for script in Script.objects.filter(module=module, is_executable=True)],
    }


def save_module(module, *, upload=None, data_source=None, data_file=None, auto_sync=None, user=None):
    """Write a module from an uploaded file or a data source's file and record its scripts; raises Django's
    ValidationError naming the field. Returns the module."""
    from core.models import DataFile, DataSource

    if upload is None and data_file is None and module.pk is None:
        raise DjangoValidationError({'file': 'Give a file, or a data source and data file to sync from.'})
    if upload is not None and data_file is not None:
        raise DjangoValidationError({'file': 'Give a file or a data file, not both.'})
    if data_file is not None:
        files = DataFile.objects.restrict(user, 'view') if user is not None else DataFile.objects.all()
        source = None
        if data_source is not None:
            source = (DataSource.objects.restrict(user, 'view') if user is not None else DataSource.objects).filter(
                pk=data_source).first()
            if source is None:
                raise DjangoValidationError({'data_source': f'No data source with ID {data_source}.'})
            files = files.filter(source=source)
        data_file = files.filter(pk=data_file).first()
        if data_file is None:
            raise DjangoValidationError({'data_file': 'No such file in the data source.'})
        module.data_file, module.data_source = data_file, data_file.source
        if not module.file_path:
            module.file_path = os.path.basename(data_file.path)
    if upload is not None:
        module.file_path = module.file_path or os.path.basename(upload.name)
        module.data_file = module.data_source = None
    if auto_sync is not None:
        module.auto_sync_enabled = auto_sync
    module.file_root = module.file_root or 'scripts'
    module.full_clean(exclude=['file_path'])
    module.clean()
    if ScriptModule.objects.filter(file_root=module.file_root, file_path=module.file_path).exclude(
            pk=module.pk).exists():
        raise DjangoValidationError({'file': f'A module {module.file_path} exists already.'})
    if upload is not None:
        upload.seek(0)
        content = upload.read()
        _check_source(content)
        module.write(content)
    else:
        content = bytes(module.data_file.data)
        _check_source(content)
        module.sync_data()
    module.save()
    error = module.sync_classes()
    if error:
        raise DjangoValidationError({'file': f'The module does not load: {error}'})
    return module


def _check_source(content):
    try:
        compile(content, '<module>', 'exec')
    except (SyntaxError, ValueError) as error:
        raise DjangoValidationError({'file': f'Not valid Python: {error}'})


class ScriptModuleUploadView(APIView):
    """POST scripts/upload/ (a multipart `file`, or `data_source` and `data_file`): a new module under SCRIPTS_ROOT;
    PUT/PATCH scripts/upload/<id>/: its file replaced or synced again."""

    parser_classes = (MultiPartParser, FormParser, JSONParser)
    permission_model = ScriptModule

    def get_view_name(self):
        return 'Script Module Upload'

    @property
    def permission_action(self):
        return 'add' if self.request.method == 'POST' else 'change'

    def _save(self, request, module):
        serializer = ScriptModuleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            with transaction.atomic():
                module = save_module(module, upload=values.get('file'), data_source=values.get('data_source'),
                                     data_file=values.get('data_file'), auto_sync=values.get('auto_sync_enabled'),
                                     user=request.user)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, 'message_dict') else
                                  {'file': error.messages})
        except IntegrityError:
            raise ValidationError({'file': 'A module of that name exists already.'})
        return module


class ScriptModuleCreateView(ScriptModuleUploadView):
    @extend_schema(request={'multipart/form-data': ScriptModuleSerializer}, responses={201: OpenApiTypes.OBJECT,
                                                                                       400: ERROR_RESPONSE_SCHEMA})
    def post(self, request):
        if not has_permission(request.user, ScriptModule, 'add'):
            raise PermissionDenied('You do not have permission to add script modules.')
        module = self._save(request, ScriptModule(file_root='scripts'))
        return Response(module_representation(module, request), status=status.HTTP_201_CREATED)


class ScriptModuleDetailView(ScriptModuleUploadView):
    def _update(self, request, pk):
        module = get_object_or_404(ScriptModule.objects.restrict(request.user, 'change'), pk=pk)
        module = self._save(request, module)
        return Response(module_representation(module, request))

    @extend_schema(request={'multipart/form-data': ScriptModuleSerializer}, responses={200: OpenApiTypes.OBJECT,
                                                                                       400: ERROR_RESPONSE_SCHEMA})
    def put(self, request, pk):
        return self._update(request, pk)

    @extend_schema(request={'multipart/form-data': ScriptModuleSerializer}, responses={200: OpenApiTypes.OBJECT,
                                                                                       400: ERROR_RESPONSE_SCHEMA})
    def patch(self, request, pk):
        return self._update(request, pk)


