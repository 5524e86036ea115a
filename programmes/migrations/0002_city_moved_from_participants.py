"""City moved from ``participants`` down to ``programmes`` (a place that applies).

The initial migrations were edited so that a new database creates ``programmes_city`` in
``programmes.0001`` and no migration of ``programmes`` depends on another app of ours. A database
created before that change still holds its cities in ``participants_city`` (the foreign keys of
participants and applications point at it) and has no ``programmes_city``: this migration renames
the table, which keeps every id and every foreign key (PostgreSQL and SQLite 3.26+ follow a
renamed table), and moves the content type ``participants.city`` to ``programmes.city`` so that
permissions and admin history stay attached. On a new database it does nothing.
"""

from django.db import migrations

OLD_TABLE = "participants_city"
NEW_TABLE = "programmes_city"


def move_city_table(apps, schema_editor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if OLD_TABLE not in tables:
            return
        quote = schema_editor.quote_name
        if NEW_TABLE in tables:
            # Only an empty table made by the new initial migration may be replaced; two tables
            # both holding cities cannot be merged without a person deciding.
            cursor.execute(f"SELECT COUNT(*) FROM {quote(NEW_TABLE)}")  # noqa: S608
            if cursor.fetchone()[0]:
                raise RuntimeError(
                    f"Both {OLD_TABLE} and {NEW_TABLE} hold cities: merge them by hand, then "
                    "drop the one left over."
                )
            schema_editor.execute(schema_editor.sql_delete_table % {"table": quote(NEW_TABLE)})
    schema_editor.execute(
        schema_editor.sql_rename_table
        % {"old_table": quote(OLD_TABLE), "new_table": quote(NEW_TABLE)}
    )
    _move_content_type(apps, schema_editor.connection.alias)


def _move_content_type(apps, alias: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    old = content_type.objects.using(alias).filter(app_label="participants", model="city").first()
    if old is None:
        return
    # A ``programmes.city`` type made since (by post_migrate) holds nothing yet but its default
    # permissions: drop it so the old one, with the grants and admin history, takes its place.
    made_since = content_type.objects.using(alias).filter(app_label="programmes", model="city")
    apps.get_model("auth", "Permission").objects.using(alias).filter(
        content_type__in=made_since
    ).delete()
    made_since.delete()
    old.app_label = "programmes"
    old.save(update_fields=["app_label"])


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0001_initial"),
    ]

    # Going back leaves ``programmes_city`` where it is: the initial migrations that stay
    # applied are the new ones, which expect the cities there.
    operations = [migrations.RunPython(move_city_table, migrations.RunPython.noop)]
