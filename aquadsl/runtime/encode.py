"""Turn one batch's simulated columns into database-ready columns, PostgreSQL binary COPY or SQLite rows.

All work is vectorised with numpy. Text columns have few distinct values, so the binary encoder
groups rows by their text (and NULL) pattern and writes each group as one packed record array;
rows keep their explicit ids, so the order in which groups are written does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from aquadsl.runtime.tables import ROW_BLOCK, TableSpec

PG_EPOCH_DAY = np.datetime64("2000-01-01", "D")
PG_EPOCH_US = np.datetime64("2000-01-01T00:00:00", "us")
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
COPY_TRAILER = b"\xff\xff"

_FIXED = {"int8": (">i8", 8), "int4": (">i4", 4), "float8": (">f8", 8), "bool": ("?", 1),
          "date": (">i4", 4), "timestamptz": (">i8", 8)}
_INT4 = (-(2**31), 2**31 - 1)


class LoadError(ValueError):
    """Rows that cannot be stored: an unknown name, a NULL where none is allowed, a value out of range."""


@dataclass
class Lookups:
    """Name -> id maps of the infrastructure the rows refer to (plain data, sent to workers)."""

    container: dict[str, int]
    stage: dict[str, int]
    parameter: dict[str, int]
    feed_type: dict[str, int]
    geography: dict[str, int]
    sensor_grid: np.ndarray = field(repr=False)   # [container id, parameter id] -> sensor id (0: none)


@dataclass
class Prepared:
    """One table of one batch, database-ready: a normalised array per column."""

    spec: TableSpec
    n: int
    arrays: dict[str, np.ndarray]


def _resolve(values: np.ndarray, mapping: dict[str, int], what: str, table: str) -> np.ndarray:
    try:
        return np.fromiter(map(mapping.__getitem__, values.tolist()), np.int64, len(values))
    except KeyError as exc:
        raise LoadError(f"{table}: unknown {what} {exc.args[0]!r} (not in the plan's infrastructure)") from None


def _normalise(pgtype: str, values) -> np.ndarray:
    if pgtype in ("int8", "int4"):
        return np.asarray(values, dtype=np.int64)
    if pgtype == "float8":
        return np.asarray(values, dtype=np.float64)
    if pgtype == "bool":
        return np.asarray(values).astype(bool)
    if pgtype == "date":
        return np.asarray(values, dtype="datetime64[D]")
    if pgtype == "timestamptz":
        return np.asarray(values, dtype="datetime64[us]")
    arr = np.asarray(values, dtype=object)
    return arr


def null_mask(pgtype: str, arr: np.ndarray) -> np.ndarray | None:
    """Which entries are NULL (NaN, NaT or None), or None if none can be."""
    if pgtype == "float8":
        mask = np.isnan(arr)
    elif pgtype in ("date", "timestamptz"):
        mask = np.isnat(arr)
    elif pgtype == "text":
        mask = np.fromiter((v is None for v in arr.tolist()), bool, len(arr))
    else:
        return None
    return mask if mask.any() else None


def _column_values(spec: TableSpec, col, cols: dict, n: int, base: int, batch_pk: int,
                   lookups: Lookups, resolved: dict) -> np.ndarray:
    if col.kind == "id":
        if spec.table == "batches":
            return np.full(n, batch_pk, dtype=np.int64)
        if spec.table == "assignments":
            return base + np.asarray(cols["assignment_no"], dtype=np.int64)
        return base + np.arange(1, n + 1, dtype=np.int64)
    if col.kind == "batch":
        return np.full(n, batch_pk, dtype=np.int64)
    if col.kind == "assignment":
        return base + np.asarray(cols["assignment_no"], dtype=np.int64)
    if col.kind == "sensor":
        return _sensors(spec, cols, lookups, resolved)
    if col.kind.startswith("ref:"):
        return _ref(spec, cols, col.source, col.kind[4:], lookups, resolved)
    return _normalise(col.pgtype, cols[col.source])


def _ref(spec: TableSpec, cols: dict, source: str, what: str, lookups: Lookups, resolved: dict) -> np.ndarray:
    """Ids for the names in column ``source``, resolved once per table."""
    if source not in resolved:
        values = np.asarray(cols[source], dtype=object)
        resolved[source] = _resolve(values, getattr(lookups, what), what, spec.table)
    return resolved[source]


def _sensors(spec: TableSpec, cols: dict, lookups: Lookups, resolved: dict) -> np.ndarray:
    containers = _ref(spec, cols, "container", "container", lookups, resolved)
    params = _ref(spec, cols, "parameter", "parameter", lookups, resolved)
    grid = lookups.sensor_grid
    inside = (containers < grid.shape[0]) & (params < grid.shape[1])
    sensors = np.zeros(len(containers), dtype=np.int64)
    sensors[inside] = grid[containers[inside], params[inside]]
    if not sensors.all():
        i = int(np.flatnonzero(sensors == 0)[0])
        raise LoadError(f"{spec.table}: container {cols['container'][i]!r} has no "
                        f"{cols['parameter'][i]!r} sensor")
    return sensors


def prepare(spec: TableSpec, cols: dict, batch_index: int, lookups: Lookups) -> Prepared:
    """Database-ready columns for one table of one batch (ids, foreign keys, normalised values)."""
    n = len(next(iter(cols.values())))
    base, batch_pk = (batch_index + 1) * ROW_BLOCK, batch_index + 1
    arrays, resolved = {}, {}
    for col in spec.columns:
        arr = _column_values(spec, col, cols, n, base, batch_pk, lookups, resolved)
        if len(arr) != n:
            raise LoadError(f"{spec.table}.{col.name}: {len(arr)} values for {n} rows")
        if not col.nullable and null_mask(col.pgtype, arr) is not None:
            raise LoadError(f"{spec.table}.{col.name}: NULL (NaN or missing) value in a required column")
        if col.pgtype == "int4" and n and (arr.min() < _INT4[0] or arr.max() > _INT4[1]):
            raise LoadError(f"{spec.table}.{col.name}: value out of the 32-bit integer range")
        arrays[col.name] = arr
    return Prepared(spec, n, arrays)


# ------------------------------------------------------------------ PostgreSQL
def _pg_fixed(pgtype: str, arr: np.ndarray) -> np.ndarray:
    if pgtype == "date":
        return (arr - PG_EPOCH_DAY).astype(np.int64)
    if pgtype == "timestamptz":
        return (arr - PG_EPOCH_US).astype(np.int64)
    return arr


def _factorize(values: list) -> tuple[np.ndarray, list]:
    index: dict = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), np.int64, len(values))
    return codes, list(index)


def _variants(prep: Prepared) -> list[tuple[int, np.ndarray | None, list]]:
    """Per column: (column position, per-row variant code or None, the payload of each variant)."""
    out = []
    for i, col in enumerate(prep.spec.columns):
        arr = prep.arrays[col.name]
        if col.pgtype == "text":
            codes, cats = _factorize(arr.tolist())
            out.append((i, codes, [None if c is None else str(c).encode("utf-8") for c in cats]))
        elif col.nullable:
            mask = null_mask(col.pgtype, arr)
            if mask is not None:
                out.append((i, mask.astype(np.int64), ["value", None]))
    return out


class ChunkReader:
    """A read-only file over a list of buffers, so COPY streams them without joining them first."""

    def __init__(self, chunks: list):
        self._chunks = [memoryview(c).cast("B") for c in chunks]
        self._i = 0
        self._pos = 0

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self._chunks)

    def read(self, size: int = -1) -> bytes:
        out = []
        want = size if size >= 0 else sum(c.nbytes for c in self._chunks)
        while want > 0 and self._i < len(self._chunks):
            chunk = self._chunks[self._i]
            take = min(want, chunk.nbytes - self._pos)
            out.append(chunk[self._pos:self._pos + take])
            self._pos += take
            want -= take
            if self._pos == chunk.nbytes:
                self._i, self._pos = self._i + 1, 0
        return b"".join(out)


def encode_copy_binary(prep: Prepared) -> list:
    """The table as a PostgreSQL ``COPY ... FROM STDIN (FORMAT binary)`` stream, as a list of buffers."""
    if prep.n == 0:
        return [COPY_HEADER, COPY_TRAILER]
    columns = prep.spec.columns
    fixed = [_pg_fixed(c.pgtype, prep.arrays[c.name]) if c.pgtype != "text" else None for c in columns]
    variants = _variants(prep)
    combined = np.zeros(prep.n, dtype=np.int64)
    for _, codes, payloads in variants:
        combined = combined * len(payloads) + codes
    groups, inverse = np.unique(combined, return_inverse=True)
    chunks = [COPY_HEADER]
    for g, key in enumerate(groups.tolist()):
        rows = slice(None) if len(groups) == 1 else np.flatnonzero(inverse == g)
        payload = {}
        for i, _, payloads in reversed(variants):
            key, code = divmod(key, len(payloads))
            payload[i] = payloads[code]
        chunks.append(_encode_group(columns, fixed, payload, rows, prep.n))
    chunks.append(COPY_TRAILER)
    return chunks


def _encode_group(columns, fixed, payload: dict, rows, n: int) -> np.ndarray:
    dtype = [("n", ">i2")]
    for i, col in enumerate(columns):
        dtype.append((f"l{i}", ">i4"))
        value = payload.get(i, "value")
        if value is None:
            continue
        if col.pgtype == "text":
            if value:
                dtype.append((f"v{i}", f"S{len(value)}"))
        else:
            dtype.append((f"v{i}", _FIXED[col.pgtype][0]))
    count = n if isinstance(rows, slice) else len(rows)
    rec = np.empty(count, dtype=np.dtype(dtype))
    rec["n"] = len(columns)
    for i, col in enumerate(columns):
        value = payload.get(i, "value")
        if value is None:
            rec[f"l{i}"] = -1
        elif col.pgtype == "text":
            rec[f"l{i}"] = len(value)
            if value:
                rec[f"v{i}"] = value
        else:
            rec[f"l{i}"] = _FIXED[col.pgtype][1]
            rec[f"v{i}"] = fixed[i][rows]
    return rec.view(np.uint8)


# ---------------------------------------------------------------------- SQLite
def _sqlite_array(pgtype: str, arr: np.ndarray) -> np.ndarray:
    """Values whose ``tolist()`` gives what Django stores in SQLite (ISO text dates, 0/1 booleans)."""
    if pgtype == "bool":
        return arr.astype(np.int64)
    if pgtype not in ("date", "timestamptz"):
        return arr
    mask = np.isnat(arr)
    if pgtype == "date":
        text = np.datetime_as_string(arr, unit="D")
    else:
        whole = not (arr.astype(np.int64) % 1_000_000).any()
        text = np.datetime_as_string(arr, unit="s" if whole else "us")
        if len(text):
            # Django writes "YYYY-MM-DD HH:MM:SS"; a 'T' would break text comparisons in SQL.
            text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
    if mask.any():
        text = text.astype(object)
        text[mask] = None
    return text


def sqlite_arrays(prep: Prepared) -> list[np.ndarray]:
    """Columns ready for ``executemany`` (after ``tolist``), in the spec's column order."""
    return [_sqlite_array(c.pgtype, prep.arrays[c.name]) for c in prep.spec.columns]
