"""The calendar feed: every open follow-up as a VEVENT (or a VTODO with `feed.todo`).

Deterministic: UID from the follow-up's stable id, DTSTAMP from the source note's last change,
events sorted by (due, id); the same vault gives the same bytes. All-day follow-ups are
`DTSTART;VALUE=DATE` with an exclusive `DTEND`; timed ones carry a `TZID` and its VTIMEZONE.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, Todo, vDuration, vText

from vaultkit.config import Config
from vaultkit.followup import FollowUp
from vaultkit.model import Vault
from vaultkit.render.markdown import plain

FEED_NAME = "followups.ics"
PRODID = "-//vaultkit//vaultkit follow-ups//EN"
TIMED_MINUTES = 30
"""How long a timed follow-up's event lasts in the calendar."""
FALLBACK_STAMP = datetime(2000, 1, 1, tzinfo=UTC)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_PRIORITY = {"high": 1, "medium": 5, "normal": 5, "low": 9}
_RULE_LABELS = {
    "follow-up": "Follow-up",
    "task": "Task",
    "thank-you": "Thank-you",
    "application-follow-up": "Application follow-up",
    "linkedin-connect": "LinkedIn",
    "info-interview-prep": "Prepare",
    "reply-promptly": "Reply",
    "keep-in-touch": "Keep in touch",
    "interview-check-in": "Check in",
    "stale": "Stale",
    "offer-update": "Offer news",
    "met-follow-up": "After meeting",
    "info-interview-request": "Informational interview",
    "engage": "Engage",
    "share-expertise": "Share your work",
}


MAX_LINE = 250
MAX_TEXT = 4000
"""Longest SUMMARY (or CATEGORY) and DESCRIPTION: a name pasted a million times over must not
make a feed that takes minutes to fold and that calendar apps refuse."""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def one_line(text: str) -> str:
    """No line breaks or control characters: a SUMMARY or CATEGORY stays one value."""
    return _cut(" ".join(_CONTROL.sub(" ", text[: MAX_LINE * 4]).split()), MAX_LINE)


def clean(text: str) -> str:
    """Keep line breaks (the library escapes them as `\\n`), drop other control characters."""
    lines = text[: MAX_TEXT * 2].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return _cut("\n".join(_CONTROL.sub(" ", line).rstrip() for line in lines).strip(), MAX_TEXT)


def _zone(due: datetime, tz: tzinfo) -> datetime:
    """An aware datetime in a named zone (the note's own, else the vault's), for a TZID."""
    zoned = due if isinstance(due.tzinfo, ZoneInfo) else due.astimezone(tz)
    if str(getattr(zoned.tzinfo, "key", "UTC")) in ("UTC", "Etc/UTC"):
        return zoned.astimezone(UTC)  # written as `...Z`, which is what it is
    return zoned


def _stamp(item: FollowUp, mtimes: dict[str, datetime]) -> datetime:
    stamp = mtimes.get(item.note) or FALLBACK_STAMP
    return stamp.astimezone(UTC).replace(microsecond=0)


def _sort_key(item: FollowUp) -> tuple[str, str]:
    due = item.due
    moment = due.astimezone(UTC).isoformat() if isinstance(due, datetime) else due.isoformat()
    return moment, item.id


def note_url(config: Config, note_path: str, page: str | None) -> str | None:
    """`obsidian://` when the vault's name is known, else the page under `site_url`."""
    if config.vault_name:
        bare = note_path[:-3] if note_path.endswith(".md") else note_path
        return (
            f"obsidian://open?vault={quote(config.vault_name, safe='')}&file={quote(bare, safe='')}"
        )
    site = str(config.get("site_url") or "").rstrip("/")
    if site and page:
        return f"{site}/{quote(page)}"
    return None


def _company_name(vault: Vault, item: FollowUp) -> str:
    record = vault.notes.get(item.record or "")
    if record is None:
        return ""
    if record.kind == "contact" and record.company in vault.notes:
        company = vault.notes[record.company]  # `company:` may link a person by mistake
        return company.name if company.kind == "company" else ""
    return record.name if record.kind == "company" else ""


def _description(vault: Vault, item: FollowUp, draft: str | None = None) -> str:
    lines = [plain(item.reason), ""]
    record = vault.notes.get(item.record or "")
    if record is not None:
        what = record.kind
        if record.kind == "company":
            extra = ", ".join(x for x in (record.get("role"), record.stage) if x)
        else:
            company = _company_name(vault, item)
            extra = ", ".join(
                x
                for x in (
                    record.get("role") or record.get("relationship"),
                    company and f"at {company}",
                )
                if x
            )
        lines.append(f"{what.capitalize()}: {record.name}" + (f" ({extra})" if extra else ""))
    lines.append(f"Note: {item.note}:{item.line}")
    lines.append(f"Rule: {item.rule} · priority {item.priority} · id {item.id}")
    if draft:
        lines += ["", draft]
    return clean("\n".join(lines))


def _event_fields(
    vault: Vault,
    item: FollowUp,
    mtimes: dict[str, datetime],
    pages: dict[str, str],
    drafts: Mapping[str, str],
) -> tuple[Any, ...]:
    """Everything one VEVENT (or VTODO) says, as plain values: cheap to compute, and the key
    under which its serialisation, the expensive part, is remembered."""
    config = vault.config
    if isinstance(item.due, datetime):
        start: date | datetime = _zone(item.due, config.tz)
        end: date | datetime = start + timedelta(minutes=TIMED_MINUTES)
    else:
        start, end = item.due, item.due + timedelta(days=1)
    detail = config.get("feed.detail")
    label = _RULE_LABELS.get(item.rule, item.rule)
    description = url = priority = None
    if detail == "private":
        summary = "Follow-up"
    elif detail == "minimal":
        company = one_line(_company_name(vault, item))
        summary = f"{label}: {company}" if company else label
    else:
        summary = one_line(plain(item.title)) or label
        description = _description(vault, item, drafts.get(item.id))
        url = note_url(config, item.note, pages.get(item.note))
        priority = _PRIORITY.get(item.priority, 5)
    categories = None
    if detail != "private":
        tags = [] if detail == "minimal" else [one_line(t) for t in item.tags]
        categories = tuple(dict.fromkeys(c for c in [item.rule, *tags] if c))
    minutes = config.get("feed.alarm_minutes")
    alarm = minutes if minutes is not None and minutes >= 0 else None
    return (
        bool(config.get("feed.todo")),
        f"{item.id}@vaultkit",
        _stamp(item, mtimes),
        start,
        end,
        summary,
        description,
        url,
        priority,
        categories,
        alarm,
    )


def event_bytes(
    vault: Vault,
    item: FollowUp,
    mtimes: Mapping[str, datetime],
    pages: Mapping[str, str],
    drafts: Mapping[str, str],
) -> bytes:
    """One follow-up's VEVENT (or VTODO): a function of the follow-up, what its record says,
    its note's last change and page, its draft, and the feed's settings."""
    return serialise(event_fields(vault, item, mtimes, pages, drafts))


def event_fields(
    vault: Vault,
    item: FollowUp,
    mtimes: Mapping[str, datetime],
    pages: Mapping[str, str],
    drafts: Mapping[str, str],
) -> tuple[Any, ...]:
    """Everything one event says, as plain values (cheap): what its bytes are a function of."""
    return _event_fields(vault, item, mtimes, pages, drafts)  # type: ignore[arg-type]


def serialise(fields: tuple[Any, ...]) -> bytes:
    """An event's bytes, from its fields (the expensive part: icalendar builds and folds)."""
    return _event_bytes(fields)


def _event_bytes(fields: tuple[Any, ...]) -> bytes:
    """One component, serialised."""
    todo, uid, stamp, start, end, summary, description, url, priority, categories, alarm = fields
    comp: Event | Todo = Todo() if todo else Event()
    comp.add("uid", uid)
    comp.add("dtstamp", stamp)
    if todo:
        comp.add("due", start)
        comp.add("status", "NEEDS-ACTION")
    else:
        comp.add("dtstart", start)
        comp.add("dtend", end)
        comp.add("transp", "TRANSPARENT")
    if description is not None:
        comp.add("description", description)
    if url:
        comp.add("url", url)
    if priority is not None:
        comp.add("priority", priority)
    comp.add("summary", summary)
    if categories is not None:
        comp.add("categories", list(categories))
    if alarm is not None:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("trigger", timedelta(minutes=-alarm))
        reminder.add("description", summary)
        comp.add_component(reminder)
    return comp.to_ical()


def _timezones(followups: list[FollowUp], tz: tzinfo) -> list[Timezone]:
    years: dict[str, list[int]] = {}
    for item in followups:
        if isinstance(item.due, datetime):
            zoned = _zone(item.due, tz)
            if zoned.tzinfo is UTC:
                continue
            key = str(zoned.tzinfo.key)  # type: ignore[union-attr]
            years.setdefault(key, []).append(zoned.year)
    return [
        Timezone.from_tzid(
            key, first_date=date(min(ys) - 1, 1, 1), last_date=date(max(ys) + 2, 1, 1)
        )
        for key, ys in sorted(years.items())
    ]


def feed(
    vault: Vault,
    followups: list[FollowUp],
    mtimes: dict[str, datetime],
    pages: dict[str, str],
    drafts: Mapping[str, str] | None = None,
) -> bytes:
    """The feed; `drafts` (follow-up id -> text) go into DESCRIPTION with `detail = "full"`."""
    return assemble(
        vault, followups, lambda item: event_bytes(vault, item, mtimes, pages, drafts or {})
    )


def feed_order(followups: list[FollowUp]) -> list[FollowUp]:
    return sorted(followups, key=_sort_key)


def head(vault: Vault, followups: list[FollowUp]) -> bytes:
    """The calendar's properties and time zones, up to its first event."""
    config = vault.config
    cal = Calendar()
    name = one_line(str(config.get("feed.name"))) or "Job search follow-ups"
    hours = max(1, int(config.get("feed.refresh_hours")))
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", vText(name))
    cal.add("x-wr-calname", vText(name))
    cal.add(
        "x-wr-caldesc",
        vText(
            "Follow-ups derived from your notes by vaultkit: "
            "thank-yous, check-ins, replies and tasks."
        ),
    )
    cal.add("refresh-interval", vDuration(timedelta(hours=hours)), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(timedelta(hours=hours)))
    for zone in _timezones(followups, config.tz):
        zone.pop("COMMENT", None)  # libical reads it as an iTIP violation
        cal.add_component(zone)
    whole = cal.to_ical()
    assert whole.endswith(CLOSING)
    return whole[: -len(CLOSING)]


CLOSING = b"END:VCALENDAR\r\n"


def assemble(vault: Vault, followups: list[FollowUp], event: Callable[[FollowUp], bytes]) -> bytes:
    """The feed from each follow-up's event (`event(item)`: its bytes, however got)."""
    return head(vault, followups) + b"".join(map(event, feed_order(followups))) + CLOSING


def render(
    vault: Vault,
    followups: list[FollowUp],
    mtimes: dict[str, datetime],
    pages: dict[str, str],
    drafts: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    return {FEED_NAME: feed(vault, followups, mtimes, pages, drafts)}
