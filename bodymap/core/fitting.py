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
POSE_RANGE = (-0.6, 1.3)  # arm raise from the A-pose, radians: arms at the sides to above T
SHAPE_PRIOR = 1e-6  # pulls the shape weights toward zero where the data says little (per point)

Progress = Callable[[float, str], None]


class FitError(ValueError):
    """The mesh does not look like a human body this model can fit (the message says why)."""


@dataclass(frozen=True, eq=False)
class ShapeModel:
    """The body model: dense sample points of the default body, of each shape basis, and of
    each arm's skinning weight, for a pose that raises or lowers each arm at the shoulder.

    Unposed, ``points(w) = mean + sum_k w_k * basis[k]`` at the sampled dense vertices.
    """

    operator: sp.csr_matrix
    base: np.ndarray  # (C, 3) coarse default body
    basis: np.ndarray  # (K, C, 3) coarse shape differences
    sample: np.ndarray  # dense vertex ids used while fitting
    arm_weights: np.ndarray  # (2, C) left and right arm skinning weight per coarse vertex
    shoulders: np.ndarray  # (2, 3) left and right shoulder joints, the arms' pivots

    def __post_init__(self) -> None:
        rows = self.operator[self.sample]
        object.__setattr__(self, "_mean", np.asarray(rows @ self.base))
        object.__setattr__(self, "_basis", np.stack([np.asarray(rows @ b) for b in self.basis]))
        object.__setattr__(self, "_arms", np.stack([rows @ w for w in self.arm_weights]))

    def points(self, weights: np.ndarray) -> np.ndarray:
        return self._mean + np.tensordot(weights, self._basis, axes=1)

    def coarse(self, weights: np.ndarray, scale: float = 1.0, pose=(0.0, 0.0)) -> np.ndarray:
        """The fitted body's coarse vertices (posed: not mirror-symmetric where the arms differ)."""
        shape = scale * self.base + np.tensordot(weights, self.basis, axes=1)
        return pose_points(shape, self.arm_weights, self.shoulders * scale, pose)


def _turn(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def pose_points(points, arm_weights, shoulders, pose) -> np.ndarray:
    """Raise each arm by its angle (radians) about the anterior axis through its shoulder,
    blended by its skinning weight (linear blend skinning with one bone per arm)."""
    out = np.array(points, dtype=np.float64)
    for side, (angle, sign) in enumerate(zip(pose, (1.0, -1.0), strict=True)):
        if angle == 0.0:
            continue
        pivot = shoulders[side]
        turned = (points - pivot) @ _turn(sign * angle).T + pivot
        out += arm_weights[side][:, None] * (turned - points)
    return out


@dataclass(frozen=True)
class BodyFit:
    """The outcome of :func:`fit_body`.

    ``to_model(points)`` maps the mesh's own coordinates into the model's frame (metres, +y up,
    +z anterior; a rigid motion and the unit, so the body keeps its size); the fitted body is
    ``model.coarse(weights, model_scale, pose)``; ``rms_m`` is the final residual.
    """

    rotation: np.ndarray
    scale: float  # metres per unit of the mesh
    translation: np.ndarray
    weights: np.ndarray
    model_scale: float
    pose: np.ndarray  # left and right arm raise from the model's A-pose, radians
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
    coefficients = fit.coefficients
    return BodyFit(
        fit.rotation,
        unit,
        translation,
        coefficients[1:],
        1.0 + coefficients[0],
        fit.pose,
        fit.rms_m,
    )


def _orientations(axes: np.ndarray, centred: np.ndarray) -> list[np.ndarray]:
    """Rotations taking principal axes to (x lateral, y up, z depth): the longest or (for a
    T-pose, whose arm span rivals its height) the second axis up, both up signs, facing where
    the toes point (the feet reach forward of the ankles)."""
    out = []
    for up_axis in (0, 1):
        for up in (1.0, -1.0):
            y = up * axes[up_axis]
            height = centred @ y
            depth = centred @ axes[2]
            low = (height - height.min()) / max(float(np.ptp(height)), 1e-12)
            feet, ankles = low < 0.04, (low >= 0.04) & (low < 0.1)
            forward = feet.any() and ankles.any() and depth[feet].mean() < depth[ankles].mean()
            z = -axes[2] if forward else axes[2]
            out.append(np.stack([np.cross(y, z), y, z]))  # rows: model axes in mesh coordinates
    return out


@dataclass(frozen=True)
class _Fit:
    rotation: np.ndarray
    translation: np.ndarray
    coefficients: np.ndarray  # [model scale - 1, shape weights...]
    pose: np.ndarray  # left and right arm raise, radians
    rms_m: float


def _icp(points, rotation, model, iterations, shape, start=None, progress=None) -> _Fit:
    """Closest-point iterations: a rigid motion of the mesh, then the model's size, arm pose
    and (if ``shape``) shape weights by least squares, so size and shape never trade off
    against a scale of the mesh."""
    k = model.basis.shape[0]
    coef = np.zeros(k + 1) if start is None else start.coefficients.copy()
    pose = np.zeros(2) if start is None else start.pose.copy()
    rotation = np.asarray(rotation, dtype=np.float64)
    translation = model.points(np.zeros(k)).mean(axis=0) if start is None else start.translation
    rms = np.inf
    for it in range(iterations):
        columns = _posed_columns(model, pose)
        model_points = columns[0] + np.tensordot(coef, columns[1:], axes=1)
        moved = points @ rotation.T + translation
        # Both directions, so limbs are neither left out nor folded onto the trunk.
        d1, j = cKDTree(model_points).query(moved, workers=-1)
        _, i = cKDTree(moved).query(model_points, workers=-1)
        src = np.concatenate([points, points[i]])
        ids = np.concatenate([j, np.arange(len(model_points))])
        rotation, translation = _rigid(src, model_points[ids])
        targets = src @ rotation.T + translation
        coef, pose = _solve(targets, ids, model, columns, coef, pose, shape)
        rms = float(np.sqrt(np.mean(d1**2)))  # how far the mesh lies from the model
        if progress is not None:
            progress((it + 1) / iterations)
    return _Fit(rotation, translation, coef, pose, rms)


def _posed_columns(model: ShapeModel, pose: np.ndarray) -> np.ndarray:
    """Columns of the posed model at the sample points: ``points = c[0] + sum_j coef_j c[1 + j]``
    with ``coef = [size - 1, shape weights...]`` (the pose is linear in the unposed points)."""
    mean = pose_points(model._mean, model._arms, model.shoulders, pose)
    # Directions turn with the arms but do not move with the pivot.
    shapes = [pose_points(b, model._arms, np.zeros((2, 3)), pose) for b in model._basis]
    return np.stack([mean, mean, *shapes])


def _solve(targets, ids, model, columns, coef, pose, shape):
    """Size, shape weights (if ``shape``) and an arm-pose step, by damped least squares."""
    n_free = len(coef) if shape else 1
    picked = columns[:, ids]
    current = picked[0] + np.tensordot(coef, picked[1:], axes=1)
    design = [picked[1 + j].ravel() for j in range(n_free)]
    scale = 1.0 + coef[0]
    for side, sign in enumerate((1.0, -1.0)):
        lever = current - model.shoulders[side] * scale
        arm = model._arms[side][ids][:, None]
        design.append((arm * np.cross([0.0, 0.0, sign], lever)).ravel())
    design = np.stack(design, axis=1)
    fixed = picked[0] + np.tensordot(coef[n_free:], picked[1 + n_free :], axes=1)
    rhs = (targets - fixed).ravel()
    prior = np.full(design.shape[1], SHAPE_PRIOR * len(ids))
    prior[0] = 0.0
    solution = np.linalg.solve(design.T @ design + np.diag(prior), design.T @ rhs)
    new_coef = coef.copy()
    new_coef[:n_free] = solution[:n_free]
    return new_coef, np.clip(pose + solution[n_free:], *POSE_RANGE)


def _rigid(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares rotation and translation taking ``src`` onto ``dst`` (Kabsch)."""
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    u, _, vt = np.linalg.svd((dst - mu_d).T @ (src - mu_s))
    correction = np.diag([1.0, 1.0, np.sign(np.linalg.det(u @ vt))])
    rotation = u @ correction @ vt
    return rotation, mu_d - rotation @ mu_s
