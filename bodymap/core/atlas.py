"""The region atlas: which named anatomical region, and which diaphragm band, each vertex is in."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bodymap.core.mesh import BodyMesh

SIDES = ("left", "right", "midline")
BODY_PARTS = (
    "head",
    "neck",
    "trunk anterior",
    "trunk posterior",
    "upper limb left",
    "upper limb right",
    "lower limb left",
    "lower limb right",
    "perineum",
)
NO_REGION = -1
NO_BAND = -1


@dataclass(frozen=True)
class Region:
    """A named skin region. ``key`` is stable and stored in files; ``name`` is for people."""

    key: str
    name: str
    side: str
    body_part: str

    def __post_init__(self) -> None:
        if self.side not in SIDES:
            raise ValueError(f"region {self.key}: unknown side {self.side!r}")
        if self.body_part not in BODY_PARTS:
            raise ValueError(f"region {self.key}: unknown body part {self.body_part!r}")


@dataclass(frozen=True)
class Band:
    """A transverse diaphragm band (CST): it crosses regions, so it is stored beside them."""

    key: str
    name: str


@dataclass(eq=False)
class Atlas:
    """Per-vertex region and band indices for one mesh.

    ``region_index[v]`` indexes ``regions`` (``NO_REGION`` where unassigned, e.g. internal
    cavities); ``band_index[v]`` indexes ``bands`` (``NO_BAND`` outside every band).
    """

    regions: tuple[Region, ...]
    bands: tuple[Band, ...]
    region_index: np.ndarray
    band_index: np.ndarray

    def __post_init__(self) -> None:
        self.regions = tuple(self.regions)
        self.bands = tuple(self.bands)
        self.region_index = np.ascontiguousarray(self.region_index, dtype=np.int16)
        self.band_index = np.ascontiguousarray(self.band_index, dtype=np.int8)
        if self.region_index.shape != self.band_index.shape or self.region_index.ndim != 1:
            raise ValueError("region and band indices must be 1-D arrays of equal length")
        if self.region_index.size and self.region_index.max(initial=NO_REGION) >= len(self.regions):
            raise ValueError("a vertex refers to a region that does not exist")
        if self.band_index.size and self.band_index.max(initial=NO_BAND) >= len(self.bands):
            raise ValueError("a vertex refers to a band that does not exist")
        keys = [r.key for r in self.regions]
        if len(set(keys)) != len(keys):
            raise ValueError("region keys must be unique")
        self.region_index.setflags(write=False)
        self.band_index.setflags(write=False)

    @classmethod
    def unassigned(cls, n_vertices: int, regions=(), bands=()) -> Atlas:
        """An atlas in which no vertex has a region (for meshes the default atlas cannot fit)."""
        return cls(
            regions,
            bands,
            np.full(n_vertices, NO_REGION, dtype=np.int16),
            np.full(n_vertices, NO_BAND, dtype=np.int8),
        )

    @property
    def n_vertices(self) -> int:
        return len(self.region_index)

    @property
    def is_assigned(self) -> bool:
        return bool(np.any(self.region_index != NO_REGION))

    def region_of(self, vertex: int) -> Region | None:
        index = int(self.region_index[vertex])
        return None if index == NO_REGION else self.regions[index]

    def band_of(self, vertex: int) -> Band | None:
        index = int(self.band_index[vertex])
        return None if index == NO_BAND else self.bands[index]

    def describe(self, vertex: int) -> str:
        """What a person reads in the status bar, e.g. ``"Occipital · Cranial base diaphragm"``."""
        region = self.region_of(vertex)
        text = region.name if region else "Unassigned region"
        band = self.band_of(vertex)
        return f"{text} · {band.name}" if band else text

    def region_by_key(self, key: str) -> int:
        for index, region in enumerate(self.regions):
            if region.key == key:
                return index
        raise KeyError(f"no region {key!r} in this atlas")

    def band_by_key(self, key: str) -> int:
        for index, band in enumerate(self.bands):
            if band.key == key:
                return index
        raise KeyError(f"no band {key!r} in this atlas")

    def region_areas_cm2(self, mesh: BodyMesh) -> np.ndarray:
        """Skin area of every region in cm² (internal vertices never count)."""
        return self._areas(mesh, self.region_index, len(self.regions))

    def band_areas_cm2(self, mesh: BodyMesh) -> np.ndarray:
        return self._areas(mesh, self.band_index, len(self.bands))

    def region_vertex_counts(self) -> np.ndarray:
        assigned = self.region_index[self.region_index != NO_REGION]
        return np.bincount(assigned, minlength=len(self.regions))

    def summary(self, mesh: BodyMesh) -> dict:
        """A JSON-ready description of the atlas on ``mesh`` (``bodymap atlas --json``)."""
        areas = self.region_areas_cm2(mesh)
        counts = self.region_vertex_counts()
        band_areas = self.band_areas_cm2(mesh)
        band_counts = np.bincount(
            self.band_index[self.band_index != NO_BAND], minlength=len(self.bands)
        )
        return {
            "mesh": {
                "name": mesh.name,
                "vertex_count": mesh.n_vertices,
                "face_count": mesh.n_faces,
                "skin_area_cm2": round(mesh.skin_area * 1e4, 2),
                "geometry_sha256": mesh.geometry_hash,
            },
            "assigned": self.is_assigned,
            "regions": [
                {
                    "id": r.key,
                    "name": r.name,
                    "side": r.side,
                    "body_part": r.body_part,
                    "area_cm2": round(float(areas[i]), 2),
                    "vertex_count": int(counts[i]),
                }
                for i, r in enumerate(self.regions)
            ],
            "diaphragm_bands": [
                {
                    "id": b.key,
                    "name": b.name,
                    "area_cm2": round(float(band_areas[i]), 2),
                    "vertex_count": int(band_counts[i]),
                }
                for i, b in enumerate(self.bands)
            ],
        }

    def _areas(self, mesh: BodyMesh, index: np.ndarray, n: int) -> np.ndarray:
        if len(index) != mesh.n_vertices:
            raise ValueError("atlas and mesh have different vertex counts")
        keep = (index >= 0) & mesh.external
        return np.bincount(index[keep], weights=mesh.vertex_areas[keep], minlength=n) * 1e4
