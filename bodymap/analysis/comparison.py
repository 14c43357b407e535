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
    difference,
    skin_areas_cm2,
    strongest_layer,
    strongest_tags,
    transfer_layer,
)
from bodymap.core.mesh import BodyMesh
from bodymap.core.overlays import Overlays
from bodymap.core.series import practitioner_changes
from bodymap.core.session import Session
from bodymap.core.symmetry import SymmetryRow, symmetry
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

    def tag_name(self, key: str) -> str:
        """What a tag is called (the later visit's name wins); the key for an unknown tag."""
        for session in (self.after, self.before):
            if key in session.tags:
                return session.tags.get(key).name
        return key

    def symmetry(self, change: TagChange) -> list[tuple[SymmetryRow, SymmetryRow]]:
        """Left/right pairs painted in either visit: (before, after) rows, in atlas order."""
        then = symmetry(change.before, self.mesh, self.atlas)
        now = symmetry(change.after, self.mesh, self.atlas)
        return [
            (a, b)
            for a, b in zip(then, now, strict=True)
            if a.index is not None or b.index is not None
        ]


ALL_TAGS = ""
"""The ``tag`` that asks for all tags together only (each vertex's strongest value)."""


def compare(
    first: Session, second: Session, bodies: SessionBodies, tag: str | None = None
) -> Comparison:
    """Compare two sessions of one client on the earlier one's body.

    ``tag`` ``None``: every tag painted in either visit, and all tags together; a tag key:
    that tag only; :data:`ALL_TAGS`: all tags together only.

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
    later = after.overlays
    if after.mesh_hash != before.mesh_hash:  # show the later visit on the earlier one's body
        after_mesh, _ = bodies.get(after.mesh_hash)
        later = Overlays(mesh.n_vertices)
        for key in after.overlays.painted_keys():
            later.set_layer(key, transfer_layer(after.overlays.layer(key), after_mesh, mesh))
    if tag and tag not in before.tags and tag not in after.tags:
        if tag not in before.overlays.painted_keys() + later.painted_keys():
            raise NotFoundError(f"neither session has a tag {tag!r}")
    return compare_on(before, after, before.overlays, later, mesh, atlas, tag)


def compare_on(
    before: Session,
    after: Session,
    earlier: Overlays,
    later: Overlays,
    mesh: BodyMesh,
    atlas: Atlas,
    tag: str | None = None,
) -> Comparison:
    """Compare two visits whose layers (``earlier``, ``later``) are already on ``mesh``.

    What the compare window uses, which keeps the layers it carried onto a body; ``tag`` as
    in :func:`compare`, except that a tag neither visit has compares as two empty layers.
    """
    before_layers = {k: earlier.layer(k) for k in earlier.painted_keys()}
    after_layers = {k: later.layer(k) for k in later.painted_keys()}
    styles = {t.key: t for t in before.tags} | {t.key: t for t in after.tags}  # later wins
    keys = _keys(styles, {**before_layers, **after_layers}, tag)
    tags = tuple(
        TagChange(
            key,
            styles[key].name if key in styles else key,
            styles[key].color if key in styles else UNKNOWN_TAG_RGB,
            difference(before_layers.get(key), after_layers.get(key), mesh, atlas, key),
            before_layers.get(key),
            after_layers.get(key),
        )
        for key in keys
    )
    combined = None
    if tag is None or tag == ALL_TAGS:
        n = mesh.n_vertices
        every = _keys(styles, {**before_layers, **after_layers}, None)
        combined = difference(
            strongest_layer(list(before_layers.values()), n),
            strongest_layer(list(after_layers.values()), n),
            mesh,
            atlas,
            strongest=strongest_tags(before_layers, after_layers, every, n),
        )
    moved = after.mesh_hash != mesh.geometry_hash or before.mesh_hash != mesh.geometry_hash
    one_topology = bool(before.topology_id) and before.topology_id == after.topology_id
    transferred = moved and not one_topology  # bodies of one topology compare exactly
    return Comparison(before, after, mesh, atlas, transferred, tags, combined)


def _keys(styles: dict, painted: dict, tag: str | None) -> list[str]:
    """The tags compared: ``tag``, else those painted in either visit, in tag-set order."""
    if tag is not None:
        return [tag] if tag != ALL_TAGS else []
    keys = [k for k in styles if k in painted]
    return keys + [k for k in painted if k not in keys]
