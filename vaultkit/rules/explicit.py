"""The follow-ups a note states outright: a `follow_up:` field and open tasks with a date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from vaultkit.errors import FieldError
from vaultkit.rules.context import RuleContext
from vaultkit.rules.followup import FollowUp, stable_id
from vaultkit.vault.fields import local_date, parse_date, show_when
from vaultkit.vault.identity import note_identity, task_identity
from vaultkit.vault.links import plain
from vaultkit.vault.model import Note, Vault

EARLY_DONE = timedelta(days=7)
"""A #follow-up touch this long before the date already settles it (done a little early)."""


def task_title(text: str) -> str:
    """A task's follow-up title: its text, links shown as their words."""
    return plain(text) or "(untitled task)"


def follow_up(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    for note in vault.notes.values():
        when = note.get("follow_up")
        if when is None:
            continue
        day = local_date(when, ctx.tz)
        if day < ctx.today and note.kind == "company" and not vault.is_active(note):
            continue  # closed: the application is over, a date gone by is no longer owed
        if any(
            "follow-up" in t.tags and day - EARLY_DONE <= t.date <= ctx.today
            for t in note.interactions
        ):
            continue  # done: `vaultkit done` (or the user) logged the follow-up
        about = (
            f" about the {note.get('role')} role"
            if note.kind == "company" and note.get("role")
            else ""
        )
        yield FollowUp(
            # One per note: a new `follow_up:` date moves the same follow-up.
            id=stable_id("follow-up", note_identity(vault, note.path), ""),
            rule="follow-up",
            due=when,
            title=f"Follow up with {note.name}",
            reason=f"You set `follow_up: {show_when(when, ctx.tz)}` in {_where(note)}{about}; "
            "it stays until you change that date or log it with #follow-up.",
            note=note.path,
            line=note.line_of("follow_up"),
            priority="high" if note.get("priority") == "high" else "normal",
            record=note.path,
            tags=tuple(note.tags),
        )


def task(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    for note in vault.notes.values():
        seen: dict[str, int] = {}
        for item in note.tasks:
            if item.status != "open":
                continue
            # Same text twice in one note: the ordinal tells them apart, and keeps ids stable
            # when lines above move (vaultkit/vault/identity.py: a task's own id, else its words).
            ordinal = seen[item.text] = seen.get(item.text, -1) + 1
            dates = []
            for value in (item.due, item.scheduled):
                if value:
                    try:
                        dates.append(parse_date(value))
                    except FieldError:
                        pass  # reported by `check` (model)
            if not dates:
                continue
            due = min(dates)
            kind = "due" if item.due and due == dates[0] else "scheduled"
            yield FollowUp(
                id=stable_id(
                    "task",
                    note_identity(vault, note.path),
                    task_identity(vault, note.path, item, ordinal),
                ),
                rule="task",
                due=due,
                title=task_title(item.text),
                reason=f"Open task in {_where(note)}, {kind} {due.isoformat()}.",
                note=note.path,
                line=item.line,
                priority=item.priority,
                record=_task_record(vault, note, item.links),
                tags=tuple(item.tags),
            )


def _where(note: Note) -> str:
    return f"[[{note.name}]]" if note.is_record else note.path


def _task_record(vault: Vault, note: Note, links: list[str]) -> str | None:
    """Whom a task concerns: the first record it links, else its note's record, if any."""
    for target in links:
        path, _ = vault.index.resolve(target, note.path)
        if path and vault.notes[path].is_record:
            return path
    return note.path if note.is_record else None
