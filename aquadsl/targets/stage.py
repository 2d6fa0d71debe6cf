"""Stage one row family into a temporary table with binary COPY (PostgreSQL never WAL-logs temp tables)."""

from __future__ import annotations

import numpy as np

from aquadsl.runtime.encode import Prepared, _normalise, encode_copy_binary
from aquadsl.runtime.loader import COPY_CHUNK
from aquadsl.runtime.tables import Column, TableSpec
from aquadsl.runtime.encode import ChunkReader
from aquadsl.targets.families import ENTITY
from aquadsl.targets.sqlgen import qi


def stage_name(family: str) -> str:
    return qi(f"aqs_stage_{family}")


def family_arrays(cols: dict, wanted: list[tuple[str, str]], infra: dict[str, dict]) -> tuple[int, dict]:
    """The staged columns of one family: its own columns, entity attributes (``container.unit``), ``_row``."""
    n = len(next(iter(cols.values()))) if cols else 0
    out = {"_row": np.arange(1, n + 1, dtype=np.int64)}
    for name, pgtype in wanted:
        if "." in name:
            out[name] = _attribute(cols, name, infra, n)
        else:
            out[name] = cols[name]
    return n, out


def _attribute(cols: dict, path: str, infra: dict[str, dict], n: int) -> np.ndarray:
    """``entity.attr`` for every row: the names are factorised once, then each distinct one is looked up."""
    column, attr = path.split(".", 1)
    rows = infra[ENTITY[column]]
    table = dict(zip(rows["name"], rows[attr]))
    names = np.asarray(cols[column], dtype=object)
    uniq, inverse = np.unique(names.astype(str), return_inverse=True)
    values = np.array([table.get(u) for u in uniq.tolist()], dtype=object)
    return values[inverse] if n else np.empty(0, dtype=object)


def copy_family(cur, family: str, n: int, arrays: dict, wanted: list[tuple[str, str]]) -> None:
    """CREATE TEMP TABLE … ON COMMIT DROP, then COPY the rows in (binary)."""
    columns = [("_row", "int8")] + list(wanted)
    ddl = ", ".join(f"{qi(c)} {t}" for c, t in columns)
    cur.execute(f"CREATE TEMP TABLE {stage_name(family)} ({ddl}) ON COMMIT DROP")
    if not n:
        return
    spec = TableSpec(family, f"aqs_stage_{family}",
                     tuple(Column(c, c, "value", t, True) for c, t in columns))
    prepared = Prepared(spec, n, {c: _normalise(t, arrays[c]) for c, t in columns})
    names = ", ".join(qi(c) for c, _ in columns)
    cur.copy_expert(f"COPY {stage_name(family)} ({names}) FROM STDIN WITH (FORMAT binary)",
                    ChunkReader(encode_copy_binary(prepared)), size=COPY_CHUNK)
