"""The calendar feed: every open follow-up as a VEVENT (or a VTODO with `feed.todo`).

Deterministic: the same vault, day and feed state give the same bytes. Each event is a pure
function of its follow-up, the feed settings and what subscribers last saw of it
(vaultkit/store/feedstate.py): its content is serialised once (and remembered), and the stamp lines
(DTSTAMP, SEQUENCE, LAST-MODIFIED) go in after its UID. All-day follow-ups are
`DTSTART;VALUE=DATE` with an exclusive `DTEND`; timed ones carry a `TZID` and a VTIMEZONE with
yearly rules. An open follow-up past its day shows on today, "overdue since" that day.
docs/calendar.md says what every client does with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Todo, vDuration, vText

from vaultkit.render import ics_direct
from vaultkit.render.vtimezone import vtimezone
from vaultkit.rules.followup import FollowUp
from vaultkit.store.feedstate import STAMP_FORMAT, Known, Stamp, advance, digest
from vaultkit.vault.config import Config
from vaultkit.vault.identity import feed_uid
from vaultkit.vault.links import plain
from vaultkit.vault.model import Vault
from vaultkit.vault.problems import Problem, warning
from vaultkit.vault.rulebook import RULES_BY_ID

FEED_NAME = "followups.ics"
PRODID = "-//vaultkit//vaultkit follow-ups//EN"
TIMED_MINUTES = 30
"""How long a timed follow-up's event lasts in the calendar."""
PRIVATE_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
"""The private and minimal feeds' stamps count seconds from here, one per change: they advance
with SEQUENCE and say nothing of when anything was edited."""
SIZE_WARNING = 800 * 1024
"""Google Calendar is reported to stop refreshing subscriptions above about 1 MB."""
MAX_FEED_BYTES = 950 * 1024
"""The feed never grows past this: the follow-ups furthest ahead are left out first."""
_STAMP_BYTES = 80
"""What the stamp lines add to an event, at most."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_PRIORITY = {"high": 1, "medium": 5, "low": 9}
"""RFC 5545: 1 high, 5 medium, 9 low; a follow-up with no priority has no PRIORITY."""


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


def note_url(config: Config, note_path: str, page: str | None) -> str | None:
    """`obsidian://` when the vault's name is known (the path is the note's place in the
    Obsidian vault, which may be a folder above this one), else the page under `site_url`."""
    if config.vault_name:
        bare = note_path[:-3] if note_path.endswith(".md") else note_path
        inside = f"{config.obsidian_folder}/{bare}" if config.obsidian_folder else bare
        return (
            f"obsidian://open?vault={quote(config.vault_name, safe='')}"
            f"&file={quote(inside, safe='')}"
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


@dataclass(frozen=True)
class FeedInputs:
    """What the feed needs besides the vault and its follow-ups."""

    today: date
    now: datetime | None = None
    """When this build runs (UTC), the LAST-MODIFIED of what changed; None: the start of
    `today` (a reproducible build)."""
    secret: bytes | None = None
    """The vault's secret (store/state.py), which keys the private and minimal feeds' UIDs."""
    known: Mapping[str, Known] = field(default_factory=dict)
    """What subscribers last saw of each event (vaultkit/store/feedstate.py)."""

    def moment(self, tz: tzinfo) -> datetime:
        if self.now is not None:
            return self.now.astimezone(UTC)
        return datetime.combine(self.today, time(), tz).astimezone(UTC)


def _short_day(day: date, today: date) -> str:
    return f"{day.day} {day:%b}" + (f" {day.year}" if day.year != today.year else "")


def _description(
    vault: Vault, item: FollowUp, overdue: date | None, url: str | None, draft: str | None = None
) -> str:
    lines = []
    if overdue is not None:
        lines.append(f"Overdue since {overdue:%a} {overdue.day} {overdue:%b %Y}, still open.")
    lines += [plain(item.reason), ""]
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
    if url:
        # Google and Outlook do not show URL: the link goes where every client shows it.
        where = "Obsidian" if url.startswith("obsidian:") else "the site"
        lines.append(f"Open in {where}: {url}")
    lines.append(f"Rule: {item.rule} · priority {item.priority} · id {item.id}")
    if draft:
        lines += ["", draft]
    return clean("\n".join(lines))


def shown_on(item: FollowUp, config: Config, today: date) -> tuple[date | datetime, date | None]:
    """Where the feed puts the follow-up, and since when it is overdue (None if it is not):
    an open follow-up past its day goes on today, all day (`feed.overdue_on_today`)."""
    return _shown_on(item, config.tz, today, _window(config, today)[1])


def in_feed(item: FollowUp, config: Config, today: date) -> bool:
    """Follow-ups overdue by more than `feed.past_days` leave the feed (the agenda keeps them),
    so that it stays under the size calendar apps accept."""
    return item.due_date(config.tz) >= _window(config, today)[0]


def _window(config: Config, today: date) -> tuple[date, bool]:
    """The first day the feed shows, and whether overdue follow-ups go on today."""
    first = today - timedelta(days=int(config.get("feed.past_days")))
    return first, bool(config.get("feed.overdue_on_today") and not config.get("feed.todo"))


def _shown_on(
    item: FollowUp, tz: tzinfo, today: date, overdue_on_today: bool
) -> tuple[date | datetime, date | None]:
    day = item.due_date(tz)
    if day < today and overdue_on_today:
        return today, day
    if isinstance(item.due, datetime):
        return _zone(item.due, tz), None
    return item.due, None


def _event_fields(
    vault: Vault,
    item: FollowUp,
    pages: Mapping[str, str],
    today: date,
    uid: str,
    draft: str | None = None,
) -> tuple[Any, ...]:
    """Everything one VEVENT (or VTODO) says but its stamps, as plain values: cheap to compute,
    and the key under which its serialisation, the expensive part, is remembered."""
    config = vault.config
    start, overdue = shown_on(item, config, today)
    end = start + (
        timedelta(minutes=TIMED_MINUTES) if isinstance(start, datetime) else timedelta(days=1)
    )
    detail = config.get("feed.detail")
    label = RULES_BY_ID[item.rule].label if item.rule in RULES_BY_ID else item.rule
    description = url = priority = None
    late = f" (overdue since {_short_day(overdue, today)})" if overdue else ""
    if detail == "private":
        summary = "Follow-up (overdue)" if overdue else "Follow-up"
    elif detail == "minimal":
        company = one_line(_company_name(vault, item))
        summary = (f"{label}: {company}" if company else label) + late
    else:
        summary = (one_line(plain(item.title)) or label) + late
        url = note_url(config, item.note, pages.get(item.note))
        description = _description(vault, item, overdue, url, draft)
        priority = _PRIORITY.get(item.priority)
    categories = None
    if detail != "private":
        tags = [] if detail == "minimal" else [one_line(t) for t in item.tags]
        categories = tuple(dict.fromkeys(c for c in [item.rule, *tags] if c))
    minutes = config.get("feed.alarm_minutes")
    alarm = minutes if minutes is not None and minutes >= 0 else None
    return (
        bool(config.get("feed.todo")),
        uid,
        start,
        end,
        summary,
        description,
        url,
        priority,
        categories,
        alarm,
    )


def _event_bytes(fields: tuple[Any, ...]) -> bytes:
    """One component without its stamp lines, serialised."""
    todo, uid, start, end, summary, description, url, priority, categories, alarm = fields
    comp: Event | Todo = Todo() if todo else Event()
    comp.add("uid", uid)
    if todo:
        comp.add("due", start)
        comp.add("status", "NEEDS-ACTION")
    else:
        comp.add("dtstart", start)
        comp.add("dtend", end)
        comp.add("transp", "TRANSPARENT")
        comp.add("x-microsoft-cdo-busystatus", "FREE")  # Outlook's word for TRANSPARENT
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
        # A to-do has no start: its alarm counts back from DUE (RFC 5545 3.8.6.3).
        related = {"RELATED": "END"} if todo else {}
        reminder.add("trigger", timedelta(minutes=-alarm), parameters=related)
        reminder.add("description", summary)
        comp.add_component(reminder)
    return comp.to_ical()


def _stamp_lines(stamp: Stamp, private: bool) -> bytes:
    """DTSTAMP, SEQUENCE and LAST-MODIFIED, to go after the event's UID line. The private and
    minimal feeds count seconds from PRIVATE_EPOCH instead of telling the time of a change."""
    when = PRIVATE_EPOCH + timedelta(seconds=stamp.sequence) if private else stamp.modified
    text = when.strftime(STAMP_FORMAT)
    return f"DTSTAMP:{text}\r\nSEQUENCE:{stamp.sequence}\r\nLAST-MODIFIED:{text}\r\n".encode()


def _insert_stamps(body: bytes, lines: bytes) -> bytes:
    head, uid_line, rest = body.partition(b"\r\nUID:")
    line_end = rest.index(b"\r\n") + 2
    return head + uid_line + rest[:line_end] + lines + rest[line_end:]


def _timezones(starts: list[date | datetime]) -> list[Any]:
    years: dict[str, list[int]] = {}
    for start in starts:
        if isinstance(start, datetime) and isinstance(start.tzinfo, ZoneInfo):
            years.setdefault(start.tzinfo.key, []).append(start.year)
    return [vtimezone(key, min(ys) - 1, max(ys) + 1) for key, ys in sorted(years.items())]


def event_body(
    vault: Vault,
    item: FollowUp,
    pages: Mapping[str, str],
    inputs: FeedInputs,
    draft: str | None = None,
) -> bytes:
    """One follow-up's VEVENT (or VTODO) without its stamp lines: a function of the follow-up,
    what its record says, its note's page, its draft, the day and the feed's settings (the live
    engine keeps it while none of these changes)."""
    return serialise(event_fields(vault, item, pages, inputs, draft))


def event_fields(
    vault: Vault,
    item: FollowUp,
    pages: Mapping[str, str],
    inputs: FeedInputs,
    draft: str | None = None,
) -> tuple[Any, ...]:
    """Everything one event's body says, as plain values (cheap to compute): what its bytes
    are a function of, and the key under which the store keeps them."""
    uid = feed_uid(item.id, str(vault.config.get("feed.detail")), inputs.secret)
    return _event_fields(vault, item, pages, inputs.today, uid, draft)


def serialise(fields: tuple[Any, ...]) -> bytes:
    """An event's body, from its fields: written directly (vaultkit/render/ics_direct.py, the
    same bytes at a fraction of the cost) when icalendar is the version it was proved against
    and the fields are of the types it knows; else by icalendar, which builds and folds."""
    direct = ics_direct.event(*fields)
    return direct if direct is not None else _event_bytes(fields)


def _head(vault: Vault, starts: list[date | datetime]) -> bytes:
    """The calendar's properties and time zones, up to its first event."""
    config = vault.config
    cal = Calendar()
    name = one_line(str(config.get("feed.name"))) or "Job search follow-ups"
    hours = max(1, int(config.get("feed.refresh_hours")))
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
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
    for zone in _timezones(starts):
        cal.add_component(zone)
    whole = cal.to_ical()
    assert whole.endswith(CLOSING)
    return whole[: -len(CLOSING)]


CLOSING = b"END:VCALENDAR\r\n"
Place = tuple[str, str, FollowUp, date | datetime]
"""A follow-up's place in the feed: (when it starts, in UTC, as text; UID; the follow-up;
its start). The feed is in the order of the places' first two."""


def place_key(place: Place) -> tuple[str, str]:
    return place[0], place[1]


def placer(config: Config, inputs: FeedInputs) -> Callable[[FollowUp], Place | None]:
    """A follow-up's place in the feed, None when it is older than the feed's window."""
    detail, tz = str(config.get("feed.detail")), config.tz
    first, overdue_on_today = _window(config, inputs.today)

    def place(item: FollowUp) -> Place | None:
        if item.due_date(tz) < first:
            return None
        start, _ = _shown_on(item, tz, inputs.today, overdue_on_today)
        moment = (
            start.astimezone(UTC).isoformat() if isinstance(start, datetime) else start.isoformat()
        )
        return moment, feed_uid(item.id, detail, inputs.secret), item, start

    return place


def places(config: Config, followups: list[FollowUp], inputs: FeedInputs) -> list[Place]:
    """The places of the follow-ups the feed's window holds, in the feed's order."""
    place = placer(config, inputs)
    placed = [found for item in followups if (found := place(item)) is not None]
    placed.sort(key=place_key)
    return placed


def assemble(
    vault: Vault,
    placed: list[Place],
    event: Callable[[FollowUp], bytes],
    inputs: FeedInputs,
    *,
    digest_of: Callable[[bytes], str] = digest,
    told: dict[str, Known] | None = None,
    stamped: dict[tuple[bytes, bytes], bytes] | None = None,
) -> bytes:
    """The feed from the follow-ups `placed` (`places()`, in order) and each one's event
    without its stamps (`event(item)`: the bytes of `event_body`, however got): as many as
    fit, each stamped with what its content says to subscribers
    (vaultkit/store/feedstate.py). Events are asked for in order until the feed is full:
    those that would not fit are never made. The live engine passes a `digest_of` that
    remembers, a `told` that receives what the feed tells of each event (what
    `feedstate.read_feed` would read back from it), and `stamped`, each event with its
    stamps as the last feed had it (refilled with this feed's)."""
    config = vault.config
    detail = str(config.get("feed.detail"))
    head = _head(vault, [e[3] for e in placed])
    events = _within_budget(placed, event, len(head) + len(CLOSING))
    if len(events) < len(placed):  # the head names the zones of the events kept only
        head = _head(vault, [place[3] for place, _ in events])
    digests = {place[1]: digest_of(body) for place, body in events}
    stamps = advance(inputs.known, digests, inputs.moment(config.tz))
    private = detail != "full"
    if told is not None:
        for uid, stamp in stamps.items():
            when = PRIVATE_EPOCH + timedelta(seconds=stamp.sequence) if private else stamp.modified
            told[uid] = Known(digests[uid], stamp.sequence, when)
    lines: dict[Stamp, bytes] = {}  # most events share a few stamps: format each once
    last, kept = stamped or {}, {}

    def with_stamps(event: bytes, stamp: Stamp) -> bytes:
        text = lines.get(stamp)
        if text is None:
            text = lines[stamp] = _stamp_lines(stamp, private)
        found = last.get((event, text))
        kept[(event, text)] = found if found is not None else _insert_stamps(event, text)
        return kept[(event, text)]

    body = b"".join(with_stamps(body, stamps[place[1]]) for place, body in events)
    if stamped is not None:
        stamped.clear()
        stamped.update(kept)
    return head + body + CLOSING


def _within_budget(
    placed: list[Place], event: Callable[[FollowUp], bytes], overhead: int
) -> list[tuple[Place, bytes]]:
    """The soonest events that fit in MAX_FEED_BYTES besides `overhead` (the calendar's head
    and closing), each with its bytes. Google is reported to stop refreshing a feed above
    about 1 MB, for good: worse than missing the follow-ups furthest ahead, which the agenda
    still lists."""
    total = overhead
    events = []
    for place in placed:
        body = event(place[2])
        total += len(body) + _STAMP_BYTES
        if total > MAX_FEED_BYTES:
            break
        events.append((place, body))
    return events


def feed(
    vault: Vault,
    followups: list[FollowUp],
    pages: Mapping[str, str],
    inputs: FeedInputs,
    drafts: Mapping[str, str] | None = None,
) -> bytes:
    """The feed; `drafts` (follow-up id -> text) go into DESCRIPTION with `detail = "full"`."""
    texts = drafts or {}
    return assemble(
        vault,
        places(vault.config, followups, inputs),
        lambda item: event_body(vault, item, pages, inputs, texts.get(item.id)),
        inputs,
    )


def size_warning(data: bytes) -> Problem | None:
    """A warning as the feed nears the size calendar apps accept."""
    if len(data) < SIZE_WARNING:
        return None
    return warning(
        FEED_NAME,
        0,
        f"the calendar feed is {len(data) / 1024:.0f} KB; Google Calendar is reported to stop "
        f"refreshing subscriptions above about 1 MB, so the feed never grows past "
        f"{MAX_FEED_BYTES // 1024} KB: the follow-ups furthest ahead are left out first (the "
        "agenda lists them all). To keep them, lower `feed.past_days`, switch off rules you do "
        'not use, or (a full feed) set `feed.detail = "minimal"`',
    )


def render(
    vault: Vault,
    followups: list[FollowUp],
    pages: dict[str, str],
    inputs: FeedInputs,
    drafts: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    return {FEED_NAME: feed(vault, followups, pages, inputs, drafts)}
