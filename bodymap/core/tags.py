"""Finding types (tags): the practitioner's palette of paintable layers.

A tag's ``key`` is stable and stored in files; its name, colour, visibility, opacity and
place in the order are how it is shown and can change at any time without touching the
painted data. The tag set travels with the session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bodymap.core.validation import check_key, check_text

Rgb = tuple[int, int, int]

CYST_ORIGINS = (
    "physical trauma",
    "emotional trauma",
    "pathogen",
    "radiation",
    "toxic substance",
    "unknown",
)
CYST_STATES = ("active", "released")
DEFAULT_OPACITY = 0.85


@dataclass(frozen=True)
class Tag:
    """One finding type.

    Attributes
    ----------
    key : str
        Stable identifier (lower-case letters, digits, underscores), stored in files.
    name : str
        What the practitioner calls it.
    color : (r, g, b)
        Display colour, 0-255.
    visible : bool
        Whether its layer is drawn; hiding never changes the data.
    opacity : float
        0 to 1, how strongly the layer covers what is under it.
    """

    key: str
    name: str
    color: Rgb
    visible: bool = True
    opacity: float = DEFAULT_OPACITY

    def __post_init__(self) -> None:
        check_key(self.key)
        if not self.name.strip():
            raise ValueError("a tag needs a name")
        check_text(self.name, "a tag's name")
        if len(self.color) != 3 or any(not 0 <= int(c) <= 255 for c in self.color):
            raise ValueError(f"tag colour {self.color!r} is not three values 0-255")
        if not 0.0 <= self.opacity <= 1.0:
            raise ValueError(f"tag opacity {self.opacity} is not between 0 and 1")
        object.__setattr__(self, "color", tuple(int(c) for c in self.color))
        object.__setattr__(self, "opacity", float(self.opacity))

    @property
    def hex_color(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.color)

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "color": list(self.color),
            "visible": self.visible,
            "opacity": self.opacity,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Tag:
        return cls(
            key=str(data["key"]),
            name=str(data["name"]),
            color=tuple(int(c) for c in data["color"]),
            visible=bool(data.get("visible", True)),
            opacity=float(data.get("opacity", DEFAULT_OPACITY)),
        )


# Chosen from the Okabe-Ito and Tol palettes and checked (tests/core/test_tags.py) to stay
# apart from each other and from skin under protanopia, deuteranopia and tritanopia.
DEFAULT_TAGS = (
    Tag("restriction", "Restriction", (0, 90, 181)),
    Tag("release", "Release", (0, 158, 115)),
    Tag("energy_cyst", "Energy cyst", (136, 34, 85)),
    Tag("pain", "Pain", (213, 94, 0)),
    Tag("tension", "Tension / holding", (51, 34, 136)),
    Tag("heat", "Heat", (240, 190, 30)),
    Tag("pulsation", "Pulsation", (86, 180, 233)),
)
ENERGY_CYST = "energy_cyst"


class TagSet:
    """An ordered set of tags; the order is the drawing order, first at the bottom."""

    def __init__(self, tags: tuple[Tag, ...] | list[Tag] = DEFAULT_TAGS) -> None:
        self._tags: list[Tag] = []
        for tag in tags:
            if tag.key in self.keys():
                raise ValueError(f"tag {tag.key!r} appears twice")
            self._tags.append(tag)

    def __iter__(self):
        return iter(tuple(self._tags))

    def __len__(self) -> int:
        return len(self._tags)

    def __contains__(self, key: object) -> bool:
        return any(t.key == key for t in self._tags)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TagSet) and self._tags == other._tags

    def keys(self) -> list[str]:
        return [t.key for t in self._tags]

    def get(self, key: str) -> Tag:
        for tag in self._tags:
            if tag.key == key:
                return tag
        raise KeyError(f"no tag {key!r}")

    def index(self, key: str) -> int:
        return self.keys().index(key)

    def copy(self) -> TagSet:
        return TagSet(list(self._tags))

    def add(self, name: str, color: Rgb) -> Tag:
        """Add a practitioner's own tag at the top and return it (with a fresh key)."""
        base = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_") or "tag"
        if not base[0].isalpha():
            base = "tag_" + base
        base = base[:32]
        key, n = base, 1
        while key in self:
            n += 1
            key = f"{base}_{n}"
        tag = Tag(key, name.strip(), color)
        self._tags.append(tag)
        return tag

    def update(self, key: str, /, **changes) -> Tag:
        """Change how a tag is named or shown (name, color, visible, opacity)."""
        if "key" in changes:
            raise ValueError("a tag's key never changes")
        index = self.index(key)
        self._tags[index] = replace(self._tags[index], **changes)
        return self._tags[index]

    def move(self, key: str, new_index: int) -> None:
        """Move a tag to ``new_index`` in the drawing order."""
        tag = self._tags.pop(self.index(key))
        self._tags.insert(max(0, min(new_index, len(self._tags))), tag)

    def to_list(self) -> list[dict]:
        return [t.to_dict() for t in self._tags]

    @classmethod
    def from_list(cls, items: list[dict]) -> TagSet:
        return cls([Tag.from_dict(item) for item in items])
