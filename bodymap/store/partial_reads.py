"""Reading parts of many sessions (comparisons and trends), and the store's copy of each
body mesh. Mixed into :class:`bodymap.store.store.Store`; every read goes through the
store's file-access seam."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from functools import partial
from pathlib import Path

import numpy as np

from bodymap.core.atlas import Atlas
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import RhythmReading
from bodymap.store.base import StoreBase, locked, stat_key
from bodymap.store.errors import (
    MeshMismatchError,
    NotFoundError,
    SessionReadError,
    TargetUnreadableError,
)
from bodymap.store.file_index import read_index
from bodymap.store.info import SessionInfo, check_identity, info_from_header
from bodymap.store.layer_chunks import decoding, indexed_chunks, stored_chunks
from bodymap.store.layer_reads import (
    LayerFileHeader,
    TrendFileParts,
    checked_header,
    checked_tag,
    identity_of,
    read_layer_set_file,
    read_rhythm_and_events,
    read_tag_names,
)
from bodymap.store.layout import checked_id
from bodymap.store.limits import reading
from bodymap.store.mesh_store import mesh_image, read_mesh
from bodymap.store.session_file import SessionHeader, open_file
from bodymap.store.trend_reads import Reduce, TrendRequest, read_trend_parts


class PartialReadsMixin(StoreBase):
    """One layer (or a few records) from many session files; meshes kept once."""

    # ----- partial reads (comparisons and trends: see bodymap.store.layer_reads) -------
    @locked
    def read_layer(
        self, session_id: str, tag: str, mesh: BodyMesh | str | None = None
    ) -> np.ndarray | None:
        """One tag's (N,) uint8 layer of a saved session (``None``: not painted).

        Reads that one dataset, after checking the file's identity; with ``mesh`` (or its
        hash), a session recorded on another mesh raises :class:`MeshMismatchError`.
        """
        return self.read_layers([session_id], tag, mesh)[0]

    @locked
    def read_layers(
        self, session_ids: list[str], tag: str, mesh: BodyMesh | str | None = None
    ) -> list[np.ndarray | None]:
        """:meth:`read_layer` for several sessions, in the order given.

        Each file's stored chunks of the layer are inflated on worker threads while the
        next file is read (:mod:`bodymap.store.layer_chunks`).
        """
        tag = checked_tag(tag)
        pending: list[Future | None] = []
        for path in self._session_paths(session_ids):
            with reading(path):
                data = self._read_record(path)
                index = read_index(data)
                if index is not None:  # the file's index says where the chunks lie
                    identity = self._identity(path, partial(identity_of, index.attrs, path))
                    session_id, mesh_hash, n_vertices = identity
                    check_mesh_hash(session_id, mesh_hash, mesh)
                    with reading(path, f"layer {tag!r}"):
                        layer = indexed_chunks(index, data, path, tag, n_vertices)
                else:
                    with open_file(path, data) as h5:
                        identity = self._identity(path, partial(checked_header, h5, path))
                        session_id, mesh_hash, n_vertices = identity
                        check_mesh_hash(session_id, mesh_hash, mesh)
                        layer = stored_chunks(h5, path, tag, n_vertices)
            pending.append(None if layer is None else decoding({tag: layer}, whole=True))
        return [None if future is None else future.result()[tag] for future in pending]

    def _identity(self, path: Path, read: Callable[[], LayerFileHeader]) -> tuple[str, str, int]:
        """(session id, mesh hash, vertex count) of a session file, checked: from the header
        this store holds if the file is unchanged since, else ``read()`` from the file (its
        attributes, or the index at its head)."""
        held = self._held_header(path)
        if held is not None:
            return held.session_id, held.mesh_hash, held.n_vertices
        header = read()
        return header.session_id, header.mesh_hash, header.n_vertices

    def _held_header(self, path: Path) -> SessionHeader | None:
        """The header this store read or wrote for ``path``, if the file has not changed
        since (same inode, size and modification time), its identity checked."""
        known = self._known.get(path)
        if known is None or known[0] != stat_key(path):
            return None
        check_identity(known[1], path, path.parent.name, draft=False)
        return known[1]

    @locked
    def read_layer_sets(
        self, session_ids: list[str], tags: list[str] | None = None
    ) -> list[tuple[dict[str, np.ndarray], str]]:
        """Per session, its painted layers (all, or those of ``tags``) and its mesh hash.

        One file open per session, for reading every tag across many sessions.
        """
        out = []
        for path in self._session_paths(session_ids):
            layers, header = read_layer_set_file(path, tags, self._read_record(path))
            out.append((layers, header.mesh_hash))
        return out

    @locked
    def rhythm_and_events(
        self, session_ids: list[str]
    ) -> list[tuple[list[RhythmReading], dict[str, int]]]:
        """Per session, its rhythm readings and its event counts by kind (those records only)."""
        paths = self._session_paths(session_ids)
        return [read_rhythm_and_events(p, self._read_record(p)) for p in paths]

    @locked
    def tag_names(self, session_id: str, client_id: str | None = None) -> dict[str, str]:
        """Tag key -> name in a session's tag set (the names the practitioner gave).

        ``client_id``, when the caller knows it, names the folder to look in first."""
        if client_id is not None:
            guess = self.layout.session_file(client_id, session_id)
            path = guess if self.layout.exists(guess) else self._session_path(session_id)
        else:
            path = self._session_path(session_id)
        return read_tag_names(path, self._read_record(path))

    def _session_paths(self, session_ids: list[str]) -> list[Path]:
        """Session files, looked up in the folder of the previous one first (one client)."""
        paths: list[Path] = []
        for session_id in session_ids:
            if paths:
                guess = paths[-1].parent / f"{checked_id(session_id, 'session id')}.h5"
                if self.layout.exists(guess):
                    paths.append(guess)
                    continue
            paths.append(self._session_path(session_id))
        return paths

    @locked
    def trend_parts(
        self,
        client_id: str,
        tags: list[str] | None = None,
        known: Mapping[str, SessionInfo] | None = None,
        wanted: Callable[[SessionInfo], bool] | None = None,
        reduce: Reduce | None = None,
        listed: Iterable[SessionInfo] | None = None,
    ) -> list[TrendFileParts]:
        """Every session of a client by date, each file opened once: its listing entry and,
        for those ``wanted`` whose content digest is not ``known``, its layers, rhythm,
        event counts and tag names; ``reduce`` summarises each file's layers (as
        :class:`~bodymap.core.series.PaintedVertices`) as it is read, and only its result
        is kept (see :mod:`bodymap.store.trend_reads`).

        ``listed``: entries of a listing the caller holds (:meth:`sessions`); a file that
        has not changed since is not asked for its header again. Never reads a mesh; an
        unreadable file is listed as such, with the reason.
        """
        request = TrendRequest(None if tags is None else tuple(tags), known or {}, wanted, reduce)
        by_path = {info.path: info for info in listed or () if info.n_vertices}

        def held(path: Path) -> SessionInfo | None:
            header = self._held_header(path)
            if header is not None:
                return info_from_header(path, header)
            info = by_path.get(path)
            return info if info is not None and info.current() else None

        paths = self.layout.session_files(client_id)
        found = read_trend_parts(paths, request, self._read_record, held)
        return sorted(found, key=lambda parts: parts.info.sort_key())

    @locked
    def put_mesh(self, mesh: BodyMesh, atlas: Atlas | None = None) -> Path:
        """Keep ``mesh`` (and its atlas) in the store once; idempotent."""
        path = self.layout.mesh_file(mesh.geometry_hash)
        with self._writing():
            if self.layout.exists(path):
                try:
                    read_mesh(path, self._read_record(path))
                    return path
                except SessionReadError as error:
                    raise TargetUnreadableError(f"refusing to replace {error}") from error
            self.backend.write_record(path, mesh_image(mesh, atlas))
        return path

    @locked
    def get_mesh(self, mesh_hash: str) -> tuple[BodyMesh, Atlas]:
        path = self.layout.mesh_file(mesh_hash)
        if not self.layout.exists(path):
            raise NotFoundError(f"no mesh {mesh_hash[:12]}... in the store")
        return read_mesh(path, self._read_record(path))

    def has_mesh(self, mesh_hash: str) -> bool:
        return self.layout.exists(self.layout.mesh_file(mesh_hash))


def check_mesh_hash(session_id: str, mesh_hash: str, mesh: BodyMesh | str | None) -> None:
    """Raise :class:`MeshMismatchError` if a session was recorded on another mesh."""
    if mesh is None:
        return
    expected = mesh if isinstance(mesh, str) else mesh.geometry_hash
    if mesh_hash != expected:
        raise MeshMismatchError(
            f"session {session_id} was recorded on another body mesh (SHA-256 "
            f"{mesh_hash[:12]}..., this body {expected[:12]}...): open it on its own mesh"
        )
