"""Configuration contexts: the merge (weight, nested dictionaries, local data last), matching by criteria (tree
ancestors, tags, one of each kind named), profile schemas, the device/VM list at a fixed query count, rendering
configurations with context values, and contexts following a data file."""
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import DataSource
from dcim.models import Device, DeviceRole, DeviceType, Location, Platform, Region, Site
from extras.configcontexts import deep_merge
from extras.models import ConfigContext, ConfigContextProfile, ConfigTemplate, Tag
from netbox.testing import make
from tenancy.models import Tenant, TenantGroup
from virtualization.models import Cluster, ClusterType, VirtualMachine

pytestmark = pytest.mark.django_db

NTP_SCHEMA = {
    'type': 'object',
    'properties': {'ntp_servers': {'type': 'array', 'items': {'type': 'string', 'format': 'ipv4',
                                                              'pattern': r'^[0-9.]+$'}}},
    'required': ['ntp_servers'],
}


def context(name, data, weight=1000, **criteria):
    obj = ConfigContext.objects.create(name=name, data=data, weight=weight,
                                       is_active=criteria.pop('is_active', True))
    for field, objects in criteria.items():
        getattr(obj, field).set(objects)
    return obj


def rendered(api, obj):
    path = 'dcim/devices' if isinstance(obj, Device) else 'virtualization/virtual-machines'
    response = api.get(f'/api/{path}/{obj.pk}/')
    assert response.status_code == 200, response.content
    return response.json()['config_context']


def test_deep_merge_merges_dicts_and_replaces_everything_else():
    base = {'a': {'x': 1, 'y': [1, 2]}, 'b': 1}
    assert deep_merge(base, {'a': {'y': [3]}, 'c': None}) == {'a': {'x': 1, 'y': [3]}, 'b': 1, 'c': None}
    assert base == {'a': {'x': 1, 'y': [1, 2]}, 'b': 1}  # the inputs are left alone


def test_heavier_context_wins_nested_dicts_merge_and_local_data_is_last(api):
    device = make(Device, name='sw1')
    context('light', {'ntp': 'a', 'snmp': {'community': 'public', 'location': 'dc1'}}, weight=100)
    context('heavy', {'ntp': 'b', 'snmp': {'community': 'secret'}}, weight=200)
    assert rendered(api, device) == {'ntp': 'b', 'snmp': {'community': 'secret', 'location': 'dc1'}}
    device.local_context_data = {'snmp': {'location': 'rack 4'}, 'own': True}
    device.save()
    assert rendered(api, device) == {'ntp': 'b', 'snmp': {'community': 'secret', 'location': 'rack 4'},
                                     'own': True}


def test_same_weight_merges_by_name(api):
    device = make(Device)
    context('b-second', {'key': 'b'}, weight=10)
    context('a-first', {'key': 'a'}, weight=10)
    assert rendered(api, device) == {'key': 'b'}


def test_inactive_context_is_ignored(api):
    device = make(Device)
    context('on', {'on': 1})
    context('off', {'off': 1}, is_active=False)
    assert rendered(api, device) == {'on': 1}


def test_region_assignment_applies_to_sites_of_child_regions(api):
    parent = Region.objects.create(name='Europe', slug='europe')
    child = Region.objects.create(name='France', slug='france', parent=parent)
    grandchild = Region.objects.create(name='Paris', slug='paris', parent=child)
    other = Region.objects.create(name='Asia', slug='asia')
    device = make(Device, site=make(Site, region=grandchild))
    context('europe', {'continent': 'eu'}, regions=[parent])
    context('asia', {'continent': 'asia', 'asia': True}, weight=2000, regions=[other])
    context('either', {'either': True}, regions=[other, child])
    assert rendered(api, device) == {'continent': 'eu', 'either': True}


def test_tags_criteria_match_any_of_the_objects_tags(api):
    gold, silver = Tag.objects.create(name='gold', slug='gold'), Tag.objects.create(name='silver', slug='silver')
    tagged, plain = make(Device, name='tagged'), make(Device, name='plain')
    tagged.tags.add(silver)
    context('precious', {'precious': True}, tags=[gold, silver])
    assert rendered(api, tagged) == {'precious': True}
    assert rendered(api, plain) == {}


def test_every_kind_named_must_match(api):
    site, role = make(Site), make(DeviceRole)
    match = make(Device, name='m', site=site, role=role)
    wrong_role = make(Device, name='w', site=site)
    context('site-and-role', {'both': True}, sites=[site], roles=[role])
    assert rendered(api, match) == {'both': True}
    assert rendered(api, wrong_role) == {}


def test_tenant_group_ancestors_platform_and_device_type(api):
    top = TenantGroup.objects.create(name='customers', slug='customers')
    group = TenantGroup.objects.create(name='retail', slug='retail', parent=top)
    platform, device_type = make(Platform), make(DeviceType)
    device = make(Device, tenant=make(Tenant, group=group), platform=platform, device_type=device_type)
    context('customers', {'a': 1}, tenant_groups=[top], platforms=[platform], device_types=[device_type])
    assert rendered(api, device) == {'a': 1}


def test_location_assignment_applies_to_child_locations(api):
    site = make(Site)
    building = make(Location, site=site, name='building', slug='building')
    room = make(Location, site=site, parent=building, name='room', slug='room')
    inside, elsewhere = make(Device, name='in', site=site, location=room), make(Device, name='out', site=site)
    context('building', {'building': True}, locations=[building])
    assert rendered(api, inside) == {'building': True}
    assert rendered(api, elsewhere) == {}


@pytest.fixture
def vm():
    site = make(Site)
    kind = ClusterType.objects.create(name='vSphere', slug='vsphere')
    cluster = Cluster.objects.create(name='c1', type=kind)
    return VirtualMachine.objects.create(name='app1', cluster=cluster, site=site, role=make(DeviceRole),
                                         local_context_data={'dns': '10.0.0.53'})


def test_vm_matches_its_cluster_and_never_a_device_type(api, vm):
    context('cluster', {'cluster': 'c1'}, cluster_types=[vm.cluster.type], clusters=[vm.cluster])
    context('types', {'never': True}, device_types=[make(DeviceType)])
    context('locations', {'never': True}, locations=[make(Location)])
    context('role', {'role': True}, weight=1, roles=[vm.role])
    assert rendered(api, vm) == {'role': True, 'cluster': 'c1', 'dns': '10.0.0.53'}


# REST shape, filters, validation

def test_rest_writes_criteria_by_id_and_tags_by_slug(api):
    site = make(Site)
    Tag.objects.create(name='Core', slug='core')
    response = api.post('/api/extras/config-contexts/', {
        'name': 'c', 'weight': 10, 'data': {'x': 1}, 'sites': [site.pk], 'tags': ['core']}, format='json')
    assert response.status_code == 201, response.content
    body = response.json()
    assert body['tags'] == ['core'] and body['sites'][0]['id'] == site.pk and body['data'] == {'x': 1}
    assert body['is_active'] is True and body['profile'] is None
    listed = api.get('/api/extras/config-contexts/', {'tag': 'core', 'site_id': site.pk}).json()
    assert [row['name'] for row in listed['results']] == ['c']
    assert api.get('/api/extras/config-contexts/', {'site_id': site.pk + 1000}).json()['count'] == 0


def test_filters_by_criteria(api):
    region, role = Region.objects.create(name='r', slug='r'), make(DeviceRole)
    context('by-region', {'a': 1}, regions=[region])
    context('by-role', {'b': 1}, roles=[role])

    def names(**params):
        return [row['name'] for row in api.get('/api/extras/config-contexts/', params).json()['results']]

    assert names(region='r') == ['by-region']
    assert names(device_role_id=role.pk) == ['by-role']
    assert names(device_role=role.slug) == ['by-role']
    assert sorted(names()) == ['by-region', 'by-role']


def test_data_must_be_an_object(api):
    response = api.post('/api/extras/config-contexts/', {'name': 'c', 'data': [1, 2]}, format='json')
    assert response.status_code == 400 and 'data' in response.json()


def test_profile_schema_rejects_bad_data_naming_the_path(api):
    profile = ConfigContextProfile.objects.create(name='ntp', schema=NTP_SCHEMA)
    response = api.post('/api/extras/config-contexts/', {
        'name': 'c', 'profile': profile.pk, 'data': {'ntp_servers': ['not an address']}}, format='json')
    assert response.status_code == 400, response.content
    message = response.json()['data'][0]
    assert 'data.ntp_servers[0]' in message and 'not an address' in message
    missing = api.post('/api/extras/config-contexts/', {'name': 'c', 'profile': profile.pk, 'data': {'x': 1}},
                       format='json')
    assert missing.status_code == 400 and "'ntp_servers' is a required property" in missing.json()['data'][0]
    bad_format = api.post('/api/extras/config-contexts/', {
        'name': 'c', 'profile': profile.pk, 'data': {'ntp_servers': ['192.0.2.1', '999.0.2.1']}}, format='json')
    assert bad_format.status_code == 400 and 'ipv4' in bad_format.json()['data'][0]
    assert 'data.ntp_servers[1]' in bad_format.json()['data'][0]
    good = api.post('/api/extras/config-contexts/', {
        'name': 'c', 'profile': profile.pk, 'data': {'ntp_servers': ['192.0.2.1']}}, format='json')
    assert good.status_code == 201, good.content


def test_profile_schema_must_be_a_json_schema(api):
    response = api.post('/api/extras/config-context-profiles/', {'name': 'p', 'schema': {'type': 'no-such-type'}},
                        format='json')
    assert response.status_code == 400 and 'schema' in response.json()
    response = api.post('/api/extras/config-context-profiles/', {'name': 'p', 'schema': NTP_SCHEMA}, format='json')
    assert response.status_code == 201 and response.json()['schema'] == NTP_SCHEMA


def test_form_reports_schema_errors(admin_client):
    profile = ConfigContextProfile.objects.create(name='ntp', schema=NTP_SCHEMA)
    response = admin_client.post('/extras/config-contexts/add/', {
        'name': 'c', 'weight': 1000, 'profile': profile.pk, 'is_active': 'on',
        'data': json.dumps({'ntp_servers': [5]})})
    assert response.status_code == 200
    errors = response.context['form'].errors
    assert 'data.ntp_servers[0]' in errors['data'][0]
    assert not ConfigContext.objects.exists()


def test_form_saves_data_and_criteria(admin_client):
    site = make(Site)
    tag = Tag.objects.create(name='crit-tag', slug='crit-tag')
    response = admin_client.post('/extras/config-contexts/add/', {
        'name': 'c', 'weight': 5, 'is_active': 'on', 'sites': [site.pk], 'tags': [tag.pk],
        'data': '{"syslog": ["192.0.2.9"]}'})
    assert response.status_code == 302, response.context['form'].errors
    created = ConfigContext.objects.get(name='c')
    assert created.data == {'syslog': ['192.0.2.9']}
    assert list(created.sites.all()) == [site] and list(created.tags.all()) == [tag]
    page = admin_client.get(f'/extras/config-contexts/{created.pk}/').content.decode()
    assert 'syslog' in page and site.name in page and 'crit-tag' in page  # the tag criteria are shown too


# Lists: a fixed number of queries, and `exclude=config_context`

def _list_queries(api, **params):
    api.get('/api/dcim/devices/', {'limit': 1000, **params})
    with CaptureQueriesContext(connection) as captured:
        response = api.get('/api/dcim/devices/', {'limit': 1000, **params})
    assert response.status_code == 200
    queries = [q['sql'] for q in captured.captured_queries
               if 'core_configrevision' not in q['sql'] and 'UPDATE "users_token"' not in q['sql']]
    return response.json()['results'], queries


def _devices(count, site, tag, start):
    for n in range(count):
        device = make(Device, name=f'dev{start + n}', site=site, local_context_data={'n': start + n})
        device.tags.add(tag)


def test_device_list_config_context_in_a_fixed_number_of_queries(api):
    parent = Region.objects.create(name='Europe', slug='europe')
    site = make(Site, region=Region.objects.create(name='France', slug='france', parent=parent))
    tag = Tag.objects.create(name='edge', slug='edge')
    context('region', {'region': 'eu', 'shared': {'a': 1}}, regions=[parent])
    context('tagged', {'tagged': True, 'shared': {'b': 2}}, weight=2000, tags=[tag])
    _devices(5, site, tag, 0)
    rows, few = _list_queries(api)
    assert len(rows) == 5
    assert rows[0]['config_context'] == {'region': 'eu', 'shared': {'a': 1, 'b': 2}, 'tagged': True, 'n': 0}
    _devices(45, site, tag, 5)
    rows, many = _list_queries(api)
    assert len(rows) == 50
    assert all(row['config_context']['shared'] == {'a': 1, 'b': 2} for row in rows)
    assert len(many) == len(few), (few, many)


def test_exclude_config_context_leaves_out_the_field_and_its_queries(api):
    context('any', {'x': 1})
    make(Device, name='d1')
    rows, queries = _list_queries(api, exclude='config_context')
    assert rows and 'config_context' not in rows[0] and 'name' in rows[0]
    assert not any('extras_configcontext' in sql for sql in queries)
    rows, queries = _list_queries(api)
    assert rows[0]['config_context'] == {'x': 1}
    assert any('extras_configcontext' in sql for sql in queries)


def test_vm_list_config_context(api, vm):
    context('cluster', {'cluster': True}, clusters=[vm.cluster])
    rows = api.get('/api/virtualization/virtual-machines/').json()['results']
    assert rows[0]['config_context'] == {'cluster': True, 'dns': '10.0.0.53'}
    assert 'config_context' not in api.get('/api/virtualization/virtual-machines/',
                                           {'exclude': 'config_context'}).json()['results'][0]


# Rendering configurations with context values

def test_device_render_config_uses_context_values_as_text_and_json(api):
    device = make(Device, name='edge1')
    context('ntp', {'ntp_servers': ['192.0.2.1', '192.0.2.2']}, sites=[device.site])
    device.config_template = ConfigTemplate.objects.create(
        name='t', template_code='hostname {{ device.name }}\n{% for s in ntp_servers %}ntp server {{ s }}\n'
                                '{% endfor %}')
    device.save()
    url = f'/api/dcim/devices/{device.pk}/render-config/'
    as_json = api.post(url, {}, format='json')
    assert as_json.status_code == 200, as_json.content
    expected = 'hostname edge1\nntp server 192.0.2.1\nntp server 192.0.2.2\n'
    assert as_json.json()['content'] == expected
    as_text = api.post(url, {}, format='json', HTTP_ACCEPT='text/plain')
    assert as_text.status_code == 200 and as_text.content.decode() == expected


def test_vm_render_config_uses_context_values_as_text_and_json(api, vm):
    context('vm', {'syslog': '192.0.2.9'}, clusters=[vm.cluster])
    vm.config_template = ConfigTemplate.objects.create(
        name='vm', template_code='{{ virtualmachine.name }} syslog {{ syslog }} dns {{ dns }}')
    vm.save()
    url = f'/api/virtualization/virtual-machines/{vm.pk}/render-config/'
    assert api.post(url, {}, format='json').json()['content'] == 'app1 syslog 192.0.2.9 dns 10.0.0.53'
    as_text = api.post(url, {}, format='json', HTTP_ACCEPT='text/plain')
    assert as_text.content.decode() == 'app1 syslog 192.0.2.9 dns 10.0.0.53'


# UI tabs

def test_device_config_context_tab_shows_rendered_and_local_data(admin_client):
    device = make(Device, name='edge2', local_context_data={'local': 'yes'})
    source = context('site-wide', {'from_context': 'yes'}, sites=[device.site])
    page = admin_client.get(f'/dcim/devices/{device.pk}/config-context/')
    assert page.status_code == 200
    text = page.content.decode()
    assert '&quot;from_context&quot;: &quot;yes&quot;' in text and '&quot;local&quot;: &quot;yes&quot;' in text
    assert f'/extras/config-contexts/{source.pk}/' in text
    detail = admin_client.get(f'/dcim/devices/{device.pk}/').content.decode()
    assert f'/dcim/devices/{device.pk}/config-context/' in detail


def test_vm_has_config_context_and_render_config_tabs(admin_client, vm):
    context('vm', {'syslog': '192.0.2.9'}, clusters=[vm.cluster])
    vm.config_template = ConfigTemplate.objects.create(name='vm', template_code='syslog {{ syslog }}')
    vm.save()
    detail = admin_client.get(f'/virtualization/virtual-machines/{vm.pk}/').content.decode()
    assert f'/virtualization/virtual-machines/{vm.pk}/config-context/' in detail
    assert f'/virtualization/virtual-machines/{vm.pk}/render-config/' in detail
    tab = admin_client.get(f'/virtualization/virtual-machines/{vm.pk}/config-context/').content.decode()
    assert '&quot;syslog&quot;: &quot;192.0.2.9&quot;' in tab
    rendered_tab = admin_client.get(f'/virtualization/virtual-machines/{vm.pk}/render-config/')
    assert rendered_tab.status_code == 200 and 'syslog 192.0.2.9' in rendered_tab.content.decode()


# Following a data file

@pytest.fixture
def local_source(api, tmp_path, background):
    (tmp_path / 'ntp.json').write_text('{"ntp_servers": ["192.0.2.1"]}')
    (tmp_path / 'snmp.yaml').write_text('snmp:\n  community: public\n  contacts:\n    - noc\n')
    (tmp_path / 'schema.yaml').write_text('type: object\nrequired: [ntp_servers]\n')
    (tmp_path / 'list.yaml').write_text('- 1\n- 2\n')
    source = DataSource.objects.create(name='local', type='local', source_url=str(tmp_path))
    assert background(lambda: api.post(f'/api/core/data-sources/{source.pk}/sync/')).status_code == 200
    return source, tmp_path


def _following(source, path, **attrs):
    data_file = source.datafiles.get(path=path)
    return ConfigContext.objects.create(name=path, data={'inline': True}, data_source=source, data_file=data_file,
                                        **attrs)


@pytest.mark.parametrize('path, expected', [
    ('ntp.json', {'ntp_servers': ['192.0.2.1']}),
    ('snmp.yaml', {'snmp': {'community': 'public', 'contacts': ['noc']}}),
])
def test_context_follows_a_json_or_yaml_file(api, local_source, path, expected):
    source, _ = local_source
    obj = _following(source, path)
    response = api.post(f'/api/extras/config-contexts/{obj.pk}/sync/')
    assert response.status_code == 200, response.content
    body = response.json()
    assert body['data'] == expected and body['data_path'] == path and body['data_synced'] is not None
    device = make(Device)
    assert rendered(api, device) == expected


def test_synced_content_must_be_an_object_and_fit_the_profile(api, local_source):
    source, _ = local_source
    response = api.post(f'/api/extras/config-contexts/{_following(source, "list.yaml").pk}/sync/')
    assert response.status_code == 400 and 'data' in response.json()
    profile = ConfigContextProfile.objects.create(name='p', schema=NTP_SCHEMA)
    obj = _following(source, 'snmp.yaml', profile=None)
    obj.profile = profile
    ConfigContext.objects.filter(pk=obj.pk).update(profile=profile)
    response = api.post(f'/api/extras/config-contexts/{obj.pk}/sync/')
    assert response.status_code == 400 and 'ntp_servers' in response.json()['data'][0]
    obj.refresh_from_db()
    assert obj.data == {'inline': True}  # nothing was written


def test_profile_follows_a_yaml_schema_file(api, local_source):
    source, _ = local_source
    profile = ConfigContextProfile.objects.create(name='p', data_source=source,
                                                  data_file=source.datafiles.get(path='schema.yaml'))
    response = api.post(f'/api/extras/config-context-profiles/{profile.pk}/sync/')
    assert response.status_code == 200, response.content
    assert response.json()['schema'] == {'type': 'object', 'required': ['ntp_servers']}


def test_source_sync_updates_auto_synced_contexts_and_skips_unfit_files(api, local_source, background):
    source, directory = local_source
    response = api.post('/api/extras/config-contexts/', {
        'name': 'follower', 'data': {'inline': True}, 'data_source': source.pk, 'auto_sync_enabled': True},
        format='json')
    assert response.status_code == 201, response.content
    follower = ConfigContext.objects.get(name='follower')
    assert follower.auto_sync_enabled and 'auto_sync_enabled' not in response.json()
    follower.data_file = source.datafiles.get(path='ntp.json')
    follower.save()
    unfit = _following(source, 'list.yaml', auto_sync_enabled=True)
    (directory / 'ntp.json').write_text('{"ntp_servers": ["192.0.2.77"]}')
    assert background(lambda: api.post(f'/api/core/data-sources/{source.pk}/sync/')).status_code == 200
    follower.refresh_from_db()
    unfit.refresh_from_db()
    assert follower.data == {'ntp_servers': ['192.0.2.77']} and follower.data_synced is not None
    assert unfit.data == {'inline': True} and unfit.data_synced is None
