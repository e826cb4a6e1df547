#!/usr/bin/env python
"""
Measure the REST API on a benchmark data set against what PostgreSQL alone needs for the same answer.

    venv/bin/python scripts/bench/api.py --scale 1 [--runs 7] [--seconds 10] [--no-server] [--json FILE]
    venv/bin/python scripts/bench/api.py --compare 1,10 [--runs 7]

Uses the database built by dataset.py for that scale (building it first when missing). In-process calls go through
Django's test client with a superuser's API token; each list call is shown with its floor, measured in the same run:
PostgreSQL building the same page (same rows, same nested objects) as JSON text, fetched by psycopg. Then gunicorn,
started as scripts/serve starts it (same workers and options, a free port, this database), serves four concurrent
clients (throughput) and pages of 1,000 interfaces (peak memory of its workers). See scripts/bench/README.md.
"""
import argparse
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load_dataset_module():
    """scripts/bench/dataset.py, loaded by path (the scripts' folder is not put on sys.path, where its ipam.py
    would shadow the ipam app)."""
    module = sys.modules.get('bench_dataset')
    if module is None:
        spec = importlib.util.spec_from_file_location('bench_dataset', HERE / 'dataset.py')
        module = importlib.util.module_from_spec(spec)
        sys.modules['bench_dataset'] = module
        spec.loader.exec_module(module)
    return module


dataset = _load_dataset_module()
LIST_TARGET_RATIO = 3.0
GROWTH_TARGET = 1.5
# The calls whose time should not grow with the table (list pages and searches).
GROWTH_ROWS = ('interfaces', 'prefixes', 'ip_', 'virtual_machines', 'devices', 'interface_search')
BASE = 'http://testserver/'

# --- floors: the same pages built by PostgreSQL -------------------------------------------------------------------


def _choice(column, field):
    """A choice field as served: {value, label}, or null."""
    return (f"CASE WHEN {column} IS NULL THEN NULL ELSE json_build_object('value', {column}, 'label', "
            f"COALESCE(%(labels)s::jsonb -> '{field}' ->> {column}, {column})) END")


def _nested(alias, path, *fields, display='name'):
    """A nested (brief) related object, or null when the join found nothing. `fields` are column names, or
    (key, column) pairs."""
    pairs = ', '.join(f"'{f[0]}', {alias}.{f[1]}" if isinstance(f, tuple) else f"'{f}', {alias}.{f}" for f in fields)
    display = display.format(a=alias) if '{a}' in display else f'{alias}.{display}'
    return (f"CASE WHEN {alias}.id IS NULL THEN NULL ELSE json_build_object('id', {alias}.id, 'url', "
            f"%(api)s || '{path}/' || {alias}.id || '/', 'display', {display}, {pairs}) END")


_VLAN = ('vid', 'name', 'description')
_VLAN_DISPLAY = "{a}.name || ' (' || {a}.vid || ')'"


def _tags(alias, content_type):
    return f"""(SELECT COALESCE(json_agg(json_build_object(
        'id', t.id, 'url', %(api)s || 'extras/tags/' || t.id || '/', 'display_url', %(ui)s || 'extras/tags/' || t.id
        || '/', 'display', t.name, 'name', t.name, 'slug', t.slug, 'color', t.color) ORDER BY t.weight, t.name), '[]')
        FROM extras_taggeditem ti JOIN extras_tag t ON t.id = ti.tag_id
        WHERE ti.content_type_id = %({content_type})s AND ti.object_id = {alias}.id)"""


def _interface_brief(alias, device, cable):
    return f"""json_build_object('id', {alias}.id, 'url', %(api)s || 'dcim/interfaces/' || {alias}.id || '/',
        'display', {alias}.name, 'device', {_nested(device, 'dcim/devices', 'name', 'description')},
        'name', {alias}.name, 'description', {alias}.description,
        'cable', {_nested(cable, 'dcim/cables', 'label', 'description', display='label')},
        '_occupied', {alias}.cable_id IS NOT NULL OR {alias}.mark_connected)"""


def _page(select_from, where, order, rows_sql, count_from):
    """The paginated envelope: count, next, previous and the rows in order."""
    return f"""
WITH page AS ({select_from} WHERE {where} ORDER BY {order} LIMIT %(limit)s),
total AS (SELECT count(*) AS n FROM {count_from} WHERE {where})
SELECT json_build_object(
    'count', total.n, 'next', CASE WHEN total.n > %(limit)s THEN %(next)s END, 'previous', NULL,
    'results', COALESCE(({rows_sql}), '[]'))::text
FROM total
"""


_INTERFACE_ROWS_FULL = f"""
SELECT json_agg(row_to_json(o) ORDER BY p.ord_a, p.ord_b, p.ord_c) FROM page p
JOIN dcim_interface i ON i.id = p.id
JOIN dcim_device d ON d.id = i.device_id
LEFT JOIN dcim_virtualchassis vc ON vc.id = d.virtual_chassis_id
LEFT JOIN dcim_module m ON m.id = i.module_id
LEFT JOIN dcim_cable c ON c.id = i.cable_id
LEFT JOIN dcim_cablepath cp ON cp.id = i._path_id
LEFT JOIN users_owner ow ON ow.id = i.owner_id
LEFT JOIN dcim_interface par ON par.id = i.parent_id
LEFT JOIN dcim_device pard ON pard.id = par.device_id
LEFT JOIN dcim_cable parc ON parc.id = par.cable_id
LEFT JOIN dcim_interface br ON br.id = i.bridge_id
LEFT JOIN dcim_device brd ON brd.id = br.device_id
LEFT JOIN dcim_cable brc ON brc.id = br.cable_id
LEFT JOIN dcim_interface lag ON lag.id = i.lag_id
LEFT JOIN dcim_device lagd ON lagd.id = lag.device_id
LEFT JOIN dcim_cable lagc ON lagc.id = lag.cable_id
LEFT JOIN dcim_macaddress mac ON mac.id = i.primary_mac_address_id
LEFT JOIN ipam_vlan uv ON uv.id = i.untagged_vlan_id
LEFT JOIN ipam_vlan sv ON sv.id = i.qinq_svlan_id
LEFT JOIN ipam_vlantranslationpolicy vtp ON vtp.id = i.vlan_translation_policy_id
LEFT JOIN ipam_vrf vrf ON vrf.id = i.vrf_id
CROSS JOIN LATERAL (SELECT
    i.id, %(api)s || 'dcim/interfaces/' || i.id || '/' AS url, %(ui)s || 'dcim/interfaces/' || i.id || '/'
    AS display_url, i.name AS display, {_nested('d', 'dcim/devices', 'name', 'description')} AS device, i.name,
    i.label, i.description, {_nested('ow', 'users/owners', 'name', 'description')} AS owner,
    {_nested('m', 'dcim/modules', 'description', display='id')} AS module,
    {_nested('c', 'dcim/cables', 'label', 'description', display='label')} AS cable, i.cable_end, i.mark_connected,
    {_choice('i.type', 'type')} AS type, i.enabled,
    CASE WHEN par.id IS NULL THEN NULL ELSE {_interface_brief('par', 'pard', 'parc')} END AS parent,
    CASE WHEN br.id IS NULL THEN NULL ELSE {_interface_brief('br', 'brd', 'brc')} END AS bridge,
    CASE WHEN lag.id IS NULL THEN NULL ELSE {_interface_brief('lag', 'lagd', 'lagc')} END AS lag,
    i.mtu, {_nested('mac', 'dcim/mac-addresses', 'mac_address', 'description', display='mac_address')}
    AS primary_mac_address, i.speed, {_choice('i.duplex', 'duplex')} AS duplex, i.wwn, i.mgmt_only,
    {_choice('i.mode', 'mode')} AS mode, {_choice('i.rf_role', 'rf_role')} AS rf_role,
    {_choice('i.rf_channel', 'rf_channel')} AS rf_channel, i.rf_channel_frequency, i.rf_channel_width, i.tx_power,
    {_choice('i.poe_mode', 'poe_mode')} AS poe_mode, {_choice('i.poe_type', 'poe_type')} AS poe_type, i.channels,
    i.channel_id, {_nested('uv', 'ipam/vlans', *_VLAN, display=_VLAN_DISPLAY)} AS untagged_vlan,
    {_nested('sv', 'ipam/vlans', *_VLAN, display=_VLAN_DISPLAY)} AS qinq_svlan,
    {_nested('vtp', 'ipam/vlan-translation-policies', 'name', 'description')} AS vlan_translation_policy,
    {_nested('vrf', 'ipam/vrfs', 'name', 'rd', 'description')} AS vrf,
    (SELECT COALESCE(json_agg(json_build_object('id', x.id, 'url', %(api)s || 'dcim/virtual-device-contexts/' || x.id
        || '/', 'display', x.name, 'name', x.name, 'description', x.description) ORDER BY x.name), '[]')
     FROM dcim_interface_vdcs iv JOIN dcim_virtualdevicecontext x ON x.id = iv.virtualdevicecontext_id
     WHERE iv.interface_id = i.id) AS vdcs,
    (SELECT COALESCE(json_agg({_nested('v', 'ipam/vlans', *_VLAN, display=_VLAN_DISPLAY)} ORDER BY v.vid, v.id), '[]')
     FROM dcim_interface_tagged_vlans tv JOIN ipam_vlan v ON v.id = tv.vlan_id WHERE tv.interface_id = i.id)
    AS tagged_vlans,
    i.cable_id IS NOT NULL OR i.mark_connected AS _occupied,
    (SELECT json_agg({_interface_brief('x', 'xd', 'xc')} ORDER BY t.id)
     FROM dcim_cabletermination t JOIN dcim_interface x ON x.id = t.termination_id
     JOIN dcim_device xd ON xd.id = x.device_id LEFT JOIN dcim_cable xc ON xc.id = x.cable_id
     WHERE t.cable_id = i.cable_id AND t.cable_end <> i.cable_end AND t.termination_type_id = %(interface_ct)s)
    AS link_peers,
    (SELECT ct.app_label || '.' || ct.model FROM dcim_cabletermination t
     JOIN django_content_type ct ON ct.id = t.termination_type_id
     WHERE t.cable_id = i.cable_id AND t.cable_end <> i.cable_end LIMIT 1) AS link_peers_type,
    CASE WHEN cp.is_complete THEN (
        SELECT json_agg({_interface_brief('x', 'xd', 'xc')} ORDER BY e.n)
        FROM jsonb_array_elements_text(cp.path -> -1) WITH ORDINALITY e(ref, n)
        JOIN dcim_interface x ON x.id = split_part(e.ref, ':', 2)::bigint
        JOIN dcim_device xd ON xd.id = x.device_id LEFT JOIN dcim_cable xc ON xc.id = x.cable_id
        WHERE split_part(e.ref, ':', 1)::int = %(interface_ct)s) END AS connected_endpoints,
    CASE WHEN cp.is_complete THEN (SELECT ct.app_label || '.' || ct.model FROM django_content_type ct
        WHERE ct.id = split_part(cp.path -> -1 ->> 0, ':', 1)::int) END AS connected_endpoints_type,
    COALESCE(cp.is_complete AND cp.is_active, false) AS connected_endpoints_reachable,
    (SELECT COALESCE(json_agg({_interface_brief('x', 'xd', 'xc')} ORDER BY x.id), '[]')
     FROM dcim_interface x JOIN dcim_device xd ON xd.id = x.device_id LEFT JOIN dcim_cable xc ON xc.id = x.cable_id
     WHERE x.bridge_id = i.id) AS bridge_interfaces,
    mac.mac_address, NULL AS wireless_link, '[]'::json AS wireless_lans, NULL AS l2vpn_termination,
    (SELECT COALESCE(json_agg({_nested('x', 'dcim/mac-addresses', 'mac_address', 'description',
                                       display='mac_address')} ORDER BY x.mac_address, x.id), '[]')
     FROM dcim_macaddress x WHERE x.assigned_object_type_id = %(interface_ct)s AND x.assigned_object_id = i.id)
    AS mac_addresses, {_tags('i', 'interface_ct')} AS tags, i.custom_field_data AS custom_fields,
    i.created, i.last_updated,
    (SELECT count(*) FROM ipam_ipaddress a WHERE a.assigned_object_type_id = %(interface_ct)s
     AND a.assigned_object_id = i.id) AS count_ipaddresses,
    (SELECT count(*) FROM ipam_fhrpgroupassignment f WHERE f.interface_type_id = %(interface_ct)s
     AND f.interface_id = i.id) AS count_fhrp_groups
) o
"""

_INTERFACE_ROWS_BRIEF = f"""
SELECT json_agg({_interface_brief('i', 'd', 'c')} ORDER BY p.ord_a, p.ord_b, p.ord_c) FROM page p
JOIN dcim_interface i ON i.id = p.id
JOIN dcim_device d ON d.id = i.device_id
LEFT JOIN dcim_cable c ON c.id = i.cable_id
"""

_INTERFACE_PAGE = ('SELECT i.id, d.name AS ord_a, d.id AS ord_b, i.name AS ord_c FROM dcim_interface i '
                   'JOIN dcim_device d ON d.id = i.device_id')
_INTERFACE_ORDER = 'd.name, d.id, i.name'
_INTERFACE_COUNT = 'dcim_interface i'
_INTERFACE_SEARCH = '(i.name ILIKE %(q)s OR i.label ILIKE %(q)s OR i.description ILIKE %(q)s)'

INTERFACES_FULL = _page(_INTERFACE_PAGE, 'TRUE', _INTERFACE_ORDER, _INTERFACE_ROWS_FULL, _INTERFACE_COUNT)
INTERFACES_SEARCH = _page(_INTERFACE_PAGE, _INTERFACE_SEARCH, _INTERFACE_ORDER, _INTERFACE_ROWS_FULL, _INTERFACE_COUNT)
INTERFACES_BRIEF = _page(_INTERFACE_PAGE, 'TRUE', _INTERFACE_ORDER, _INTERFACE_ROWS_BRIEF, _INTERFACE_COUNT)

_TREE = ('name', 'slug', 'description', ('_depth', 'level'))  # nested tree objects show their depth
_SCOPE = f"""CASE
    WHEN p.scope_type_id = %(site_ct)s THEN {_nested('ss', 'dcim/sites', 'name', 'slug', 'description')}
    WHEN p.scope_type_id = %(location_ct)s THEN {_nested('sl', 'dcim/locations', *_TREE)}
    WHEN p.scope_type_id = %(region_ct)s THEN {_nested('sr', 'dcim/regions', *_TREE)}
    WHEN p.scope_type_id = %(sitegroup_ct)s THEN {_nested('sg', 'dcim/site-groups', *_TREE)}
    END"""

_PREFIX_ROWS = f"""
SELECT json_agg(row_to_json(o) ORDER BY pg.ord_a NULLS FIRST, pg.ord_b, pg.id) FROM page pg
JOIN ipam_prefix p ON p.id = pg.id
LEFT JOIN ipam_vrf vrf ON vrf.id = p.vrf_id
LEFT JOIN tenancy_tenant tn ON tn.id = p.tenant_id
LEFT JOIN ipam_vlan vl ON vl.id = p.vlan_id
LEFT JOIN ipam_role rl ON rl.id = p.role_id
LEFT JOIN users_owner ow ON ow.id = p.owner_id
LEFT JOIN django_content_type sct ON sct.id = p.scope_type_id
LEFT JOIN dcim_site ss ON p.scope_type_id = %(site_ct)s AND ss.id = p.scope_id
LEFT JOIN dcim_location sl ON p.scope_type_id = %(location_ct)s AND sl.id = p.scope_id
LEFT JOIN dcim_region sr ON p.scope_type_id = %(region_ct)s AND sr.id = p.scope_id
LEFT JOIN dcim_sitegroup sg ON p.scope_type_id = %(sitegroup_ct)s AND sg.id = p.scope_id
CROSS JOIN LATERAL (SELECT
    p.id, %(api)s || 'ipam/prefixes/' || p.id || '/' AS url, %(ui)s || 'ipam/prefixes/' || p.id || '/' AS display_url,
    p.prefix::text AS display, json_build_object('value', family(p.prefix), 'label', 'IPv' || family(p.prefix))
    AS family, p.prefix::text AS prefix, {_nested('vrf', 'ipam/vrfs', 'name', 'rd', 'description')} AS vrf,
    sct.app_label || '.' || sct.model AS scope_type, p.scope_id, {_SCOPE} AS scope,
    {_nested('tn', 'tenancy/tenants', 'name', 'slug', 'description')} AS tenant,
    {_nested('vl', 'ipam/vlans', *_VLAN, display=_VLAN_DISPLAY)} AS vlan, {_choice('p.status', 'status')} AS status,
    {_nested('rl', 'ipam/roles', 'name', 'slug', 'description')} AS role, p.is_pool, p.mark_utilized, p.description,
    {_nested('ow', 'users/owners', 'name', 'description')} AS owner, p.comments, {_tags('p', 'prefix_ct')} AS tags,
    p.custom_field_data AS custom_fields, p.created, p.last_updated, p._children AS children, p._depth
) o
"""

PREFIXES = _page('SELECT p.id, p.vrf_id AS ord_a, p.prefix AS ord_b FROM ipam_prefix p', 'TRUE',
                 'p.vrf_id NULLS FIRST, p.prefix, p.id', _PREFIX_ROWS, 'ipam_prefix p')

_IP_NESTED = """json_build_object('id', {a}.id, 'url', %(api)s || 'ipam/ip-addresses/' || {a}.id || '/',
    'display', {a}.address::text, 'family', json_build_object('value', family({a}.address), 'label', 'IPv'
    || family({a}.address)), 'address', {a}.address::text, 'description', {a}.description)"""

_VM_INTERFACE_BRIEF = f"""json_build_object('id', vx.id,
    'url', %(api)s || 'virtualization/interfaces/' || vx.id || '/', 'display', vx.name,
    'virtual_machine', {_nested('vxm', 'virtualization/virtual-machines', 'name', 'description')},
    'name', vx.name, 'description', vx.description)"""

_IP_ROWS = f"""
SELECT json_agg(row_to_json(o) ORDER BY pg.ord_a NULLS FIRST, pg.ord_b, pg.id) FROM page pg
JOIN ipam_ipaddress a ON a.id = pg.id
LEFT JOIN ipam_vrf vrf ON vrf.id = a.vrf_id
LEFT JOIN tenancy_tenant tn ON tn.id = a.tenant_id
LEFT JOIN users_owner ow ON ow.id = a.owner_id
LEFT JOIN django_content_type act ON act.id = a.assigned_object_type_id
LEFT JOIN dcim_interface x ON a.assigned_object_type_id = %(interface_ct)s AND x.id = a.assigned_object_id
LEFT JOIN dcim_device xd ON xd.id = x.device_id
LEFT JOIN dcim_cable xc ON xc.id = x.cable_id
LEFT JOIN virtualization_vminterface vx ON a.assigned_object_type_id = %(vminterface_ct)s
    AND vx.id = a.assigned_object_id
LEFT JOIN virtualization_virtualmachine vxm ON vxm.id = vx.virtual_machine_id
LEFT JOIN ipam_ipaddress nat ON nat.id = a.nat_inside_id
CROSS JOIN LATERAL (SELECT
    a.id, %(api)s || 'ipam/ip-addresses/' || a.id || '/' AS url, %(ui)s || 'ipam/ip-addresses/' || a.id || '/'
    AS display_url, a.address::text AS display, json_build_object('value', family(a.address), 'label', 'IPv' ||
    family(a.address)) AS family, a.address::text AS address,
    {_nested('vrf', 'ipam/vrfs', 'name', 'rd', 'description')} AS vrf,
    {_nested('tn', 'tenancy/tenants', 'name', 'slug', 'description')} AS tenant,
    {_choice('a.status', 'status')} AS status, {_choice('a.role', 'role')} AS role,
    act.app_label || '.' || act.model AS assigned_object_type, a.assigned_object_id,
    CASE WHEN x.id IS NOT NULL THEN {_interface_brief('x', 'xd', 'xc')}
         WHEN vx.id IS NOT NULL THEN {_VM_INTERFACE_BRIEF} END AS assigned_object,
    CASE WHEN nat.id IS NULL THEN NULL ELSE {_IP_NESTED.format(a='nat')} END AS nat_inside,
    (SELECT COALESCE(json_agg({_IP_NESTED.format(a='n')} ORDER BY n.id), '[]') FROM ipam_ipaddress n
     WHERE n.nat_inside_id = a.id) AS nat_outside,
    a.dns_name, a.description, {_nested('ow', 'users/owners', 'name', 'description')} AS owner, a.comments,
    {_tags('a', 'ipaddress_ct')} AS tags, a.custom_field_data AS custom_fields, a.created, a.last_updated
) o
"""

IP_ADDRESSES = _page('SELECT a.id, a.vrf_id AS ord_a, host(a.address)::inet AS ord_b FROM ipam_ipaddress a', 'TRUE',
                     'a.vrf_id NULLS FIRST, host(a.address)::inet, a.id', _IP_ROWS, 'ipam_ipaddress a')

# A VM's primary IPs, nested: the brief address with its NAT addresses (none in the data set).
_VM_IP = """json_build_object('id', {a}.id, 'url', %(api)s || 'ipam/ip-addresses/' || {a}.id || '/',
    'display', {a}.address::text, 'family', json_build_object('value', family({a}.address), 'label', 'IPv'
    || family({a}.address)), 'address', {a}.address::text, 'nat_inside', NULL, 'nat_outside', '[]'::json,
    'dns_name', {a}.dns_name, 'description', {a}.description)"""

_VM_ROWS = f"""
SELECT json_agg(row_to_json(o) ORDER BY pg.ord_a, pg.id) FROM page pg
JOIN virtualization_virtualmachine v ON v.id = pg.id
LEFT JOIN virtualization_virtualmachinetype vt ON vt.id = v.virtual_machine_type_id
LEFT JOIN dcim_devicerole rl ON rl.id = v.role_id
LEFT JOIN dcim_site st ON st.id = v.site_id
LEFT JOIN virtualization_cluster cl ON cl.id = v.cluster_id
LEFT JOIN dcim_device dv ON dv.id = v.device_id
LEFT JOIN dcim_platform pf ON pf.id = v.platform_id
LEFT JOIN ipam_ipaddress ip4 ON ip4.id = v.primary_ip4_id
LEFT JOIN ipam_ipaddress ip6 ON ip6.id = v.primary_ip6_id
LEFT JOIN tenancy_tenant tn ON tn.id = v.tenant_id
LEFT JOIN users_owner ow ON ow.id = v.owner_id
CROSS JOIN LATERAL (SELECT
    v.id, %(api)s || 'virtualization/virtual-machines/' || v.id || '/' AS url,
    %(ui)s || 'virtualization/virtual-machines/' || v.id || '/' AS display_url, v.name AS display, v.name,
    {_nested('vt', 'virtualization/virtual-machine-types', 'name', 'slug', 'description')} AS virtual_machine_type,
    {_nested('rl', 'dcim/device-roles', *_TREE)} AS role, {_choice('v.status', 'status')} AS status,
    {_choice('v.start_on_boot', 'start_on_boot')} AS start_on_boot,
    {_nested('st', 'dcim/sites', 'name', 'slug', 'description')} AS site,
    {_nested('cl', 'virtualization/clusters', 'name', 'description')} AS cluster,
    {_nested('dv', 'dcim/devices', 'name', 'description')} AS device,
    {_nested('pf', 'dcim/platforms', *_TREE)} AS platform,
    CASE WHEN ip6.id IS NOT NULL AND NOT %(prefer_ipv4)s THEN {_VM_IP.format(a='ip6')}
         WHEN ip4.id IS NOT NULL THEN {_VM_IP.format(a='ip4')}
         WHEN ip6.id IS NOT NULL THEN {_VM_IP.format(a='ip6')} END AS primary_ip,
    CASE WHEN ip4.id IS NOT NULL THEN {_VM_IP.format(a='ip4')} END AS primary_ip4,
    CASE WHEN ip6.id IS NOT NULL THEN {_VM_IP.format(a='ip6')} END AS primary_ip6,
    v.vcpus, v.memory, v.disk, v.description, v.serial,
    {_nested('tn', 'tenancy/tenants', 'name', 'slug', 'description')} AS tenant,
    {_nested('ow', 'users/owners', 'name', 'description')} AS owner, v.comments, {_tags('v', 'vm_ct')} AS tags,
    v.local_context_data, NULL AS config_template, v.custom_field_data AS custom_fields, v.created, v.last_updated,
    (SELECT count(*) FROM virtualization_vminterface x WHERE x.virtual_machine_id = v.id) AS interface_count,
    (SELECT count(*) FROM virtualization_virtualdisk x WHERE x.virtual_machine_id = v.id) AS virtual_disk_count,
    COALESCE(v.local_context_data, '{{}}'::jsonb) AS config_context
) o
"""

VIRTUAL_MACHINES = _page('SELECT v.id, v.name AS ord_a FROM virtualization_virtualmachine v', 'TRUE', 'v.name, v.id',
                         _VM_ROWS, 'virtualization_virtualmachine v')


def floor_params(limit, path, model, q=None, brief=False):
    """The parameters of a floor query: URLs, content types, the choice labels of `model`."""
    from urllib.parse import urlencode

    from django.contrib.contenttypes.models import ContentType

    from dcim.models import Interface, Location, Region, Site, SiteGroup
    from ipam.models import IPAddress, Prefix
    from virtualization.models import VirtualMachine, VMInterface

    labels = {f.name: {str(value): str(label) for value, label in f.flatchoices}
              for f in model._meta.concrete_fields if f.choices}
    from netbox.dynamic_config import get_config

    params = {'limit': limit, 'api': f'{BASE}api/', 'ui': BASE, 'labels': json.dumps(labels),
              'q': None, 'prefer_ipv4': bool(get_config().PREFER_IPV4)}
    # The next page's link as the API writes it (its parameters sorted).
    query = {'limit': limit, 'offset': limit, **({'brief': 1} if brief else {}), **({'q': q} if q else {})}
    params['next'] = f'{BASE}api/{path}?{urlencode(sorted(query.items()))}'
    for name, cls in (('interface_ct', Interface), ('prefix_ct', Prefix), ('ipaddress_ct', IPAddress),
                      ('site_ct', Site), ('location_ct', Location), ('region_ct', Region),
                      ('sitegroup_ct', SiteGroup), ('vminterface_ct', VMInterface), ('vm_ct', VirtualMachine)):
        params[name] = ContentType.objects.get_for_model(cls).pk
    if q is not None:
        params['q'] = f'%{q}%'
    return params


def run_floor(sql, params):
    """(seconds, JSON text) of one floor query."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        text = cursor.fetchone()[0]
    return time.perf_counter() - started, text


# --- in-process requests --------------------------------------------------------------------------------------------

def counted(call):
    """(seconds, database queries, result) of a call; counts any number of queries."""
    from django.db import connection

    calls = []

    def count(execute, sql, params, many, context):
        calls.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
    return elapsed, len(calls), result


class Row:
    """One line of the table."""

    def __init__(self, key, label, times=None, queries=None, floor=None, target=None, unit='ms', note=''):
        self.key, self.label = key, label
        self.times, self.queries, self.floor = times or [], queries, floor
        self.target, self.unit, self.note = target, unit, note
        self.value = None  # for rows that are not timings (requests/s, MB)

    @property
    def median(self):
        return statistics.median(self.times) if self.times else self.value

    @property
    def ratio(self):
        return self.median / self.floor if self.floor else None

    def passed(self):
        kind, limit = self.target
        if kind == 'ratio':
            return self.ratio is not None and self.ratio <= limit
        if kind == 'max':
            return self.median < limit
        return self.median >= limit  # 'min'

    def target_text(self):
        kind, limit = self.target
        if kind == 'ratio':
            return f'<= {limit:g}x floor'
        unit = {'ms': ' ms', 'rps': '/s', 'MB': ' MB'}[self.unit]
        return f'{"<" if kind == "max" else ">="} {limit:g}{unit}'

    def as_dict(self):
        return {'label': self.label, 'median': self.median, 'min': min(self.times) if self.times else None,
                'queries': self.queries, 'floor': self.floor, 'ratio': self.ratio, 'unit': self.unit,
                'target': self.target_text(), 'passed': self.passed(), 'note': self.note}


def bench_get(client, path, params, runs, floor_sql=None, fparams=None):
    """Time `runs` GETs (after one warm-up) and the floor query as often; check both return the same rows."""
    elapsed, queries, response = counted(lambda: client.get(path, params))
    if response.status_code != 200:
        raise SystemExit(f'GET {path} failed ({response.status_code}): {response.content[:500]}')
    times, counts = [], set()
    for _ in range(runs):
        elapsed, queries, response = counted(lambda: client.get(path, params))
        times.append(elapsed * 1000)
        counts.add(queries)
    rows = response.json()['results']
    floor = None
    if floor_sql is not None:
        from django.db import connection

        # PostgreSQL's JIT compiles these large single statements for a few hundred ms, more than it saves: the
        # floor is the database without it. (The API's own queries run with the server's setting.)
        with connection.cursor() as cursor:
            cursor.execute('SET jit = off')
        try:
            run_floor(floor_sql, fparams)
            samples = [run_floor(floor_sql, fparams) for _ in range(runs)]
        finally:
            with connection.cursor() as cursor:
                cursor.execute('RESET jit')
        floor = statistics.median(seconds for seconds, _ in samples) * 1000
        differences = json_differences(response.json(), json.loads(samples[-1][1]))
        if differences:
            print(f'    warning: the floor of {path} differs from the API ({len(differences)} values), e.g. '
                  f'{"; ".join(differences[:3])}', file=sys.stderr)
    return times, '/'.join(map(str, sorted(counts))), floor, len(rows)


def json_differences(served, floor, path=''):
    """Where the floor's JSON differs from the API's (timestamps are compared by presence only: PostgreSQL writes
    +00:00 where the API writes Z)."""
    if isinstance(served, dict) and isinstance(floor, dict):
        out = [f'{path}.{key} missing' for key in served.keys() - floor.keys()]
        out += [f'{path}.{key} extra' for key in floor.keys() - served.keys()]
        for key in served.keys() & floor.keys():
            if key not in ('created', 'last_updated'):
                out += json_differences(served[key], floor[key], f'{path}.{key}')
        return out
    if isinstance(served, list) and isinstance(floor, list):
        out = [f'{path}: {len(served)} items, floor {len(floor)}'] if len(served) != len(floor) else []
        for index, (a, b) in enumerate(zip(served, floor, strict=False)):
            out += json_differences(a, b, f'{path}[{index}]')
        return out
    if served != floor and not (isinstance(served, (int, float)) and isinstance(floor, (int, float))
                                and float(served) == float(floor)):
        return [f'{path}: {served!r}, floor {floor!r}']
    return []


def bench_post(client, path, bodies, cleanup):
    """Time each POST of a list (one per run); `cleanup()` removes what it created, outside the timing."""
    times, counts = [], set()
    for body in bodies:
        elapsed, queries, response = counted(lambda b=body: client.post(path, b, format='json'))
        if response.status_code != 201:
            raise SystemExit(f'POST {path} failed ({response.status_code}): {response.content[:500]}')
        times.append(elapsed * 1000)
        counts.add(queries)
        cleanup()
    return times, '/'.join(map(str, sorted(counts)))


# --- gunicorn --------------------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def serve_workers():
    """WORKERS as scripts/serve reads it (default 3)."""
    return int(os.environ.get('WORKERS', '3'))


class Gunicorn:
    """gunicorn with scripts/serve's command line and options, on a free port and the bench database."""

    def __init__(self, db_name, token, log_path):
        self.port = free_port()
        self.token = token
        self.log = open(log_path, 'w')
        gunicorn = Path(sys.executable).parent / 'gunicorn'
        command = [str(gunicorn), 'netbox.wsgi', '--chdir', str(dataset.ROOT / 'netbox'), '--bind',
                   f'127.0.0.1:{self.port}', '--workers', str(serve_workers()), '--timeout', '120']
        self.process = subprocess.Popen(command, env=dataset.bench_environ(db_name), stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self.base = f'http://127.0.0.1:{self.port}'
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(self.request('/api/'), timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f'gunicorn did not start; see {log_path}')
            time.sleep(0.3)

    def request(self, path):
        return urllib.request.Request(self.base + path, headers={'Authorization': f'Token {self.token}',
                                                                 'Accept': 'application/json'})

    def worker_pids(self):
        pids = []
        for entry in Path('/proc').iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / 'stat').read_text()
                except OSError:
                    continue
                if int(stat.rsplit(')', 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    @staticmethod
    def peak_rss_mb(pid):
        for line in Path(f'/proc/{pid}/status').read_text().splitlines():
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def hammer(server, path, clients, seconds=None, requests_each=None):
    """`clients` threads, each with its own keep-alive session, GET `path` for `seconds` (or `requests_each`
    times). Returns (completed requests, wall seconds, failures)."""
    import requests

    headers = {'Authorization': f'Token {server.token}', 'Accept': 'application/json'}
    done, failures = [0] * clients, []
    start = threading.Barrier(clients + 1, timeout=600)
    stop_at = [None]
    paths = path if isinstance(path, list) else [path]

    def client(index):
        session = requests.Session()
        try:
            for warm in range(2):  # each connection and worker warmed before the clock starts
                session.get(server.base + paths[warm % len(paths)], headers=headers, timeout=120)
        except requests.RequestException as exc:
            failures.append(repr(exc))
        start.wait()
        n = 0
        while not failures:
            if requests_each is not None and n >= requests_each:
                break
            if stop_at[0] is not None and time.perf_counter() >= stop_at[0]:
                break
            try:
                response = session.get(server.base + paths[(index + n) % len(paths)], headers=headers, timeout=120)
            except requests.RequestException as exc:
                failures.append(repr(exc))
                break
            if response.status_code != 200:
                failures.append(response.status_code)
            n += 1
            done[index] = n
        session.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    if seconds is not None:
        stop_at[0] = started + seconds
    for thread in threads:
        thread.join()
    return sum(done), time.perf_counter() - started, failures


# --- the run ---------------------------------------------------------------------------------------------------------

def ensure_dataset(scale, db_name):
    if dataset.database_comment(db_name) != dataset.complete_marker(scale):
        print(f'Building the scale-{scale:g} data set in {db_name} first...', flush=True)
        subprocess.run([sys.executable, str(HERE / 'dataset.py'), '--scale', f'{scale:g}', '--db', db_name,
                        '--quiet'], check=True)


def setup_user():
    """The bench superuser and a fresh v1 token (earlier bench tokens are removed)."""
    from users.models import Token, User

    user = User.objects.filter(username='bench').first()
    if user is None:
        user = User.objects.create_superuser('bench', 'bench@example.com', None)
    Token.objects.filter(user=user).delete()
    token = Token(user=user, version=1, write_enabled=True, description='scripts/bench/api.py')
    token.save()
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f'Token {token.token_value}')
    return client, token.token_value


def post_target():
    """A device without interfaces, for the interface POSTs (removed at the end)."""
    from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site

    maker = Manufacturer.objects.order_by('pk').first()
    device_type, _ = DeviceType.objects.get_or_create(manufacturer=maker, slug='bench-empty',
                                                      defaults={'model': 'Bench empty'})
    Device.objects.filter(name='bench-post-target').delete()
    return Device.objects.create(name='bench-post-target', device_type=device_type,
                                 role=DeviceRole.objects.filter(parent__isnull=False).order_by('pk').first(),
                                 site=Site.objects.order_by('pk').first())


def measure(scale, runs, seconds, with_server):
    from django.db import transaction

    from core.models import ObjectChange
    from dcim.models import Device, DeviceType, Interface, Site
    from ipam.models import IPAddress, Prefix
    from virtualization.models import VirtualMachine

    client, token = setup_user()
    rows = []
    print(f'Measuring ({runs} runs of each call)...', flush=True)

    times, queries, floor, n = bench_get(client, '/api/dcim/interfaces/', {'limit': 1000}, runs, INTERFACES_FULL,
                                         floor_params(1000, 'dcim/interfaces/', Interface))
    rows.append(Row('interfaces', f'GET {n} interfaces', times, queries, floor, ('ratio', LIST_TARGET_RATIO)))
    brief_floor = floor_params(1000, 'dcim/interfaces/', Interface, brief=True)
    times, queries, floor, n = bench_get(client, '/api/dcim/interfaces/', {'limit': 1000, 'brief': 1}, runs,
                                         INTERFACES_BRIEF, brief_floor)
    rows.append(Row('interfaces_brief', f'GET {n} interfaces, brief', times, queries, floor,
                    ('ratio', LIST_TARGET_RATIO)))
    times, queries, floor, n = bench_get(client, '/api/ipam/prefixes/', {'limit': 1000}, runs, PREFIXES,
                                         floor_params(1000, 'ipam/prefixes/', Prefix))
    rows.append(Row('prefixes', f'GET {n} prefixes', times, queries, floor, ('ratio', LIST_TARGET_RATIO)))
    times, queries, floor, n = bench_get(client, '/api/ipam/ip-addresses/', {'limit': 1000}, runs, IP_ADDRESSES,
                                         floor_params(1000, 'ipam/ip-addresses/', IPAddress))
    rows.append(Row('ip_addresses', f'GET {n} IP addresses', times, queries, floor, ('ratio', LIST_TARGET_RATIO)))
    times, queries, floor, n = bench_get(client, '/api/virtualization/virtual-machines/', {'limit': 1000}, runs,
                                         VIRTUAL_MACHINES, floor_params(1000, 'virtualization/virtual-machines/',
                                                                        VirtualMachine))
    rows.append(Row('virtual_machines', f'GET {n} virtual machines', times, queries, floor,
                    ('ratio', LIST_TARGET_RATIO)))
    times, queries, _, n = bench_get(client, '/api/dcim/devices/', {'limit': 50}, runs)
    rows.append(Row('devices', f'GET {n} devices', times, queries, None, ('max', 30)))
    search = f'uplink to {dataset.device_name(1)}'
    times, queries, floor, n = bench_get(client, '/api/dcim/interfaces/', {'q': search, 'limit': 50}, runs,
                                         INTERFACES_SEARCH, floor_params(50, 'dcim/interfaces/', Interface, search))
    rows.append(Row('interface_search', f'GET interfaces ?q= ({n} of {Interface.objects.count():,})', times,
                    queries, floor, ('max', 50), note='target at scale 1'))

    changes_before = ObjectChange.objects.order_by('-pk').values_list('pk', flat=True).first() or 0

    def forget_changes():
        ObjectChange.objects.filter(pk__gt=changes_before).delete()

    def remove_sites():
        with transaction.atomic():
            Site.objects.filter(name__startswith='bench-post-').delete()
            forget_changes()

    bodies = [[{'name': f'bench-post-{run}-{i}', 'slug': f'bench-post-{run}-{i}', 'status': 'active'}
               for i in range(100)] for run in range(runs)]
    times, queries = bench_post(client, '/api/dcim/sites/', bodies, remove_sites)
    rows.append(Row('post_sites', 'POST 100 sites (one list)', times, queries, None, ('max', 250)))

    target = post_target()
    try:
        def remove_interfaces():
            with transaction.atomic():
                Interface.objects.filter(device=target).delete()
                forget_changes()

        bodies = [[{'device': target.pk, 'name': f'bench{run}-{i}', 'type': '1000base-t'} for i in range(1000)]
                  for run in range(runs)]
        times, queries = bench_post(client, '/api/dcim/interfaces/', bodies, remove_interfaces)
        rows.append(Row('post_interfaces', 'POST 1000 interfaces (one list)', times, queries, None, ('max', 1000)))
    finally:
        Interface.objects.filter(device=target).delete()
        Device.objects.filter(pk=target.pk).delete()
        DeviceType.objects.filter(slug='bench-empty').delete()
        forget_changes()

    if with_server:
        rows += measure_server(token, seconds)
    return rows


def measure_server(token, seconds):
    from django.conf import settings
    from django.db import connections

    from dcim.models import Interface

    connections.close_all()
    log_path = Path(tempfile.gettempdir()) / f'bench-gunicorn-{os.getpid()}.log'
    workers = serve_workers()
    print(f'Starting gunicorn ({workers} workers) for the concurrent and memory runs...', flush=True)
    server = Gunicorn(settings.DATABASES['default']['NAME'], token, log_path)
    rows = []
    try:
        count, wall, failures = hammer(server, '/api/dcim/devices/?limit=50', 4, seconds=seconds)
        if failures:
            raise SystemExit(f'{len(failures)} concurrent requests failed: {failures[:5]}')
        row = Row('concurrent', f'GET 50 devices, 4 clients, {wall:.0f} s', unit='rps', target=('min', 60),
                  note=f'{count} requests, {workers} workers')
        row.value = count / wall
        rows.append(row)

        pages = max(1, min(20, Interface.objects.count() // 1000))
        paths = [f'/api/dcim/interfaces/?limit=1000&offset={1000 * k}' for k in range(pages)]
        count, wall, failures = hammer(server, paths, workers, requests_each=8)
        if failures:
            raise SystemExit(f'{len(failures)} interface page requests failed: {failures[:5]}')
        peaks = [server.peak_rss_mb(pid) for pid in server.worker_pids()]
        row = Row('worker_rss', 'peak RSS of a worker, 1000-interface pages', unit='MB', target=('max', 300),
                  note=f'{count} pages; workers {"/".join(f"{p:.0f}" for p in sorted(peaks))} MB')
        row.value = max(peaks)
        rows.append(row)
    finally:
        server.stop()
        log_path.unlink(missing_ok=True)
    return rows


def fmt(value, unit, seconds=None):
    """A figure for the table; times of 10 s or more (or `seconds`, to match a row's median) in seconds."""
    if value is None:
        return '-'
    if unit == 'ms':
        return f'{value / 1000:,.2f} s' if (value >= 10_000 if seconds is None else seconds) else f'{value:,.1f} ms'
    if unit == 'rps':
        return f'{value:.1f}/s'
    return f'{value:.0f} MB'


def print_table(title, rows):
    print()
    print(title)
    print(f'{"call":<46}{"median":>11}{"min":>11}{"queries":>11}{"floor":>11}{"ratio":>8}  {"target":<15}result')
    for row in rows:
        data = row.as_dict()
        ratio = f'{data["ratio"]:.1f}x' if data['ratio'] is not None else '-'
        in_seconds = row.unit == 'ms' and data['median'] >= 10_000
        print(f'{row.label[:45]:<46}{fmt(data["median"], row.unit):>11}{fmt(data["min"], row.unit, in_seconds):>11}'
              f'{data["queries"] or "-":>11}{fmt(data["floor"], "ms"):>11}{ratio:>8}  {data["target"]:<15}'
              f'{"PASS" if data["passed"] else "FAIL"}{"  (" + row.note + ")" if row.note else ""}')


def compare(scales, runs, seconds, with_server):
    """Run the bench at each scale (a process each: Django is set up for one database) and print the growth of
    each list call between the first and the last."""
    results = []
    for scale in scales:
        with tempfile.NamedTemporaryFile(suffix='.json', delete=False) as handle:
            out = handle.name
        command = [sys.executable, str(HERE / 'api.py'), '--scale', f'{scale:g}', '--runs', str(runs),
                   '--seconds', str(seconds), '--json', out] + ([] if with_server else ['--no-server'])
        subprocess.run(command, check=True)
        results.append(json.loads(Path(out).read_text()))
        Path(out).unlink()
    first, last = results[0], results[-1]
    print()
    print(f'Growth from scale {scales[0]:g} to scale {scales[-1]:g} (target < {GROWTH_TARGET:g}x)')
    for key, row in first['rows'].items():
        other = last['rows'].get(key)
        if other is None or row['unit'] != 'ms' or not key.startswith(GROWTH_ROWS):
            continue
        growth = other['median'] / row['median']
        print(f'  {row["label"][:44]:<46}{fmt(row["median"], "ms"):>11} -> {fmt(other["median"], "ms"):>11}'
              f'{growth:>7.2f}x  {"PASS" if growth < GROWTH_TARGET else "FAIL"}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--scale', type=float, default=1, help='data set scale (default 1)')
    parser.add_argument('--db', help='database name (default netbox_bench_s<scale>)')
    parser.add_argument('--runs', type=int, default=7, help='timed runs of each call (default 7)')
    parser.add_argument('--seconds', type=float, default=10, help='length of the concurrent run (default 10)')
    parser.add_argument('--no-server', action='store_true', help='skip the gunicorn runs (concurrency, memory)')
    parser.add_argument('--json', help='also write the results to this file')
    parser.add_argument('--compare', help='two scales, e.g. 1,10: run both and print the growth of list calls')
    args = parser.parse_args()
    if args.runs < 1:
        parser.error('--runs must be at least 1')
    if args.compare:
        scales = [float(s) for s in args.compare.split(',')]
        if len(scales) < 2:
            parser.error('--compare takes two scales, e.g. 1,10')
        compare(scales, args.runs, args.seconds, not args.no_server)
        return

    db_name = args.db or dataset.default_db_name(args.scale)
    dataset.configure_django(db_name)
    import netbox.wsgi  # noqa: F401  (the server's process set-up: its garbage collector settings)

    ensure_dataset(args.scale, db_name)
    started, load = time.perf_counter(), os.getloadavg()[0]
    rows = measure(args.scale, args.runs, args.seconds, not args.no_server)
    # The load average says how much other work shared the machine (the figures are only comparable when similar).
    print_table(f'Scale {args.scale:g} ({db_name}), {args.runs} runs, {time.perf_counter() - started:.0f} s, load '
                f'average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs', rows)
    if args.json:
        Path(args.json).write_text(json.dumps({'scale': args.scale, 'rows': {r.key: r.as_dict() for r in rows}}))


if __name__ == '__main__':
    main()
