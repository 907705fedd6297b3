"""Obsidian Tasks' recurrence rules (`🔁 every week on Monday when done`): what they say, and the
date of the next occurrence, worked out as the Tasks plugin does (it hands the rule to the
rrule library):

- the next date is the first the rule gives after the reference date (the task's due date,
  else its scheduled date, else its start date), or after today with `when done`;
- a rule that names no day (`every month`, `every 3 months`) moves the reference date on by
  its interval, and when that day does not exist in the month reached (31 January plus a
  month) takes the month's last day instead of skipping the month;
- a rule that names days (`every month on the 31st`) follows them and skips what does not
  exist, as the iCalendar rules it is made of do.

The forms read are those of the Tasks documentation; docs/note-format.md lists them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = tuple(m.lower() for m in calendar.month_name[1:])
UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
         "months": "month", "year": "year", "years": "year"}  # fmt: skip
LOOKAHEAD_DAYS = 366 * 8
"""How far to look for the next day a rule names (8 years: every leap day, every 4 years)."""


@dataclass(frozen=True)
class Rule:
    freq: str
    """`day`, `week`, `month` or `year`."""
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    """0 = Monday … 6 = Sunday."""
    monthdays: tuple[int, ...] = ()
    """1 … 31, or -1 for the last day."""
    nth: tuple[int, int] | None = None
    """(n, weekday): the 2nd Wednesday is (2, 2), the last Friday (-1, 4)."""
    months: tuple[int, ...] = ()
    when_done: bool = False

    @property
    def names_days(self) -> bool:
        return bool(self.weekdays or self.monthdays or self.nth or self.months)


_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)$")


def _weekday(word: str) -> int | None:
    word = word.lower().rstrip("s")  # "mondays"
    for i, name in enumerate(WEEKDAYS):
        if word in (name, name[:3]):
            return i
    return None


def _month(word: str) -> int | None:
    word = word.lower()
    for i, name in enumerate(MONTHS, 1):
        if word in (name, name[:3]):
            return i
    return None


def _list(text: str) -> list[str]:
    return [w for w in re.split(r"\s*(?:,|\band\b)\s*", text.strip()) if w]


def _ordinal(word: str) -> int | None:
    if word == "last":
        return -1
    m = _ORDINAL.match(word)
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 31 else None


def _on_the(text: str) -> tuple[tuple[int, ...], tuple[int, int] | None] | None:
    """`the 1st and 15th`, `the last`, `the 2nd Wednesday`, `the 2nd last Friday`."""
    words = text.split()
    if not words or words[0] != "the":
        return None
    rest = words[1:]
    if len(rest) >= 2 and _weekday(rest[-1]) is not None:  # the [2nd] [last] Friday
        weekday = _weekday(rest[-1])
        assert weekday is not None
        head = rest[:-1]
        if head == ["last"]:
            return (), (-1, weekday)
        if len(head) == 2 and head[1] == "last" and (n := _ordinal(head[0])) and 0 < n <= 5:
            return (), (-n, weekday)
        if len(head) == 1 and (n := _ordinal(head[0])) and 0 < n <= 5:
            return (), (n, weekday)
        return None
    days = [_ordinal(w) for w in _list(" ".join(rest))]
    if not days or any(d is None for d in days):
        return None
    return tuple(d for d in days if d is not None), None


def parse_rule(text: str) -> Rule | None:
    """The rule `text` says, or None when it is not one this module understands."""
    words = " ".join(text.lower().replace(";", " ").split())
    when_done = words.endswith(" when done")
    words = words.removesuffix(" when done")
    if not words.startswith("every"):
        return None
    words = words.removeprefix("every").strip()
    if words == "weekday":
        return Rule("week", weekdays=(0, 1, 2, 3, 4), when_done=when_done)
    # `every 2 weeks on Friday`, `every month on the last`, `every year`
    m = re.fullmatch(r"(?:(\d{1,3}) )?(days?|weeks?|months?|years?)(?: on (.+))?", words)
    if m:
        interval = int(m.group(1) or 1)
        freq = UNITS[m.group(2)]
        if interval < 1 or (m.group(1) is None and m.group(2).endswith("s")):
            return None
        if m.group(3) is None:
            return Rule(freq, interval, when_done=when_done)
        on = m.group(3)
        if freq == "week":
            days = [_weekday(w) for w in _list(on)]
            if not days or None in days:
                return None
            return Rule(
                freq, interval, tuple(sorted(d for d in days if d is not None)), when_done=when_done
            )
        if freq == "month":
            found = _on_the(on)
            if found is None:
                return None
            return Rule(freq, interval, monthdays=found[0], nth=found[1], when_done=when_done)
        return None
    # `every Sunday`, `every Tuesday, Friday`
    days = [_weekday(w) for w in _list(words)]
    if days and None not in days:
        return Rule(
            "week", weekdays=tuple(sorted(d for d in days if d is not None)), when_done=when_done
        )
    # `every January on the 15th`, `every April and December on the 1st and 24th`
    m = re.fullmatch(r"(.+?) on (the .+)", words)
    if m:
        months = [_month(w) for w in _list(m.group(1))]
        found = _on_the(m.group(2))
        if months and None not in months and found is not None:
            return Rule(
                "year",
                months=tuple(sorted(x for x in months if x is not None)),
                monthdays=found[0],
                nth=found[1],
                when_done=when_done,
            )
    return None


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))  # a day the month lacks: its last day


def _period(day: date, freq: str) -> int:
    """Which week (Monday first), month or year since the epoch `day` is in."""
    if freq == "week":
        return (day.toordinal() - 1) // 7
    if freq == "month":
        return day.year * 12 + day.month - 1
    if freq == "year":
        return day.year
    return day.toordinal()


def _matches(rule: Rule, day: date) -> bool:
    if rule.months and day.month not in rule.months:
        return False
    if rule.weekdays and day.weekday() not in rule.weekdays:
        return False
    last = calendar.monthrange(day.year, day.month)[1]
    if rule.monthdays and not any(
        d == day.day or (d == -1 and day.day == last) for d in rule.monthdays
    ):
        return False
    if rule.nth is not None:
        n, weekday = rule.nth
        if day.weekday() != weekday:
            return False
        if n > 0 and (day.day - 1) // 7 + 1 != n:
            return False
        if n < 0 and (last - day.day) // 7 + 1 != -n:
            return False
    return True


def next_date(rule: Rule, reference: date, today: date) -> date:
    """The next occurrence's reference date (see the module's doc)."""
    base = today if rule.when_done else reference
    if not rule.names_days:
        if rule.freq == "day":
            return base + timedelta(days=rule.interval)
        if rule.freq == "week":
            return base + timedelta(weeks=rule.interval)
        return _add_months(base, rule.interval * (12 if rule.freq == "year" else 1))
    start = _period(base, rule.freq)
    day = base
    for _ in range(LOOKAHEAD_DAYS):
        day += timedelta(days=1)
        if (_period(day, rule.freq) - start) % rule.interval == 0 and _matches(rule, day):
            return day
    raise ValueError(f"no date in the next {LOOKAHEAD_DAYS // 366} years fits the rule")
