"""The session report (PDF): everything recorded in one visit, ready to print or send.

Header; the four views; findings per tag and region; pins; vectors; the events timeline;
rhythm readings; SOAP notes; amendments; and on every page a footer with the session
file's SHA-256 and whether the session is finalised. With ``emotional_content=False``
(``--no-emotional-content``), what the client said and felt (pins' ``said`` and
``emotion``, events' ``dialogue``) is left out entirely, for reports that leave the
practice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import bodymap
from bodymap.core.atlas import NO_REGION
from bodymap.core.session import EVENT_KINDS, LISTENING_STATIONS, SOAP_FIELDS
from bodymap.export.clips import clips_table
from bodymap.export.files import Output, write_outputs
from bodymap.export.html_parts import (
    STYLE,
    esc,
    facts,
    heading,
    number,
    paragraph,
    swatch,
    table,
)
from bodymap.export.images import SessionImages
from bodymap.export.naming import local_date, local_time
from bodymap.export.pdf import PagedReport, image_url, page_geometry
from bodymap.export.source import SessionSource
from bodymap.export.tables import findings

SHEET_PIXELS_PER_CSS = 2.0
"""Render the views at twice the CSS size: about 190 dpi on paper."""
SHEET_ASPECT = 0.62
"""Height of the views sheet over its width."""
IMAGE_TEXT_UNIT = 13.0 * SHEET_PIXELS_PER_CSS
"""Text size in the report's images (pixels): their legends read at about 7.5 pt."""
CLOSEUPS_PER_ROW = 3
NO_EMOTIONAL_NOTICE = (
    "Emotional content (what the client said, emotions, dialogue) is left out of this report."
)


def status_text(source: SessionSource) -> str:
    finalised = source.session.finalised_at
    return f"Finalised {local_time(finalised)}" if finalised else "Not finalised (open)"


def sha_text(source: SessionSource) -> str:
    return source.file_sha256 or "none (the session has unsaved changes or was never saved)"


def session_report_pdf(
    source: SessionSource,
    page: str = "a4",
    emotional_content: bool = True,
    images: SessionImages | None = None,
) -> bytes:
    """The report's PDF bytes (arguments as in :func:`session_report`)."""
    return session_report(source, page, emotional_content, images).pdf()


def session_report(
    source: SessionSource,
    page: str = "a4",
    emotional_content: bool = True,
    images: SessionImages | None = None,
) -> PagedReport:
    """The report's pages, to write as a PDF or to print.

    Parameters
    ----------
    page : {"a4", "letter"}
    emotional_content : bool
        False leaves out pins' ``said`` and ``emotion`` and events' ``dialogue``.
    images : SessionImages, optional
        A renderer already holding this session's body (saves loading it again).
    """
    geometry = page_geometry(page)
    width = geometry.width_css
    height = round(width * SHEET_ASPECT)
    size = (round(width * SHEET_PIXELS_PER_CSS), round(height * SHEET_PIXELS_PER_CSS))
    own = images is None
    images = images or SessionImages(source, size)
    side = round(width / CLOSEUPS_PER_ROW * SHEET_PIXELS_PER_CSS)
    try:
        sheet = images.sheet(size, header=False, unit=IMAGE_TEXT_UNIT).image
        closeups = images.closeups((side, side), unit=IMAGE_TEXT_UNIT)
    finally:
        if own:
            images.close()
    sheet_html = f'<img src="{image_url("sheet")}" width="{round(width)}" height="{height}">'
    sheet_html += closeups_html(closeups, width)
    html = session_report_html(source, sheet_html, emotional_content)
    session = source.session
    lines = session_footer(source)
    return PagedReport(
        html,
        images={"sheet": sheet} | {f"closeup-{i}": image for i, (_, image) in enumerate(closeups)},
        footer=lambda _page, _pages: lines,
        title=f"BodyMap session report {session.id}",
        page=page,
    )


def closeups_html(closeups: list, width: float) -> str:
    """The close-ups in rows of :data:`CLOSEUPS_PER_ROW`, each titled by place and finding."""
    if not closeups:
        return ""
    side = round(width / CLOSEUPS_PER_ROW) - 8
    cells = [
        f'<td width="{100 // CLOSEUPS_PER_ROW}%"><img src="{image_url(f"closeup-{i}")}" '
        f'width="{side}" height="{side}"><br>{esc(title)}</td>'
        for i, (title, _) in enumerate(closeups)
    ]
    rows = [
        "<tr>" + "".join(cells[i : i + CLOSEUPS_PER_ROW]) + "</tr>"
        for i in range(0, len(cells), CLOSEUPS_PER_ROW)
    ]
    return f'{heading("Close-ups", 3)}<table cellpadding="2">{"".join(rows)}</table>'


def session_footer(source: SessionSource) -> tuple[str, str, str]:
    """The report's footer: who and when, the record's state, its file's whole SHA-256."""
    session = source.session
    return (
        f"{source.client_name} · {local_date(session.started)} · Session {session.id}",
        status_text(source),
        f"Session file SHA-256 {sha_text(source)}",
    )


def write_session_pdf(
    source: SessionSource,
    target: Path,
    page: str = "a4",
    emotional_content: bool = True,
) -> Path:
    """Write the report to ``target`` atomically and log the export."""
    data = session_report_pdf(source, page, emotional_content)
    kind = "pdf" if emotional_content else "pdf-no-emotional"
    output = Output(Path(target), data)
    write_outputs([output], lambda done: source.log_export(kind, done[0].sha256))
    return output.target


def session_report_html(source: SessionSource, sheet_html: str, emotional_content: bool) -> str:
    parts = [
        STYLE,
        heading("Session report", 1),
        _header(source),
    ]
    if not emotional_content:
        parts.append(f'<p class="notice">{esc(NO_EMOTIONAL_NOTICE)}</p>')
    parts += [
        heading("Views"),
        f"<p>{sheet_html}</p>",
        heading("Findings"),
        _findings(source),
        heading("Pins"),
        _pins(source, emotional_content),
        heading("Vectors of force"),
        _vectors(source),
        heading("Events"),
        _events(source, emotional_content),
        *_spoken_notes(source, emotional_content),
        heading("Craniosacral rhythm"),
        _rhythm(source),
        heading("SOAP notes"),
        _notes(source),
        heading("Amendments"),
        _amendments(source),
        heading("Record"),
        _record(source),
    ]
    return "\n".join(parts)


def _header(source: SessionSource) -> str:
    session = source.session
    client = esc(source.client_name)
    if source.client is not None:
        client += f' <span style="color:#5f5f5f">({esc(session.client_id)})</span>'
    items = [
        ("Client", client),
        ("Date", esc(local_time(session.started))),
        ("Practitioner", esc(session.practitioner or "—")),
        ("Session", esc(session.id)),
        ("Status", esc(status_text(source))),
    ]
    if source.client is not None and source.client.born:
        items.insert(1, ("Born", esc(source.client.born)))
    if session.carried_over_from:
        items.append(("Carried over from", esc(session.carried_over_from)))
    return facts(items)


def _findings(source: SessionSource) -> str:
    results = findings(source)
    if not results:
        return paragraph("Nothing painted.", muted=True)
    colors = {tag.key: tag.color for tag in source.session.tags}
    parts = []
    headers = ("Region", "Area (cm²)", "% of body", "Mean", "Peak")
    for tag in results:
        parts.append(f"<h3>{swatch(colors.get(tag.tag, (0, 0, 0)))} {esc(tag.name)}</h3>")
        parts.append(paragraph(tag.summary))
        rows = [_finding_row(tag.total)] + [_finding_row(r) for r in tag.regions]
        rows += [_finding_row(b, " (band)") for b in tag.bands]
        parts.append(table(headers, rows, numeric=(1, 2, 3, 4), widths=(48, 14, 14, 12, 12)))
    return "\n".join(parts)


def _finding_row(finding, suffix: str = "") -> list[str]:
    return [
        finding.region_name + suffix,
        number(finding.area_cm2),
        number(finding.percent_body, 2),
        number(finding.mean_intensity),
        number(finding.peak_intensity),
    ]


def _region_name(source: SessionSource, vertex: int) -> str:
    index = source.atlas.region_index
    if not 0 <= vertex < len(index) or index[vertex] == NO_REGION:
        return "—"
    return source.atlas.regions[int(index[vertex])].name


def _tag_name(source: SessionSource, key: str) -> str:
    return source.session.tags.get(key).name if key in source.session.tags else key


def _pins(source: SessionSource, emotional: bool) -> str:
    headers = ["Tag", "Region", "Note", "Technique"]
    if emotional:
        headers += ["Client said", "Emotion"]
    headers.append("Energy cyst")
    rows = []
    for pin in source.session.pins.values():
        row = [
            _tag_name(source, pin.tag),
            _region_name(source, pin.at.vertex),
            pin.note,
            pin.technique,
        ]
        if emotional:
            row += [pin.said, pin.emotion]
        row.append(", ".join(v for v in (pin.cyst_origin, pin.cyst_state) if v))
        rows.append(row)
    return table(headers, rows)


def _vectors(source: SessionSource) -> str:
    rows = [
        [
            _tag_name(source, v.tag),
            _region_name(source, v.start.vertex),
            _region_name(source, v.end.vertex),
            number(100 * v.length),
            v.note,
        ]
        for v in source.session.vectors.values()
    ]
    return table(("Tag", "Entered at", "Travelled to", "Length (cm)", "Note"), rows, numeric=(3,))


def _spoken_notes(source: SessionSource, emotional: bool) -> list[str]:
    """The spoken notes' transcripts: emotional content, so left out without it."""
    if not emotional or not source.session.clips:
        return []
    return [heading("Spoken notes"), clips_table(source.session)]


def _events(source: SessionSource, emotional: bool) -> str:
    session = source.session
    headers = ["Time", "Elapsed", "Event", "Technique", "Where", "Note"]
    if emotional:
        headers.append("Dialogue")
    rows = []
    for event in sorted(session.events, key=lambda e: e.time):
        elapsed = int((event.time - session.started).total_seconds())
        sign = "-" if elapsed < 0 else "+"
        minutes, seconds = divmod(abs(elapsed), 60)
        where = _region_name(source, event.at.vertex) if event.at else ""
        row = [
            event.time.astimezone().strftime("%H:%M:%S"),
            f"{sign}{minutes}:{seconds:02d}",
            EVENT_KINDS[event.kind],
            event.technique,
            where,
            event.note,
        ]
        if emotional:
            row.append(event.dialogue)
        rows.append(row)
    return table(headers, rows, numeric=(1,))


def _rhythm(source: SessionSource) -> str:
    def value(x: float | None) -> str:
        return "" if x is None else number(x)

    rows = [
        [
            LISTENING_STATIONS[r.station],
            r.side,
            value(r.rate),
            value(r.amplitude),
            r.symmetry,
            r.quality,
        ]
        for r in source.session.rhythm
    ]
    headers = ("Station", "Side", "Rate (c/min)", "Amplitude", "Symmetry", "Quality")
    return table(headers, rows, numeric=(2, 3))


def _notes(source: SessionSource) -> str:
    notes = source.session.notes
    if not any(getattr(notes, name).strip() for name in SOAP_FIELDS):
        return paragraph("No notes.", muted=True)
    return facts([(name.capitalize(), esc(getattr(notes, name))) for name in SOAP_FIELDS])


def _amendments(source: SessionSource) -> str:
    rows = [
        [local_time(a.created), a.author, a.section or "(whole session)", a.text]
        for a in source.amendments
    ]
    return table(("Date", "Author", "Section", "Amendment"), rows, widths=(20, 15, 15, 50))


def _record(source: SessionSource) -> str:
    session = source.session
    painted = len(source.session.overlays.painted_keys())
    items = [
        ("Status", esc(status_text(source))),
        ("Session file SHA-256", esc(sha_text(source))),
        ("Body mesh SHA-256", esc(session.mesh_hash)),
        ("Layers painted", esc(str(painted))),
        ("Vertices", esc(f"{session.n_vertices:,}")),
        ("Report made", esc(f"{local_time(datetime.now(UTC))} by BodyMap {bodymap.__version__}")),
    ]
    return facts(items)
