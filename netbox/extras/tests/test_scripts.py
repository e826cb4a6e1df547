"""Custom scripts and legacy reports: variables, commit and rollback, the run permission, writes held to the
running user's permissions, the seeds' report example, the CLI, module upload, ObjectVar query_params and a run by
a real RQ worker process."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from core.models import Job
from dcim.models import ConsolePort, Device, PowerPort, Site
from extras.models import Script, ScriptModule
from netbox.testing import client_for, grant, make, run_worker_process
from tenancy.models import Tenant, TenantGroup

FIXTURES = Path(__file__).parent / 'script_fixtures'
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def roots(settings, tmp_path):
    """SCRIPTS_ROOT and REPORTS_ROOT holding copies of the fixture modules."""
    from extras import scripts

    shutil.copytree(FIXTURES / 'scripts', tmp_path / 'scripts')
    shutil.copytree(FIXTURES / 'reports', tmp_path / 'reports')
    settings.SCRIPTS_ROOT, settings.REPORTS_ROOT = str(tmp_path / 'scripts'), str(tmp_path / 'reports')
    scripts._loaded.clear()
    return tmp_path


def run_worker(roots, settings):
    """`manage.py rqworker <this run's default queue> --burst` as a separate process on the test database."""
    return run_worker_process(SCRIPTS_ROOT=str(roots / 'scripts'), REPORTS_ROOT=str(roots / 'reports'))


def script(name):
    from extras.scripts import discover_modules, find_script

    discover_modules()
    return find_script(name)


def run_url(obj):
    return f'/api/extras/scripts/{obj.pk}/'


EVERY = {'tenant_name': 'acme-corp', 'count': 3, 'notes': 'multi\nline', 'ratio': '0.25', 'flag': True,
         'colour': 'g', 'shades': ['l', 'd'], 'address': '192.0.2.1', 'interface': '192.0.2.1/24',
         'network': '192.0.2.0/24'}


@pytest.mark.django_db
def test_every_variable_with_commit_false_then_true(roots, api, background):
    group = TenantGroup.objects.create(name='Customers', slug='customers')
    site = make(Site, name='Alpha')
    target = script('sites.EveryVariable')
    listed = api.get('/api/extras/scripts/?name=EveryVariable').data['results'][0]
    assert listed['module'] == target.module_id and listed['is_executable'] is True
    assert listed['description'] == 'Creates a tenant from every kind of input'
    assert listed['vars']['network'] == 'IPNetworkVar' and listed['vars']['sites'] == 'MultiObjectVar'
    assert list(listed['vars'])[:2] == ['tenant_name', 'count']  # Meta.field_order
    data = {**EVERY, 'group': group.pk, 'sites': [site.pk]}

    response = background(lambda: api.post(run_url(target), {'data': data, 'commit': False}, format='json'))
    assert response.status_code == 200, response.content
    job = Job.objects.get(pk=response.data['result']['id'])
    assert job.status == 'completed', job.error
    assert not Tenant.objects.filter(name='acme-corp').exists()  # rolled back
    messages = [(entry['status'], entry['message']) for entry in job.data['log']]
    assert ('success', 'Created tenant acme-corp') in messages
    assert ('info', 'count=3 ratio=0.25 flag=True colour=g shades=l,d sites=Alpha') in messages
    assert ('debug', 'address=192.0.2.1 interface=192.0.2.1/24 network=192.0.2.0/24') in messages
    assert messages[-1] == ('info', 'Database changes have been reverted automatically.')
    assert job.data['output'] == 'tenant acme-corp made'
    first = job.log_entries[0]
    assert first['status'] == 'success' and first['object'] == 'acme-corp' and first['url'].startswith('/tenancy/')
    assert {'time', 'message', 'level', 'timestamp'} <= set(first)

    response = background(lambda: api.post(run_url(target), {'data': data, 'commit': True}, format='json'))
    job = Job.objects.get(pk=response.data['result']['id'])
    assert job.status == 'completed', job.error
    tenant = Tenant.objects.get(name='acme-corp')
    assert tenant.group == group
    assert api.get(run_url(target)).data['result']['id'] == job.pk


@pytest.mark.django_db
def test_bad_variables_are_a_400_naming_the_field(roots, api):
    target = script('sites.EveryVariable')
    response = api.post(run_url(target), {'data': {**EVERY, 'tenant_name': 'UPPER', 'count': 11},
                                          'commit': True}, format='json')
    assert response.status_code == 400
    assert set(response.data['data']) == {'tenant_name', 'count'}
    assert api.post(run_url(target), {'data': EVERY}, format='json').status_code == 400  # commit is required
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_file_variable_from_the_ui_form(roots, client, superuser, background):
    target = script('sites.EveryVariable')
    client.force_login(superuser)
    form = {key: value for key, value in EVERY.items() if key not in ('shades', 'flag')}
    form.update({'shades': ['l'], 'flag': 'on', 'upload': SimpleUploadedFile('n.txt', b'hello file')})
    response = background(lambda: client.post(f'/extras/scripts/{target.pk}/', form))
    assert response.status_code == 302
    job = Job.objects.get()
    assert response['Location'] == f'/extras/scripts/results/{job.pk}/'
    assert job.status == 'completed', job.error
    assert ('info', 'file n.txt: hello file') in [(e['status'], e['message']) for e in job.data['log']]
    page = client.get(response['Location']).content.decode()
    assert 'Created tenant acme-corp' in page and 'data-finished="true"' in page
    assert not Tenant.objects.exists()  # commit_default is False: the box was left unchecked


@pytest.mark.django_db
def test_run_needs_the_run_permission(roots, client, plain_user):
    target = script('sites.SiteTenant')
    grant(plain_user, Script, ['view'])
    api = client_for(plain_user)
    assert api.get(run_url(target)).status_code == 200
    response = api.post(run_url(target), {'data': {}, 'commit': True}, format='json')
    assert response.status_code == 403
    client.force_login(plain_user)
    assert client.get(f'/extras/scripts/{target.pk}/').status_code == 200
    assert client.post(f'/extras/scripts/{target.pk}/', {}).status_code == 403
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_script_cannot_write_outside_its_users_permissions(roots, plain_user, background):
    make(Site, name='a-site')
    make(Site, name='b-site')
    target = script('sites.RenameSites')
    grant(plain_user, Script, ['view', 'run'])
    grant(plain_user, Site, ['view'])
    grant(plain_user, Site, ['change'], constraints={'name__startswith': 'a-'})
    api = client_for(plain_user)
    response = background(lambda: api.post(run_url(target), {'data': {'suffix': '-x'}, 'commit': True},
                                           format='json'))
    assert response.status_code == 200, response.content
    job = Job.objects.get()
    assert job.status == 'failed'
    assert sorted(Site.objects.values_list('name', flat=True)) == ['a-site', 'b-site']  # nothing saved
    failure = [entry['message'] for entry in job.data['log'] if entry['status'] == 'failure']
    assert failure and 'alice may not change site' in failure[0] and 'reverted' in failure[0]


@pytest.mark.django_db
def test_a_script_logging_a_failure_fails_and_rolls_back(roots, api, background):
    target = script('sites.Failing')
    background(lambda: api.post(run_url(target), {'data': {}, 'commit': True}, format='json'))
    job = Job.objects.get()
    assert job.status == 'failed' and not Tenant.objects.exists()


@pytest.mark.django_db
def test_object_var_query_params(roots, api, background):
    customers, others = (TenantGroup.objects.create(name=n, slug=n) for n in ('customers', 'others'))
    inside = Tenant.objects.create(name='Inside', slug='inside', group=customers)
    outside = Tenant.objects.create(name='Outside', slug='outside', group=others)
    target = script('sites.SiteTenant')
    response = api.post(run_url(target), {'data': {'tenant': outside.pk, 'group': customers.pk}, 'commit': True},
                        format='json')
    assert response.status_code == 400 and 'tenant' in response.data['data']
    response = background(lambda: api.post(run_url(target), {'data': {'tenant': inside.pk, 'group': customers.pk},
                                                            'commit': True}, format='json'))
    assert response.status_code == 200
    assert Job.objects.get().data['log'][0]['message'] == 'Inside of customers'
    # The form's type-ahead asks the API with the same filter, the other variable's value filled in by the page.
    form = target.python_class.as_form()
    assert json.loads(form.fields['tenant'].widget.attrs['data-query']) == {'group_id': '$group'}
    response = api.post(run_url(target), {'data': {'tenant': inside.pk, 'group': customers.pk}, 'commit': True,
                                           'schedule_at': '2999-01-01T00:00:00Z'}, format='json')
    assert response.status_code == 400 and 'schedule_at' in response.data  # scheduling_enabled = False


def device_with_ports(name, status='active'):
    device = make(Device, name=name, status=status)
    ConsolePort.objects.create(device=device, name='console0')
    PowerPort.objects.create(device=device, name='psu0')
    return device


@pytest.mark.django_db
def test_the_seeds_device_connections_report(roots, api, background):
    device_with_ports('edge1')
    device_with_ports('spare', status='offline')  # not active: not checked
    report = script('devices.DeviceConnectionsReport')
    assert report.module.file_root == 'reports'
    assert report.description == 'Validate the minimum physical connections for each device'
    background(lambda: api.post(run_url(report), {'data': {}, 'commit': False}, format='json'))
    job = Job.objects.get()
    assert job.status == 'failed'
    log = [(entry['status'], entry['object'], entry['message']) for entry in job.data['log']]
    assert ('failure', 'edge1', 'No console connection defined for console0') in log
    assert ('failure', 'edge1', '0 connected power supplies found (2 needed)') in log
    assert job.data['tests']['test_console_connection']['failure'] == 1
    assert job.data['tests']['test_power_connections']['failure'] == 1


@pytest.mark.django_db
def test_runscript_and_runreport_commands(roots, superuser, capsys):
    make(Site, name='Alpha')
    call_command('runscript', 'sites.EveryVariable', '--data', json.dumps(EVERY), '--commit', '--user', 'root')
    out = capsys.readouterr().out
    assert 'Created tenant acme-corp' in out and 'completed' in out
    assert Tenant.objects.filter(name='acme-corp').exists()
    assert Job.objects.get().user == superuser

    with pytest.raises(SystemExit) as exit_status:
        call_command('runscript', 'sites.Failing', '--commit')
    assert exit_status.value.code == 1
    assert 'Something is wrong' in capsys.readouterr().out and not Tenant.objects.filter(name='doomed').exists()

    device_with_ports('edge1')
    with pytest.raises(SystemExit) as exit_status:
        call_command('runreport', 'devices')
    assert exit_status.value.code == 1
    assert 'No console connection defined for console0' in capsys.readouterr().out


@pytest.mark.django_db
def test_runscript_as_a_process(roots, superuser, django_db_blocker):
    """The command line itself, with its exit status (the script runs in that process, on this test's data)."""
    from django.db import connection

    env = {**os.environ, 'DB_NAME': connection.settings_dict['NAME'], 'SCRIPTS_ROOT': str(roots / 'scripts'),
           'REPORTS_ROOT': str(roots / 'reports'), 'DJANGO_SETTINGS_MODULE': 'netbox.settings_testing'}
    result = subprocess.run([sys.executable, str(REPO / 'manage.py'), 'runscript', 'sites.Nonexistent'], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and 'No script sites.Nonexistent' in result.stderr


@pytest.mark.django_db
def test_upload_a_module_through_the_api(roots, api, user_api):
    source = b'from extras.scripts import Script, StringVar\n\nclass Hello(Script):\n    who = StringVar()\n\n' \
             b'    def run(self, data, commit):\n        self.log_info("hi " + data["who"])\n'
    upload = SimpleUploadedFile('hello.py', source, content_type='text/x-python')
    assert user_api.post('/api/extras/scripts/upload/', {'file': upload}, format='multipart').status_code == 403
    upload.seek(0)
    response = api.post('/api/extras/scripts/upload/', {'file': upload}, format='multipart')
    assert response.status_code == 201, response.content
    assert response.data['file_path'] == 'hello.py' and response.data['scripts'][0]['display'] == 'Hello'
    assert (roots / 'scripts' / 'hello.py').read_bytes() == source
    module = ScriptModule.objects.get(pk=response.data['id'])
    assert Script.objects.get(module=module).vars == {'who': 'StringVar'}
    broken = SimpleUploadedFile('broken.py', b'def oops(:\n')
    response = api.post('/api/extras/scripts/upload/', {'file': broken}, format='multipart')
    assert response.status_code == 400 and 'file' in response.data
    assert not ScriptModule.objects.filter(file_path='broken.py').exists()
    # An edited module takes effect: its new class is found, the one removed is no longer executable.
    changed = SimpleUploadedFile('hello.py', source.replace(b'Hello', b'Greeting'))
    response = api.patch(f'/api/extras/scripts/upload/{module.pk}/', {'file': changed}, format='multipart')
    assert response.status_code == 200, response.content
    assert dict(Script.objects.filter(module=module).values_list('name', 'is_executable')) == {
        'Hello': False, 'Greeting': True}


@pytest.mark.django_db
def test_module_synced_from_a_data_source(roots, api, tmp_path):
    from core.models import DataSource

    folder = tmp_path / 'source'
    folder.mkdir()
    (folder / 'synced.py').write_text('from extras.scripts import Script\n\nclass Synced(Script):\n'
                                      '    def run(self, data, commit):\n        self.log_success("synced")\n')
    source = DataSource.objects.create(name='local', type='local', source_url=f'file://{folder}')
    source.sync()
    data_file = source.datafiles.get(path='synced.py')
    response = api.post('/api/extras/scripts/upload/', {'data_source': source.pk, 'data_file': data_file.pk},
                        format='json')
    assert response.status_code == 201, response.content
    assert response.data['data_path'] == 'synced.py' and response.data['scripts'][0]['display'] == 'Synced'
    assert (roots / 'scripts' / 'synced.py').exists()
    # With auto sync, a sync of the source writes the new content and records its classes.
    module = ScriptModule.objects.get(pk=response.data['id'])
    module.auto_sync_enabled = True
    module.save()
    (folder / 'synced.py').write_text('from extras.scripts import Script\n\nclass Renamed(Script):\n'
                                      '    def run(self, data, commit):\n        pass\n')
    source.sync()
    assert 'class Renamed' in (roots / 'scripts' / 'synced.py').read_text()
    assert dict(Script.objects.filter(module=module).values_list('name', 'is_executable')) == {
        'Synced': False, 'Renamed': True}


@pytest.mark.django_db(transaction=True)
def test_a_real_rq_worker_process_runs_a_script(roots, settings):
    """`manage.py rqworker --burst` as a separate process takes the queued run from Redis and runs it."""
    from core.jobs import clear_queue
    from users.models import User

    clear_queue('default')
    user = User.objects.create_superuser('worker-root', 'w@example.com', 'Root-pass-123')
    make(Site, name='Alpha')
    target = script('sites.RenameSites')
    response = client_for(user).post(run_url(target), {'data': {'suffix': '-w'}, 'commit': True}, format='json')
    assert response.status_code == 200
    job = Job.objects.get()
    assert job.status == 'pending'
    result = run_worker(roots, settings)
    job.refresh_from_db()
    assert job.status == 'completed', (job.error, result.stderr)
    assert Site.objects.get().name == 'Alpha-w'
    assert job.data['log'][0]['message'] == 'Renamed to Alpha-w'
    clear_queue('default')


@pytest.mark.django_db
def test_queue_mapping_sends_script_runs_to_their_queue(roots, api, settings, django_capture_on_commit_callbacks):
    from core.jobs import clear_queue, physical_queue_name, run_queued_jobs

    settings.RQ_QUEUE_MAPPINGS = {'script': 'low'}
    clear_queue('low')
    target = script('sites.Failing')
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(run_url(target), {'data': {}, 'commit': True}, format='json').status_code == 200
    job = Job.objects.get()
    assert job.queue_name == physical_queue_name('low')
    assert run_queued_jobs('low') == 1
    job.refresh_from_db()
    assert job.status == 'failed'
