"""Small HTML builders for the reports (Qt's rich-text subset), escaping every text."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

HEADER_BG = "#eceff1"
RULE = "#b0b6ba"
MUTED = "#5f5f5f"
NONE_TEXT = "None recorded."


def esc(text: object) -> str:
    """Escaped text with line breaks kept."""
    return html.escape(str(text)).replace("\n", "<br>")


def swatch(rgb: Sequence[int]) -> str:
    """A coloured square before a tag's name."""
    return f'<span style="color:#{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x}">&#9632;</span>'


def heading(text: str, level: int = 2) -> str:
    return f"<h{level}>{esc(text)}</h{level}>"


def paragraph(text: str, muted: bool = False, raw: bool = False) -> str:
    body = text if raw else esc(text)
    style = f' style="color:{MUTED}"' if muted else ""
    return f"<p{style}>{body}</p>"


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: Iterable[int] = (),
    raw_columns: Iterable[int] = (),
    widths: Sequence[int] | None = None,
    empty: str = NONE_TEXT,
) -> str:
    """A ruled table whose header row repeats on every page.

    Cells are escaped text, except in ``raw_columns`` (already HTML); ``numeric`` columns
    are right-aligned; ``widths`` are percentages.
    """
    rows = list(rows)
    if not rows:
        return paragraph(empty, muted=True)
    numeric, raw_columns = set(numeric), set(raw_columns)

    def cell(tag: str, index: int, value: str) -> str:
        align = ' align="right"' if index in numeric else ""
        width = f' width="{widths[index]}%"' if widths and tag == "th" else ""
        shade = f' bgcolor="{HEADER_BG}"' if tag == "th" else ""
        text = value if index in raw_columns and tag == "td" else esc(value)
        return f"<{tag}{align}{width}{shade}>{text}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return (
        f'<table width="100%" border="1" cellspacing="0" cellpadding="3" '
        f'style="border-color:{RULE}; border-style:solid">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def facts(items: Sequence[tuple[str, str]]) -> str:
    """A borderless two-column table of labels and values."""
    rows = "".join(
        f'<tr><td style="color:{MUTED}" width="22%">{esc(k)}</td><td>{v}</td></tr>'
        for k, v in items
    )
    return f'<table width="100%" cellspacing="0" cellpadding="2">{rows}</table>'


STYLE = f"""
<style>
h1 {{ font-size: 16pt; margin-bottom: 4px; }}
h2 {{ font-size: 12pt; margin-top: 14px; margin-bottom: 4px; }}
h3 {{ font-size: 10pt; margin-top: 8px; margin-bottom: 2px; }}
th {{ font-weight: bold; text-align: left; }}
td {{ font-size: 8pt; }}
th {{ font-size: 7pt; }}
.notice {{ color: {MUTED}; font-style: italic; }}
</style>
"""


def number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"
