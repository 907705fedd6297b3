"""`vault.json`: the model and the follow-ups for other tools (schema: docs/vault-json.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from vaultkit.render.site import SiteData, piece
from vaultkit.render.templating import encoded
from vaultkit.vault.model import Note

SCHEMA_VERSION = 1


def plain_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int):
        return f"{value[0]}{value[1]}"  # a cadence such as `3w`
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    return value


def _record(data: SiteData, note: Note) -> dict[str, Any]:
    last = note.last_interaction(data.today)
    nxt = data.next_followup(note.path)
    out: dict[str, Any] = {
        "path": note.path,
        "name": note.name,
        "aliases": note.aliases,
        "tags": note.tags,
        "page": data.pages.get(note.path),
        "fields": {k: plain_value(v) for k, v in note.fields.items()},
        "last_contact": last.date.isoformat() if last else None,
        "next_follow_up": nxt.id if nxt else None,
        "interactions": [
            {
                "date": i.date.isoformat(),
                "source": i.source,
                "note": i.path,
                "line": i.line,
                "text": i.text,
                "tags": sorted(i.tags),
            }
            for i in note.interactions
        ],
    }
    if note.kind == "company":
        out["stage"] = note.stage
        out["active"] = data.vault.is_active(note)
        out["contacts"] = note.contacts
        out["interviews"] = [
            {"when": plain_value(i.when), "with": i.with_, "kind": i.kind} for i in note.interviews
        ]
    else:
        out["company"] = note.company
    return out


def _dumps(value: Any) -> str:
    # Compact: the C encoder; with indent, json falls back to pure Python (10x slower).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _array(texts: Iterable[str]) -> Iterator[str]:
    """A JSON array of texts already dumped, as the parts to join."""
    yield "["
    for n, text in enumerate(texts):
        yield "," + text if n else text
    yield "]"


def _records(data: SiteData, notes: list[Note]) -> Iterator[str]:
    """The records, each dumped once and kept while it stays the same."""
    return _array(
        piece(
            data,
            "json-record",
            n.path,
            (data.next_followup(n.path), data.pages.get(n.path)),
            lambda n=n: _dumps(_record(data, n)),  # type: ignore[misc]
        )
        for n in notes
    )


def render(data: SiteData) -> dict[str, bytes]:
    return {"vault.json": b"".join(chunks(data))}


def chunks(data: SiteData) -> Iterator[bytes]:
    """vault.json as it is made: the document `json.dumps` would write for it, joined from
    pieces (a record, a follow-up) the live engine keeps between builds, the same bytes. Each
    part is encoded as it is made and written as it comes: the document (30 MB at 10,000
    notes) is never held whole, as text or as bytes."""
    return encoded(_texts(data))


def _texts(data: SiteData) -> Iterator[str]:
    config = data.vault.config
    parts: dict[str, Iterable[str]] = {
        "schema_version": [_dumps(SCHEMA_VERSION)],
        "generator": [_dumps("vaultkit")],
        "today": [_dumps(data.today.isoformat())],
        "timezone": [_dumps(config.timezone_name)],
        "stages": [_dumps([{"name": s, "active": a} for s, a in config.stages.items()])],
        "companies": _records(data, data.companies()),
        "contacts": _records(data, data.contacts()),
        "notes": [
            _dumps(
                [
                    {"path": n.path, "kind": n.kind, "name": n.name, "page": data.pages[n.path]}
                    for n in sorted(data.vault.notes.values(), key=lambda n: n.path)
                    if not n.is_record
                ]
            )
        ],
        "followups": _array(
            piece(data, "json-followup", f.id, f, lambda f=f: _dumps(f.to_json()))  # type: ignore[misc]
            for f in data.followups
        ),
        "problems": [_dumps([p.to_json() for p in data.problems])],
    }
    for n, (key, texts) in enumerate(parts.items()):
        yield f"{',' if n else '{'}{_dumps(key)}:"
        yield from texts
    yield "}\n"
