"""Spoken notes in exports: never their audio unless asked, transcripts as emotional content.

A transcript says what was said in the room, so it follows the rule of the client's words
(pins' ``said``, events' ``dialogue``): a report without emotional content leaves the notes
out entirely. Audio leaves the practice only when the practitioner asks for it
(``--include-audio``): one WAV file per note, beside the export.
"""

from __future__ import annotations

from pathlib import Path

from bodymap.core.session import Session
from bodymap.export.html_parts import table

AUTOMATIC = "automatic"
"""How a transcript the recogniser wrote is marked, until a person edits it."""


def ordered(session: Session) -> list:
    """The session's spoken notes in time order (then by id, for a stable order)."""
    return sorted(session.clips.values(), key=lambda clip: (clip.time, clip.id))


def clips_to_dicts(session: Session) -> list[dict]:
    """What a JSON export says of each note: no samples, only their length and fields."""
    return [
        {
            "id": clip.id,
            "time": clip.time.isoformat(),
            "seconds": round(clip.seconds, 3),
            "rate": clip.rate,
            "transcript": clip.transcript,
            "transcript_automatic": clip.transcript_automatic,
            "event_id": clip.event_id,
            "pin_id": clip.pin_id,
        }
        for clip in ordered(session)
    ]


def clips_table(session: Session) -> str:
    """The report's table of spoken notes (time, length, what it belongs to, transcript)."""
    events = {event.id: event.label for event in session.events}
    rows = []
    for clip in ordered(session):
        owner = events.get(clip.event_id, "") if clip.event_id else ""
        owner = owner or ("pin" if clip.pin_id in session.pins else "session")
        text = clip.transcript + (f" ({AUTOMATIC})" if clip.transcript_automatic else "")
        time = clip.time.astimezone().strftime("%H:%M:%S")
        rows.append([time, f"{clip.seconds:.0f} s", owner, text])
    return table(["Time", "Length", "Belongs to", "Transcript"], rows, numeric=(1,))


def write_clip_wavs(session: Session, beside: Path) -> list[Path]:
    """Each note's audio as ``<export stem>-note-<n>.wav`` beside ``beside``; the paths."""
    from bodymap.voice.audio import write_wav

    written = []
    for number, clip in enumerate(ordered(session), start=1):
        path = beside.with_name(f"{beside.stem}-note-{number}.wav")
        write_wav(path, clip.audio(), clip.rate)
        written.append(path)
    return written
