"""The feed's events written directly: the bytes icalendar would give, without building its model.

Why: icalendar builds a property object per value and folds each line one character at a time,
which made serialising the events a large share of a cold build and of each watched save. The
feed's events use a handful of value types (TEXT, URI, INTEGER, DATE, DATE-TIME in a named zone
or UTC, DURATION, a CATEGORIES list), so they are written here in a few lines each.

icalendar stays the model and the reference (vaultkit/render/ics.py): this path is taken only
under the exact version whose output tests/test_ics_direct.py proves byte-identical on fuzzed
events (PROVEN_VERSION), and only for values of the types it knows; for anything else `event`
returns None and the caller asks icalendar. Each helper names the icalendar code it mirrors.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from icalendar.timezone.tzid import tzid_from_tzinfo

PROVEN_VERSION = "7.3.2"
"""The icalendar whose bytes the property tests compare against; any other version (its
escaping, folding or property order may change) goes back to icalendar itself."""

_FOLD_AT = 74
"""parser.string._foldline starts a new line before a character that would make the line
reach 75 octets: a line holds at most 74 (a continuation line 74 after its leading space)."""
_CONTINUATION = 0b1100_0000
_RFC6868 = re.compile(r'\^|\r\n|\r|\n|"')
_RFC6868_BY = {"^": "^^", "\r\n": "^n", "\r": "^n", "\n": "^n", '"': "^'"}
_QUOTABLE = re.compile("[,;:’]")
_PRIORITIES = range(0, 10)
"""RFC 5545's PRIORITY (icalendar's vInt accepts more; the feed writes 1, 5 or 9)."""


def event(
    todo: bool,
    uid: Any,
    start: Any,
    end: Any,
    summary: Any,
    description: Any,
    url: Any,
    priority: Any,
    categories: Any,
    alarm: Any,
) -> bytes | None:
    """What ics._event_bytes makes of these fields (a VEVENT, or a VTODO with `todo`, and a
    VALARM with `alarm` minutes), or None when this module cannot promise the same bytes."""
    if icalendar.__version__ != PROVEN_VERSION:
        return None
    if not (
        _is_str(uid)
        and _is_str(summary)
        and (description is None or _is_str(description))
        and (not url or (_is_str(url) and "\r" not in url and "\n" not in url))
        and (priority is None or (type(priority) is int and priority in _PRIORITIES))
        and (categories is None or (type(categories) in (tuple, list)))
        and (categories is None or all(_is_str(c) for c in categories))
        and (alarm is None or type(alarm) is int)
    ):
        return None
    starts = _when("DUE" if todo else "DTSTART", start)
    ends = "" if todo else _when("DTEND", end)
    if starts is None or ends is None:
        return None
    # Property order is icalendar's: VEVENT's canonical_order first (SUMMARY, DTSTART, DTEND,
    # UID), then the rest alphabetically; VTODO and VALARM have none, so all alphabetical.
    cats = None if categories is None else ",".join(_text(c) for c in categories)
    desc = None if description is None else _text(description)
    prio = None if priority is None else str(priority)
    props: list[tuple[str, str | None]]
    if todo:
        props = [
            ("CATEGORIES:", cats),
            ("DESCRIPTION:", desc),
            ("", starts),
            ("PRIORITY:", prio),
            ("STATUS:", "NEEDS-ACTION"),
            ("SUMMARY:", _text(summary)),
            ("UID:", _text(uid)),
            ("URL:", url or None),
        ]
    else:
        props = [
            ("SUMMARY:", _text(summary)),
            ("", starts),
            ("", ends),
            ("UID:", _text(uid)),
            ("CATEGORIES:", cats),
            ("DESCRIPTION:", desc),
            ("PRIORITY:", prio),
            ("TRANSP:", "TRANSPARENT"),
            ("URL:", url or None),
            ("X-MICROSOFT-CDO-BUSYSTATUS:", "FREE"),
        ]
    kind = "VTODO" if todo else "VEVENT"
    lines = [f"BEGIN:{kind}"]
    lines += [name + _unbom(value) for name, value in props if value is not None]
    if alarm is not None:
        # ics._event_bytes: a to-do's alarm counts back from DUE (RELATED=END).
        trigger = "TRIGGER;RELATED=END:" if todo else "TRIGGER:"
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:" + _unbom(_text(summary)),
            trigger + _duration(timedelta(minutes=-alarm)),
            "END:VALARM",
        ]
    lines.append(f"END:{kind}")
    return b"".join(_fold(line.encode()) + b"\r\n" for line in lines)


def _is_str(value: object) -> bool:
    # Exactly str: icalendar keeps one of its own property types as it is (params and all).
    return type(value) is str


def _text(value: str) -> str:
    """A TEXT value: prop.text.vText.to_ical (parser.string._escape_char, in its order)."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _unbom(value: str) -> str:
    # Contentline.from_parts decodes a property's value bytes as utf-8-sig: a value (the whole
    # of it: the first category only) loses one leading byte order mark.
    return value.removeprefix("\ufeff")


def _when(name: str, value: object) -> str | None:
    """A DATE (`;VALUE=DATE`) or DATE-TIME (`;TZID=` in a named zone, a `Z` in UTC) content
    line, as prop.dt.vDDDTypes writes it; None for what only icalendar knows how to write
    (another tzinfo, a naive time, a subclass)."""
    if type(value) is date:
        return f"{name};VALUE=DATE:{value.year:04}{value.month:02}{value.day:02}"
    if type(value) is not datetime:
        return None
    stamp = (
        f"{value.year:04}{value.month:02}{value.day:02}"
        f"T{value.hour:02}{value.minute:02}{value.second:02}"
    )
    zone = value.tzinfo
    if zone is UTC:
        return f"{name}:{stamp}Z"
    if type(zone) is not ZoneInfo or not isinstance(zone.key, str):
        return None
    tzid = _tzid(zone)
    if tzid is None:
        return None
    if tzid == "UTC":  # RFC 5545 forbids TZID=UTC: icalendar writes a `Z` instead
        return f"{name}:{stamp}Z"
    return f"{name};TZID={_param(tzid)}:{stamp}"


@lru_cache(maxsize=256)
def _tzid(zone: ZoneInfo) -> str | None:
    # icalendar's own table decides: a zone it holds equivalent to UTC (Etc/UCT, ...) is
    # written as UTC. A lookup per zone, not per event.
    return tzid_from_tzinfo(zone)


def _param(value: str) -> str:
    """A parameter value: RFC 6868 escaping, then double quotes around `,;:’`
    (parser.parameter.param_value and dquote)."""
    value = _RFC6868.sub(lambda m: _RFC6868_BY[m.group()], value).replace('"', "'")
    return f'"{value}"' if _QUOTABLE.search(value) else value


def _duration(delta: timedelta) -> str:
    """prop.dt.duration.vDuration.to_ical for whole minutes (the alarm's): a sign, the days,
    then the hours and minutes that are not zero; `P0D` for none."""
    sign = ""
    if delta.days < 0:
        sign, delta = "-", -delta
    hours, minutes = divmod(delta.seconds // 60, 60)
    clock = ("T" if delta.seconds else "") + (f"{hours}H" if hours else "")
    clock += f"{minutes}M" if minutes else ""
    if delta.days == 0 and clock:
        return f"{sign}P{clock}"
    return f"{sign}P{delta.days}D{clock}"


def _fold(line: bytes) -> bytes:
    """parser.string._foldline on the encoded line: each piece is the longest run of whole
    UTF-8 characters that fits in _FOLD_AT octets, less a last `\\` or `^`, which goes to the
    next line so an escape is never split (icalendar issue #1501)."""
    if len(line) <= _FOLD_AT:
        return line
    pieces = []
    start = 0
    while len(line) - start > _FOLD_AT:
        end = start + _FOLD_AT
        while line[end] & _CONTINUATION == 0b1000_0000:  # inside a character: back to its start
            end -= 1
        if line[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)
