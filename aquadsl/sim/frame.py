"""Columnar row blocks: typed numpy columns in SCHEMA order, assembled from per-stay parts."""

from __future__ import annotations

import numpy as np

from aquadsl.sim.layout import Stay
from aquadsl.sim.schema import SCHEMA

Columns = dict[str, np.ndarray]
BatchRows = dict[str, Columns]

# str columns are object arrays of Python str; dates datetime64[D]; timestamps datetime64[s] (UTC).
DTYPES = {"str": object, "int": np.int64, "float": np.float64, "date": "datetime64[D]",
          "datetime": "datetime64[s]"}


def constant(value: object, rows: int) -> np.ndarray:
    """A column holding one value in every row (object dtype for strings)."""
    out = np.empty(rows, dtype=object)
    out.fill(value)
    return out


def assigned(batch_id: str, stay: Stay, per_container: int) -> Columns:
    """batch_id, assignment_no and container for ``per_container`` consecutive rows per container."""
    rows = stay.n * per_container
    names = np.empty(stay.n, dtype=object)
    names[:] = stay.containers
    return {
        "batch_id": constant(batch_id, rows),
        "assignment_no": np.repeat(np.arange(stay.first_assignment, stay.first_assignment + stay.n,
                                             dtype=np.int64), per_container),
        "container": np.repeat(names, per_container),
    }


def assemble(table: str, parts: list[Columns]) -> Columns:
    """Concatenate parts into one table with exactly the SCHEMA columns, in order, typed."""
    wanted = [column for column, _ in SCHEMA[table]]
    for part in parts:
        if sorted(part) != sorted(wanted):
            raise ValueError(f"{table}: columns {sorted(part)} differ from the schema's {sorted(wanted)}")
    out: Columns = {}
    for column, kind in SCHEMA[table]:
        dtype = DTYPES[kind]
        pieces = [np.asarray(p[column]) for p in parts]
        for piece in pieces:
            if kind == "str" and piece.dtype != object:
                raise TypeError(f"{table}.{column}: expected an object array of str")
        out[column] = np.concatenate(pieces).astype(dtype, copy=False) if pieces \
            else np.empty(0, dtype=dtype)
    lengths = {len(v) for v in out.values()}
    if len(lengths) > 1:
        raise ValueError(f"{table}: columns of different lengths {sorted(lengths)}")
    return out


def row_counts(rows: BatchRows) -> dict[str, int]:
    """Rows per table (the length of each table's first column)."""
    return {table: len(next(iter(cols.values()))) if cols else 0 for table, cols in rows.items()}
