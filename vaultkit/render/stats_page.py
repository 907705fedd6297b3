"""stats.html: the search as pictures, drawn here as inline SVG (no script, no network): the
funnel, response rate by resume version, and a calendar heatmap of activity. Each chart has a
<title>, a <desc> (its text alternative) and a table of the same numbers beside it (the page's
markup, tables and the charts' CSS are templates/stats.html). Colours are the stylesheet's
variables, so the charts follow light and dark mode."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from markupsafe import Markup

from vaultkit.render.html import link, page_values
from vaultkit.render.site import SiteData
from vaultkit.render.templating import render
from vaultkit.views.stats import HEATMAP_WEEKS, Stats

PAGE = "stats.html"
WIDTH = 640
LABEL_WIDTH = 170
BAR_HEIGHT = 24
GAP = 8
CELL = 13
CELL_GAP = 3
LEVELS = 4


def pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def days_text(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g} day" + ("" if value == 1 else "s")


def _svg(
    ident: str, title: str, desc: str, width: int, height: int, body: str, css: str = ""
) -> str:
    size = f' class="{css}" width="{width}" height="{max(height, 1)}"' if css else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} '
        f'{max(height, 1)}"{size} aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def bar_chart(
    ident: str, title: str, rows: list[tuple[str, float, str]], *, top: float, centred: bool = False
) -> str:
    """Horizontal bars: (label, value, shown text) per row, `top` the value of a full bar."""
    room = WIDTH - LABEL_WIDTH - 90
    parts = []
    for i, (label, value, shown) in enumerate(rows):
        y = i * (BAR_HEIGHT + GAP)
        w = round(room * value / top) if top and value > 0 else 0
        x = LABEL_WIDTH + ((room - w) // 2 if centred else 0)
        mid = y + BAR_HEIGHT // 2 + 5
        short = label if len(label) <= 24 else label[:23] + "…"
        track = (
            ""
            if centred
            else f'<rect class="track" x="{LABEL_WIDTH}" y="{y}" '
            f'width="{room}" height="{BAR_HEIGHT}" rx="4"/>'
        )
        parts.append(
            f"<g><title>{escape(label)}: {escape(shown)}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{mid}" text-anchor="end">{escape(short)}</text>'
            f'{track}<rect class="bar" x="{x}" y="{y}" width="{max(w, 2)}" '
            f'height="{BAR_HEIGHT}" rx="4"/>'
            f'<text x="{LABEL_WIDTH + room + 8}" y="{mid}">{escape(shown)}</text></g>'
        )
    desc = "; ".join(f"{label}: {shown}" for label, _, shown in rows) or "no data"
    height = len(rows) * (BAR_HEIGHT + GAP) - GAP
    return _svg(ident, title, desc, WIDTH, height, "".join(parts))


def _level(n: int, top: int) -> int:
    if n <= 0 or top <= 0:
        return 0
    return max(1, min(LEVELS, -(-n * LEVELS // top)))


def heatmap_range(stats: Stats) -> tuple[date, date]:
    """Mondays of the first and last week drawn: from the first active day (or `since`), at
    most HEATMAP_WEEKS weeks back, to today's week."""
    last = stats.today - timedelta(days=stats.today.weekday())
    earliest = last - timedelta(weeks=HEATMAP_WEEKS - 1)
    starts = [d for d in (min(stats.days, default=None), stats.since) if d is not None]
    first = min(starts) if starts else stats.today
    first -= timedelta(days=first.weekday())
    return max(first, earliest), last


def heatmap(stats: Stats) -> str:
    first, last = heatmap_range(stats)
    weeks = (last - first).days // 7 + 1
    left, top_pad = 34, 18
    top = max((n for d, n in stats.days.items() if first <= d <= stats.today), default=0)
    parts = []
    for label, row in (("Mon", 0), ("Wed", 2), ("Fri", 4)):
        parts.append(
            f'<text class="muted" x="0" y="{top_pad + row * (CELL + CELL_GAP) + 10}">{label}</text>'
        )
    labels: list[tuple[int, str]] = []
    for col in range(weeks):
        monday = first + timedelta(weeks=col)
        if col == 0 or monday.day <= 7:
            if labels and col - labels[-1][0] < 3:
                labels.pop()  # a month cut short at the left: name the next one
            labels.append((col, f"{monday:%b}"))
    for col, name in labels:
        parts.append(
            f'<text class="muted" x="{left + col * (CELL + CELL_GAP)}" y="11">{name}</text>'
        )
    total = active = 0
    for col in range(weeks):
        monday = first + timedelta(weeks=col)
        x = left + col * (CELL + CELL_GAP)
        for row in range(7):
            day = monday + timedelta(days=row)
            if day > stats.today:
                break
            n = stats.days.get(day, 0)
            total += n
            active += n > 0
            y = top_pad + row * (CELL + CELL_GAP)
            parts.append(
                f'<rect class="cell l{_level(n, top)}" x="{x}" y="{y}" width="{CELL}" '
                f'height="{CELL}" rx="2"><title>{day.isoformat()}: {n}</title></rect>'
            )
    legend_y = top_pad + 7 * (CELL + CELL_GAP) + 8
    legend = [f'<text class="muted" x="{left}" y="{legend_y + 10}">Less</text>']
    for i in range(LEVELS + 1):
        legend.append(
            f'<rect class="l{i}" x="{left + 34 + i * (CELL + CELL_GAP)}" '
            f'y="{legend_y}" width="{CELL}" height="{CELL}" rx="2"/>'
        )
    legend.append(
        f'<text class="muted" x="{left + 40 + (LEVELS + 1) * (CELL + CELL_GAP)}" '
        f'y="{legend_y + 10}">More</text>'
    )
    width = max(left + weeks * (CELL + CELL_GAP), 260)
    busiest = max(stats.days.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    desc = (
        f"Activity from {first.isoformat()} to {stats.today.isoformat()}: {total} "
        f"action(s) on {active} day(s)"
        + (f"; busiest day {busiest[0].isoformat()} with {busiest[1]}" if busiest else "")
        + ". Darker cells mean more activity."
    )
    return _svg(
        "heatmap",
        "Activity per day",
        desc,
        width,
        legend_y + CELL + 2,
        "".join(parts + legend),
        css="heat",
    )


def _counts(stats: Stats) -> list[tuple[str, str]]:
    return [
        ("applications", str(stats.applications)),
        ("responded", str(stats.responses)),
        ("response rate", pct(stats.response_rate)),
        ("median days to a response", days_text(stats.median_days_to_response).split(" ")[0]),
        ("median days to an interview", days_text(stats.median_days_to_interview).split(" ")[0]),
        ("people waiting on you", str(len(stats.owed))),
    ]


def render_stats_page(data: SiteData) -> dict[str, bytes]:
    stats = data.stats
    funnel_rows = [
        (
            s.stage,
            float(s.count),
            str(s.count) if s.conversion is None else f"{s.count} ({pct(s.conversion)})",
        )
        for s in stats.funnel
    ]
    funnel = bar_chart(
        "funnel",
        "Funnel: companies that reached each stage",
        funnel_rows,
        top=max((s.count for s in stats.funnel), default=0),
        centred=True,
    )
    resume_rows = [
        (r.key, r.rate or 0.0, f"{pct(r.rate)} of {r.applications}") for r in stats.by_resume
    ]
    resume = bar_chart("resume", "Response rate by resume version", resume_rows, top=1.0)
    owed = [(o, link(data, PAGE, o.path) if o.path in data.pages else None) for o in stats.owed]
    text = render(
        "stats.html",
        **page_values(PAGE, "Stats"),
        weekday=f"{data.today:%A}",
        today=data.today,
        since=stats.since,
        stats=stats,
        cells=_counts(stats),
        owed=owed,
        pct=pct,
        # The charts' SVG is built here, each name it draws escaped.
        funnel=Markup(funnel),
        resume=Markup(resume),
        heatmap=Markup(heatmap(stats)),
    )
    return {PAGE: text.encode()}
