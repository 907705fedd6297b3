"""The agenda as a terminal reads it: sections, aligned columns, the reason under each item;
and as vim's quickfix list reads it, one `path:line: …` line per follow-up.

Columns are measured in display cells (wcwidth: a CJK character or an emoji takes two), so
titles in any script line up. Colour follows the conventions of no-color.org and
force-color.org (see `colour_wanted`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date, tzinfo
from pathlib import Path

from vaultkit.rules.followup import FollowUp
from vaultkit.vault.problems import printable
from vaultkit.views.agenda import due_label, group, relative_label


def colour_wanted(stream_is_terminal: bool, env: Mapping[str, str]) -> bool:
    """Colour on a terminal that can show it: never with `NO_COLOR` (any non-empty value,
    no-color.org); always with `FORCE_COLOR` (any non-empty value but `0` or `false`,
    force-color.org), even into a pipe; never on `TERM=dumb` (which cannot show it)."""
    if env.get("NO_COLOR"):
        return False
    force = env.get("FORCE_COLOR", "")
    if force and force.lower() not in ("0", "false"):
        return True
    return stream_is_terminal and env.get("TERM") != "dumb"


def display_width(text: str) -> int:
    """How many terminal cells `text` takes (a control character, already escaped by
    `printable` in what is printed, counts as none)."""
    if text.isascii() and text.isprintable():
        return len(text)  # one cell each: wcwidth (40 ms of an agenda's start) not needed
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(c), 0) for c in text)


def fit(text: str, width: int) -> str:
    """`text` cut to `width` cells (ending with `…` when cut) and padded to exactly `width`."""
    if display_width(text) > width:
        from wcwidth import wcwidth

        cut, used = [], 0
        for char in text:
            cells = max(wcwidth(char), 0)
            if used + cells > width - 1:
                break
            cut.append(char)
            used += cells
        text = "".join(cut) + "…"
    return text + " " * (width - display_width(text))


def shown_path(vault: Path, rel: str, here: Path) -> str:
    """A note's path as it works from `here` (the current folder): relative when `here` is
    inside the vault or holds it, else absolute."""
    target = vault / rel
    try:
        if here == vault or here.is_relative_to(vault) or vault.is_relative_to(here):
            return os.path.relpath(target, here).replace(os.sep, "/")
    except ValueError:  # another drive (Windows)
        pass
    return str(target)


def gf_escape(path: str) -> str:
    """`path` as vim's `gF` (and a shell) reads it under the cursor: a space escaped as `\\ `."""
    return path.replace(" ", "\\ ")


def format_quickfix(
    items: list[FollowUp], today: date, tz: tzinfo, where: Callable[[str], str]
) -> str:
    """One line per follow-up, `path:line: day title [id]`, for vim's quickfix list
    (`:cexpr system('vaultkit agenda --quickfix')`, or `vim -q <(vaultkit agenda --quickfix)`);
    the path works from the current folder and may hold spaces (quickfix reads up to `:`)."""
    lines = []
    for item in items:
        day = item.due_date(tz)
        late = f"overdue since {day.isoformat()} " if day < today else f"{day.isoformat()} "
        mark = "! " if item.priority == "high" else ""
        text = printable(f"{late}{mark}{item.title} [{item.id}]")
        lines.append(f"{printable(where(item.note))}:{item.line}: {text}")
    return "\n".join(lines)


_SECTION_COLOURS = {"Overdue": "red", "Today": "yellow"}
MAX_TITLE = 60


def _style(text: str, colour: bool, **style: object) -> str:
    if not colour:
        return text
    codes = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36}
    parts = []
    if style.get("bold"):
        parts.append("1")
    if style.get("dim"):
        parts.append("2")
    if style.get("fg") in codes:
        parts.append(str(codes[str(style["fg"])]))
    return f"\033[{';'.join(parts)}m{text}\033[0m" if parts else text


def format_agenda(
    items: list[FollowUp],
    today: date,
    tz: tzinfo,
    *,
    colour: bool,
    where: Callable[[str], str] | None = None,
    empty: str | None = None,
) -> str:
    """The agenda. `where(note)` is the note's path as shown (relative to the vault when not
    given); spaces in it are escaped so that vim's `gF` opens it at its line. `empty`
    replaces the hint shown when nothing is due."""
    overdue = sum(f.due_date(tz) < today for f in items)
    header = f"Agenda for {today:%a} {today.day} {today:%b %Y}"
    count = f"{len(items)} follow-up{'s' if len(items) != 1 else ''}"
    if overdue:
        count += f", {overdue} overdue"
    lines = [_style(header, colour, bold=True) + "  ·  " + count]
    if not items:
        lines.append("")
        lines.append(
            empty or "Nothing due. Add `follow_up:` dates or tasks with 📅 dates to your notes."
        )
        return "\n".join(lines)
    due = {f.id: due_label(f, today, tz) for f in items}
    relative = {f.id: relative_label(f, today, tz) for f in items}
    due_width = max(map(len, due.values()))
    rel_width = max(map(len, relative.values()))
    title_width = min(MAX_TITLE, max(display_width(printable(f.title)) for f in items))
    shown = where or (lambda rel: rel)
    indent = " " * (2 + due_width + 2 + rel_width + 3)
    for section, members in group(items, today, tz):
        lines.append("")
        lines.append(_style(section, colour, bold=True, fg=_SECTION_COLOURS.get(section)))
        for item in members:
            mark = "! " if item.priority == "high" else "  "
            title = fit(printable(item.title), title_width)
            lines.append(
                "  "
                + due[item.id].ljust(due_width)
                + "  "
                + _style(relative[item.id].rjust(rel_width), colour, dim=True)
                + " "
                + _style(mark, colour, fg="red", bold=True)
                + title
                + "  "
                + _style(printable(f"{gf_escape(shown(item.note))}:{item.line}"), colour, fg="cyan")
            )
            # The id, for `vaultkit done ID`, then why the follow-up exists.
            lines.append(
                indent
                + _style(item.id, colour, fg="magenta")
                + "  "
                + _style(printable(item.reason), colour, dim=True)
            )
    return "\n".join(lines)
