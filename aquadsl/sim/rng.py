"""Counter-based randomness: every draw is a pure hash of (seed, batch, family, container, day, lane)."""

from __future__ import annotations

import functools
import hashlib

import numpy as np

_U64 = np.uint64
_M1 = _U64(0xBF58476D1CE4E5B9)
_M2 = _U64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11, _S32 = _U64(30), _U64(27), _U64(31), _U64(11), _U64(32)
LANE_BITS = 20                     # lanes (slot, fish, feeding...) per container-day
_LANE_SHIFT = _U64(LANE_BITS)
_MAX_DAY = 1 << (64 - LANE_BITS)
_POISSON_EXACT_BELOW = 20.0        # inverse CDF below this mean, corrected normal above


def _digest64(text: str) -> int:
    """The first 8 bytes of SHA-256 of ``text`` as an unsigned 64-bit integer."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


@functools.lru_cache(maxsize=65536)
def family_key(seed: int, batch_id: str, family: str) -> int:
    """The 64-bit key of one event family of one batch, independent of every other family."""
    return _digest64(f"aquadsl/1\x1f{seed}\x1f{batch_id}\x1f{family}")


@functools.lru_cache(maxsize=65536)
def container_key(name: str) -> int:
    """The 64-bit key of a container, from its name."""
    return _digest64(f"container\x1f{name}")


def mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser applied element-wise to a uint64 array (returns a new array)."""
    z = z ^ (z >> _S30)
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def stream(family: int, containers: list[str]) -> np.ndarray:
    """Per-container keys of one family (uint64, one per container), the base of :func:`keys`."""
    base = np.array([container_key(c) for c in containers], dtype=_U64)
    return mix(base ^ _U64(family))


def keys(base: np.ndarray, day: np.ndarray, lane: np.ndarray | int = 0) -> np.ndarray:
    """Keys for (container, day, lane) triples; the arguments broadcast against each other.

    ``base`` comes from :func:`stream`; ``day`` is the 0-based batch day; ``lane`` separates
    several draws of one container-day (time slot, fish, feeding).
    """
    day = np.asarray(day, dtype=np.int64)
    lane = np.asarray(lane, dtype=np.int64)
    if day.size and (int(day.min()) < 0 or int(day.max()) >= _MAX_DAY):
        raise ValueError("day outside the generator's counter range")
    if lane.size and (int(lane.min()) < 0 or int(lane.max()) >= 1 << LANE_BITS):
        raise ValueError(f"more than {1 << LANE_BITS} draws per container and day")
    counter = (day.astype(_U64) << _LANE_SHIFT) | lane.astype(_U64)
    return mix(np.asarray(base, dtype=_U64) ^ counter)


def uniform(k: np.ndarray) -> np.ndarray:
    """Uniform floats in the open interval (0, 1), 53 bits, one per key."""
    return ((k >> _S11).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


def normal(k: np.ndarray) -> np.ndarray:
    """Standard normal floats, one per key (Box–Muller on the key's two 32-bit halves)."""
    hi = ((k >> _S32).astype(np.float64) + 0.5) * (1.0 / 4294967296.0)
    lo = ((k & _U64(0xFFFFFFFF)).astype(np.float64) + 0.5) * (1.0 / 4294967296.0)
    return np.sqrt(-2.0 * np.log(hi)) * np.cos(2.0 * np.pi * lo)


def poisson(lam: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Poisson counts with means ``lam``, one per key (deterministic; int64).

    Small means use the exact inverse CDF; large means a normal quantile with the Cornish–Fisher
    skewness term, which is accurate to a fraction of a count there.
    """
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), k.shape)
    out = np.zeros(k.shape, dtype=np.int64)
    small = lam < _POISSON_EXACT_BELOW
    if small.any():
        out[small] = _poisson_inverse(lam[small], uniform(k[small]))
    big = ~small
    if big.any():
        z = normal(k[big])
        lb = lam[big]
        out[big] = np.maximum(0.0, np.floor(lb + np.sqrt(lb) * z + (z * z - 1.0) / 6.0 + 0.5)).astype(np.int64)
    return out


def _poisson_inverse(lam: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Smallest k with CDF(k) >= u, evaluated for all elements together."""
    p = np.exp(-lam)
    cdf = p.copy()
    k = np.zeros(lam.shape, dtype=np.int64)
    for i in range(1, 200):
        above = u > cdf
        if not above.any():
            break
        k += above
        p = p * lam / i
        cdf += p
    return k
