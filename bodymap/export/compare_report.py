"""The comparison report (PDF): two visits of one client side by side, and what changed.

The two sessions' view sheets; difference maps (what is new, resolved and persisting, in
three colours, with a legend) for all tags together and per tag; the per-region change
tables (extent then and now, new, resolved, persisting, mean intensities, overlap 0 to 1, the
Jaccard index); a finding that changed (all tags: from one tag to another, per region);
and trend plots across the client's visits. The numbers come from
:mod:`bodymap.core.compare`. Pins and events are not shown, so the report holds no
emotional content.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtGui import QImage

from bodymap.core.colors import base_colors, difference_colors
from bodymap.core.compare import Difference, RegionChange
from bodymap.core.series import practitioner_changes
from bodymap.core.views import StandardView
from bodymap.export.colors import CHANGE_LEGEND
from bodymap.export.comparison import Comparison, compare_sources, trend_data
from bodymap.export.files import Output, write_outputs
from bodymap.export.html_parts import STYLE, esc, facts, heading, number, paragraph, swatch, table
from bodymap.export.images import SHEET_VIEWS, SessionImages
from bodymap.export.naming import local_date, local_time
from bodymap.export.offscreen import OffscreenBody
from bodymap.export.pdf import PagedReport, image_url, page_geometry
from bodymap.export.qt_canvas import layout_views, paint_views
from bodymap.export.session_report import (
    IMAGE_TEXT_UNIT,
    SHEET_PIXELS_PER_CSS,
    sha_text,
    status_text,
)
from bodymap.export.source import SessionSource
from bodymap.export.trend_plots import TrendData, trend_png

TAG_MAP_VIEWS = (StandardView.ANTERIOR, StandardView.POSTERIOR)
MAX_TAG_MAPS = 6
"""Per-tag difference maps drawn (each costs two renders); every tag still gets its table."""
SHEET_ASPECT = 0.55
TAG_MAP_ASPECT = 0.5
CHANGE_HEADERS = (
    "Region",
    "Then cm²",
    "Now cm²",
    "Change",
    "New",
    "Resolved",
    "Persisting",
    "Mean then",
    "Mean now",
    "Overlap 0–1",
)


def compare_report_pdf(first: SessionSource, second: SessionSource, page: str = "a4") -> bytes:
    """The comparison report's PDF bytes (``page``: "a4" or "letter")."""
    return compare_report(first, second, page).pdf()


def compare_report(first: SessionSource, second: SessionSource, page: str = "a4") -> PagedReport:
    """The comparison report's pages, to write as a PDF or to print."""
    comparison = compare_sources(first, second)
    width = page_geometry(page).width_css
    images = _images(comparison, width)
    trends = trend_data(comparison)
    plot = trend_image(trends)
    if plot is not None:
        images["trends"] = plot
    html = _html(comparison, width, trends, plot)
    before, after = comparison.before.session, comparison.after.session
    lines = compare_footer(comparison)
    return PagedReport(
        html,
        images=images,
        footer=lambda _page, _pages: lines,
        title=f"BodyMap comparison report {before.id} {after.id}",
        page=page,
    )


def compare_footer(comparison: Comparison) -> tuple[str, str, str]:
    """Who and which visits, then each session's whole id and state, one line each."""
    before, after = comparison.before.session, comparison.after.session
    return (
        f"{comparison.after.client_name} · Comparison of {local_date(before.started)} "
        f"and {local_date(after.started)}",
        f"Before: session {before.id} ({_state(comparison.before)})",
        f"After: session {after.id} ({_state(comparison.after)})",
    )


def _state(source: SessionSource) -> str:
    return "finalised" if source.session.finalised else "open"


def write_compare_pdf(
    first: SessionSource, second: SessionSource, target: Path, page: str = "a4"
) -> Path:
    """Write the comparison report atomically; the export is logged for both sessions."""
    output = Output(Path(target), compare_report_pdf(first, second, page))

    def log(done: list[Output]) -> None:
        for source in (first, second):
            source.log_export("compare-pdf", done[0].sha256)

    write_outputs([output], log)
    return output.target


# ----- images ------------------------------------------------------------------------------
def _pixels(width_css: float, aspect: float) -> tuple[int, int]:
    return round(width_css * SHEET_PIXELS_PER_CSS), round(width_css * aspect * SHEET_PIXELS_PER_CSS)


def _images(comparison: Comparison, width_css: float) -> dict[str, QImage]:
    sheet = _pixels(width_css, SHEET_ASPECT)
    images = {}
    for name, source in (("before", comparison.before), ("after", comparison.after)):
        with SessionImages(source, sheet) as renderer:
            images[name] = renderer.sheet(sheet, header=False, unit=IMAGE_TEXT_UNIT).image
    strip = _pixels(width_css * 0.6, TAG_MAP_ASPECT / 0.6)
    base = base_colors(comparison.result.mesh)
    with OffscreenBody(comparison.result.mesh, sheet) as body:
        images["diff-all"] = _difference_image(
            body, comparison.result.combined, base, SHEET_VIEWS, sheet
        )
        for index, tag in enumerate(comparison.result.tags[:MAX_TAG_MAPS]):
            images[f"diff-{index}"] = _difference_image(
                body, tag.difference, base, TAG_MAP_VIEWS, strip
            )
    return images


def _difference_image(body: OffscreenBody, diff: Difference, base, views, size) -> QImage:
    layout = layout_views(len(views), size, False, CHANGE_LEGEND, IMAGE_TEXT_UNIT)
    body.resize(layout.panel_size)
    body.set_colors(difference_colors(diff.classes, base))
    renders = [(view.label, body.render(view)) for view in views]
    return paint_views(layout, renders)


def _img(name: str, width_css: float, aspect: float) -> str:
    return (
        f'<img src="{image_url(name)}" width="{round(width_css)}" '
        f'height="{round(width_css * aspect)}">'
    )


# ----- the document ------------------------------------------------------------------------
def _html(comparison: Comparison, width: float, trends: TrendData, plot: QImage | None) -> str:
    parts = [STYLE, heading("Comparison report", 1), _header(comparison)]
    for name, source, label in (
        ("before", comparison.before, "Before"),
        ("after", comparison.after, "After"),
    ):
        session = source.session
        who = f" · {session.practitioner}" if session.practitioner else ""
        parts.append(heading(f"{label}: {local_time(session.started)}{who}", 3))
        parts.append(f"<p>{_img(name, width, SHEET_ASPECT)}</p>")
    parts += [
        heading("What changed: all tags"),
        paragraph(_summary(comparison.result.combined.total)),
    ]
    parts.append(f"<p>{_img('diff-all', width, SHEET_ASPECT)}</p>")
    parts.append(_change_table(comparison.result.combined))
    parts.append(_changed_findings(comparison))
    parts.append(heading("Per tag"))
    if not comparison.result.tags:
        parts.append(paragraph("Nothing painted in either visit.", muted=True))
    for index, tag in enumerate(comparison.result.tags):
        parts.append(f"<h3>{swatch(tag.rgb)} {esc(tag.name)}</h3>")
        parts.append(paragraph(_summary(tag.difference.total)))
        if index < MAX_TAG_MAPS:
            parts.append(f"<p>{_img(f'diff-{index}', width * 0.6, TAG_MAP_ASPECT)}</p>")
        parts.append(_change_table(tag.difference))
    parts += [
        heading("Trends"),
        _trend_html(trends, plot, width),
        heading("Record"),
        _record(comparison),
    ]
    return "\n".join(parts)


def _header(comparison: Comparison) -> str:
    before, after = comparison.before, comparison.after
    days = (after.session.started - before.session.started).total_seconds() / 86400
    items = [("Client", esc(after.client_name))]
    for label, source in (("Before", before), ("After", after)):
        s = source.session
        items.append(
            (
                label,
                esc(
                    f"{local_time(s.started)} · {s.practitioner or '—'} · {s.id} · "
                    f"{status_text(source)}"
                ),
            )
        )
    items.append(("Interval", esc(f"{days:.0f} days")))
    if practitioner_changes([before.session.practitioner, after.session.practitioner]):
        items.append(
            (
                "Note",
                esc(
                    "Recorded by different practitioners: palpation findings "
                    "agree poorly between examiners."
                ),
            )
        )
    if comparison.result.transferred:
        items.append(
            (
                "Note",
                esc(
                    "The later visit was recorded on another body mesh and carried "
                    "onto the earlier one: areas are approximate."
                ),
            )
        )
    return facts(items)


def _summary(total: RegionChange) -> str:
    jaccard = "—" if total.jaccard is None else f"{total.jaccard:.2f}"
    changed = f", changed {total.changed_cm2:.1f}" if total.changed_cm2 else ""
    return (
        f"Whole body: {total.area_before_cm2:.1f} cm² then, {total.area_after_cm2:.1f} cm² now "
        f"({total.change_cm2:+.1f} cm²): new {total.new_cm2:.1f}, resolved "
        f"{total.resolved_cm2:.1f}, persisting {total.persisting_cm2:.1f}{changed} cm²; mean "
        "intensity "
        f"{total.mean_before:.1f} then, {total.mean_after:.1f} now; overlap {jaccard} "
        "(0: no common area, 1: the same area; the Jaccard index)."
    )


def _changed_findings(comparison: Comparison) -> str:
    """All tags: per region, which finding became which ("Energy cyst → Release 3.1 cm²")."""
    name = comparison.result.tag_name
    rows = [
        [r.name, name(a), name(b), number(cm2)]
        for r in comparison.result.combined.regions
        for a, b, cm2 in r.swaps
    ]
    if not rows:
        return ""
    intro = paragraph(
        "Changed findings: painted in both visits, but with another finding (the strongest "
        "tag at each place)."
    )
    headers = ("Region", "Then", "Now", "cm²")
    return intro + table(headers, rows, numeric=(3,), widths=(34, 28, 28, 10))


def _change_table(diff: Difference) -> str:
    rows = [_change_row(diff.total)] + [_change_row(r) for r in diff.regions if r.painted]
    rows += [_change_row(b, " (band)") for b in diff.bands if b.painted]
    return table(CHANGE_HEADERS, rows, numeric=range(1, 10), widths=(19,) + (9,) * 9)


def _change_row(c: RegionChange, suffix: str = "") -> list[str]:
    return [
        c.name + suffix,
        number(c.area_before_cm2),
        number(c.area_after_cm2),
        f"{c.change_cm2:+.1f}",
        number(c.new_cm2),
        number(c.resolved_cm2),
        number(c.persisting_cm2),
        number(c.mean_before),
        number(c.mean_after),
        "—" if c.jaccard is None else f"{c.jaccard:.2f}",
    ]


def trend_image(trends: TrendData) -> QImage | None:
    """The trend plots, or ``None`` with fewer than two visits or nothing painted."""
    if len(trends.dates) < 2 or not trends.tags:
        return None
    return QImage.fromData(trend_png(trends))


def _trend_html(trends: TrendData, plot: QImage | None, width: float) -> str:
    if plot is None:
        return paragraph("Not enough visits with findings to plot.", muted=True)
    aspect = plot.height() / max(1, plot.width())
    caption = (
        f"{len(trends.dates)} visits. Dashed lines: the two visits compared; dotted: a change of "
        "practitioner."
    )
    return f"<p>{_img('trends', width, aspect)}</p>" + paragraph(caption, muted=True)


def _record(comparison: Comparison) -> str:
    items = []
    for label, source in (("Before", comparison.before), ("After", comparison.after)):
        items.append((f"{label}: session", esc(source.session.id)))
        items.append((f"{label}: status", esc(status_text(source))))
        items.append((f"{label}: file SHA-256", esc(sha_text(source))))
    items.append(("Body mesh SHA-256", esc(comparison.result.mesh.geometry_hash)))
    return facts(items)
