"""Records that never change （留痕）： which tables are part of the record, and how PostgreSQL holds
them to it.

A model is part of the record when it declares `record_rule` (every `AppendOnlyModel` does):

- `APPEND_ONLY`: a row is written once; UPDATE and DELETE are refused.
- `set_once(Opening(...), ...)`: the row is never deleted and its columns never change, except
  the columns of an opening while the opening's condition holds for the row as it was (OLD), e.g.
  a consultation's answer, text and time while the answer is still pending: one step, once.
- `custom(settled=...)`: a hand-written trigger (published notices, locked minutes, read
  receipts) that refuses every change on the rows `settled` selects, except the `free` columns.

Every record table also refuses TRUNCATE (a statement trigger). The triggers are created by each
app's migrations with the SQL built here; tests/test_records.py lists the record models from
their declarations and checks on PostgreSQL that each refuses UPDATE, DELETE and TRUNCATE.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import migrations, models


@dataclass(frozen=True)
class Opening:
    columns: tuple[str, ...]
    # SQL over OLD: while it holds, these columns may still be written.
    while_old: str


@dataclass(frozen=True)
class RecordRule:
    kind: str
    openings: tuple[Opening, ...] = ()
    # SQL selecting the rows on which nothing (but `free`) may change any more.
    settled: str = "TRUE"
    free: tuple[str, ...] = ()


APPEND_ONLY = RecordRule("append_only")


def set_once(*openings: Opening, settled: str) -> RecordRule:
    return RecordRule("set_once", openings=openings, settled=settled)


def custom(*, settled: str, free: tuple[str, ...] = ()) -> RecordRule:
    return RecordRule("custom", settled=settled, free=free)


def record_models() -> list[type[models.Model]]:
    """Every model that is part of the record, from the declarations."""
    return [m for m in apps.get_models() if getattr(m, "record_rule", None) is not None]


# --- the SQL the migrations run (PostgreSQL only) -------------------------------------------------

# core/migrations/0003_append_only_audit.py defines yishi_refuse_change(), which refuses whatever
# fires it; as a statement trigger it refuses TRUNCATE.


def no_truncate(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION yishi_refuse_change();"
    )


def drop_no_truncate(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"


def append_only(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();"
    )


def drop_append_only(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"


def set_once_trigger(table: str, openings: list[tuple[list[str], str]]) -> str:
    """A row trigger refusing DELETE and any change outside the openings that are open on OLD.

    The row is compared as JSON with the open columns taken out, so a column added to the table
    later is held like the others without touching this trigger."""
    opens = "\n".join(
        f"    IF {condition} THEN\n        writable := writable || ARRAY[{', '.join(repr(c) for c in columns)}];\n    END IF;"
        for columns, condition in openings
    )
    return f"""
CREATE OR REPLACE FUNCTION yishi_record_{table}() RETURNS trigger AS $$
DECLARE
    writable text[] := ARRAY[]::text[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION USING
            MESSAGE = 'table ' || TG_TABLE_NAME || ' is part of the record: DELETE refused',
            ERRCODE = 'insufficient_privilege';
    END IF;
{opens}
    IF (to_jsonb(NEW) - writable) IS DISTINCT FROM (to_jsonb(OLD) - writable) THEN
        RAISE EXCEPTION USING
            MESSAGE = 'table ' || TG_TABLE_NAME || ' is part of the record: row ' || OLD.id
                || ' may change only ' || array_to_string(writable, ', '),
            ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_record BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION yishi_record_{table}();
"""


def drop_set_once_trigger(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_record ON {table}; DROP FUNCTION IF EXISTS yishi_record_{table}();"


def install(
    *,
    append_only_tables: tuple[str, ...] = (),
    set_once_tables: dict[str, list[tuple[list[str], str]]] | None = None,
    no_truncate_tables: tuple[str, ...] = (),
) -> migrations.RunPython:
    """The migration operation creating these triggers (a no-op on SQLite). Migrations pass the
    tables and openings as literals: what a migration did stays what it did."""
    set_once_tables = set_once_tables or {}

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in append_only_tables:
            schema_editor.execute(append_only(table))
        for table, openings in set_once_tables.items():
            schema_editor.execute(set_once_trigger(table, openings))
        for table in no_truncate_tables:
            schema_editor.execute(no_truncate(table))

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in append_only_tables:
            schema_editor.execute(drop_append_only(table))
        for table in set_once_tables:
            schema_editor.execute(drop_set_once_trigger(table))
        for table in no_truncate_tables:
            schema_editor.execute(drop_no_truncate(table))

    return migrations.RunPython(forward, backward)
