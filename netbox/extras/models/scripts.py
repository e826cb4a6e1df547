"""Custom scripts (and legacy reports): the Python modules holding them and the script classes found in each."""
import logging

from django.db import models
from django.urls import reverse

from core.models import ManagedFile
from netbox.models import RestrictedQuerySet

logger = logging.getLogger('netbox.scripts')


class ScriptModule(ManagedFile):
    """A managed Python file holding custom scripts (under SCRIPTS_ROOT) or legacy reports (under REPORTS_ROOT);
    the classes it defines are kept as Script rows (`sync_classes`)."""

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        proxy = True
        ordering = ('file_root', 'file_path')
        verbose_name = 'script module'

    @property
    def python_name(self):
        """The module's name as `runscript` takes it: its path without `.py`, dots for directories."""
        return self.file_path[:-3].replace('/', '.') if self.file_path.endswith('.py') else self.file_path

    @property
    def label(self):
        """The module's `name` attribute when it sets one, else its Python name."""
        from extras.scripts import load_module

        try:
            return getattr(load_module(self), 'name', None) or self.python_name
        except Exception:  # noqa: BLE001  (a module that no longer loads is still listed by its name)
            return self.python_name

    def __str__(self):
        return self.python_name

    def sync_classes(self):
        """Record the module's script classes as Script rows: new ones added, those gone marked not executable.
        Returns the error text when the module fails to load (its scripts are then not executable)."""
        from extras.scripts import load_module, script_classes

        error = ''
        try:
            classes = script_classes(load_module(self, fresh=True))
        except Exception as exc:  # noqa: BLE001  (user code: any error is the module's, reported not raised)
            logger.warning('Script module %s does not load: %s', self.full_path, exc)
            classes, error = {}, f'{type(exc).__name__}: {exc}'
        existing = {script.name: script for script in Script.objects.filter(module=self)}
        for name in classes:
            script = existing.get(name)
            if script is None:
                Script.objects.create(module=self, name=name, is_executable=True)
            elif not script.is_executable:
                Script.objects.filter(pk=script.pk).update(is_executable=True)
        Script.objects.filter(module=self, is_executable=True).exclude(name__in=list(classes)).update(
            is_executable=False)
        return error

    sync_classes.alters_data = True


class Script(models.Model):
    """One script class of a module (a legacy report class too): what users run, with its last run's Job as its
    result. Its variables, description and options are read from the class in the module's current file."""

    module = models.ForeignKey(ScriptModule, on_delete=models.CASCADE, related_name='scripts')
    name = models.CharField(max_length=79, help_text='The Python class name')
    is_executable = models.BooleanField(default=True, editable=False,
                                        help_text='Whether the module still defines the class')

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('module', 'name')
        constraints = [models.UniqueConstraint(fields=('module', 'name'), name='extras_script_unique_module_name')]

    def __str__(self):
        return self.python_class.Meta.name if self.python_class is not None else self.name

    def get_absolute_url(self):
        return reverse('extras:script', args=[self.pk])

    @property
    def full_name(self):
        return f'{self.module.python_name}.{self.name}'

    @property
    def python_class(self):
        """The class as the module's file defines it now (None when it no longer does or does not load)."""
        from extras.scripts import load_module

        cached = self.__dict__.get('_python_class', False)
        if cached is not False:
            return cached
        try:
            cls = getattr(load_module(self.module), self.name, None)
        except Exception:  # noqa: BLE001  (user code: a module that fails to load has no classes)
            cls = None
        self.__dict__['_python_class'] = cls
        return cls

    @property
    def description(self):
        cls = self.python_class
        return cls.Meta.description if cls is not None else ''

    @property
    def vars(self):
        """{variable name: variable type} of the script's form."""
        cls = self.python_class
        return {name: type(var).__name__ for name, var in cls.variables().items()} if cls is not None else {}

    @property
    def result(self):
        """The last run's Job (set for a page at once by the declaration's prepare_rows)."""
        if '_result' not in self.__dict__:
            from core.models import Job

            self.__dict__['_result'] = Job.objects.filter(
                object_type__app_label='extras', object_type__model='script', object_id=self.pk).first()
        return self.__dict__['_result']

    def enqueue(self, user, data, commit=True, schedule_at=None, interval=None, request=None, files=None):
        """Have a worker run the script with `data` (variable values as submitted: IDs for objects) as `user`;
        `commit=False` rolls its changes back. Returns the core.Job."""
        from extras.scripts import enqueue_script

        return enqueue_script(self, user, data, commit=commit, schedule_at=schedule_at, interval=interval,
                              request=request, files=files)

    enqueue.alters_data = True
