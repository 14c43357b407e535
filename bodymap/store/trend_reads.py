"""What trends read from a client's session files: each file opened once, its mesh never
read, its layers' stored chunks inflated on worker threads while the next file is read.

Per file: its identity (from the header the store, or the listing the caller holds, has
for it when the file has not changed since, else from its attributes), its content digest,
then, unless the caller has seen that digest, the layers asked for
(:mod:`bodymap.store.layer_chunks`), the rhythm readings and the event counts (not the tag
set: trends name tags after the newest visit only, one more read). A file saved with an
index at its head (:mod:`bodymap.store.file_index`) is read from its bytes, without HDF5;
others through HDF5. A file that fails any check or read is one unreadable entry, with
the reason; the others are read as if it were not there.
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
from bodymap.store.file_index import FileIndex, read_index
from bodymap.store.hdf5_image import DIGEST_ATTRIBUTE
from bodymap.store.info import SessionInfo, unreadable
from bodymap.store.layer_chunks import StoredLayer, decoding, indexed_chunks, stored_chunks
from bodymap.store.layer_reads import (
    TrendFileParts,
    checked_tag,
    identity_of,
    json_of,
    read_json,
    trend_info,
    trend_info_of,
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
            data = read(path)
            index = read_index(data)
            if index is not None and all(name in index.texts for name in _RECORDS):
                return _parts(_Indexed(index, data, path), path, request, info)
            with open_file(path, data) as h5:
                return _parts(_Opened(h5, path), path, request, info)
    except SessionReadError as error:
        return TrendFileParts(unreadable(path, path.parent.name, error.reason)), None


_RECORDS = ("rhythm", "events")


class _Opened:
    """What trends read from a file, through HDF5."""

    def __init__(self, h5: h5py.File, path: Path) -> None:
        self.h5, self.path = h5, path

    def digest(self) -> str:
        return stored_digest(self.h5) or ""

    def stored_names(self) -> list[str]:
        """The keys of the layers the file holds (its painted tags)."""
        h5 = self.h5
        if not h5.id.links.exists(b"layers"):
            return []
        check_hard_link(h5, "layers")
        check_members(h5["layers"], "layers", MAX_LAYERS)
        return list(h5["layers"])

    def info(self, n_layers: int) -> tuple[SessionInfo, int]:
        return trend_info(self.h5, self.path, n_layers)

    def layer(self, tag: str, n_vertices: int) -> StoredLayer | None:
        return stored_chunks(self.h5, self.path, tag, n_vertices)

    def record(self, name: str) -> list:
        return read_json(self.h5, name, list)


class _Indexed:
    """What trends read from a file, from its index (:mod:`bodymap.store.file_index`)."""

    def __init__(self, index: FileIndex, data: bytes, path: Path) -> None:
        self.index, self.data, self.path = index, data, path

    def digest(self) -> str:
        return str(self.index.attrs.get(DIGEST_ATTRIBUTE, ""))

    def stored_names(self) -> list[str]:
        return list(self.index.layers)

    def info(self, n_layers: int) -> tuple[SessionInfo, int]:
        attrs = self.index.attrs
        return trend_info_of(identity_of(attrs, self.path), attrs, self.path, n_layers)

    def layer(self, tag: str, n_vertices: int) -> StoredLayer | None:
        return indexed_chunks(self.index, self.data, self.path, tag, n_vertices)

    def record(self, name: str) -> list:
        return json_of(self.index.texts[name], name, list)


def _parts(source: _Opened | _Indexed, path: Path, request: TrendRequest, info: SessionInfo | None):
    with reading(path, "header"):
        digest = source.digest()
    seen = request.known.get(digest) if digest else None
    if seen is not None and seen.id == path.stem and seen.client_id == path.parent.name:
        return TrendFileParts(dataclasses.replace(seen, path=path), digest), None
    # The list of layers is needed for all tags, or for the count in a header read here.
    stored = None
    if request.tags is None or info is None:
        with reading(path, "layers"):
            stored = source.stored_names()
    if info is None:
        info, n_vertices = source.info(len(stored))
        if request.wanted is not None and not request.wanted(info):
            return TrendFileParts(info, digest), None
    else:
        n_vertices = info.n_vertices
    tags = stored if request.tags is None else [checked_tag(t) for t in request.tags]
    found = {}
    for tag in tags:
        with reading(path, f"layer {tag!r}"):
            found[tag] = source.layer(tag, n_vertices)
    rhythm, kinds = _records(source, path)
    layers = {t: layer for t, layer in found.items() if layer is not None}
    return TrendFileParts(info, digest, None, None, rhythm, kinds), layers


def _records(source: _Opened | _Indexed, path: Path) -> tuple[list[RhythmReading], dict[str, int]]:
    """Rhythm readings and event counts by kind. The tag set is left to the caller: trends
    name tags after the newest visit only (``Store.tag_names``)."""
    with reading(path, "rhythm or events"):
        rhythm = [RhythmReading.from_dict(d) for d in source.record("rhythm")]
        kinds = Counter(str(e["kind"]) for e in source.record("events"))
    return rhythm, dict(sorted(kinds.items()))
