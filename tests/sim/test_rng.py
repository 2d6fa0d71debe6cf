"""The counter-based generator: derived keys, independence of families, and the draw distributions."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from aquadsl.sim import rng


def test_family_keys_come_from_sha256_of_seed_batch_and_family():
    digest = hashlib.sha256("aquadsl/1\x1f42\x1fFAR-2020-001\x1fmortality".encode()).digest()
    assert rng.family_key(42, "FAR-2020-001", "mortality") == int.from_bytes(digest[:8], "little")


def test_each_part_of_the_key_matters():
    keys = {rng.family_key(42, "B-1", "mortality"), rng.family_key(43, "B-1", "mortality"),
            rng.family_key(42, "B-2", "mortality"), rng.family_key(42, "B-1", "feeding")}
    assert len(keys) == 4


def test_a_family_stream_depends_on_nothing_but_its_own_key():
    # Draws for family A are the same whether or not family B is ever used, and in any order.
    a = rng.family_key(7, "B", "env:oxygen")
    first = rng.uniform(rng.keys(rng.stream(a, ["R1", "R2"])[:, None], np.arange(10)[None, :]))
    rng.uniform(rng.keys(rng.stream(rng.family_key(7, "B", "env:ph"), ["R1"])[:, None], np.arange(5)))
    again = rng.uniform(rng.keys(rng.stream(a, ["R2", "R1"])[::-1, None], np.arange(10)[None, :]))
    assert np.array_equal(first, again)


def test_keys_follow_container_names_not_positions():
    fam = rng.family_key(1, "B", "x")
    one = rng.keys(rng.stream(fam, ["C01", "C02"]), 3)
    other = rng.keys(rng.stream(fam, ["C02", "C01"]), 3)
    assert np.array_equal(one, other[::-1]) and one[0] != one[1]


def test_days_and_lanes_give_distinct_keys():
    base = rng.stream(rng.family_key(1, "B", "x"), ["C"])
    k = rng.keys(base[:, None, None], np.arange(200)[None, :, None], np.arange(50)[None, None, :])
    assert len(np.unique(k)) == k.size


def test_out_of_range_counters_are_refused():
    base = rng.stream(1, ["C"])
    with pytest.raises(ValueError):
        rng.keys(base, 0, 1 << rng.LANE_BITS)
    with pytest.raises(ValueError):
        rng.keys(base, -1)


def _sample(n=200_000, family="t"):
    base = rng.stream(rng.family_key(3, "B", family), ["C"])
    return rng.keys(base, np.arange(n))


def test_uniform_is_in_the_open_unit_interval_and_flat():
    u = rng.uniform(_sample())
    assert 0 < u.min() and u.max() < 1
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    assert counts.min() > 0.95 * len(u) / 20 and counts.max() < 1.05 * len(u) / 20


def test_normal_has_unit_moments():
    z = rng.normal(_sample())
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    assert abs((z > 1.96).mean() - 0.025) < 0.002


@pytest.mark.parametrize("lam", [0.3, 4.0, 19.5, 20.5, 150.0, 4000.0])
def test_poisson_mean_and_variance_match(lam):
    k = rng.poisson(np.full(200_000, lam), _sample(family=f"p{lam}"))
    assert k.dtype == np.int64 and k.min() >= 0
    assert abs(k.mean() - lam) < 0.02 * lam + 0.01
    assert abs(k.var() - lam) < 0.05 * lam + 0.02


def test_poisson_of_zero_is_zero():
    assert (rng.poisson(np.zeros(100), _sample(100)) == 0).all()
