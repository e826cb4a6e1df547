"""How custom scripts are exposed: /api/extras/scripts/ (list, detail, run by POST, module upload) and the UI's
script list, run form and result pages."""
from rest_framework import serializers

from core.models import Job
from netbox.api.fields import NestedRelatedField
from netbox.registry import Declaration, declare

from ..api_scripts import ScriptModuleCreateView, ScriptModuleDetailView, ScriptViewSet
from ..models import Script
from ..ui_scripts import ScriptListView, ScriptResultView, ScriptRunView, ScriptUploadView


def attach_results(scripts):
    """Each script's last run, for a page of scripts in one query."""
    keys = [script.pk for script in scripts]
    latest = {}
    jobs = Job.objects.filter(object_type__app_label='extras', object_type__model='script', object_id__in=keys) \
        .select_related('user').order_by('object_id', '-created').distinct('object_id')
    for job in jobs:
        latest[job.object_id] = job
    for script in scripts:
        script.__dict__['_result'] = latest.get(script.pk)


@declare
class ScriptDeclaration(Declaration):
    model = Script
    fields = ('module', 'name', 'description', 'vars', 'result', 'is_executable')
    read_only = fields
    serializer_fields = {
        'module': serializers.PrimaryKeyRelatedField(read_only=True),
        'description': serializers.CharField(read_only=True, allow_null=True),
        'vars': serializers.JSONField(read_only=True),
        'result': NestedRelatedField(related_model=Job, read_only=True, allow_null=True,
                                     nested_fields=('id', 'url', 'display', 'status', 'created', 'completed',
                                                    'user')),
    }
    brief = ('name', 'description')
    api_methods = ('GET',)
    detail_actions = {'post': 'run'}
    viewset_base = ScriptViewSet
    filters = ('name', 'is_executable', 'module')
    filter_exclude = ('module',)
    select_related = ('module',)
    prepare_rows = attach_results
    prepare_fields = ('result',)
    api_routes = (('upload/', ScriptModuleCreateView.as_view(), 'upload'),
                  ('upload/<int:pk>/', ScriptModuleDetailView.as_view(), 'upload-detail'))
    ui_routes = (('', ScriptListView.as_view(), 'scripts'),
                 ('upload/', ScriptUploadView.as_view(), 'upload'),
                 ('results/<int:job_pk>/', ScriptResultView.as_view(), 'result'),
                 ('<int:pk>/', ScriptRunView.as_view(), 'run'))
    search = ('name',)
    table = ('name', 'module', 'description', 'is_executable')
    menu = ('Customization', 'Scripts')
