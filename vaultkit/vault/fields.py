"""Typed fields: one processor per field kind turns a frontmatter value into a Python value, or
says what was expected. FIELDS is the reference table that docs/note-format.md describes."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from vaultkit.errors import ExpressionError, FieldError
from vaultkit.vault.config import parse_duration
from vaultkit.vault.links import link_target
from vaultkit.vault.obsidian import MomentPattern, moment_pattern
from vaultkit.vault.parse import find_links

When = date | datetime
"""A date, or a timezone-aware datetime when the note gave a time."""

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?$", re.I
)


EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
"""Dates outside these are typos (and near year 9999, arithmetic and calendars overflow)."""


def _in_range(day: date, text: str) -> date:
    if not EARLIEST <= day <= LATEST:
        raise FieldError(
            f"{text!r} is out of range: use a year from {EARLIEST.year} to {LATEST.year}"
        )
    return day


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    applies_to: tuple[str, ...]


FIELDS: list[Field] = [
    Field("name", "text", ("company", "contact")),
    Field("aliases", "list", ("company", "contact")),
    Field("tags", "tags", ("company", "contact")),
    Field("role", "text", ("company", "contact")),
    Field("stage", "stage", ("company",)),
    Field("applied", "date", ("company",)),
    Field("follow_up", "when", ("company", "contact")),
    Field("contacts", "links", ("company",)),
    Field("interviews", "interviews", ("company",)),
    Field("offer", "date", ("company",)),
    Field("offer_deadline", "date", ("company",)),
    Field("pitch", "text", ("company",)),
    Field("resume", "text", ("company",)),
    Field("cover_letter", "text", ("company",)),
    Field("url", "text", ("company",)),
    Field("location", "text", ("company",)),
    Field("source", "text", ("company",)),
    Field("salary", "text", ("company",)),
    Field("priority", "text", ("company", "contact")),
    Field("company", "link", ("contact",)),
    Field("relationship", "text", ("contact",)),
    Field("email", "text", ("contact",)),
    Field("phone", "text", ("contact",)),
    Field("linkedin", "text", ("contact",)),
    Field("linkedin_connected", "date", ("contact",)),
    Field("met", "date", ("contact",)),
    Field("met_at", "text", ("contact",)),
    Field("last_contact", "date", ("company", "contact")),
    Field("cadence", "duration", ("contact",)),
    Field("awaiting_reply", "date", ("contact",)),
    Field("info_interview", "when", ("contact",)),
]
FIELDS_BY_NAME = {f.name: f for f in FIELDS}

KIND_FORMS = {
    "text": "text",
    "list": "a list of text",
    "tags": "a list of tags",
    "stage": "a stage",
    "date": "a date like 2026-11-20",
    "when": "a date like 2026-11-20 or a date and time like 2026-11-20T14:30",
    "link": 'a link like "[[Jane Doe]]"',
    "links": 'a list of links like ["[[Jane Doe]]", "[[Raj Patel]]"]',
    "duration": "a duration like 10d, 3w, 2m, monthly or quarterly",
    "interviews": "a list of interviews, each with `date`, `with` and `kind`",
}


def squash(name: str) -> str:
    """A property name without case or punctuation: `Applied-Date` and `applied_date` are one."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_empty(value: Any) -> bool:
    """Obsidian templates leave properties empty; an empty value means the field is absent."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return all(is_empty(v) for v in (value.values() if isinstance(value, dict) else value))
    return False


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else repr(value.strip())
    return text if len(text) <= 60 else text[:57] + "…'"


def local_date(when: When, tz: tzinfo) -> date:
    """The day `when` falls on in the zone `tz` (a date is its own day)."""
    return when.astimezone(tz).date() if isinstance(when, datetime) else when


def show_when(when: When, tz: tzinfo) -> str:
    """How a person writes it: `2026-12-03`, or `2026-12-03 10:00` in the vault's zone."""
    if isinstance(when, datetime):
        return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return when.isoformat()


_DATAVIEW_DATE = re.compile(
    r"""^=?\s*+date\(\s*+(?:"([^"]*+)"|'([^']*+)'|([^,()"'\s]++(?:\s++[^,()"'\s]++)*+))"""
    r"""\s*+(?:,\s*+["']([^"']*+)["']\s*+)?\)$""",
    re.I,
)
"""`date(literal)` or `date("text", "format")`. Every run possessive, an unquoted literal made
of words: spaces inside `date(` that never close cost one pass, where `\\s*(.*?)\\s*` tried
every way of sharing them out (cubic: 3,000 spaces took minutes)."""
_RELATIVE = {"today", "now", "tomorrow", "yesterday", "sow", "eow", "som", "eom", "soy", "eoy"}
_LUXON = [
    ("yyyy", r"(?P<y>\d{4})"),
    ("yy", r"(?P<yy>\d{2})"),
    ("MMMM", r"(?P<B>[A-Za-z]+)"),
    ("MMM", r"(?P<b>[A-Za-z]{3})"),
    ("LLLL", r"(?P<B>[A-Za-z]+)"),
    ("LLL", r"(?P<b>[A-Za-z]{3})"),
    ("MM", r"(?P<m>\d{2})"),
    ("LL", r"(?P<m>\d{2})"),
    ("M", r"(?P<m>\d{1,2})"),
    ("L", r"(?P<m>\d{1,2})"),
    ("dd", r"(?P<d>\d{2})"),
    ("d", r"(?P<d>\d{1,2})"),
    ("HH", r"\d{2}"),
    ("H", r"\d{1,2}"),
    ("mm", r"\d{2}"),
    ("ss", r"\d{2}"),
]
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def is_expression(value: Any) -> bool:
    """A Dataview expression or query (`= …`, `date(…)`, `this.file.…`), not a value."""
    text = value.strip() if isinstance(value, str) else ""
    return text.startswith("=") or bool(re.match(r"^(date|dur|this|dv)\b[(.]", text))


def dataview_date(text: str) -> str:
    """A literal Dataview date as ISO text: `date(2024-01-18)`, `date("2024-01-18")`,
    `= date("01-18-2024", "MM-dd-yyyy")` (a Luxon format). Any other expression (a relative
    `date(today)`, `this.file.ctime`) is an ExpressionError."""
    m = _DATAVIEW_DATE.match(text.strip())
    literal = next((g for g in m.groups()[:3] if g is not None), "").strip() if m else ""
    if not m or not literal or literal.lower() in _RELATIVE:
        raise ExpressionError(
            f"{text.strip()!r} is a Dataview expression, not a value: vaultkit reads dates "
            "and literal `date(…)`; write the date itself"
        )
    if not m.group(4):
        return literal
    pattern, at = "", 0
    fmt = m.group(4)
    while at < len(fmt):
        token = next((t for t, _ in _LUXON if fmt.startswith(t, at)), None)
        if token:
            regex = dict(_LUXON)[token]
            if "?P<" in regex and f"?P<{regex[4 : regex.index('>')]}>" in pattern:
                regex = "\\d+"  # a part written twice is read once
            pattern, at = pattern + f"(?>{regex})", at + len(token)  # atomic, as Luxon reads
        else:
            pattern, at = pattern + re.escape(fmt[at]), at + 1
    found = re.fullmatch(pattern, literal)
    if not found:
        raise FieldError(f"{literal!r} does not have the form {fmt!r} its `date(…)` gives")
    parts = found.groupdict()
    year = int(parts["y"]) if parts.get("y") else 2000 + int(parts.get("yy") or 0)
    name = (parts.get("B") or parts.get("b") or "").lower()[:3]
    month = _MONTHS.index(name) + 1 if name in _MONTHS else int(parts.get("m") or 0)
    return f"{year:04d}-{month:02d}-{int(parts.get('d') or 0):02d}"


# Dates written out, as Notion, Google Sheets and people write them (`Dec 6, 2025`,
# `December 6, 2025`, `6 December 2025`): the month's name makes them unambiguous, so they are
# read without a setting. Numeric ones (`12/06/2025`) are read in the vault's `date_format`.
_WRITTEN_FORMATS = (
    "YYYY-MM-DD",  # with a time ISO does not write: `2025-12-06 2:00 PM`
    "YYYY/MM/DD",
    "YYYY.MM.DD",
    "MMMM D, YYYY",
    "MMM D, YYYY",
    "MMMM D YYYY",
    "MMMM Do, YYYY",
    "D MMMM YYYY",
    "D MMM YYYY",
    "D MMMM, YYYY",
    "Do MMMM YYYY",
    "dddd, MMMM D, YYYY",
    "ddd, MMM D, YYYY",
)
_WRITTEN_TIME = re.compile(
    r"^(.*?\S)(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})\s*([ap])?\.?m?\.?)?$", re.I
)
_NUMERIC_DATE = re.compile(r"^\d{1,2}([/.-])\d{1,2}\1\d{2,4}\b")


@functools.cache
def _written_patterns(date_format: str) -> tuple[MomentPattern, ...]:
    """The patterns dates written otherwise than ISO are read by: the vault's `date_format`
    (its `MM` and `DD` also reading `6` for `06`), then the spelled-out forms."""
    loose = re.sub(r"(?<![MD])(MM|DD)(?![MDo])", lambda m: m.group(1)[0], date_format)
    found = (moment_pattern(f) for f in ([loose] if date_format else []) + [*_WRITTEN_FORMATS])
    return tuple(p for p in found if p is not None)


def _written_date(text: str, date_format: str) -> tuple[date, tuple[int, int] | None] | None:
    """A date written otherwise than ISO, and the time after it if any (`December 4, 2025
    2:00 PM`, `12/04/2025 14:00`); None when it is not one."""
    m = _WRITTEN_TIME.match(text) if len(text) <= 60 else None  # a date is short
    if not m:
        return None
    clock = None
    if m.group(2):
        hour, minute = int(m.group(2)), int(m.group(3))
        if m.group(4):
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if m.group(4).lower() == "p" else 0)
        if hour > 23 or minute > 59:
            return None
        clock = (hour, minute)
    for pattern in _written_patterns(date_format):
        if (day := pattern.date(m.group(1))) is not None:
            return _in_range(day, text), clock
    return None


def _not_a_date(value: Any, expected: str) -> FieldError:
    text = value.strip() if isinstance(value, str) else ""
    if _NUMERIC_DATE.match(text):
        sep = _NUMERIC_DATE.match(text).group(1)  # type: ignore[union-attr]
        return FieldError(
            f"expected {expected}, got {_shown(value)}: to read dates written this way, set "
            f'`date_format = "MM{sep}DD{sep}YYYY"` (or "DD{sep}MM{sep}YYYY") in vaultkit.toml'
        )
    return FieldError(f"expected {expected}, got {_shown(value)}")


def parse_date(value: Any, date_format: str = "") -> date:
    """A date: ISO (`2026-11-20`, a datetime's day), a literal Dataview `date(…)`, a date
    with its month spelled out (`Nov 20, 2026`), or one in the vault's `date_format`."""
    if isinstance(value, datetime):
        return _in_range(value.date(), value.isoformat())
    if isinstance(value, date):
        return _in_range(value, value.isoformat())
    text = str(value).strip() if isinstance(value, str) else None
    if text is None:
        raise FieldError(f"expected {KIND_FORMS['date']}, got {_shown(value)}")
    if is_expression(text):
        text = dataview_date(text)
    m = _DATE.match(text)
    if m:
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise FieldError(f"{text!r} is not a day on the calendar") from None
        return _in_range(day, text)
    if _DATETIME.match(text):
        when = parse_when(text, None)
        return when.date() if isinstance(when, datetime) else when
    if (written := _written_date(text, date_format)) is not None:
        return written[0]
    raise _not_a_date(value, KIND_FORMS["date"])


def parse_when(value: Any, tz: tzinfo | None, date_format: str = "") -> When:
    """A date, or a datetime (aware: a naive one is taken in `tz`, the vault's zone)."""
    if isinstance(value, str):
        text = value.strip()
        if is_expression(text):
            text = dataview_date(text)
        m = _DATETIME.match(text)
        if m:
            clock = m.group(2) if len(m.group(2).split(":")[0]) == 2 else "0" + m.group(2)
            offset = (m.group(3) or "").upper()
            if offset and offset != "Z" and ":" not in offset:
                offset = offset[:3] + ":" + offset[3:]
            try:
                moment = datetime.fromisoformat(f"{m.group(1)}T{clock}{offset}")
            except ValueError:
                raise FieldError(f"{text!r} is not a real date and time") from None
            _in_range(moment.date(), text)
            if moment.tzinfo is None and tz is not None:
                moment = moment.replace(tzinfo=tz)
            return moment
        written = None if _DATE.match(text) else _written_date(text, date_format)
        if written is not None and written[1] is not None:
            day, (hour, minute) = written[0], written[1]
            return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    return parse_date(value, date_format)


def parse_text(value: Any) -> str:
    while isinstance(value, list) and len(value) == 1:
        value = value[0]  # Obsidian's list property holding one value (`status: [Applied]`)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip()
    raise FieldError(f"expected text, got {_shown(value)}")


def parse_list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if is_empty(item):
            continue
        if isinstance(item, list) and len(item) == 1 and isinstance(item[0], str):
            item = item[0]  # `aliases: [[X]]` parses as a nested list
        out.append(parse_text(item))
    return out


def parse_tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,\s]+", value)
    return [t.lstrip("#").lower() for t in parse_list(value) if t.lstrip("#")]


def parse_links(value: Any) -> list[str]:
    """Link targets from `"[[A]]"`, `A`, a list of them, or YAML's reading of an unquoted
    `[[A]]` (a list in a list) — the link the user meant."""
    items = value if isinstance(value, list) else [value]
    targets: list[str] = []
    for item in items:
        while isinstance(item, list) and len(item) == 1:
            item = item[0]
        if is_empty(item):
            continue
        if not isinstance(item, str):
            raise FieldError(f"expected {KIND_FORMS['links']}, got {_shown(value)}")
        found = find_links(item)
        if found:
            targets.extend(found)
        else:
            targets.extend(link_target(part) for part in item.split(",") if part.strip())
    return targets


def parse_link(value: Any) -> str:
    targets = parse_links(value)
    if len(targets) != 1:
        raise FieldError(f"expected {KIND_FORMS['link']}, got {_shown(value)}")
    return targets[0]


def parse_cadence(value: Any) -> tuple[int, str]:
    parsed = parse_duration(str(value)) if isinstance(value, str | int) else None
    if parsed is None:
        raise FieldError(f"expected {KIND_FORMS['duration']}, got {_shown(value)}")
    return parsed


@dataclass(frozen=True)
class RawInterview:
    when: When
    with_: list[str]
    kind: str


_LEADING_WHEN = re.compile(r"^(\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?)\s*(.*)$")


def parse_interview(item: Any, tz: tzinfo | None, date_format: str = "") -> RawInterview | None:
    """One item of `interviews:` (None when empty); a bad one raises FieldError."""
    if is_empty(item):
        return None
    if isinstance(item, str):  # "2026-11-20 14:30 onsite with [[Raj Patel]]"
        m = _LEADING_WHEN.match(item.strip())
        if not m:  # a date written otherwise (`Interview: Dec 4, 2025 2:00 PM`), alone
            try:
                return RawInterview(parse_when(item, tz, date_format), [], "")
            except FieldError:
                raise FieldError(
                    f"expected {KIND_FORMS['interviews']}, got {_shown(item)}"
                ) from None
        rest = re.sub(r"\[\[[^\[\]]*\]\]|\bwith\b", " ", m.group(2))  # no `[` inside: linear
        return RawInterview(
            parse_when(m.group(1), tz, date_format), find_links(m.group(2)), " ".join(rest.split())
        )
    if not isinstance(item, dict):
        raise FieldError(f"expected {KIND_FORMS['interviews']}, got {_shown(item)}")
    entry = {str(k).lower(): v for k, v in item.items()}
    if is_empty(entry.get("date")):
        raise FieldError(f"an interview needs a `date`, got {_shown(item)}")
    when = parse_when(entry["date"], tz, date_format)
    people = [] if is_empty(entry.get("with")) else parse_links(entry["with"])
    kind = "" if is_empty(entry.get("kind")) else parse_text(entry["kind"])
    return RawInterview(when, people, kind)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_PROCESSORS: dict[str, Any] = {
    "text": lambda v, tz, fmt: parse_text(v),
    "stage": lambda v, tz, fmt: parse_text(v),
    "list": lambda v, tz, fmt: parse_list(v),
    "tags": lambda v, tz, fmt: parse_tags(v),
    "date": lambda v, tz, fmt: parse_date(v, fmt),
    "when": parse_when,
    "link": lambda v, tz, fmt: parse_link(v),
    "links": lambda v, tz, fmt: parse_links(v),
    "duration": lambda v, tz, fmt: parse_cadence(v),
    "interviews": lambda v, tz, fmt: [
        parse_interview(i, tz, fmt) for i in (v if isinstance(v, list) else [v])
    ],
}
assert set(_PROCESSORS) == set(KIND_FORMS)


def parse_value(kind: str, value: Any, tz: tzinfo | None, date_format: str = "") -> Any:
    """`value` read as a field of `kind` (see KIND_FORMS); FieldError when it does not fit. A
    stage is only read as text here: which stage it means is the config's to say. A Dataview
    expression is an ExpressionError, but for a literal `date(…)` in a date. `date_format` is
    the vault's Moment format for numeric dates that are not ISO (`MM/DD/YYYY`)."""
    if kind not in ("date", "when") and is_expression(value):
        raise ExpressionError(
            f"{value.strip()!r} is a Dataview expression, not a value: vaultkit reads only "
            "what is written; write the value itself"
        )
    return _PROCESSORS[kind](value, tz, date_format)
