"""
The benchmark data set (scripts/bench/dataset.py), generated at a tiny scale: what it writes in bulk must be what our
own code would have stored, so the API serves the same data it would after API writes.
"""
import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / 'scripts' / 'bench'
SCALE = 0.004  # 4 devices: 192 interfaces, 96 cables


def load_bench_api():
    """scripts/bench/api.py (which loads dataset.py as `bench_dataset`)."""
    spec = importlib.util.spec_from_file_location('bench_api', BENCH / 'api.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def bench_api():
    return load_bench_api()


@pytest.fixture
def plan(db, bench_api):
    return bench_api.dataset.generate(SCALE, progress=False, log=lambda *args: None)


def test_generates_the_planned_rows(plan):
    from dcim.models import Cable, CablePath, CableTermination, Device, Interface, Rack, Site
    from extras.models import TaggedItem
    from ipam.models import VLAN, IPAddress, Prefix

    assert (plan.devices, plan.interfaces, plan.cables) == (4, 192, 96)
    assert Site.objects.count() == plan.sites == 1
    assert Rack.objects.count() == plan.racks == 1
    assert Device.objects.count() == plan.devices
    assert Interface.objects.count() == plan.interfaces
    assert Interface.objects.filter(cable__isnull=True).count() == 0
    assert Cable.objects.count() == plan.cables
    assert CableTermination.objects.count() == 2 * plan.cables
    assert CablePath.objects.count() == plan.interfaces
    assert Prefix.objects.count() == plan.prefixes
    assert IPAddress.objects.count() == plan.ip_addresses + plan.vm_ip_addresses
    from virtualization.models import VirtualMachine, VMInterface

    assert VirtualMachine.objects.count() == plan.vms == 4
    assert VMInterface.objects.count() == plan.vm_interfaces
    assert VirtualMachine.objects.filter(primary_ip4__isnull=False, disk=40960).count() == plan.vms
    assert VLAN.objects.count() == plan.vlans
    assert TaggedItem.objects.count() > plan.devices


def path_contents():
    """Each interface's cable, end, and its path as hops and flags (not the path's own ID)."""
    from dcim.models import Interface

    return {i.pk: (i.cable_id, i.cable_end, i._path.path, i._path.is_active, i._path.is_complete, i._path.is_split)
            for i in Interface.objects.select_related('_path')}


def test_cable_paths_are_those_a_fresh_trace_computes(plan):
    from dcim.cabling import rebuild_all
    from dcim.models import Cable

    generated = path_contents()
    assert rebuild_all() == plan.interfaces
    assert path_contents() == generated
    planned = Cable.objects.filter(status='planned').count()
    assert planned > 0
    assert sum(1 for *_, active, complete, split in generated.values() if not active) == 2 * planned


def test_api_link_peers_and_endpoints_follow_the_cables(api, plan):
    from dcim.models import Cable, CableTermination

    response = api.get('/api/dcim/interfaces/', {'limit': 1000})
    assert response.status_code == 200
    rows = response.json()['results']
    assert len(rows) == plan.interfaces
    status = dict(Cable.objects.values_list('pk', 'status'))
    ends = {(t.cable_id, t.cable_end): t.termination_id for t in CableTermination.objects.all()}
    for row in rows:
        far_end = 'B' if row['cable_end'] == 'A' else 'A'
        peer = ends[(row['cable']['id'], far_end)]
        assert ends[(row['cable']['id'], row['cable_end'])] == row['id']
        assert [p['id'] for p in row['link_peers']] == [peer]
        assert [p['id'] for p in row['connected_endpoints']] == [peer]
        assert row['link_peers_type'] == row['connected_endpoints_type'] == 'dcim.interface'
        assert row['connected_endpoints_reachable'] is (status[row['cable']['id']] == 'connected')
        assert row['_occupied'] is True
    detail = api.get(f'/api/dcim/interfaces/{rows[0]["id"]}/trace/')
    assert detail.status_code == 200
    assert detail.json()[0][2][0]['id'] == rows[0]['link_peers'][0]['id']


def test_api_prefix_hierarchy_matches_the_orm(api, plan):
    from ipam.models import Prefix

    rows = api.get('/api/ipam/prefixes/', {'limit': 1000}).json()['results']
    assert len(rows) == plan.prefixes
    depths = set()
    for row in rows:
        prefix = row['prefix']
        assert row['children'] == Prefix.objects.filter(vrf=None, prefix__net_contained=prefix).count()
        assert row['_depth'] == Prefix.objects.filter(vrf=None, prefix__net_contains=prefix).count()
        depths.add(row['_depth'])
    assert depths == {0, 1, 2}


def test_cached_columns_are_what_saving_computes(plan):
    from dcim.models import Location
    from ipam.models import Prefix, VLANGroup

    for obj in list(Prefix.objects.all()) + list(VLANGroup.objects.all()):
        stored = (obj._region_id, obj._site_group_id, obj._site_id, obj._location_id)
        obj.cache_scope()
        assert (obj._region_id, obj._site_group_id, obj._site_id, obj._location_id) == stored
    stored = list(Location.objects.values_list('pk', 'lft', 'rght', 'tree_id', 'level').order_by('pk'))
    Location.objects.rebuild()
    assert list(Location.objects.values_list('pk', 'lft', 'rght', 'tree_id', 'level').order_by('pk')) == stored


def test_rows_pass_model_validation(plan):
    """Every bulk-written object is valid as the model's own rules see it (rack positions, VLANs available on the
    device, primary IPs on the device's interfaces, addresses inside their prefixes...)."""
    from dcim.models import Cable, Device, Interface, Location, MACAddress, Rack, Site
    from ipam.models import VLAN, IPAddress, Prefix
    from virtualization.models import Cluster, VirtualDisk, VirtualMachine, VMInterface

    for model in (Site, Location, Rack, Device, Interface, MACAddress, Cable, Prefix, IPAddress, VLAN, Cluster,
                  VirtualMachine, VMInterface, VirtualDisk):
        for obj in model.objects.all()[:50]:  # a device's 48 interfaces cover every kind
            obj.full_clean()


def test_api_serves_counts_custom_fields_and_addresses(api, plan):
    from dcim.models import Interface

    devices = api.get('/api/dcim/devices/', {'limit': 50}).json()['results']
    assert len(devices) == plan.devices
    own_interfaces = {}
    for device in devices:
        assert device['interface_count'] == 48
        assert device['custom_fields']['support_tier']['value'] in ('gold', 'silver', 'bronze')
        assert len(device['tags']) == 2
        own_interfaces[device['id']] = set(Interface.objects.filter(device=device['id']).values_list('pk', flat=True))
    site = api.get('/api/dcim/sites/').json()['results'][0]
    assert (site['device_count'], site['rack_count'], site['vlan_count']) == (plan.devices, plan.racks, 0)
    addresses = api.get('/api/ipam/ip-addresses/', {'limit': 1000}).json()['results']
    assert len(addresses) == plan.ip_addresses + plan.vm_ip_addresses
    primaries = {device['primary_ip4']['id']: device['id'] for device in devices}
    for address in addresses:
        if address['id'] in primaries:
            assert address['assigned_object']['id'] in own_interfaces[primaries[address['id']]]
    assert sum(1 for a in addresses if a['assigned_object_type'] == 'dcim.interface') == plan.devices * 10
    vlans = api.get('/api/ipam/vlan-groups/').json()['results']
    assert [group['scope']['id'] for group in vlans] == [site['id']]


@pytest.mark.parametrize('path, params, floor', [
    ('/api/dcim/interfaces/', {'limit': 1000}, 'INTERFACES_FULL'),
    ('/api/dcim/interfaces/', {'limit': 1000, 'brief': 1}, 'INTERFACES_BRIEF'),
    ('/api/dcim/interfaces/', {'limit': 50, 'q': 'uplink to sw-00002'}, 'INTERFACES_SEARCH'),
    ('/api/ipam/prefixes/', {'limit': 1000}, 'PREFIXES'),
    ('/api/ipam/ip-addresses/', {'limit': 1000}, 'IP_ADDRESSES'),
    ('/api/virtualization/virtual-machines/', {'limit': 1000}, 'VIRTUAL_MACHINES'),
])
def test_bench_floors_build_the_same_json_as_the_api(api, plan, bench_api, path, params, floor):
    """The floors of scripts/bench/api.py (PostgreSQL building the page as JSON) must stay the API's answer: when
    the API's output changes, change the floor's SQL with it."""
    import json

    from dcim.models import Interface
    from ipam.models import IPAddress, Prefix
    from virtualization.models import VirtualMachine

    model = {'dcim/interfaces/': Interface, 'ipam/prefixes/': Prefix, 'ipam/ip-addresses/': IPAddress,
             'virtualization/virtual-machines/': VirtualMachine}[path[5:]]
    served = api.get(path, params).json()
    assert served['count'] > 0
    _, text = bench_api.run_floor(getattr(bench_api, floor),
                                  bench_api.floor_params(params['limit'], path[5:], model, params.get('q'),
                                                         brief='brief' in params))
    assert bench_api.json_differences(served, json.loads(text)) == []
