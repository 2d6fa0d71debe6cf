"""Hypothesis strategies for .aqs text: valid scenarios, keyword soup, mutations and hostile formulas."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

from aquadsl.parser import keyword_words

GRAMMAR = Path(__file__).resolve().parents[2] / "aquadsl" / "grammar.lark"
BATCH_NUMBERS = ("batch_index", "geo_index", "global_index", "geo_number", "start_year", "start_month",
                 "start_day", "batches_in_geography")


# ------------------------------------------------------------------------- vocabulary
def grammar_words() -> tuple[str, ...]:
    """Every literal word of the grammar (keywords, waters, event names, units), read from the grammar."""
    return keyword_words()


PUNCTUATION = ("{", "}", "(", ")", ",", ":", "=", "..", "+", "-", "*", "/", "//", "%", "**")
NUMBERS = ("0", "1", "-1", "7", "30", "3_000_000", "123_456", "0.5", "1e3", "1e999", "2.5", "999",
           "1000", "9" * 40, "1__0", "00")
NAMES = ("north", "salmon", "tank", "ring", "fry", "adult", "A", "B", "Z", "x", "batch_index", "prefix",
         "min", "max", "clamp", "today", "_", "é")
STRINGS = ('"x"', '"{prefix}-{geo_index+1:03}"', '"{n}"', '"{"', '"}"', '"{1//0}"', '""', '"lib.aqs"',
           '"unterminated', '"a\\"b"')
DATES = ("2024-01-01", "2023-02-30", "2024-13-01", "0000-00-00", "9999-12-31")
SEPARATORS = (" ", " ", " ", "\n", "", "\t", "  # comment\n")


def _token() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(grammar_words()), st.sampled_from(PUNCTUATION), st.sampled_from(NUMBERS),
                     st.sampled_from(NAMES), st.sampled_from(STRINGS), st.sampled_from(DATES),
                     st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True),
                     st.integers(min_value=-10 ** 6, max_value=10 ** 40).map(str))


@st.composite
def token_soup(draw) -> str:
    """Grammar words, braces, numbers, names and strings in random order, sometimes inside a block."""
    tokens = draw(st.lists(_token(), max_size=60))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(tokens), max_size=len(tokens)))
    body = "".join(t + s for t, s in zip(tokens, seps))
    wrapper = draw(st.sampled_from(("{}", 'scenario "s" {{\n{}\n}}', 'geography g "G" {{\n{}\n}}',
                                    "lifecycle l {{\nstage s {{\n{}\n}}\n}}",
                                    'scenario "s" {{ batches {{\n{}\n}} }}')))
    return wrapper.format(body)


@st.composite
def mutated_scenarios(draw, base: str) -> str:
    """``base`` with one to three random edits: lines deleted, duplicated or swapped, tokens replaced."""
    lines = base.split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        op = draw(st.sampled_from(("delete_line", "duplicate_line", "swap_lines", "replace_token",
                                   "delete_chars", "insert_token")))
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        if op == "delete_line" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate_line":
            lines.insert(i, lines[i])
        elif op == "swap_lines":
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "delete_chars" and lines[i]:
            a = draw(st.integers(min_value=0, max_value=len(lines[i]) - 1))
            b = draw(st.integers(min_value=a, max_value=len(lines[i])))
            lines[i] = lines[i][:a] + lines[i][b:]
        else:
            words = lines[i].split(" ")
            k = draw(st.integers(min_value=0, max_value=len(words) - 1))
            new = draw(_token())
            if op == "replace_token":
                words[k] = new
            else:
                words.insert(k, new)
            lines[i] = " ".join(words)
    return "\n".join(lines)


# --------------------------------------------------------------------- hostile formulas
_ATOMS = st.one_of(st.sampled_from(("0", "1", "-1", "2", "10", "0.5", "1e30", "3_000_000", "999_999_999_999_999_999",
                                    "123456789012345678901234567890", *BATCH_NUMBERS)),
                   st.integers(min_value=-10 ** 20, max_value=10 ** 20).map(str))
_OPS = ("+", "-", "*", "/", "//", "%", "**")


def hostile_numbers() -> st.SearchStrategy[str]:
    """Egg formulas that overflow, divide by zero, go negative or fractional, or call with bad arity."""
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binop = st.tuples(inner, st.sampled_from(_OPS), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
        call = st.tuples(st.sampled_from(("min", "max", "clamp")), st.lists(inner, max_size=4)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})")
        return st.one_of(binop, call, inner.map(lambda x: f"-{x}"))
    return st.recursive(_ATOMS, extend, max_leaves=12)


# ----------------------------------------------------------------------- valid scenarios
@dataclass(frozen=True)
class StageSpec:
    name: str
    days: int
    water: str
    hall: str | None
    containers: int | None
    rings: tuple[int, ...]


@dataclass(frozen=True)
class GeoSpec:
    name: str
    code: str
    prefix: str
    stations: int
    halls: str                 # the hall letters, e.g. "ABC"
    hall_containers: dict[str, int]
    sea_areas: int
    rings_per_area: int


@dataclass(frozen=True)
class ScenarioSpec:
    """A generated scenario: its text and the parameters a test needs to judge the plan."""

    text: str
    start: dt.date
    until: dt.date
    geographies: tuple[GeoSpec, ...]
    stages: tuple[StageSpec, ...]
    counts: dict[str, int]
    stagger: int
    offsets: dict[str, int] | None    # None: interleaved


_temperature = st.one_of(
    st.integers(min_value=2, max_value=16).map(lambda v: f"constant {v}"),
    st.lists(st.integers(min_value=2, max_value=18), min_size=12, max_size=12).map(
        lambda vs: "monthly " + " ".join(map(str, vs))),
    st.tuples(st.integers(min_value=6, max_value=12), st.integers(min_value=0, max_value=4),
              st.integers(min_value=1, max_value=366)).map(lambda t: f"sine mean {t[0]} amplitude {t[1]} peak_day {t[2]}"),
)
_EGGS = ("10_000", "3_000_000 + ((batch_index * 123_456) % 800_000)", "max(1_000, 50_000 - global_index * 700)",
         "clamp(geo_index * 5_000, 2_000, 40_000)", "1_000 * geo_number + start_month * 10 + start_day",
         "(batches_in_geography + 1) * 1_000 // 2")
_IDS = ('"{prefix}-{start_year}-{geo_index+1:03}"', '"B{global_index:04}"', '"{code}{prefix}{geo_index}"')


@st.composite
def _stages(draw) -> tuple[StageSpec, ...]:
    n = draw(st.integers(min_value=2, max_value=6))
    stages = []
    for i in range(n):
        sea = i == n - 1 or draw(st.booleans()) and draw(st.booleans())
        days = draw(st.integers(min_value=10, max_value=200))
        if sea:
            if draw(st.booleans()):
                low = draw(st.integers(min_value=1, max_value=4))
                rings = tuple(range(low, draw(st.integers(min_value=low, max_value=8)) + 1))
            else:
                rings = tuple(draw(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=4,
                                            unique=True)))
            stages.append(StageSpec(f"s{i}", days, "sea", None, None, rings))
        else:
            stages.append(StageSpec(f"s{i}", days, "fresh", draw(st.sampled_from("ABCDE")),
                                    draw(st.integers(min_value=1, max_value=3)), ()))
    return tuple(stages)


@st.composite
def _geography(draw, index: int, last_hall: str) -> GeoSpec:
    halls = "ABCDE"[: "ABCDE".index(last_hall) + 1]
    per_hall = draw(st.integers(min_value=2, max_value=8))
    overrides = {h: draw(st.integers(min_value=2, max_value=8)) for h in halls if draw(st.booleans())}
    return GeoSpec(name=f"geo{index}", code=f"G{index}", prefix=f"P{index}",
                   stations=draw(st.integers(min_value=1, max_value=3)), halls=halls,
                   hall_containers={h: overrides.get(h, per_hall) for h in halls},
                   sea_areas=draw(st.integers(min_value=1, max_value=5)),
                   rings_per_area=draw(st.integers(min_value=3, max_value=10)))


def _geo_text(g: GeoSpec, per_hall_default: int, fresh_temp: str, sea_temp: str) -> str:
    lines = [f'geography {g.name} "Geography {g.name}" {{', f"  code {g.code}", f"  prefix {g.prefix}"]
    halls = f"{g.halls[0]}..{g.halls[-1]}" if len(g.halls) > 1 else g.halls
    lines.append(f"  stations {g.stations} halls {halls} containers {per_hall_default}")
    for h in g.halls:
        extra = f" containers {g.hall_containers[h]}" if g.hall_containers[h] != per_hall_default else ""
        lines.append(f"  hall {h} kind tank{extra}")
    lines += [f"  sea_areas {g.sea_areas} rings {g.rings_per_area} kind ring",
              f"  temperature fresh {fresh_temp}", f"  temperature sea {sea_temp}", "}"]
    return "\n".join(lines)


def _stage_text(s: StageSpec, draw) -> str:
    if s.water == "fresh":
        place = f"hall {s.hall}\n    containers {s.containers}"
    elif len(s.rings) > 2 and s.rings == tuple(range(s.rings[0], s.rings[-1] + 1)):
        place = f"rings {s.rings[0]}..{s.rings[-1]}"
    else:
        place = "rings " + ", ".join(map(str, s.rings))
    tgc = draw(st.sampled_from(("0", "1.2", "2", "3.4")))
    feed = draw(st.sampled_from(("feed none", 'feed fcr 1.1 "Pellets"', 'feed rate 1.5 % "Pellets"')))
    return (f"  stage {s.name} {{\n    days {s.days}\n    water {s.water}\n    {place}\n    tgc {tgc}\n"
            f"    weight_cap 7 kg\n    mortality 0.02 % per day\n    {feed}\n  }}")


@st.composite
def valid_scenarios(draw) -> ScenarioSpec:
    """A scenario that passes every check except, possibly, capacity (AQS310)."""
    stages = draw(_stages())
    fresh_halls = [s.hall for s in stages if s.water == "fresh"]
    last_hall = max(fresh_halls + ["A"])
    geos = tuple(draw(_geography(i, last_hall)) for i in range(draw(st.integers(min_value=1, max_value=3))))
    start = dt.date(2020, 1, 1) + dt.timedelta(days=draw(st.integers(min_value=0, max_value=1500)))
    until = start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=900)))
    longest = max(s.days for s in stages)   # a stagger this long never collides: it keeps half the cases valid
    stagger = draw(st.one_of(st.integers(min_value=1, max_value=120),
                             st.integers(min_value=longest, max_value=longest + 30)))
    counts_mode = draw(st.sampled_from(("per_geography", "total", "each")))
    if counts_mode == "per_geography":
        n = draw(st.integers(min_value=1, max_value=8))
        counts, count_line = {g.name: n for g in geos}, f"count {n} per geography"
    elif counts_mode == "total":
        n = draw(st.integers(min_value=len(geos), max_value=16))
        counts = {g.name: n // len(geos) + (1 if i < n % len(geos) else 0) for i, g in enumerate(geos)}
        count_line = f"count {n} total"
    else:
        counts = {g.name: draw(st.integers(min_value=1, max_value=8)) for g in geos}
        count_line = "count " + ", ".join(f"{g} {c}" for g, c in counts.items())
    offsets = None
    stagger_line = f"stagger {stagger} days interleaved"
    if draw(st.booleans()):
        offsets = {g.name: draw(st.integers(min_value=0, max_value=30)) for g in geos}
        stagger_line = f"stagger {stagger} days offsets " + ", ".join(f"{g} {o}" for g, o in offsets.items())
    low = draw(st.integers(min_value=1, max_value=5))
    parts = ['container_kind tank "Tank" volume 100 m3 max_biomass 20 t',
             'container_kind ring "Ring" volume 20000 m3 max_biomass 500 t']
    for g in geos:
        default = max(set(g.hall_containers.values()), key=list(g.hall_containers.values()).count)
        parts.append(_geo_text(g, default, draw(_temperature), draw(_temperature)))
    parts.append("lifecycle life {\n  start_weight 0.2 g\n" + "\n".join(_stage_text(s, draw) for s in stages) + "\n}")
    parts.append(f'scenario "generated" {{\n  lifecycle life\n  start {start}\n  until {until}\n'
                 f"  seed {draw(st.integers(min_value=0, max_value=10 ** 6))}\n  batches {{\n"
                 f"    geographies {', '.join(g.name for g in geos)}\n    {count_line}\n    {stagger_line}\n"
                 f"    eggs {draw(st.sampled_from(_EGGS))}\n    harvest_target {low}..{low + draw(st.integers(0, 3))} kg\n"
                 f"    id {draw(st.sampled_from(_IDS))}\n  }}\n}}")
    return ScenarioSpec(text="\n\n".join(parts) + "\n", start=start, until=until, geographies=geos,
                        stages=stages, counts=counts, stagger=stagger, offsets=offsets)
