"""The index page (the board, the counts, the funnel, every company and contact, and the
vault's problems), and what every page's template is given: the layout's values, links, due
dates. The markup is in templates/ (layout.html, macros.html, index.html, index_rows.html)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any, NamedTuple

from markupsafe import Markup

from vaultkit.render.paths import relative
from vaultkit.render.site import SiteData, piece
from vaultkit.render.svg import funnel_svg
from vaultkit.render.templating import macros, render
from vaultkit.rules.followup import FollowUp
from vaultkit.vault.model import Note
from vaultkit.views.agenda import due_label, section_of

NAV = (
    ("index.html", "Board"),
    ("agenda.html", "Agenda"),
    ("stats.html", "Stats"),
    ("followups.ics", "Calendar feed"),
    ("vault.json", "JSON"),
)


class Link(NamedTuple):
    """A link to a note's page, for macros.html's `link`."""

    href: str
    text: str


class Due(NamedTuple):
    """A follow-up's due date as the pages show it, for macros.html's `due`."""

    css: str
    """`overdue`, `today` or `due`."""
    iso: str
    label: str


def page_values(page: str, title: str) -> dict[str, Any]:
    """What layout.html needs of a page; `page` is its own path in the output, for relative
    links."""
    return {
        "title": title,
        "stylesheet": relative(page, "style.css"),
        "nav": [(relative(page, target), label, target == page) for target, label in NAV],
    }


def due(data: SiteData, item: FollowUp | None) -> Due | None:
    if item is None:
        return None
    section = section_of(item.due_date(data.tz), data.today)
    css = {"Overdue": "overdue", "Today": "today"}.get(section, "due")
    return Due(css, item.due.isoformat(), due_label(item, data.today, data.tz))


def link(data: SiteData, page: str, path: str, text: str | None = None) -> Link:
    return Link(data.href(page, path), text or data.vault.notes[path].name)


def last_contact(data: SiteData, note: Note) -> date | None:
    touch = note.last_interaction(data.today)
    return None if touch is None else touch.date


def _counts(data: SiteData) -> list[tuple[str, int]]:
    companies = data.companies()
    active = sum(data.vault.is_active(c) for c in companies)
    overdue = sum(section_of(f.due_date(data.tz), data.today) == "Overdue" for f in data.followups)
    due_today = sum(f.due_date(data.tz) == data.today for f in data.followups)
    return [
        ("companies", len(companies)),
        ("active", active),
        ("contacts", len(data.contacts())),
        ("follow-ups", len(data.followups)),
        ("overdue", overdue),
        ("due today", due_today),
    ]


def _card(data: SiteData, page: str, company: Note) -> Markup:
    nxt = data.next_followup(company.path)
    return macros("index_rows.html").card(
        link(data, page, company.path),
        company.get("role"),
        company.get("priority"),
        nxt,
        due(data, nxt),
    )


def _board(data: SiteData, page: str) -> dict[str, Any]:
    stages = data.vault.config.stages
    by_stage: dict[str, list[Note]] = {}
    for company in data.companies():
        by_stage.setdefault(company.stage or "(no stage)", []).append(company)
    active = [s for s, is_active in stages.items() if is_active]
    if by_stage.get("(no stage)"):
        active = ["(no stage)", *active]
    columns = [
        (
            stage,
            len(by_stage.get(stage, [])),
            [
                piece(
                    data, "card", c.path, data.next_followup(c.path), partial(_card, data, page, c)
                )
                for c in by_stage.get(stage, [])
            ],
        )
        for stage in active
    ]
    closed = [
        (stage, [link(data, page, c.path) for c in by_stage[stage]])
        for stage, is_active in stages.items()
        if not is_active and by_stage.get(stage)
    ]
    closed_count = sum(len(by_stage.get(s, [])) for s, is_active in stages.items() if not is_active)
    return {"columns": columns, "closed": closed, "closed_count": closed_count}


def _company_rows(data: SiteData, page: str) -> list[Markup]:
    row = macros("index_rows.html").company_row

    def make(c: Note) -> Markup:
        return row(
            link(data, page, c.path),
            c.stage or "",
            c.get("role") or "",
            last_contact(data, c),
            due(data, data.next_followup(c.path)),
        )

    return [
        piece(data, "company-row", c.path, data.next_followup(c.path), partial(make, c))
        for c in data.companies()
    ]


def _contact_rows(data: SiteData, page: str) -> list[Markup]:
    row = macros("index_rows.html").contact_row

    def make(c: Note) -> Markup:
        return row(
            link(data, page, c.path),
            link(data, page, c.company) if c.company else None,
            c.get("relationship") or c.get("role") or "",
            last_contact(data, c),
            due(data, data.next_followup(c.path)),
        )

    return [
        piece(data, "contact-row", c.path, data.next_followup(c.path), partial(make, c))
        for c in data.contacts()
    ]


def _other_notes(data: SiteData, page: str) -> list[Link]:
    others = sorted((n for n in data.vault.notes.values() if not n.is_record), key=lambda n: n.path)
    return [link(data, page, n.path, n.path[:-3]) for n in others]


def render_index(data: SiteData) -> dict[str, bytes]:
    page = "index.html"
    problems = [
        (p, data.href(page, p.path) if p.path in data.pages else None) for p in data.problems
    ]
    text = render(
        "index.html",
        **page_values(page, "Job search"),
        weekday=f"{data.today:%A}",
        today=data.today,
        open_followups=len(data.followups),
        problems=problems,
        errors=sum(p.severity == "error" for p in data.problems),
        cells=_counts(data),
        **_board(data, page),
        # The funnel's SVG is built by svg.py, which escapes each name it draws.
        funnel=Markup(funnel_svg(data.vault)),
        companies=_company_rows(data, page),
        contacts=_contact_rows(data, page),
        others=_other_notes(data, page),
    )
    return {page: text.encode()}
