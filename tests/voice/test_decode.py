"""Spoken commands decode to the expected commands; the CLI prints and applies them.

The audio is made here with espeak-ng and sox (Debian packages), as the benchmark corpus is;
without them, or without pocketsphinx, these tests are skipped and say why.
"""

from __future__ import annotations

import argparse
import json
import shutil

import numpy as np
import pytest

from bodymap.voice.audio import read_wav, split_utterances, write_wav
from bodymap.voice.capture import Microphone
from bodymap.voice.corpus import corpus_clip, missing_tools


def test_the_microphone_hands_out_new_blocks_while_recording():
    class Stream:
        def stop(self):
            pass

        def close(self):
            pass

    microphone = Microphone()
    microphone._stream = Stream()  # as start() leaves it, without a sound device
    for n in (5, 3, 2):
        microphone._on_audio(np.full((n, 1), n, dtype=np.int16), n, None, None)
        assert microphone.take().tolist() == [n] * n
    microphone._on_audio(np.full((4, 1), 4, dtype=np.int16), 4, None, None)
    assert len(microphone.stop()) == 14  # stop still gives the whole recording
    assert microphone.take().tolist() == [4] * 4  # and take what was left
    assert len(microphone.take()) == 0


pytest.importorskip("pocketsphinx", reason="pocketsphinx 5 is not installed")
if missing_tools():
    pytest.skip(
        f"needs {' and '.join(missing_tools())} (apt-get install espeak-ng sox)",
        allow_module_level=True,
    )

CASES = [
    ("restriction, left temporal, six", "en-us", 160, "restriction", "temporal_l", 6),
    ("energy cyst, lower abdomen, seven, emotional trauma", "en-gb-x-rp", 130, "energy_cyst",
     "abdomen_lower", 7),
    ("release, sacrum", "en-us+f3", 160, "release", "sacrum", 5),
]  # fmt: skip


@pytest.fixture(scope="module")
def recogniser(body):
    from bodymap.core.tags import TagSet
    from bodymap.voice.decoder import Recogniser
    from bodymap.voice.vocabulary import Vocabulary

    return Recogniser(Vocabulary.build(TagSet(), body[1]))


@pytest.mark.parametrize(("text", "voice", "speed", "tag", "place", "intensity"), CASES)
def test_corpus_commands_decode(recogniser, tmp_path, text, voice, speed, tag, place, intensity):
    samples = corpus_clip(text, voice, speed, 20, tmp_path, "clip")
    result = recogniser.recognise(samples)
    command = result.command
    assert result.sure, (result.text, result.confidence)
    assert (command.tag, command.place.key, command.intensity) == (tag, place, intensity)


def test_decoding_while_the_key_is_held_leaves_only_the_last_block(recogniser, tmp_path):
    samples = corpus_clip("pain, left hip, four", "en-gb-x-rp", 160, 20, tmp_path, "clip")
    recogniser.start()
    for start in range(0, len(samples), 1600):  # 0.1 s blocks, as the microphone gives them
        recogniser.feed(samples[start : start + 1600])
    result = recogniser.finish()
    assert result.sure, (result.text, result.confidence)
    assert (result.command.tag, result.command.place.key, result.command.intensity) == (
        "pain", "hip_l", 4,
    )  # fmt: skip
    # A new utterance starts clean: an unfinished one is dropped, not carried over.
    recogniser.start()
    recogniser.feed(samples[: len(samples) // 3])
    assert recogniser.recognise(samples).text == result.text


def test_events_and_undo_decode(recogniser, tmp_path):
    for text, kind in (("still point", "event"), ("undo", "undo")):
        result = recogniser.recognise(corpus_clip(text, "en-us", 160, 20, tmp_path, "clip"))
        assert result.sure and result.command.kind == kind, result


def test_a_sentence_that_is_no_command_is_not_sure(recogniser, tmp_path):
    text = "i had a headache on the right side all weekend"
    result = recogniser.recognise(corpus_clip(text, "en-us", 130, 20, tmp_path, "clip"))
    assert not result.sure, (result.text, result.confidence)


def test_a_word_as_quiet_as_room_noise_makes_the_command_unsure(body, tmp_path):
    from bodymap.core.tags import TagSet
    from bodymap.voice.corpus import synthesize
    from bodymap.voice.decoder import Recogniser
    from bodymap.voice.vocabulary import Vocabulary

    recogniser = Recogniser(Vocabulary.build(TagSet(), body[1]))  # no earlier utterances
    said = synthesize("restriction, left temporal", "en-us", 160, tmp_path / "a.wav")
    number = synthesize("six", "en-us", 160, tmp_path / "b.wav")
    heard = recogniser.recognise(np.concatenate([said, number]))
    assert heard.command.intensity == 6 and heard.confidence > 0.9, heard  # said aloud
    quiet = (number * 10 ** (-24 / 20)).astype(np.int16)  # 24 dB down: the room, not a word
    heard = recogniser.recognise(np.concatenate([said, quiet]))
    assert len(heard.text.split()) == 4 and heard.confidence == 0.0, heard


def test_silence_is_nothing(recogniser):
    result = recogniser.recognise(np.zeros(16000, dtype=np.int16))
    assert not result.sure


def test_a_renamed_tag_is_recognised(body, tmp_path):
    from bodymap.core.tags import TagSet
    from bodymap.voice.decoder import Recogniser
    from bodymap.voice.vocabulary import Vocabulary

    tags = TagSet()
    tags.update("heat", name="Warmth")
    recogniser = Recogniser(Vocabulary.build(tags, body[1]))
    result = recogniser.recognise(corpus_clip("warmth, sacrum, eight", "en-us", 160, 20,
                                              tmp_path, "clip"))  # fmt: skip
    assert result.sure and (result.command.tag, result.command.intensity) == ("heat", 8)


def _recording(tmp_path, *texts) -> str:
    pieces = [corpus_clip(t, "en-us", 160, 20, tmp_path, f"p{i}") for i, t in enumerate(texts)]
    gap = np.random.default_rng(0).normal(0, 30, 24000).astype(np.int16)
    samples = np.concatenate([p for piece in pieces for p in (piece, gap)])
    path = tmp_path / "recording.wav"
    write_wav(path, samples)
    assert len(split_utterances(read_wav(path))) == len(texts)
    return str(path)


def _run_cli(argv):
    from bodymap.voice.cli import add_parser, run

    parser = argparse.ArgumentParser(prog="bodymap")
    add_parser(parser.add_subparsers(dest="command"))
    return run(parser.parse_args(argv))


def _saved_session(tmp_path, body):
    """A store under ``tmp_path`` holding one empty saved session on ``body``."""
    from bodymap.store import Store

    mesh, _ = body
    store = Store(tmp_path / "store")
    client = store.create_client("Voice Client")
    session = store.new_session(client.id, mesh.geometry_hash, mesh.n_vertices)
    store.save(session)
    return store, session


def test_cli_applies_commands_to_a_stored_session(tmp_path, capsys, body):
    store, session = _saved_session(tmp_path, body)
    audio = _recording(tmp_path, "restriction, left temporal, six", "still point")
    argv = ["voice", audio, "--store", str(tmp_path / "store"), "--session", session.id, "--json"]
    assert _run_cli(argv) == 0
    report = json.loads(capsys.readouterr().out)
    kinds = [(c["kind"], c["understood"], c["applied"]) for c in report["commands"]]
    assert kinds == [("finding", True, True), ("event", True, True)]
    first = report["commands"][0]
    assert (first["tag"], first["region"], first["side"], first["intensity"]) == (
        "restriction", "temporal_l", "left", 6,
    )  # fmt: skip
    saved = store.load(session.id)
    assert np.count_nonzero(saved.overlays.layer("restriction")) > 0
    assert [e.kind for e in saved.events] == ["still_point"]


def test_an_unsure_recognition_changes_nothing(tmp_path, capsys, body):
    store, session = _saved_session(tmp_path, body)
    audio = _recording(tmp_path, "that is where my father used to hold me")
    argv = ["voice", audio, "--store", str(tmp_path / "store"), "--session", session.id, "--json"]
    assert _run_cli(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(c["understood"], c["applied"]) for c in report["commands"]] == [(False, False)]
    assert not report["saved"]
    saved = store.load(session.id)
    assert not saved.events and not any(
        np.count_nonzero(saved.overlays.layer(key)) for key in saved.overlays.keys
    )


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert _run_cli(["voice", str(tmp_path / "missing.wav")]) == 1
    assert capsys.readouterr().err.strip().count("\n") == 0
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav")
    assert _run_cli(["voice", str(bad), "--json"]) == 1
    assert "not a readable WAV file" in capsys.readouterr().err


def test_cli_without_a_session_only_prints(tmp_path, capsys):
    shutil.copy(_recording(tmp_path, "heat, sacrum, two"), tmp_path / "one.wav")
    assert _run_cli(["voice", str(tmp_path / "one.wav")]) == 0
    assert "heat sacrum two" in capsys.readouterr().out


def test_the_grammar_search_scores_more_gaussians_than_the_default(recogniser):
    from bodymap.voice.decoder import GRAMMAR_TOPN

    assert GRAMMAR_TOPN > 4  # pocketsphinx's default, which misheard more numbers
    assert recogniser._grammar.config["topn"] == GRAMMAR_TOPN
