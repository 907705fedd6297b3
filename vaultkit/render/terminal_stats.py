"""`vaultkit stats` and `vaultkit show` as a terminal reads them: sections, aligned columns, bars
drawn with block characters. Colour only when asked (the CLI decides)."""

from __future__ import annotations

from datetime import date, tzinfo

from vaultkit.render.terminal import _style
from vaultkit.vault.links import plain
from vaultkit.vault.problems import printable
from vaultkit.views.show import Timeline
from vaultkit.views.stats import Rate, Stats

BAR_WIDTH = 30


def pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def num(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def bar(value: float, top: float, width: int = BAR_WIDTH) -> str:
    if top <= 0 or value <= 0:
        return ""
    eighths = round(width * 8 * value / top)
    full, part = divmod(eighths, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")


def _heading(text: str, colour: bool) -> str:
    return "\n" + _style(text, colour, bold=True)


def _table(head: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    rows = [[printable(c) for c in r] for r in rows]  # values from notes: no ESC to the terminal
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return (
            "  "
            + "  ".join(
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )

    return [line(head), *(line(r) for r in rows)]


def _rates(title: str, rates: list[Rate], colour: bool) -> list[str]:
    out = [_heading(title, colour)]
    if not rates:
        return [*out, "  no applications"]
    rows = [
        [r.key, str(r.applications), str(r.responses), pct(r.rate), bar(r.rate or 0.0, 1.0, 20)]
        for r in rates
    ]
    return out + _table(["", "sent", "replies", "rate", ""], rows, {1, 2, 3})


def format_stats(stats: Stats, *, colour: bool) -> str:
    window = f" since {stats.since.isoformat()}" if stats.since else ""
    lines = [
        _style(
            f"Job search stats as of {stats.today:%a} {stats.today.isoformat()}{window}",
            colour,
            bold=True,
        ),
        f"{stats.companies} compan{'y' if stats.companies == 1 else 'ies'}, "
        f"{stats.applications} application(s), {stats.responses} with a response "
        f"({pct(stats.response_rate)}); median days to a response "
        f"{num(stats.median_days_to_response)}, to a first interview "
        f"{num(stats.median_days_to_interview)}",
    ]

    lines.append(_heading("Waiting on you", colour))
    if not stats.owed:
        lines.append("  nobody")
    who = max((len(printable(o.name)) for o in stats.owed), default=0)
    for o in stats.owed:
        late = f"{o.days_overdue}d overdue" if o.days_overdue else "today"
        lines.append(
            f"  {_style(late.rjust(12), colour, fg='red' if o.days_overdue else 'yellow')}  "
            f"{printable(o.name).ljust(who)}  {printable(o.title)}  "
            + _style(o.draft_command, colour, dim=True)
        )

    lines.append(_heading("Funnel", colour))
    top = max((s.count for s in stats.funnel), default=0)
    rows = [
        [
            s.stage,
            str(s.count),
            pct(s.conversion) if s.conversion is not None else "",
            bar(s.count, top),
        ]
        for s in stats.funnel
    ]
    lines += _table(["", "reached", "of prev", ""], rows, {1, 2})

    lines += _rates("Response rate by resume", stats.by_resume, colour)
    lines += _rates("Response rate by cover letter", stats.by_cover_letter, colour)
    lines += _rates("Response rate by source", stats.by_source, colour)

    lines.append(_heading("Why applications ended", colour))
    lines += _table(["", "companies"], [[s, str(n)] for s, n in stats.endings], {1})

    lines.append(_heading("Activity per week", colour))
    if not stats.weeks:
        lines.append("  nothing logged yet")
    else:
        rows = [
            [
                w.week,
                w.start.isoformat(),
                str(w.applied),
                str(w.touches),
                str(w.done),
                str(w.missed),
            ]
            for w in stats.weeks
        ]
        lines += _table(
            ["week", "from", "applied", "touches", "done", "missed"], rows, {2, 3, 4, 5}
        )
    return "\n".join(lines)


def show_date(day: date, today: date) -> str:
    return day.isoformat() + (" (ahead)" if day > today else "")


def format_show(item: Timeline, *, colour: bool, tz: tzinfo) -> str:
    from vaultkit.views.agenda import due_label, relative_label

    lines = [
        _style(printable(item.name), colour, bold=True)
        + "  "
        + _style(printable(f"{item.kind} · {item.path}"), colour, dim=True)
    ]
    width = max((len(k) for k, _ in item.fields), default=0)
    lines += [f"  {k.replace('_', ' ').ljust(width)}  {printable(v)}" for k, v in item.fields]

    lines.append(_heading(f"Open follow-ups ({len(item.followups)})", colour))
    if not item.followups:
        lines.append("  none")
    for f in item.followups:
        when = f"{due_label(f, item.today, tz)} ({relative_label(f, item.today, tz)})"
        late = f.due_date(tz) < item.today
        lines.append(
            f"  {_style(when, colour, fg='red' if late else None)}  {printable(f.title)}  "
            + _style(f"[{f.rule} {f.id}]", colour, dim=True)
        )
        lines.append(f"      {_style(printable(f.reason), colour, dim=True)}")

    lines.append(_heading(f"Timeline ({len(item.interactions)})", colour))
    if not item.interactions:
        lines.append("  nothing logged yet")
    for touch in reversed(item.interactions):
        text = plain(touch.text) if touch.text else touch.source
        if touch.source == "interview":
            text = f"{touch.text} interview" if touch.text else "interview"
        where = "" if touch.path == item.path else f"  ({touch.path}:{touch.line})"
        lines.append(
            f"  {show_date(touch.date, item.today)}  {printable(text)}"
            + _style(printable(where), colour, fg="cyan")
        )
    if item.mentioned_in:
        lines.append(_heading("Mentioned in", colour))
        lines += [f"  {printable(p)}" for p in item.mentioned_in]
    return "\n".join(lines)
