"""The agenda as a terminal reads it: sections, aligned columns, the reason under each item."""

from __future__ import annotations

from datetime import date, tzinfo

from vaultkit.agenda import due_label, group, relative_label
from vaultkit.followup import FollowUp
from vaultkit.problems import printable

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
    items: list[FollowUp], today: date, tz: tzinfo, *, colour: bool, empty: str | None = None
) -> str:
    """The agenda; `empty` replaces the hint shown when nothing is due."""
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
    title_width = min(MAX_TITLE, max(len(f.title) for f in items))
    indent = " " * (2 + due_width + 2 + rel_width + 3)
    for section, members in group(items, today, tz):
        lines.append("")
        lines.append(_style(section, colour, bold=True, fg=_SECTION_COLOURS.get(section)))
        for item in members:
            mark = "! " if item.priority == "high" else "  "
            title = printable(item.title)
            title = title if len(title) <= title_width else title[: title_width - 1] + "…"
            title = title.ljust(title_width)
            lines.append(
                "  "
                + due[item.id].ljust(due_width)
                + "  "
                + _style(relative[item.id].rjust(rel_width), colour, dim=True)
                + " "
                + _style(mark, colour, fg="red", bold=True)
                + title
                + "  "
                + _style(printable(f"{item.note}:{item.line}"), colour, fg="cyan")
            )
            # The id, for `vaultkit done ID`, then why the follow-up exists.
            lines.append(
                indent
                + _style(item.id, colour, fg="magenta")
                + "  "
                + _style(printable(item.reason), colour, dim=True)
            )
    return "\n".join(lines)
