"""The prefix hierarchy (_depth, _children) across VRFs: create, move, delete, bulk API writes, rebuild."""
import pytest
from django.core.management import call_command

from ipam.hierarchy import rebuild
from ipam.models import VRF, Prefix

pytestmark = pytest.mark.django_db


def tree(vrf=None):
    return {str(p.prefix): (p._depth, p._children) for p in Prefix.objects.filter(vrf=vrf)}


def test_depth_and_children_on_create_in_any_order():
    Prefix.objects.create(prefix='10.1.1.0/24')
    Prefix.objects.create(prefix='10.0.0.0/8')
    Prefix.objects.create(prefix='10.1.0.0/16')
    Prefix.objects.create(prefix='10.2.0.0/16')
    assert tree() == {'10.0.0.0/8': (0, 3), '10.1.0.0/16': (1, 1), '10.1.1.0/24': (2, 0), '10.2.0.0/16': (1, 0)}


def test_the_instance_saved_carries_its_own_counts():
    Prefix.objects.create(prefix='10.0.0.0/8')
    child = Prefix.objects.create(prefix='10.1.0.0/16')
    assert (child._depth, child._children) == (1, 0)


def test_each_vrf_and_the_global_table_are_separate_spaces():
    red, blue = VRF.objects.create(name='red'), VRF.objects.create(name='blue')
    Prefix.objects.create(prefix='10.0.0.0/8')
    Prefix.objects.create(prefix='10.1.0.0/16', vrf=red)
    Prefix.objects.create(prefix='10.0.0.0/8', vrf=red)
    Prefix.objects.create(prefix='10.1.1.0/24', vrf=blue)
    assert tree() == {'10.0.0.0/8': (0, 0)}
    assert tree(red) == {'10.0.0.0/8': (0, 1), '10.1.0.0/16': (1, 0)}
    assert tree(blue) == {'10.1.1.0/24': (0, 0)}


def test_moving_a_prefix_between_vrfs_and_networks_updates_both_places():
    red = VRF.objects.create(name='red')
    Prefix.objects.create(prefix='10.0.0.0/8')
    Prefix.objects.create(prefix='172.16.0.0/12', vrf=red)
    moving = Prefix.objects.create(prefix='10.1.0.0/16')
    Prefix.objects.create(prefix='10.1.2.0/24')
    assert tree()['10.0.0.0/8'] == (0, 2)
    moving.vrf = red
    moving.prefix = '172.16.1.0/24'
    moving.save()
    assert tree() == {'10.0.0.0/8': (0, 1), '10.1.2.0/24': (1, 0)}
    assert tree(red) == {'172.16.0.0/12': (0, 1), '172.16.1.0/24': (1, 0)}
    assert (moving._depth, moving._children) == (1, 0)


def test_delete_and_queryset_delete_update_the_rest():
    top = Prefix.objects.create(prefix='10.0.0.0/8')
    middle = Prefix.objects.create(prefix='10.1.0.0/16')
    Prefix.objects.create(prefix='10.1.1.0/24')
    Prefix.objects.create(prefix='10.1.2.0/24')
    middle.delete()
    assert tree() == {'10.0.0.0/8': (0, 2), '10.1.1.0/24': (1, 0), '10.1.2.0/24': (1, 0)}
    Prefix.objects.filter(prefix__net_contained='10.1.0.0/16').delete()
    top.refresh_from_db()
    assert (top._depth, top._children) == (0, 0)


def test_ipv6_hierarchy():
    Prefix.objects.create(prefix='2001:db8::/32')
    Prefix.objects.create(prefix='2001:db8:1::/48')
    Prefix.objects.create(prefix='2001:db8:1:1::/64')
    Prefix.objects.create(prefix='10.0.0.0/8')
    assert tree() == {'2001:db8::/32': (0, 2), '2001:db8:1::/48': (1, 1), '2001:db8:1:1::/64': (2, 0),
                      '10.0.0.0/8': (0, 0)}


def test_bulk_api_create_update_delete(api):
    response = api.post('/api/ipam/prefixes/', [{'prefix': '10.0.0.0/8'}, {'prefix': '10.1.0.0/16'},
                                                 {'prefix': '10.1.1.0/24'}], format='json')
    assert response.status_code == 201, response.content
    assert [(row['prefix'], row['_depth'], row['children']) for row in response.json()] == [
        ('10.0.0.0/8', 0, 2), ('10.1.0.0/16', 1, 1), ('10.1.1.0/24', 2, 0)]
    listed = {row['prefix']: (row['_depth'], row['children'])
              for row in api.get('/api/ipam/prefixes/').json()['results']}
    assert listed == {'10.0.0.0/8': (0, 2), '10.1.0.0/16': (1, 1), '10.1.1.0/24': (2, 0)}
    ids = {p.prefix.prefixlen: p.pk for p in Prefix.objects.all()}
    red = VRF.objects.create(name='red')
    response = api.patch('/api/ipam/prefixes/', [{'id': ids[16], 'vrf': red.pk}], format='json')
    assert response.status_code == 200, response.content
    assert tree() == {'10.0.0.0/8': (0, 1), '10.1.1.0/24': (1, 0)}
    assert tree(red) == {'10.1.0.0/16': (0, 0)}
    response = api.delete('/api/ipam/prefixes/', [{'id': ids[8]}], format='json')
    assert response.status_code == 204
    assert tree() == {'10.1.1.0/24': (0, 0)}


def test_depth_and_children_filters(api):
    for prefix in ('10.0.0.0/8', '10.1.0.0/16', '10.1.1.0/24', '10.2.0.0/16'):
        Prefix.objects.create(prefix=prefix)
    rows = api.get('/api/ipam/prefixes/', {'depth': 1}).json()['results']
    assert sorted(row['prefix'] for row in rows) == ['10.1.0.0/16', '10.2.0.0/16']
    rows = api.get('/api/ipam/prefixes/', {'children__gte': 1}).json()['results']
    assert sorted(row['prefix'] for row in rows) == ['10.0.0.0/8', '10.1.0.0/16']


def test_rebuild_repairs_a_damaged_hierarchy(capsys):
    red = VRF.objects.create(name='red')
    for prefix in ('10.0.0.0/8', '10.1.0.0/16'):
        Prefix.objects.create(prefix=prefix)
        Prefix.objects.create(prefix=prefix, vrf=red)
    Prefix.objects.update(_depth=7, _children=9)
    assert rebuild() == 4
    assert tree() == tree(red) == {'10.0.0.0/8': (0, 1), '10.1.0.0/16': (1, 0)}
    Prefix.objects.update(_depth=3)
    call_command('rebuild_prefixes')
    out = capsys.readouterr().out
    assert 'Global table: 2 prefixes updated' in out and 'red: 2 prefixes updated' in out
    assert tree() == {'10.0.0.0/8': (0, 1), '10.1.0.0/16': (1, 0)}
