"""Before the first write: the database must match the manifest (drift) and hold no rows in our id ranges."""

from __future__ import annotations

import re

from aquadsl.runtime.errors import RuntimeFault
from aquadsl.targets.manifest import Manifest
from aquadsl.targets.sqlgen import qi

AQS_DRIFT, AQS_COLLISION, AQS_PLAN_VALUES = "AQS662", "AQS663", "AQS664"
MISMATCH = 1   # exit code: the input (mapping, manifest, database contents) does not fit

_SPELLING = {"varchar": "character varying", "timestamptz": "timestamp with time zone",
             "int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint", "bool": "boolean",
             "serial": "integer", "bigserial": "bigint", "float8": "double precision",
             "time": "time without time zone", "timestamp": "timestamp without time zone"}
_MAX_PK = {"integer": 2**31 - 1, "bigint": 2**63 - 1, "smallint": 2**15 - 1}


def normal_type(text: str) -> str:
    text = (text or "").lower().strip()
    text = re.sub(r"\bcheck\b.*$", "", text).strip()
    head, _, rest = text.partition("(")
    head = _SPELLING.get(head.strip(), head.strip())
    return (head + ("(" + rest if rest else "")).replace(" ", "")


def fault(code: str, message: str, *hints: str) -> RuntimeFault:
    return RuntimeFault(code, message, MISMATCH, hints)


def _db_columns(cur, schema: str, tables: list[str]) -> dict[str, dict[str, tuple[str, bool, bool]]]:
    cur.execute(
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "a.atthasdef OR a.attidentity <> '' "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped",
        [schema, tables])
    out: dict[str, dict] = {}
    for table, column, typ, notnull, default in cur.fetchall():
        out.setdefault(table, {})[column] = (typ, notnull, default)
    return out


def check_drift(cur, manifest: Manifest, schema: str, labels: list[str],
                written: dict[str, set[str]] | None = None) -> None:
    """One clear error naming the model and column at the first difference.

    With ``written`` (label -> columns the mapping writes), a nullable column nothing writes is only
    required to exist: its type cannot affect the load (AquaMind's own models and migrations disagree
    on the type of one such column).
    """
    if manifest.data.get("vendor") != "postgresql":
        raise fault(AQS_DRIFT, f"the manifest was probed with the {manifest.data.get('vendor')} backend, "
                               "not PostgreSQL", "probe again with --database URL of the target database")
    tables = {manifest.model(label)["db_table"]: label for label in labels}
    found = _db_columns(cur, schema, sorted(tables))
    for table, label in sorted(tables.items()):
        columns = found.get(table)
        if columns is None:
            raise fault(AQS_DRIFT, f"schema drift: {label}: table {schema}.{table} does not exist",
                        "migrate the target database, or probe again")
        fields = manifest.model(label)["fields"]
        for f in fields:
            loose = written is not None and f["null"] and f["column"] not in written.get(label, set())
            if loose and columns.get(f["column"]) is not None:
                continue
            _compare(label, f, columns.get(f["column"]))
        known = {f["column"] for f in fields}
        for column, (typ, notnull, default) in sorted(columns.items()):
            if column not in known and notnull and not default:
                raise fault(AQS_DRIFT, f"schema drift: {label}: column {table}.{column} ({typ}, NOT NULL) is not "
                                       "in the manifest", "probe the target again and check the mapping")


def _compare(label: str, f: dict, actual) -> None:
    where = f"{label}.{f['name']} (column {f['column']})"
    if actual is None:
        raise fault(AQS_DRIFT, f"schema drift: {where} is in the manifest but not in the database",
                    "migrate the target database, or probe again")
    typ, notnull, _ = actual
    if normal_type(f["db_type"]) != normal_type(typ):
        raise fault(AQS_DRIFT, f"schema drift: {where}: the manifest says {f['db_type']}, the database has {typ}",
                    "probe the target again (aquadsl target probe) and check the mapping")
    if notnull != (not f["null"]) and not f["primary_key"]:
        state = "NOT NULL" if notnull else "nullable"
        raise fault(AQS_DRIFT, f"schema drift: {where} is {state} in the database but not in the manifest",
                    "probe the target again (aquadsl target probe) and check the mapping")


def ranges(indexes: list[int], block: int) -> list[tuple[int, int]]:
    """Merged [lo, hi) id ranges of the batches at ``indexes``."""
    out: list[list[int]] = []
    for i in sorted(indexes):
        lo = (i + 1) * block
        if out and out[-1][1] == lo:
            out[-1][1] = lo + block
        else:
            out.append([lo, lo + block])
    return [(a, b) for a, b in out]


def check_collisions(cur, tables: dict[str, str], pks: dict[str, str], todo: dict[str, int],
                     blocks: dict[str, int]) -> None:
    """No row may exist yet in the id range of a batch still to load (label -> qualified table)."""
    for label, table in tables.items():
        block = blocks[label]
        lows = [(i + 1) * block for i in sorted(todo.values())]
        if not lows:
            return
        by_low = {(i + 1) * block: b for b, i in todo.items()}
        pk = qi(pks[label])
        cur.execute(f"SELECT b.lo FROM unnest(%s::bigint[]) AS b(lo) WHERE EXISTS "
                    f"(SELECT 1 FROM {table} t WHERE t.{pk} >= b.lo AND t.{pk} < b.lo + %s) ORDER BY 1 LIMIT 1",
                    [lows, block])
        row = cur.fetchone()
        if row:
            lo = row[0]
            raise fault(AQS_COLLISION, f"{label} ({table}) already holds rows with ids in {lo}..{lo + block - 1}, "
                                       f"the range aquadsl writes for batch {by_low[lo]}; nothing was written",
                        "delete those rows, or choose another id_block in the mapping's target block")


def advance_sequences(cur, tables: dict[str, str], pks: dict[str, str], types: dict[str, str],
                      blocks: dict[str, int], batches: int) -> None:
    """Move each table's id sequence past every id the plan can use, so the application's inserts never collide."""
    for label, table in tables.items():
        top = (batches + 1) * blocks[label]
        limit = _MAX_PK.get(normal_type(types[label]))
        if limit is not None and top > limit:
            raise fault(AQS_COLLISION, f"{label}: ids up to {top} do not fit its {types[label]} primary key",
                        "lower id_block in the mapping's target block")
        cur.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pks[label]])
        seq = cur.fetchone()[0]
        if seq:
            cur.execute(f"SELECT setval(%s, GREATEST(%s, COALESCE(pg_sequence_last_value(%s::regclass), 1), "
                        f"(SELECT COALESCE(max({qi(pks[label])}), 1) FROM {table})))", [seq, top, seq])


def check_trusted(cur, schema: str, tables: list[str]) -> None:
    """`foreign_keys trusted` switches triggers off per batch: refuse if the role may not, or if any
    table has a trigger of its own (which would then be skipped silently)."""
    cur.execute("SAVEPOINT aqs_trust")
    try:
        cur.execute("SET LOCAL session_replication_role = replica")
    except Exception as exc:  # noqa: BLE001 - the driver's permission error
        cur.execute("ROLLBACK TO SAVEPOINT aqs_trust")
        raise fault(AQS_DRIFT, "foreign_keys trusted needs a role that may set session_replication_role "
                               f"({' '.join(str(exc).split())[:120]})",
                    "connect as a superuser (or GRANT SET ON PARAMETER session_replication_role), "
                    "or write `foreign_keys checked`") from None
    cur.execute("RELEASE SAVEPOINT aqs_trust")
    cur.execute("SET LOCAL session_replication_role = origin")
    cur.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = ANY(%s) AND NOT t.tgisinternal ORDER BY 1, 2",
                [schema, tables])
    row = cur.fetchone()
    if row:
        raise fault(AQS_DRIFT, f"table {row[0]} has trigger {row[1]}, which foreign_keys trusted would skip",
                    "write `foreign_keys checked` in the target block")
