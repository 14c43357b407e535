"""What ``bodymap compare`` and ``bodymap trends`` print: JSON-ready dicts and plain text.

``compare`` sets two visits side by side: per tag (and all tags together), what is new,
resolved and persisting per region and band, with areas, mean intensities and the Jaccard
overlap, plus left/right symmetry. ``trends`` follows one client's visits: per session and
tag the extent and mean intensity, overall and per region, the rhythm readings and the
event counts. Both say who recorded each visit and flag a change of practitioner: rhythm
palpation agrees poorly between examiners.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from bodymap.core.atlas import Atlas
from bodymap.core.compare import (
    Difference,
    combined_layer,
    difference,
    practitioner_changes,
    region_series,
    skin_areas_cm2,
    symmetry,
    transfer_layer,
)
from bodymap.core.mesh import BodyMesh
from bodymap.core.overlays import Overlays
from bodymap.core.session import Session
from bodymap.store.errors import NotFoundError, SessionReadError, StoreError
from bodymap.store.info import SessionInfo
from bodymap.store.report import pick_client
from bodymap.store.store import Store

ALL_TAGS = ""


def mesh_by_hash(mesh_hash: str, store: Store | None) -> tuple[BodyMesh, Atlas]:
    """The mesh and atlas with this geometry hash: the store's copy, else the default body."""
    if store is not None and store.has_mesh(mesh_hash):
        return store.get_mesh(mesh_hash)
    from bodymap.io.default_body import load_default_body

    mesh, atlas = load_default_body()
    if mesh.geometry_hash != mesh_hash:
        raise StoreError(
            f"the body mesh {mesh_hash[:12]}... is neither in the store nor the default body"
        )
    return mesh, atlas


# ----- compare -----------------------------------------------------------------------
def _brief(session: Session) -> dict:
    return {
        "id": session.id,
        "client_id": session.client_id,
        "started": session.started.isoformat(),
        "practitioner": session.practitioner,
        "finalised": session.finalised,
        "mesh_sha256": session.mesh_hash,
    }


def _layer(overlays: Overlays, tag: str) -> np.ndarray | None:
    if tag == ALL_TAGS:
        return combined_layer(overlays)
    return overlays.layer(tag) if tag in overlays.keys else None


def _tag_names(*sessions: Session) -> dict[str, str]:
    names: dict[str, str] = {}
    for session in sessions:  # the later visit's name wins
        names.update({t.key: t.name for t in session.tags})
    return names


def compare_sessions(
    before: Session, after: Session, store: Store | None, tag: str | None = None
) -> dict:
    """Everything ``bodymap compare`` reports about two visits (``before`` first)."""
    if before.client_id != after.client_id:
        raise StoreError("the two sessions belong to different clients")
    mesh, atlas = mesh_by_hash(before.mesh_hash, store)
    transferred = after.mesh_hash != before.mesh_hash
    after_overlays = after.overlays
    if transferred:  # show the later visit on the earlier one's body
        after_mesh, _ = mesh_by_hash(after.mesh_hash, store)
        after_overlays = Overlays(mesh.n_vertices)
        for key in after.overlays.painted_keys():
            layer = transfer_layer(after.overlays.layer(key), after_mesh, mesh)
            after_overlays.set_layer(key, layer)
    names = _tag_names(before, after)
    painted = list(dict.fromkeys(before.overlays.painted_keys() + after_overlays.painted_keys()))
    if tag:
        if tag not in names and tag not in painted:
            raise NotFoundError(f"neither session has a tag {tag!r}")
        keys = [tag]
    else:
        keys = [k for k in names if k in painted] + [k for k in painted if k not in names]
    result = {
        "before": _brief(before),
        "after": _brief(after),
        "interval_days": round((after.started - before.started).total_seconds() / 86400, 2),
        "practitioner_changed": bool(
            practitioner_changes([before.practitioner, after.practitioner])
        ),
        "mesh_sha256": mesh.geometry_hash,
        "mesh_transferred": transferred,
        "skin_area_cm2": float(skin_areas_cm2(mesh).sum()),
        "tags": [],
    }
    for key in keys:
        layers = _layer(before.overlays, key), _layer(after_overlays, key)
        entry = _difference_entry(difference(*layers, mesh, atlas, key), names.get(key, key))
        entry["symmetry"] = _symmetry_rows(layers, mesh, atlas)
        result["tags"].append(entry)
    if not tag:
        layers = _layer(before.overlays, ALL_TAGS), _layer(after_overlays, ALL_TAGS)
        result["all_tags"] = _difference_entry(
            difference(*layers, mesh, atlas, ALL_TAGS), "All tags"
        )
    return result


def _difference_entry(diff: Difference, name: str) -> dict:
    return {"name": name, **diff.to_dict()}


def _symmetry_rows(layers, mesh: BodyMesh, atlas: Atlas) -> list[dict]:
    """Left/right pairs painted in either visit, the two visits side by side."""
    before, after = (symmetry(layer, mesh, atlas) for layer in layers)
    rows = []
    for then, now in zip(before, after, strict=True):
        if then.index is None and now.index is None:
            continue
        side = {"name": then.name, "left_key": then.left_key, "right_key": then.right_key}
        rows.append(side | {"before": _sides(then), "after": _sides(now)})
    return rows


def _sides(row) -> dict:
    return {"left_cm2": row.left_cm2, "right_cm2": row.right_cm2, "index": row.index}


def format_compare(result: dict) -> str:
    """A plain report of :func:`compare_sessions`, for people."""
    a, b = result["before"], result["after"]
    lines = [
        f"Before: {a['started'][:10]}  {a['id']}  {a['practitioner'] or '-'}",
        f"After:  {b['started'][:10]}  {b['id']}  {b['practitioner'] or '-'}"
        f"  ({result['interval_days']:g} days later)",
    ]
    if result["practitioner_changed"]:
        lines.append("Note: recorded by different practitioners (palpation varies between them)")
    if result["mesh_transferred"]:
        lines.append("Note: the later visit was carried onto the earlier body mesh (approximate)")
    entries = result["tags"] + ([result["all_tags"]] if "all_tags" in result else [])
    if not entries:
        lines.append("nothing painted in either visit")
    for entry in entries:
        lines.append(_change_line(entry["name"], entry["total"]))
        lines += ["  " + _change_line(r["name"], r, True) for r in entry["regions"]]
    return "\n".join(lines)


def _change_line(name: str, c: dict, region: bool = False) -> str:
    jaccard = "-" if c["jaccard"] is None else f"{c['jaccard']:.2f}"
    width = 34 if region else 0
    return (
        f"{name:{width}} {c['area_before_cm2']:7.1f} -> {c['area_after_cm2']:7.1f} cm² "
        f"({c['change_cm2']:+.1f}): new {c['new_cm2']:.1f}, resolved {c['resolved_cm2']:.1f}, "
        f"persisting {c['persisting_cm2']:.1f}; mean {c['mean_before']:.1f} -> "
        f"{c['mean_after']:.1f}; Jaccard {jaccard}"
    )


# ----- trends ------------------------------------------------------------------------
def parse_day(text: str | None, what: str) -> date | None:
    """``YYYY-MM-DD`` (or a full ISO time, whose date is taken) as a date."""
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise StoreError(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def trend_sessions(
    store: Store, client_text: str, date_from: date | None = None, date_to: date | None = None
) -> tuple[dict, list[SessionInfo], list[dict]]:
    """The client (id, name), its readable sessions in the dates, and the skipped ones."""
    client = pick_client(store, client_text)
    chosen, skipped = [], []
    for info in store.sessions(client.id):
        if not info.readable:
            skipped.append({"id": info.id, "reason": info.reason})
            continue
        day = info.started.date()
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        chosen.append(info)
    return {"id": client.id, "name": client.name}, chosen, skipped


def trends(
    store: Store,
    client_text: str,
    tag: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict:
    """Everything ``bodymap trends`` reports about one client's visits, oldest first."""
    client, infos, skipped = trend_sessions(store, client_text, date_from, date_to)
    infos, layer_sets, readings = _read_parts(store, infos, [tag] if tag else None, skipped)
    ids = [info.id for info in infos]
    names = store.tag_names(ids[-1]) if ids else {}
    painted = list(dict.fromkeys(k for layers, _ in layer_sets for k in layers))
    keys = [tag] if tag else [k for k in names if k in painted]
    keys += [k for k in painted if k not in keys and not tag]
    per_tag = {key: _tag_trend(key, layer_sets, store) for key in keys}
    sessions = []
    for i, info in enumerate(infos):
        rhythm, events = readings[i]
        sessions.append(
            {
                "id": info.id,
                "started": info.started.isoformat(),
                "practitioner": info.practitioner,
                "finalised": info.finalised,
                "mesh_sha256": info.mesh_hash,
                "tags": {key: per_tag[key]["sessions"][i] for key in keys},
                "rhythm": [r.to_dict() for r in rhythm],
                "events": events,
            }
        )
    return {
        "client": client,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "tag": tag,
        "tags": [{"key": k, "name": names.get(k, k)} for k in keys],
        "regions": {key: per_tag[key]["regions"] for key in keys},
        "sessions": sessions,
        "practitioner_changes": practitioner_changes([i.practitioner for i in infos]),
        "skipped": skipped,
    }


def _read_parts(store: Store, infos: list[SessionInfo], tags, skipped: list[dict]):
    """The sessions' layers and readings; a session that fails to read moves to ``skipped``."""
    ids = [info.id for info in infos]
    try:
        return infos, store.read_layer_sets(ids, tags), store.rhythm_and_events(ids)
    except SessionReadError:
        pass
    kept, layer_sets, readings = [], [], []
    for info in infos:
        try:
            [layers] = store.read_layer_sets([info.id], tags)
            [reading] = store.rhythm_and_events([info.id])
        except SessionReadError as error:
            skipped.append({"id": info.id, "reason": error.reason})
            continue
        kept.append(info)
        layer_sets.append(layers)
        readings.append(reading)
    return kept, layer_sets, readings


def _tag_trend(key: str, layer_sets: list, store: Store) -> dict:
    """Per session the tag's totals and per-region figures; the regions ever painted.

    Sessions are grouped by mesh: each group's figures use its own mesh and atlas, and
    regions are matched across meshes by their keys.
    """
    rows: list[dict] = [{} for _ in layer_sets]
    ever: dict[str, str] = {}
    for mesh_hash in dict.fromkeys(h for _, h in layer_sets):
        mesh, atlas = mesh_by_hash(mesh_hash, store)
        members = [i for i, (_, h) in enumerate(layer_sets) if h == mesh_hash]
        series = region_series([layer_sets[i][0].get(key) for i in members], mesh, atlas)
        skin = float(skin_areas_cm2(mesh).sum())
        for row, i in enumerate(members):
            regions = {}
            for r in np.flatnonzero(series.region_area_cm2[row] > 0):
                region = atlas.regions[r]
                ever.setdefault(region.key, region.name)
                regions[region.key] = {
                    "area_cm2": float(series.region_area_cm2[row, r]),
                    "mean_intensity": float(series.region_mean[row, r]),
                }
            area = float(series.area_cm2[row])
            rows[i] = {
                "area_cm2": area,
                "percent_body": 100.0 * area / skin if skin > 0 else 0.0,
                "mean_intensity": float(series.mean_intensity[row]),
                "regions": regions,
            }
    for row in rows:  # every region ever painted, 0 where not painted this time
        row["regions"] = {
            k: row["regions"].get(k, {"area_cm2": 0.0, "mean_intensity": 0.0}) for k in ever
        }
    return {"sessions": rows, "regions": [{"key": k, "name": n} for k, n in ever.items()]}


def format_trends(result: dict) -> str:
    """A plain table of :func:`trends`, for people: one line per visit and tag."""
    client = result["client"]
    lines = [f"{client['name']} ({client['id']}): {len(result['sessions'])} session(s)"]
    changes = set(result["practitioner_changes"])
    for i, s in enumerate(result["sessions"]):
        mark = "  * practitioner changed" if i in changes else ""
        state = "finalised" if s["finalised"] else "open"
        lines.append(f"{s['started'][:10]}  {s['id']}  {s['practitioner'] or '-'}  {state}{mark}")
        for tag in result["tags"]:
            t = s["tags"][tag["key"]]
            lines.append(
                f"  {tag['name']:24} {t['area_cm2']:8.1f} cm²  mean {t['mean_intensity']:4.1f}"
            )
        rates = [r["rate"] for r in s["rhythm"] if r["rate"] is not None]
        if rates:
            lines.append(f"  rhythm {min(rates):g}-{max(rates):g} cycles/min")
        if s["events"]:
            lines.append("  events " + ", ".join(f"{k} {n}" for k, n in s["events"].items()))
    lines += [f"skipped {s['id']}: {s['reason']}" for s in result["skipped"]]
    return "\n".join(lines)
