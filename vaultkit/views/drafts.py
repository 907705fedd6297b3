"""Drafts: for each follow-up that asks you to write to someone, a message built from the notes.

`compose(vault, item, templates, today)` fills the rule's template with what the notes say: who,
which role, the interview and what the log says was discussed, the pitch the company note
records, the offer's deadline, the event where you met. Nothing is invented: a detail the notes
lack becomes a visible placeholder (`[what you discussed]`), and the draft says which note to
fill in. Templates are plain text with `{{variable}}` slots, filled in one pass (a value that
happens to contain `{{...}}` stays as it is); no code runs. Pure: the templates arrive as text
(vaultkit/views/draft_templates.py reads them), and `today` is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from urllib.parse import quote

from vaultkit.rules.followup import FollowUp
from vaultkit.rules.habits import hiring_manager
from vaultkit.vault.config import CONFIG_NAME
from vaultkit.vault.fields import local_date
from vaultkit.vault.links import plain
from vaultkit.vault.model import Interaction, Interview, Note, Vault
from vaultkit.vault.rulebook import RULES

DRAFT_RULES: dict[str, str] = {r.id: r.message for r in RULES if r.message}
"""Rule -> the message it asks you to write: every follow-up that asks you to write to someone."""
LINKEDIN_RULES = frozenset({"linkedin-connect"})
"""Drafts meant for LinkedIn rather than email (a connection note)."""
LINKEDIN_NOTE_LIMIT = 300
"""Characters a LinkedIn connection note may hold."""


@dataclass(frozen=True)
class Variable:
    placeholder: str
    doc: str


VARIABLES: dict[str, Variable] = {
    "name": Variable("[their name]", "the full name of the person you write to"),
    "first_name": Variable("[first name]", "the first word of their name"),
    "their_role": Variable("[their role]", "their `role`"),
    "company": Variable("[company]", "the company's name"),
    "role": Variable("[the role]", "the position you applied for (the company's `role`)"),
    "applied": Variable("[the date you applied]", "the company's `applied` date"),
    "pitch": Variable(
        "[one sentence on why you fit the role]", "the company's `pitch`, a sentence you wrote"
    ),
    "interview": Variable(
        "[the interview]", "the interview, by its `kind`: `video interview` (`interview` if unset)"
    ),
    "interview_date": Variable("[the interview date]", "the interview's day"),
    "discussed": Variable(
        "[what you discussed]", "what the log line of that day says after a colon"
    ),
    "offer_company": Variable("[the company that made the offer]", "the offering company"),
    "offer_deadline": Variable("[the offer's deadline]", "its `offer_deadline`"),
    "received": Variable("[when they wrote]", "their contact's `awaiting_reply` date"),
    "last_contact": Variable("[when you last spoke]", "the day of your last touch with them"),
    "met": Variable("[when you met]", "their `met` date"),
    "event": Variable("[where you met]", "their `met_at`"),
    "signature": Variable("[your name]", "`signature` under `[drafts]` in vaultkit.toml"),
}
_SLOT = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
_ADDRESS_CHAR = r"[^@\s<>()\[\],;:\"\\]"
_EMAIL = re.compile(
    f"^{_ADDRESS_CHAR}++@(?={_ADDRESS_CHAR}*?{_ADDRESS_CHAR}\\.{_ADDRESS_CHAR}){_ADDRESS_CHAR}++$"
)
"""`local@domain` with a dot inside the domain, checked ahead lazily: linear, where
`+@…+\\.…+$` took seconds for an `email:` of 16,000 dots."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_VALUE = 500
"""Longest value taken from a note: a property pasted a thousand times over stays a sentence."""
DRAFT_HORIZON = timedelta(days=14)
"""The site and the feed carry drafts for follow-ups due within this (and every overdue one),
as the agenda shows by default: a message for two months ahead would be stale by then, and a
large vault's pages and feed stay their size. `vaultkit draft ID` writes any."""
MONTHS = (
    "January February March April May June July August September October November December"
).split()


@dataclass(frozen=True)
class Template:
    subject: str
    body: str
    source: str = "built-in"
    """Where it came from: `built-in`, or its path in the vault."""


@dataclass(frozen=True)
class Missing:
    variable: str
    placeholder: str
    note: str
    """Where to fill it in: a note's path in the vault, or vaultkit.toml."""
    how: str


@dataclass(frozen=True)
class Draft:
    followup: str
    """The follow-up's id."""
    rule: str
    subject: str
    body: str
    to: str | None
    """The person's email address, when their note has one."""
    name: str | None
    """Whom it is to, when the notes say."""
    linkedin: str | None
    missing: tuple[Missing, ...]
    template: str

    @property
    def kind(self) -> str:
        return DRAFT_RULES[self.rule]

    @property
    def on_linkedin(self) -> bool:
        return self.rule in LINKEDIN_RULES

    @property
    def mailto(self) -> str:
        """A `mailto:` URL with the subject and body (RFC 6068: every special character
        percent-encoded, line breaks as CRLF)."""
        body = self.body.replace("\n", "\r\n")
        address = quote(self.to or "", safe="@")
        return (
            f"mailto:{address}?subject={quote(self.subject, safe='')}&body={quote(body, safe='')}"
        )

    def header(self) -> str:
        """Who it goes to and how, as the first lines of `vaultkit draft` show it."""
        who = self.name or VARIABLES["name"].placeholder
        if self.on_linkedin:
            where = f" ({self.linkedin})" if self.linkedin else ""
            size = f"{len(self.body)} of {LINKEDIN_NOTE_LIMIT} characters"
            return f"LinkedIn note to {who}{where}, {size}:"
        to = f"{who} <{self.to}>" if self.to else who
        return f"To: {to}\nSubject: {self.subject}"

    def as_text(self) -> str:
        return f"{self.header()}\n\n{self.body}\n"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.followup,
            "rule": self.rule,
            "kind": self.kind,
            "channel": "linkedin" if self.on_linkedin else "email",
            "to": self.to,
            "name": self.name,
            "linkedin": self.linkedin,
            "subject": self.subject,
            "body": self.body,
            "mailto": self.mailto,
            "template": self.template,
            "missing": [
                {"variable": m.variable, "placeholder": m.placeholder, "note": m.note, "how": m.how}
                for m in self.missing
            ],
        }


# ---------------------------------------------------------------- templates (text only)


def parse_template(text: str, source: str, default_subject: str = "") -> Template:
    """A template's text: an optional frontmatter block (ignored), a `Subject:` line, a blank
    line, then the body. Without a `Subject:` line the whole text is the body and the subject
    is `default_subject`."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    if lines and lines[0].strip() == "---" and "---" in (s.strip() for s in lines[1:]):
        lines = lines[[s.strip() for s in lines].index("---", 1) + 1 :]
    while lines and not lines[0].strip():
        lines.pop(0)
    subject = default_subject
    if lines and lines[0].lower().startswith("subject:"):
        subject = lines.pop(0)[len("subject:") :].strip()
    body = "\n".join(line.rstrip() for line in lines).strip("\n")
    return Template(subject, body, source)


def unknown_variables(template: Template) -> list[str]:
    """The `{{names}}` a template uses that are not variables (they stay as written)."""
    used = _SLOT.findall(template.subject + "\n" + template.body)
    return sorted({n for n in used if n.lower() not in VARIABLES})


# ---------------------------------------------------------------- what the notes say


@dataclass
class _Facts:
    person: Note | None = None
    company: Note | None = None
    interview: Interview | None = None
    offering: Note | None = None
    topic_day: date | None = None
    """The day whose log line says what you talked about."""


def _note(vault: Vault, path: str | None, kind: str) -> Note | None:
    note = vault.notes.get(path or "")
    return note if note is not None and note.kind == kind else None


def _company_of(vault: Vault, person: Note | None) -> Note | None:
    return _note(vault, person.company, "company") if person else None


def _thank_you_interview(vault: Vault, item: FollowUp, company: Note) -> Interview | None:
    """The interview a thank-you is for: on its line, with its person, due on its day."""
    tz = vault.config.tz
    days = int(vault.config.rule("thank-you", "days"))
    found = [
        i
        for i in company.interviews
        if i.line == item.line and (item.record == company.path or item.record in i.with_)
    ]
    for interview in found:
        due = (
            interview.when + timedelta(hours=24 * days)
            if isinstance(interview.when, datetime)
            else interview.when + timedelta(days=days)
        )
        if local_date(due, tz) == item.due_date(tz):
            return interview
    return found[0] if found else None


def _first_interview_with(vault: Vault, person: Note) -> tuple[Note, Interview] | None:
    """The first interview at an active company the person was in (their interview touches
    say where to look)."""
    tz = vault.config.tz
    for touch in person.interactions:  # in date order
        company = _note(vault, touch.path, "company")
        if touch.source != "interview" or company is None or not vault.is_active(company):
            continue
        for interview in company.interviews:
            if (
                interview.line == touch.line
                and local_date(interview.when, tz) == touch.date
                and person.path in interview.with_
            ):
                return company, interview
    return None


def _offering(vault: Vault, item: FollowUp) -> Note | None:
    days = int(vault.config.rule("offer-update", "days"))
    offers = [
        c
        for c in vault.records("company")
        if c.path != item.note and isinstance(c.get("offer"), date)
    ]
    named = [c for c in offers if f"the {c.name} offer" in item.title]
    timed = [c for c in named or offers if c.get("offer") + timedelta(days=days) == item.due]
    found = timed or named or offers
    return found[0] if found else None


def _facts(vault: Vault, item: FollowUp, today: date) -> _Facts:
    tz = vault.config.tz
    rule = item.rule
    record = vault.notes.get(item.record or "")
    person = record if record is not None and record.kind == "contact" else None
    if rule in ("application-follow-up", "interview-check-in", "info-interview-request"):
        company = _note(vault, item.note, "company")
        facts = _Facts(company=company)
        if company is not None and rule != "info-interview-request":
            facts.person = hiring_manager(vault, company)
        if company is not None and rule == "interview-check-in":
            past = [i for i in company.interviews if local_date(i.when, tz) <= today]
            if past:
                facts.interview = max(past, key=lambda i: local_date(i.when, tz))
        return _with_topic_day(facts, tz)
    if rule == "thank-you":
        company = _note(vault, item.note, "company")
        facts = _Facts(person=person, company=company)
        if company is not None:
            facts.interview = _thank_you_interview(vault, item, company)
        return _with_topic_day(facts, tz)
    if rule == "offer-update":
        company = _note(vault, item.note, "company")
        return _Facts(person=person, company=company, offering=_offering(vault, item))
    if rule == "linkedin-connect" and person is not None:
        found = _first_interview_with(vault, person)
        if found:
            return _with_topic_day(_Facts(person, found[0], found[1]), tz)
    facts = _Facts(person=person, company=_company_of(vault, person))
    if rule == "met-follow-up" and person is not None:
        facts.topic_day = person.get("met")
    return facts


def recipient(vault: Vault, item: FollowUp, today: date) -> Note | None:
    """The person a follow-up's message goes to, when the notes say."""
    return _facts(vault, item, today).person if item.rule in DRAFT_RULES else None


def _with_topic_day(facts: _Facts, tz: tzinfo) -> _Facts:
    if facts.interview is not None:
        facts.topic_day = local_date(facts.interview.when, tz)
    return facts


def one_line(value: object) -> str:
    """A value from a note as one line of text, never longer than MAX_VALUE."""
    text = " ".join(_CONTROL.sub(" ", str(value)).split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1].rstrip() + "…"


def _topic(touches: list[Interaction], day: date) -> str | None:
    """What a log line of `day` says after its colon: `Video round with [[Ruth]]: data
    contracts, backfills; thank-you sent` -> `data contracts, backfills`."""
    for touch in touches:
        if touch.date != day or touch.source not in ("log", "daily", "interaction"):
            continue
        text = re.sub(r"(?:^|\s)#[\w/-]+", "", plain(touch.text))
        if ": " not in text:  # a colon and a space: not the one in `19:00`
            continue
        topic = text.split(": ", 1)[1].split(";", 1)[0].strip().rstrip(".").strip()
        if topic:
            return one_line(topic)
    return None


def show_day(day: date, today: date) -> str:
    """`November 24`, with the year when it is not this year's."""
    text = f"{MONTHS[day.month - 1]} {day.day}"
    return text if day.year == today.year else f"{text}, {day.year}"


Found = tuple[str | None, str, str]
"""A variable's value (None when the notes lack it), and where and how to fill it in."""


def _values(vault: Vault, item: FollowUp, facts: _Facts, today: date) -> dict[str, Found]:
    tz = vault.config.tz
    person, company, interview = facts.person, facts.company, facts.interview

    def field(note: Note | None, name: str) -> str | None:
        value = note.get(name) if note is not None else None
        if isinstance(value, date):
            return show_day(value, today)
        return one_line(value) if value else None

    company_note = company.path if company else (person.path if person else item.note)
    set_company = "set `company:` to a link to the company they work at"
    if person is None and item.rule == "thank-you":
        who = "name who interviewed you in the interview's `with:`"
    else:
        name = company.name if company else "the company"
        who = (
            f"nobody at {name} is in your notes yet: add the person you write to "
            f'(`vaultkit new contact NAME --company "{name}"`)'
        )
    where_person = person.path if person else company_note
    kind = day = None
    if interview is not None:
        what = one_line(interview.kind)
        kind = what if "interview" in what.lower() else f"{what} interview".strip()
        day = show_day(local_date(interview.when, tz), today)
    no_interview = "add the interview under `interviews:` (date, with, kind)"
    topic = None
    topic_note = company.path if interview is not None and company else where_person
    if facts.topic_day is not None:
        touches = [
            *(person.interactions if person else []),
            *(company.interactions if company else []),
        ]
        topic = _topic(touches, facts.topic_day)
    last = person.last_interaction(today) if person else None
    offering = facts.offering
    return {
        "name": (one_line(person.name) if person else None, where_person, who),
        "first_name": (
            one_line(person.name).split(" ")[0] if person and person.name.strip() else None,
            where_person,
            who,
        ),
        "their_role": (field(person, "role"), where_person, "set `role:` (their job)"),
        "company": (
            one_line(company.name) if company else None,
            company_note,
            set_company if person else "link the company",
        ),
        "role": (
            field(company, "role"),
            company_note,
            "set `role:` (the position you applied for)" if company else set_company,
        ),
        "applied": (field(company, "applied"), company_note, "set `applied:`"),
        "pitch": (
            field(company, "pitch"),
            company_note,
            "set `pitch:` to one sentence on why you fit this role" if company else set_company,
        ),
        "interview": (kind, company_note, no_interview),
        "interview_date": (day, company_note, no_interview),
        "discussed": (
            topic,
            topic_note,
            f"in the log line of {facts.topic_day} about it, write what you talked about "
            f"after a colon: `- {facts.topic_day} Video call with [[Name]]: <the topics>`"
            if facts.topic_day
            else "log the conversation, with what you talked about after a colon",
        ),
        "offer_company": (
            one_line(offering.name) if offering else None,
            item.note,
            "set `offer:` on the company that made the offer",
        ),
        "offer_deadline": (
            field(offering, "offer_deadline"),
            offering.path if offering else item.note,
            "set `offer_deadline:` (when you must answer)",
        ),
        "received": (field(person, "awaiting_reply"), where_person, "set `awaiting_reply:`"),
        "last_contact": (
            show_day(last.date, today) if last else None,
            where_person,
            "log your last conversation (`- DATE what you talked about`)",
        ),
        "met": (field(person, "met"), where_person, "set `met:` (when you met)"),
        "event": (field(person, "met_at"), where_person, "set `met_at:` (where you met)"),
        "signature": (
            one_line(vault.config.get("drafts.signature")) or None,
            CONFIG_NAME,
            'set `signature = "Your Name"` under `[drafts]`',
        ),
    }


def _fill(text: str, values: dict[str, Found], used: list[str]) -> str:
    def slot(m: re.Match[str]) -> str:
        name = m.group(1).lower()
        if name not in VARIABLES:
            return m.group()  # not a variable: left as written
        used.append(name)
        return values[name][0] or VARIABLES[name].placeholder

    return _SLOT.sub(slot, text)


def compose(
    vault: Vault, item: FollowUp, templates: Mapping[str, Template], today: date
) -> Draft | None:
    """The draft of `item`, or None when its rule does not ask you to write to anyone."""
    template = templates.get(item.rule)
    if item.rule not in DRAFT_RULES or template is None:
        return None
    facts = _facts(vault, item, today)
    values = _values(vault, item, facts, today)
    used: list[str] = []
    subject = one_line(_fill(template.subject, values, used))
    body = _fill(template.body, values, used)
    missing = [
        Missing(name, VARIABLES[name].placeholder, values[name][1], values[name][2])
        for name in dict.fromkeys(used)
        if values[name][0] is None
    ]
    person = facts.person
    email = str(person.get("email") or "").strip() if person else ""
    to = email if _EMAIL.match(email) else None
    if to is None and item.rule not in LINKEDIN_RULES:
        where, how = values["name"][1], values["name"][2]
        if person is not None:
            how = f"the `email:` {email!r} is not an address" if email else "set `email:`"
        missing.append(Missing("email", "[their email]", where, how))
    return Draft(
        followup=item.id,
        rule=item.rule,
        subject=subject,
        body=body,
        to=to,
        name=one_line(person.name) if person else None,
        linkedin=(str(person.get("linkedin") or "").strip() or None) if person else None,
        missing=tuple(missing),
        template=template.source,
    )


def compose_all(
    vault: Vault, followups: list[FollowUp], templates: Mapping[str, Template], today: date
) -> dict[str, Draft]:
    """The drafts of the follow-ups due by `today` + DRAFT_HORIZON, by follow-up id."""
    last = today + DRAFT_HORIZON
    drafts = {}
    for item in followups:
        if item.due_date(vault.config.tz) > last:
            continue
        if (found := compose(vault, item, templates, today)) is not None:
            drafts[item.id] = found
    return drafts
