"""The scripts' pages: the list grouped by module, a script's run form (its variables, commit and schedule), the
result page of a run (status and log, refreshed until the job ends), and the module upload form."""
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.models import DataFile, DataSource, Job
from netbox.permissions import has_permission
from netbox.ui.base import DeclaredView

from .models import Script, ScriptModule

FINISHED = ('completed', 'failed', 'errored')
STATUS_COLORS = {'completed': 'green', 'failed': 'red', 'errored': 'red', 'running': 'blue', 'pending': 'cyan',
                 'scheduled': 'gray'}
LOG_COLORS = {'debug': 'gray', 'info': 'cyan', 'success': 'green', 'warning': 'yellow', 'failure': 'red'}


class ScriptView(DeclaredView):
    def setup(self, request, *args, **kwargs):
        from netbox.registry import registry

        super().setup(request, *args, **kwargs)
        self.declaration = registry.get('extras.script')


class ScriptListView(ScriptView):
    """Every script, grouped by module, with its last run."""

    def get(self, request):
        from .declarations.scripts import attach_results
        from .scripts import discover_modules

        with transaction.atomic():
            discover_modules()
        scripts = list(Script.objects.restrict(request.user, 'view').select_related('module')
                       .order_by('module__file_root', 'module__file_path', 'name'))
        attach_results(scripts)
        modules = {}
        for script in scripts:
            entry = modules.setdefault(script.module_id, {'module': script.module, 'scripts': []})
            script.status_color = STATUS_COLORS.get(getattr(script.result, 'status', ''), 'gray')
            entry['scripts'].append(script)
        return render(request, 'extras/script_list.html', {
            **self.base_context(request), 'modules': list(modules.values()),
            'can_upload': has_permission(request.user, ScriptModule, 'add'),
        })


class ScriptRunView(ScriptView):
    """GET: the script's form; POST (the `run` permission on the script): queue a run, then show its result."""

    def get_action(self, request, **kwargs):
        return 'run' if request.method == 'POST' else 'view'

    def context(self, request, script, form):
        cls = script.python_class
        fieldsets = []
        if cls is not None and form is not None:
            fieldsets = [(title, [form[name] for name in names if name in form.fields])
                         for title, names in cls.fieldsets()]
            fieldsets.append(('Run', [form[name] for name in ('_commit', '_schedule_at', '_interval')
                                      if name in form.fields]))
        return {**self.base_context(request), 'object': script, 'script_class': cls, 'form': form,
                'fieldsets': fieldsets, 'can_run': has_permission(request.user, Script, 'run')}

    def get(self, request, pk):
        script = get_object_or_404(Script.objects.restrict(request.user, 'view').select_related('module'), pk=pk)
        cls = script.python_class
        form = cls.as_form(initial=request.GET.dict()) if cls is not None else None
        return render(request, 'extras/script_run.html', self.context(request, script, form))

    def post(self, request, pk):
        from .scripts import restrict_choices, serializable_data, uploaded_files

        script = Script.objects.restrict(request.user, 'run').select_related('module').filter(pk=pk).first()
        if script is None:
            raise PermissionDenied('You do not have permission to run this script.')
        cls = script.python_class
        if cls is None or not script.is_executable:
            messages.error(request, f'{script.full_name} cannot be run: its module no longer defines it.')
            return redirect('extras:script_scripts')
        form = cls.as_form(request.POST, request.FILES)
        restrict_choices(form, request.user)
        if not form.is_valid():
            return render(request, 'extras/script_run.html', self.context(request, script, form), status=400)
        with transaction.atomic():
            job = script.enqueue(request.user, serializable_data(form), commit=form.cleaned_data.get('_commit'),
                                 schedule_at=form.cleaned_data.get('_schedule_at'),
                                 interval=form.cleaned_data.get('_interval'), request=request,
                                 files=uploaded_files(form))
        return redirect('extras:script_result', job_pk=job.pk)


class ScriptResultView(ScriptView):
    """A run's status, log and output; `?fragment=1` is the part the page fetches again until the job ends."""

    def get(self, request, job_pk):
        job = get_object_or_404(Job, pk=job_pk, object_type__app_label='extras', object_type__model='script')
        script = get_object_or_404(Script.objects.restrict(request.user, 'view').select_related('module'),
                                   pk=job.object_id)
        entries = [{**entry, 'color': LOG_COLORS.get(entry.get('status'), 'gray')}
                   for entry in (job.data or {}).get('log', [])]
        context = {**self.base_context(request), 'object': script, 'job': job, 'entries': entries,
                   'output': (job.data or {}).get('output', ''), 'tests': (job.data or {}).get('tests', {}),
                   'finished': job.status in FINISHED, 'status_color': STATUS_COLORS.get(job.status, 'gray'),
                   'fragment_url': f'{reverse("extras:script_result", args=[job.pk])}?fragment=1'}
        if request.GET.get('fragment'):
            return render(request, 'extras/inc/script_result.html', context)
        return render(request, 'extras/script_result.html', context)


class ModuleUploadForm(forms.Form):
    """A module from a file, or from a data source's file."""

    file = forms.FileField(required=False, help_text='A Python file of scripts')
    data_source = forms.ModelChoiceField(DataSource.objects.all(), required=False)
    data_file = forms.ModelChoiceField(DataFile.objects.all(), required=False,
                                       help_text='The file of the data source to follow')
    auto_sync_enabled = forms.BooleanField(required=False, label='Auto sync',
                                           help_text='Take the data file\'s content at each sync')


class ScriptUploadView(ScriptView):
    """Add a script module (the add permission on script modules)."""

    def dispatch(self, request, *args, **kwargs):
        if not has_permission(request.user, ScriptModule, 'add'):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            raise PermissionDenied('You do not have permission to add script modules.')
        return super(DeclaredView, self).dispatch(request, *args, **kwargs)

    def form(self, request, data=None, files=None):
        form = ModuleUploadForm(data, files)
        form.fields['data_source'].queryset = DataSource.objects.restrict(request.user, 'view')
        form.fields['data_file'].queryset = DataFile.objects.restrict(request.user, 'view')
        return form

    def get(self, request):
        return render(request, 'extras/script_upload.html', {**self.base_context(request),
                                                              'form': self.form(request)})

    def post(self, request):
        from .api_scripts import save_module

        form = self.form(request, request.POST, request.FILES)
        if form.is_valid():
            values = form.cleaned_data
            try:
                with transaction.atomic():
                    module = save_module(
                        ScriptModule(file_root='scripts'), upload=values.get('file'),
                        data_source=values['data_source'].pk if values.get('data_source') else None,
                        data_file=values['data_file'].pk if values.get('data_file') else None,
                        auto_sync=values.get('auto_sync_enabled'), user=request.user)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f'Added the script module {module}.')
                return redirect('extras:script_scripts')
        return render(request, 'extras/script_upload.html', {**self.base_context(request), 'form': form},
                      status=400)
