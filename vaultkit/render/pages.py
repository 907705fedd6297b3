"""A page per note (fields, open follow-ups, interactions, the body) and the agenda page."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

from vaultkit.render.html import due_html, e, last_contact, layout, note_link
from vaultkit.render.markdown import render_body, render_inline
from vaultkit.render.site import SiteData, piece
from vaultkit.rules.followup import FollowUp
from vaultkit.vault.fields import show_when
from vaultkit.vault.model import Note
from vaultkit.views.agenda import group

_SKIP_FIELDS = {"stage", "contacts", "company", "interviews"}
MAX_BODY = 1_000_000
"""Characters of a note's body rendered on its page: one pasted 30 MB log would otherwise make
every build (and every `watch` rebuild) take many seconds, for a page no browser can show."""


def _value(data: SiteData, name: str, value: object) -> str:
    if isinstance(value, datetime | date):
        return e(show_when(value, data.tz))
    if isinstance(value, tuple) and len(value) == 2:  # a cadence
        return e(f"{value[0]}{value[1]}")
    if isinstance(value, list):
        return e(", ".join(str(v) for v in value))
    text = str(value)
    if name in ("url", "linkedin") and text.lower().startswith(("https://", "http://")):
        return f'<a href="{e(text)}" rel="noopener noreferrer">{e(text)}</a>'
    if name == "email" and "@" in text and " " not in text:
        return f'<a href="mailto:{e(quote(text, safe="@.+-_"))}">{e(text)}</a>'
    return e(text)


def _fields(data: SiteData, page: str, note: Note) -> str:
    rows = []
    if note.stage:
        rows.append(("stage", f'<span class="stage">{e(note.stage)}</span>'))
    if note.company and data.has_page(note.company):
        rows.append(("company", note_link(data, page, note.company)))
    if note.contacts:
        rows.append(("contacts", ", ".join(note_link(data, page, p) for p in note.contacts)))
    for name, value in note.fields.items():
        if name not in _SKIP_FIELDS:
            rows.append((name.replace("_", " "), _value(data, name, value)))
    rows.append(("last contact", last_contact(data, note)))
    if note.tags:
        rows.append(("tags", " ".join(f'<span class="tag">#{e(t)}</span>' for t in note.tags)))
    items = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<dl class="fields">{items}</dl>'


def _interviews(data: SiteData, page: str, note: Note) -> str:
    if not note.interviews:
        return ""
    items = []
    for interview in sorted(note.interviews, key=lambda i: show_when(i.when, data.tz)):
        people = ", ".join(note_link(data, page, p) for p in interview.with_)
        kind = f" {e(interview.kind)}" if interview.kind else ""
        items.append(
            f"<li><time>{e(show_when(interview.when, data.tz))}</time>{kind}"
            + (f" with {people}" if people else "")
            + "</li>"
        )
    return f'<h2>Interviews</h2><ul class="timeline">{"".join(items)}</ul>'


def followup_item(data: SiteData, page: str, item: FollowUp, *, with_note: bool) -> str:
    resolve = data.resolver(page)
    where = ""
    if with_note and data.has_page(item.note):
        where = (
            f' <a class="source" href="{e(data.href(page, item.note))}">'
            f"{e(item.note)}:{item.line}</a>"
        )
    prio = f' data-priority="{e(item.priority)}"' if item.priority != "normal" else ""
    return (
        f'<li class="followup"{prio} id="f-{e(item.id)}">'
        f'<p class="when">{due_html(data, item)} <span class="rule">{e(item.rule)}</span>'
        f'</p><p class="title">{render_inline(item.title, resolve)}</p>'
        f'<p class="reason">{render_inline(item.reason, resolve)}{where}</p>'
        f"{draft_html(data, page, item.id)}</li>"
    )


def draft_html(data: SiteData, page: str, followup_id: str) -> str:
    """The draft of a follow-up's message, folded under it, with a `mailto:` link that opens
    it in the mail app (or the person's LinkedIn profile for a LinkedIn note)."""
    draft = data.drafts.get(followup_id)
    if draft is None:
        return ""
    if draft.on_linkedin:
        profile = draft.linkedin or ""
        action = (
            f'<a class="linkedin" href="{e(profile)}" rel="noopener noreferrer">'
            "Open their LinkedIn profile</a>"
            if profile.lower().startswith("https://")
            else ""
        )
    else:
        action = f'<a class="mailto" href="{e(draft.mailto)}">Write it in your mail app</a>'
    gaps = "".join(
        f'<li><span class="placeholder">{e(gap.placeholder)}</span> '
        + (note_link(data, page, gap.note, gap.note) if data.has_page(gap.note) else e(gap.note))
        + f": {e(gap.how)}</li>"
        for gap in draft.missing
    )
    gaps_html = (
        '<p class="draft-fill">To make it better, fill in:</p>'
        f'<ul class="draft-missing">{gaps}</ul>'
        if gaps
        else ""
    )
    commands = (
        f"<code>vaultkit draft {e(followup_id)}</code> · when it is sent: "
        f"<code>vaultkit done {e(followup_id)} --sent</code>"
    )
    return (
        f'<details class="draft"><summary>Draft {e(draft.kind)}</summary>'
        f'<pre class="draft-text">{e(draft.as_text())}</pre>'
        f'<p class="draft-actions">{action}{" · " if action else ""}{commands}</p>'
        f"{gaps_html}</details>"
    )


def _timeline(data: SiteData, page: str, note: Note) -> str:
    if not note.interactions:
        return ""
    resolve = data.resolver(page)
    items = []
    for touch in reversed(note.interactions):
        source = ""
        if touch.path != note.path and data.has_page(touch.path):
            source = f' <span class="source">({note_link(data, page, touch.path)})</span>'
        tags = " ".join(f'<span class="tag">#{e(t)}</span>' for t in sorted(touch.tags))
        text = render_inline(touch.text, resolve) if touch.text else e(touch.source)
        future = ' class="future"' if touch.date > data.today else ""
        items.append(
            f'<li{future}><time datetime="{touch.date.isoformat()}">'
            f"{touch.date.isoformat()}</time> {text} {tags}{source}</li>"
        )
    return f'<h2>Interactions</h2><ul class="timeline">{"".join(items)}</ul>'


def note_page(data: SiteData, note: Note) -> tuple[str, bytes]:
    """One note's page: its path in the output, and its bytes."""
    return data.pages[note.path], _note_page(data, note)


def _note_page(data: SiteData, note: Note) -> bytes:
    page = data.pages[note.path]
    parts = []
    problems = [p for p in data.problems if p.path == note.path]
    if problems:
        items = "".join(
            f'<li class="{e(p.severity)}"><code>line {p.line}</code> '
            f"<strong>{e(p.severity)}</strong>: {e(p.message)}</li>"
            for p in problems
        )
        parts.append(
            f'<details class="problems" open><summary>{len(problems)} problem(s) in '
            f"this note</summary><ul>{items}</ul></details>"
        )
    if note.is_record:
        parts.append(_fields(data, page, note))
        parts.append(_interviews(data, page, note))
        open_items = data.by_record.get(note.path, [])
        if open_items:
            lis = "".join(
                followup_item(data, page, f, with_note=f.note != note.path) for f in open_items
            )
            parts.append(f'<h2>Open follow-ups</h2><ul class="followups">{lis}</ul>')
        parts.append(_timeline(data, page, note))
    body = data.bodies.get(note.path, "")
    cut = ""
    if len(body) > MAX_BODY:
        shown = body[:MAX_BODY].rsplit("\n", 1)[0]
        cut = (
            f'<p class="none">The rest of this note ({len(body) - len(shown):,} more '
            "characters) is not shown here: open the note itself to read it.</p>"
        )
        body = shown
    if body.strip():
        parts.append(
            f'<article class="body">{render_body(body, data.resolver(page, note.path))}'
            f"{cut}</article>"
        )
    kind = note.kind if note.kind != "note" else "note"
    subtitle = f'<span class="kind">{e(kind)}</span> <code>{e(note.path)}</code>'
    vault_name = data.vault.config.vault_name
    if vault_name:
        url = (
            f"obsidian://open?vault={quote(vault_name, safe='')}"
            f"&file={quote(note.path[:-3], safe='')}"
        )
        subtitle += f' · <a href="{e(url)}">open in Obsidian</a>'
    return layout(page, note.name, "".join(parts), subtitle=subtitle)


def render_note_pages(data: SiteData) -> dict[str, bytes]:
    """Every note's page. (A build renders them through the live engine, note by note:
    commands/engine.py; this is the whole set at once, for tests and tools.)"""
    return dict(_render_chunk_of(data, sorted(data.vault.notes)))


def _render_chunk_of(data: SiteData, paths: list[str]) -> list[tuple[str, bytes]]:
    return [(data.pages[p], _note_page(data, data.vault.notes[p])) for p in paths]


def render_agenda(data: SiteData) -> dict[str, bytes]:
    page = "agenda.html"
    sections = []
    for name, items in group(data.followups, data.today, data.tz):
        lis = "".join(
            piece(
                data,
                "agenda-item",
                f.id,
                (f, data.drafts.get(f.id)),
                lambda f=f: followup_item(data, page, f, with_note=True),  # type: ignore[misc]
            )
            for f in items
        )
        slug = name.lower().replace(" ", "-")
        sections.append(
            f'<section class="agenda {slug}"><h2 id="{slug}">{e(name)} '
            f'<span class="badge">{len(items)}</span></h2>'
            f'<ul class="followups">{lis}</ul></section>'
        )
    body = "".join(sections) or '<p class="none">Nothing to follow up on. Well done.</p>'
    subtitle = f"As of {data.today:%A} {data.today.isoformat()}"
    return {page: layout(page, "Agenda", body, subtitle=subtitle)}
