#!/usr/bin/env python
"""
Build a realistic benchmark data set, fast (PostgreSQL COPY for the bulk rows).

    venv/bin/python scripts/bench/dataset.py --scale 1 [--db NAME] [--fresh] [--quiet]

Per unit of scale: 10 sites, 100 racks, 1,000 devices with 48 interfaces each (48,000), 24,000 interface-to-interface
cables (every interface cabled) with their terminations and cable paths, 1,110 prefixes in three levels and 20,000 IP
addresses, VLAN groups and VLANs, tenants, tags and custom field values; a KVM cluster per site running 1,000 virtual
machines, each with two interfaces (the first with a MAC address, its VLAN and an IP address, the VM's primary IPv4),
a virtual disk and a tag. Fractions work (`--scale 0.01`: 10 devices).

Small reference data (regions, roles, types, custom fields...) is created through the ORM; the bulk rows are written
the way our own code leaves them (cable paths as dcim.cabling builds them, the prefix hierarchy recomputed by
ipam.hierarchy, MPTT trees rebuilt by django-mptt), so the API serves the same data it would after API writes.

The database (default netbox_bench_s<scale>) is created and migrated when missing; a database that already holds
a complete data set of that scale is left alone unless --fresh. See scripts/bench/README.md.
"""
import argparse
import contextlib
import itertools
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

INTERFACES_PER_DEVICE = 48
ROUTED = 10          # interfaces 1-10: routed, one IP address each
UPLINKS = 4          # the last 4: 10G uplinks, tagged VLANs
DEVICES_PER_RACK = 10
RACKS_PER_SITE = 10
IPS_PER_DEVICE = 20
VLANS_PER_SITE = 20
TAGGED_PER_UPLINK = 5
VMS_PER_UNIT = 1000
VM_INTERFACES = 2    # eth0 (MAC, untagged VLAN, one IP address: the VM's primary IPv4) and eth1
VM_IPV4_BASE = (100 << 24) | (64 << 16)  # 100.64.0.0/10, apart from the devices' 10/8
MARKER = 'netbox-bench dataset'
TEMPLATE_DB = 'netbox_bench_template'

# Environment for the bench processes (in-process Django and gunicorn alike); anything already set wins. Redis
# database 11 keeps the bench's cached configuration apart from a development server's.
BENCH_ENV = {
    'DB_USER': 'postgres',
    'DB_HOST': '127.0.0.1',
    'DB_PORT': '5432',
    'SECRET_KEY': 'bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH',
    'REDIS_DATABASE': '11',
    'REDIS_CACHE_DATABASE': '11',
}


def default_db_name(scale):
    return f'netbox_bench_s{scale:g}'.replace('.', '_')


def bench_environ(db_name):
    """The environment a bench process runs with: the regular environment-driven configuration, on `db_name`."""
    env = dict(os.environ)
    for key, value in BENCH_ENV.items():
        env.setdefault(key, value)
    env['DB_NAME'] = db_name
    env['NETBOX_CONFIGURATION'] = 'netbox.configuration_env'
    env['DJANGO_SETTINGS_MODULE'] = 'netbox.settings'
    return env


def configure_django(db_name):
    """Set Django up on `db_name` with the production settings (as scripts/serve runs them)."""
    os.environ.update(bench_environ(db_name))
    sys.path.insert(0, str(ROOT / 'netbox'))
    import django
    from django.conf import settings

    django.setup()
    settings.CACHES['default']['KEY_PREFIX'] = f'bench-{db_name}'


# --- the database --------------------------------------------------------------------------------------------------

def admin_connection():
    """A connection to the server's maintenance database, for CREATE/DROP DATABASE and COMMENT."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES['default']
    return psycopg.connect(dbname='postgres', user=db['USER'], password=db['PASSWORD'] or None, host=db['HOST'],
                           port=db['PORT'], autocommit=True)


def database_comment(db_name):
    """None when the database does not exist, else its comment ('' without one)."""
    with admin_connection() as conn:
        row = conn.execute('SELECT shobj_description(oid, %s) FROM pg_database WHERE datname = %s',
                           ['pg_database', db_name]).fetchone()
    return None if row is None else (row[0] or '')


def set_comment(db_name, text):
    with admin_connection() as conn:
        conn.execute(f'COMMENT ON DATABASE "{db_name}" IS ' + "'" + text.replace("'", "''") + "'")


def drop_database(db_name):
    from django.db import connections

    connections.close_all()
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def create_database(db_name, template=None):
    drop_database(db_name)
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"' + (f' TEMPLATE "{template}"' if template else ''))
    set_comment(db_name, f'{MARKER}: building')


def create_migrated_database(db_name, log=print):
    """Create `db_name` migrated. Migrating from nothing takes a minute, so a migrated empty database
    (TEMPLATE_DB) is kept and copied; it is brought up to date (or rebuilt) whenever the migrations changed."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    template = TEMPLATE_DB if database_comment(TEMPLATE_DB) is not None else None
    create_database(db_name, template)
    executor = MigrationExecutor(connection)
    applied = set(executor.recorder.applied_migrations())
    if template and applied - set(executor.loader.disk_migrations):
        log('    the template database has migrations that no longer exist: migrating from scratch')
        create_database(db_name)
        template = None
        executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command('migrate', verbosity=0, interactive=False)
    if pending or template is None:
        # Keep this migrated, still empty database as the template for the next ones.
        from django.db import connections

        connections.close_all()
        with admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}" TEMPLATE "{db_name}"')
        set_comment(TEMPLATE_DB, f'{MARKER}: migrated template')


def complete_marker(scale):
    # v2: configuration contexts rendered, as on a running system (older data sets are rebuilt).
    return f'{MARKER}: complete v2, scale {scale:g}'


def database_size(db_name):
    with admin_connection() as conn:
        return conn.execute('SELECT pg_size_pretty(pg_database_size(%s))', [db_name]).fetchone()[0]


# --- bulk writing ----------------------------------------------------------------------------------------------------

def reserve_ids(model, count):
    """A contiguous block of `count` primary keys taken from the table's identity sequence."""
    from django.db import connection

    if count <= 0:
        return 0
    with connection.cursor() as cursor:
        cursor.execute('SELECT pg_get_serial_sequence(%s, %s)', [model._meta.db_table, model._meta.pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute('SELECT setval(%s, nextval(%s) + %s - 1)', [sequence, sequence, count])
        return cursor.fetchone()[0] - count + 1


class Copier:
    """COPY rows into a model's table: rows give values for `fields` (attnames); every other concrete column takes
    its field default, so a column added later needs no change here unless it has no default and no null."""

    def __init__(self, model, fields, progress=None, label=None, total=None):
        from django.utils import timezone

        self.model = model
        self.progress = progress
        concrete = [f for f in model._meta.concrete_fields if not getattr(f, 'generated', False)]
        by_attname = {f.attname: f for f in concrete}
        unknown = set(fields) - set(by_attname)
        if unknown:
            raise ValueError(f'{model.__name__} has no field(s) {sorted(unknown)}')
        now = timezone.now()
        columns, self.template, self.json_positions = [], [], set()
        for f in concrete:
            if f.primary_key and f.attname not in fields:
                continue  # left to the identity column
            columns.append(f'"{f.column}"')
            if getattr(f, 'auto_now', False) or getattr(f, 'auto_now_add', False):
                default = now
            elif f.has_default() or f.null or f.empty_strings_allowed:
                default = f.get_default()
            else:
                default = _Missing(f)
            if f.get_internal_type() == 'JSONField':
                self.json_positions.add(len(self.template))
                if not isinstance(default, _Missing):
                    default = json.dumps(default) if default is not None else None
            self.template.append(default)
        self.positions = [[c.strip('"') for c in columns].index(by_attname[name].column) for name in fields]
        missing = [v.field.name for i, v in enumerate(self.template) if isinstance(v, _Missing)
                   and i not in self.positions]
        if missing:
            raise ValueError(f'{model.__name__}: give values for {missing} (no default, not nullable)')
        self.sql = f'COPY "{model._meta.db_table}" ({", ".join(columns)}) FROM STDIN'
        self.bar = None
        if progress:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=f'{label or model._meta.verbose_name_plural:<22}', unit=' rows',
                            unit_scale=True, leave=True, file=sys.stderr)

    def write(self, rows):
        from django.db import connection

        count = 0
        positions, json_positions = self.positions, self.json_positions
        with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
            for row in rows:
                values = list(self.template)
                for position, value in zip(positions, row, strict=True):
                    if position in json_positions and value is not None and not isinstance(value, str):
                        value = json.dumps(value)
                    values[position] = value
                copy.write_row(values)
                count += 1
                if self.bar is not None and count % 2000 == 0:
                    self.bar.update(2000)
        if self.bar is not None:
            self.bar.update(count % 2000)
            self.bar.close()
        return count


class _Missing:
    def __init__(self, field):
        self.field = field


def copy_rows(model, fields, rows, progress=False, label=None, total=None):
    return Copier(model, fields, progress, label, total).write(rows)


# --- the plan --------------------------------------------------------------------------------------------------------

class Plan:
    """How many of everything a scale means."""

    def __init__(self, scale):
        if scale <= 0:
            raise ValueError('the scale must be positive')
        self.scale = scale
        self.devices = max(2, 2 * round(500 * scale))  # even: devices are cabled in pairs
        self.racks = math.ceil(self.devices / DEVICES_PER_RACK)
        self.sites = math.ceil(self.racks / RACKS_PER_SITE)
        self.tenants = max(2, math.ceil(20 * scale))
        self.interfaces = self.devices * INTERFACES_PER_DEVICE
        self.cables = self.interfaces // 2
        self.ip_addresses = self.devices * IPS_PER_DEVICE
        self.prefixes = self.sites + self.racks + self.devices
        self.vlans = self.sites * VLANS_PER_SITE
        self.vms = max(1, round(VMS_PER_UNIT * scale))
        self.vm_interfaces = self.vms * VM_INTERFACES
        self.vm_ip_addresses = self.vms  # besides ip_addresses (the devices')

    def summary(self):
        return (f'{self.sites:,} sites, {self.racks:,} racks, {self.devices:,} devices, {self.interfaces:,} '
                f'interfaces, {self.cables:,} cables, {self.prefixes:,} prefixes, {self.ip_addresses:,} IP addresses, '
                f'{self.vlans:,} VLANs, {self.vms:,} VMs with {self.vm_interfaces:,} interfaces')


DEVICE_TYPES = (
    # manufacturer, model, platform, interface names (48), uplink type
    ('Cisco', 'C9300-48T', 'IOS-XE', [f'GigabitEthernet1/0/{n}' for n in range(1, 45)] +
     [f'TenGigabitEthernet1/1/{n}' for n in range(1, 5)]),
    ('Arista', 'DCS-7050TX-48', 'EOS', [f'Ethernet{n}' for n in range(1, 49)]),
    ('Juniper', 'EX4300-48T', 'Junos', [f'ge-0/0/{n}' for n in range(0, 44)] + [f'xe-0/2/{n}' for n in range(4)]),
)
TAGS = ('production', 'staging', 'monitored', 'pci', 'core', 'edge', 'legacy', 'backup', 'critical', 'ipv6-ready')
REGIONS = {'Europe': ('Germany', 'France', 'Netherlands'), 'North America': ('United States', 'Canada'),
           'Asia Pacific': ('Japan', 'Singapore')}
SUPPORT_TIERS = ('gold', 'silver', 'bronze')
IPV4_BASE = 10 << 24


def ip_text(value, mask):
    return f'{value >> 24 & 255}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}/{mask}'


def device_name(n):
    return f'sw-{n + 1:05d}'


# --- generation ----------------------------------------------------------------------------------------------------

def generate(scale, progress=True, log=print):
    """Fill the current database with a data set of this scale, in one transaction. Returns the Plan."""
    from django.db import connection, transaction

    from dcim.models import Location
    from ipam.hierarchy import rebuild_vrf

    plan = Plan(scale)
    timings = {}
    with transaction.atomic():
        with _timed(timings, 'reference data'):
            ref = _reference_data(plan)
        with _foreign_keys_added_after(_bulk_models(), timings):
            with _timed(timings, 'bulk rows'):
                _bulk_data(plan, ref, progress, log)
        with _timed(timings, 'prefix hierarchy'):
            rebuild_vrf(None)
        with _timed(timings, 'MPTT'):
            Location.objects.rebuild()
        with _timed(timings, 'deferred checks'), connection.cursor() as cursor:
            _check_deferred(cursor)
    log('    ' + ', '.join(f'{name} {seconds:.1f} s' for name, seconds in timings.items()))
    return plan


def _bulk_models():
    from dcim.models import Cable, CablePath, CableTermination, Device, Interface, Location, MACAddress, Rack, Site
    from extras.models import TaggedItem
    from ipam.models import VLAN, IPAddress, Prefix
    from virtualization.models import VirtualDisk, VirtualMachine, VMInterface

    return (Site, Location, Rack, VLAN, Device, Interface, MACAddress, Interface.tagged_vlans.through, Cable,
            CableTermination, CablePath, Prefix, IPAddress, TaggedItem, VirtualMachine, VMInterface, VirtualDisk)


@contextlib.contextmanager
def _foreign_keys_added_after(models, timings):
    """Drop the foreign keys of these tables for the bulk load and add them back (the same definitions) after it:
    adding a key checks the whole table in one query, where keeping it checks every row on its own, which takes
    longer than the load itself. As pg_restore does."""
    from django.db import connection

    with connection.cursor() as cursor:
        _check_deferred(cursor)  # a table with pending trigger events cannot be altered
        cursor.execute("""
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname
        """, [[model._meta.db_table for model in models]])
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    with _timed(timings, 'foreign keys'), connection.cursor() as cursor:
        _check_deferred(cursor)
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _check_deferred(cursor):
    """Check the deferred constraints now (rather than at commit, which a test never reaches)."""
    cursor.execute('SET CONSTRAINTS ALL IMMEDIATE')
    cursor.execute('SET CONSTRAINTS ALL DEFERRED')


@contextlib.contextmanager
def _timed(timings, name):
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started


def _reference_data(plan):
    """The small objects, through the ORM: regions, groups, tenants, roles, types, tags, custom fields, VLAN
    groups. Returns a namespace of what the bulk rows refer to."""
    from django.contrib.contenttypes.models import ContentType

    from dcim.models import (
        Device,
        DeviceRole,
        DeviceType,
        Interface,
        InterfaceTemplate,
        Manufacturer,
        Platform,
        RackRole,
        Region,
        SiteGroup,
    )
    from extras.models import CustomField, CustomFieldChoiceSet, Tag
    from ipam.models import Role
    from tenancy.models import Tenant, TenantGroup

    ref = type('Reference', (), {})()
    leaves = []
    for continent, countries in REGIONS.items():
        parent = Region.objects.create(name=continent, slug=_slug(continent))
        leaves += [Region.objects.create(name=name, slug=_slug(name), parent=parent) for name in countries]
    ref.regions = leaves
    ref.site_groups = [SiteGroup.objects.create(name=name, slug=_slug(name)) for name in ('Campus', 'Data centre')]
    groups = [TenantGroup.objects.create(name=name, slug=_slug(name)) for name in ('Internal', 'Customers')]
    ref.tenants = [Tenant.objects.create(name=f'Tenant {n + 1:03d}', slug=f'tenant-{n + 1:03d}', group=groups[n % 2])
                   for n in range(plan.tenants)]
    network = DeviceRole.objects.create(name='Network', slug='network', color='2196f3')
    ref.roles = [DeviceRole.objects.create(name=name, slug=_slug(name), parent=network, color=color)
                 for name, color in (('Access switch', '4caf50'), ('Distribution switch', 'ff9800'))]
    ref.rack_role = RackRole.objects.create(name='Network', slug='network', color='2196f3')
    ref.device_types = []
    for maker_name, model, platform_name, names in DEVICE_TYPES:
        maker = Manufacturer.objects.create(name=maker_name, slug=_slug(maker_name))
        platform = Platform.objects.create(name=platform_name, slug=_slug(platform_name), manufacturer=maker)
        device_type = DeviceType.objects.create(manufacturer=maker, model=model, slug=_slug(model),
                                                default_platform=platform, airflow='front-to-rear', u_height=1)
        InterfaceTemplate.objects.bulk_create([
            InterfaceTemplate(device_type=device_type, name=name,
                              type='10gbase-x-sfpp' if n >= INTERFACES_PER_DEVICE - UPLINKS else '1000base-t')
            for n, name in enumerate(names)])
        ref.device_types.append((device_type, names))
    ref.prefix_roles = [Role.objects.create(name=name, slug=_slug(name), weight=weight)
                        for name, weight in (('Infrastructure', 100), ('Access', 200))]
    ref.tags = {name: Tag.objects.create(name=name, slug=name, color=f'{(37 * i) % 256:02x}8c{(91 * i) % 256:02x}')
                for i, name in enumerate(TAGS)}
    tiers = CustomFieldChoiceSet.objects.create(name='Support tiers',
                                                extra_choices=[[t, t.capitalize()] for t in SUPPORT_TIERS])
    device_ct, interface_ct = ContentType.objects.get_for_model(Device), ContentType.objects.get_for_model(Interface)
    for name, kind, content_type, extra in (
            ('asset_owner', 'text', device_ct, {}), ('warranty_end', 'date', device_ct, {}),
            ('support_tier', 'select', device_ct, {'choice_set': tiers}),
            ('monitored', 'boolean', interface_ct, {}), ('circuit_ref', 'text', interface_ct, {})):
        field = CustomField.objects.create(name=name, type=kind, **extra)
        field.object_types.set([content_type])
    from virtualization.models import ClusterType

    ref.cluster_type = ClusterType.objects.create(name='KVM', slug='kvm')
    ref.vm_role = DeviceRole.objects.create(name='Server', slug='server', color='9c27b0')
    return ref


def _slug(text):
    from django.utils.text import slugify

    return slugify(text)


def _bulk_data(plan, ref, progress, log):
    from django.contrib.contenttypes.models import ContentType

    from dcim.models import (
        Cable,
        CablePath,
        CableTermination,
        Device,
        Interface,
        Location,
        MACAddress,
        Rack,
        Site,
    )
    from extras.models import TaggedItem
    from ipam.models import VLAN, IPAddress, Prefix, VLANGroup

    ct = {model: ContentType.objects.get_for_model(model).pk
          for model in (Site, Location, Device, Interface, Cable, Prefix, IPAddress)}
    copy = lambda model, fields, rows, total, label=None: copy_rows(  # noqa: E731
        model, fields, rows, progress, label, total)

    # Sites, one location each (its MPTT fields are rebuilt at the end), racks.
    site_start = reserve_ids(Site, plan.sites)
    site_ids = [site_start + s for s in range(plan.sites)]
    region_of = [ref.regions[s % len(ref.regions)] for s in range(plan.sites)]
    group_of = [ref.site_groups[s % 2] for s in range(plan.sites)]
    copy(Site, ['id', 'name', 'slug', 'status', 'region_id', 'group_id', 'tenant_id', 'facility', 'time_zone',
                'physical_address', 'description', 'custom_field_data'],
         ((site_ids[s], f'site-{s + 1:03d}', f'site-{s + 1:03d}', 'active', region_of[s].pk, group_of[s].pk,
           ref.tenants[s % len(ref.tenants)].pk, f'DC{s + 1:03d}', 'UTC', f'{s + 1} Example Street',
           f'Site {s + 1}', {}) for s in range(plan.sites)), plan.sites)
    location_start = reserve_ids(Location, plan.sites)
    location_ids = [location_start + s for s in range(plan.sites)]
    copy(Location, ['id', 'name', 'slug', 'site_id', 'status', 'lft', 'rght', 'tree_id', 'level',
                    'custom_field_data'],
         ((location_ids[s], 'Hall 1', 'hall-1', site_ids[s], 'active', 1, 2, s + 1, 0, {})
          for s in range(plan.sites)), plan.sites)
    rack_start = reserve_ids(Rack, plan.racks)
    site_of_rack = [r // RACKS_PER_SITE for r in range(plan.racks)]
    copy(Rack, ['id', 'name', 'site_id', 'location_id', 'status', 'role_id', 'u_height', 'width', 'form_factor',
                'serial', 'asset_tag', 'custom_field_data'],
         ((rack_start + r, f'rack-{r + 1:04d}', site_ids[site_of_rack[r]], location_ids[site_of_rack[r]], 'active',
           ref.rack_role.pk, 42, 19, '4-post-cabinet', f'RS{r:06d}', f'RA{r:06d}', {})
          for r in range(plan.racks)), plan.racks)

    # VLAN groups (ORM: the scope cache and VID total are computed on save), then their VLANs.
    vlan_groups = []
    sites = Site.objects.in_bulk(site_ids)
    for s in range(plan.sites):
        vlan_groups.append(VLANGroup.objects.create(name=f'site-{s + 1:03d} VLANs', slug=f'site-{s + 1:03d}-vlans',
                                                    scope=sites[site_ids[s]]).pk)
    vlan_start = reserve_ids(VLAN, plan.vlans)
    vlan_of = lambda s, k: vlan_start + s * VLANS_PER_SITE + k  # noqa: E731
    copy(VLAN, ['id', 'group_id', 'vid', 'name', 'status', 'tenant_id', 'description', 'custom_field_data'],
         ((vlan_of(s, k), vlan_groups[s], 100 + k, f'vlan{100 + k}', 'active', None,
           'Users' if k < 10 else 'Servers', {})
          for s in range(plan.sites) for k in range(VLANS_PER_SITE)), plan.vlans)

    # Devices, placed 10 to a rack; device n is cabled to device n ^ 1 (the same rack).
    device_start = reserve_ids(Device, plan.devices)
    ip_start = reserve_ids(IPAddress, plan.ip_addresses)
    tenants = [t.pk for t in ref.tenants]
    device_type_of = [ref.device_types[(n // 2) % len(ref.device_types)] for n in range(plan.devices)]

    def device_rows():
        for n in range(plan.devices):
            rack = n // DEVICES_PER_RACK
            device_type = device_type_of[n][0]
            yield (device_start + n, device_name(n), device_type.pk, ref.roles[n % 2].pk,
                   tenants[n % len(tenants)] if n % 4 else None, device_type.default_platform_id, f'SN{n:08d}',
                   f'AT{n:07d}', site_ids[site_of_rack[rack]], location_ids[site_of_rack[rack]], rack_start + rack,
                   n % DEVICES_PER_RACK + 1, 'front', 'active', device_type.airflow, ip_start + n * IPS_PER_DEVICE,
                   {'asset_owner': f'team-{n % 7 + 1}', 'warranty_end': f'{2026 + n % 4}-{n % 12 + 1:02d}-15',
                    'support_tier': SUPPORT_TIERS[n % 3]})

    copy(Device, ['id', 'name', 'device_type_id', 'role_id', 'tenant_id', 'platform_id', 'serial', 'asset_tag',
                  'site_id', 'location_id', 'rack_id', 'position', 'face', 'status', 'airflow', 'primary_ip4_id',
                  'custom_field_data'], device_rows(), plan.devices)

    # Interfaces, their MAC addresses, cables, terminations and paths.
    per = INTERFACES_PER_DEVICE
    interface_start = reserve_ids(Interface, plan.interfaces)
    cable_start = reserve_ids(Cable, plan.cables)
    path_start = reserve_ids(CablePath, plan.interfaces)
    mac_start = reserve_ids(MACAddress, plan.devices * ROUTED)
    interface_of = lambda n, j: interface_start + n * per + j  # noqa: E731
    cable_of = lambda n, j: cable_start + (n // 2) * per + j  # noqa: E731
    path_of = lambda n, j: path_start + n * per + j  # noqa: E731
    planned = lambda n, j: (n // 2 * per + j) % 50 == 10  # noqa: E731  (2% of cables are only planned)

    def interface_rows():
        for n in range(plan.devices):
            names = device_type_of[n][1]
            site = site_of_rack[n // DEVICES_PER_RACK]
            peer = n ^ 1
            peer_names = device_type_of[peer][1]
            for j in range(per):
                uplink = j >= per - UPLINKS
                if j < ROUTED:
                    mode, untagged = '', None
                elif uplink:
                    mode, untagged = 'tagged', vlan_of(site, 0)
                else:
                    mode, untagged = 'access', vlan_of(site, j % VLANS_PER_SITE)
                yield (interface_of(n, j), device_start + n, names[j],
                       '10gbase-x-sfpp' if uplink else '1000base-t', True, 9216 if uplink else 1500,
                       10_000_000 if uplink else 1_000_000, 'full', mode, untagged,
                       f'uplink to {device_name(peer)} {peer_names[j]}' if uplink else '',
                       cable_of(n, j), 'A' if n % 2 == 0 else 'B', path_of(n, j),
                       mac_start + n * ROUTED + j if j < ROUTED else None,
                       {'monitored': j < ROUTED or uplink, 'circuit_ref': f'CR-{n // 2:05d}-{j}' if uplink else None})

    copy(Interface, ['id', 'device_id', 'name', 'type', 'enabled', 'mtu', 'speed', 'duplex', 'mode',
                     'untagged_vlan_id', 'description', 'cable_id', 'cable_end', '_path_id', 'primary_mac_address_id',
                     'custom_field_data'], interface_rows(), plan.interfaces)
    copy(MACAddress, ['id', 'mac_address', 'assigned_object_type_id', 'assigned_object_id', 'custom_field_data'],
         ((mac_start + n * ROUTED + j, _mac(n, j), ct[Interface], interface_of(n, j), {})
          for n in range(plan.devices) for j in range(ROUTED)), plan.devices * ROUTED, 'MAC addresses')
    tagged_through = Interface.tagged_vlans.through
    copy(tagged_through, ['interface_id', 'vlan_id'],
         ((interface_of(n, j), vlan_of(site_of_rack[n // DEVICES_PER_RACK], 1 + k))
          for n in range(plan.devices) for j in range(per - UPLINKS, per) for k in range(TAGGED_PER_UPLINK)),
         plan.devices * UPLINKS * TAGGED_PER_UPLINK, 'tagged VLANs')

    copy(Cable, ['id', 'type', 'status', 'label', 'color', 'length', 'length_unit', 'custom_field_data'],
         ((cable_of(n, j), 'mmf-om4' if j >= per - UPLINKS else 'cat6',
           'planned' if planned(n, j) else 'connected', f'C{n // 2 + 1:05d}-{j + 1:02d}',
           'ff9800' if j >= per - UPLINKS else '2196f3', 3 if j >= per - UPLINKS else 2, 'm', {})
          for n in range(0, plan.devices, 2) for j in range(per)), plan.cables)
    copy(CableTermination, ['cable_id', 'cable_end', 'termination_type_id', 'termination_id'],
         ((cable_of(n, j), 'A' if n % 2 == 0 else 'B', ct[Interface], interface_of(n, j))
          for n in range(plan.devices) for j in range(per)), plan.interfaces, 'cable terminations')
    # As dcim.cabling.build_path leaves them: one path per cable end, origin -> cable -> far end.
    iface, cable_ct = ct[Interface], ct[Cable]
    copy(CablePath, ['id', 'path', 'is_active', 'is_complete', 'is_split'],
         ((path_of(n, j), [[f'{iface}:{interface_of(n, j)}'], [f'{cable_ct}:{cable_of(n, j)}'],
                           [f'{iface}:{interface_of(n ^ 1, j)}']], not planned(n, j), True, False)
          for n in range(plan.devices) for j in range(per)), plan.interfaces, 'cable paths')

    # Prefixes: a /16 container per site, a /22 container per rack (scoped to its location), a /27 per device.
    prefix_start = reserve_ids(Prefix, plan.prefixes)
    site_ct, location_ct = ct[Site], ct[Location]

    def site_net(s):
        return IPV4_BASE + s * 65536

    def rack_net(r):
        return site_net(site_of_rack[r]) + (r % RACKS_PER_SITE) * 1024

    def device_net(n):
        return rack_net(n // DEVICES_PER_RACK) + (n % DEVICES_PER_RACK) * 32

    def prefix_rows():
        pk = itertools.count(prefix_start)
        for s in range(plan.sites):
            yield (next(pk), ip_text(site_net(s), 16), 'container', None, ref.prefix_roles[0].pk, site_ct,
                   site_ids[s], region_of[s].pk, group_of[s].pk, site_ids[s], None, f'site-{s + 1:03d} supernet', {})
        for r in range(plan.racks):
            s = site_of_rack[r]
            yield (next(pk), ip_text(rack_net(r), 22), 'container', None, None, location_ct, location_ids[s],
                   region_of[s].pk, group_of[s].pk, site_ids[s], location_ids[s], f'rack-{r + 1:04d}', {})
        for n in range(plan.devices):
            s = site_of_rack[n // DEVICES_PER_RACK]
            yield (next(pk), ip_text(device_net(n), 27), 'active', tenants[n % len(tenants)] if n % 4 else None,
                   ref.prefix_roles[1].pk, site_ct, site_ids[s], region_of[s].pk, group_of[s].pk, site_ids[s], None,
                   f'{device_name(n)} addresses', {})

    copy(Prefix, ['id', 'prefix', 'status', 'tenant_id', 'role_id', 'scope_type_id', 'scope_id', '_region_id',
                  '_site_group_id', '_site_id', '_location_id', 'description', 'custom_field_data'],
         prefix_rows(), plan.prefixes)

    # IP addresses: 20 per device in its /27; the first 10 on its routed interfaces (the first is its primary).
    def ip_rows():
        for n in range(plan.devices):
            base = device_net(n)
            tenant = tenants[n % len(tenants)] if n % 4 else None
            for i in range(IPS_PER_DEVICE):
                assigned = i < ROUTED
                status = 'active' if assigned else ('reserved' if i < 16 else 'dhcp')
                yield (ip_start + n * IPS_PER_DEVICE + i, ip_text(base + 1 + i, 27), status, tenant,
                       ct[Interface] if assigned else None, interface_of(n, i) if assigned else None,
                       f'{device_name(n)}-{i + 1}.example.net' if assigned else '', {})

    copy(IPAddress, ['id', 'address', 'status', 'tenant_id', 'assigned_object_type_id', 'assigned_object_id',
                     'dns_name', 'custom_field_data'], ip_rows(), plan.ip_addresses, 'IP addresses')

    # Tags: two per device, a few interfaces per device, every prefix, every fifth address.
    tag = {name: t.pk for name, t in ref.tags.items()}

    def tag_rows():
        for n in range(plan.devices):
            yield ct[Device], device_start + n, tag['production' if n % 10 else 'staging']
            yield ct[Device], device_start + n, tag[('core', 'edge', 'critical')[n % 3]]
            yield ct[Interface], interface_of(n, 0), tag['monitored']
            for j in range(per - UPLINKS, per):
                yield ct[Interface], interface_of(n, j), tag['core']
            if n % 10 == 0:
                for j in range(ROUTED, per - UPLINKS):
                    yield ct[Interface], interface_of(n, j), tag['pci']
        for p in range(plan.prefixes):
            yield ct[Prefix], prefix_start + p, tag['production']
        for a in range(0, plan.ip_addresses, 5):
            yield ct[IPAddress], ip_start + a, tag['monitored']

    tagged_total = plan.devices * (2 + 1 + UPLINKS) + math.ceil(plan.devices / 10) * (per - UPLINKS - ROUTED) + \
        plan.prefixes + math.ceil(plan.ip_addresses / 5)
    copy(TaggedItem, ['content_type_id', 'object_id', 'tag_id'], tag_rows(), tagged_total, 'tagged items')
    _virtual_machines(plan, ref, site_ids, vlan_of, sites, copy)


def _virtual_machines(plan, ref, site_ids, vlan_of, sites, copy):
    """A cluster per site (ORM: its scope cache is computed on save), its VMs spread over the sites, their
    interfaces, MAC addresses, IP addresses (the VM's primary IPv4), disks and tags."""
    from django.contrib.contenttypes.models import ContentType

    from dcim.models import MACAddress, Platform
    from extras.models import TaggedItem
    from ipam.models import IPAddress
    from virtualization.models import Cluster, VirtualDisk, VirtualMachine, VMInterface

    clusters = [Cluster.objects.create(name=f'kvm-{s + 1:03d}', type=ref.cluster_type, scope=sites[site_ids[s]]).pk
                for s in range(plan.sites)]
    platform = Platform.objects.order_by('pk').values_list('pk', flat=True).first()
    vm_start = reserve_ids(VirtualMachine, plan.vms)
    interface_start = reserve_ids(VMInterface, plan.vm_interfaces)
    ip_start = reserve_ids(IPAddress, plan.vm_ip_addresses)
    mac_start = reserve_ids(MACAddress, plan.vms)
    tenants = [t.pk for t in ref.tenants]
    site_of = lambda v: v % plan.sites  # noqa: E731
    interface_ct = ContentType.objects.get_for_model(VMInterface).pk
    copy(VirtualMachine, ['id', 'name', 'cluster_id', 'site_id', 'role_id', 'platform_id', 'tenant_id', 'status',
                          'vcpus', 'memory', 'disk', 'primary_ip4_id', 'description', 'custom_field_data'],
         ((vm_start + v, f'vm-{v + 1:05d}', clusters[site_of(v)], site_ids[site_of(v)], ref.vm_role.pk, platform,
           tenants[v % len(tenants)] if v % 3 else None, 'active', 2 + 2 * (v % 4), 4096 * (1 + v % 4), 40960,
           ip_start + v, f'VM {v + 1}', {}) for v in range(plan.vms)), plan.vms, 'virtual machines')
    copy(VMInterface, ['id', 'virtual_machine_id', 'name', 'enabled', 'mtu', 'mode', 'untagged_vlan_id',
                       'primary_mac_address_id', 'description', 'custom_field_data'],
         ((interface_start + v * VM_INTERFACES + j, vm_start + v, f'eth{j}', True, 1500, 'access' if j == 0 else '',
           vlan_of(site_of(v), 10) if j == 0 else None, mac_start + v if j == 0 else None, '', {})
          for v in range(plan.vms) for j in range(VM_INTERFACES)), plan.vm_interfaces, 'VM interfaces')
    copy(MACAddress, ['id', 'mac_address', 'assigned_object_type_id', 'assigned_object_id', 'custom_field_data'],
         ((mac_start + v, _mac(0xF00000 + v, 0), interface_ct, interface_start + v * VM_INTERFACES, {})
          for v in range(plan.vms)), plan.vms, 'VM MAC addresses')
    copy(IPAddress, ['id', 'address', 'status', 'tenant_id', 'assigned_object_type_id', 'assigned_object_id',
                     'dns_name', 'custom_field_data'],
         ((ip_start + v, ip_text(VM_IPV4_BASE + v * 4 + 1, 30), 'active', None, interface_ct,
           interface_start + v * VM_INTERFACES, f'vm-{v + 1:05d}.example.net', {}) for v in range(plan.vms)),
         plan.vm_ip_addresses, 'VM IP addresses')
    copy(VirtualDisk, ['virtual_machine_id', 'name', 'size', 'custom_field_data'],
         ((vm_start + v, 'root', 40960, {}) for v in range(plan.vms)), plan.vms, 'virtual disks')
    vm_ct = ContentType.objects.get_for_model(VirtualMachine).pk
    production = ref.tags['production'].pk
    copy(TaggedItem, ['content_type_id', 'object_id', 'tag_id'],
         ((vm_ct, vm_start + v, production) for v in range(plan.vms)), plan.vms, 'VM tags')


def _mac(n, j):
    value = (0x02 << 40) | (n << 8) | j  # locally administered
    return ':'.join(f'{value >> shift & 255:02X}' for shift in range(40, -8, -8))


def render_config_contexts():
    """Store the rendered configuration context of every device and VM, as the worker does after each change on a
    running system (rows loaded with COPY bypass it): lists then read the stored rendering instead of merging."""
    from extras.configcontexts import render_stale

    started = time.perf_counter()
    counts = render_stale(batch_size=5000)
    print(f'    configuration contexts rendered ({", ".join(f"{n:,} {label}" for label, n in counts.items())}) in '
          f'{time.perf_counter() - started:.1f} s', flush=True)


def vacuum_analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute('VACUUM (ANALYZE)')
        # Searches read GIN pending lists through until they are merged: merge what the load left there.
        cursor.execute("""SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i
                          JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
                          WHERE a.amname = 'gin'""")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--scale', type=float, default=1, help='units of scale (1: 1,000 devices); fractions work')
    parser.add_argument('--db', help='database name (default netbox_bench_s<scale>)')
    parser.add_argument('--fresh', action='store_true', help='drop and rebuild the database even if complete')
    parser.add_argument('--quiet', action='store_true', help='no progress bars')
    args = parser.parse_args()
    if args.scale <= 0:
        parser.error('--scale must be positive')
    db_name = args.db or default_db_name(args.scale)

    configure_django(db_name)
    comment = database_comment(db_name)
    if comment == complete_marker(args.scale) and not args.fresh:
        print(f'Database {db_name} already holds a complete scale-{args.scale:g} data set ({database_size(db_name)}); '
              f'--fresh rebuilds it.')
        return
    if comment is not None and not comment.startswith(MARKER) and not args.fresh:
        raise SystemExit(f'Database {db_name} exists and is not a bench data set; give --fresh to replace it.')

    started = time.perf_counter()
    print(f'Creating and migrating database {db_name}...', flush=True)
    create_migrated_database(db_name)
    migrated = time.perf_counter()
    print(f'    migrated in {migrated - started:.1f} s', flush=True)
    plan = Plan(args.scale)
    print(f'Generating: {plan.summary()}', flush=True)
    generate(args.scale, progress=not args.quiet)
    render_config_contexts()
    generated = time.perf_counter()
    print(f'    generated in {generated - migrated:.1f} s', flush=True)
    vacuum_analyze()
    set_comment(db_name, complete_marker(args.scale))
    done = time.perf_counter()
    print(f'    vacuum/analyze {done - generated:.1f} s')
    print(f'Done in {done - started:.1f} s: database {db_name}, {database_size(db_name)}.')


if __name__ == '__main__':
    main()
