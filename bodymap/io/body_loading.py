"""Getting a body to show: a mesh together with its region atlas, without any window.

Used by the main window and the command line alike. The default body and the atlas transfer
are imported when first needed: they bring heavier dependencies than the window needs to open.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bodymap.core.atlas import Atlas
from bodymap.core.mesh import BodyMesh, MeshError
from bodymap.io.mesh_io import MESH_FILE_FILTER, MeshLoadError, load_mesh

__all__ = [
    "LOAD_ERRORS",
    "MESH_FILE_FILTER",
    "Body",
    "MeshLoadError",
    "body_of",
    "default_body",
    "open_body",
]

Progress = Callable[[float, str], None]

LOAD_ERRORS: tuple[type[Exception], ...] = (MeshError, OSError)
"""What "this file is not a body we can open" looks like: show it to the user, never crash.
(``MeshLoadError`` is a ``MeshError``.)"""


@dataclass(frozen=True, eq=False)
class Body:
    """A mesh with its atlas, and what a person should know about how they were obtained.

    Attributes
    ----------
    mesh : BodyMesh
    atlas : Atlas
        One region (or ``NO_REGION``) per vertex of ``mesh``.
    path : Path or None
        The file it came from; ``None`` for the built-in default body.
    notes : tuple of str
        What the loader noticed (repaired normals, units converted...).
    atlas_fitted : bool
        Whether the regions could be carried onto this mesh.
    atlas_reason : str
        Why not, when ``atlas_fitted`` is false.
    """

    mesh: BodyMesh
    atlas: Atlas
    path: Path | None = None
    notes: tuple[str, ...] = ()
    atlas_fitted: bool = True
    atlas_reason: str = ""

    def __post_init__(self) -> None:
        if self.atlas.n_vertices != self.mesh.n_vertices:
            raise ValueError(
                f"the atlas has {self.atlas.n_vertices} vertices, the mesh {self.mesh.n_vertices}"
            )

    @property
    def name(self) -> str:
        return self.mesh.name


def default_body() -> Body:
    """The built-in body with its hand-made atlas."""
    from bodymap.io.default_body import load_default_body

    mesh, atlas = load_default_body()
    return Body(mesh=mesh, atlas=atlas)


def body_of(spec) -> Body:
    """A shipped body (``BodySpec`` or body id, see ``bodymap bodies``) with its atlas.

    Every shipped body has the default body's topology and atlas; the default spec gives the
    default body itself. Raises ``KeyError`` for an unknown id and ``ValueError`` for build
    controls the body cannot take.
    """
    from bodymap.core.bodies import BodySpec
    from bodymap.io.paths import meshes_dir

    spec = BodySpec(spec) if isinstance(spec, str) else spec
    return _shipped_body(spec, meshes_dir().resolve())


SHIPPED_BODIES_KEPT = 8
"""Shipped bodies kept loaded (about 5 MB each at 168k vertices): switching back to one
takes no time, rather than 0.1 to 0.2 s of blending, validation and normals."""


@functools.lru_cache(maxsize=SHIPPED_BODIES_KEPT)
def _shipped_body(spec, folder: Path) -> Body:
    from bodymap.io.default_body import load_body

    mesh, atlas = load_body(spec, folder)
    return Body(mesh=mesh, atlas=atlas)


def open_body(
    path: str | Path, reference: Body | None = None, progress: Progress | None = None
) -> Body:
    """Load the mesh at ``path`` and carry the reference body's regions onto it.

    A mesh already in the default frame (metres, +y up, +z anterior) takes the regions
    directly. Any other human body (another unit, Z-up, facing elsewhere, another build) is
    first fitted with the parametric body (:mod:`bodymap.core.fitting`): it opens upright in
    metres, and the regions come from the fitted body. Where neither works, the regions stay
    unassigned and ``atlas_reason`` says why.

    Parameters
    ----------
    path : str or Path
        A mesh file in any format ``bodymap.io.mesh_io.load_mesh`` reads.
    reference : Body, optional
        The body whose atlas is transferred; the default body when not given.
    progress : callable, optional
        ``progress(fraction, message)`` while fitting (0 to 1), for a progress bar.

    Raises
    ------
    bodymap.io.mesh_io.MeshLoadError
        When the file cannot be read or is not a usable surface (one-line message).
    """
    loaded = load_mesh(Path(path))
    from bodymap.core.atlas_transfer import transfer_atlas

    if reference is None:
        reference = default_body()
    mesh, notes = loaded.mesh, list(loaded.notes)
    transfer = transfer_atlas(reference.mesh, reference.atlas, mesh)
    if not transfer.fitted:
        fitted = _fit_and_transfer(mesh, reference, progress)
        if fitted is not None:
            mesh, transfer, note = fitted
            notes.append(note)
    if transfer.fitted and transfer.internal.any():
        # Cavities (mouth, eye sockets) found through the transfer are never painted or counted.
        mesh = BodyMesh(mesh.vertices, mesh.faces, mesh.internal | transfer.internal, mesh.name)
    return Body(
        mesh=mesh,
        atlas=transfer.atlas,
        path=Path(loaded.path),
        notes=tuple(notes),
        atlas_fitted=bool(transfer.fitted),
        atlas_reason="" if transfer.fitted else str(transfer.reason),
    )


def _fit_and_transfer(mesh: BodyMesh, reference: Body, progress: Progress | None):
    """Fit the parametric body to ``mesh``; the upright mesh, the transfer and a note.

    ``None`` when the mesh cannot be fitted (its regions then stay as the direct try left them,
    with that try's reason) or when the reference is not on the shipped bodies' topology.
    """
    from bodymap.core.atlas_transfer import transfer_atlas
    from bodymap.core.fitting import FitError, fit_body
    from bodymap.io.default_body import shape_model, shared_topology

    topology = shared_topology()
    if reference.mesh.n_vertices != topology.operator.shape[0]:
        return None
    model = shape_model()
    try:
        fit = fit_body(mesh.vertices, model, progress)
    except FitError:
        return None
    upright = BodyMesh(fit.to_model(mesh.vertices), mesh.faces, mesh.internal, mesh.name)
    coarse = model.coarse(fit.weights, fit.model_scale, fit.pose)
    fitted_body = topology.mesh(coarse, "fitted body", like=reference.mesh, symmetric=False)
    transfer = transfer_atlas(fitted_body, reference.atlas, upright)
    note = (
        f"fitted the parametric body (units x{fit.scale:g} to metres, residual "
        f"{fit.rms_m * 1000:.0f} mm) and turned it upright in metres"
    )
    return upright, transfer, note
