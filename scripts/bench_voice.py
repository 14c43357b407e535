"""Voice commands on a spoken corpus: how many are understood exactly, applied wrongly, refused.

    python scripts/bench_voice.py [--commands 320] [--split eval|tune] [--out FILE]
                                  [--failures FILE] [--peer]

The corpus (bodymap.voice.corpus): random commands of the default session's grammar said by
four espeak-ng voices at three speeds, with room noise mixed in by sox at 20 and 10 dB SNR,
and non-command sentences. "Exact" means the recognised command equals the one said and is
sure enough to apply; "wrong" means a command was applied that was not the one said;
"latency" is the decoding done after the push-to-talk key is released: the audio is fed in
0.1 s blocks as the microphone delivers it, and the last block and the end of the search
are timed (wall clock, and the process's CPU time, which is the wall clock of an idle
core). ``--split tune`` is the corpus decoding choices were tuned on (other voices and
sentences); the default ``eval`` split is held out. ``--failures`` writes each command not
understood exactly (said, heard, parsed, voice, speed, SNR) as JSON. ``--peer`` also
decodes the commands with pocketsphinx's general English language model (the naive peer)
and parses its text with the same parser.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bodymap.core.tags import TagSet
from bodymap.io.default_body import load_default_body
from bodymap.voice.audio import RATE
from bodymap.voice.commands import parse
from bodymap.voice.corpus import (
    NON_COMMANDS,
    SNRS_DB,
    SPEEDS,
    SPLITS,
    corpus_clip,
    missing_tools,
    sample_commands,
)
from bodymap.voice.decoder import Recogniser, model_paths
from bodymap.voice.vocabulary import Vocabulary

BLOCK = RATE // 10  # what the microphone delivers between two feeds


def score_commands(recogniser, vocabulary, sentences, snr, folder, voices, peer=None) -> dict:
    counts = {"exact": 0, "wrong": 0, "refused": 0}
    peer_exact = 0
    latencies, cpu_times, failures = [], [], []
    for i, sentence in enumerate(sentences):
        voice, speed = voices[i % len(voices)], SPEEDS[(i // len(voices)) % len(SPEEDS)]
        samples = corpus_clip(sentence, voice, speed, snr, folder, f"c{snr}_{i}")
        expected = parse(sentence, vocabulary)
        result, wall, cpu = _decode_live(recogniser, samples)
        latencies.append(wall)
        cpu_times.append(cpu)
        got = result.command
        outcome = _outcome(got, expected)
        counts[outcome] += 1
        if outcome != "exact":
            failures.append(_failure(sentence, result, outcome, voice, speed, snr))
        if peer is not None:
            peer_exact += _same(parse(_peer_text(peer, samples), vocabulary), expected)
    n = len(sentences)
    row = {
        "snr_db": snr,
        "commands": n,
        "exact_pct": 100 * counts["exact"] / n,
        "wrong_pct": 100 * counts["wrong"] / n,
        "refused_pct": 100 * counts["refused"] / n,
        "latency_median_ms": 1000 * statistics.median(latencies),
        "latency_p95_ms": 1000 * sorted(latencies)[int(0.95 * (n - 1))],
        # CPU time is what the latency would be on an idle core (the machine may be shared).
        "latency_cpu_median_ms": 1000 * statistics.median(cpu_times),
        "latency_cpu_p95_ms": 1000 * sorted(cpu_times)[int(0.95 * (n - 1))],
    }
    if peer is not None:
        row["peer_exact_pct"] = 100 * peer_exact / n
    return row, failures


def _decode_live(recogniser, samples):
    """(recognition, wall s, CPU s after the key's release), fed as the microphone would."""
    recogniser.start()
    last = max(len(samples) - BLOCK, 0)
    for start in range(0, last, BLOCK):
        recogniser.feed(samples[start : min(start + BLOCK, last)])
    released, cpu = time.perf_counter(), time.process_time()
    recogniser.feed(samples[last:])
    result = recogniser.finish()
    return result, time.perf_counter() - released, time.process_time() - cpu


def _outcome(got, expected) -> str:
    if got is None or not got.sure:
        return "refused"
    return "exact" if _same(got, expected) else "wrong"


def _failure(sentence, result, outcome, voice, speed, snr) -> dict:
    parsed = None if result.command is None else result.command.to_dict()
    return {
        "said": sentence,
        "heard": result.text,
        "parsed": parsed,
        "confidence": round(result.confidence, 3),
        "outcome": outcome,
        "voice": voice,
        "speed": speed,
        "snr_db": snr,
    }


def _same(a, b) -> bool:
    if a is None or b is None:
        return False
    keys = ("kind", "tag", "place", "intensity", "origin", "event")
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _peer_text(decoder, samples) -> str:
    decoder.start_utt()
    decoder.process_raw(samples.tobytes(), False, True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp else ""


def score_non_commands(recogniser, folder, voices, n: int = 100) -> dict:
    changed = 0
    for i in range(n):
        sentence = NON_COMMANDS[i % len(NON_COMMANDS)]
        voice, speed = voices[i % len(voices)], SPEEDS[i % len(SPEEDS)]
        samples = corpus_clip(sentence, voice, speed, 20, folder, f"n{i}")
        result, _, _ = _decode_live(recogniser, samples)
        # "undo" changes the session too: any sure command counts as a change.
        changed += result.command is not None and result.command.sure
    return {"non_commands": n, "changed_pct": 100 * changed / n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commands", type=int, default=320)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--split", choices=sorted(SPLITS), default="eval")
    parser.add_argument("--failures", type=Path, help="write each failure as JSON here")
    parser.add_argument("--peer", action="store_true", help="also score the general model")
    args = parser.parse_args(argv)
    if missing_tools():
        print(f"bench_voice: needs {', '.join(missing_tools())} (apt-get install)")
        return 1
    _, atlas = load_default_body()
    vocabulary = Vocabulary.build(TagSet(), atlas)
    recogniser = Recogniser(vocabulary)
    peer = None
    if args.peer:
        from pocketsphinx import Decoder

        hmm, dictionary, _ = model_paths()
        lm = hmm.parent / "en-us.lm.bin"
        peer = Decoder(hmm=str(hmm), dict=str(dictionary), lm=str(lm), loglevel="FATAL")
    voices, seed = SPLITS[args.split]
    sentences = sample_commands(vocabulary, args.commands, seed=seed)
    rows, failures = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for snr in SNRS_DB:
            row, failed = score_commands(
                recogniser, vocabulary, sentences, snr, Path(tmp), voices, peer
            )
            rows.append({"split": args.split, **row})
            failures += failed
            print(json.dumps(rows[-1]), flush=True)
        rows.append({"split": args.split, **score_non_commands(recogniser, Path(tmp), voices)})
        print(json.dumps(rows[-1]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1))
    if args.failures:
        args.failures.write_text(json.dumps(failures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
