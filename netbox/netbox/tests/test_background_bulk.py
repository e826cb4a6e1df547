"""
Bulk writes in the background (`?background=true`, NetBox 4.7): a 202 with the job, the write done by an RQ
worker as the requesting user, all or nothing, and the synchronous answer kept in the job's data.
"""
import pytest
from django.db import transaction

from core.models import Job
from dcim.models import Device, Interface
from netbox.testing import client_for, grant, make
from users.models import Token, User

pytestmark = pytest.mark.django_db

UNSTABLE = ('id', 'url', 'display_url', 'created', 'last_updated')


class Rollback(Exception):
    pass


def stable(rows):
    """The answer without what differs between two identical writes (keys, times)."""
    return [{key: value for key, value in row.items() if key not in UNSTABLE} for row in rows]


def interfaces(device, count):
    return [{'device': device.pk, 'name': f'xe-0/0/{index}', 'type': '10gbase-x-sfpp', 'mtu': 9000}
            for index in range(count)]


def job_of(response):
    assert response.status_code == 202, response.content
    body = response.json()
    assert response['Location'] == body['url'] and body['url'].endswith(f'/api/core/jobs/{body["id"]}/')
    assert body['status']['value'] == 'pending'
    return Job.objects.get(pk=body['id'])


def test_a_background_bulk_create_of_1000_interfaces_keeps_the_synchronous_answer(api, background):
    device = make(Device, name='core1')
    payload = interfaces(device, 1000)
    try:
        with transaction.atomic():
            synchronous = api.post('/api/dcim/interfaces/', payload, format='json')
            assert synchronous.status_code == 201
            raise Rollback
    except Rollback:
        pass
    assert not Interface.objects.exists()

    response = background(lambda: api.post('/api/dcim/interfaces/?background=true', payload, format='json'))
    job = job_of(response)
    job.refresh_from_db()
    assert job.status == 'completed' and job.user == api.user, job.error
    assert job.data['status_code'] == 201
    assert stable(job.data['data']) == stable(synchronous.json())
    assert Interface.objects.filter(device=device).count() == 1000
    assert job.log_entries[-1]['message'] == 'Created 1000 interfaces.'
    # The body went to the worker through Redis only; the job keeps the answer, never the request.
    assert set(job.data) == {'status_code', 'data'}


def test_a_bad_object_leaves_nothing_written_and_its_errors_in_the_job(api, background):
    device = make(Device, name='core1')
    payload = interfaces(device, 3)
    payload[1]['type'] = 'no-such-type'
    job = job_of(background(lambda: api.post('/api/dcim/interfaces/?background=true', payload, format='json')))
    job.refresh_from_db()
    assert job.status == 'failed'
    assert job.data['status_code'] == 400
    assert job.data['data']['detail'] == '1 of 3 objects could not be created.'
    assert [error['index'] for error in job.data['data']['errors']] == [1]
    assert 'type' in job.data['data']['errors'][0]['errors']
    assert 'Nothing was written' in job.error
    assert not Interface.objects.exists()


def test_a_constrained_users_background_write_is_refused_as_in_the_foreground(background):
    allowed, other = make(Device, name='allowed'), make(Device, name='other')
    user = User.objects.create_user('ops', password='Ops-pass-1234')
    grant(user, Interface, ['add', 'view'], constraints={'device__name': 'allowed'})
    grant(user, Device, ['view'])
    client = client_for(user)

    foreground = client.post('/api/dcim/interfaces/', interfaces(other, 2), format='json')
    assert foreground.status_code == 403
    job = job_of(background(lambda: client.post('/api/dcim/interfaces/?background=true', interfaces(other, 2),
                                                 format='json')))
    job.refresh_from_db()
    assert job.status == 'failed' and job.data == {'status_code': 403, 'data': foreground.json()}
    assert not Interface.objects.exists()

    job = job_of(background(lambda: client.post('/api/dcim/interfaces/?background=true', interfaces(allowed, 2),
                                                 format='json')))
    job.refresh_from_db()
    assert job.status == 'completed' and Interface.objects.filter(device=allowed).count() == 2


def test_a_user_without_the_model_permission_is_refused_before_anything_is_queued(background, plain_user):
    client = client_for(plain_user)
    device = make(Device, name='core1')
    response = client.post('/api/dcim/interfaces/?background=true', interfaces(device, 1), format='json')
    assert response.status_code == 403 and not Job.objects.exists()


def test_background_bulk_update_and_delete(api, background):
    device = make(Device, name='core1')
    created = Interface.objects.bulk_create(Interface(device=device, name=f'eth{i}', type='1000base-t')
                                            for i in range(5))
    changes = [{'id': interface.pk, 'description': 'uplink'} for interface in created]
    job = job_of(background(lambda: api.patch('/api/dcim/interfaces/?background=true', changes, format='json')))
    job.refresh_from_db()
    assert job.status == 'completed' and job.data['status_code'] == 200
    assert [row['description'] for row in job.data['data']] == ['uplink'] * 5
    assert set(Interface.objects.values_list('description', flat=True)) == {'uplink'}

    doomed = [{'id': interface.pk} for interface in created[:3]]
    job = job_of(background(lambda: api.delete('/api/dcim/interfaces/?background=true', doomed, format='json')))
    job.refresh_from_db()
    assert job.status == 'completed' and job.data == {'status_code': 204, 'data': None}
    assert Interface.objects.count() == 2


def test_single_object_writes_ignore_the_parameter(api):
    device = make(Device, name='core1')
    response = api.post('/api/dcim/interfaces/?background=true', interfaces(device, 1)[0], format='json')
    assert response.status_code == 201 and not Job.objects.exists()


def test_a_bulk_token_creation_cannot_run_in_the_background(api, superuser):
    response = api.post('/api/users/tokens/?background=true', [{'user': superuser.pk, 'description': 'ci'}],
                        format='json')
    assert response.status_code == 400 and 'background' in response.json()
    assert not Job.objects.exists() and Token.objects.filter(description='ci').count() == 0
