"""Getting a body to show: a mesh together with its region atlas, without any window.

Used by the main window and the command line alike. The default body and the atlas transfer
are imported when first needed: they bring heavier dependencies than the window needs to open.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bodymap.core.atlas import Atlas
from bodymap.core.mesh import BodyMesh, MeshError
from bodymap.io.mesh_io import MESH_FILE_FILTER, MeshLoadError, load_mesh

__all__ = ["LOAD_ERRORS", "MESH_FILE_FILTER", "Body", "MeshLoadError", "default_body", "open_body"]

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


def open_body(path: str | Path, reference: Body | None = None) -> Body:
    """Load the mesh at ``path`` and carry the reference body's regions onto it.

    Parameters
    ----------
    path : str or Path
        A mesh file in any format ``bodymap.io.mesh_io.load_mesh`` reads.
    reference : Body, optional
        The body whose atlas is transferred; the default body when not given.

    Raises
    ------
    bodymap.io.mesh_io.MeshLoadError
        When the file cannot be read or is not a usable surface (one-line message).
    """
    loaded = load_mesh(Path(path))
    from bodymap.core.atlas_transfer import transfer_atlas

    if reference is None:
        reference = default_body()
    transfer = transfer_atlas(reference.mesh, reference.atlas, loaded.mesh)
    mesh = loaded.mesh
    if transfer.fitted and transfer.internal.any():
        # Cavities (mouth, eye sockets) found through the transfer are never painted or counted.
        mesh = BodyMesh(mesh.vertices, mesh.faces, mesh.internal | transfer.internal, mesh.name)
    return Body(
        mesh=mesh,
        atlas=transfer.atlas,
        path=Path(loaded.path),
        notes=tuple(loaded.notes),
        atlas_fitted=bool(transfer.fitted),
        atlas_reason="" if transfer.fitted else str(transfer.reason),
    )
