"""D5: the bisected Occupancy answers exactly as a scan of every reservation would."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aquadsl.compiler.allocate import Occupancy

DAY0 = dt.date(2020, 1, 1)


def _day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(1, 40)), max_size=40),
       st.integers(0, 340), st.integers(1, 40))
def test_is_free_matches_a_scan_of_every_reservation(requests, qstart, qlen):
    occ, held = Occupancy(), []
    for start, length in requests:   # reserve whatever is free, in any order (not only chronological)
        s, e = _day(start), _day(start + length)
        scan_free = all(he <= s or e <= hs for hs, he in held)
        assert occ.is_free("C1", s, e) == scan_free
        if scan_free:
            occ.reserve(["C1"], s, e, "B")
            held.append((s, e))
    s, e = _day(qstart), _day(qstart + qlen)
    assert occ.is_free("C1", s, e) == all(he <= s or e <= hs for hs, he in held)
    assert occ.is_free("C2", s, e)


def test_reserving_a_held_window_is_refused():
    occ = Occupancy()
    occ.reserve(["C1"], _day(0), _day(10), "A")
    occ.reserve(["C1"], _day(10), _day(20), "B")   # back-to-back hand-over is allowed
    with pytest.raises(ValueError):
        occ.reserve(["C1"], _day(5), _day(12), "C")
    assert [h[2] for h in occ.holders("C1", _day(9), _day(11))] == ["A", "B"]
