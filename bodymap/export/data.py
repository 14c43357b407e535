"""Writing a session's data exports: statistics (CSV, JSON), the whole record (JSON), 3D.

Every function writes its file atomically (private to the user), logs the export in the
store's audit log first when the session comes from a store, and returns the path.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

from bodymap.export.files import Output, write_outputs
from bodymap.export.mesh3d import model_bytes
from bodymap.export.record_json import session_json_bytes
from bodymap.export.source import SessionSource
from bodymap.export.tables import findings_csv_bytes, findings_json_bytes
from bodymap.store.session_file import encode_session


def write_findings_csv(source: SessionSource, target: Path) -> Path:
    """Per tag and region: extent (cm², % of the body), mean and peak intensity."""
    return _write(source, target, findings_csv_bytes(source), "csv")


def write_findings_json(source: SessionSource, target: Path) -> Path:
    """The same statistics as JSON (format ``bodymap-findings``)."""
    return _write(source, target, findings_json_bytes(source), "stats-json")


def write_session_json(source: SessionSource, target: Path) -> Path:
    """The complete session (format ``bodymap-export``, kind ``session``), re-importable."""
    data = session_json_bytes(source.session, source.amendments, source.file_sha256)
    return _write(source, target, data, "json")


def write_session_hdf5(source: SessionSource, target: Path, include_audio: bool = False) -> Path:
    """A plain copy of the session file (decrypted when the store is protected), for
    ``h5dump`` or HDFView: the stored file itself, or the session encoded as it is now.

    Spoken notes leave the practice only when asked for (``include_audio``): without it, a
    session that has notes is encoded again without its ``/clips`` (audio and transcripts;
    the JSON export carries the transcripts), so no sample of a recording is in the copy.
    """
    session = source.session
    if session.clips and not include_audio:
        session = copy.copy(session)
        session.clips = {}
        data = encode_session(session, datetime.now(UTC))[0]
    elif source.store is not None:
        data = source.store.record_bytes(session.id)
    else:
        data = encode_session(session, datetime.now(UTC))[0]
    return _write(source, target, data, "hdf5")


def write_model(source: SessionSource, target: Path, file_type: str | None = None) -> Path:
    """The painted body as PLY or GLB (from ``file_type`` or the target's suffix)."""
    target = Path(target)
    file_type = file_type or target.suffix.lstrip(".").lower()
    return _write(source, target, model_bytes(source, file_type), file_type)


def _write(source: SessionSource, target: Path, data: bytes, kind: str) -> Path:
    output = Output(Path(target), data)
    write_outputs([output], lambda done: source.log_export(kind, done[0].sha256))
    return output.target
