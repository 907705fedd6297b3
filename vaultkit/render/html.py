"""The HTML around every page (one stylesheet, no scripts, no network) and the index page:
the board, the counts, the funnel, every company and contact, and the vault's problems."""

from __future__ import annotations

from functools import partial
from html import escape

from vaultkit.render.paths import relative
from vaultkit.render.site import SiteData, piece
from vaultkit.render.svg import funnel_svg
from vaultkit.rules.followup import FollowUp
from vaultkit.vault.model import Note
from vaultkit.vault.problems import spelled_controls
from vaultkit.views.agenda import due_label, section_of

NAV = (
    ("index.html", "Board"),
    ("agenda.html", "Agenda"),
    ("stats.html", "Stats"),
    ("followups.ics", "Calendar feed"),
    ("vault.json", "JSON"),
)


def e(text: object) -> str:
    """Text for HTML: escaped, control characters spelled out."""
    return escape(spelled_controls(str(text)), quote=True)


def layout(page: str, title: str, body: str, *, subtitle: str = "") -> bytes:
    """A whole page; `page` is its own path in the output, for relative links."""
    nav = "".join(
        f'<a href="{e(relative(page, target))}"'
        + (' aria-current="page"' if target == page else "")
        + f">{e(label)}</a>"
        for target, label in NAV
    )
    sub = f'<p class="subtitle">{subtitle}</p>' if subtitle else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="vaultkit">
<title>{e(title)}</title>
<link rel="stylesheet" href="{e(relative(page, "style.css"))}">
</head>
<body>
<header class="top"><nav>{nav}</nav></header>
<main>
<h1>{e(title)}</h1>
{sub}
{body}
</main>
<footer>Built by vaultkit from your notes. Nothing here is fetched from the network.</footer>
</body>
</html>
""".encode()


def due_html(data: SiteData, item: FollowUp | None) -> str:
    if item is None:
        return '<span class="none">—</span>'
    section = section_of(item.due_date(data.tz), data.today)
    css = {"Overdue": "overdue", "Today": "today"}.get(section, "due")
    return (
        f'<span class="{css}"><time datetime="{e(item.due.isoformat())}">'
        f"{e(due_label(item, data.today, data.tz))}</time></span>"
    )


def note_link(data: SiteData, page: str, path: str, text: str | None = None) -> str:
    note = data.vault.notes[path]
    return f'<a href="{e(data.href(page, path))}">{e(text or note.name)}</a>'


def last_contact(data: SiteData, note: Note) -> str:
    touch = note.last_interaction(data.today)
    if touch is None:
        return '<span class="none">never</span>'
    return f'<time datetime="{touch.date.isoformat()}">{touch.date.isoformat()}</time>'


def problems_html(data: SiteData, page: str) -> str:
    problems = data.problems
    if not problems:
        return ""
    errors = sum(p.severity == "error" for p in problems)
    items = []
    for p in problems:
        where = f"{p.path}:{p.line}" if p.line else p.path
        if p.path in data.pages:
            where = f'<a href="{e(data.href(page, p.path))}">{e(where)}</a>'
        else:
            where = e(where)
        items.append(
            f'<li class="{e(p.severity)}"><code>{where}</code> '
            f"<strong>{e(p.severity)}</strong>: {e(p.message)}</li>"
        )
    opened = " open" if errors else ""
    return (
        f'<details class="problems"{opened}><summary>{errors} error(s), '
        f"{len(problems) - errors} warning(s) in the notes: what they affect may be "
        f"missing below</summary><ul>{''.join(items)}</ul></details>"
    )


def _counts(data: SiteData) -> str:
    companies = data.companies()
    active = sum(data.vault.is_active(c) for c in companies)
    overdue = sum(section_of(f.due_date(data.tz), data.today) == "Overdue" for f in data.followups)
    due_today = sum(f.due_date(data.tz) == data.today for f in data.followups)
    cells = [
        ("companies", len(companies)),
        ("active", active),
        ("contacts", len(data.contacts())),
        ("follow-ups", len(data.followups)),
        ("overdue", overdue),
        ("due today", due_today),
    ]
    return (
        '<ul class="counts">'
        + "".join(f'<li><span class="n">{n}</span> {e(label)}</li>' for label, n in cells)
        + "</ul>"
    )


def _card(data: SiteData, page: str, company: Note) -> str:
    role = company.get("role")
    nxt = data.next_followup(company.path)
    nxt_html = (
        f'<p class="next">{due_html(data, nxt)} {e(nxt.title)}</p>'
        if nxt
        else '<p class="next none">no follow-up</p>'
    )
    prio = ' data-priority="high"' if company.get("priority") == "high" else ""
    return (
        f'<li class="card"{prio}><h3>{note_link(data, page, company.path)}</h3>'
        + (f'<p class="role">{e(role)}</p>' if role else "")
        + nxt_html
        + "</li>"
    )


def _board(data: SiteData, page: str) -> str:
    stages = data.vault.config.stages
    by_stage: dict[str, list[Note]] = {}
    for company in data.companies():
        by_stage.setdefault(company.stage or "(no stage)", []).append(company)
    columns = []
    active = [s for s, is_active in stages.items() if is_active]
    if by_stage.get("(no stage)"):
        active = ["(no stage)", *active]
    for stage in active:
        cards = "".join(
            piece(data, "card", c.path, data.next_followup(c.path), partial(_card, data, page, c))
            for c in by_stage.get(stage, [])
        )
        count = len(by_stage.get(stage, []))
        columns.append(
            f'<section class="column"><h2>{e(stage)} <span class="badge">{count}'
            f'</span></h2><ul class="cards">{cards}</ul></section>'
        )
    closed = []
    for stage, is_active in stages.items():
        if not is_active and by_stage.get(stage):
            names = ", ".join(note_link(data, page, c.path) for c in by_stage[stage])
            closed.append(f"<li><strong>{e(stage)}</strong> ({len(by_stage[stage])}): {names}</li>")
    closed_count = sum(len(by_stage.get(s, [])) for s, is_active in stages.items() if not is_active)
    closed_html = (
        f'<details class="closed"><summary>Closed ({closed_count})</summary>'
        f"<ul>{''.join(closed)}</ul></details>"
        if closed
        else ""
    )
    return f'<div class="board">{"".join(columns)}</div>{closed_html}'


def _company_table(data: SiteData, page: str) -> str:
    def row(c: Note) -> str:
        return (
            f"<tr><td>{note_link(data, page, c.path)}</td><td>{e(c.stage or '')}</td>"
            f"<td>{e(c.get('role') or '')}</td><td>{last_contact(data, c)}</td>"
            f"<td>{due_html(data, data.next_followup(c.path))}</td></tr>"
        )

    rows = [
        piece(data, "company-row", c.path, data.next_followup(c.path), lambda c=c: row(c))  # type: ignore[misc]
        for c in data.companies()
    ]
    if not rows:
        return '<p class="none">No companies yet.</p>'
    return (
        '<div class="scroll"><table><thead><tr><th>Company</th><th>Stage</th><th>Role</th>'
        "<th>Last contact</th><th>Next follow-up</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


def _contact_table(data: SiteData, page: str) -> str:
    def row(c: Note) -> str:
        company = note_link(data, page, c.company) if c.company else ""
        return (
            f"<tr><td>{note_link(data, page, c.path)}</td><td>{company}</td>"
            f"<td>{e(c.get('relationship') or c.get('role') or '')}</td>"
            f"<td>{last_contact(data, c)}</td>"
            f"<td>{due_html(data, data.next_followup(c.path))}</td></tr>"
        )

    rows = [
        piece(data, "contact-row", c.path, data.next_followup(c.path), lambda c=c: row(c))  # type: ignore[misc]
        for c in data.contacts()
    ]
    if not rows:
        return '<p class="none">No contacts yet.</p>'
    return (
        '<div class="scroll"><table><thead><tr><th>Contact</th><th>Company</th>'
        "<th>Relationship</th><th>Last contact</th><th>Next follow-up</th></tr></thead>"
        "<tbody>" + "".join(rows) + "</tbody></table></div>"
    )


def _other_notes(data: SiteData, page: str) -> str:
    others = sorted((n for n in data.vault.notes.values() if not n.is_record), key=lambda n: n.path)
    if not others:
        return ""
    items = "".join(f"<li>{note_link(data, page, n.path, n.path[:-3])}</li>" for n in others)
    return f'<h2 id="notes">Other notes</h2><ul class="notes">{items}</ul>'


def render_index(data: SiteData) -> dict[str, bytes]:
    page = "index.html"
    body = (
        problems_html(data, page)
        + _counts(data)
        + '<h2 id="board">Pipeline</h2>'
        + _board(data, page)
        + '<h2 id="funnel">Funnel</h2>'
        + funnel_svg(data.vault)
        + '<h2 id="companies">Companies</h2>'
        + _company_table(data, page)
        + '<h2 id="contacts">Contacts</h2>'
        + _contact_table(data, page)
        + _other_notes(data, page)
    )
    subtitle = (
        f"As of {data.today:%A} {data.today.isoformat()} · "
        f'<a href="agenda.html">{len(data.followups)} open follow-up(s)</a>'
    )
    return {page: layout(page, "Job search", body, subtitle=subtitle)}
