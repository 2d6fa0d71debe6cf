"""Compact container lists: ``FI-FW-01-A-C01..C10`` stands for ten names with a numbered suffix."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_LETTERS = re.compile(r"[A-Za-z]*$")


def _tail(stem: str) -> str:
    """The letters that end the stem, repeated after '..' so that both ends read alike (C01..C10)."""
    return _LETTERS.search(stem).group()


def compress(names: Iterable[str]) -> tuple[str, ...]:
    """Fold runs of consecutive numbered names (same stem, same width) into ``stemA..B`` items.

    Order is kept; ``expand(compress(x)) == list(x)`` for every sequence of names. Cached: the
    compiler compresses the same first containers of a hall for batch after batch.
    """
    return _compress_tuple(tuple(names))


@functools.lru_cache(maxsize=1 << 16)
def _compress_tuple(names: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    run: list[tuple[str, int, int]] = []  # (stem, number, width)

    def flush() -> None:
        if not run:
            return
        stem, first, width = run[0]
        last = run[-1][1]
        tail = _tail(stem)
        out.append(f"{stem}{first:0{width}d}" if len(run) == 1
                   else f"{stem}{first:0{width}d}..{tail}{last:0{width}d}")
        run.clear()

    for name in names:
        m = _NUMBERED.match(name)
        if m is None or ".." in name:
            flush()
            out.append(name)
            continue
        stem, digits = m.group(1), m.group(2)
        item = (stem, int(digits), len(digits))
        if run and (run[-1][0], run[-1][2], run[-1][1] + 1) == (stem, len(digits), item[1]):
            run.append(item)
        else:
            flush()
            run.append(item)
    flush()
    return tuple(out)


MAX_RANGE = 999   # the language's limit on containers per hall and rings per area


def _parse(item: str) -> tuple[str, int, int, int]:
    """``stemA..B`` as (stem, first, last, width); ValueError if malformed or longer than MAX_RANGE."""
    head, last = item.split("..", 1)
    m = _NUMBERED.match(head)
    tail = _tail(m.group(1)) if m else ""
    last = last[len(tail):] if last.startswith(tail) else ""
    if m is None or not last.isdigit() or len(last) > 9:
        raise ValueError(f"bad container range {item!r}")
    first, end = int(m.group(2)), int(last)
    if not 0 < end - first + 1 <= MAX_RANGE:
        raise ValueError(f"container range {item!r} must name 1 to {MAX_RANGE} containers")
    return m.group(1), first, end, len(m.group(2))


def check(items: Iterable[str]) -> None:
    """Validate compact items without expanding them (a hand-edited range cannot exhaust memory)."""
    for item in items:
        if ".." in item:
            _checked(item)


@functools.lru_cache(maxsize=1 << 16)
def _checked(item: str) -> None:
    """:func:`_parse` once per distinct item (a plan repeats its hall ranges in every batch's windows)."""
    _parse(item)


@functools.lru_cache(maxsize=1 << 16)   # every hall and area of 200 geographies, and more
def _expand_tuple(items: tuple[str, ...]) -> tuple[str, ...]:
    names: list[str] = []
    for item in items:
        if ".." not in item:
            names.append(item)
            continue
        stem, first, last, width = _parse(item)
        names.extend(f"{stem}{n:0{width}d}" for n in range(first, last + 1))
    return tuple(names)


def expand(items: Iterable[str]) -> list[str]:
    """The inverse of :func:`compress` (cached: the allocator expands the same halls again and again)."""
    return list(_expand_tuple(tuple(items)))
