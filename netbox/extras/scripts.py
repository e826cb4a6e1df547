"""
Custom scripts: the API user scripts are written against, and how they are loaded and run.

    from extras.scripts import Script, StringVar, ObjectVar

    class NewSite(Script):
        class Meta:
            name = 'New site'
            commit_default = False

        site_name = StringVar(max_length=100)

        def run(self, data, commit):
            ...
            self.log_success(f'Created {site}', site)

A module is a Python file under SCRIPTS_ROOT (or REPORTS_ROOT for legacy reports), recorded as an
extras.ScriptModule; it is imported fresh from the file for each run, so an edited module takes effect at once.
A run is a background job (core.jobs) calling `run_script_job`: the variables are validated again by the worker
(as the running user sees objects), `run()` is called inside one transaction, rolled back when `commit` is false or
the script fails, and every change-logged save or delete is checked against the running user's permissions.
"""
import decimal
import importlib.util
import inspect
import json
import logging
import os
import sys
import traceback

import netaddr
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import RegexValidator
from django.db import transaction
from django.utils import timezone

__all__ = (
    'BaseScript', 'BooleanVar', 'ChoiceVar', 'DecimalVar', 'FileVar', 'IPAddressVar', 'IPAddressWithMaskVar',
    'IPNetworkVar', 'IntegerVar', 'MultiChoiceVar', 'MultiObjectVar', 'ObjectVar', 'Script', 'ScriptVariable',
    'StringVar', 'TextVar',
)

logger = logging.getLogger('netbox.scripts')

LOG_STATUSES = ('debug', 'info', 'success', 'warning', 'failure')


# Variables

class ScriptVariable:
    """One input of a script: becomes a form field (UI) and a key of `data` (API, CLI)."""

    form_field = forms.CharField

    def __init__(self, label='', description='', default=None, required=True, widget=None):
        self.field_attrs = {'help_text': description, 'required': required}
        if label:
            self.field_attrs['label'] = label
        if default is not None:
            self.field_attrs['initial'] = default
        if widget is not None:
            self.field_attrs['widget'] = widget

    def as_field(self):
        """The form field for this variable."""
        return self.form_field(**self.field_attrs)


class StringVar(ScriptVariable):
    """A line of text, optionally bounded in length and matching a regular expression."""

    def __init__(self, min_length=None, max_length=None, regex=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_attrs.update(min_length=min_length, max_length=max_length)
        if regex:
            self.field_attrs['validators'] = [RegexValidator(regex=regex, message=f'Must match {regex}',
                                                             code='invalid')]


class TextVar(ScriptVariable):
    """Text of any length (a multi-line box)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_attrs['widget'] = forms.Textarea(attrs={'rows': 4})


class IntegerVar(ScriptVariable):
    """A whole number, optionally bounded."""

    form_field = forms.IntegerField

    def __init__(self, min_value=None, max_value=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_attrs.update(min_value=min_value, max_value=max_value)


class DecimalVar(ScriptVariable):
    """A decimal number, optionally bounded and with a number of places."""

    form_field = forms.DecimalField

    def __init__(self, min_value=None, max_value=None, max_digits=None, decimal_places=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_attrs.update(min_value=min_value, max_value=max_value, max_digits=max_digits,
                                decimal_places=decimal_places)


class BooleanVar(ScriptVariable):
    """A true/false flag (never required: unchecked is false)."""

    form_field = forms.BooleanField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_attrs['required'] = False


class ChoiceVar(ScriptVariable):
    """One of a list of (value, label) choices."""

    form_field = forms.ChoiceField

    def __init__(self, choices, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(choices)
        if not self.field_attrs['required'] or 'initial' not in self.field_attrs:
            choices = [('', '---------'), *choices]
        self.field_attrs['choices'] = choices


class MultiChoiceVar(ScriptVariable):
    """Any number of a list of (value, label) choices."""

    form_field = forms.MultipleChoiceField

    def __init__(self, choices, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_attrs['choices'] = list(choices)


class ObjectVar(ScriptVariable):
    """
    An object of `model`, chosen with a type-ahead. `query_params` narrow the choice with the model's REST filters
    (`{'site_id': '$site'}`: a value starting with `$` is the value of another variable of the form); the same
    filters are applied when the form is validated. `selector` is accepted for compatibility.
    """

    multiple = False

    def __init__(self, model=None, queryset=None, query_params=None, context=None, null_option=None,
                 selector=False, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if model is None and queryset is None:
            raise TypeError('ObjectVar needs a model')
        self.model = model if model is not None else queryset.model
        self.queryset = queryset
        self.query_params = dict(query_params or {})
        self.selector = selector

    def as_field(self):
        from netbox.ui.fields import ObjectField, ObjectsField, TypeaheadSelect, TypeaheadSelectMultiple, api_url_for

        queryset = self.queryset if self.queryset is not None else self.model._default_manager.all()
        url = api_url_for(self.model)
        attrs = dict(self.field_attrs)
        if url:
            widget = TypeaheadSelectMultiple if self.multiple else TypeaheadSelect
            attrs.setdefault('widget', widget(api_url=url, query=self.query_params or None))
        field = (ObjectsField if self.multiple else ObjectField)(queryset.all(), **attrs)
        field.query_params = self.query_params
        return field


class MultiObjectVar(ObjectVar):
    """Any number of objects of `model` (see ObjectVar)."""

    multiple = True


class FileVar(ScriptVariable):
    """An uploaded file, given to the script as a Django UploadedFile (kept for the run only)."""

    form_field = forms.FileField


class _NetaddrField(forms.CharField):
    """Text parsed by netaddr into an address or a network, checked for a mask when it must have (or lack) one."""

    def __init__(self, kind, *args, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            if self.kind == 'address':
                if '/' in value:
                    raise forms.ValidationError('Give an address without a mask.')
                return netaddr.IPAddress(value)
            network = netaddr.IPNetwork(value)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise forms.ValidationError(f'Invalid IP {"address" if self.kind == "address" else "network"}: '
                                        f'{value}')
        if '/' not in value:
            raise forms.ValidationError('Give the prefix length (e.g. 192.0.2.1/24).')
        if self.kind == 'network' and network.ip != network.network:
            raise forms.ValidationError(f'{value} is not a network address; did you mean {network.cidr}?')
        return network


class IPAddressVar(ScriptVariable):
    """An IPv4 or IPv6 address without a mask (netaddr.IPAddress)."""

    def as_field(self):
        return _NetaddrField('address', **self.field_attrs)


class IPAddressWithMaskVar(ScriptVariable):
    """An IPv4 or IPv6 address with a mask (netaddr.IPNetwork, e.g. 192.0.2.1/24)."""

    def as_field(self):
        return _NetaddrField('interface', **self.field_attrs)


class IPNetworkVar(ScriptVariable):
    """An IPv4 or IPv6 network (netaddr.IPNetwork, host bits clear), optionally bounded in prefix length."""

    def __init__(self, min_prefix_length=None, max_prefix_length=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_prefix_length, self.max_prefix_length = min_prefix_length, max_prefix_length

    def as_field(self):
        field = _NetaddrField('network', **self.field_attrs)
        low, high = self.min_prefix_length, self.max_prefix_length

        def bounded(value):
            if value is not None and low is not None and value.prefixlen < low:
                raise forms.ValidationError(f'The prefix length must be at least {low}.')
            if value is not None and high is not None and value.prefixlen > high:
                raise forms.ValidationError(f'The prefix length must be at most {high}.')
        field.validators.append(bounded)
        return field


# Scripts

class ScriptForm(forms.Form):
    """A script's variables as a form, with the run options (commit, schedule) after them."""

    def __init__(self, script_class, *args, scheduling=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.script_class = script_class
        for name, var in script_class.variables().items():
            self.fields[name] = var.as_field()
        meta = script_class.Meta
        self.fields['_commit'] = forms.BooleanField(required=False, initial=meta.commit_default, label='Commit changes',
                                                    help_text='Unchecked: the run\'s changes are rolled back')
        if scheduling and meta.scheduling_enabled:
            self.fields['_schedule_at'] = forms.DateTimeField(
                required=False, label='Schedule at', widget=forms.DateTimeInput(attrs={'type': 'datetime-local'}),
                help_text='Run at this time rather than now')
            self.fields['_interval'] = forms.IntegerField(required=False, min_value=1, label='Recurs every',
                                                          help_text='Minutes between runs')

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            params = getattr(field, 'query_params', None)
            value = cleaned.get(name)
            if not params or value in (None, '') or name in self.errors:
                continue
            allowed = narrowed_queryset(field.queryset, params, self.data, self.script_class)
            objects = list(value) if hasattr(value, '__iter__') else [value]
            if allowed is not None and allowed.filter(pk__in=[obj.pk for obj in objects]).count() != len(objects):
                self.add_error(name, 'Select a valid choice: the object does not match the choices offered.')
        schedule_at = cleaned.get('_schedule_at')
        if schedule_at and schedule_at <= timezone.now():
            self.add_error('_schedule_at', 'Give a time in the future.')
        return cleaned


def narrowed_queryset(queryset, params, data, script_class):
    """`queryset` filtered by a variable's query_params through the model's REST filter set, `$name` taken from
    the submitted data; None when the model has no filter set."""
    from django.http import QueryDict

    from netbox.registry import registry

    declaration = registry.get(queryset.model)
    if declaration is None:
        return None
    query = QueryDict(mutable=True)
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, str) and item.startswith('$'):
                source = item[1:]
                raw = data.getlist(source) if hasattr(data, 'getlist') else data.get(source)
                for part in raw if isinstance(raw, (list, tuple)) else [raw]:
                    if part not in (None, ''):
                        query.appendlist(key, str(part))
            else:
                query.appendlist(key, str(item).lower() if isinstance(item, bool) else str(item))
    return declaration.filterset()(query, queryset).qs


class ScriptMeta(type):
    """Gives every script class a complete Meta (the options it leaves out at their defaults)."""

    DEFAULTS = {'description': '', 'commit_default': True, 'scheduling_enabled': True, 'job_timeout': None,
                'field_order': (), 'fieldsets': (), 'hidden': False}

    def __new__(mcs, name, bases, attrs):
        cls = super().__new__(mcs, name, bases, attrs)
        own = attrs.get('Meta')
        options = {key: value for key, value in vars(own).items() if not key.startswith('__')} if own else {}
        options.setdefault('name', name)
        for key, value in mcs.DEFAULTS.items():
            options.setdefault(key, value)
        if not options['description']:
            options['description'] = attrs.get('description', '') or ''
        cls.Meta = type('Meta', (), options)
        return cls


class BaseScript(metaclass=ScriptMeta):
    """What a script and a legacy report share: variables, the log, output, and the run."""

    def __init__(self):
        self.messages = []
        self.tests = {}
        self.output = ''
        self.failed = False
        self.request = None
        self.user = None
        self._current_test = None

    def __str__(self):
        return self.Meta.name

    @classmethod
    def variables(cls):
        """{name: ScriptVariable} in form order (Meta.field_order first, then as declared)."""
        found = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, ScriptVariable):
                    found[name] = value
        ordered = {name: found[name] for name in cls.Meta.field_order if name in found}
        ordered.update((name, var) for name, var in found.items() if name not in ordered)
        return ordered

    @classmethod
    def fieldsets(cls):
        """[(title, [field names])]: Meta.fieldsets, else one fieldset of every variable."""
        if cls.Meta.fieldsets:
            return [(title, list(names)) for title, names in cls.Meta.fieldsets]
        return [('Script data', list(cls.variables()))] if cls.variables() else []

    @classmethod
    def as_form(cls, data=None, files=None, initial=None, scheduling=True):
        return ScriptForm(cls, data, files, initial=initial, scheduling=scheduling)

    # Logging

    def _log(self, message, obj=None, status='info'):
        if status not in LOG_STATUSES:
            raise ValueError(f'Unknown log status {status!r}; use one of {", ".join(LOG_STATUSES)}.')
        if status == 'failure':
            self.failed = True
        url = ''
        if obj is not None and hasattr(obj, 'get_absolute_url'):
            try:
                url = obj.get_absolute_url() or ''
            except Exception:  # noqa: BLE001  (a link is a convenience; the message is kept without it)
                url = ''
        entry = {'time': timezone.now().isoformat(), 'status': status,
                 'object': str(obj) if obj is not None else None, 'url': url or None,
                 'message': '' if message is None else str(message)}
        self.messages.append(entry)
        if self._current_test is not None:
            counts = self.tests.setdefault(self._current_test, {level: 0 for level in
                                                                ('success', 'info', 'warning', 'failure')})
            if status in counts:
                counts[status] += 1
        logger.log(logging.ERROR if status == 'failure' else logging.WARNING if status == 'warning'
                   else logging.DEBUG if status == 'debug' else logging.INFO, '%s', entry['message'])

    def log_debug(self, message=None, obj=None):
        self._log(message, obj, 'debug')

    def log_info(self, message=None, obj=None):
        self._log(message, obj, 'info')

    def log_success(self, message=None, obj=None):
        self._log(message, obj, 'success')

    def log_warning(self, message=None, obj=None):
        self._log(message, obj, 'warning')

    def log_failure(self, message=None, obj=None):
        self._log(message, obj, 'failure')

    # Files next to the scripts

    def load_yaml(self, filename):
        """Data of a YAML file under SCRIPTS_ROOT."""
        import yaml

        with open(os.path.join(settings.SCRIPTS_ROOT, filename)) as handle:
            return yaml.safe_load(handle)

    def load_json(self, filename):
        """Data of a JSON file under SCRIPTS_ROOT."""
        with open(os.path.join(settings.SCRIPTS_ROOT, filename)) as handle:
            return json.load(handle)

    # Running

    def run(self, data, commit):
        raise NotImplementedError('A script defines run(self, data, commit).')

    def run_tests(self):
        """Run every test_* method (legacy reports), recording its counts."""
        for name in self.test_methods():
            self._current_test = name
            self.tests.setdefault(name, {'success': 0, 'info': 0, 'warning': 0, 'failure': 0})
            getattr(self, name)()
        self._current_test = None

    @classmethod
    def test_methods(cls):
        return [name for name, _ in inspect.getmembers(cls, predicate=callable) if name.startswith('test_')]

    def execute(self, data, commit):
        """What the job calls: run() (or the tests), returning its output."""
        return self.run(data, commit)


class Script(BaseScript):
    """Subclass this for a custom script: variables as class attributes, logic in `run(self, data, commit)`."""


# Loading

def module_key(module):
    return f'netbox_user_{module.file_root}.{module.python_name}'


_loaded = {}


def load_module(module, fresh=False):
    """The Python module of an extras.ScriptModule, imported from its file. Kept while the file is unchanged
    (its modification time and size); `fresh` always imports it again, as a run does."""
    path = module.full_path
    stat = os.stat(path)
    signature = (stat.st_mtime_ns, stat.st_size)
    key = module_key(module)
    cached = _loaded.get(key)
    if not fresh and cached is not None and cached[0] == signature:
        return cached[1]
    spec = importlib.util.spec_from_file_location(key, path)
    python_module = importlib.util.module_from_spec(spec)
    # Registered while it executes (dataclasses and pickling look a module up by name), then left in place so
    # that its classes stay importable by name; the next load replaces it.
    sys.modules[key] = python_module
    try:
        spec.loader.exec_module(python_module)
    except BaseException:
        sys.modules.pop(key, None)
        raise
    _loaded[key] = (signature, python_module)
    return python_module


def script_classes(python_module):
    """{class name: class} of the scripts (and reports) a module defines itself, in file order."""
    from .reports import Report

    found = {}
    for name, value in vars(python_module).items():
        if inspect.isclass(value) and issubclass(value, BaseScript) and value not in (BaseScript, Script, Report) \
                and value.__module__ == python_module.__name__ and not name.startswith('_'):
            found[name] = value
    return found


def discover_modules():
    """Record the Python files found under SCRIPTS_ROOT and REPORTS_ROOT that are not yet modules, and reload
    those whose file changed since they were last read. Returns the modules."""
    from extras.models import ScriptModule

    known = {(m.file_root, m.file_path): m for m in ScriptModule.objects.all()}
    for root, base in (('scripts', settings.SCRIPTS_ROOT), ('reports', settings.REPORTS_ROOT)):
        if not base or not os.path.isdir(base):
            continue
        for directory, dirs, files in os.walk(base):
            dirs[:] = [d for d in dirs if not d.startswith(('.', '__'))]
            for filename in sorted(files):
                if not filename.endswith('.py') or filename.startswith(('_', '.')):
                    continue
                relative = os.path.relpath(os.path.join(directory, filename), base)
                module = known.get((root, relative))
                if module is None:
                    module = ScriptModule.objects.create(file_root=root, file_path=relative)
                    module.sync_classes()
                    known[(root, relative)] = module
                elif os.stat(module.full_path).st_mtime > module.last_updated.timestamp():
                    module.sync_classes()
                    module.save(update_fields=['last_updated'])
    return list(known.values())


def find_script(full_name, root=None):
    """The extras.Script named `module.Class` (the module's Python name), or None."""
    from extras.models import Script as ScriptModel

    module_name, _, class_name = full_name.rpartition('.')
    for script in ScriptModel.objects.select_related('module').filter(name=class_name):
        if script.module.python_name == module_name and (root is None or script.module.file_root == root):
            return script
    return None


# Running

def serializable_data(form):
    """The submitted values of a script form, as JSON (objects by ID), without the run options and files."""
    data = {}
    for name in form.script_class.variables():
        field = form.fields[name]
        if isinstance(field, forms.FileField):
            continue
        if hasattr(form.data, 'getlist') and isinstance(field, forms.MultipleChoiceField):
            data[name] = form.data.getlist(name)
        else:
            value = form.data.get(name)
            if isinstance(value, (decimal.Decimal, netaddr.IPAddress, netaddr.IPNetwork)):
                value = str(value)
            if value is not None:
                data[name] = value
    return data


def uploaded_files(form):
    """{variable: {'name', 'content_type', 'content'}} of the files submitted for FileVars."""
    out = {}
    for name, var in form.script_class.variables().items():
        upload = form.files.get(name) if form.files else None
        if isinstance(var, FileVar) and upload is not None:
            upload.seek(0)
            out[name] = {'name': upload.name, 'content_type': getattr(upload, 'content_type', '') or '',
                         'content': upload.read()}
    return out


def request_summary(request):
    """What a run keeps of the request that asked for it (the script sees it as `self.request`)."""
    if request is None:
        return None
    meta = {key: value for key, value in getattr(request, 'META', {}).items()
            if isinstance(value, str) and (key.startswith('HTTP_') or key in ('REMOTE_ADDR', 'SERVER_NAME'))}
    meta.pop('HTTP_AUTHORIZATION', None)
    meta.pop('HTTP_COOKIE', None)
    change = getattr(request, 'id', None)
    return {'META': meta, 'path': getattr(request, 'path', ''), 'id': str(change) if change else None}


class ScriptRequest:
    """A stand-in for the request that started a run (its headers, path and id) with the running user."""

    def __init__(self, summary, user):
        summary = summary or {}
        self.META = dict(summary.get('META') or {})
        self.path = summary.get('path') or ''
        self.id = summary.get('id')
        self.user = user
        self.GET, self.POST, self.FILES = {}, {}, {}


def enqueue_script(script, user, data, commit=True, schedule_at=None, interval=None, request=None, files=None):
    """Record a Job for a run of `script` and queue it (see Script.enqueue)."""
    from core.jobs import enqueue_job

    cls = script.python_class
    timeout = getattr(cls.Meta, 'job_timeout', None) if cls is not None else None
    kwargs = {'data': dict(data or {}), 'commit': bool(commit), 'request': request_summary(request),
              'files': files or {}}
    return enqueue_job('extras.scripts.run_script_job', name=script.full_name, instance=script, user=user,
                       data=None, kwargs=kwargs, schedule_at=schedule_at, interval=interval, timeout=timeout)


class _Rollback(Exception):
    """Raised inside a run's transaction to undo it (commit=False)."""


def run_script_job(job, data, commit=True, request=None, files=None):
    """The job function of a script run: the script loaded fresh from its file, its data validated as the running
    user sees objects, `run()` called in one transaction as that user, the log and output kept on the Job."""
    from core.jobs import JobFailed, log
    from extras.models import Script as ScriptModel
    from netbox.permissions import PermissionViolation, acting_as
    from netbox.request_context import ChangeContext, change_logging

    script_model = ScriptModel.objects.select_related('module').get(pk=job.object_id)
    script = None
    try:
        python_module = load_module(script_model.module, fresh=True)
        cls = getattr(python_module, script_model.name, None)
        if cls is None or not (isinstance(cls, type) and issubclass(cls, BaseScript)):
            raise JobFailed(f'{script_model.full_name} is no longer defined in {script_model.module.file_path}.')
        user = job.user
        uploads = {name: SimpleUploadedFile(item['name'], item['content'], item.get('content_type') or None)
                   for name, item in (files or {}).items()}
        form = cls.as_form(_form_data(cls, data), uploads, scheduling=False)
        restrict_choices(form, user)
        if not form.is_valid():
            problems = '; '.join(f'{name}: {" ".join(errors)}' for name, errors in form.errors.items())
            raise JobFailed(f'The data is not valid: {problems}')
        values = {name: form.cleaned_data.get(name) for name in cls.variables()}
        if isinstance(data, dict) and 'event' in data and 'event' not in values:
            values['event'] = data['event']  # a run by an event rule: the event that triggered it
        script = cls()
        script.user = user
        script.request = ScriptRequest(request, user)
        context = ChangeContext(user=user, request_id=(request or {}).get('id'))
        output = None
        with change_logging(context), acting_as(user):
            try:
                with transaction.atomic():
                    if cls.test_methods() and not _defines_run(cls):
                        script.run_tests()
                    else:
                        output = script.execute(values, commit)
                    if not commit:
                        raise _Rollback()
                    if script.failed:
                        raise _Rollback()
            except _Rollback:
                if not commit:
                    script._log('Database changes have been reverted automatically.', None, 'info')
                else:
                    script._log('Database changes have been reverted due to the failures logged.', None, 'info')
            except PermissionViolation as violation:
                script._log(f'{violation} Database changes have been reverted.', None, 'failure')
                raise JobFailed(str(violation))
            except JobFailed:
                raise
            except Exception as error:  # noqa: BLE001  (user code: recorded on the job, the run rolled back)
                script._log(f'An exception occurred: `{type(error).__name__}: {error}`\n```\n'
                            f'{traceback.format_exc()}```', None, 'failure')
                script._log('Database changes have been reverted due to error.', None, 'info')
                raise
        if output not in (None, ''):
            script.output = output if isinstance(output, str) else str(output)
        if script.failed:
            raise JobFailed(f'{cls.Meta.name} logged failures.')
    finally:
        if script is not None:
            job.data = {'log': script.messages, 'output': script.output, 'tests': script.tests}
            for entry in script.messages:
                log(job, entry['message'], entry['status'])
                job.log_entries[-1].update({key: entry[key] for key in ('time', 'status', 'object', 'url')})


def _defines_run(cls):
    return any('run' in vars(klass) for klass in cls.__mro__ if klass not in (BaseScript, Script))


def _form_data(cls, data):
    """Values given as JSON (the API, the CLI) as form data: lists stay lists, booleans as form checkboxes."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for name, value in (data or {}).items():
        if isinstance(value, (list, tuple)):
            for item in value:
                query.appendlist(name, '' if item is None else str(item))
        elif isinstance(value, bool):
            if value:
                query[name] = 'on'
        elif isinstance(value, dict) and 'id' in value:
            query[name] = str(value['id'])
        elif value is not None:
            query[name] = str(value)
    query['_commit'] = 'on'
    return query


def restrict_choices(form, user):
    """Object variables offer only the objects the running user may view."""
    for field in form.fields.values():
        if hasattr(field, 'queryset') and hasattr(field.queryset, 'restrict') and user is not None:
            field.queryset = field.queryset.restrict(user, 'view')
