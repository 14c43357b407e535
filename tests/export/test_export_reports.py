"""Session reports (PDF): pages, text, embedded fonts, the emotional-content switch."""

from __future__ import annotations

import io

import pytest
from export_helpers import (
    CLIENT_NAME,
    DIALOGUE,
    EMOTION,
    EMOTIONAL,
    PIN_NOTE,
    SAID,
    SOAP_MARKER,
    export_entries,
)
from pypdf import PdfReader

from bodymap.export.session_report import session_report_pdf, write_session_pdf
from bodymap.export.source import source_from_store
from bodymap.store.base import file_sha256

A4_POINTS = (595, 842)
LETTER_POINTS = (612, 792)


def pdf_text(reader: PdfReader) -> str:
    """All pages' text with runs of white space made one space."""
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def page_points(reader: PdfReader) -> set[tuple[int, int]]:
    return {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}


def fonts_of(reader: PdfReader) -> list:
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            fonts.append(descendants[0].get_object() if descendants else font)
    return fonts


def test_the_report_holds_the_record_and_embeds_its_fonts(stored):
    store, session = stored
    source = source_from_store(store, session.id)
    reader = PdfReader(io.BytesIO(session_report_pdf(source, page="a4")))
    assert page_points(reader) == {A4_POINTS}
    text = pdf_text(reader)
    sha = file_sha256(store.session_info(session.id).path)
    for expected in (
        CLIENT_NAME,
        "Zoë Ångström",
        "Restriction",
        "Heat",
        PIN_NOTE,
        SOAP_MARKER,
        sha,
        "Finalised",
        "Plan: weekly sessions",
        "Still point",
        "Front",
        "Head",
    ):
        assert expected in text, expected  # fmt: skip
    assert "Not finalised" not in text
    for marker in EMOTIONAL:  # kept by default: the report stays in the practice
        assert marker in text, marker
    assert f"Page 1 of {len(reader.pages)}" in text
    fonts = fonts_of(reader)
    assert fonts
    for font in fonts:
        descriptor = font["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font


def test_without_emotional_content_on_letter_paper(ball_source, tmp_path):
    path = write_session_pdf(
        ball_source, tmp_path / "report.pdf", page="letter", emotional_content=False
    )
    reader = PdfReader(path)
    assert page_points(reader) == {LETTER_POINTS}
    text = pdf_text(reader)
    for marker in (SAID, EMOTION, DIALOGUE):
        assert marker not in text, marker
    assert "Client said" not in text and "Dialogue" not in text
    assert PIN_NOTE in text and "Emotional release" in text  # the event itself stays
    assert "left out of this report" in text
    assert "Not finalised" in text and "5a" * 32 in text


def test_an_open_session_without_a_file_says_so(ball_source):
    ball_source.file_sha256 = None
    text = pdf_text(PdfReader(io.BytesIO(session_report_pdf(ball_source))))
    assert "Not finalised" in text and "never saved" in text


def test_a_failed_log_leaves_no_report(stored, tmp_path, monkeypatch):
    store, session = stored
    source = source_from_store(store, session.id)
    from bodymap.export.errors import ExportError
    from bodymap.store.errors import ReadOnlyStoreError

    def refuse(*_args, **_kwargs):
        raise ReadOnlyStoreError("the store folder is read-only")

    monkeypatch.setattr(store, "log", refuse)
    with pytest.raises(ExportError, match="audit log"):
        write_session_pdf(source, tmp_path / "report.pdf")
    assert list(tmp_path.glob("*.pdf")) == [] and list(tmp_path.glob(".*")) == []
    assert export_entries(store) == []
