"""What shell completion offers for a NOTE or an ID (click asks through vaultkit/cli.py).

Completion must never fail or print: a vault that cannot be read completes nothing.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from vaultkit.pipeline import Evaluation

MAX_ITEMS = 200


def _evaluate(folder: str | None, today: date | None = None) -> Evaluation | None:
    from vaultkit.pipeline import evaluate
    from vaultkit.vault.config import load_config

    path = Path(folder or os.environ.get("VAULTKIT_VAULT") or ".")
    try:
        if not path.is_dir():
            return None
        config = load_config(path)
        evaluation = evaluate(config, today or datetime.now(config.tz).date())
        evaluation.vault  # noqa: B018 (read now, inside the guard)
        return evaluation
    except Exception:  # a broken vault completes nothing, never a traceback in the shell
        return None


def note_names(folder: str | None, incomplete: str) -> list[tuple[str, str]]:
    """(name, what it is) for each company and contact whose name or alias starts with
    `incomplete` (case-insensitive); paths when `incomplete` has a `/`; else names containing
    it."""
    evaluation = _evaluate(folder)
    if evaluation is None:
        return []
    vault = evaluation.vault
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
    evaluation = _evaluate(folder, today)
    if evaluation is None:
        return []
    try:
        items = evaluation.followups
    except Exception:
        return []
    key = incomplete.lower()
    return [(f.id, f.title) for f in items if f.id.startswith(key)][:MAX_ITEMS]
