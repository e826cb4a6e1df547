"""PostgreSQL's pg_trgm extension, for the trigram indexes of the search (netbox/netbox/search.py)."""
from django.db import migrations


def enable_pg_trgm(apps, schema_editor):
    from netbox.search import ensure_extension

    ensure_extension(schema_editor.connection, 'pg_trgm')


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    # Left in place on the way back: other database objects (the search indexes) may use it.
    operations = [migrations.RunPython(enable_pg_trgm, migrations.RunPython.noop, elidable=False)]
