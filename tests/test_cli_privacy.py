"""The privacy commands end to end: protect, use with a passphrase file, back up, restore,
change the passphrase, unprotect, erase; and arguments no command can take."""

from __future__ import annotations

import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "store"))
from store_helpers import NOTE_MARKER, full_session  # noqa: E402

from bodymap.cli import main  # noqa: E402
from bodymap.core.mesh import BodyMesh  # noqa: E402
from bodymap.store import (
    Store,  # noqa: E402
    crypto,  # noqa: E402
)

PASSPHRASE = "a long enough passphrase"


@pytest.fixture
def cheap_kdf(monkeypatch):
    monkeypatch.setattr(crypto, "tuned_cost", lambda *a, **k: 2**10)


def run(capsys, *argv) -> tuple[int, str, str]:
    """One command, as if in its own process (``--passphrase-file`` lasts for one process)."""
    import os

    status = main([str(a) for a in argv])
    os.environ.pop("BODYMAP_PASSPHRASE_FILE", None)
    out, err = capsys.readouterr()
    return status, out, err


def test_protect_then_every_command_needs_the_passphrase(tmp_path, capsys, cheap_kdf):
    root = tmp_path / "store"
    store = Store(root)
    client = store.create_client("Wilhelmina Passphrase")
    mesh = BodyMesh(
        np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32),
        np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]], np.int32),
        name="tetra",
    )
    store.put_mesh(mesh)
    session = full_session(client.id, n_vertices=4)
    session.mesh_hash = mesh.geometry_hash
    store.save(session)
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n")
    status, out, _ = run(capsys, "protect", "--store", root, "--passphrase-file", secret)
    assert status == 0 and "Recovery key" in out
    recovery = out.split("Recovery key")[1].split("\n")[1].strip()
    status, _, err = run(capsys, "verify", "--store", root)
    assert status == 1 and "protected" in err and "\n" not in err.strip()
    status, out, _ = run(capsys, "verify", "--store", root, "--passphrase-file", secret)
    assert status == 0 and out.strip().endswith("OK")
    status, out, _ = run(capsys, "--passphrase-file", secret, "sessions", "--store", root)
    assert status == 0 and "Wilhelmina" in out
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    status, _, err = run(capsys, "sessions", "--store", root, "--passphrase-file", wrong)
    assert status == 1 and "does not unlock" in err

    archive = tmp_path / "backup.zip"
    status, out, _ = run(capsys, "backup", archive, "--store", root, "--passphrase-file", secret)
    assert status == 0 and "checked, encrypted" in out
    plain = tmp_path / "plain.h5"
    status, _, _ = run(capsys, "export", session.id, "--hdf5", plain, "--store", root,
                       "--passphrase-file", secret)  # fmt: skip
    assert status == 0 and h5py.is_hdf5(plain)  # decrypted: HDF5 (after its index)
    assert NOTE_MARKER.encode() in plain.read_bytes()  # exported on purpose, in the clear
    assert NOTE_MARKER.encode() not in archive.read_bytes()
    restored = tmp_path / "restored"
    status, out, _ = run(
        capsys, "restore", archive, "--store", restored, "--passphrase-file", secret
    )
    assert status == 0 and "verify: OK" in out

    new = tmp_path / "new.txt"
    new.write_text("another long passphrase\n")
    status, _, _ = run(capsys, "passphrase", "--store", root, "--passphrase-file", secret,
                       "--new-passphrase-file", new)  # fmt: skip
    assert status == 0
    key_file = tmp_path / "recovery.txt"
    key_file.write_text(recovery + "\n")
    status, _, _ = run(capsys, "unprotect", "--store", root, "--recovery-key-file", key_file)
    assert status == 0
    assert Store(root).load(session.id).same_record(session)


def test_erase_asks_for_confirmation_and_warns_about_signed_records(tmp_path, capsys):
    root = tmp_path / "store"
    store = Store(root)
    client = store.create_client("Erase Me")
    store.finalise(full_session(client.id))
    status, _, err = run(capsys, "erase", "Erase Me", "--store", root)
    assert status == 1 and "--yes" in err and Store(root).clients()
    status, out, err = run(capsys, "erase", "Erase Me", "--store", root, "--yes")
    assert status == 0 and "record-" in err and "Erased" in out
    assert Store(root).clients() == [] and Store(root).verify().ok


def test_an_argument_longer_than_any_name_gets_one_clear_line(capsys):
    status, _, err = run(capsys, "stats", "s" * 10_000)
    assert status == 2 and err.count("\n") == 1 and "10,000 characters" in err
