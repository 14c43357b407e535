"""``bodymap voice AUDIO.wav [--store DIR --session ID] [--json]``: what a recording says.

Each spoken stretch of the recording is decoded as a command. With ``--session`` the sure
ones are also applied to that session in the store, in order ("undo" takes back the
previous command of the same recording), and the session is saved once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_FAILED = 1


def add_parser(subcommands) -> argparse.ArgumentParser:
    """Add ``voice`` to the ``bodymap`` subcommands."""
    voice = subcommands.add_parser("voice", help="decode (and apply) spoken commands")
    voice.add_argument("audio", type=Path, help="a WAV recording of one or more commands")
    voice.add_argument("--store", type=Path, dest="voice_store", help="the session store folder")
    voice.add_argument("--session", help="apply the commands to this session (an id)")
    voice.add_argument("--json", action="store_true", help="print JSON")
    return voice


def run(args: argparse.Namespace) -> int:
    """Run ``bodymap voice``; failures are one line on stderr and exit status 1."""
    from bodymap.store import StoreError
    from bodymap.voice.audio import AudioError
    from bodymap.voice.decoder import RecogniserUnavailable

    try:
        report = _voice(args)
    except (AudioError, RecogniserUnavailable, StoreError, VoiceCommandError) as error:
        print(f"bodymap: {error}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        print(format_report(report))
    return 0


class VoiceCommandError(Exception):
    """A voice command that cannot be carried out, with a one-line reason."""


def _voice(args: argparse.Namespace) -> dict:
    from bodymap.core.tags import TagSet
    from bodymap.voice.audio import read_wav, split_utterances
    from bodymap.voice.decoder import Recogniser
    from bodymap.voice.vocabulary import Vocabulary

    if not args.audio.is_file():
        raise VoiceCommandError(f"no audio file {args.audio}")
    samples = read_wav(args.audio)
    if args.session:
        store, document = _open_document(args)
        vocabulary = Vocabulary.build(document.session.tags, document.atlas)
    else:
        from bodymap.io.default_body import load_default_body

        store = document = None
        vocabulary = Vocabulary.build(TagSet(), load_default_body()[1])
    recogniser = Recogniser(vocabulary)
    recognitions = [recogniser.recognise(piece) for piece in split_utterances(samples)]
    report = {"audio": str(args.audio), "session": args.session, "commands": []}
    for recognition in recognitions:
        entry = (
            recognition.command.to_dict()
            if recognition.command is not None
            else {"kind": None, "text": recognition.text, "confidence": recognition.confidence}
        )
        entry["understood"] = recognition.sure
        report["commands"].append(entry)
    if document is not None:
        applied = _apply_all([r.command if r.sure else None for r in recognitions], document)
        for entry, done in zip(report["commands"], applied, strict=True):
            entry["applied"] = done
        report["saved"] = any(applied)
        if report["saved"]:
            store.save(document.session)
    return report


def _open_document(args: argparse.Namespace):
    from bodymap.cli import CommandError, open_store
    from bodymap.core.document import SessionDocument
    from bodymap.store.report import mesh_for

    try:
        store = open_store(args.voice_store or getattr(args, "store", None))
    except CommandError as error:
        raise VoiceCommandError(str(error)) from error
    session = store.load(args.session)
    if session.finalised:
        raise VoiceCommandError(f"session {session.id} is finalised: voice commands change nothing")
    store.log("open", session.client_id, session.id)
    return store, SessionDocument(session, *mesh_for(session, store))


def _apply_all(commands, document) -> list[bool]:
    """Apply the sure commands in order; "undo" reverts the previous one of this recording."""
    from bodymap.voice.apply import command_edit

    done: list = []
    applied = []
    for command in commands:
        if command is None:
            applied.append(False)
        elif command.kind == "undo":
            applied.append(bool(done))
            if done:
                document.revert(done.pop())
        else:
            edit = command_edit(command, document)
            if edit is not None:
                document.apply(edit)
                done.append(edit)
            applied.append(edit is not None)
    return applied


def format_report(report: dict) -> str:
    """One line per command, for people."""
    lines = []
    for entry in report["commands"]:
        mark = "ok " if entry["understood"] else "?  "
        if "applied" in entry:
            mark += "applied " if entry["applied"] else "        "
        lines.append(f"{mark}{entry['confidence']:.2f}  {entry['text'] or '(nothing)'}")
    return "\n".join(lines) if lines else "no speech found"
