"""A follow-up: one dated thing to do, derived from the notes by a rule."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from vaultkit.vault.fields import When, local_date

PRIORITY_ORDER = {"high": 0, "medium": 1, "normal": 2, "low": 3}
"""As Obsidian Tasks sorts them: a task marked 🔼 (medium) comes before one with no mark."""


def stable_id(rule: str, note: str, key: str) -> str:
    """Same rule, note and key -> same id, on any machine and in any folder. `note` is the
    note's identity (vaultkit/vault/identity.py: its path relative to the vault, or the path it had
    before a rename or move); the key says which of its follow-ups of that rule it is. A path
    that is not UTF-8 (a Latin-1 file name) hashes its raw bytes."""
    text = f"{rule}\0{note}\0{key}"
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    return digest[:10]


@dataclass(frozen=True, slots=True)
class FollowUp:
    id: str
    rule: str
    due: When
    """A date, or an aware datetime when the trigger had a time."""
    title: str
    reason: str
    note: str
    """The source note's path relative to the vault, with `/`."""
    line: int
    priority: str = "normal"
    record: str | None = None
    """The company or contact it concerns (a note path), if any."""
    tags: tuple[str, ...] = ()

    def due_date(self, tz: tzinfo) -> date:
        return local_date(self.due, tz)

    def sort_key(self, tz: tzinfo) -> tuple[object, ...]:
        moment = (
            self.due.astimezone(tz).time().isoformat() if isinstance(self.due, datetime) else ""
        )
        return (
            self.due_date(tz),
            moment,
            PRIORITY_ORDER.get(self.priority, 1),
            self.title,
            self.id,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "rule": self.rule,
            "due": self.due.isoformat(),
            "title": self.title,
            "reason": self.reason,
            "note": self.note,
            "line": self.line,
            "priority": self.priority,
            "record": self.record,
            "tags": list(self.tags),
        }
