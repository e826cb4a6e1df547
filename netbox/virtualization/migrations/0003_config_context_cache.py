"""
Pre-rendered configuration contexts (NetBox 4.7): devices and VMs keep their merged context, and the database
itself marks it stale (NULL, with a new token) whenever something it was merged from changes on the object's side:
the object's own site, location, type, role, platform, cluster, tenant or local data, its tags, its site's region or
group, its cluster's type or group, its tenant's group, or the shape of a tree (a region moved). Triggers see every
write path (saves, set-wise bulk writes, queryset updates, SQL), so a stale context is never served. Changes on the
contexts' side are handled in Python (extras.configcontexts), which knows which objects a context matches.
"""
import uuid

from django.db import migrations, models

OBJECT_TABLES = {
    'dcim_device': ('site_id', 'location_id', 'device_type_id', 'role_id', 'platform_id', 'cluster_id', 'tenant_id',
                    'local_context_data'),
    'virtualization_virtualmachine': ('site_id', 'role_id', 'platform_id', 'cluster_id', 'tenant_id',
                                      'local_context_data'),
}
STALE = 'config_context_data = NULL, config_context_token = gen_random_uuid()'
# A related row whose change reaches the objects through one of their keys: (table, its columns, the key).
RELATED = (
    ('dcim_site', ('region_id', 'group_id'), {'dcim_device': 'site_id', 'virtualization_virtualmachine': 'site_id'}),
    ('virtualization_cluster', ('type_id', 'group_id'),
     {'dcim_device': 'cluster_id', 'virtualization_virtualmachine': 'cluster_id'}),
    ('tenancy_tenant', ('group_id',), {'dcim_device': 'tenant_id', 'virtualization_virtualmachine': 'tenant_id'}),
)
TREES = ('dcim_region', 'dcim_sitegroup', 'dcim_location', 'dcim_devicerole', 'dcim_platform', 'tenancy_tenantgroup')
TAGGED = {'dcim_device': ('dcim', 'device'), 'virtualization_virtualmachine': ('virtualization', 'virtualmachine')}


def _row(prefix, columns):
    return '(' + ', '.join(f'{prefix}.{column}' for column in columns) + ')'


def forward_sql():
    statements = []
    for table, columns in OBJECT_TABLES.items():
        statements.append(f'''
        CREATE OR REPLACE FUNCTION netbox_config_context_guard_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {_row('OLD', columns)} IS DISTINCT FROM {_row('NEW', columns)} THEN
                NEW.config_context_data := NULL;
                NEW.config_context_token := gen_random_uuid();
            ELSIF current_setting('netbox.rendering_config_contexts', true) IS DISTINCT FROM 'on'
                  AND NEW.config_context_data IS NOT NULL THEN
                -- Only the renderer stores a context: a save never brings back one it read earlier.
                NEW.config_context_data := OLD.config_context_data;
                NEW.config_context_token := OLD.config_context_token;
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER netbox_config_context_stale BEFORE UPDATE ON {table} FOR EACH ROW
        WHEN ({_row('OLD', columns)} IS DISTINCT FROM {_row('NEW', columns)}
              OR NEW.config_context_token IS DISTINCT FROM OLD.config_context_token
              OR NEW.config_context_data IS DISTINCT FROM OLD.config_context_data)
        EXECUTE FUNCTION netbox_config_context_guard_{table}();''')
    for table, columns, keys in RELATED:
        updates = '\n'.join(
            f'UPDATE {target} SET {STALE} WHERE {key} IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id '
            f'WHERE {_row("o", columns)} IS DISTINCT FROM {_row("n", columns)});'
            for target, key in keys.items())
        statements.append(f'''
        CREATE OR REPLACE FUNCTION netbox_config_context_{table}_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {updates}
            RETURN NULL;
        END $$;
        CREATE TRIGGER netbox_config_context_stale AFTER UPDATE ON {table}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION netbox_config_context_{table}_changed();''')
    everything = '\n'.join(f'UPDATE {target} SET {STALE} WHERE config_context_data IS NOT NULL;'
                           for target in OBJECT_TABLES)
    statements.append(f'''
        CREATE OR REPLACE FUNCTION netbox_config_context_tree_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                       WHERE o.parent_id IS DISTINCT FROM n.parent_id) THEN
                {everything}
            END IF;
            RETURN NULL;
        END $$;''')
    for table in TREES:
        statements.append(f'''
        CREATE TRIGGER netbox_config_context_stale AFTER UPDATE ON {table}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION netbox_config_context_tree_changed();''')
    tagged = '\n'.join(
        f'UPDATE {target} t SET {STALE} FROM items i JOIN django_content_type c ON c.id = i.content_type_id '
        f"WHERE c.app_label = '{app}' AND c.model = '{model}' AND t.id = i.object_id;"
        for target, (app, model) in TAGGED.items())
    statements.append(f'''
        CREATE OR REPLACE FUNCTION netbox_config_context_tags_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {tagged}
            RETURN NULL;
        END $$;''')
    for event in ('INSERT', 'DELETE'):
        transition = 'NEW' if event == 'INSERT' else 'OLD'
        statements.append(f'''
        CREATE TRIGGER netbox_config_context_tags_{event.lower()} AFTER {event} ON extras_taggeditem
        REFERENCING {transition} TABLE AS items FOR EACH STATEMENT
        EXECUTE FUNCTION netbox_config_context_tags_changed();''')
    # The render job finds the stale rows through these.
    statements += [f'CREATE INDEX {table}_config_context_stale ON {table} (id) WHERE config_context_data IS NULL;'
                   for table in OBJECT_TABLES]
    return '\n'.join(statements)


def reverse_sql():
    tables = [*OBJECT_TABLES, *(table for table, _, _ in RELATED), *TREES]
    statements = [f'DROP TRIGGER IF EXISTS netbox_config_context_stale ON {table};' for table in tables]
    statements += [f'DROP TRIGGER IF EXISTS netbox_config_context_tags_{event} ON extras_taggeditem;'
                   for event in ('insert', 'delete')]
    statements += [f'DROP INDEX IF EXISTS {table}_config_context_stale;' for table in OBJECT_TABLES]
    statements += [f'DROP FUNCTION IF EXISTS netbox_config_context_guard_{table}();' for table in OBJECT_TABLES]
    statements += ['DROP FUNCTION IF EXISTS netbox_config_context_tree_changed();',
                   'DROP FUNCTION IF EXISTS netbox_config_context_tags_changed();']
    statements += [f'DROP FUNCTION IF EXISTS netbox_config_context_{table}_changed();' for table, _, _ in RELATED]
    return '\n'.join(statements)


class Migration(migrations.Migration):

    dependencies = [
        ('virtualization', '0002_vm_config_template'),
        ('dcim', '0009_config_context_cache'),
        ('tenancy', '0002_initial'),
        ('extras', '0008_journal_attachments'),
    ]

    operations = [
        migrations.AddField(
            model_name='virtualmachine',
            name='config_context_data',
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='virtualmachine',
            name='config_context_token',
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.RunSQL(forward_sql(), reverse_sql()),
    ]
