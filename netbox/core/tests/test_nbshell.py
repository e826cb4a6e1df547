"""The nbshell command: its namespace, -c, piped input, lsmodels() and the banner."""
import io
import sys
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from core.management.commands import nbshell
from core.management.commands.nbshell import build_namespace

APP_LABELS = ('core', 'users', 'extras', 'tenancy', 'dcim', 'ipam', 'circuits', 'virtualization', 'vpn', 'wireless')


@pytest.fixture(scope='module')
def namespace():
    return build_namespace()


@pytest.mark.parametrize('name', [
    'Tenant', 'TenantGroup', 'User', 'Token', 'ObjectChange', 'ConfigRevision', 'Tag', 'CustomField',
])
def test_namespace_has_model(namespace, name):
    model = namespace[name]
    assert model.__name__ == name
    assert model in apps.get_models()


@pytest.mark.parametrize('label', APP_LABELS)
def test_namespace_has_app_namespace(namespace, label):
    app_namespace = namespace[label]
    assert isinstance(app_namespace, SimpleNamespace)
    for model in apps.get_app_config(label).get_models():
        assert getattr(app_namespace, model.__name__) is model


def test_every_model_of_our_apps_is_reachable(namespace):
    for label in APP_LABELS:
        for model in apps.get_app_config(label).get_models():
            assert getattr(namespace[label], model.__name__) is model
            assert model.__name__ in namespace


def test_app_namespace_and_bare_name_are_the_same_class(namespace):
    assert namespace['tenancy'].Tenant is namespace['Tenant']
    assert namespace['users'].Token is namespace['Token']


def test_namespace_has_settings_and_timezone(namespace):
    assert namespace['settings'] is settings
    assert namespace['timezone'] is timezone
    assert callable(namespace['lsmodels'])


def test_command_option_runs_code(capsys):
    call_command('nbshell', command='print(Tenant.__name__)')
    assert capsys.readouterr().out == 'Tenant\n'


def test_command_option_runs_several_statements(capsys):
    call_command('nbshell', command='x = tenancy.TenantGroup\nprint(x is TenantGroup, settings.VERSION)')
    assert capsys.readouterr().out == f'True {settings.VERSION}\n'


@pytest.mark.django_db
def test_command_option_can_query_the_database(capsys):
    from tenancy.models import Tenant

    Tenant.objects.create(name='Acme', slug='acme')
    call_command('nbshell', command='print(list(Tenant.objects.values_list("name", flat=True)))')
    assert capsys.readouterr().out == "['Acme']\n"


def test_command_option_errors_propagate():
    with pytest.raises(NameError):
        call_command('nbshell', command='print(NoSuchModel)')


def test_piped_input_is_run(monkeypatch, capsys):
    monkeypatch.setattr(sys, 'stdin', io.StringIO('print(Token.__name__)\nprint(ConfigRevision.__name__)\n'))
    call_command('nbshell')
    assert capsys.readouterr().out == 'Token\nConfigRevision\n'


def test_interactive_shell_gets_banner_and_namespace(monkeypatch):
    seen = {}

    class FakeStdin(io.StringIO):
        def isatty(self):
            return True

    def fake_interact(console, banner=None, exitmsg=None):
        seen['banner'] = banner
        seen['locals'] = console.locals

    monkeypatch.setattr(sys, 'stdin', FakeStdin())
    monkeypatch.setattr(nbshell, 'enable_line_editing', lambda namespace: None)
    monkeypatch.setattr(nbshell.code.InteractiveConsole, 'interact', fake_interact)
    call_command('nbshell')
    assert seen['locals']['Tenant'].__name__ == 'Tenant'
    assert 'lsmodels()' in seen['banner']


def test_banner_shows_versions():
    import platform

    import django

    text = nbshell.banner()
    assert f'Python {platform.python_version()}' in text
    assert f'Django {django.get_version()}' in text
    assert f'NetBox {settings.VERSION}' in text
    assert 'lsmodels()' in text


def test_lsmodels_lists_models_by_app(namespace, capsys):
    namespace['lsmodels']()
    out = capsys.readouterr().out
    lines = out.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.endswith('(tenancy):'))
    section = []
    for line in lines[heading + 1:]:
        if not line.startswith('  '):
            break
        section.append(line.strip())
    assert set(section) == {model.__name__ for model in apps.get_app_config('tenancy').get_models()}
    assert {'Tenant', 'TenantGroup', 'Contact', 'ContactAssignment'} <= set(section)
    for label in APP_LABELS:
        assert f'({label}):' in out


def test_lsmodels_through_the_command(capsys):
    call_command('nbshell', command='lsmodels()')
    out = capsys.readouterr().out
    assert 'Tenant' in out and 'ConfigRevision' in out and 'CustomField' in out


def test_clashing_model_names_keep_the_first_and_stay_reachable(monkeypatch, capsys):
    """When two apps share a class name, the bare name goes to the first app; the other stays under its app."""
    from core.models import Job
    from tenancy.models import Tenant

    clash = type('Tenant', (), {})
    real = nbshell.models_by_app()
    fake = {label: list(models) for label, models in real.items()}
    fake['core'] = [clash, Job]
    monkeypatch.setattr(nbshell, 'models_by_app', lambda: fake)
    namespace = build_namespace()
    assert namespace['Tenant'] is clash  # core comes first
    assert namespace['tenancy'].Tenant is Tenant
    namespace['lsmodels']()
    assert '[use tenancy.Tenant]' in capsys.readouterr().out
