"""What the ``sessions``, ``stats``, ``compare`` and ``trends`` commands print.

The records come from the store and the figures from :mod:`bodymap.analysis`; here they
become JSON-ready dicts (``--json``) and plain text for people. Both say who recorded each
visit and flag a change of practitioner: rhythm palpation agrees poorly between examiners.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bodymap.analysis.comparison import Comparison
from bodymap.analysis.lookup import pick_client
from bodymap.analysis.trends import Trends
from bodymap.core.compare import Difference
from bodymap.core.session import Session
from bodymap.store.errors import StoreError
from bodymap.store.store import Store


# ----- sessions and stats ---------------------------------------------------------------
def sessions_listing(store: Store, client_text: str | None = None) -> dict:
    """Clients and their sessions (unreadable sessions included, with the reason)."""
    if client_text:
        clients = [pick_client(store, client_text)]
        orphans: list[str] = []
    else:
        clients = store.clients()
        known = {c.id for c in clients}
        orphans = [cid for cid in store.layout.client_ids_with_sessions() if cid not in known]
    rows = [(c.id, c.name) for c in clients] + [(cid, None) for cid in orphans]
    return {
        "store": str(store.root),
        "warnings": store.warnings(),
        "clients": [
            {"id": cid, "name": name, "sessions": [i.to_dict() for i in store.sessions(cid)]}
            for cid, name in rows
        ],
    }


def format_sessions(listing: dict) -> str:
    lines = [f"Store: {listing['store']}"] + [f"warning: {w}" for w in listing["warnings"]]
    for client in listing["clients"]:
        name = client["name"] or "(no readable client file)"
        lines.append(f"{name} ({client['id']}): {len(client['sessions'])} session(s)")
        for s in client["sessions"]:
            if not s["readable"]:
                lines.append(f"  UNREADABLE {Path(s['path']).name}: {s['reason']}")
                continue
            state = "finalised" if s["finalised"] else "open"
            lines.append(
                f"  {s['started'][:16].replace('T', ' ')}  {s['id']}  {s['practitioner'] or '-'}"
                f"  {state}  {s['n_layers']} layer(s)"
            )
    return "\n".join(lines)


def format_stats(stats: dict) -> str:
    lines = [f"Session {stats['session']} ({stats['started'][:10]})"]
    if not stats["tags"]:
        lines.append("nothing painted")
    for tag in stats["tags"]:
        total = tag["total"]
        lines.append(
            f"{tag['name']}: {total['area_cm2']:.1f} cm² ({total['percent_body']:.2f}% of the "
            f"body), mean {total['mean_intensity']:.1f}, peak {total['peak_intensity']:.1f}"
        )
        for region in tag["regions"]:
            lines.append(
                f"  {region['region_name']:36} {region['area_cm2']:8.1f} cm² "
                f"{region['percent_body']:6.2f}%  mean {region['mean_intensity']:4.1f}  "
                f"peak {region['peak_intensity']:4.1f}"
            )
    return "\n".join(lines)


# ----- compare --------------------------------------------------------------------------
def _brief(session: Session) -> dict:
    return {
        "id": session.id,
        "client_id": session.client_id,
        "started": session.started.isoformat(),
        "practitioner": session.practitioner,
        "finalised": session.finalised,
        "mesh_sha256": session.mesh_hash,
    }


def comparison_dict(comparison: Comparison) -> dict:
    """``bodymap compare --json``: both visits, and per tag (and all tags) what changed."""
    result = {
        "before": _brief(comparison.before),
        "after": _brief(comparison.after),
        "interval_days": round(comparison.interval_days, 2),
        "practitioner_changed": comparison.practitioner_changed,
        "mesh_sha256": comparison.mesh.geometry_hash,
        "mesh_transferred": comparison.transferred,
        "skin_area_cm2": comparison.skin_area_cm2,
        "tags": [],
    }
    for change in comparison.tags:
        entry = _difference_entry(change.difference, change.name)
        entry["symmetry"] = [
            {"name": then.name, "left_key": then.left_key, "right_key": then.right_key}
            | {"before": _sides(then), "after": _sides(now)}
            for then, now in comparison.symmetry(change)
        ]
        result["tags"].append(entry)
    if comparison.combined is not None:
        result["all_tags"] = _difference_entry(comparison.combined, "All tags")
    return result


def _difference_entry(diff: Difference, name: str) -> dict:
    return {"name": name, **diff.to_dict()}


def _sides(row) -> dict:
    return {"left_cm2": row.left_cm2, "right_cm2": row.right_cm2, "index": row.index}


def format_compare(result: dict) -> str:
    """A plain report of :func:`comparison_dict`, for people."""
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


# ----- trends ---------------------------------------------------------------------------
def parse_day(text: str | None, what: str) -> date | None:
    """``YYYY-MM-DD`` (or a full ISO time, whose date is taken) as a date."""
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise StoreError(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def trends_dict(result: Trends) -> dict:
    """``bodymap trends --json``: per visit and tag the extent, intensity and regions."""
    sessions = []
    for s in result.sessions:
        info = s.info
        sessions.append(
            {
                "id": info.id,
                "started": info.started.isoformat(),
                "practitioner": info.practitioner,
                "finalised": info.finalised,
                "mesh_sha256": info.mesh_hash,
                "tags": {
                    key: {
                        "area_cm2": p.area_cm2,
                        "percent_body": p.percent_body,
                        "mean_intensity": p.mean_intensity,
                        "regions": {k: r.__dict__.copy() for k, r in p.regions.items()},
                    }
                    for key, p in s.tags.items()
                },
                "rhythm": [r.to_dict() for r in s.rhythm],
                "events": s.events,
            }
        )
    return {
        "client": {"id": result.client.id, "name": result.client.name},
        "from": result.date_from.isoformat() if result.date_from else None,
        "to": result.date_to.isoformat() if result.date_to else None,
        "tag": result.tag,
        "tags": [{"key": k, "name": n} for k, n in result.tags],
        "regions": {
            key: [{"key": k, "name": n} for k, n in regions]
            for key, regions in result.regions.items()
        },
        "sessions": sessions,
        "practitioner_changes": result.practitioner_changes,
        "skipped": [{"id": i, "reason": reason} for i, reason in result.skipped],
    }


def format_trends(result: dict) -> str:
    """A plain table of :func:`trends_dict`, for people: one line per visit and tag."""
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
