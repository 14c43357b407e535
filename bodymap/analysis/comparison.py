"""Two visits of one client compared: what the CLI, the PDF report and its users share.

The earlier session (by start time, whatever the order given) is "before". A later one
painted on another body mesh is carried onto the earlier one's body
(:func:`~bodymap.core.compare.transfer_layer`). Per tag painted in either visit, and for
all tags together, the change per region and band comes from
:func:`~bodymap.core.compare.difference`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bodymap.analysis.lookup import SessionBodies
from bodymap.core.atlas import Atlas
from bodymap.core.colors import UNKNOWN_TAG_RGB
from bodymap.core.compare import (
    Difference,
    SymmetryRow,
    difference,
    practitioner_changes,
    skin_areas_cm2,
    strongest_layer,
    symmetry,
    transfer_layer,
)
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Session
from bodymap.store.errors import NotFoundError, StoreError


@dataclass(frozen=True, eq=False)
class TagChange:
    """One tag in both visits, on the compared body.

    ``before`` and ``after`` are the layers compared (``None``: not painted that visit).
    """

    key: str
    name: str
    rgb: tuple[int, int, int]
    difference: Difference
    before: np.ndarray | None
    after: np.ndarray | None


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two visits compared on the earlier one's body.

    ``combined`` is all tags together (each vertex's strongest value over the layers);
    ``None`` when the comparison was asked for one tag.
    """

    before: Session
    after: Session
    mesh: BodyMesh
    atlas: Atlas
    transferred: bool
    tags: tuple[TagChange, ...]
    combined: Difference | None

    @property
    def interval_days(self) -> float:
        return (self.after.started - self.before.started).total_seconds() / 86400

    @property
    def practitioner_changed(self) -> bool:
        """Recorded by different practitioners (palpation agrees poorly between them)."""
        return bool(practitioner_changes([self.before.practitioner, self.after.practitioner]))

    @cached_property
    def skin_area_cm2(self) -> float:
        return float(skin_areas_cm2(self.mesh).sum())

    def symmetry(self, change: TagChange) -> list[tuple[SymmetryRow, SymmetryRow]]:
        """Left/right pairs painted in either visit: (before, after) rows, in atlas order."""
        then = symmetry(change.before, self.mesh, self.atlas)
        now = symmetry(change.after, self.mesh, self.atlas)
        return [
            (a, b)
            for a, b in zip(then, now, strict=True)
            if a.index is not None or b.index is not None
        ]


def compare(
    first: Session, second: Session, bodies: SessionBodies, tag: str | None = None
) -> Comparison:
    """Compare two sessions of one client (``tag``: only that tag, no combined map).

    Raises
    ------
    StoreError
        The sessions belong to different clients, or a body cannot be found.
    NotFoundError
        Neither session has ``tag``.
    """
    if first.client_id != second.client_id:
        raise StoreError("the two sessions belong to different clients")
    before, after = sorted((first, second), key=lambda s: s.started)
    mesh, atlas = bodies.get(before.mesh_hash)
    transferred = after.mesh_hash != before.mesh_hash
    earlier = {k: before.overlays.layer(k) for k in before.overlays.painted_keys()}
    later = {k: after.overlays.layer(k) for k in after.overlays.painted_keys()}
    if transferred:  # show the later visit on the earlier one's body
        after_mesh, _ = bodies.get(after.mesh_hash)
        later = {k: transfer_layer(layer, after_mesh, mesh) for k, layer in later.items()}
    styles = {t.key: t for t in before.tags} | {t.key: t for t in after.tags}  # later wins
    keys = _keys(styles, earlier, later, tag)
    tags = tuple(
        TagChange(
            key,
            styles[key].name if key in styles else key,
            styles[key].color if key in styles else UNKNOWN_TAG_RGB,
            difference(earlier.get(key), later.get(key), mesh, atlas, key),
            earlier.get(key),
            later.get(key),
        )
        for key in keys
    )
    combined = None
    if not tag:
        n = mesh.n_vertices
        combined = difference(
            strongest_layer(list(earlier.values()), n),
            strongest_layer(list(later.values()), n),
            mesh,
            atlas,
        )
    return Comparison(before, after, mesh, atlas, transferred, tags, combined)


def _keys(styles: dict, earlier: dict, later: dict, tag: str | None) -> list[str]:
    """The tags compared: ``tag``, else those painted in either visit, in tag-set order."""
    painted = {**earlier, **later}
    if tag:
        if tag not in styles and tag not in painted:
            raise NotFoundError(f"neither session has a tag {tag!r}")
        return [tag]
    keys = [k for k in styles if k in painted]
    return keys + [k for k in painted if k not in keys]
