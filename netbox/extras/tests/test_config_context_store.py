"""
Pre-rendered configuration contexts (NetBox 4.7): each device's and VM's merged context is stored on it, marked
stale by whatever feeds it (the database's triggers on the objects' side, the context receivers on the other),
re-rendered by a worker, and never served stale: a stale object is merged on the fly.
"""
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.models import Job
from dcim.models import Device, Region, Site
from extras.configcontexts import RENDER_JOB_NAME, queue_render, render_stale
from extras.models import ConfigContext, Tag
from netbox.testing import make
from tenancy.models import Tenant, TenantGroup
from virtualization.models import Cluster, ClusterType, VirtualMachine

pytestmark = pytest.mark.django_db


def stored(obj):
    return type(obj).objects.values_list('config_context_data', flat=True).get(pk=obj.pk)


def token(obj):
    return type(obj).objects.values_list('config_context_token', flat=True).get(pk=obj.pk)


@pytest.fixture
def sites():
    return [make(Site, name=name, slug=name.lower()) for name in ('A', 'B', 'C')]


@pytest.fixture
def devices(sites):
    return [make(Device, name=f'dev-{site.name}', site=site) for site in sites]


def context(name, data, **criteria):
    obj = ConfigContext.objects.create(name=name, data=data)
    for field, objects in criteria.items():
        getattr(obj, field).set(objects)
    return obj


def test_a_render_stores_the_merge_and_a_list_then_merges_nothing(api, devices, sites):
    context('ntp', {'ntp': ['192.0.2.1']}, sites=[sites[0]])
    devices[1].local_context_data = {'role': 'edge'}
    devices[1].save()
    assert all(stored(device) is None for device in devices)
    assert render_stale() == {'dcim.device': 3, 'virtualization.virtualmachine': 0}
    assert [stored(device) for device in devices] == [{'ntp': ['192.0.2.1']}, {'role': 'edge'}, {}]
    with CaptureQueriesContext(connection) as queries:
        rows = api.get('/api/dcim/devices/', {'ordering': 'name'}).json()['results']
    assert [row['config_context'] for row in rows] == [{'ntp': ['192.0.2.1']}, {'role': 'edge'}, {}]
    assert not [query for query in queries if 'extras_configcontext' in query['sql']]


def test_the_objects_own_changes_make_it_stale_whatever_the_write_path(api, devices, sites):
    context('all', {'x': 1})
    render_stale()
    device = devices[0]
    before = token(device)
    Device.objects.filter(pk=device.pk).update(description='no effect on contexts')
    assert stored(device) == {'x': 1} and token(device) == before
    Device.objects.filter(pk=device.pk).update(site=sites[1])  # a queryset update: no signal, the trigger sees it
    assert stored(device) is None and token(device) != before
    render_stale()
    response = api.patch(f'/api/dcim/devices/{device.pk}/', {'local_context_data': {'y': 2}}, format='json')
    assert response.json()['config_context'] == {'x': 1, 'y': 2}
    render_stale()
    assert stored(device) == {'x': 1, 'y': 2}
    device.tags.add(make(Tag, name='edge', slug='edge'))
    assert stored(device) is None


def test_related_objects_and_trees_make_the_objects_behind_them_stale(devices, sites):
    vm_cluster = Cluster.objects.create(name='c1', type=ClusterType.objects.create(name='kvm', slug='kvm'))
    tenant = Tenant.objects.create(name='t1', slug='t1')
    vm = VirtualMachine.objects.create(name='vm1', cluster=vm_cluster, tenant=tenant)
    region = Region.objects.create(name='emea', slug='emea')
    render_stale()
    assert stored(vm) == {} and all(stored(device) == {} for device in devices)

    sites[0].region = region
    sites[0].save()
    assert stored(devices[0]) is None and stored(devices[1]) == {} and stored(vm) == {}
    vm_cluster.type = ClusterType.objects.create(name='esx', slug='esx')
    vm_cluster.save()
    assert stored(vm) is None
    render_stale()
    tenant.group = TenantGroup.objects.create(name='g', slug='g')
    tenant.save()
    assert stored(vm) is None and stored(devices[1]) == {}
    render_stale()
    Region.objects.create(name='europe', slug='europe')
    assert stored(devices[1]) == {}  # a new node moves nothing
    region.parent = Region.objects.get(slug='europe')
    region.save()
    assert all(stored(device) is None for device in devices) and stored(vm) is None


def test_a_context_edit_re_renders_exactly_the_devices_it_applies_to(api, background, devices, sites):
    ntp = context('ntp', {'ntp': ['192.0.2.1']}, sites=[sites[0]])
    render_stale()
    tokens = [token(device) for device in devices]

    response = background(lambda: api.patch(f'/api/extras/config-contexts/{ntp.pk}/',
                                            {'data': {'ntp': ['192.0.2.9']}}, format='json'))
    assert response.status_code == 200
    assert [token(device) != before for device, before in zip(devices, tokens, strict=True)] == [True, False, False]
    job = Job.objects.get(name=RENDER_JOB_NAME)
    assert job.status == 'completed' and job.data == {'dcim.device': 1, 'virtualization.virtualmachine': 0}
    assert [stored(device) for device in devices] == [{'ntp': ['192.0.2.9']}, {}, {}]

    tokens = [token(device) for device in devices]
    response = background(lambda: api.patch(f'/api/extras/config-contexts/{ntp.pk}/',
                                            {'sites': [sites[0].pk, sites[1].pk]}, format='json'))
    assert response.status_code == 200
    assert [token(device) != before for device, before in zip(devices, tokens, strict=True)] == [False, True, False]
    assert [stored(device) for device in devices] == [{'ntp': ['192.0.2.9']}, {'ntp': ['192.0.2.9']}, {}]

    tokens = [token(device) for device in devices]
    background(lambda: api.patch(f'/api/extras/config-contexts/{ntp.pk}/', {'sites': [sites[1].pk]},
                                 format='json'))
    assert [token(device) != before for device, before in zip(devices, tokens, strict=True)] == [True, False, False]
    assert [stored(device) for device in devices] == [{}, {'ntp': ['192.0.2.9']}, {}]

    background(lambda: api.delete(f'/api/extras/config-contexts/{ntp.pk}/'))
    assert [stored(device) for device in devices] == [{}, {}, {}]


def test_emptying_a_criterion_widens_the_context_to_every_object(devices, sites):
    ntp = context('ntp', {'ntp': True}, sites=[sites[0]])
    render_stale()
    ntp.sites.clear()
    assert all(stored(device) is None for device in devices)
    render_stale()
    assert all(stored(device) == {'ntp': True} for device in devices)


def test_a_stale_context_is_never_served(api, devices, sites):
    ntp = context('ntp', {'v': 1})
    render_stale()
    ntp.data = {'v': 2}
    ntp.save()  # not rendered again yet: the API merges on the fly
    assert api.get(f'/api/dcim/devices/{devices[0].pk}/').json()['config_context'] == {'v': 2}
    assert {row['config_context']['v'] for row in api.get('/api/dcim/devices/').json()['results']} == {2}


def test_a_save_of_an_object_read_before_it_went_stale_does_not_bring_its_old_context_back(devices):
    ntp = context('ntp', {'v': 1})
    render_stale()
    device = Device.objects.get(pk=devices[0].pk)  # read while its stored context is current
    assert device.config_context_data == {'v': 1}
    ntp.data = {'v': 2}
    ntp.save()
    device.description = 'edited in a form opened earlier'
    device.save()
    assert stored(device) is None
    render_stale()
    assert stored(device) == {'v': 2}


def test_a_render_never_overwrites_a_newer_change(devices, sites):
    context('site-a', {'at': 'A'}, sites=[sites[0]])
    device = devices[0]
    old_token = token(device)
    Device.objects.filter(pk=device.pk).update(site=sites[1])  # committed after the render read its token
    from extras.configcontexts import _store
    assert _store(Device, [(device.pk, old_token, {'at': 'A'})]) == 0
    assert stored(device) is None
    render_stale()
    assert stored(device) == {}


def test_a_render_is_queued_once_after_a_commit_and_housekeeping_renders_what_is_left(devices):
    with transaction.atomic():
        assert queue_render() is not None
        assert queue_render() is None  # one is waiting already
    assert Job.objects.filter(name=RENDER_JOB_NAME).count() == 1
    from django.core.management import call_command
    call_command('housekeeping', verbosity=0)
    assert all(stored(device) == {} for device in devices)
    assert queue_render() is None  # nothing stale
