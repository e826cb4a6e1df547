"""Django's system checks pass: the RQ worker and management commands refuse to start when they don't."""
from django.core.management import call_command


def test_system_checks_pass_at_deploy_level(capsys):
    # rqworker, migrate and runserver run these checks; any error stops them (as it did for ArrayField on Django 6.1).
    call_command('check', '--fail-level', 'ERROR')
    assert 'System check identified no issues' in capsys.readouterr().out
