"""Plain numpy readers for the simple mesh formats (OBJ, STL) and shared polygon helpers.

OBJ is read here rather than through trimesh because trimesh splits an OBJ into one mesh per
group or material and duplicates vertices at texture seams, even with ``process=False``: the
file's ``v`` order, which per-vertex overlays depend on, would be lost.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

_STL_RECORD = np.dtype([("normal", "<f4", (3,)), ("corners", "<f4", (3, 3)), ("attribute", "<u2")])
_OBJ_INDEX_SUFFIX = re.compile(rb"/\S*")
_OBJ_VERTEX_START = re.compile(rb"^[ \t]*v[ \t]", re.MULTILINE)
_OBJ_VERTEX = re.compile(rb"^[ \t]*v[ \t]+([^\r\n]*)", re.MULTILINE)
_OBJ_VERTEX_XYZ = re.compile(rb"^[ \t]*v[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)", re.MULTILINE)
_OBJ_FACE = re.compile(rb"^[ \t]*f[ \t]+([^\r\n#]*)", re.MULTILINE)
_OBJ_LINE_START = re.compile(rb"^[ \t]*[vf](?=[ \t])", re.MULTILINE)
_STL_VERTEX = re.compile(rb"vertex\s+(\S+)\s+(\S+)\s+(\S+)")


class FormatError(ValueError):
    """A file that cannot be decoded; the message is a reason a person can read."""


class Surface(NamedTuple):
    """What a reader found: vertices (N, 3), triangles (M, 3) and notes on what it did."""

    vertices: np.ndarray
    faces: np.ndarray
    notes: tuple[str, ...] = ()


def fan_triangulate(counts: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Split polygons into triangle fans, keeping the polygons' order.

    Parameters
    ----------
    counts : (P,) int array
        Number of corners of each polygon; polygons with fewer than 3 give no triangle.
    flat : (sum(counts),) int array
        The polygons' vertex indices, one polygon after the other.

    Returns
    -------
    (T, 3) int64 array of vertex indices.
    """
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else counts
    per_polygon = np.clip(counts - 2, 0, None)
    first = np.repeat(starts, per_polygon)
    # Index of each triangle within its polygon: 0, 1, ... per_polygon - 1.
    local = np.arange(len(first)) - np.repeat(np.cumsum(per_polygon) - per_polygon, per_polygon)
    flat = np.asarray(flat, dtype=np.int64)
    return np.stack([flat[first], flat[first + local + 1], flat[first + local + 2]], axis=1)


def strip_triangulate(counts: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Split triangle strips into triangles, flipping every other one to keep the winding."""
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else counts
    per_strip = np.clip(counts - 2, 0, None)
    local = np.arange(per_strip.sum()) - np.repeat(np.cumsum(per_strip) - per_strip, per_strip)
    base = np.repeat(starts, per_strip) + local
    odd = (local % 2).astype(bool)
    flat = np.asarray(flat, dtype=np.int64)
    a, b, c = flat[base], flat[base + 1], flat[base + 2]
    return np.stack([np.where(odd, b, a), np.where(odd, a, b), c], axis=1)


def polygon_note(counts: np.ndarray) -> tuple[str, ...]:
    """A note saying how many polygons were split, if any had more than three corners."""
    split = int(np.count_nonzero(np.asarray(counts) > 3))
    return (f"split {split:,} quads or polygons into triangles",) if split else ()


def read_obj(data: bytes) -> Surface:
    """Read a Wavefront OBJ: ``v`` lines in file order and ``f`` lines fanned into triangles."""
    if b"\x00" in data:
        raise FormatError("it is a binary file, not a text OBJ file")
    vertices = _obj_vertices(data)
    face_lines = _OBJ_FACE.findall(data)
    last_line = data.rsplit(b"\n", 1)[-1].lstrip()
    if last_line[:2] in (b"f ", b"f\t") and len(last_line.split()) < 4:
        # A final face line with fewer than three corners was cut off mid-line. (A complete
        # final line without a newline is common in hand-written files and is accepted.)
        raise FormatError("its last line is cut off: the file is truncated")
    if not face_lines:
        return Surface(vertices, np.zeros((0, 3), dtype=np.int64))
    counts, flat = _obj_polygons(face_lines)
    relative = flat + np.repeat(_vertices_before(data), counts) if np.any(flat < 0) else flat
    # 1-based indices; negative ones count back from the face's own line; 0 is invalid (-1).
    indices = np.where(flat > 0, flat - 1, np.where(flat < 0, relative, -1))
    return Surface(vertices, fan_triangulate(counts, indices), polygon_note(counts))


def _vertices_before(data: bytes) -> np.ndarray:
    """For each face line, how many vertex lines come before it."""
    lines = list(_OBJ_LINE_START.finditer(data))
    starts = np.array([line.start() for line in lines])
    is_vertex = np.array([line.group().endswith(b"v") for line in lines])
    return np.searchsorted(starts[is_vertex], starts[~is_vertex])


def _obj_vertices(data: bytes) -> np.ndarray:
    coordinates = _OBJ_VERTEX_XYZ.findall(data)
    n_lines = len(_OBJ_VERTEX_START.findall(data))
    if n_lines == 0:
        raise FormatError('it contains no vertices ("v" lines): it is not an OBJ mesh')
    if len(coordinates) == n_lines:
        try:
            return np.array(coordinates, dtype=np.float64)
        except ValueError:
            pass
    for match in _OBJ_VERTEX.finditer(data):  # find the culprit only when something failed
        row = match.group(1).split()[:3]
        try:
            np.array(row, dtype=np.float64)
            if len(row) == 3:
                continue
        except ValueError:
            pass
        if match.end() == len(data):  # the last line, with no newline: cut off mid-line
            raise FormatError("its last line is cut off: the file is truncated")
        text = match.group(0).decode("ascii", "replace").strip()[:40]
        raise FormatError(f'a vertex line does not hold 3 numbers ("{text}")')
    raise FormatError("its vertex coordinates cannot be read")


def _obj_polygons(lines: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Corner counts and the 1-based (or negative) vertex index of every corner."""
    body = _OBJ_INDEX_SUFFIX.sub(b"", b"\n".join(lines)) + b"\n"
    # Count the tokens on each line without a Python loop: a token starts after whitespace.
    chars = np.frombuffer(body, np.uint8)
    newline = chars == ord("\n")
    space = newline | (chars == ord(" ")) | (chars == ord("\t")) | (chars == ord("\r"))
    token_start = ~space & np.concatenate([[True], space[:-1]])
    line_of = np.cumsum(newline) - newline
    counts = np.bincount(line_of[token_start], minlength=len(lines)).astype(np.int64)
    try:
        flat = np.array(body.split()).astype(np.int64)
    except ValueError as exc:
        raise FormatError(f"a face refers to a vertex that is not a number ({exc})") from exc
    return counts, flat


def read_stl(data: bytes) -> Surface:
    """Read binary or ASCII STL as a triangle soup (three new vertices per triangle)."""
    if len(data) >= 84:
        count = int.from_bytes(data[80:84], "little")
        expected = 84 + _STL_RECORD.itemsize * count
        # Binary headers may also start with "solid", so the exact size decides first.
        if expected == len(data):
            return _stl_soup(np.frombuffer(data, _STL_RECORD, count, offset=84)["corners"])
    if data.lstrip()[:5].lower() == b"solid" and b"facet" in data[:4096]:
        return _read_ascii_stl(data)
    if b"\x00" not in data[:1024] and data[:1024].isascii():
        raise FormatError('it is a text file but not an ASCII STL (no "solid" and "facet")')
    if len(data) < 84:
        raise FormatError(f"it is too short ({len(data)} bytes) to be an STL file")
    if expected > 4 * len(data):  # far more than a cut-short copy would claim
        raise FormatError("it is not an STL file (neither STL text nor a binary STL header)")
    if expected > len(data):
        raise FormatError(
            f"its header announces {count:,} triangles ({expected:,} bytes) but the file holds "
            f"only {len(data):,} bytes: it is truncated"
        )
    return _stl_soup(np.frombuffer(data, _STL_RECORD, count, offset=84)["corners"])


def _read_ascii_stl(data: bytes) -> Surface:
    if b"endsolid" not in data[-1024:].lower():
        raise FormatError('it does not end with "endsolid": the file is truncated')
    corners = _STL_VERTEX.findall(data)
    if len(corners) % 3:
        raise FormatError("a facet has fewer than three vertices: the file is damaged")
    try:
        points = np.array(corners, dtype=np.float64)
    except ValueError as exc:
        raise FormatError(f"a vertex coordinate is not a number ({exc})") from exc
    return _stl_soup(points.reshape(-1, 3, 3))


def _stl_soup(corners: np.ndarray) -> Surface:
    vertices = np.asarray(corners, dtype=np.float64).reshape(-1, 3)
    return Surface(vertices, np.arange(len(vertices), dtype=np.int64).reshape(-1, 3))
