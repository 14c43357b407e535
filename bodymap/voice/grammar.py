"""The JSGF grammar of voice commands, built from a :class:`Vocabulary`.

    restriction, left temporal, six        a tag, a place, an intensity (5 when unsaid)
    energy cyst, lower abdomen, seven, emotional trauma
                                           the energy cyst also takes an origin
    still point / significance detector    an event at the current time
    undo
    note                                   then free speech: a spoken note

Pure text: the decoder (:mod:`bodymap.voice.decoder`) compiles it.
"""

from __future__ import annotations

from bodymap.voice.vocabulary import NOTE, UNDO, Vocabulary


def _alternatives(phrases) -> str:
    return " | ".join(sorted(set(phrases)))


def jsgf(vocabulary: Vocabulary) -> str:
    """The grammar as JSGF text (public rule ``<command>``).

    Raises
    ------
    ValueError
        If the vocabulary has no tags or no places (nothing could be charted).
    """
    v = vocabulary
    if not v.tags or not v.places:
        raise ValueError("voice commands need at least one tag and one named region")
    cyst = [p for p, key in v.tags.items() if key == v.cyst_tag]
    others = [p for p, key in v.tags.items() if key != v.cyst_tag]
    findings = []
    if others:
        findings.append("<tag> <place> [<intensity>]")
    if cyst:
        findings.append("<cyst> <place> [<intensity>] [<origin>]")
    lines = [
        "#JSGF V1.0;",
        "grammar bodymap;",
        f"public <command> = {' | '.join(findings)} | <event> | {UNDO} | {NOTE};",
        f"<place> = {_alternatives(v.places)};",
        f"<intensity> = {_alternatives(v.intensities)};",
        f"<event> = {_alternatives(v.events)};",
    ]
    if others:
        lines.append(f"<tag> = {_alternatives(others)};")
    if cyst:
        lines.append(f"<cyst> = {_alternatives(cyst)};")
        lines.append(f"<origin> = {_alternatives(v.origins)};")
    return "\n".join(lines) + "\n"
