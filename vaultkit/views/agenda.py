"""The agenda: open follow-ups grouped as overdue, today, tomorrow, this week, later."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from vaultkit.rules.followup import FollowUp

SECTIONS = ("Overdue", "Today", "Tomorrow", "This week", "Later")


UNMAPPED_NOTES = 5
"""A vault of this many notes or more with no company or contact in it is one vaultkit has
not been told how to read, not one with nothing due."""


def unmapped(notes: int, records: int, configured: bool) -> str | None:
    """What to say when nothing is due because vaultkit does not know the vault's layout:
    `configured`, when the vault has a vaultkit.toml already."""
    if records or notes < UNMAPPED_NOTES:
        return None
    if configured:
        return (
            f"None of the {notes} notes is a company or a contact to vaultkit: "
            "`vaultkit check` says why, and `[types]` in vaultkit.toml says which notes are."
        )
    return (
        f"None of the {notes} notes is a company or a contact to vaultkit yet: run "
        "`vaultkit adopt` to map this vault's folders, tags and properties."
    )


def section_of(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return "Overdue"
    if days <= 1:
        return SECTIONS[1 + days]
    return "This week" if days < 7 else "Later"


def agenda_items(
    followups: list[FollowUp], today: date, tz: tzinfo, *, days: int = 14, everything: bool = False
) -> list[FollowUp]:
    """What the agenda shows: overdue ones and those due within `days` (all of them with
    `everything`), in due order."""
    horizon = today + timedelta(days=days)
    return [f for f in followups if everything or f.due_date(tz) <= horizon]


def group(followups: list[FollowUp], today: date, tz: tzinfo) -> list[tuple[str, list[FollowUp]]]:
    sections: dict[str, list[FollowUp]] = {name: [] for name in SECTIONS}
    for item in followups:
        sections[section_of(item.due_date(tz), today)].append(item)
    return [(name, items) for name, items in sections.items() if items]


def due_label(item: FollowUp, today: date, tz: tzinfo) -> str:
    """`Mon 30 Nov`, with the time for a timed follow-up: `Thu 3 Dec 10:00`."""
    day = item.due_date(tz)
    text = f"{day:%a} {day.day} {day:%b}"
    if day.year != today.year:
        text += f" {day.year}"
    if isinstance(item.due, datetime):
        text += f" {item.due.astimezone(tz):%H:%M}"
    return text


def relative_label(item: FollowUp, today: date, tz: tzinfo) -> str:
    days = (item.due_date(tz) - today).days
    if days == 0:
        return "today"
    return f"{-days}d late" if days < 0 else f"in {days}d"
