"""A page per note (fields, open follow-ups, interactions, the body) and the agenda page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from functools import partial
from urllib.parse import quote

from markupsafe import Markup

from vaultkit.render.html import Link, due, last_contact, link, page_values
from vaultkit.render.markdown import render_body, render_inline
from vaultkit.render.site import SiteData, piece
from vaultkit.render.templating import macros, render, render_chunks
from vaultkit.rules.followup import FollowUp
from vaultkit.vault.fields import show_when
from vaultkit.vault.model import Note
from vaultkit.views.agenda import group

_SKIP_FIELDS = {"stage", "contacts", "company", "interviews"}
MAX_BODY = 1_000_000
"""Characters of a note's body rendered on its page: one pasted 30 MB log would otherwise make
every build (and every `watch` rebuild) take many seconds, for a page no browser can show."""


def _value(data: SiteData, name: str, value: object) -> tuple[str, object]:
    """A field's value as note.html shows it: (how, what)."""
    if isinstance(value, datetime | date):
        return "text", show_when(value, data.tz)
    if isinstance(value, tuple) and len(value) == 2:  # a cadence
        return "text", f"{value[0]}{value[1]}"
    if isinstance(value, list):
        return "text", ", ".join(str(v) for v in value)
    text = str(value)
    if name in ("url", "linkedin") and text.lower().startswith(("https://", "http://")):
        return "url", text
    if name == "email" and "@" in text and " " not in text:
        return "email", Link(quote(text, safe="@.+-_"), text)
    return "text", text


def _fields(data: SiteData, page: str, note: Note) -> list[tuple[str, str, object]]:
    rows: list[tuple[str, str, object]] = []
    if note.stage:
        rows.append(("stage", "stage", note.stage))
    if note.company and data.has_page(note.company):
        rows.append(("company", "links", [link(data, page, note.company)]))
    if note.contacts:
        rows.append(("contacts", "links", [link(data, page, p) for p in note.contacts]))
    for name, value in note.fields.items():
        if name not in _SKIP_FIELDS:
            rows.append((name.replace("_", " "), *_value(data, name, value)))
    rows.append(("last contact", "last", last_contact(data, note)))
    if note.tags:
        rows.append(("tags", "tags", note.tags))
    return rows


def _interviews(data: SiteData, page: str, note: Note) -> list[tuple[str, str, list[Link]]]:
    return [
        (
            show_when(interview.when, data.tz),
            interview.kind or "",
            [link(data, page, p) for p in interview.with_],
        )
        for interview in sorted(note.interviews, key=lambda i: show_when(i.when, data.tz))
    ]


def followup_item(data: SiteData, page: str, item: FollowUp, *, with_note: bool) -> Markup:
    """One follow-up, in the agenda or on a note's page (macros.html's `followup`)."""
    resolve = data.resolver(page)
    source = None
    if with_note and data.has_page(item.note):
        source = data.href(page, item.note)
    draft = data.drafts.get(item.id)
    linkedin, gaps = None, []
    if draft is not None:
        # The draft of the follow-up's message, folded under it: a `mailto:` link opens it in
        # the mail app, or, for a LinkedIn note, the person's profile (https only).
        profile = draft.linkedin or ""
        if draft.on_linkedin and profile.lower().startswith("https://"):
            linkedin = profile
        gaps = [
            (gap, link(data, page, gap.note, gap.note) if data.has_page(gap.note) else None)
            for gap in draft.missing
        ]
    return macros("macros.html").followup(
        item,
        due(data, item),  # never None: the follow-up is due
        render_inline(item.title, resolve),
        render_inline(item.reason, resolve),
        source,
        draft,
        draft.as_text() if draft is not None else "",
        linkedin,
        gaps,
    )


def _timeline(
    data: SiteData, page: str, note: Note
) -> list[tuple[bool, date, str, list[str], Link | None]]:
    if not note.interactions:
        return []
    resolve = data.resolver(page)
    items = []
    for touch in reversed(note.interactions):
        source = None
        if touch.path != note.path and data.has_page(touch.path):
            source = link(data, page, touch.path)
        text = render_inline(touch.text, resolve) if touch.text else touch.source
        items.append((touch.date > data.today, touch.date, text, sorted(touch.tags), source))
    return items


def note_page(data: SiteData, note: Note) -> tuple[str, bytes]:
    """One note's page: its path in the output, and its bytes."""
    return data.pages[note.path], _note_page(data, note)


def _note_page(data: SiteData, note: Note) -> bytes:
    page = data.pages[note.path]
    values: dict[str, object] = {"fields": None, "interviews": [], "followups": [], "timeline": []}
    if note.is_record:
        values["fields"] = _fields(data, page, note)
        values["interviews"] = _interviews(data, page, note)
        values["followups"] = [
            followup_item(data, page, f, with_note=f.note != note.path)
            for f in data.by_record.get(note.path, [])
        ]
        values["timeline"] = _timeline(data, page, note)
    body = data.bodies.get(note.path, "")
    cut = ""
    if len(body) > MAX_BODY:
        shown = body[:MAX_BODY].rsplit("\n", 1)[0]
        cut = f"{len(body) - len(shown):,}"
        body = shown
    obsidian = ""
    vault_name = data.vault.config.vault_name
    if vault_name:
        obsidian = (
            f"obsidian://open?vault={quote(vault_name, safe='')}"
            f"&file={quote(note.path[:-3], safe='')}"
        )
    text = render(
        "note.html",
        **page_values(page, note.name),
        kind=note.kind,
        path=note.path,
        obsidian=obsidian,
        problems=data.problems_by_note.get(note.path, []),
        body=render_body(body, data.resolver(page, note.path)) if body.strip() else "",
        cut=cut,
        **values,
    )
    return text.encode()


def render_note_pages(data: SiteData) -> dict[str, bytes]:
    """Every note's page. (A build renders them through the live engine, note by note:
    commands/engine.py; this is the whole set at once, for tests and tools.)"""
    return dict(_render_chunk_of(data, sorted(data.vault.notes)))


def _render_chunk_of(data: SiteData, paths: list[str]) -> list[tuple[str, bytes]]:
    return [(data.pages[p], _note_page(data, data.vault.notes[p])) for p in paths]


def render_agenda(data: SiteData) -> dict[str, bytes]:
    return {"agenda.html": b"".join(agenda_chunks(data))}


def agenda_chunks(data: SiteData) -> Iterator[bytes]:
    """agenda.html as it is made (the engine writes it chunk by chunk)."""
    page = "agenda.html"

    def rows(items: list[FollowUp]) -> Iterator[Markup]:
        # Made as the page is written: a build that keeps no pieces holds no row for long.
        for f in items:
            yield piece(
                data,
                "agenda-item",
                f.id,
                (f, data.drafts.get(f.id)),
                partial(followup_item, data, page, f, with_note=True),
            )

    sections = [
        (name, name.lower().replace(" ", "-"), len(items), rows(items))
        for name, items in group(data.followups, data.today, data.tz)
    ]
    return render_chunks(
        "agenda.html",
        **page_values(page, "Agenda"),
        weekday=f"{data.today:%A}",
        today=data.today,
        sections=sections,
    )
