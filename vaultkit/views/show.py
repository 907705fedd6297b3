"""`vaultkit show NOTE`: one company or contact as a timeline. Pure: the model, the follow-ups
and the day in, a Timeline out (the CLI prints it, or its JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from vaultkit.rules.followup import FollowUp
from vaultkit.vault.fields import show_when
from vaultkit.vault.model import Interaction, Vault

_SKIP_FIELDS = {"stage", "contacts", "company", "interviews"}


@dataclass(frozen=True)
class Timeline:
    path: str
    name: str
    kind: str
    today: date
    fields: list[tuple[str, str]]
    """(field, value as text), in the order the note gives them; links shown as names."""
    interactions: list[Interaction]
    """Every touch, from every note that records one (oldest first; later ones are ahead)."""
    followups: list[FollowUp]
    mentioned_in: list[str] = field(default_factory=list)
    """Notes that link this one."""

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "name": self.name,
            "kind": self.kind,
            "today": self.today.isoformat(),
            "fields": dict(self.fields),
            "interactions": [
                {
                    "date": i.date.isoformat(),
                    "source": i.source,
                    "note": i.path,
                    "line": i.line,
                    "text": i.text,
                    "tags": sorted(i.tags),
                }
                for i in self.interactions
            ],
            "followups": [f.to_json() for f in self.followups],
            "mentioned_in": self.mentioned_in,
        }


def _text(vault: Vault, value: object) -> str:
    if isinstance(value, datetime | date):
        return show_when(value, vault.config.tz)
    if isinstance(value, tuple) and len(value) == 2:  # a cadence
        return f"{value[0]}{value[1]}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def timeline(vault: Vault, followups: list[FollowUp], path: str, today: date) -> Timeline:
    note = vault.notes[path]
    rows: list[tuple[str, str]] = []
    if note.stage:
        rows.append(("stage", note.stage))
    if note.company and note.company in vault.notes:
        rows.append(("company", vault.notes[note.company].name))
    if note.contacts:
        rows.append(("contacts", ", ".join(vault.notes[p].name for p in note.contacts)))
    for name, value in note.fields.items():
        if name not in _SKIP_FIELDS:
            rows.append((name, _text(vault, value)))
    tz = vault.config.tz
    for interview in note.interviews:
        people = ", ".join(vault.notes[p].name for p in interview.with_)
        rows.append(
            (
                "interview",
                " ".join(
                    x
                    for x in (
                        show_when(interview.when, tz),
                        interview.kind,
                        f"with {people}" if people else "",
                    )
                    if x
                ),
            )
        )
    if note.tags:
        rows.append(("tags", " ".join(f"#{t}" for t in note.tags)))
    items = [f for f in followups if path in (f.record, f.note)]
    mentions = sorted(p for p, n in vault.notes.items() if path in n.links and p != path)
    return Timeline(
        path, note.name, note.kind, today, rows, list(note.interactions), items, mentions
    )
