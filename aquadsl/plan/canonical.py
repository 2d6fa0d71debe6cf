"""The canonical plan JSON written fast: orjson where its bytes provably equal the standard library's."""

from __future__ import annotations

import json

try:
    import orjson
except ImportError:   # optional speed-up: plan.model.dumps falls back to the standard library, same bytes
    orjson = None


def fast_json(data: dict) -> str | None:
    """orjson's indented, key-sorted form of ``data``, or None where it could differ from the stdlib's.

    The two agree on layout, key order (UTF-8 order is code point order) and string escapes; they
    differ only on floats: NaN and infinities (orjson writes null; a compact C-encoder pass with
    ``allow_nan=False`` finds them) and below 1e-4 (stdlib ``1e-05``, orjson ``0.00001`` or
    ``1e-7``), which :func:`_small_float` finds in the output. Ints beyond 64 bits and lone
    surrogates make orjson raise. In every such case the caller uses the stdlib.
    """
    if orjson is None:
        return None
    try:
        json.dumps(data, allow_nan=False)
        out = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    except (ValueError, TypeError, orjson.JSONEncodeError):
        return None
    return None if _small_float(out) else out.decode("utf-8")


def _small_float(out: bytes) -> bool:
    """Whether ``out`` may hold a float below 1e-4: ``<digit>e-<digit>`` or a number ``0.0000…``.

    Strings that merely contain such text give a false alarm, which only costs the slower writer.
    """
    at = out.find(b"e-")
    while at != -1:
        if out[at - 1:at].isdigit() and out[at + 2:at + 3].isdigit():
            return True
        at = out.find(b"e-", at + 1)
    at = out.find(b"0.0000")
    while at != -1:
        if not (out[at - 1:at].isdigit() or out[at - 1:at] == b"."):
            return True
        at = out.find(b"0.0000", at + 1)
    return False
