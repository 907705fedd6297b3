"""`index.md` and `agenda.md`: the board and the agenda as Markdown that reads well in
Obsidian (links are wikilinks to the notes) and in any text editor."""

from __future__ import annotations

import re
from functools import partial

from vaultkit.render.site import SiteData, piece
from vaultkit.rules.followup import FollowUp
from vaultkit.vault.links import plain
from vaultkit.vault.model import Note
from vaultkit.vault.problems import printable
from vaultkit.views.agenda import due_label, group

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!])")


def text(value: object) -> str:
    """Literal text: one line, Markdown and HTML characters escaped, control characters
    spelled out (`\\x1b`: `cat agenda.md` must not retitle the terminal)."""
    return _SPECIAL.sub(r"\\\1", printable(" ".join(str(value).split())))


def link(note: Note, *, table: bool = False) -> str:
    """A wikilink to the note by path (its `|` escaped inside a table cell)."""
    target = note.path[:-3]
    if any(c in target for c in "[]|#^<>\n"):
        return text(note.name)
    if any(c in note.name for c in "[]|<>`\n"):
        return f"[[{target}]]"
    bar = "\\|" if table else "|"
    return f"[[{target}{bar}{note.name}]]"


def _due(data: SiteData, item: FollowUp | None) -> str:
    if item is None:
        return "—"
    return f"{text(due_label(item, data.today, data.tz))}: {text(plain(item.title))}"


def _last(data: SiteData, note: Note) -> str:
    touch = note.last_interaction(data.today)
    return touch.date.isoformat() if touch else "never"


def index_md(data: SiteData) -> str:
    lines = [
        "# Job search",
        "",
        f"As of {data.today.isoformat()}. {len(data.followups)} open follow-up(s); see [[agenda]].",
        "",
    ]
    problems = data.problems
    if problems:
        lines += ["## Problems", ""] + [f"- {text(p)}" for p in problems] + [""]
    lines += ["## Pipeline", ""]
    for stage, active in data.vault.config.stages.items():
        companies = [c for c in data.companies() if c.stage == stage]
        if not companies and not active:
            continue
        lines.append(f"### {text(stage)} ({len(companies)})")
        lines.append("")
        for c in companies:
            lines.append(
                piece(
                    data,
                    "md-pipeline",
                    c.path,
                    data.next_followup(c.path),
                    partial(_card, data, c),
                )
            )
        lines.append("")
    lines += [
        "## Companies",
        "",
        "| Company | Stage | Role | Last contact | Next follow-up |",
        "|---|---|---|---|---|",
    ]
    for c in data.companies():
        lines.append(
            piece(
                data,
                "md-company",
                c.path,
                data.next_followup(c.path),
                partial(_company_row, data, c),
            )
        )
    lines += [
        "",
        "## Contacts",
        "",
        "| Contact | Company | Last contact | Next follow-up |",
        "|---|---|---|---|",
    ]
    for c in data.contacts():
        lines.append(
            piece(
                data,
                "md-contact",
                c.path,
                data.next_followup(c.path),
                lambda c=c: _contact_row(data, c),  # type: ignore[misc]
                also=(c.company,),
            )
        )
    return "\n".join(lines) + "\n"


def _card(data: SiteData, c: Note) -> str:
    role = f", {text(c.get('role'))}" if c.get("role") else ""
    return f"- {link(c)}{role}; next: {_due(data, data.next_followup(c.path))}"


def _company_row(data: SiteData, c: Note) -> str:
    return (
        f"| {link(c, table=True)} | {text(c.stage or '')} | "
        f"{text(c.get('role') or '')} | {_last(data, c)} | "
        f"{_due(data, data.next_followup(c.path))} |"
    )


def _contact_row(data: SiteData, c: Note) -> str:
    company = link(data.vault.notes[c.company], table=True) if c.company else ""
    return (
        f"| {link(c, table=True)} | {company} | {_last(data, c)} | "
        f"{_due(data, data.next_followup(c.path))} |"
    )


def agenda_md(data: SiteData) -> str:
    lines = ["# Agenda", "", f"As of {data.today.isoformat()}.", ""]
    sections = group(data.followups, data.today, data.tz)
    if not sections:
        lines.append("Nothing to follow up on.")
    for name, items in sections:
        lines += [f"## {name}", ""]
        for item in items:
            lines.append(
                piece(
                    data,
                    "md-agenda",
                    item.id,
                    item,
                    lambda item=item: _agenda_item(data, item),  # type: ignore[misc]
                    also=(item.note,),
                )
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _agenda_item(data: SiteData, item: FollowUp) -> str:
    note = data.vault.notes.get(item.note)
    where = link(note) if note else text(item.note)
    return (
        f"- **{text(due_label(item, data.today, data.tz))}** "
        f"{text(plain(item.title))} ({text(item.rule)})\n"
        f"  {text(plain(item.reason))} {where}"
    )


def render(data: SiteData) -> dict[str, bytes]:
    return {"index.md": index_md(data).encode(), "agenda.md": agenda_md(data).encode()}
