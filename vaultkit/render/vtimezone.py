"""VTIMEZONE components with yearly RRULE rules, as desktop Outlook needs them.

A zone's rule for the years ahead is the POSIX TZ string at the end of its TZif file
(`CET-1CEST,M3.5.0,M10.5.0/3`): "from the last Sunday of March at 02:00, CEST, UTC+2; from the
last Sunday of October at 03:00, CET, UTC+1". Each such rule becomes a STANDARD or DAYLIGHT
component with `RRULE:FREQ=YEARLY;BYMONTH=…;BYDAY=…`. The rules are checked against the zone's
real transitions over the years the feed needs; a zone whose rules changed in that span (or
that the POSIX form cannot say, such as a transition at "26:00") falls back to icalendar's
explicit list of dates.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
_NAME = r"(?:[A-Za-z]{3,}|<[+\-\w]+>)"
_OFFSET = r"[+-]?\d{1,2}(?::\d{2}){0,2}"
_POSIX = re.compile(
    rf"^(?P<std>{_NAME})(?P<stdoff>{_OFFSET})"
    rf"(?:(?P<dst>{_NAME})(?P<dstoff>{_OFFSET})?"
    rf",M(?P<sm>\d+)\.(?P<sw>\d)\.(?P<sd>\d)(?:/(?P<st>{_OFFSET}))?"
    rf",M(?P<em>\d+)\.(?P<ew>\d)\.(?P<ed>\d)(?:/(?P<et>{_OFFSET}))?)?$"
)


@dataclass(frozen=True)
class Onset:
    """One yearly change: on the `week`th `weekday` (5: the last) of `month`, at `time` of the
    wall clock in force before it, the offset becomes `to` (named `name`)."""

    month: int
    week: int
    weekday: int  # 0 = Sunday, as in POSIX
    time: timedelta
    offset_from: timedelta
    offset_to: timedelta
    name: str

    def day(self, year: int) -> date:
        if self.week == 5:
            last = date(year, self.month % 12 + 1, 1) - timedelta(days=1)
            if self.month == 12:
                last = date(year, 12, 31)
            back = (last.isoweekday() % 7 - self.weekday) % 7
            return last - timedelta(days=back)
        first = date(year, self.month, 1)
        ahead = (self.weekday - first.isoweekday() % 7) % 7
        return first + timedelta(days=ahead + 7 * (self.week - 1))

    def local(self, year: int) -> datetime:
        return datetime.combine(self.day(year), datetime.min.time()) + self.time

    def utc(self, year: int) -> datetime:
        return (self.local(year) - self.offset_from).replace(tzinfo=UTC)

    def rrule(self) -> dict[str, object]:
        week = -1 if self.week == 5 else self.week
        return {
            "freq": "yearly",
            "bymonth": self.month,
            "byday": f"{week}{_WEEKDAYS[self.weekday]}",
        }


def _offset(text: str, posix: bool = True) -> timedelta:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    value = sign * timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])
    return -value if posix else value  # POSIX counts hours west of Greenwich


def _name(text: str) -> str:
    return text.strip("<>")


def parse_posix(text: str) -> tuple[str, timedelta, list[Onset]] | None:
    """(standard name, standard offset, the yearly onsets) of a POSIX TZ string; None for the
    forms this does not handle (Julian days, times outside the day)."""
    m = _POSIX.match(text)
    if not m:
        return None
    std, std_off = _name(m["std"]), _offset(m["stdoff"])
    if not m["dst"]:
        return std, std_off, []
    dst_off = _offset(m["dstoff"]) if m["dstoff"] else std_off + timedelta(hours=1)
    onsets = []
    for prefix, before, after, name in (
        ("s", std_off, dst_off, _name(m["dst"])),
        ("e", dst_off, std_off, std),
    ):
        month, week, weekday = int(m[f"{prefix}m"]), int(m[f"{prefix}w"]), int(m[f"{prefix}d"])
        time = _offset(m[f"{prefix}t"], posix=False) if m[f"{prefix}t"] else timedelta(hours=2)
        if not (1 <= month <= 12 and 1 <= week <= 5 and 0 <= weekday <= 6):
            return None
        if not timedelta(0) <= time < timedelta(days=1):
            return None  # "M3.4.4/26" (the day after): a yearly RRULE cannot say it
        onsets.append(Onset(month, week, weekday, time, before, after, name))
    return std, std_off, onsets


def _footer(key: str) -> str | None:
    """The POSIX TZ string of the zone's TZif file, from the system database or tzdata."""
    candidates = [Path(base) / key for base in zoneinfo.TZPATH]
    try:
        candidates.append(Path(str(resources.files("tzdata.zoneinfo").joinpath(key))))
    except (ModuleNotFoundError, TypeError):
        pass
    for path in candidates:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if not data.startswith(b"TZif"):
            continue
        tail = data.rstrip(b"\n").rsplit(b"\n", 1)
        if len(tail) == 2:
            try:
                return tail[1].decode("ascii")
            except UnicodeDecodeError:
                return None
    return None


def _agrees(key: str, std_off: timedelta, onsets: list[Onset], first: int, last: int) -> bool:
    """The rules give the zone's real offsets at every moment from `first` to `last` (years,
    inclusive), checked every six hours and on both sides of each onset."""
    zone = zoneinfo.ZoneInfo(key)
    changes = sorted((o.utc(y), o) for y in range(first, last + 1) for o in onsets)

    def expected(moment: datetime) -> timedelta:
        current = changes[-1][1].offset_to if changes else std_off
        if changes:
            # Before the first change of the range: the offset the first change leaves.
            current = changes[0][1].offset_from
        for at, onset in changes:
            if at <= moment:
                current = onset.offset_to
        return current

    moment = datetime(first, 1, 1, tzinfo=UTC)
    end = datetime(last + 1, 1, 1, tzinfo=UTC)
    probes = []
    while moment < end:
        probes.append(moment)
        moment += timedelta(hours=6)
    for at, _ in changes:
        probes += [at - timedelta(seconds=1), at]
    return all(p.astimezone(zone).utcoffset() == expected(p) for p in probes)


@functools.lru_cache(maxsize=64)
def vtimezone(key: str, first: int, last: int) -> Timezone:
    """The VTIMEZONE of zone `key`, right for events from year `first` to `last`."""
    parsed = _footer(key)
    rules = parse_posix(parsed) if parsed else None
    if rules is not None:
        std, std_off, onsets = rules
        if _agrees(key, std_off, onsets, first, last):
            return _build(key, std, std_off, onsets, first)
    zone = Timezone.from_tzid(key, first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))
    zone.pop("COMMENT", None)  # libical reads it as an iTIP violation
    return zone


def _build(key: str, std: str, std_off: timedelta, onsets: list[Onset], first: int) -> Timezone:
    zone = Timezone()
    zone.add("tzid", key)
    if not onsets:
        part: TimezoneStandard | TimezoneDaylight = TimezoneStandard()
        part.add("dtstart", datetime(first, 1, 1))
        part.add("tzname", std)
        part.add("tzoffsetfrom", std_off)
        part.add("tzoffsetto", std_off)
        zone.add_component(part)
        return zone
    for onset in sorted(onsets, key=lambda o: o.offset_to):
        # The onset with the larger offset is summer time (Dublin's is the winter one).
        part = TimezoneDaylight() if onset.offset_to > onset.offset_from else TimezoneStandard()
        part.add("dtstart", onset.local(first))
        part.add("rrule", onset.rrule())
        part.add("tzname", onset.name)
        part.add("tzoffsetfrom", onset.offset_from)
        part.add("tzoffsetto", onset.offset_to)
        zone.add_component(part)
    return zone
