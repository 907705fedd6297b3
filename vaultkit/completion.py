"""What shell completion offers for a NOTE or an ID (click asks through vaultkit/cli.py).

Completion must never fail or print: a vault that cannot be read completes nothing.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from vaultkit.model import Vault

MAX_ITEMS = 200


def _vault(folder: str | None) -> Vault | None:
    from vaultkit.config import load_config
    from vaultkit.load import load_vault

    path = Path(folder or os.environ.get("VAULTKIT_VAULT") or ".")
    try:
        if not path.is_dir():
            return None
        return load_vault(load_config(path), use_cache=True)
    except Exception:  # a broken vault completes nothing, never a traceback in the shell
        return None


def note_names(folder: str | None, incomplete: str) -> list[tuple[str, str]]:
    """(name, what it is) for each company and contact whose name or alias starts with
    `incomplete` (case-insensitive); paths when `incomplete` has a `/`; else names containing
    it."""
    vault = _vault(folder)
    if vault is None:
        return []
    key = incomplete.lower()
    if "/" in key:
        return [
            (p[:-3], vault.notes[p].kind) for p in sorted(vault.notes) if p.lower().startswith(key)
        ][:MAX_ITEMS]
    names: dict[str, str] = {}
    for note in sorted(vault.notes.values(), key=lambda n: n.name.lower()):
        if note.is_record:
            for name in (note.name, *note.aliases):
                names.setdefault(name, f"{note.kind}: {note.path}")
    found = [(n, h) for n, h in names.items() if n.lower().startswith(key)]
    if not found:
        found = [(n, h) for n, h in names.items() if key in n.lower()]
    return found[:MAX_ITEMS]


def followup_ids(folder: str | None, today: date | None, incomplete: str) -> list[tuple[str, str]]:
    """(id, title) of each open follow-up whose id starts with `incomplete`."""
    from vaultkit.rules import derive_followups

    vault = _vault(folder)
    if vault is None:
        return []
    day = today or datetime.now(vault.config.tz).date()
    try:
        items = derive_followups(vault, day)
    except Exception:
        return []
    key = incomplete.lower()
    return [(f.id, f.title) for f in items if f.id.startswith(key)][:MAX_ITEMS]
