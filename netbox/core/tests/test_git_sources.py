"""Git data sources: a repository the test creates (git init, commits) synced through a file:// URL with the
system git binary: its files read as a local source's (ignore rules kept, .git skipped), a later commit brought in
by the next sync together with the configuration template following the file, branches chosen by parameter, and
bad URLs or unreachable repositories refused naming `source_url`."""
import subprocess

import pytest
from django.core.exceptions import ValidationError

from core.datasync import check_git_url, git_environment
from core.models import DataFile, DataSource, Job
from extras.models import ConfigTemplate

pytestmark = pytest.mark.django_db

GIT_ENV = {'GIT_AUTHOR_NAME': 'Test', 'GIT_AUTHOR_EMAIL': 't@example.com', 'GIT_COMMITTER_NAME': 'Test',
           'GIT_COMMITTER_EMAIL': 't@example.com', 'GIT_CONFIG_GLOBAL': '/dev/null', 'GIT_CONFIG_NOSYSTEM': '1',
           'PATH': '/usr/bin:/bin:/usr/local/bin', 'HOME': '/tmp'}


def git(repo, *args):
    subprocess.run(['git', *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True)


def commit(repo, files, message='change'):
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', message)


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / 'configs'
    path.mkdir()
    git(path, 'init', '-q', '-b', 'main')
    commit(path, {'templates/leaf.j2': 'hostname {{ name }}', 'README.md': 'configs', 'notes.bak': 'skip'})
    return path


def source_for(repo, **attrs):
    return DataSource.objects.create(name='git', type='git', source_url=f'file://{repo}', **attrs)


def test_sync_clones_and_reads_files_like_a_local_source(repo):
    source = source_for(repo, ignore_rules='*.bak')
    source.sync()
    source.refresh_from_db()
    assert source.status == 'completed' and source.last_synced is not None
    assert set(DataFile.objects.values_list('path', flat=True)) == {'templates/leaf.j2', 'README.md'}
    assert DataFile.objects.get(path='templates/leaf.j2').data_as_string == 'hostname {{ name }}'


def test_a_new_commit_reaches_the_files_and_the_following_template(api, repo, background):
    source = source_for(repo)
    response = background(lambda: api.post(f'/api/core/data-sources/{source.pk}/sync/'))
    assert response.status_code == 200 and response.json()['status']['value'] == 'queued'
    data_file = DataFile.objects.get(source=source, path='templates/leaf.j2')
    template = ConfigTemplate.objects.create(name='leaf', template_code='', data_source=source, data_file=data_file,
                                             auto_sync_enabled=True)
    template.sync_data()
    template.save()
    assert template.template_code == 'hostname {{ name }}'

    commit(repo, {'templates/leaf.j2': 'hostname {{ name }}\nntp server 10.0.0.1', 'new.txt': 'added'})
    (repo / 'README.md').unlink()
    git(repo, 'commit', '-q', '-am', 'drop readme')
    background(lambda: api.post(f'/api/core/data-sources/{source.pk}/sync/'))
    assert set(DataFile.objects.filter(source=source).values_list('path', flat=True)) == {
        'templates/leaf.j2', 'new.txt', 'notes.bak'}
    template.refresh_from_db()
    assert template.template_code == 'hostname {{ name }}\nntp server 10.0.0.1'
    assert Job.objects.filter(object_id=source.pk, status='completed').count() == 2
    rendered = api.post(f'/api/extras/config-templates/{template.pk}/render/', {'name': 'leaf1'}, format='json')
    assert 'hostname leaf1' in rendered.content.decode()


def test_branch_parameter_chooses_the_branch(repo):
    git(repo, 'checkout', '-q', '-b', 'staging')
    commit(repo, {'templates/leaf.j2': 'staging version'})
    git(repo, 'checkout', '-q', 'main')
    source = source_for(repo, parameters={'branch': 'staging'})
    source.sync()
    assert DataFile.objects.get(path='templates/leaf.j2').data_as_string == 'staging version'
    default = DataSource.objects.create(name='main', type='git', source_url=f'file://{repo}')
    default.sync()
    assert default.datafiles.get(path='templates/leaf.j2').data_as_string == 'hostname {{ name }}'


@pytest.mark.parametrize('url', ['ext::sh -c touch% /tmp/pwned', 'ssh://host/repo.git', '/srv/repo',
                                 '--upload-pack=touch /tmp/x', 'https://user:pw@example.com/r.git', 'https:///r'])
def test_other_urls_are_refused_naming_source_url(url):
    with pytest.raises(ValidationError) as error:
        check_git_url(url)
    assert 'source_url' in error.value.message_dict


def test_unreachable_repository_fails_the_job(api, tmp_path, background):
    source = DataSource.objects.create(name='gone', type='git', source_url=f'file://{tmp_path}/missing')
    response = background(lambda: api.post(f'/api/core/data-sources/{source.pk}/sync/'))
    assert response.status_code == 200
    source.refresh_from_db()
    job = Job.objects.get(object_id=source.pk)
    assert source.status == 'failed' and job.status == 'failed'
    assert 'Cannot clone' in job.error and 'source_url' in job.error


def test_bad_branch_name_is_refused_naming_parameters(repo):
    source = source_for(repo, parameters={'branch': '--upload-pack=evil'})
    with pytest.raises(ValidationError) as error:
        source.sync()
    assert 'parameters' in error.value.message_dict


def test_http_credentials_travel_in_the_environment_not_the_command_line():
    env = git_environment('https://git.example.com/r.git', 'bob', 's3cret')
    assert env['GIT_CONFIG_KEY_0'] == 'http.extraHeader'
    assert env['GIT_CONFIG_VALUE_0'] == 'Authorization: Basic Ym9iOnMzY3JldA=='
    assert env['GIT_TERMINAL_PROMPT'] == '0'
    assert 'GIT_CONFIG_KEY_0' not in git_environment('file:///srv/r', 'bob', 's3cret')
