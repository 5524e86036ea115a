"""Triggers that set a programme's figures version (``programmes.FiguresVersion``) anew on every
write to a record its figures and attendance sheets are computed from.

Each source table names, for a written row ``R`` (``NEW`` or ``OLD``), the programmes the row
belongs to; an insert, an update (the row before and after) and a delete each give those
programmes a new random 64-bit version. The SQL is written here rather than imported, so that
this migration stays what it was when the code around it changes.

On PostgreSQL the triggers are deferred constraint triggers: they run at commit, after every
other lock the transaction takes, so that waiting for a programme's version row (held by
another transaction until its commit) never closes a deadlock. SQLite writes one transaction
at a time.

SQLite drops a table's triggers when a migration rebuilds the table (most column changes do):
``tests/sessions/test_figures_version.py`` checks that every trigger is there once all the
migrations have run; a later migration that rebuilds one of these tables creates its triggers
again with ``create_triggers``.
"""

from django.conf import settings
from django.db import migrations

VERSION_TABLE = "programmes_figuresversion"

# table: the programmes of row R, as a SELECT of one column named programme_id.
SOURCES = {
    "training_attendance": (
        "SELECT d.programme_id AS programme_id FROM training_slot s "
        "JOIN training_trainingday d ON d.id = s.day_id WHERE s.id = R.slot_id"
    ),
    "training_slot": "SELECT programme_id FROM training_trainingday WHERE id = R.day_id",
    "training_trainingday": "SELECT R.programme_id AS programme_id",
    "participants_participant": "SELECT R.programme_id AS programme_id",
    "training_expectedspan": (
        "SELECT programme_id FROM participants_participant WHERE id = R.participant_id"
    ),
    # A city's name shows in the figures of every programme with a trainee from it.
    "programmes_city": (
        "SELECT DISTINCT programme_id FROM participants_participant WHERE city_id = R.id"
    ),
    # The peer groups' names head the sheets' groups.
    "participants_peergroup": "SELECT R.programme_id AS programme_id",
    # A new programme (whose id SQLite may give again after a delete) starts a version.
    "programmes_programme": "SELECT R.id AS programme_id",
    # Who marked a line shows on the sheets of every programme they marked lines in.
    "auth_user": (
        "SELECT DISTINCT d.programme_id AS programme_id FROM training_attendance a "
        "JOIN training_slot s ON s.id = a.slot_id "
        "JOIN training_trainingday d ON d.id = s.day_id WHERE a.recorded_by_id = R.id"
    ),
}
OPERATIONS = ("insert", "update", "delete")
# Tables where only some writes count: the operations, and the columns of an update.
ONLY = {"auth_user": (("update",), ("first_name", "last_name", "username"))}


def _operations(table: str) -> tuple[str, ...]:
    return ONLY[table][0] if table in ONLY else OPERATIONS


def _event(table: str, operation: str) -> str:
    """``INSERT``, ``DELETE``, or ``UPDATE`` (``UPDATE OF`` its columns where only some count)."""
    if operation == "update" and table in ONLY:
        return f"UPDATE OF {', '.join(ONLY[table][1])}"
    return operation.upper()


def trigger_names() -> list[str]:
    return [
        f"figures_{table}_{operation}" for table in SOURCES for operation in _operations(table)
    ]


def _programmes(table: str, row: str) -> str:
    return SOURCES[table].replace("R.", f"{row}.")


def _sqlite(table: str, operation: str) -> tuple[str, str]:
    rows = {"insert": ["NEW"], "update": ["NEW", "OLD"], "delete": ["OLD"]}[operation]
    selected = " UNION ".join(_programmes(table, row) for row in rows)
    name = f"figures_{table}_{operation}"
    create = (
        f"CREATE TRIGGER {name} AFTER {_event(table, operation)} ON {table} BEGIN "
        f"INSERT OR REPLACE INTO {VERSION_TABLE} (programme_id, version) "
        f"SELECT programme_id, random() FROM ({selected}) WHERE programme_id IS NOT NULL; END"
    )
    return create, f"DROP TRIGGER IF EXISTS {name}"


def _postgresql_function(table: str) -> tuple[str, str]:
    def upsert(row: str) -> str:
        return (
            f"INSERT INTO {VERSION_TABLE} (programme_id, version) "
            f"SELECT programme_id, (random() * 9.2e18)::bigint "
            f"FROM ({_programmes(table, row)}) AS written WHERE programme_id IS NOT NULL "
            f"ON CONFLICT (programme_id) DO UPDATE SET version = EXCLUDED.version;"
        )

    create = (
        f"CREATE OR REPLACE FUNCTION figures_{table}() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP <> 'DELETE' THEN {upsert('NEW')} END IF; "
        f"IF TG_OP <> 'INSERT' THEN {upsert('OLD')} END IF; "
        f"RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    return create, f"DROP FUNCTION IF EXISTS figures_{table}()"


def _postgresql(table: str, operation: str) -> tuple[str, str]:
    name = f"figures_{table}_{operation}"
    create = (
        f"CREATE CONSTRAINT TRIGGER {name} AFTER {_event(table, operation)} ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_{table}()"
    )
    return create, f"DROP TRIGGER IF EXISTS {name} ON {table}"


def create_triggers(apps, schema_editor, tables=tuple(SOURCES)) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(_postgresql_function(table)[0])
        builder = _postgresql if vendor == "postgresql" else _sqlite
        for operation in _operations(table):
            create, drop = builder(table, operation)
            schema_editor.execute(drop)
            schema_editor.execute(create)


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    builder = _postgresql if vendor == "postgresql" else _sqlite
    for table in SOURCES:
        for operation in _operations(table):
            schema_editor.execute(builder(table, operation)[1])
        if vendor == "postgresql":
            schema_editor.execute(_postgresql_function(table)[1])


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("participants", "0004_evaluation_questionnaires"),
        ("programmes", "0013_figures_version"),
        ("training", "0008_attendance_counted_index"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
