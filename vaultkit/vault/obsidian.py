"""Obsidian's own settings that say how a vault is laid out, read the way Obsidian reads them:
where daily notes go and how they are named (`.obsidian/daily-notes.json`, or the Periodic
Notes plugin), and the date formats of note templates. Formats are Moment.js formats
(`YYYY/MM/DD.MM.YYYY`), which this module turns into patterns to read and into text to write.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# Moment tokens, longest first, -> (regex, what it gives: y/m/d, or "" for a part only read)
_TOKENS: list[tuple[str, str, str]] = [
    ("YYYY", r"\d{4}", "Y"),
    ("YY", r"\d{2}", "y"),
    ("MMMM", r"[A-Za-z]+", "B"),
    ("MMM", r"[A-Za-z]{3}\.?", "b"),
    ("MM", r"\d{2}", "m"),
    ("M", r"\d{1,2}", "m"),
    ("Do", r"\d{1,2}(?:st|nd|rd|th)", "o"),
    ("DDDD", r"\d{3}", "j"),
    ("DDD", r"\d{1,3}", "j"),
    ("DD", r"\d{2}", "d"),
    ("D", r"\d{1,2}", "d"),
    ("dddd", r"[A-Za-z]+", ""),
    ("ddd", r"[A-Za-z]{3}", ""),
    ("dd", r"[A-Za-z]{2}", ""),
    ("d", r"\d", ""),
    ("E", r"\d", ""),
    ("e", r"\d", ""),
    ("GGGG", r"\d{4}", ""),
    ("gggg", r"\d{4}", ""),
    ("WW", r"\d{2}", ""),
    ("W", r"\d{1,2}", ""),
    ("ww", r"\d{2}", ""),
    ("w", r"\d{1,2}", ""),
    ("Q", r"[1-4]", ""),
    ("HH", r"\d{2}", ""),
    ("H", r"\d{1,2}", ""),
    ("hh", r"\d{2}", ""),
    ("h", r"\d{1,2}", ""),
    ("mm", r"\d{2}", ""),
    ("m", r"\d{1,2}", ""),
    ("ss", r"\d{2}", ""),
    ("s", r"\d{1,2}", ""),
    ("A", r"[AP]M", ""),
    ("a", r"[ap]m", ""),
    ("X", r"\d+", ""),
]


def _tokens(fmt: str) -> list[tuple[str, bool]]:
    """(piece, is a token) of a Moment format; `[text]` is literal text."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "[":
            end = fmt.find("]", i)
            if end > i:
                out.append((fmt[i + 1 : end], False))
                i = end + 1
                continue
        token = next((t for t, _, _ in _TOKENS if fmt.startswith(t, i)), None)
        if token:
            out.append((token, True))
            i += len(token)
        else:
            out.append((fmt[i], False))
            i += 1
    return out


@dataclass(frozen=True)
class MomentPattern:
    """A Moment format as a pattern that reads a date back out of text."""

    regex: re.Pattern[str]
    kinds: tuple[str, ...]
    """What each group gives (see _TOKENS)."""

    def date(self, text: str) -> date | None:
        m = self.regex.fullmatch(text)
        if not m:
            return None
        found: dict[str, int] = {}
        for kind, value in zip(self.kinds, m.groups(), strict=True):
            number = _number(kind, value)
            if number is None:
                return None
            key = {"Y": "y", "y": "y", "B": "m", "b": "m", "o": "d"}.get(kind, kind)
            if key in found and found[key] != number:
                return None  # `DD.MM.YYYY` twice, disagreeing
            found[key] = number
        try:
            if "j" in found and "y" in found:
                return date.fromordinal(date(found["y"], 1, 1).toordinal() + found["j"] - 1)
            return date(found["y"], found["m"], found["d"])
        except (KeyError, ValueError):
            return None


def _number(kind: str, value: str) -> int | None:
    if kind == "Y":
        return int(value)
    if kind == "y":
        return 2000 + int(value)
    if kind in ("B", "b"):
        word = value.lower().rstrip(".")
        found = [i for i, name in enumerate(MONTHS, 1) if name.startswith(word) and len(word) >= 3]
        return found[0] if len(found) == 1 else None
    if kind == "o":
        return int(re.match(r"\d+", value).group())  # type: ignore[union-attr]
    return int(value)


def moment_pattern(fmt: str) -> MomentPattern | None:
    """The pattern of a Moment date format; None when it cannot name a day (no year, or
    neither a month and a day nor a day of the year)."""
    parts: list[str] = []
    kinds: list[str] = []
    for piece, is_token in _tokens(fmt):
        if not is_token:
            parts.append(re.escape(piece))
            continue
        regex, kind = next((r, k) for t, r, k in _TOKENS if t == piece)
        # Each token atomic, matched greedily and never given back, as Moment reads a date:
        # a format from a settings file of the vault (`XXXXXXXXYYYYMMDD`) cannot make matching
        # a note's name backtrack for hours.
        if kind:
            parts.append(f"(?>({regex}))")
            kinds.append(kind)
        else:
            parts.append(f"(?>{regex})")
    given = set(kinds)
    has_year = bool(given & {"Y", "y"})
    has_day = (bool(given & {"d", "o"}) and bool(given & {"m", "B", "b"})) or "j" in given
    if not (has_year and has_day):
        return None
    return MomentPattern(re.compile("".join(parts), re.I), tuple(kinds))


def format_moment(fmt: str, when: datetime) -> str:
    """`when` written in the Moment format `fmt` (the tokens a template uses for a date or a
    time; an unknown letter stays as written)."""
    iso_year, iso_week, iso_day = when.isocalendar()
    values: dict[str, str] = {
        "YYYY": f"{when.year:04d}",
        "YY": f"{when.year % 100:02d}",
        "MMMM": MONTHS[when.month - 1].capitalize(),
        "MMM": MONTHS[when.month - 1][:3].capitalize(),
        "MM": f"{when.month:02d}",
        "M": str(when.month),
        "Do": f"{when.day}{_ordinal(when.day)}",
        "DDDD": f"{when.timetuple().tm_yday:03d}",
        "DDD": str(when.timetuple().tm_yday),
        "DD": f"{when.day:02d}",
        "D": str(when.day),
        "dddd": WEEKDAYS[when.weekday()].capitalize(),
        "ddd": WEEKDAYS[when.weekday()][:3].capitalize(),
        "dd": WEEKDAYS[when.weekday()][:2].capitalize(),
        "d": str((when.weekday() + 1) % 7),
        "E": str(iso_day),
        "e": str(when.weekday()),
        "GGGG": f"{iso_year:04d}",
        "gggg": f"{iso_year:04d}",
        "WW": f"{iso_week:02d}",
        "W": str(iso_week),
        "ww": f"{iso_week:02d}",
        "w": str(iso_week),
        "Q": str((when.month - 1) // 3 + 1),
        "HH": f"{when.hour:02d}",
        "H": str(when.hour),
        "hh": f"{(when.hour % 12) or 12:02d}",
        "h": str((when.hour % 12) or 12),
        "mm": f"{when.minute:02d}",
        "m": str(when.minute),
        "ss": f"{when.second:02d}",
        "s": str(when.second),
        "A": "AM" if when.hour < 12 else "PM",
        "a": "am" if when.hour < 12 else "pm",
        "X": str(int(when.timestamp())),
    }
    return "".join(values[p] if is_token else p for p, is_token in _tokens(fmt))


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


# ------------------------------------------------------------------------- daily notes

DEFAULT_DAILY_FORMAT = "YYYY-MM-DD"


@dataclass(frozen=True)
class DailyNotes:
    """Where the vault's daily notes are and how they are named."""

    folder: str
    """Relative to the vault, without slashes at the ends; "" for the vault itself."""
    format: str
    pattern: MomentPattern | None

    def date_of(self, path: str) -> date | None:
        """The day of the note at `path` (relative, with `.md`) when it is a daily note by
        these settings: below the folder, named by the format (which may hold folders)."""
        if self.pattern is None or not path.lower().endswith(".md"):
            return None
        rel = path[:-3]
        if self.folder:
            if not rel.lower().startswith(self.folder.lower() + "/"):
                return None
            rel = rel[len(self.folder) + 1 :]
        return self.pattern.date(rel)


SETTINGS_BYTES = 1024 * 1024
"""Obsidian's settings files hold a few hundred bytes; a larger one is not read."""


def read_settings(path: Path) -> Any:
    """A settings file's JSON; None when it is missing, not a regular file (a FIFO is never
    waited on, `/dev/zero` never read), over SETTINGS_BYTES, or not JSON."""
    from vaultkit.store.files import read_file

    try:
        data = read_file(path)
    except OSError:
        return None
    if len(data) > SETTINGS_BYTES:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


SETTINGS_FILES = (
    ".obsidian/daily-notes.json",
    ".obsidian/plugins/periodic-notes/data.json",
    ".obsidian/templates.json",
    ".obsidian/plugins/templater-obsidian/data.json",
)
"""The Obsidian settings vaultkit reads (a change to one changes what the vault means)."""


def daily_notes(
    vault: Path, folder: str = "", fmt: str = "", inside: str = ""
) -> DailyNotes | None:
    """The daily-notes settings in force: `folder`/`fmt` when given (vaultkit.toml, relative
    to the vault read), else the Periodic Notes plugin's daily settings when it is on, else
    the core Daily notes plugin's (`.obsidian/daily-notes.json`) of the Obsidian vault
    `vault`, whose folder `inside` is the vault read; None when nothing says where they are."""
    given = folder.strip().strip("/")
    found: dict[str, Any] | None = None
    periodic = read_settings(vault / ".obsidian/plugins/periodic-notes/data.json")
    daily = periodic.get("daily") if isinstance(periodic, dict) else None
    if isinstance(daily, dict) and daily.get("enabled", True):
        found = daily
    if found is None:
        core = read_settings(vault / ".obsidian/daily-notes.json")
        found = core if isinstance(core, dict) else None
    if found is None and not (folder or fmt):
        return None
    found = found or {}
    if not given:
        folder_setting = found.get("folder")
        given = folder_setting if isinstance(folder_setting, str) else ""
        given = given.strip().strip("/")
        if inside:  # Obsidian's folder is relative to its vault, which holds this one
            if given.lower() == inside.lower():
                given = ""
            elif given.lower().startswith(inside.lower() + "/"):
                given = given[len(inside) + 1 :]
            else:
                return None  # the daily notes are elsewhere in the Obsidian vault
    format_setting = found.get("format")
    fmt = fmt or (format_setting if isinstance(format_setting, str) else "")
    fmt = fmt.strip() or DEFAULT_DAILY_FORMAT
    return DailyNotes(given, fmt, moment_pattern(fmt))


def template_formats(vault: Path) -> tuple[str, str]:
    """The core Templates plugin's `{{date}}` and `{{time}}` formats (Obsidian's defaults when
    the vault sets none)."""
    found = read_settings(vault / ".obsidian/templates.json")
    found = found if isinstance(found, dict) else {}
    date_format, time_format = found.get("dateFormat"), found.get("timeFormat")
    date_format = date_format.strip() if isinstance(date_format, str) else ""
    time_format = time_format.strip() if isinstance(time_format, str) else ""
    return date_format or "YYYY-MM-DD", time_format or "HH:mm"
