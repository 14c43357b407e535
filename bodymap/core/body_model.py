"""MakeHuman's macro blend: which targets, with which weights, make a body of given build.

A body is ``base + sum(weight * target)``. Each target is named for one corner of the macro
space (``{race}-{gender}-{age}`` or ``universal-{gender}-{age}-{muscle}-{weight}``) and its weight
is the product of each macro's piecewise-linear share of that corner, as in MakeHuman's
``macro.json``. BodyMap's bodies are *relative* to the default body: the default body is the
hm08 base mesh itself, so every other body is the base plus the difference between its blend and
the reference blend (an adult female of average build). That keeps the default body exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RACES = ("african", "asian", "caucasian")
GENDERS = ("female", "male")
AGES = ("baby", "child", "young", "old")
LEVELS = ("min", "average", "max")
# MakeHuman's age macro: 0 is 1 year, 0.1875 is 11 years, 0.5 is 25 years, 1 is 90 years.
AGE_YEARS = np.array([1.0, 11.0, 25.0, 90.0])
AGE_VALUES = np.array([0.0, 0.1875, 0.5, 1.0])


@dataclass(frozen=True)
class Macros:
    """The macro values of a body, each 0 to 1 (age may go slightly below 0 for infants)."""

    gender: float = 0.0  # 0 female, 1 male
    age: float = 0.5  # MakeHuman's age macro, see :func:`age_macro`
    muscle: float = 0.5
    weight: float = 0.5


REFERENCE = Macros()
"""The default body's macros: adult (25 years) female of average muscle and weight."""


def age_macro(years: float) -> float:
    """MakeHuman's age value for an age in years (linear below 1 year, for infants)."""
    if years < AGE_YEARS[0]:
        slope = (AGE_VALUES[1] - AGE_VALUES[0]) / (AGE_YEARS[1] - AGE_YEARS[0])
        return float(AGE_VALUES[0] + (years - AGE_YEARS[0]) * slope)
    return float(np.interp(years, AGE_YEARS, AGE_VALUES))


def _age_shares(value: float) -> dict[str, float]:
    """Share of each age corner; below 0 the baby-child segment is extrapolated."""
    edges = AGE_VALUES
    segment = int(np.clip(np.searchsorted(edges, value, side="right") - 1, 0, len(edges) - 2))
    t = (value - edges[segment]) / (edges[segment + 1] - edges[segment])
    return {AGES[segment]: 1.0 - t, AGES[segment + 1]: t}


def _level_shares(value: float) -> dict[str, float]:
    """Share of min/average/max for a muscle or weight value (average at 0.5)."""
    if value <= 0.5:
        return {"min": 1.0 - 2.0 * value, "average": 2.0 * value}
    return {"average": 2.0 - 2.0 * value, "max": 2.0 * value - 1.0}


def target_weights(macros: Macros) -> dict[str, float]:
    """Weight of every macro target (file name without ``.target.gz``) for ``macros``."""
    genders = {"female": 1.0 - macros.gender, "male": macros.gender}
    ages = _age_shares(macros.age)
    muscles, weights = _level_shares(macros.muscle), _level_shares(macros.weight)
    out: dict[str, float] = {}
    for gender, g in genders.items():
        for age, a in ages.items():
            for race in RACES:
                _add(out, f"{race}-{gender}-{age}", g * a / len(RACES))
            for muscle, m in muscles.items():
                for weight, w in weights.items():
                    name = f"universal-{gender}-{age}-{muscle}muscle-{weight}weight"
                    _add(out, name, g * a * m * w)
    return out


def relative_weights(macros: Macros) -> dict[str, float]:
    """Target weights that turn the default body into a body of ``macros``."""
    out = dict(target_weights(macros))
    for name, weight in target_weights(REFERENCE).items():
        _add(out, name, -weight)
    return {name: w for name, w in out.items() if w != 0.0}


def _add(out: dict[str, float], name: str, weight: float) -> None:
    if weight != 0.0:
        out[name] = out.get(name, 0.0) + weight


def blend(
    base: np.ndarray, targets: dict[str, np.ndarray], weights: dict[str, float]
) -> np.ndarray:
    """``base + sum(weight * target)``; a target missing from ``targets`` is an error."""
    missing = sorted(set(weights) - set(targets))
    if missing:
        raise KeyError(f"the body model lacks targets {missing[:3]}")
    shape = np.array(base, dtype=np.float64)
    for name in sorted(weights):
        shape += weights[name] * targets[name]
    return shape
