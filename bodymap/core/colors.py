"""Every colour BodyMap derives from data: the skin, a session's layers, difference maps.

The app, the compare window, the exports and the demo builder all colour a body through
these functions, so a record looks the same on screen and on paper. Colours are (N, 4)
uint8 RGBA per vertex; they are derived, never stored.
"""

from __future__ import annotations

import numpy as np

from bodymap.core.blend import LayerStyle, blend_vertices
from bodymap.core.compare import NEW, PERSISTING, RESOLVED
from bodymap.core.mesh import BodyMesh
from bodymap.core.overlays import Overlays
from bodymap.core.session import Session
from bodymap.core.tags import TagSet

SKIN_RGBA = (226, 202, 186, 255)
INTERNAL_RGBA = (150, 120, 112, 255)
UNKNOWN_TAG_RGB = (90, 90, 90)
"""A tag a session names but whose style is not known (or a hidden tag's marker)."""
CHANGE_COLORS = {NEW: (213, 94, 0), RESOLVED: (0, 114, 178), PERSISTING: (120, 120, 120)}
"""How a difference map shows each class, in the app and in reports: Okabe-Ito vermillion
and blue, which stay apart under colour-vision deficiencies, and a neutral grey."""
CHANGE_LABELS = {NEW: "New", RESOLVED: "Resolved", PERSISTING: "Persisting"}


def base_colors(mesh: BodyMesh) -> np.ndarray:
    """The resting colours of a body: calm skin, internal cavities darker. (N, 4) uint8."""
    colors = np.empty((mesh.n_vertices, 4), dtype=np.uint8)
    colors[:] = SKIN_RGBA
    colors[mesh.internal] = INTERNAL_RGBA
    return colors


def layer_colors(
    overlays: Overlays,
    tags: TagSet,
    base: np.ndarray,
    vertex_ids: np.ndarray | None = None,
    style: LayerStyle | None = None,
) -> np.ndarray:
    """The shown layers blended over ``base``: all rows, or only those of ``vertex_ids``.

    ``style`` (from :meth:`LayerStyle.from_tags`) may be passed in by a caller that
    recolours often, so that it is built once per change of how layers are shown.
    """
    style = style if style is not None else LayerStyle.from_tags(tags, overlays)
    return blend_vertices(overlays, style, base, vertex_ids)


def session_colors(session: Session, mesh: BodyMesh) -> np.ndarray:
    """Per-vertex RGBA of a whole session on its body, exactly as the app draws it."""
    return layer_colors(session.overlays, session.tags, base_colors(mesh))


def tag_rgb(tags: TagSet, key: str) -> tuple[int, int, int]:
    """The colour of tag ``key`` in ``tags``, or :data:`UNKNOWN_TAG_RGB`."""
    return tuple(tags.get(key).color) if key in tags else UNKNOWN_TAG_RGB


def difference_colors(classes: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Skin where nothing was found in either visit, else the class colour, (N, 4) uint8."""
    colors = base.copy()
    for kind, rgb in CHANGE_COLORS.items():
        colors[classes == kind, :3] = rgb
    return colors
