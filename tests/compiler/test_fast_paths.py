"""D5: the compiler's vectorised and early-stopping steps answer exactly as the per-day loops did."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from aquadsl.compiler import living
from aquadsl.compiler.allocate import Occupancy, _first_free, _rotation
from aquadsl.compiler.limits import Limit
from aquadsl.compiler.sea import FREEZE, LOOKAHEAD, _splits


def _splits_by_day(needs, lo, hi, minimum, h0):
    """The per-day loop _splits replaced, kept here as the reference (``needs``: rings needed per day)."""
    need = lambda a, b: int(needs[a:b].max())  # noqa: E731
    freeze = None if h0 is None else max(lo, h0 - FREEZE)
    rings = max(minimum, need(lo, min(hi, lo + LOOKAHEAD)))
    if freeze is not None and freeze <= lo:
        rings = max(rings, need(lo, hi))
    out = [(lo, rings)]
    for d in range(lo + 1, hi):
        if freeze is not None and d == freeze:
            wanted = need(d, hi)
        elif needs[d] > rings and (freeze is None or d < freeze):
            near = freeze is not None and d + LOOKAHEAD >= freeze
            wanted = need(d, hi if near else min(hi, d + LOOKAHEAD))
        else:
            continue
        if wanted > rings:
            rings = wanted
            out.append((d, rings))
    return out


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 500), st.integers(0, 100), st.integers(1, 4),
       st.one_of(st.none(), st.integers(0, 700)), st.booleans(), st.booleans())
def test_splits_match_the_per_day_loop(seed, length, lo, minimum, h0, noisy, counted):
    rng = np.random.default_rng(seed)
    growth = np.cumsum(rng.uniform(0, 30, lo + length))              # mostly growing biomass
    mass = growth + (rng.uniform(-200, 200, lo + length) if noisy else 0.0)
    fish = 10_000 - np.cumsum(rng.uniform(0, 20, lo + length))        # falling fish counts
    hi = lo + length
    limit = Limit(1000.0, 1500.0 if counted else None)
    needs = limit.needs(mass, fish)
    assert _splits(needs, lo, hi, minimum, h0) == _splits_by_day(needs, lo, hi, minimum, h0)


def test_containers_needed_are_the_larger_of_biomass_and_fish_count():
    limit = Limit(kg=950.0, fish=190.0)
    assert limit.count(kg=1900.0, fish=100.0) == 2            # biomass sets it
    assert limit.count(kg=100.0, fish=571.0) == 4             # the fish count sets it
    assert limit.by_fish(100.0, 571.0) and not limit.by_fish(1900.0, 100.0)
    assert Limit(950.0).count(kg=100.0, fish=1e9) == 1         # no fish limit declared
    days = limit.needs(np.array([100.0, 1900.0, 3000.0]), np.array([571.0, 300.0, 10.0]))
    assert days.tolist() == [4.0, 2.0, 4.0]


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)), st.integers(1, 900),
       st.integers(1, 12), st.integers(1, 12))
def test_months_in_season_match_the_calendar(start, days, lo, hi):
    index = np.arange(days)
    months = living._months(start, index)
    dates = [start + dt.timedelta(days=int(d)) for d in index]
    assert months.tolist() == [d.month for d in dates]
    wanted = [(lo <= d.month <= hi) if lo <= hi else (d.month >= lo or d.month <= hi) for d in dates]
    assert living._in_season(months, (lo, hi)).tolist() == wanted


class _Place:
    def __init__(self, name: str):
        self.name = name


def test_rotation_offers_the_place_free_longest_then_the_first_in_order():
    places = [_Place(n) for n in ("H1", "H2", "H3", "H4")]
    released = {"H1": dt.date(2020, 5, 1), "H2": dt.date(2020, 3, 1), "H4": dt.date(2020, 3, 1)}
    assert [p.name for p in _rotation(places, released)] == ["H3", "H2", "H4", "H1"]


def test_first_free_takes_the_first_free_in_order_or_none():
    occ = Occupancy()
    d = dt.date(2020, 1, 1)
    occ.reserve(["C02", "C04"], d, d + dt.timedelta(days=10), "B1")
    names = ["C01", "C02", "C03", "C04", "C05"]
    assert _first_free(names, 2, occ, d, d + dt.timedelta(days=5)) == ["C01", "C03"]
    assert _first_free(names, 3, occ, d, d + dt.timedelta(days=5)) == ["C01", "C03", "C05"]
    assert _first_free(names, 4, occ, d, d + dt.timedelta(days=5)) is None
    assert _first_free(names, 5, occ, d + dt.timedelta(days=10), d + dt.timedelta(days=12)) == names


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63), st.text(min_size=1, max_size=12), st.integers(0, (1 << 20) - 1))
def test_scalar_keys_equal_the_generators_keys(seed, batch_id, lane):
    from aquadsl.sim import rng
    family = np.array([rng.family_key(seed, batch_id, "growth:fry")], dtype=np.uint64)
    expected = rng.keys(family, np.zeros(1, np.int64), lane)
    assert living._key(seed, batch_id, "growth:fry", lane).tolist() == expected.tolist()
