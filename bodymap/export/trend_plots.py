"""Trend plots for reports: matplotlib ``Figure`` (never pyplot) rendered to PNG bytes.

pyplot keeps global state and may pick an interactive backend; a bare ``Figure`` with the
Agg canvas draws in memory, in any thread, with no display.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

PLOT_DPI = 200


@dataclass(frozen=True)
class TagTrend:
    """One tag across visits: its name, colour and per-visit extent and mean intensity."""

    name: str
    rgb: tuple[int, int, int]
    area_cm2: list[float]
    mean_intensity: list[float]


@dataclass
class TrendData:
    """What the trend plots show, one entry per visit (oldest first)."""

    dates: list[datetime]
    tags: list[TagTrend]
    practitioner_changes: list[int] = field(default_factory=list)
    highlighted: list[int] = field(default_factory=list)
    """Indices of the visits a report compares (drawn as vertical lines)."""
    rhythm_rate: list[float | None] = field(default_factory=list)
    """Mean craniosacral-rhythm rate per visit (cycles/min), ``None`` where not read."""


def trend_png(data: TrendData, width_in: float = 7.0) -> bytes:
    """Extent and mean intensity per tag across visits (and the rhythm rate, if read)."""
    rows = 3 if any(r is not None for r in data.rhythm_rate) else 2
    figure = Figure(figsize=(width_in, 1.5 * rows + 0.5), dpi=PLOT_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, 1, sharex=True)
    extent, intensity = axes[0], axes[1]
    for tag in data.tags:
        colour = tuple(c / 255 for c in tag.rgb)
        extent.plot(data.dates, tag.area_cm2, marker="o", color=colour, label=tag.name)
        intensity.plot(data.dates, tag.mean_intensity, marker="o", color=colour)
    extent.set_ylabel("Extent (cm²)")
    extent.set_ylim(bottom=0)
    intensity.set_ylabel("Mean intensity")
    intensity.set_ylim(0, 10.5)
    if rows == 3:
        points = [
            (d, r) for d, r in zip(data.dates, data.rhythm_rate, strict=True) if r is not None
        ]
        axes[2].plot(*zip(*points, strict=True), marker="s", color="0.3")
        axes[2].set_ylabel("CSR rate (c/min)")
    for ax in axes:
        _decorate(ax, data)
    if data.tags:  # above the plots, never over a data point (constrained layout makes room)
        figure.legend(
            loc="outside upper center",
            fontsize="small",
            frameon=False,
            ncols=min(4, len(data.tags)),
        )
    locator = AutoDateLocator()
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PLOT_DPI)
    return buffer.getvalue()


def _decorate(ax, data: TrendData) -> None:
    ax.grid(True, color="0.9")
    ax.spines[["top", "right"]].set_visible(False)
    for index in data.highlighted:
        ax.axvline(data.dates[index], color="0.55", linestyle="--", linewidth=0.8)
    for index in data.practitioner_changes:
        ax.axvline(data.dates[index], color="#d55e00", linestyle=":", linewidth=1.0)
