"""Per-region statistics of a session as CSV and JSON (from :func:`tag_findings`).

CSV: UTF-8 without a byte-order mark, comma separated, one header row (:data:`CSV_COLUMNS`),
one row per tag and scope: the whole body (``scope = body``), each region (``region``) and
each diaphragm band (``band``). Numbers are plain decimals with a point.
"""

from __future__ import annotations

import csv
import io
import json

from bodymap.analysis.stats import session_stats
from bodymap.core.findings import RegionFinding, TagFindings, tag_findings
from bodymap.export.record_json import EXPORT_VERSION
from bodymap.export.source import SessionSource

STATS_FORMAT = "bodymap-findings"
CSV_COLUMNS = (
    "session_id",
    "client_id",
    "started",
    "tag",
    "tag_name",
    "scope",
    "region_key",
    "region_name",
    "area_cm2",
    "percent_body",
    "mean_intensity",
    "peak_intensity",
)


def findings(source: SessionSource) -> list[TagFindings]:
    session = source.session
    return tag_findings(session.overlays, session.tags, source.mesh, source.atlas)


def findings_rows(source: SessionSource) -> list[dict]:
    """One dict per CSV row, keyed by :data:`CSV_COLUMNS`."""
    session = source.session
    common = {
        "session_id": session.id,
        "client_id": session.client_id,
        "started": session.started.isoformat(),
    }
    rows = []
    for tag in findings(source):
        scoped = [("body", tag.total)]
        scoped += [("region", r) for r in tag.regions] + [("band", b) for b in tag.bands]
        for scope, finding in scoped:
            rows.append(
                {
                    **common,
                    "tag": tag.tag,
                    "tag_name": tag.name,
                    "scope": scope,
                    **_numbers(finding),
                }
            )
    return rows


def _numbers(finding: RegionFinding) -> dict:
    return {
        "region_key": finding.region_key,
        "region_name": finding.region_name,
        "area_cm2": f"{finding.area_cm2:.3f}",
        "percent_body": f"{finding.percent_body:.4f}",
        "mean_intensity": f"{finding.mean_intensity:.3f}",
        "peak_intensity": f"{finding.peak_intensity:.1f}",
    }


def findings_csv_bytes(source: SessionSource) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(findings_rows(source))
    return text.getvalue().encode("utf-8")


def findings_json_bytes(source: SessionSource) -> bytes:
    """``bodymap stats --json``'s content, under a format name and version."""
    stats = session_stats(source.session, source.mesh, source.atlas).to_dict()
    document = {"format": STATS_FORMAT, "format_version": EXPORT_VERSION, **stats}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
