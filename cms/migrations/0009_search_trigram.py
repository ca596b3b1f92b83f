"""Trigram indexes for searching Chinese text with ILIKE on PostgreSQL (pg_trgm). Chinese has no
spaces between words, so full-text search by word does not apply; trigram GIN indexes serve
substring matches. SQLite (the embedded default) does without."""

from django.db import migrations

TABLES = ["cms_livearticle", "cms_livehotline", "cms_livehospital"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("cms", "0008_live_indexes")]

    operations = [migrations.RunPython(create, drop)]
