"""What trends read from a client's session files: each file opened once, its mesh never
read, its layers' stored chunks inflated on worker threads while the next file is read.

Per file: its identity (from the header the store, or the listing the caller holds, has
for it when the file has not changed since, else from its attributes), its content digest,
then, unless the caller has seen that digest, the layers asked for
(:mod:`bodymap.store.layer_chunks`), the rhythm readings and the event counts (not the tag
set: trends name tags after the newest visit only, one more read). A file that fails any
check or read is one unreadable entry, with the reason; the others are read as if it were
not there.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from pathlib import Path

import h5py

from bodymap.core.series import PaintedVertices
from bodymap.core.session import RhythmReading
from bodymap.store.errors import SessionReadError
from bodymap.store.info import SessionInfo, unreadable
from bodymap.store.layer_chunks import StoredLayer, decoding, stored_chunks
from bodymap.store.layer_reads import (
    TrendFileParts,
    checked_tag,
    read_json,
    trend_info,
)
from bodymap.store.limits import MAX_LAYERS, check_hard_link, check_members, reading
from bodymap.store.session_file import open_file, stored_digest

Reduce = Callable[[SessionInfo, dict[str, PaintedVertices]], object]
PENDING = 4
"""Files whose layers may be inflating at once: enough to keep the workers busy, few
enough that a client's files never all sit in memory."""


@dataclasses.dataclass(frozen=True)
class TrendRequest:
    """What to read: the layers (``None``: all), digests already seen, which sessions."""

    tags: tuple[str, ...] | None = None
    known: Mapping[str, SessionInfo] = dataclasses.field(default_factory=dict)
    wanted: Callable[[SessionInfo], bool] | None = None
    reduce: Reduce | None = None


def read_trend_parts(
    paths: Iterable[Path],
    request: TrendRequest,
    read: Callable[[Path], bytes],
    held: Callable[[Path], SessionInfo | None],
) -> list[TrendFileParts]:
    """:class:`TrendFileParts` of each file, in the order given.

    ``read(path)`` gives a file's bytes (the store's seam); ``held(path)`` the entry (with
    its vertex count) the store or a listing holds for an unchanged file (``None``: read its
    header from the file). ``reduce`` gets
    each file's layers, as painted vertices, on this thread, and only its result is kept.
    """
    out: list[TrendFileParts] = []
    pending: deque[tuple[int, Future]] = deque()
    for path in paths:
        parts, layers = _open(path, request, read, held)
        out.append(parts)
        if layers is not None:
            pending.append((len(out) - 1, decoding(layers)))
        while len(pending) > PENDING:
            _finish(out, *pending.popleft(), request.reduce)
    while pending:
        _finish(out, *pending.popleft(), request.reduce)
    return out


def _finish(out: list[TrendFileParts], index: int, future: Future, reduce) -> None:
    parts = out[index]
    try:
        layers = future.result()
    except SessionReadError as error:
        out[index] = TrendFileParts(unreadable(parts.info.path, parts.info.client_id, error.reason))
        return
    if reduce is None:
        out[index] = dataclasses.replace(parts, layers={t: p.dense() for t, p in layers.items()})
    else:
        out[index] = dataclasses.replace(parts, summary=reduce(parts.info, layers))


def _open(
    path: Path, request: TrendRequest, read, held
) -> tuple[TrendFileParts, dict[str, StoredLayer] | None]:
    """A file's entry and records, and its layers' stored chunks (``None``: not read)."""
    try:
        with reading(path):
            info = held(path)
            if info is not None and request.wanted is not None and not request.wanted(info):
                return TrendFileParts(info), None
            with open_file(path, read(path)) as h5:
                return _parts(h5, path, request, info)
    except SessionReadError as error:
        return TrendFileParts(unreadable(path, path.parent.name, error.reason)), None


def _parts(h5: h5py.File, path: Path, request: TrendRequest, info: SessionInfo | None):
    with reading(path, "header"):
        digest = stored_digest(h5) or ""
    seen = request.known.get(digest) if digest else None
    if seen is not None and seen.id == path.stem and seen.client_id == path.parent.name:
        return TrendFileParts(dataclasses.replace(seen, path=path), digest), None
    # The list of layers is needed for all tags, or for the count in a header read here.
    stored = _stored_names(h5, path) if request.tags is None or info is None else None
    if info is None:
        info, n_vertices = trend_info(h5, path, len(stored))
        if request.wanted is not None and not request.wanted(info):
            return TrendFileParts(info, digest), None
    else:
        n_vertices = info.n_vertices
    tags = stored if request.tags is None else [checked_tag(t) for t in request.tags]
    found = {t: stored_chunks(h5, path, t, n_vertices) for t in tags}
    rhythm, kinds = _records(h5, path)
    layers = {t: layer for t, layer in found.items() if layer is not None}
    return TrendFileParts(info, digest, None, None, rhythm, kinds), layers


def _records(h5: h5py.File, path: Path) -> tuple[list[RhythmReading], dict[str, int]]:
    """Rhythm readings and event counts by kind. The tag set is left to the caller: trends
    name tags after the newest visit only (``Store.tag_names``)."""
    with reading(path, "rhythm or events"):
        rhythm = [RhythmReading.from_dict(d) for d in read_json(h5, "rhythm", list)]
        kinds = Counter(str(e["kind"]) for e in read_json(h5, "events", list))
    return rhythm, dict(sorted(kinds.items()))


def _stored_names(h5: h5py.File, path: Path) -> list[str]:
    """The keys of the layers a file holds (its painted tags)."""
    with reading(path, "layers"):
        if not h5.id.links.exists(b"layers"):
            return []
        check_hard_link(h5, "layers")
        check_members(h5["layers"], "layers", MAX_LAYERS)
        return list(h5["layers"])
