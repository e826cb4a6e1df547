"""Data sources: a local directory synced into data files (added, changed, removed, ignored), types that cannot
be synced refused with a 400, and the file and source lists in a constant number of queries. Syncs asked for through
the API run as background jobs, run here by a real RQ worker (the `background` fixture)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import DataFile, DataSource, Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def sync(api, background):
    """POST the sync, let the worker run it, and answer with the source as it is after the sync."""
    def run(api, source):
        response = background(lambda: api.post(f'/api/core/data-sources/{source.pk}/sync/'))
        if response.status_code != 200:
            return response
        return api.get(f'/api/core/data-sources/{source.pk}/')
    return run


def test_sync_reads_a_local_directory(api, tmp_path, sync):
    (tmp_path / 'a.txt').write_text('alpha')
    (tmp_path / 'sub').mkdir()
    (tmp_path / 'sub' / 'b.j2').write_text('beta')
    (tmp_path / 'skip.bak').write_text('ignored')
    (tmp_path / '.git').mkdir()
    (tmp_path / '.git' / 'HEAD').write_text('ref')
    response = api.post('/api/core/data-sources/', {'name': 'files', 'type': 'local', 'source_url': str(tmp_path),
                                                    'ignore_rules': '*.bak'}, format='json')
    assert response.status_code == 201, response.content
    source = DataSource.objects.get(pk=response.data['id'])
    response = sync(api, source)
    assert response.status_code == 200, response.content
    assert response.data['status']['value'] == 'completed' and response.data['file_count'] == 2
    assert response.data['last_synced'] is not None
    files = {f.path: f for f in DataFile.objects.filter(source=source)}
    assert set(files) == {'a.txt', 'sub/b.j2'}
    assert files['a.txt'].data_as_string == 'alpha' and files['a.txt'].size == 5
    listed = api.get('/api/core/data-files/', {'source_id': source.pk}).data['results']
    assert {row['path'] for row in listed} == {'a.txt', 'sub/b.j2'}


def test_resync_updates_changed_and_removes_missing_files(api, tmp_path, sync):
    (tmp_path / 'keep.txt').write_text('one')
    (tmp_path / 'gone.txt').write_text('two')
    source = DataSource.objects.create(name='files', type='local', source_url=f'file://{tmp_path}')
    sync(api, source)
    old_hash = DataFile.objects.get(path='keep.txt').hash
    (tmp_path / 'keep.txt').write_text('changed')
    (tmp_path / 'gone.txt').unlink()
    assert sync(api, source).status_code == 200
    assert list(DataFile.objects.values_list('path', flat=True)) == ['keep.txt']
    assert DataFile.objects.get(path='keep.txt').hash != old_hash


def test_unsupported_type_is_a_400(api):
    source = DataSource.objects.create(name='bucket', type='amazon-s3', source_url='https://example.com/bucket')
    response = api.post(f'/api/core/data-sources/{source.pk}/sync/')
    assert response.status_code == 400 and 'not supported' in str(response.data['type'])


def test_missing_directory_fails_the_job_and_marks_the_source_failed(api, tmp_path, sync):
    source = DataSource.objects.create(name='nowhere', type='local', source_url=str(tmp_path / 'missing'))
    response = sync(api, source)
    assert response.data['status']['value'] == 'failed'
    job = Job.objects.get(object_id=source.pk)
    assert job.status == 'failed' and 'source_url' in job.error and 'missing' in job.error


def test_data_files_are_read_only(api, tmp_path):
    (tmp_path / 'a.txt').write_text('alpha')
    source = DataSource.objects.create(name='files', type='local', source_url=str(tmp_path))
    source.sync()
    data_file = DataFile.objects.get()
    assert api.patch(f'/api/core/data-files/{data_file.pk}/', {'path': 'b'}, format='json').status_code == 405


@pytest.mark.parametrize('path', ['/api/core/data-files/', '/api/core/data-sources/'])
def test_list_query_count_is_constant(api, tmp_path, path):
    def add(count, start):
        for n in range(count):
            (tmp_path / f'f{start + n}.txt').write_text(str(n))
        source = DataSource.objects.create(name=f's{start}', type='local', source_url=str(tmp_path))
        source.sync()

    def queries():
        api.get(path, {'limit': 1000})
        with CaptureQueriesContext(connection) as context:
            assert api.get(path, {'limit': 1000}).status_code == 200
        return len([q for q in context.captured_queries if 'core_configrevision' not in q['sql']
                    and 'UPDATE "users_token"' not in q['sql']])

    add(5, 0)
    few = queries()
    add(100, 5)
    add(1, 200)
    assert queries() == few


def test_source_a_template_follows_cannot_be_deleted(api):
    from extras.models import ConfigTemplate

    source = DataSource.objects.create(name='used', type='local', source_url='/tmp')
    ConfigTemplate.objects.create(name='t', template_code='x', data_source=source)
    response = api.delete(f'/api/core/data-sources/{source.pk}/')
    assert response.status_code in (400, 409), response.content
    assert DataSource.objects.filter(pk=source.pk).exists()
