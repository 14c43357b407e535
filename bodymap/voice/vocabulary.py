"""What can be said: spoken forms of the session's tags and the atlas's regions and bands.

The vocabulary is rebuilt from the session whenever its tags change, so a tag the
practitioner added or renamed is spoken by its current name. Pure Python: no Qt, no audio.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bodymap.core.atlas import Atlas
from bodymap.core.session import EVENT_KINDS
from bodymap.core.tags import CYST_ORIGINS, ENERGY_CYST, TagSet

NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)
DEFAULT_INTENSITY = 5
UNDO = "undo"
NOTE = "note"
# Common spoken forms the display names do not contain, by atlas key.
REGION_ALIASES = {
    "occipital": ("occiput",),
    "sagittal_suture": ("sagittal",),
    "abdomen_lower": ("lower belly",),
    "abdomen_upper": ("upper belly",),
    "sternum": ("breastbone",),
}
BAND_ALIASES = {
    "pelvic": ("pelvic floor",),
    "respiratory": ("diaphragm",),
    "cranial_base": ("occipital cranial base",),
}
EVENT_ALIASES = {"technique": ("technique",)}


@dataclass(frozen=True)
class Place:
    """A region (``band`` False) or diaphragm band of the atlas, by key and display name."""

    key: str
    name: str
    band: bool
    side: str = "midline"


@dataclass
class Vocabulary:
    """Spoken phrase -> meaning, for each slot of a command.

    ``tags`` maps a phrase to a tag key, ``places`` to a :class:`Place`, ``intensities`` to
    0-10, ``origins`` to an energy-cyst origin, ``events`` to an event kind.
    """

    tags: dict[str, str] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    intensities: dict[str, int] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)
    cyst_tag: str | None = None

    @classmethod
    def build(cls, tags: TagSet, atlas: Atlas) -> Vocabulary:
        """The vocabulary of a session's tags on an atlas."""
        places: dict[str, Place] = {}
        for region in atlas.regions:
            place = Place(region.key, region.name, False, region.side)
            extra = REGION_ALIASES.get(region.key, ())
            _add_all(places, region_forms(region.name, region.side, extra), place)
        for band in atlas.bands:
            place = Place(band.key, band.name, True)
            _add_all(places, band_forms(band.name, BAND_ALIASES.get(band.key, ())), place)
        tag_map: dict[str, str] = {}
        for tag in tags:
            _add_all(tag_map, spoken_forms(tag.name), tag.key)
        events: dict[str, str] = {}
        for kind, label in EVENT_KINDS.items():
            _add_all(events, spoken_forms(label) + list(EVENT_ALIASES.get(kind, ())), kind)
        return cls(
            tags=_unambiguous(tag_map),
            places=_unambiguous(places),
            intensities={word: n for n, word in enumerate(NUMBER_WORDS)},
            origins={o: o for o in CYST_ORIGINS},
            events=_unambiguous(events),
            cyst_tag=ENERGY_CYST if ENERGY_CYST in tags else None,
        )

    def words(self) -> set[str]:
        """Every word any phrase uses (for the pronunciation dictionary)."""
        phrases = [*self.tags, *self.places, *self.intensities, *self.origins, *self.events]
        return {word for phrase in phrases + [UNDO, NOTE] for word in phrase.split()}


_AMBIGUOUS = object()


def _add_all(table: dict, phrases, value) -> None:
    # A phrase two meanings share is kept aside and then dropped: saying it must never
    # pick one of them by chance.
    for phrase in phrases:
        if phrase and table.get(phrase, value) != value:
            table[phrase] = _AMBIGUOUS
        elif phrase:
            table[phrase] = value


def _unambiguous(table: dict) -> dict:
    return {k: v for k, v in table.items() if v is not _AMBIGUOUS}


def words_of(text: str) -> str:
    """Lower-case spoken words of a display text: "TMJ" -> "t m j", "2" -> "two"."""
    out: list[str] = []
    for token in re.findall(r"[A-Za-z]+|\d+", text):
        if token.isdigit():
            out.extend(_number_words(int(token)))
        elif len(token) > 1 and token.isupper():
            out.extend(token.lower())
        else:
            out.append(token.lower())
    return " ".join(out)


def _number_words(n: int) -> list[str]:
    if n <= 10:
        return [NUMBER_WORDS[n]]
    return [NUMBER_WORDS[int(d)] for d in str(n)]


def spoken_forms(name: str) -> list[str]:
    """Ways of saying a display name: itself, each "/" alternative, a parenthesis alone."""
    forms = [words_of(name)]
    main, _, inner = name.partition("(")
    if inner:
        forms += [words_of(main), words_of(inner)]
    if "/" in main:
        forms += [words_of(part) for part in main.split("/")]
    if "," in main:
        head, _, tail = main.partition(",")
        forms.append(words_of(f"{tail} {head}"))
    return list(dict.fromkeys(f for f in forms if f))


def region_forms(name: str, side: str, aliases=()) -> list[str]:
    """A region's spoken forms, side first: "left temporal", "left shin", "left anterior leg".

    The side is said first only: every extra way of saying a place is another sentence the
    recogniser can confuse with the one meant (measured on the benchmark corpus).
    """
    if side not in ("left", "right"):
        return list(dict.fromkeys(spoken_forms(name) + list(aliases)))
    base = re.sub(rf"^\s*{side}\s+", "", name, flags=re.IGNORECASE)
    return list(dict.fromkeys(f"{side} {b}" for b in spoken_forms(base) + list(aliases)))


def band_forms(name: str, aliases=()) -> list[str]:
    """A band's spoken forms: its name, and without the word "diaphragm"."""
    forms = spoken_forms(name)
    forms += [f.replace(" diaphragm", "") for f in forms if f.endswith(" diaphragm")]
    forms += [f"{f} diaphragm" for f in forms if not f.endswith("diaphragm")]
    return list(dict.fromkeys(forms + list(aliases)))
