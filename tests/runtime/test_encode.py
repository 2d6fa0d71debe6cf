"""The encoders: PostgreSQL binary COPY streams and SQLite rows, checked by decoding them back."""

from __future__ import annotations

import datetime as dt
import struct

import numpy as np
import pytest

from aquadsl.runtime.encode import (
    ChunkReader, LoadError, Lookups, Prepared, encode_copy_binary, prepare, sqlite_arrays,
)
from aquadsl.runtime.tables import ROW_BLOCK, Column, TableSpec

SPEC = TableSpec("demo", "farm_demo", (
    Column("id", None, "id", "int8", False),
    Column("n", "n", "value", "int4", False),
    Column("x", "x", "value", "float8", True),
    Column("day", "day", "value", "date", True),
    Column("ts", "ts", "value", "timestamptz", False),
    Column("flag", "flag", "value", "bool", False),
    Column("label", "label", "value", "text", False),
))


def _rows():
    return {
        "n": np.array([1, -2, 3]),
        "x": np.array([1.5, np.nan, -0.25]),
        "day": np.array(["2024-02-29", "NaT", "2000-01-01"], dtype="datetime64[D]"),
        "ts": np.array(["2024-01-01T08:00:00", "1999-12-31T23:59:59", "2000-01-01T00:00:01"],
                       dtype="datetime64[s]"),
        "flag": np.array([1, 0, 1]),
        "label": np.array(["NATURAL", "ÆØÅ", "NATURAL"], dtype=object),
    }


def _lookups() -> Lookups:
    return Lookups(container={}, stage={}, parameter={}, feed_type={}, geography={},
                   sensor_grid=np.zeros((1, 1), dtype=np.int64))


def decode_copy(data: bytes) -> list[list[bytes | None]]:
    """A minimal reader of PostgreSQL's binary COPY format."""
    assert data[:11] == b"PGCOPY\n\xff\r\n\x00"
    pos, rows = 19, []
    while True:
        (count,) = struct.unpack_from(">h", data, pos)
        pos += 2
        if count == -1:
            assert pos == len(data)
            return rows
        row = []
        for _ in range(count):
            (size,) = struct.unpack_from(">i", data, pos)
            pos += 4
            row.append(None if size == -1 else data[pos:pos + size])
            pos += max(size, 0)
        rows.append(row)


def _field(kind: str, raw: bytes | None):
    if raw is None:
        return None
    fmt = {"int8": ">q", "int4": ">i", "float8": ">d", "bool": ">?", "date": ">i", "timestamptz": ">q"}
    if kind == "text":
        return raw.decode("utf-8")
    value = struct.unpack(fmt[kind], raw)[0]
    if kind == "date":
        return dt.date(2000, 1, 1) + dt.timedelta(days=value)
    if kind == "timestamptz":
        return dt.datetime(2000, 1, 1) + dt.timedelta(microseconds=value)
    return value


def test_binary_copy_round_trips_every_type_and_null():
    prep = prepare(SPEC, _rows(), batch_index=4, lookups=_lookups())
    data = ChunkReader(encode_copy_binary(prep)).read()
    decoded = sorted([_field(c.pgtype, raw) for c, raw in zip(SPEC.columns, row)]
                     for row in decode_copy(data))
    base = 5 * ROW_BLOCK
    assert decoded == [
        [base + 1, 1, 1.5, dt.date(2024, 2, 29), dt.datetime(2024, 1, 1, 8), True, "NATURAL"],
        [base + 2, -2, None, None, dt.datetime(1999, 12, 31, 23, 59, 59), False, "ÆØÅ"],
        [base + 3, 3, -0.25, dt.date(2000, 1, 1), dt.datetime(2000, 1, 1, 0, 0, 1), True, "NATURAL"],
    ]


def test_chunk_reader_returns_the_same_bytes_whatever_the_read_size():
    chunks = [b"abc", np.arange(5, dtype=np.uint8), b"", b"xyz"]
    whole = b"abc" + bytes(range(5)) + b"xyz"
    for size in (1, 2, 4, 7, 100):
        reader, out = ChunkReader(chunks), b""
        while part := reader.read(size):
            out += part
        assert out == whole
    assert ChunkReader(chunks).read() == whole


def test_sqlite_rows_match_what_django_stores():
    prep = prepare(SPEC, _rows(), batch_index=0, lookups=_lookups())
    rows = list(zip(*[a.tolist() for a in sqlite_arrays(prep)]))
    assert rows[0] == (ROW_BLOCK + 1, 1, 1.5, "2024-02-29", "2024-01-01 08:00:00", 1, "NATURAL")
    assert rows[1][3] is None and np.isnan(rows[1][2])


def test_empty_tables_encode_to_an_empty_copy():
    prep = Prepared(SPEC, 0, {})
    assert decode_copy(ChunkReader(encode_copy_binary(prep)).read()) == []


def test_unknown_names_nulls_and_overflow_are_load_errors():
    spec = TableSpec("t", "farm_t", (Column("container_id", "container", "ref:container", "int8", False),))
    lookups = _lookups()
    lookups.container["C1"] = 7
    assert prepare(spec, {"container": np.array(["C1"], dtype=object)}, 0, lookups).arrays["container_id"][0] == 7
    with pytest.raises(LoadError, match="unknown container 'C9'"):
        prepare(spec, {"container": np.array(["C1", "C9"], dtype=object)}, 0, lookups)
    rows = _rows() | {"n": np.array([1, 2**31, 3])}
    with pytest.raises(LoadError, match="32-bit"):
        prepare(SPEC, rows, 0, _lookups())
    rows = _rows() | {"ts": np.array(["2024-01-01", "NaT", "2024-01-02"], dtype="datetime64[s]")}
    with pytest.raises(LoadError, match="NULL"):
        prepare(SPEC, rows, 0, _lookups())
