"""Damaged files of every kind, through every read path of the store and the CLI.

A fuzz corpus is built from fixed seeds: byte flips, truncations and zeroed ranges of a
session, a draft and a mesh file, and structure-aware mutations written with h5py (wrong
dtypes and shapes, absurd declared sizes, deep JSON, huge strings, attributes of the wrong
type, missing and extra objects). Each mutant is placed in a real store beside good sessions
of the same client and of another one, and every read path must give a correct result or a
one-line :class:`StoreError`, leave every other record readable, change no file, and finish
within a generous alarm (a hang fails instead of blocking).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import resource
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest
from store_helpers import full_session
from time_limits import alarm

from bodymap.cli import main as cli_main
from bodymap.core.annotations import SpokenClip
from bodymap.core.mesh import BodyMesh
from bodymap.store import Store, StoreError

CASE_SECONDS = 10
N_SIDE = 12  # a 12 x 12 grid: 144 vertices, enough for every record and fast to check


def grid_mesh() -> BodyMesh:
    ys, xs = np.mgrid[0:N_SIDE, 0:N_SIDE] / (N_SIDE - 1)
    vertices = np.stack([xs.ravel() * 0.5, ys.ravel() * 1.7, np.zeros(N_SIDE**2)], axis=1)
    ids = np.arange(N_SIDE**2).reshape(N_SIDE, N_SIDE)
    a, b, c, d = ids[:-1, :-1], ids[:-1, 1:], ids[1:, :-1], ids[1:, 1:]
    faces = np.concatenate([np.stack([a, b, d], -1), np.stack([a, d, c], -1)]).reshape(-1, 3)
    return BodyMesh(vertices, faces, name="grid")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict:
    """A store with two clients: the bytes of every file, and what each good record holds."""
    root = tmp_path_factory.mktemp("template") / "store"
    store = Store(root)
    mesh = grid_mesh()
    store.put_mesh(mesh)
    ada, bob = store.create_client("Ada"), store.create_client("Bob")
    sessions = {}
    for name, client, seed, year in [
        ("good", ada, 1, 2025),
        ("target", ada, 3, 2027),
        ("other", bob, 4, 2026),
    ]:
        session = full_session(client.id, mesh.n_vertices, seed)
        session.mesh_hash = mesh.geometry_hash
        session.started = session.started.replace(year=year)
        session.clips = {"k1": SpokenClip(session.started, np.arange(-900, 900, dtype=np.int16),
                                          transcript="warm", id="k1")}  # fmt: skip
        store.save(session, thumbnail=b"\x89PNG fake thumbnail " * 8)
        sessions[name] = session
    store.finalise(sessions["other"].id)
    draft = full_session(ada.id, mesh.n_vertices, 5)
    draft.mesh_hash = mesh.geometry_hash
    store.save_draft(draft)
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    targets = {
        "session": store.layout.session_file(ada.id, sessions["target"].id),
        "draft": store.layout.draft_file(ada.id, draft.id),
        "mesh": store.layout.mesh_file(mesh.geometry_hash),
    }
    return {
        "files": files,
        "targets": {k: p.relative_to(root).as_posix() for k, p in targets.items()},
        "sessions": sessions,
        "draft": draft,
        "mesh": mesh,
        "clients": (ada.id, bob.id),
        "scratch": tmp_path_factory.mktemp("mutants"),
    }


# ----- the mutations --------------------------------------------------------------------------


def byte_flips(data: bytes, rng: np.random.Generator) -> bytes:
    out = bytearray(data)
    for at in rng.integers(0, len(out), rng.integers(1, 9)):
        out[at] ^= 1 << int(rng.integers(0, 8))
    return bytes(out)


def truncation(data: bytes, rng: np.random.Generator) -> bytes:
    return data[: int(rng.integers(1, len(data)))]


def zeroed_range(data: bytes, rng: np.random.Generator) -> bytes:
    start = int(rng.integers(0, len(data)))
    length = int(rng.integers(16, 4096))
    out = bytearray(data)
    out[start : start + length] = bytes(len(out[start : start + length]))
    return bytes(out)


def edited(data: bytes, scratch: Path, edit: Callable[[h5py.File], None]) -> bytes:
    """The file ``data`` after ``edit`` changed it with h5py."""
    path = scratch / "mutant.h5"
    path.write_bytes(data)
    with h5py.File(path, "r+") as h5:
        edit(h5)
    return path.read_bytes()


def replace(name: str, **dataset) -> Callable[[h5py.File], None]:
    def edit(h5: h5py.File) -> None:
        if name in h5:
            del h5[name]
        data = dataset.pop("data", None)
        fill = dataset.pop("fill", None)
        created = h5.create_dataset(name, data=data, **dataset)
        if fill is not None:
            created[fill[0] : fill[0] + len(fill[1])] = fill[1]

    return edit


def set_attr(name: str, value, target: str = "/") -> Callable[[h5py.File], None]:
    def edit(h5: h5py.File) -> None:
        h5[target].attrs[name] = value

    return edit


def delete(name: str, attribute: bool = False) -> Callable[[h5py.File], None]:
    def edit(h5: h5py.File) -> None:
        if attribute:
            del h5.attrs[name]
        else:
            del h5[name]

    return edit


def many(count: int, make: Callable[[h5py.File, int], None]) -> Callable[[h5py.File], None]:
    def edit(h5: h5py.File) -> None:
        for index in range(count):
            make(h5, index)

    return edit


def nested_groups(h5: h5py.File) -> None:
    group = h5
    for depth in range(60):
        group = group.create_group(f"g{depth}")


def deep_compound(depth: int) -> np.dtype:
    dtype = np.dtype([("x", "<i4")])
    for _ in range(depth):
        dtype = np.dtype([("inner", dtype)])
    return dtype


def links(h5: h5py.File) -> None:
    h5["layers/loop"] = h5py.SoftLink("/layers")
    h5["layers/elsewhere"] = h5py.ExternalLink("/etc/hostname", "/x")


TEXT = h5py.string_dtype("utf-8")
HUGE = 2**40
BIG_ROWS = 2**33
DEEP = "[" * 100_000 + "]" * 100_000
WIDE = "[" + ",".join(["0"] * 2_000_000) + "]"


def session_edits(n: int) -> dict[str, Callable[[h5py.File], None]]:
    chunked = {"chunks": (32768,), "fletcher32": True, "dtype": "u1"}
    return {
        "layer float64": replace("layers/pain", data=np.ones(n)),
        "layer int64": replace("layers/pain", data=np.ones(n, dtype=np.int64)),
        "layer text": replace("layers/pain", data="painful", dtype=TEXT),
        "layer longer": replace("layers/pain", data=np.ones(n + 1, np.uint8)),
        "layer 2-D": replace("layers/pain", data=np.ones((n, 2), np.uint8)),
        "layer scalar": replace("layers/pain", data=np.uint8(3)),
        "layer of 2^40 entries": replace(
            "layers/pain", shape=(HUGE,), fill=(0, np.array([5], np.uint8)), **chunked
        ),
        "layer of 2^33 entries": replace(
            "layers/pain", shape=(2**33,), fill=(9, np.array([7], np.uint8)), **chunked
        ),
        "layer with a 1 GB chunk": replace(
            "layers/pain", shape=(2**30,), chunks=(2**30 - 1,), dtype="u1"
        ),
        "layer compound": replace("layers/pain", data=np.zeros(n, deep_compound(40))),
        "stroke path of 2^33 rows": replace(
            "strokes/path", shape=(BIG_ROWS, 3), chunks=(1024, 3), dtype="f4"
        ),
        "stroke offsets past the end": replace(
            "strokes/path_offsets", data=np.array([0, 2**62, 2**62], np.int64)
        ),
        "stroke offsets decreasing": replace(
            "strokes/path_offsets", data=np.array([0, 5, 1, 6], np.int64)
        ),
        "stroke offsets float": replace("strokes/path_offsets", data=np.array([0.0, 0.5, 6.0])),
        "stroke offsets 2^33": replace(
            "strokes/seeds_offsets", shape=(BIG_ROWS,), chunks=(4096,), dtype="i8"
        ),
        "stroke count huge": set_attr("count", HUGE, "/strokes"),
        "no stroke log": delete("strokes/log"),
        "thumbnail of 2^40 bytes": replace("thumbnail", shape=(HUGE,), **chunked),
        "thumbnail float": replace("thumbnail", data=np.ones(10)),
        **{
            f"deep JSON in {name}": replace(name, data=DEEP, dtype=TEXT)
            for name in ("tags", "pins", "notes", "rhythm", "events", "strokes/log")
        },
        "wide JSON in events": replace("events", data=WIDE, dtype=TEXT),
        "JSON of the wrong kind in pins": replace("pins", data="[1, 2, 3]", dtype=TEXT),
        "JSON of the wrong kind in tags": replace("tags", data='{"a": null}', dtype=TEXT),
        "JSON in rhythm holding numbers": replace("rhythm", data="[1e999, 2]", dtype=TEXT),
        "JSON with a 5000-digit int": replace("notes", data="9" * 5000, dtype=TEXT),
        "text not UTF-8": replace("notes", data=np.void(b"\xff\xfe\x00bad")),
        "text as numbers": replace("camera", data=np.arange(5)),
        "text fixed width huge": replace("notes", shape=(HUGE,), dtype="S8", chunks=(4096,)),
        "huge notes string": replace("notes", data='"' + "x" * 8_000_000 + '"', dtype=TEXT),
        "huge practitioner": set_attr("practitioner", "y" * 20_000_000),
        "n_vertices 2^40": set_attr("n_vertices", HUGE),
        "n_vertices negative": set_attr("n_vertices", -5),
        "n_vertices text": set_attr("n_vertices", "many"),
        "n_vertices float": set_attr("n_vertices", 144.5),
        "n_vertices array": set_attr("n_vertices", np.arange(1000)),
        "n_vertices bytes": set_attr("n_vertices", np.void(b"\x00" * 8)),
        "schema_version float": set_attr("schema_version", 1.0),
        "schema_version huge": set_attr("schema_version", 2**62),
        "format array": set_attr("format", np.array([b"bodymap-session"] * 3)),
        "session_id int": set_attr("session_id", 7),
        "client_id bytes": set_attr("client_id", np.void(b"\x00\x01")),
        "started garbage": set_attr("started", "yesterday"),
        "saved_at garbage": set_attr("saved_at", "\udcff" if False else "3000-99-99"),
        "finalised_at number": set_attr("finalised_at", 3.5),
        "draft text": set_attr("draft", "yes"),
        "draft compound": set_attr("draft", np.zeros((), deep_compound(60))),
        "practitioner compound": set_attr("practitioner", np.zeros(3, deep_compound(200))),
        "no n_vertices": delete("n_vertices", attribute=True),
        "no format": delete("format", attribute=True),
        "no layers group": delete("layers"),
        "no strokes group": delete("strokes"),
        "no tags": delete("tags"),
        "no thumbnail": delete("thumbnail"),
        "layers is a dataset": lambda h5: (
            delete("layers")(h5),
            h5.create_dataset("layers", data=1),
        ),
        "300 layers": many(300, lambda h5, i: h5.create_dataset(f"layers/x{i}", data=[i % 7])),
        "100 root attributes": many(100, lambda h5, i: h5.attrs.create(f"a{i}", i)),
        "1100 root objects": many(1100, lambda h5, i: h5.create_group(f"extra{i}")),
        "60 nested groups": nested_groups,
        "soft and external links": links,
        "extra unknown layer": replace("layers/unknown tag", data=np.ones(n, np.uint8)),
        "layer named ..": replace("layers/..x", data=np.ones(n, np.uint8)),
        **clip_edits(),
    }


def clip_edits() -> dict[str, Callable[[h5py.File], None]]:
    """Spoken notes (schema 3): each edit either refuses the file or its note's samples."""
    clip = "clips/k1"
    return {
        "clip float": replace(clip, data=np.ones(9)),
        "clip 2-D": replace(clip, data=np.ones((9, 2), np.int16)),
        "clip of 2^40 samples": replace(clip, shape=(HUGE,), chunks=(4096,), dtype="i2"),
        "clip with a 1 GB chunk": replace(clip, shape=(2**29,), chunks=(2**29 - 1,), dtype="i2"),
        "clip rate text": set_attr("rate", "fast", clip),
        "clip rate huge": set_attr("rate", HUGE, clip),
        "clip time garbage": set_attr("time", "soon", clip),
        "clip transcript huge": set_attr("transcript", "t" * 200_000, clip),
        "clip transcript array": set_attr("transcript", np.arange(50), clip),
        "clip owner compound": set_attr("event_id", np.zeros((), deep_compound(60)), clip),
        "clip named badly": replace("clips/no such/id", data=np.zeros(3, np.int16)),
        "300 clips": many(300, lambda h5, i: h5.create_dataset(f"clips/x{i}", data=[i])),
        "clips is a dataset": lambda h5: (delete("clips")(h5), h5.create_dataset("clips", data=1)),
    }


def mesh_edits(n: int) -> dict[str, Callable[[h5py.File], None]]:
    return {
        "mesh vertices int8": replace("vertices", data=np.ones((n, 3), np.int8)),
        "mesh vertices NaN": replace("vertices", data=np.full((n, 3), np.nan, np.float32)),
        "mesh vertices 2^33 rows": replace(
            "vertices", shape=(BIG_ROWS, 3), chunks=(1024, 3), dtype="f4"
        ),
        "mesh faces past the end": replace("faces", data=np.full((4, 3), 10**9, np.int32)),
        "mesh faces float": replace("faces", data=np.ones((4, 3))),
        "mesh n_vertices 2^40": set_attr("n_vertices", HUGE),
        "mesh deep regions": replace("regions", data=DEEP, dtype=TEXT),
        "mesh regions of the wrong kind": replace("regions", data='[{"nope": 1}]', dtype=TEXT),
        "mesh no internal": delete("internal"),
        "mesh region_index 2-D": replace("region_index", data=np.zeros((n, 2), np.int16)),
    }


def draft_edits(n: int) -> dict[str, Callable[[h5py.File], None]]:
    return {
        "draft layer of 2^40 entries": replace(
            "layers/pain", shape=(HUGE,), chunks=(32768,), dtype="u1"
        ),
        "draft deep JSON": replace("pins", data=DEEP, dtype=TEXT),
        "draft flag off": set_attr("draft", 0),
        "draft n_vertices 2^40": set_attr("n_vertices", HUGE),
    }


BYTE_MUTATIONS = {"byte flips": (byte_flips, 45), "truncation": (truncation, 12),
                  "zeroed range": (zeroed_range, 27)}  # fmt: skip
CLASSES = [
    *[f"{kind} {name}" for kind in ("session", "draft", "mesh") for name in BYTE_MUTATIONS],
    "session structure",
    "mesh structure",
    "draft structure",
]


def corpus(template: dict, kind_class: str) -> list[tuple[str, str, bytes]]:
    """(case name, target kind, mutated bytes) of one class, from fixed seeds."""
    kind, _, name = kind_class.partition(" ")
    original = template["files"][template["targets"][kind]]
    if name in BYTE_MUTATIONS:
        mutate, count = BYTE_MUTATIONS[name]
        count = count if kind == "session" else count // 3
        seed = sum(map(ord, kind_class))
        return [
            (f"{kind_class} {i}", kind, mutate(original, np.random.default_rng([seed, i])))
            for i in range(count)
        ]
    n = template["mesh"].n_vertices
    edits = {"session": session_edits, "mesh": mesh_edits, "draft": draft_edits}[kind](n)
    return [(case, kind, edited(original, template["scratch"], e)) for case, e in edits.items()]


# ----- running a case -------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def bounded_memory():
    """A ceiling on the address space, so that a file asking for terabytes cannot take the
    machine down: the allocation fails inside the test instead."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as stream:
        used = int(stream.read().split()[0]) * resource.getpagesize()
    ceiling = used + 6 * 2**30
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "audit.jsonl"
    }


class Case:
    """One mutant in a fresh store; ``failures`` collects every broken promise."""

    def __init__(self, template: dict, folder: Path, name: str, kind: str, data: bytes) -> None:
        self.template, self.name, self.failures = template, name, []
        self.root = folder / "store"
        for relative, content in template["files"].items():
            path = self.root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data if relative == template["targets"][kind] else content)
        self.before = snapshot(self.root)
        self.audit = (self.root / "audit.jsonl").read_bytes()

    def call(self, label: str, function: Callable[[], object]) -> object | None:
        """``function()``, or ``None`` after a StoreError; anything else is a failure."""
        try:
            with alarm(CASE_SECONDS):
                return function()
        except StoreError as error:
            text = str(error)
            if "\n" in text or not text or len(text) > 600:
                self.failures.append(f"{label}: StoreError not one short line: {text[:200]!r}")
        except Exception as error:  # noqa: BLE001 - any other exception is what is tested
            self.failures.append(f"{label}: {type(error).__name__}: {str(error)[:160]}")
        return None

    def cli(self, *argv: str) -> None:
        out, err = io.StringIO(), io.StringIO()

        def run() -> int:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                return cli_main([*argv, "--store", str(self.root)])

        code = self.call(f"bodymap {argv[0]}", run)
        text = err.getvalue().strip()
        if code not in (0, 1) or "unexpected error" in text or text.count("\n") > 0:
            self.failures.append(f"bodymap {argv[0]}: exit {code}, stderr {text[:200]!r}")

    def check_unchanged(self) -> None:
        if snapshot(self.root) != self.before:
            self.failures.append("a file in the store changed")
        if not (self.root / "audit.jsonl").read_bytes().startswith(self.audit):
            self.failures.append("the audit log was rewritten")


def every_read_path(case: Case, kind: str) -> None:
    """Every public read of the store and the CLI that touches the mutant's kind of file,
    then the good records."""
    t = case.template
    sessions, mesh, ada = t["sessions"], t["mesh"], t["clients"][0]
    target, good, draft = sessions["target"].id, sessions["good"].id, t["draft"].id
    store = case.call("Store()", lambda: Store(case.root))
    if store is None:
        return
    if kind == "session":
        tags = ["pain", "heat", "restriction"]
        case.call("sessions(mesh)", lambda: store.sessions(ada, mesh.geometry_hash))
        case.call("session_info", lambda: store.session_info(target))
        case.call("load", lambda: store.load(target, mesh=mesh.geometry_hash))
        case.call("play notes", lambda: [c.audio() for c in store.load(target).clips.values()])
        case.call("read_layer", lambda: store.read_layer(target, "pain"))
        case.call("read_layers", lambda: store.read_layers([good, target], "pain"))
        case.call("read_layer_sets", lambda: store.read_layer_sets([target], tags))
        case.call("read_layer_sets(all)", lambda: store.read_layer_sets([target]))
        case.call("rhythm_and_events", lambda: store.rhythm_and_events([target]))
        case.call("tag_names", lambda: store.tag_names(target))
        case.call("thumbnail", lambda: store.thumbnail(target))
        case.cli("stats", target)
    if kind in ("session", "draft"):
        case.call("drafts", store.drafts)
        case.call("load_draft", lambda: store.load_draft(draft))
        case.call("new_session", lambda: store.new_session(ada, mesh.geometry_hash, 144))
        case.cli("sessions")
    if kind == "mesh":
        case.call("get_mesh", lambda: store.get_mesh(mesh.geometry_hash))
        case.cli("stats", sessions["other"].id)
    case.cli("verify")  # Store.verify, through the command line
    check_good_records(case, store)
    case.check_unchanged()


def check_good_records(case: Case, store: Store) -> None:
    """The records the mutant did not touch still read, exactly as saved."""
    t = case.template
    for name in ("good", "other"):
        expected = t["sessions"][name]
        try:
            loaded = store.load(expected.id)
            layer = store.read_layer(expected.id, "pain")
        except Exception as error:  # noqa: BLE001
            case.failures.append(f"good session {name} unreadable: {type(error).__name__}: {error}")
            continue
        if not np.array_equal(loaded.overlays.values, expected.overlays.values):
            case.failures.append(f"good session {name} reads back different layers")
        if layer is not None and not np.array_equal(layer, expected.overlays.layer("pain")):
            case.failures.append(f"good session {name}: read_layer differs")
    found = [case.call("sessions", lambda c=c: store.sessions(c)) for c in t["clients"]]
    listed = {i.id: i.readable for infos in found for i in infos or []}
    for name in ("good", "other"):
        if not listed.get(t["sessions"][name].id):
            case.failures.append(f"good session {name} is not listed readable")


@pytest.mark.parametrize("kind_class", CLASSES)
def test_every_read_path_survives_damaged_files(template, tmp_path, kind_class) -> None:
    cases = corpus(template, kind_class)
    failures = []
    for index, (name, kind, data) in enumerate(cases):
        case = Case(template, tmp_path / f"case{index}", name, kind, data)
        every_read_path(case, kind)
        failures += [f"{name}: {f}" for f in case.failures]
    summary = f"{kind_class}: {len(cases)} cases, {len({f.split(':')[0] for f in failures})} failed"
    print(summary)
    assert not failures, summary + "\n" + "\n".join(failures[:40])
