"""Joining consecutive mouse samples so that a fast stroke leaves no gaps.

The mouse reports positions tens of pixels apart when the hand moves fast. Dabbing only at the
samples would leave a dotted line, so the segment between two samples is cut into screen points
no further apart than a fraction of the brush radius; the UI picks each one (a pick into a cached
locator costs microseconds) and dabs there.
"""

from __future__ import annotations

import math

Point = tuple[float, float]

#: Spacing between dabs as a fraction of the brush radius: dense enough that the soft brushes'
#: flat cores (half the radius) overlap, so a stroke has no visible beading.
SPACING_FRACTION = 0.25


def spacing_for(
    radius_m: float, pixels_per_metre: float, fraction: float = SPACING_FRACTION
) -> float:
    """Screen spacing in pixels between dabs of a brush of ``radius_m`` metres (at least 1 px).

    ``pixels_per_metre`` is the scale of the view at the picked point.
    """
    spacing = fraction * radius_m * pixels_per_metre
    return spacing if spacing >= 1.0 else 1.0  # also maps NaN to 1 px


def interpolate_samples(previous: Point, current: Point, spacing_px: float) -> list[Point]:
    """The points to dab between two mouse samples: evenly spaced, ending at ``current``.

    Parameters
    ----------
    previous, current : (float, float)
        Consecutive mouse positions in pixels. ``previous`` was already dabbed, so it is not
        returned.
    spacing_px : float
        Largest allowed distance between consecutive points, pixels (> 0).

    Returns
    -------
    list of (float, float)
        ``ceil(distance / spacing_px)`` points (at least one), equally spaced along the segment;
        the last is ``current`` exactly. A move of zero length returns ``[current]``.
    """
    if not spacing_px > 0.0:
        raise ValueError(f"spacing must be positive, not {spacing_px}")
    x0, y0 = float(previous[0]), float(previous[1])
    x1, y1 = float(current[0]), float(current[1])
    if not all(map(math.isfinite, (x0, y0, x1, y1))):
        raise ValueError(f"mouse positions must be finite, not {previous} and {current}")
    steps = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / spacing_px))
    points = [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps) for k in range(1, steps)]
    points.append((x1, y1))
    return points
