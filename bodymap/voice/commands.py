"""Text -> voice command: what a recognised sentence asks for, and how sure we are.

The parser accepts exactly the sentences of :func:`bodymap.voice.grammar.jsgf`, so a
sentence the recogniser produced from the grammar always parses, and a free sentence
(typed, or from a general language model) parses only when it is a command.
"""

from __future__ import annotations

from dataclasses import dataclass

from bodymap.voice.vocabulary import DEFAULT_INTENSITY, NOTE, UNDO, Place, Vocabulary

# Below this confidence a recognition changes nothing (see bodymap.voice.decoder for what
# the number measures). Chosen on the tuning split of scripts/bench_voice.py: no
# non-command sentence reached 0.9 there, and from 0.92 to 0.95 only right commands were
# refused.
MIN_CONFIDENCE = 0.92


@dataclass(frozen=True)
class VoiceCommand:
    """One understood command.

    ``kind`` is ``"finding"`` (fill ``place`` with ``tag`` at ``intensity``, with an
    energy-cyst ``origin`` when said), ``"event"`` (``event`` kind now), ``"undo"``, or
    ``"note"`` (record what follows as a spoken note).
    """

    kind: str
    text: str
    confidence: float = 1.0
    tag: str | None = None
    place: Place | None = None
    intensity: int | None = None
    origin: str | None = None
    event: str | None = None

    @property
    def sure(self) -> bool:
        return self.confidence >= MIN_CONFIDENCE

    def to_dict(self) -> dict:
        """JSON-ready (``bodymap voice --json``)."""
        place = self.place
        return {
            "kind": self.kind,
            "text": self.text,
            "tag": self.tag,
            "region": None if place is None or place.band else place.key,
            "band": place.key if place is not None and place.band else None,
            "side": None if place is None or place.band else place.side,
            "intensity": self.intensity,
            "origin": self.origin,
            "event": self.event,
            "confidence": round(self.confidence, 3),
        }


def parse(text: str, vocabulary: Vocabulary, confidence: float = 1.0) -> VoiceCommand | None:
    """The command ``text`` says, or ``None`` when it says none.

    Punctuation and case are ignored ("Restriction, left temporal, 6." is fine once digits
    are words).
    """
    words = tuple("".join(c if c.isalpha() else " " for c in text.lower()).split())
    if not words:
        return None
    spoken = " ".join(words)
    if words == (UNDO,):
        return VoiceCommand("undo", spoken, confidence)
    if words[0] == NOTE:  # "note", then free speech (a general model may transcribe it)
        return VoiceCommand("note", spoken, confidence)
    if spoken in vocabulary.events:
        return VoiceCommand("event", spoken, confidence, event=vocabulary.events[spoken])
    for tag_words, tag in _prefixes(words, vocabulary.tags):
        rest = words[len(tag_words) :]
        for place_words, place in _prefixes(rest, vocabulary.places):
            found = _tail(rest[len(place_words) :], vocabulary, tag == vocabulary.cyst_tag)
            if found is not None:
                intensity, origin = found
                return VoiceCommand(
                    "finding",
                    spoken,
                    confidence,
                    tag=tag,
                    place=place,
                    intensity=DEFAULT_INTENSITY if intensity is None else intensity,
                    origin=origin,
                )
    return None


def _prefixes(words: tuple[str, ...], table: dict):
    """Every (phrase words, meaning) of ``table`` that ``words`` starts with, longest first."""
    found = []
    for phrase, meaning in table.items():
        parts = tuple(phrase.split())
        if words[: len(parts)] == parts:
            found.append((parts, meaning))
    return sorted(found, key=lambda item: -len(item[0]))


def _tail(words: tuple[str, ...], vocabulary: Vocabulary, cyst: bool):
    """(intensity or None, origin or None) if ``words`` is a valid end of a finding."""
    intensity = None
    if words and words[0] in vocabulary.intensities:
        intensity, words = vocabulary.intensities[words[0]], words[1:]
    if not words:
        return intensity, None
    origin = vocabulary.origins.get(" ".join(words))
    if cyst and origin is not None:
        return intensity, origin
    return None
