"""The legend of what an export shows (the colours themselves: :mod:`bodymap.core.colors`)."""

from __future__ import annotations

from dataclasses import dataclass

from bodymap.core.colors import CHANGE_COLORS, CHANGE_LABELS
from bodymap.core.session import Session


@dataclass(frozen=True)
class LegendEntry:
    """One swatch of a legend."""

    label: str
    rgb: tuple[int, int, int]


CHANGE_LEGEND = [LegendEntry(CHANGE_LABELS[kind], rgb) for kind, rgb in CHANGE_COLORS.items()]
"""The classes of a difference map: new, resolved, persisting."""


def shown_tags_legend(session: Session) -> list[LegendEntry]:
    """The tags a session's colours show: visible, not transparent, holding paint."""
    painted = set(session.overlays.painted_keys())
    return [
        LegendEntry(tag.name, tag.color)
        for tag in session.tags
        if tag.key in painted and tag.visible and tag.opacity > 0
    ]
