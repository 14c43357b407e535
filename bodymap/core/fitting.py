"""Fit the parametric body to a body mesh of another topology, so its regions can be carried over.

Steps: put the mesh upright in metres (units from its height, up and lateral axes from its
principal axes, then the up and facing signs tried both ways); then iterate closest points
(scipy's KD-tree) between the mesh and the model, each time solving a rigid motion and then
the model's size and shape weights by linear least squares. The model is the default body plus
a weighted sum of the other shipped bodies' shape differences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

UNIT_SCALES = (1.0, 0.001, 0.01, 0.0254, 0.1)
"""Metres per unit of the units files are written in (m, mm, cm, inch, dm)."""
HEIGHT_RANGE_M = (0.4, 2.4)
SAMPLES = 4000
ITERATIONS = 30
SHAPE_PRIOR = 1e-6  # pulls the shape weights toward zero where the data says little (per point)

Progress = Callable[[float, str], None]


class FitError(ValueError):
    """The mesh does not look like a human body this model can fit (the message says why)."""


@dataclass(frozen=True, eq=False)
class ShapeModel:
    """The linear body model: dense sample points of the default body and of each shape basis.

    ``points(w) = mean + sum_k w_k * basis[k]`` for the sampled dense vertices ``sample``.
    """

    operator: sp.csr_matrix
    base: np.ndarray  # (C, 3) coarse default body
    basis: np.ndarray  # (K, C, 3) coarse shape differences
    sample: np.ndarray  # dense vertex ids used while fitting

    def __post_init__(self) -> None:
        rows = self.operator[self.sample]
        object.__setattr__(self, "_mean", np.asarray(rows @ self.base))
        object.__setattr__(self, "_basis", np.stack([np.asarray(rows @ b) for b in self.basis]))

    def points(self, weights: np.ndarray) -> np.ndarray:
        return self._mean + np.tensordot(weights, self._basis, axes=1)

    def coarse(self, weights: np.ndarray, scale: float = 1.0) -> np.ndarray:
        return scale * self.base + np.tensordot(weights, self.basis, axes=1)


@dataclass(frozen=True)
class BodyFit:
    """The outcome of :func:`fit_body`.

    ``to_model(points)`` maps the mesh's own coordinates into the model's frame (metres, +y up,
    +z anterior; a rigid motion and the unit, so the body keeps its size); the fitted body is
    ``model.coarse(weights, model_scale)``; ``rms_m`` is the final residual.
    """

    rotation: np.ndarray
    scale: float  # metres per unit of the mesh
    translation: np.ndarray
    weights: np.ndarray
    model_scale: float
    rms_m: float

    def to_model(self, points: np.ndarray) -> np.ndarray:
        return (np.asarray(points, dtype=np.float64) @ self.rotation.T) * self.scale + (
            self.translation
        )


def fit_body(
    vertices: np.ndarray, model: ShapeModel, progress: Progress | None = None, seed: int = 0
) -> BodyFit:
    """Fit ``model`` to a body mesh given by its vertices (any units, up axis and facing).

    Raises
    ------
    FitError
        When the mesh has no human height in any known unit, or no orientation fits.
    """
    report = progress or (lambda fraction, message: None)
    points = np.asarray(vertices, dtype=np.float64)
    rng = np.random.default_rng(seed)
    if len(points) > SAMPLES:
        points = points[rng.choice(len(points), SAMPLES, replace=False)]
    centred = points - points.mean(axis=0)
    axes = np.linalg.svd(centred, full_matrices=False)[2]  # rows: principal axes, longest first
    extent = float(np.ptp(centred @ axes[0]))
    unit = next(
        (u for u in UNIT_SCALES if HEIGHT_RANGE_M[0] <= extent * u <= HEIGHT_RANGE_M[1]), None
    )
    if unit is None:
        raise FitError(f"it is {extent:.4g} units tall: not a human height in m, cm, mm or inches")
    report(0.05, "aligning")
    candidates = _orientations(axes, centred)
    best = None
    for i, rotation in enumerate(candidates):
        fit = _icp(centred * unit, rotation, model, ITERATIONS // 3, shape=False)
        if best is None or fit.rms_m < best.rms_m:
            best = fit
        report(0.05 + 0.35 * (i + 1) / len(candidates), "aligning")
    fit = _icp(
        centred * unit,
        best.rotation,
        model,
        ITERATIONS,
        shape=True,
        start=best,
        progress=lambda f: report(0.4 + 0.6 * f, "fitting the body"),
    )
    # Fold the centring and unit into the transform so it applies to the mesh's own points.
    translation = fit.translation - (points.mean(axis=0) * unit) @ fit.rotation.T
    report(1.0, "fitted")
    return BodyFit(
        fit.rotation, unit, translation, fit.coefficients[1:], 1.0 + fit.coefficients[0], fit.rms_m
    )


def _orientations(axes: np.ndarray, centred: np.ndarray) -> list[np.ndarray]:
    """Rotations taking the principal axes to (y up, x lateral, z depth) for both up signs,
    facing where the toes point (the feet reach forward of the ankles)."""
    out = []
    for up in (1.0, -1.0):
        y = up * axes[0]
        height = centred @ y
        depth = centred @ axes[2]
        low = (height - height.min()) / max(float(np.ptp(height)), 1e-12)
        feet, ankles = low < 0.04, (low >= 0.04) & (low < 0.1)
        forward = feet.any() and ankles.any() and depth[feet].mean() < depth[ankles].mean()
        z = -axes[2] if forward else axes[2]
        out.append(np.stack([np.cross(y, z), y, z]))  # rows: each model axis in mesh coordinates
    return out


@dataclass(frozen=True)
class _Fit:
    rotation: np.ndarray
    translation: np.ndarray
    coefficients: np.ndarray  # [model scale - 1, shape weights...]
    rms_m: float


def _icp(points, rotation, model, iterations, shape, start=None, progress=None) -> _Fit:
    """Closest-point iterations: a rigid motion of the mesh, then the model's size and (if
    ``shape``) its shape weights by linear least squares, so size and shape never trade off
    against a scale of the mesh."""
    k = model.basis.shape[0]
    coef = np.zeros(k + 1) if start is None else start.coefficients.copy()
    rotation = np.asarray(rotation, dtype=np.float64)
    translation = model.points(np.zeros(k)).mean(axis=0) if start is None else start.translation
    rms = np.inf
    for it in range(iterations):
        model_points = model.points(coef[1:]) + coef[0] * model._mean
        moved = points @ rotation.T + translation
        # Both directions, so limbs are neither left out nor folded onto the trunk.
        d1, j = cKDTree(model_points).query(moved, workers=-1)
        d2, i = cKDTree(moved).query(model_points, workers=-1)
        src = np.concatenate([points, points[i]])
        ids = np.concatenate([j, np.arange(len(model_points))])
        rotation, translation = _rigid(src, model_points[ids])
        coef = _coefficients(src @ rotation.T + translation, ids, model, shape)
        rms = float(np.sqrt(np.mean(d1**2)))  # how far the mesh lies from the model
        if progress is not None:
            progress((it + 1) / iterations)
    return _Fit(rotation, translation, coef, rms)


def _rigid(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares rotation and translation taking ``src`` onto ``dst`` (Kabsch)."""
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    u, _, vt = np.linalg.svd((dst - mu_d).T @ (src - mu_s))
    correction = np.diag([1.0, 1.0, np.sign(np.linalg.det(u @ vt))])
    rotation = u @ correction @ vt
    return rotation, mu_d - rotation @ mu_s


def _coefficients(targets: np.ndarray, ids: np.ndarray, model: ShapeModel, shape: bool):
    """Model size (and shape weights) that best move the model's points ``ids`` onto
    ``targets``; the shape weights are pulled gently toward zero."""
    columns = [model._mean[ids]] + (list(model._basis[:, ids, :]) if shape else [])
    design = np.stack([c.ravel() for c in columns], axis=1)
    rhs = (targets - model._mean[ids]).ravel()
    prior = np.full(design.shape[1], SHAPE_PRIOR * len(ids))
    prior[0] = 0.0
    solution = np.linalg.solve(design.T @ design + np.diag(prior), design.T @ rhs)
    coef = np.zeros(model.basis.shape[0] + 1)
    coef[: len(solution)] = solution
    return coef
