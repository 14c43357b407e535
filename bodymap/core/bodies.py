"""Bodies that share one topology: a coarse shape each, one subdivision operator for all.

Every shipped body (adult female and male, older adults, child, toddler, infant) is the hm08
coarse mesh in another shape. The dense body is ``operator @ coarse``, the same sparse operator
(one Loop step, then the default body's recorded longest-edge bisection) for every shape, so
vertex ids, faces, the internal-cavity mask, the mirror map and the region atlas are the default
body's. Each dense shape is then made exactly mirror-symmetric through the default body's mirror
map, with the midline snapped to x = 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bodymap.core import body_model
from bodymap.core.mesh import BodyMesh

if TYPE_CHECKING:  # scipy is not imported with the app's start
    import scipy.sparse as sp

DEFAULT_BODY_ID = "adult_female"
KG_PER_LITRE = 1.01
WEIGHT_MACRO_RANGE = (-0.5, 2.0)
"""How far the weight control may take MakeHuman's weight macro (0 to 1 is MakeHuman's own range;
beyond it the min- and max-weight offsets are extended linearly, to BMI of about 15 to 28)."""


def topology_id(faces: np.ndarray, n_vertices: int) -> str:
    """A short id of a mesh's connectivity: SHA-256 of the vertex count and int32 faces."""
    # A mesh's faces are read-only: the id of the same array is remembered (a body switch
    # asks for it several times; 2.5 ms each at 168k vertices).
    key = (id(faces), faces.ctypes.data, faces.shape, n_vertices)
    known = _TOPOLOGY_IDS.get(key)
    if known is not None and known[0] is faces:
        return known[1]
    digest = hashlib.sha256(np.int64(n_vertices).tobytes())
    digest.update(np.ascontiguousarray(faces, dtype="<i4").tobytes())
    found = "topo-" + digest.hexdigest()[:16]
    if not faces.flags.writeable:
        if len(_TOPOLOGY_IDS) >= 8:  # the shipped bodies, and one or two more
            _TOPOLOGY_IDS.pop(next(iter(_TOPOLOGY_IDS)))
        _TOPOLOGY_IDS[key] = (faces, found)
    return found


_TOPOLOGY_IDS: dict[tuple, tuple[np.ndarray, str]] = {}
"""Topology ids of read-only face arrays, by identity (the array is kept with its id)."""


@dataclass(frozen=True)
class BodySpec:
    """Which body a client has: a shipped body's id and, for adults, optional build controls.

    Attributes
    ----------
    body_id : str
        A shipped body (``bodymap bodies`` lists them).
    height_m, weight_kg, muscle : float or None
        Build controls for adults: stature in metres, weight in kg, muscularity 0 to 1
        (0.5 average). ``None`` keeps the shipped body's value.
    """

    body_id: str = DEFAULT_BODY_ID
    height_m: float | None = None
    weight_kg: float | None = None
    muscle: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.body_id, str) or not self.body_id:
            raise ValueError("a body spec needs a body id")
        checks = (
            ("height_m", self.height_m, 0.4, 2.3),
            ("weight_kg", self.weight_kg, 2.0, 250.0),
            ("muscle", self.muscle, 0.0, 1.0),
        )
        for name, value, low, high in checks:
            if value is not None and not low <= float(value) <= high:
                raise ValueError(f"body spec {name} {value} is outside {low} to {high}")

    @property
    def is_shipped(self) -> bool:
        """True when no build control is set: the shipped body as it is."""
        return self.height_m is None and self.weight_kg is None and self.muscle is None

    @classmethod
    def with_bmi(cls, body_id: str, height_m: float, bmi: float, muscle: float | None = None):
        """A spec from stature and body-mass index (kg/m²)."""
        if not 10.0 <= bmi <= 60.0:
            raise ValueError(f"a BMI of {bmi} is outside 10 to 60")
        return cls(body_id, height_m, round(bmi * height_m**2, 2), muscle)

    def to_dict(self) -> dict:
        """JSON-ready form, for client and session records."""
        out: dict = {"body_id": self.body_id}
        for name in ("height_m", "weight_kg", "muscle"):
            if getattr(self, name) is not None:
                out[name] = float(getattr(self, name))
        return out

    @classmethod
    def from_dict(cls, data: dict) -> BodySpec:
        """Read what :meth:`to_dict` wrote; unknown keys are an error (a newer file)."""
        if not isinstance(data, dict) or "body_id" not in data:
            raise ValueError("a body spec needs a body_id")
        unknown = set(data) - {"body_id", "height_m", "weight_kg", "muscle"}
        if unknown:
            raise ValueError(f"unknown body spec fields: {', '.join(sorted(unknown))}")
        values = {k: (float(v) if k != "body_id" else str(v)) for k, v in data.items()}
        return cls(**values)


@dataclass(frozen=True, eq=False)
class SharedTopology:
    """What every body shares: the dense faces and masks, and the coarse-to-dense operator.

    Attributes
    ----------
    operator : (N, C) sparse matrix, dense vertices from coarse vertices
    faces : (M, 3) int32 dense faces
    internal : (N,) bool, the internal-cavity mask
    mirror : (N,) int32, each dense vertex's mirror twin (an involution)
    midline : (N,) bool, dense vertices on x = 0
    coarse_faces : (F, 3) int32, the coarse triangles (for volumes and fitting)
    """

    operator: sp.csr_matrix
    faces: np.ndarray
    internal: np.ndarray
    mirror: np.ndarray
    midline: np.ndarray
    coarse_faces: np.ndarray
    topology: str = field(init=False)

    def __post_init__(self) -> None:
        n = self.operator.shape[0]
        if self.mirror.shape != (n,) or self.midline.shape != (n,) or self.internal.shape != (n,):
            raise ValueError("operator, mirror map, midline and internal mask disagree in size")
        if not np.array_equal(self.mirror[self.mirror], np.arange(n)):
            raise ValueError("the mirror map is not an involution")
        object.__setattr__(self, "topology", topology_id(self.faces, n))

    @property
    def n_coarse(self) -> int:
        return self.operator.shape[1]

    def dense_vertices(self, coarse: np.ndarray, symmetric: bool = True) -> np.ndarray:
        """Dense float32 positions of a coarse shape, exactly mirror-symmetric unless told not
        (a fitted body whose arms are posed differently)."""
        if coarse.shape != (self.n_coarse, 3):
            raise ValueError(f"a coarse shape needs {self.n_coarse} vertices, got {coarse.shape}")
        dense = np.asarray(self.operator @ coarse.astype(np.float64))
        return symmetrise(dense, self) if symmetric else dense.astype(np.float32)

    def mesh(
        self, coarse: np.ndarray, name: str, like: BodyMesh | None = None, symmetric: bool = True
    ) -> BodyMesh:
        """The dense body of a coarse shape; ``like`` lends its topology-only derived arrays."""
        vertices = self.dense_vertices(coarse, symmetric)
        mesh = BodyMesh(vertices, self.faces, self.internal, name=name)
        if like is not None and like.n_vertices == mesh.n_vertices:
            indptr, indices = like.adjacency
            mesh.adopt_derived(
                {
                    "edges": like.edges,
                    "vertex_normals": mesh.vertex_normals,
                    "vertex_areas": mesh.vertex_areas,
                    "adjacency_indptr": indptr,
                    "adjacency_indices": indices,
                }
            )
        return mesh


def symmetrise(vertices: np.ndarray, topology: SharedTopology) -> np.ndarray:
    """Average each vertex with its twin's mirror image and snap the midline to x = 0.

    Done in float64 then rounded once, so twins come out exactly mirrored in float32.
    """
    v = np.asarray(vertices, dtype=np.float64)
    twin = v[topology.mirror]
    out = 0.5 * (v + twin * np.array([-1.0, 1.0, 1.0]))
    out = out.astype(np.float32)
    # Rounding is sign-symmetric, but take one twin of each pair as the master to be exact.
    master = np.arange(len(out)) <= topology.mirror
    slaves = ~master
    out[slaves] = out[topology.mirror[slaves]] * np.array([-1.0, 1.0, 1.0], dtype=np.float32)
    out[topology.midline, 0] = 0.0
    return out


def enclosed_volume_m3(vertices: np.ndarray, faces: np.ndarray) -> float:
    """Volume enclosed by a closed, outward-wound triangle mesh (divergence theorem)."""
    v = np.asarray(vertices, dtype=np.float64)
    a, b, c = v[faces[:, 0]], v[faces[:, 1]], v[faces[:, 2]]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


def weight_from_volume_kg(vertices: np.ndarray, faces: np.ndarray) -> float:
    """A body's weight estimated from its enclosed volume at :data:`KG_PER_LITRE`."""
    return enclosed_volume_m3(vertices, faces) * 1000.0 * KG_PER_LITRE


def stature_m(vertices: np.ndarray) -> float:
    """Standing height: the vertical extent of the body."""
    return float(np.ptp(np.asarray(vertices)[:, 1]))


GENDER_MACRO = {"female": 0.0, "male": 1.0, "unspecified": 0.5}


@dataclass(frozen=True)
class BodyRecipe:
    """How a shipped body is made.

    Adults take MakeHuman's age convention and their natural height. A child's age macro is
    chosen at build time so that the natural stature is the growth-standard median for its age
    (``age_macro``) unless the recipe sets it (then the stature is met by scale), and its weight
    macro so that its volume gives the median weight. ``modifiers`` are MakeHuman targets
    outside the macros (target path under ``targets/``, weight), added to the blend as they are.
    """

    body_id: str
    name: str
    sex: str
    age_years: float
    stature_m: float | None = None
    weight_kg: float | None = None
    muscle: float = 0.5
    age_value: float | None = None  # the age macro, when not MakeHuman's for age_years
    modifiers: tuple[tuple[str, float], ...] = ()

    @property
    def is_adult(self) -> bool:
        return self.age_years >= 18.0

    def macros(self, muscle: float | None = None, weight: float = 0.5) -> body_model.Macros:
        age = body_model.age_macro(self.age_years) if self.age_value is None else self.age_value
        muscle = self.muscle if muscle is None else muscle
        return body_model.Macros(GENDER_MACRO[self.sex], age, muscle, weight)

    def weights_at(self, muscle: float | None = None) -> Callable[[float], dict[str, float]]:
        """The blend weights for a weight macro: the macros' targets, then the modifiers."""

        def weights(weight: float) -> dict[str, float]:
            out = body_model.relative_weights(self.macros(muscle, weight))
            for name, value in self.modifiers:
                out[name] = out.get(name, 0.0) + value
            return out

        return weights

    @classmethod
    def from_entry(cls, entry: dict) -> BodyRecipe:
        build = entry.get("build", {})
        return cls(
            entry["id"],
            entry["name"],
            entry["sex"],
            entry["age_years"],
            build.get("stature_m"),
            build.get("weight_kg"),
            build.get("muscle", 0.5),
            build.get("age_macro"),
            tuple((str(name), float(value)) for name, value in build.get("modifiers", {}).items()),
        )


def catalogue_entry(recipe: BodyRecipe, mesh: BodyMesh) -> dict:
    """What ``bodymap bodies --json`` lists of a body, measured on its own dense geometry."""
    return {
        "id": recipe.body_id,
        "name": recipe.name,
        "sex": recipe.sex,
        "age_years": recipe.age_years,
        "build": {
            "stature_m": recipe.stature_m,
            "weight_kg": recipe.weight_kg,
            "muscle": recipe.muscle,
            "age_macro": recipe.age_value,
            "modifiers": dict(recipe.modifiers),
        },
        "height_m": round(stature_m(mesh.vertices), 4),
        "weight_kg": round(weight_from_volume_kg(mesh.vertices, mesh.faces), 2),
        "skin_area_cm2": round(mesh.skin_area * 1e4, 1),
        "vertex_count": mesh.n_vertices,
        "topology_id": topology_id(mesh.faces, mesh.n_vertices),
        "geometry_sha256": mesh.geometry_hash,
    }


def adult_shape(
    recipe: BodyRecipe,
    spec: BodySpec,
    base: np.ndarray,
    targets: dict[str, np.ndarray],
    topology: SharedTopology,
) -> np.ndarray:
    """The coarse shape of an adult with the spec's height, weight and muscle.

    Muscle sets MakeHuman's muscle macro; the weight is met by solving the weight macro for the
    volume (see :func:`fitted_shape`); height scales the whole body, keeping its proportions.
    """
    if not recipe.is_adult:
        raise ValueError(f"{recipe.name}: build controls are for adult bodies only")
    muscle = recipe.muscle if spec.muscle is None else float(spec.muscle)
    return fitted_shape(
        recipe.weights_at(muscle),
        base,
        targets,
        topology,
        spec.height_m,
        spec.weight_kg,
        recipe.name,
    )


def fitted_shape(
    weights_at: Callable[[float], dict[str, float]],
    base: np.ndarray,
    targets: dict[str, np.ndarray],
    topology: SharedTopology,
    height_m: float | None,
    weight_kg: float | None,
    label: str,
) -> np.ndarray:
    """The coarse shape whose dense body has ``height_m`` and, from its volume, ``weight_kg``.

    ``weights_at(w)`` gives the blend's target weights for a weight macro ``w`` (see
    :meth:`BodyRecipe.weights_at`); ``None`` keeps the natural height (scale 1) or the average
    weight macro (0.5).
    """

    def shape(weight_macro: float) -> np.ndarray:
        return body_model.blend(base, targets, weights_at(weight_macro))

    middle = shape(0.5)
    dense = topology.dense_vertices(middle)
    natural_height = stature_m(dense)
    scale = 1.0 if height_m is None else float(height_m) / natural_height
    if weight_kg is None:
        return (middle * scale).astype(np.float32)
    # Dense and coarse volumes differ by a near-constant factor: solve on the coarse mesh.
    faces = topology.coarse_faces
    factor = weight_from_volume_kg(dense, topology.faces) / weight_from_volume_kg(middle, faces)

    def weight_of(weight_macro: float) -> float:
        return factor * scale**3 * weight_from_volume_kg(shape(weight_macro), faces)

    lo, hi = WEIGHT_MACRO_RANGE
    low, high = weight_of(lo), weight_of(hi)
    if not low <= weight_kg <= high:
        raise ValueError(
            f"{weight_kg:g} kg is outside what the {label.lower()} body reaches at "
            f"{natural_height * scale:.2f} m ({low:.0f} to {high:.0f} kg)"
        )
    for _ in range(30):  # bisection: the volume grows with the weight macro
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if weight_of(mid) < weight_kg else (lo, mid)
    return (shape(0.5 * (lo + hi)) * scale).astype(np.float32)
