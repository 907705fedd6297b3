"""The search as numbers: `compute_stats(vault, followups, today)` -> Stats. Pure: no I/O, no
clock. docs/stats.md defines every figure; the comments here say how the code reads them.

Words used below: an *application* is a company that reached `applied` (see `reached`); its
*applied date* A is its `applied` field. *After A* means a later day than A (docs/rules.md).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from vaultkit.errors import FieldError
from vaultkit.rules.followup import PRIORITY_ORDER, FollowUp
from vaultkit.vault.fields import local_date, parse_date
from vaultkit.vault.model import Interaction, Note, Vault
from vaultkit.vault.rulebook import RULES
from vaultkit.vault.vocabulary import BOTH, IN
from vaultkit.views.drafts import recipient

OWED = frozenset(r.id for r in RULES if r.owed)
"""Rules whose follow-ups, due, count as a message someone is waiting for."""
NONE_KEY = "(none)"
HEATMAP_WEEKS = 53


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when whole is 0 (shown as "–")."""
    return part / whole if whole else None


@dataclass(frozen=True)
class StageCount:
    stage: str
    count: int
    """Companies that reached this stage (or a later one)."""
    conversion: float | None
    """count / the previous stage's count; None for the first stage or a previous count of 0."""


@dataclass(frozen=True)
class Rate:
    key: str
    """The field's value (a resume version, a cover letter, a source), or `(none)`."""
    applications: int
    responses: int

    @property
    def rate(self) -> float | None:
        return ratio(self.responses, self.applications)


@dataclass(frozen=True)
class Week:
    week: str
    """ISO week, `2026-W48`."""
    start: date
    """Its Monday."""
    applied: int = 0
    touches: int = 0
    done: int = 0
    missed: int = 0


def reached(vault: Vault, company: Note, order: list[str]) -> int:
    """The furthest active stage (index in `order`) a company got to. A closed company counts
    as far as its fields show: `applied`, interviews, `offer`."""
    if company.stage in order:
        return order.index(company.stage)
    furthest = 0
    for stage, known in (
        ("applied", company.happened("applied")),
        ("interviewing", bool(company.interviews)),
        ("offer", company.happened("offer") or company.stage == "accepted"),
    ):
        if known and stage in order:
            furthest = max(furthest, order.index(stage))
    return furthest


@dataclass(frozen=True)
class Owed:
    """A message someone is waiting for: a follow-up that asks you to write, due by today."""

    name: str
    path: str
    """The company or contact waiting on you."""
    rule: str
    due: date
    days_overdue: int
    """0 when it is due today."""
    title: str
    reason: str
    id: str
    priority: str = "normal"

    @property
    def draft_command(self) -> str:
        return f"vaultkit draft {self.id}"


@dataclass(frozen=True)
class Stats:
    today: date
    since: date | None
    companies: int
    """Companies in the window (all companies without `since`)."""
    applications: int
    responses: int
    funnel: list[StageCount]
    by_resume: list[Rate]
    by_cover_letter: list[Rate]
    by_source: list[Rate]
    median_days_to_response: float | None
    median_days_to_interview: float | None
    endings: list[tuple[str, int]]
    """(closed stage, companies at it), every closed stage in pipeline order."""
    weeks: list[Week]
    days: dict[date, int] = field(default_factory=dict)
    """Activity per day (applications + touches + follow-ups done), for the heatmap."""
    owed: list[Owed] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return ratio(self.responses, self.applications)

    def to_json(self) -> dict[str, object]:
        def rates(items: list[Rate]) -> list[dict[str, object]]:
            return [
                {
                    "key": r.key,
                    "applications": r.applications,
                    "responses": r.responses,
                    "rate": r.rate,
                }
                for r in items
            ]

        return {
            "today": self.today.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "companies": self.companies,
            "applications": self.applications,
            "responses": self.responses,
            "response_rate": self.response_rate,
            "funnel": [
                {"stage": s.stage, "count": s.count, "conversion": s.conversion}
                for s in self.funnel
            ],
            "response_rate_by": {
                "resume": rates(self.by_resume),
                "cover_letter": rates(self.by_cover_letter),
                "source": rates(self.by_source),
            },
            "median_days_to_response": self.median_days_to_response,
            "median_days_to_interview": self.median_days_to_interview,
            "endings": {stage: n for stage, n in self.endings},
            "weeks": [
                {
                    "week": w.week,
                    "start": w.start.isoformat(),
                    "applied": w.applied,
                    "touches": w.touches,
                    "done": w.done,
                    "missed": w.missed,
                }
                for w in self.weeks
            ],
            "owed": [
                {
                    "name": o.name,
                    "path": o.path,
                    "rule": o.rule,
                    "due": o.due.isoformat(),
                    "days_overdue": o.days_overdue,
                    "title": o.title,
                    "reason": o.reason,
                    "id": o.id,
                    "priority": o.priority,
                    "draft": o.draft_command,
                }
                for o in self.owed
            ],
        }


def _order(vault: Vault) -> list[str]:
    return [s for s, active in vault.config.stages.items() if active]


def _stage_index(vault: Vault, company: Note, order: list[str]) -> int:
    return reached(vault, company, order)


def is_application(vault: Vault, company: Note, order: list[str]) -> bool:
    """It has an `applied` date (or checkbox), or it reached `applied` (or a later stage)."""
    if company.happened("applied"):
        return True
    return "applied" in order and _stage_index(vault, company, order) >= order.index("applied")


def _is_response(touch: Interaction, applied: date) -> bool:
    """Their message or a conversation after the applied date; never your own outreach, nor
    a touch that does not say who wrote (docs/stats.md says how direction is read)."""
    return touch.date > applied and touch.direction in (IN, BOTH)


def first_response(company: Note, today: date) -> date | None:
    """The first response after the applied date (an inbound or two-way touch)."""
    applied = company.get("applied")
    if applied is None:
        return None
    for touch in company.interactions:
        if touch.date <= today and _is_response(touch, applied):
            return touch.date
    return None


def responded(vault: Vault, company: Note, order: list[str], today: date) -> bool:
    """A stage past `applied`, or a response after the applied date (but a `ghosted` company's
    log lines are taken to be your own chasing)."""
    if "applied" in order and _stage_index(vault, company, order) > order.index("applied"):
        return True
    if company.stage == "ghosted":
        return False
    return first_response(company, today) is not None


def first_interview(company: Note, vault: Vault, today: date) -> date | None:
    applied = company.get("applied")
    if applied is None:
        return None
    days = sorted(
        d
        for i in company.interviews
        if applied < (d := local_date(i.when, vault.config.tz)) <= today
    )
    return days[0] if days else None


def _start(company: Note) -> date | None:
    """When an application starts, for `since`: its applied date, else its first touch."""
    if "applied" in company.fields:
        return company.get("applied")
    return company.interactions[0].date if company.interactions else None


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _rates(vault: Vault, apps: list[Note], name: str, order: list[str], today: date) -> list[Rate]:
    groups: dict[str, list[int]] = {}
    for company in apps:
        key = str(company.get(name) or "").strip() or NONE_KEY
        counts = groups.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += responded(vault, company, order, today)
    return [
        Rate(k, n, r)
        for k, (n, r) in sorted(groups.items(), key=lambda kv: (kv[0] == NONE_KEY, kv[0].lower()))
    ]


def iso_week(day: date) -> tuple[str, date]:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}", day - timedelta(days=day.weekday())


def _touches(vault: Vault) -> list[Interaction]:
    """Every logged touch once (a log line linking a contact and their company is one touch)."""
    seen: dict[tuple[date, str, str, int], Interaction] = {}
    for note in vault.notes.values():
        for touch in note.interactions:
            if touch.source != "applied":
                seen.setdefault((touch.date, touch.source, touch.path, touch.line), touch)
    return sorted(seen.values(), key=lambda t: (t.date, t.path, t.line))


def _done_tags() -> frozenset[str]:
    return frozenset(r.closes_with for r in RULES if r.closes_with)


def _done_tasks(vault: Vault) -> Iterable[date]:
    for note in vault.notes.values():
        for task in note.tasks:
            if task.status == "done" and task.done:
                try:
                    yield parse_date(task.done)
                except FieldError:
                    continue  # reported by `check`


def compute_stats(
    vault: Vault,
    followups: list[FollowUp],
    today: date,
    since: date | None = None,
    checkpoint: Callable[[], None] = lambda: None,
) -> Stats:
    """`checkpoint()` is called between the stages of the computation: the live engine's
    way of abandoning it (by raising) when a newer save is waiting."""
    order = _order(vault)
    tz = vault.config.tz

    def in_window(day: date | None) -> bool:
        return day is not None and (since is None or day >= since)

    companies = sorted(vault.records("company"), key=lambda n: n.path)
    if since is not None:
        companies = [c for c in companies if in_window(_start(c))]
    apps = [c for c in companies if is_application(vault, c, order)]
    checkpoint()

    counts = [0] * len(order)
    for company in companies:
        for i in range(_stage_index(vault, company, order) + 1):
            counts[i] += 1
    funnel = [
        StageCount(stage, n, ratio(n, counts[i - 1]) if i else None)
        for i, (stage, n) in enumerate(zip(order, counts, strict=True))
    ]

    to_response = [
        (d - c.get("applied")).days
        for c in apps
        if responded(vault, c, order, today) and (d := first_response(c, today)) is not None
    ]
    to_interview = [
        (d - c.get("applied")).days
        for c in apps
        if (d := first_interview(c, vault, today)) is not None
    ]
    checkpoint()
    closed = [s for s, active in vault.config.stages.items() if not active]
    endings = [(s, sum(c.stage == s for c in companies)) for s in closed]

    # Activity: by ISO week and by day, up to today, from `since` on.
    weeks: dict[str, dict[str, int]] = {}
    days: dict[date, int] = {}

    def count(day: date, what: str, *, heat: bool = True) -> None:
        if not in_window(day) or day > today:
            return
        got = weeks.setdefault(iso_week(day)[0], {})
        got[what] = got.get(what, 0) + 1
        if heat:
            days[day] = days.get(day, 0) + 1

    for company in vault.records("company"):
        if company.get("applied") is not None:
            count(company.get("applied"), "applied")
    done_tags = _done_tags()
    checkpoint()
    for touch in _touches(vault):
        count(touch.date, "touches")
        if touch.tags & done_tags:
            count(touch.date, "done", heat=False)  # already counted as a touch
    for day in _done_tasks(vault):
        count(day, "done")
    for item in followups:
        if item.due_date(tz) < today:
            count(item.due_date(tz), "missed", heat=False)

    checkpoint()
    first = min((d for d in days), default=None)
    missed_weeks = [k for k, v in weeks.items() if v.get("missed")]
    starts = [d for d in (first, since) if d is not None]
    starts += [date.fromisocalendar(int(w[:4]), int(w[6:]), 1) for w in missed_weeks]
    week_rows = []
    if starts:
        monday = iso_week(min(starts))[1]
        while monday <= today:
            key = iso_week(monday)[0]
            got = weeks.get(key, {})
            week_rows.append(
                Week(
                    key,
                    monday,
                    got.get("applied", 0),
                    got.get("touches", 0),
                    got.get("done", 0),
                    got.get("missed", 0),
                )
            )
            monday += timedelta(days=7)

    owed = []
    for item in followups:
        due = item.due_date(tz)
        if item.rule in OWED and due <= today:  # a message is asked of you, by today
            person = recipient(vault, item, today)
            path = person.path if person else item.record or item.note
            name = vault.notes[path].name if path in vault.notes else path
            owed.append(
                Owed(
                    name,
                    path,
                    item.rule,
                    due,
                    (today - due).days,
                    item.title,
                    item.reason,
                    item.id,
                    item.priority,
                )
            )
    checkpoint()
    # Most urgent first: the longest overdue, then high priority, then by name.
    owed.sort(
        key=lambda o: (-o.days_overdue, PRIORITY_ORDER.get(o.priority, 1), o.name.lower(), o.id)
    )

    rates = []
    for name in ("resume", "cover_letter", "source"):
        checkpoint()
        rates.append(_rates(vault, apps, name, order, today))
    return Stats(
        today=today,
        since=since,
        companies=len(companies),
        applications=len(apps),
        responses=sum(responded(vault, c, order, today) for c in apps),
        funnel=funnel,
        by_resume=rates[0],
        by_cover_letter=rates[1],
        by_source=rates[2],
        median_days_to_response=_median(to_response),
        median_days_to_interview=_median(to_interview),
        endings=endings,
        weeks=week_rows,
        days=dict(sorted(days.items())),
        owed=owed,
    )
