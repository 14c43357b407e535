"""Plain numpy readers for VTK XML PolyData (.vtp) and legacy VTK (.vtk) surfaces.

The io layer may not import VTK, so these readers decode what VTK and pyvista write: .vtp in
ascii, inline binary (base64) or appended (raw or base64) form, uncompressed or compressed with
zlib or LZMA, with 32- or 64-bit headers; legacy .vtk POLYDATA or UNSTRUCTURED_GRID, ASCII or
BINARY, in both the old cell layout and the OFFSETS/CONNECTIVITY layout of file version 5.
"""

from __future__ import annotations

import base64
import binascii
import lzma
import re
import xml.etree.ElementTree as ET
import zlib
from itertools import pairwise

import numpy as np

from bodymap.io.mesh_formats import (
    FormatError,
    Surface,
    fan_triangulate,
    polygon_note,
    strip_triangulate,
)

_XML_TYPES = {
    "Int8": "i1", "UInt8": "u1", "Int16": "i2", "UInt16": "u2", "Int32": "i4", "UInt32": "u4",
    "Int64": "i8", "UInt64": "u8", "Float32": "f4", "Float64": "f8",
}  # fmt: skip
_LEGACY_TYPES = {
    "unsigned_char": "u1", "char": "i1", "unsigned_short": "u2", "short": "i2",
    "unsigned_int": "u4", "int": "i4", "unsigned_long": "u8", "long": "i8", "float": "f4",
    "double": "f8", "vtkidtype": "i4", "vtktypeint8": "i1", "vtktypeuint8": "u1",
    "vtktypeint16": "i2", "vtktypeuint16": "u2", "vtktypeint32": "i4", "vtktypeuint32": "u4",
    "vtktypeint64": "i8", "vtktypeuint64": "u8", "vtktypefloat32": "f4", "vtktypefloat64": "f8",
}  # fmt: skip
_DECOMPRESSORS = {
    "vtkZLibDataCompressor": zlib.decompress,
    "vtkLZMADataCompressor": lzma.decompress,
}
# Legacy/unstructured cell types that are surfaces: triangle, strip, polygon, pixel, quad.
_TRIANGLE, _STRIP, _POLYGON, _PIXEL, _QUAD = 5, 6, 7, 8, 9
_TRUNCATED = "the file ends early: it is truncated"
_DAMAGED_CELLS = "its cell lists do not add up: the file is damaged"


# --- VTK XML PolyData -------------------------------------------------------------------------


def read_vtp(data: bytes) -> Surface:
    """Read every piece of a VTK XML PolyData file into one surface."""
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise FormatError("it is not a VTK XML file (it is not XML text)")
    text, appended = _split_appended(data)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        if exc.position[0] >= text.rstrip().count(b"\n") + 1:  # the XML stops at the end
            raise FormatError(_TRUNCATED) from exc
        raise FormatError(f"it is not well-formed VTK XML ({exc})") from exc
    if root.tag != "VTKFile":
        raise FormatError("it is not a VTK XML file (no <VTKFile> element)")
    if root.get("type") != "PolyData":
        raise FormatError(f'it holds VTK "{root.get("type")}" data, not PolyData')
    decoder = _XmlDecoder(root, appended)
    vertices, faces, counts, offset = [], [], [], 0
    for piece in root.iter("Piece"):
        points = piece.find("Points/DataArray")
        n_points = int(piece.get("NumberOfPoints", "0"))
        if points is None or n_points == 0:
            continue
        vertices.append(decoder.array(points, 3 * n_points).reshape(-1, 3))
        for tag, split in (("Polys", fan_triangulate), ("Strips", strip_triangulate)):
            cells = _xml_cells(decoder, piece.find(tag))
            if cells is not None:
                faces.append(split(*cells) + offset)
                if tag == "Polys":
                    counts.append(cells[0])
        offset += n_points
    if not vertices:
        raise FormatError("it holds no points")
    triangles = np.concatenate(faces) if faces else np.zeros((0, 3), dtype=np.int64)
    return Surface(
        np.concatenate(vertices), triangles, polygon_note(np.concatenate(counts or [[]]))
    )


def _xml_cells(
    decoder: _XmlDecoder, cells: ET.Element | None
) -> tuple[np.ndarray, np.ndarray] | None:
    if cells is None:
        return None
    arrays = {array.get("Name"): array for array in cells.iter("DataArray")}
    if "connectivity" not in arrays or "offsets" not in arrays:
        raise FormatError("a cell list lacks its connectivity or offsets array")
    offsets = decoder.array(arrays["offsets"]).astype(np.int64)
    connectivity = decoder.array(arrays["connectivity"]).astype(np.int64)
    if len(offsets) == 0:
        return None
    counts = np.diff(offsets, prepend=0)
    if np.any(counts < 0) or offsets[-1] != len(connectivity):
        raise FormatError("its cell offsets do not match its connectivity: the file is damaged")
    return counts, connectivity


def _split_appended(data: bytes) -> tuple[bytes, bytes]:
    """Cut raw appended binary data out of the XML so that the XML parser never sees it."""
    start = data.find(b"<AppendedData")
    if start < 0:
        return data, b""
    marker = data.find(b"_", data.find(b">", start))
    end = data.rfind(b"</AppendedData>")
    if marker < 0 or end < marker:
        raise FormatError(_TRUNCATED)
    return data[:start] + data[end + len(b"</AppendedData>") :], data[start:end]


class _XmlDecoder:
    """Decodes DataArray elements under the file's byte order, header type and compressor."""

    def __init__(self, root: ET.Element, appended: bytes) -> None:
        order = ">" if root.get("byte_order") == "BigEndian" else "<"
        self.order = order
        self.header = np.dtype(order + _XML_TYPES.get(root.get("header_type", "UInt32"), "u4"))
        compressor = root.get("compressor")
        if compressor and compressor not in _DECOMPRESSORS:
            raise FormatError(f"it is compressed with {compressor}, which cannot be read here")
        self.decompress = _DECOMPRESSORS.get(compressor) if compressor else None
        self.appended = b""
        self.appended_base64 = False
        if appended:
            tag_end = appended.find(b">")
            self.appended_base64 = b'"base64"' in appended[:tag_end]
            self.appended = appended[appended.find(b"_", tag_end) + 1 :]

    def array(self, element: ET.Element, expected: int | None = None) -> np.ndarray:
        kind = element.get("type", "")
        if kind not in _XML_TYPES:
            raise FormatError(f'it has a data array of type "{kind}", which is not numeric')
        dtype = np.dtype(self.order + _XML_TYPES[kind])
        form = element.get("format", "ascii")
        if form == "ascii":
            try:
                values = np.array((element.text or "").split()).astype(dtype)
            except ValueError as exc:
                raise FormatError(f"a number in the file cannot be read ({exc})") from exc
        else:
            if form == "appended":
                offset = int(element.get("offset", "0"))
                blob, is_text = self.appended[offset:], self.appended_base64
            else:
                blob, is_text = "".join((element.text or "").split()).encode("ascii"), True
            payload = self._decode(blob, is_text)
            if len(payload) % dtype.itemsize:
                raise FormatError(_TRUNCATED)
            values = np.frombuffer(payload, dtype)
        if expected is not None and len(values) != expected:
            raise FormatError(f"a data array holds {len(values):,} values, expected {expected:,}")
        return values

    def _decode(self, blob: bytes, is_text: bool) -> bytes:
        read = _Base64Reader(blob) if is_text else _RawReader(blob)
        size = self.header.itemsize
        if self.decompress is None:
            n_bytes = int(read.header(size, self.header)[0])
            return read.data(n_bytes)
        n_blocks = int(read.peek_first(size, self.header))
        header = read.header(size * (3 + n_blocks), self.header)
        sizes = header[3:].astype(np.int64)
        packed = read.data(int(sizes.sum()))
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        try:
            blocks = [self.decompress(packed[a:b]) for a, b in pairwise(bounds)]
        except (zlib.error, lzma.LZMAError) as exc:
            raise FormatError(f"its compressed data is damaged ({exc})") from exc
        return b"".join(blocks)


class _RawReader:
    def __init__(self, blob: bytes) -> None:
        self.blob, self.pos = blob, 0

    def peek_first(self, size: int, dtype: np.dtype) -> int:
        return int(np.frombuffer(self._take(0, size), dtype)[0])

    def header(self, size: int, dtype: np.dtype) -> np.ndarray:
        values = np.frombuffer(self._take(0, size), dtype)
        self.pos = size
        return values

    def data(self, n_bytes: int) -> bytes:
        return self._take(self.pos, n_bytes)

    def _take(self, start: int, n_bytes: int) -> bytes:
        if start + n_bytes > len(self.blob):
            raise FormatError(_TRUNCATED)
        return self.blob[start : start + n_bytes]


class _Base64Reader(_RawReader):
    """Base64 text in which VTK encodes the header and the data together or one after the other."""

    def peek_first(self, size: int, dtype: np.dtype) -> int:
        return int(np.frombuffer(self._decode(0, _chars(size))[:size], dtype)[0])

    def header(self, size: int, dtype: np.dtype) -> np.ndarray:
        chars = _chars(size)
        self.header_size = size
        # A header encoded on its own always ends in padding (its size is never a multiple of 3).
        self.separate = self.blob[chars - 1 : chars] == b"="
        self.pos = chars
        return np.frombuffer(self._decode(0, chars)[:size], dtype)

    def data(self, n_bytes: int) -> bytes:
        total = self.header_size + n_bytes
        head = self._decode(0, self.pos)
        if len(head) >= total:  # a tiny array that ends inside the header's last group
            return head[self.header_size : total]
        if self.separate:
            return self._decode(self.pos, _chars(n_bytes))[:n_bytes]
        return self._decode(0, _chars(total))[self.header_size : total]

    def _decode(self, start: int, n_chars: int) -> bytes:
        try:
            return base64.b64decode(self._take(start, n_chars))
        except binascii.Error as exc:
            raise FormatError(f"its base64 data is damaged ({exc})") from exc


def _chars(n_bytes: int) -> int:
    return -(-n_bytes // 3) * 4


# --- legacy VTK -------------------------------------------------------------------------------


def read_vtk_legacy(data: bytes) -> Surface:
    """Read a legacy VTK POLYDATA or UNSTRUCTURED_GRID surface (other sections are skipped)."""
    cursor = _LegacyCursor(data)
    first = cursor.raw_line()
    match = re.match(r"#\s*vtk DataFile Version\s+(\d+)", first, re.IGNORECASE)
    if not match:
        raise FormatError('it is not a legacy VTK file (no "# vtk DataFile Version" line)')
    cursor.raw_line()  # the title
    mode = cursor.line().upper()
    if mode not in ("ASCII", "BINARY"):
        raise FormatError(f'its format line says "{mode[:20]}", not ASCII or BINARY')
    cursor.binary = mode == "BINARY"
    cursor.new_cells = int(match.group(1)) >= 5
    dataset = cursor.line().upper().split()
    if dataset[:1] != ["DATASET"] or len(dataset) < 2:
        raise FormatError("it has no DATASET line")
    if dataset[1] not in ("POLYDATA", "UNSTRUCTURED_GRID"):
        raise FormatError(f"it holds a {dataset[1]} dataset, not a surface")
    sections = _legacy_sections(cursor)
    if "POINTS" not in sections:
        raise FormatError("it holds no points")
    return _legacy_surface(sections)


def _legacy_sections(cursor: _LegacyCursor) -> dict[str, object]:
    sections: dict[str, object] = {}
    while (line := cursor.line()) and line.split()[0].upper() not in ("POINT_DATA", "CELL_DATA"):
        words = line.split()
        keyword = words[0].upper()
        if keyword == "POINTS" and len(words) >= 3:
            sections["POINTS"] = cursor.array(3 * int(words[1]), words[2]).reshape(-1, 3)
        elif keyword in ("VERTICES", "LINES", "POLYGONS", "TRIANGLE_STRIPS", "CELLS"):
            sections[keyword] = cursor.cells(int(words[1]), int(words[2]))
        elif keyword == "CELL_TYPES":
            sections[keyword] = cursor.array(int(words[1]), "int")
        elif keyword == "METADATA":
            cursor.skip_metadata()
        elif keyword == "FIELD":
            cursor.skip_field(int(words[2]))
        else:
            raise FormatError(f'it has a section "{line[:30]}" that cannot be read here')
    return sections


def _legacy_surface(sections: dict) -> Surface:
    faces, polygon_counts = [], []
    if "POLYGONS" in sections:
        counts, flat = sections["POLYGONS"]
        faces.append(fan_triangulate(counts, flat))
        polygon_counts.append(counts)
    if "TRIANGLE_STRIPS" in sections:
        faces.append(strip_triangulate(*sections["TRIANGLE_STRIPS"]))
    if "CELLS" in sections:
        counts, flat = sections["CELLS"]
        types = np.asarray(sections.get("CELL_TYPES", ()), dtype=np.int64)
        if len(types) != len(counts):
            raise FormatError("its CELL_TYPES do not match its CELLS")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        pixel = starts[types == _PIXEL]  # a pixel's corners go round as 0, 1, 3, 2
        flat[pixel + 2], flat[pixel + 3] = flat[pixel + 3], flat[pixel + 2]
        keep = np.isin(types, (_TRIANGLE, _POLYGON, _PIXEL, _QUAD))
        ranked = np.repeat(keep, counts)
        faces.append(fan_triangulate(counts[keep], flat[ranked]))
        strips = np.repeat(types == _STRIP, counts)
        faces.append(strip_triangulate(counts[types == _STRIP], flat[strips]))
        polygon_counts.append(counts[keep])
        if len(counts) and not keep.any() and not (types == _STRIP).any():
            raise FormatError("it holds no surface cells (only points, lines or volume cells)")
    triangles = np.concatenate(faces) if faces else np.zeros((0, 3), dtype=np.int64)
    notes = polygon_note(np.concatenate(polygon_counts or [[]]))
    return Surface(np.asarray(sections["POINTS"], dtype=np.float64), triangles, notes)


class _LegacyCursor:
    """Walks a legacy file: keyword lines in text, arrays in text or big-endian binary."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0
        self.binary = False
        self.new_cells = False

    def raw_line(self) -> str:
        end = self.data.find(b"\n", self.pos)
        end = len(self.data) if end < 0 else end
        line = self.data[self.pos : end].strip()
        self.pos = end + 1
        return line.decode("ascii", "replace")

    def line(self) -> str:
        """The next non-blank line, or "" at the end of the file."""
        while self.pos < len(self.data):
            if line := self.raw_line():
                return line
        return ""

    def array(self, count: int, vtk_type: str) -> np.ndarray:
        code = _LEGACY_TYPES.get(vtk_type.lower())
        if code is None:
            raise FormatError(f'it has an array of type "{vtk_type}", which cannot be read here')
        if count < 0:
            raise FormatError(_DAMAGED_CELLS)
        if self.binary:
            dtype = np.dtype(">" + code)
            if self.pos + count * dtype.itemsize > len(self.data):
                raise FormatError(_TRUNCATED)
            values = np.frombuffer(self.data, dtype, count, offset=self.pos)
            self.pos += count * dtype.itemsize
            return values
        words = self.data[self.pos :].split(maxsplit=count)
        if len(words) < count:
            raise FormatError(_TRUNCATED)
        self.pos = len(self.data) - (len(words[count]) if len(words) > count else 0)
        try:
            return np.array(words[:count]).astype(code)
        except ValueError as exc:
            raise FormatError(f"a number in the file cannot be read ({exc})") from exc

    def cells(self, n_cells: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        """(counts, flat indices) of a cell section in either layout."""
        if self.new_cells:
            offsets = self.array(n_cells, self.line().split()[-1]).astype(np.int64)
            flat = self.array(size, self.line().split()[-1]).astype(np.int64)
            counts = np.diff(offsets)
            if len(offsets) and (offsets[0] != 0 or offsets[-1] != size or np.any(counts < 0)):
                raise FormatError(_DAMAGED_CELLS)
            return counts, flat
        packed = self.array(size, "int").astype(np.int64)
        if n_cells > size:
            raise FormatError(_DAMAGED_CELLS)
        if n_cells and packed[0] > 0 and size == n_cells * (packed[0] + 1):
            table = packed.reshape(n_cells, -1)
            if np.all(table[:, 0] == packed[0]):
                return table[:, 0].copy(), table[:, 1:].ravel()
        starts, position = np.empty(n_cells, dtype=np.int64), 0
        for cell in range(n_cells):  # mixed cell sizes: rare, so a plain walk is fine
            if not 0 <= position < size or packed[position] < 0:
                raise FormatError(_DAMAGED_CELLS)
            starts[cell] = position
            position += int(packed[position]) + 1
        if position != size:
            raise FormatError(_DAMAGED_CELLS)
        ids = np.ones(size, dtype=bool)
        ids[starts] = False
        return packed[starts], packed[ids]

    def skip_metadata(self) -> None:
        while self.pos < len(self.data) and self.raw_line():
            pass

    def skip_field(self, n_arrays: int) -> None:
        for _ in range(n_arrays):
            words = self.line().split()
            if len(words) < 4:
                raise FormatError("a FIELD array has no proper header: the file is damaged")
            self.array(int(words[1]) * int(words[2]), words[3])
            before = self.pos
            if self.line().upper() == "METADATA":
                self.skip_metadata()
            else:
                self.pos = before
