"""The job-search habits, each a rule over the model (docs/rules.md describes each one).

Conventions: a follow-up's `note` is the note it is about (where `vaultkit done` records it),
`record` the company or contact to contact. Closed stages stop a company's derived rules.
"After X" means a later day than X.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath
from typing import NamedTuple

from vaultkit.errors import FieldError
from vaultkit.rules.context import RuleContext
from vaultkit.rules.followup import FollowUp, stable_id
from vaultkit.vault.config import CONFIG_NAME, parse_duration
from vaultkit.vault.fields import When, local_date, parse_date, show_when, squash
from vaultkit.vault.identity import note_identity
from vaultkit.vault.model import Interaction, Interview, Note, Vault, with_parents
from vaultkit.vault.vocabulary import BOTH, OUT


def _touched(
    note: Note,
    today: date,
    *,
    after: date | None = None,
    on_or_after: date | None = None,
    tag: str | None = None,
    until: date | None = None,
) -> Interaction | None:
    """The first interaction of `note` that fits every condition given. A touch dated after
    today (a planned call written ahead) has not happened yet, so it does not count."""
    for touch in note.interactions:
        if touch.source == "applied" or touch.date > today:
            continue
        if after is not None and touch.date <= after:
            continue
        if on_or_after is not None and touch.date < on_or_after:
            continue
        if until is not None and touch.date > until:
            continue
        if tag is not None and tag not in touch.tags:
            continue
        return touch
    return None


def _active_companies(vault: Vault) -> Iterator[Note]:
    return (n for n in vault.records("company") if vault.is_active(n))


def _priority(note: Note, default: str = "normal") -> str:
    return "high" if str(note.get("priority") or "").lower() == "high" else default


def _days(ctx: RuleContext) -> int:
    return int(ctx.setting("days"))


def _past_interviews(company: Note, ctx: RuleContext) -> list[Interview]:
    return [i for i in company.interviews if local_date(i.when, ctx.tz) <= ctx.today]


def _pending_application(company: Note, today: date) -> date | None:
    """The `applied` date, while the company is at `applied` with no touch since."""
    applied = company.get("applied")
    if company.stage != "applied" or applied is None:
        return None
    return None if _touched(company, today, after=applied) else applied


def _pending_check_in(company: Note, ctx: RuleContext) -> date | None:
    """The last interview's day, while interviewing with no touch since."""
    past = _past_interviews(company, ctx)
    if company.stage != "interviewing" or not past:
        return None
    last = max(local_date(i.when, ctx.tz) for i in past)
    return None if _touched(company, ctx.today, after=last) else last


def _about(
    ctx: RuleContext,
    record: Note,
    key: str,
    *,
    due: When,
    title: str,
    reason: str,
    line: int,
    priority: str = "normal",
) -> FollowUp:
    """A follow-up about `record` itself, kept in its own note; `key` tells it apart from the
    rule's other follow-ups for that note (see `stable_id`; the note is known by its identity,
    which outlives renames and moves)."""
    return FollowUp(
        id=stable_id(ctx.rule_id, note_identity(ctx.vault, record.path), key),
        rule=ctx.rule_id,
        due=due,
        title=title,
        reason=reason,
        note=record.path,
        line=line,
        priority=priority,
        record=record.path,
        tags=tuple(record.tags),
    )


def application_follow_up(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    for company in _active_companies(vault):
        applied = _pending_application(company, ctx.today)
        if applied is None:
            continue
        role = f" ({company.get('role')})" if company.get("role") else ""
        yield _about(
            ctx,
            company,
            "",  # one per company: a corrected `applied` date moves it
            due=applied + timedelta(days=_days(ctx)),
            title=f"Follow up on your application to {company.name}",
            reason=f"You applied to [[{company.name}]]{role} on {applied} and nothing is logged "
            f"since: follow up after {_days(ctx)} days, restating your interest and fit.",
            line=company.line_of("applied"),
            priority=_priority(company),
        )


def thank_you(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    for company in _active_companies(vault):
        for interview in company.interviews:
            day = local_date(interview.when, ctx.tz)
            if _moved_on(company, day, ctx):
                continue
            due: When = (
                interview.when + timedelta(hours=24 * _days(ctx))
                if isinstance(interview.when, datetime)
                else day + timedelta(days=_days(ctx))
            )
            kind = interview.kind or "interview"
            people = [p for p in interview.with_ if vault.notes[p].kind == "contact"]
            for person in people or [company.path]:
                record = vault.notes[person]
                if _touched(record, ctx.today, on_or_after=day, tag="thank-you"):
                    continue
                whom = f"[[{record.name}]]" if people else f"[[{company.name}]]"
                who = note_identity(vault, person)
                yield FollowUp(
                    id=stable_id(ctx.rule_id, note_identity(vault, company.path), f"{day}\0{who}"),
                    rule=ctx.rule_id,
                    due=due,
                    title=(
                        f"Thank {record.name} for the {kind} at {company.name}"
                        if people
                        else f"Send a thank-you for the {kind} at {company.name}"
                    ),
                    reason=f"{kind.capitalize()} with {whom} on "
                    f"{show_when(interview.when, ctx.tz)}: send a personalised "
                    "thank-you within 24 hours (log it with #thank-you).",
                    note=company.path,
                    line=interview.line,
                    priority="high",
                    record=person,
                    tags=tuple(company.tags),
                )


def _moved_on(company: Note, day: date, ctx: RuleContext) -> bool:
    """Whether the company has gone past the interview of `day`: a later round has taken
    place, or an offer came after it. A thank-you for that round is then out of date."""
    offer = company.get("offer")
    if isinstance(offer, date) and day < local_date(offer, ctx.tz) <= ctx.today:
        return True
    return any(day < local_date(i.when, ctx.tz) for i in _past_interviews(company, ctx))


def linkedin_connect(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    first_met: dict[str, tuple[date, Note, Interview]] = {}
    for company in _active_companies(vault):
        for interview in company.interviews:
            day = local_date(interview.when, ctx.tz)
            for person in interview.with_:
                if vault.notes[person].kind == "contact" and (
                    person not in first_met or day < first_met[person][0]
                ):
                    first_met[person] = (day, company, interview)
    for person, (day, company, interview) in sorted(first_met.items()):
        contact = vault.notes[person]
        if contact.happened("linkedin_connected") or _touched(contact, ctx.today, tag="linkedin"):
            continue
        yield _about(
            ctx,
            contact,
            "",
            due=day + timedelta(days=_days(ctx)),
            title=f"Connect with {contact.name} on LinkedIn",
            reason=f"[[{contact.name}]] interviewed you for [[{company.name}]] "
            f"({interview.kind or 'interview'}, {day}): connect on LinkedIn and engage "
            "with what they post (then set `linkedin_connected`).",
            line=contact.line_of("linkedin"),
        )


def info_interview_prep(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    for contact in vault.records("contact"):
        when = contact.get("info_interview")
        if when is None:
            continue
        day = local_date(when, ctx.tz)
        if day < ctx.today:
            continue  # it has passed
        if _touched(
            contact, ctx.today, on_or_after=day - timedelta(days=30), until=day, tag="prep"
        ):
            continue
        yield _about(
            ctx,
            contact,
            "",  # one per contact: a rescheduled interview moves it
            due=day - timedelta(days=_days(ctx)),
            title=f"Prepare for the informational interview with {contact.name}",
            reason=f"Informational interview with [[{contact.name}]] on "
            f"{show_when(when, ctx.tz)}: prepare thoughtful questions and research "
            "their work beforehand (log it with #prep).",
            line=contact.line_of("info_interview"),
        )


def reply_promptly(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    for contact in vault.records("contact"):
        received = contact.get("awaiting_reply")
        if received is None:
            continue
        # A later touch answers it; so does a same-day one tagged #reply.
        if _touched(contact, ctx.today, after=received) or _touched(
            contact, ctx.today, on_or_after=received, tag="reply"
        ):
            continue
        yield _about(
            ctx,
            contact,
            "",  # one per contact: a newer message moves it
            due=received + timedelta(days=_days(ctx)),
            title=f"Reply to {contact.name}",
            reason=f"[[{contact.name}]] wrote on {received} and is waiting for your answer: "
            "reply promptly (then clear `awaiting_reply` or log the reply).",
            line=contact.line_of("awaiting_reply"),
            priority="high",
        )


def _add(day: date, count: int, unit: str) -> date:
    if unit == "d":
        return day + timedelta(days=count)
    if unit == "w":
        return day + timedelta(weeks=count)
    months = count * (12 if unit == "y" else 1)
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last in (day.day, 30, 29, 28):  # 31 Jan + 1 month -> 28/29 Feb
        try:
            return date(year, month, last)
        except ValueError:
            continue
    raise AssertionError(day)


def _cadence(contact: Note, ctx: RuleContext) -> tuple[tuple[int, str], str] | None:
    """The contact's cadence and where it came from."""
    if contact.get("cadence"):
        return contact.get("cadence"), "its `cadence`"
    by_relationship = {
        squash(k): v
        for k, v in ctx.vault.config.table("rules.keep-in-touch.by_relationship").items()
    }
    relationship = str(contact.get("relationship") or "").lower()
    if squash(relationship) in by_relationship and (
        parsed := parse_duration(by_relationship[squash(relationship)])
    ):
        return parsed, f"the default for {relationship}s"
    by_tag = {k.lower(): v for k, v in ctx.vault.config.table("rules.keep-in-touch.by_tag").items()}
    for tag in sorted(with_parents(contact.tags)):  # `#network/alumni` is `#network` too
        if tag in by_tag and (parsed := parse_duration(by_tag[tag])):
            return parsed, f"the default for #{tag}"
    default = ctx.setting("cadence")
    if default and (parsed := parse_duration(default)):
        return parsed, "the default cadence"
    return None


_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year"}


def keep_in_touch(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    for contact in vault.records("contact"):
        found = _cadence(contact, ctx)
        if found is None:
            continue
        (count, unit), origin = found
        last = contact.last_interaction(ctx.today)
        met = contact.get("met")
        if last is not None and (met is None or last.date >= met):
            due = _add(last.date, count, unit)
            since = f"the last contact was {last.date} ({last.path})"
        elif met is not None:
            due, since = _add(met, count, unit), f"you met on {met} and nothing is logged since"
        elif contact.get("cadence"):
            due, since = ctx.today, "no contact is recorded yet"
        else:
            continue
        every = f"{count} {_UNITS[unit]}{'s' if count > 1 else ''}"
        yield _about(
            ctx,
            contact,
            "",  # one per contact: the date rolls forward, the id stays
            due=due,
            title=f"Keep in touch with {contact.name}",
            reason=f"With [[{contact.name}]], {since}; keep in touch every {every} ({origin}).",
            line=contact.line_of("cadence" if contact.get("cadence") else "relationship"),
        )


def interview_check_in(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    for company in _active_companies(vault):
        last = _pending_check_in(company, ctx)
        if last is None:
            continue
        yield _about(
            ctx,
            company,
            "",  # one per company: a later interview moves it
            due=last + timedelta(days=_days(ctx)),
            title=f"Check in with {company.name} after the interview",
            reason=f"Your last interview with [[{company.name}]] was on {last} and nothing is "
            f"logged since: ask about next steps after {_days(ctx)} days.",
            line=company.line_of("interviews"),
            priority=_priority(company),
        )


def stale(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    for company in _active_companies(vault):
        last = company.last_interaction(ctx.today)
        if last is None:
            continue
        due = last.date + timedelta(days=_days(ctx))
        # Only once it has gone quiet, and not when a more specific rule already asks.
        if (
            due > ctx.today
            or _pending_application(company, ctx.today)
            or _pending_check_in(company, ctx)
        ):
            continue
        yield _about(
            ctx,
            company,
            "",
            due=due,
            title=f"Revive {company.name}: no contact for {_days(ctx)} days",
            reason=f"The last touch with [[{company.name}]] was on {last.date} ({last.path}); "
            f"an application with no contact for {_days(ctx)} days goes cold.",
            line=company.line_of("stage"),
            priority=_priority(company),
        )


def hiring_manager(vault: Vault, company: Note) -> Note | None:
    """Whom to write to at a company: its hiring manager, else its recruiter, else its first
    contact."""
    people = [vault.notes[p] for p in company.contacts if vault.notes[p].kind == "contact"]
    for wanted in ("hiringmanager", "recruiter"):  # `Hiring Manager`, `hiring_manager` …
        for person in people:
            if squash(str(person.get("relationship") or "")) == wanted:
                return person
    return people[0] if people else None


def offer_update(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    offers = [
        c
        for c in vault.records("company")
        if c.get("offer") and (vault.is_active(c) or c.stage == "accepted")
    ]
    for offering in offers:
        offered: date = offering.get("offer")
        for other in _active_companies(vault):
            if other.path == offering.path or other.stage not in ("screening", "interviewing"):
                continue
            if _touched(other, ctx.today, after=offered):
                continue
            manager = hiring_manager(vault, other)
            whom = f"[[{manager.name}]] at [[{other.name}]]" if manager else f"[[{other.name}]]"
            yield FollowUp(
                id=stable_id(
                    ctx.rule_id,
                    note_identity(vault, other.path),
                    note_identity(vault, offering.path),
                ),
                rule=ctx.rule_id,
                due=offered + timedelta(days=_days(ctx)),
                title=f"Tell {other.name} about the {offering.name} offer",
                reason=f"[[{offering.name}]] made an offer on {offered}: tell {whom}, where you "
                f"are {other.stage}, so they can decide in time.",
                note=other.path,
                line=other.line_of("stage"),
                priority="high",
                record=manager.path if manager else other.path,
                tags=tuple(other.tags),
            )


# ---------------------------------------------------------------- the habits left thin
# (the last four of docs/rules.md's table). Each is bounded so that a vault's first run adds a
# handful of items: `window` keeps old meetings and applications out, `engage` needs a
# connection.


def reached_out(touch: Interaction) -> bool:
    """An outbound or two-way touch (docs/note-format.md; vocabulary.direction_of reads it from the
    mapped field, the tags, or the verb); a touch that does not say who wrote does not count."""
    return touch.direction in (OUT, BOTH)


def _within(day: date, ctx: RuleContext) -> bool:
    return (ctx.today - day).days <= int(ctx.setting("window"))


def met_follow_up(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    for contact in vault.records("contact"):
        met = contact.get("met")
        if met is None or not _within(met, ctx):
            continue
        connected = contact.get("linkedin_connected")
        if (isinstance(connected, date) and met <= connected <= ctx.today) or (
            connected is None and contact.happened("linkedin_connected")
        ):
            continue  # connected at the event or since (a checkbox: connected, date unknown)
        # On the day itself only explicit outreach counts (a note sent that evening): any other
        # touch that day is the meeting.
        if any(
            (met < t.date <= ctx.today and reached_out(t)) or (t.date == met and t.direction == OUT)
            for t in contact.interactions
        ):
            continue
        where = f" at {contact.get('met_at')}" if contact.get("met_at") else ""
        yield _about(
            ctx,
            contact,
            "",  # one per contact: a corrected `met` date moves it
            due=met + timedelta(days=_days(ctx)),
            title=f"Connect with {contact.name} and send a note",
            reason=f"You met [[{contact.name}]]{where} on {met}: connect on LinkedIn and send "
            "a short note while the meeting is fresh (log it with #sent).",
            line=contact.line_of("met"),
        )


def _knows_someone(vault: Vault, company: Note) -> bool:
    people = [*company.contacts, *(p for i in company.interviews for p in i.with_)]
    return any(vault.notes[p].kind == "contact" for p in people)


def newest_info_interview_requests(
    candidates: list[FollowUp], vault: Vault, ctx: RuleContext
) -> Iterator[FollowUp]:
    # An informational interview takes real effort: a few at a time, for the newest
    # applications, rather than one per application of a long search.
    found = sorted(candidates, key=lambda f: (f.due, f.note), reverse=True)
    yield from found[: max(0, int(ctx.setting("limit")))]


def info_interview_candidates(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    """A request for each company that could have one (the rule keeps the newest)."""
    for company in _active_companies(vault):
        # Someone who has interviewed you or made an offer already knows you: the way in
        # this rule looks for is open.
        if _knows_someone(vault, company) or company.interviews or company.get("offer"):
            continue
        start = company.get("applied")
        since = f"you applied on {start}"
        if start is None:
            first = next((t for t in company.interactions if t.date <= ctx.today), None)
            if first is None:
                continue
            start, since = first.date, f"your first note of it is from {first.date}"
        if not _within(start, ctx) or _touched(
            company, ctx.today, on_or_after=start, tag="info-interview"
        ):
            continue
        yield _about(
            ctx,
            company,
            "",
            due=start + timedelta(days=_days(ctx)),
            title=f"Ask someone at {company.name} for an informational interview",
            reason=f"You know nobody at [[{company.name}]] and {since}: find someone there "
            "(LinkedIn, a friend, a meetup) and ask for a short informational interview "
            "(add them as a contact, or log the request with #info-interview).",
            line=company.line_of("applied" if company.get("applied") else "stage"),
            priority=_priority(company),
        )


def engage(vault: Vault, ctx: RuleContext) -> Iterator[FollowUp]:
    wanted = {squash(r) for r in ctx.setting("relationships")}
    interviewed = {p for c in vault.records("company") for i in c.interviews for p in i.with_}
    # The active company each person works at (`company:` or `contacts:`) or interviewed you for.
    active_at: dict[str, Note] = {}
    for active in _active_companies(vault):
        for person in [*active.contacts, *(p for i in active.interviews for p in i.with_)]:
            active_at.setdefault(person, active)
    for contact in vault.records("contact"):
        relationship = str(contact.get("relationship") or "").strip().lower()
        if not (
            squash(relationship) in wanted or (not relationship and contact.path in interviewed)
        ):
            continue
        company = active_at.get(contact.path)
        if company is None:
            continue
        connected = contact.get("linkedin_connected")
        dates = [connected] if isinstance(connected, date) and connected <= ctx.today else []
        dates += [
            t.date
            for t in contact.interactions
            if t.date <= ctx.today and t.tags & {"engage", "linkedin"}
        ]
        if not dates:
            continue  # not connected (yet): linkedin-connect asks for that
        last = max(dates)
        yield _about(
            ctx,
            contact,
            "",  # one per person: the date rolls forward, the id stays
            due=last + timedelta(days=_days(ctx)),
            title=f"Engage with {contact.name}'s posts on LinkedIn",
            reason=f"You are connected with [[{contact.name}]] ({relationship or 'interviewer'} "
            f"at [[{company.name}]]), last engaged on {last}: comment on or share something "
            f"they posted, every {_days(ctx)} days while the application is open "
            "(log it with #engage).",
            line=contact.line_of("linkedin_connected" if connected else "relationship"),
        )


def _publication_date(note: Note) -> date | None:
    """A published piece's date: its `published` or `date` property, else a date that starts
    its file name (`2026-11-20 Build caches.md`)."""
    meta = note.parsed.meta if note.parsed else {}
    stem = PurePosixPath(note.path).stem
    for value in (meta.get("published"), meta.get("date"), stem[:10]):
        if value is None:
            continue
        try:
            return parse_date(value)
        except FieldError:
            continue
    return None


class Published(NamedTuple):
    """A note's part in `share-expertise`: a piece of published work (`day`: when, None when
    it is a note of a published-work folder with no date up to today)."""

    note: str
    line: int
    day: date | None
    folder: bool
    """The note is in one of the rule's folders."""


def published_work(vault: Vault, ctx: RuleContext) -> Iterator[Published]:
    """Each note's published work: the note itself in a published-work folder, and its
    `#published` log lines up to today."""
    folders = [f.strip("/").lower() + "/" for f in ctx.setting("folders") if f.strip("/")]
    for note in vault.notes.values():
        if any(note.path.lower().startswith(f) for f in folders):
            day = _publication_date(note)
            yield Published(
                note.path, 1, day if day is not None and day <= ctx.today else None, True
            )
        for entry in note.entries:
            if "published" in entry.tags and entry.date:
                try:
                    day = parse_date(entry.date)
                except FieldError:
                    continue  # reported by the model
                if day <= ctx.today:
                    yield Published(note.path, entry.line, day, False)


def share_expertise_from(
    parts: list[Published], vault: Vault, ctx: RuleContext
) -> Iterator[FollowUp]:
    """One follow-up for the vault, from the last published work (the notes' order)."""
    pieces = [(p.day, p.note, p.line) for p in parts if p.day is not None]
    place = next(((p.note, 1) for p in parts if p.folder), None)
    configured = any(k.startswith(f"rules.{ctx.rule_id}.") for k in vault.config.values)
    if pieces:
        last, path, line = max(pieces)
        due = last + timedelta(days=_days(ctx))
        since = f"Your last published work is from {last} ({path})"
    elif place is not None or configured:
        due, (path, line) = ctx.today, place or (CONFIG_NAME, 1)
        since = "Nothing you published is recorded yet"
    else:
        return  # the vault keeps no record of published work: not a habit it tracks
    yield FollowUp(
        id=stable_id(ctx.rule_id, "", ""),  # one per vault: the date rolls forward
        rule=ctx.rule_id,
        due=due,
        title="Share something that shows your expertise",
        reason=f"{since}: publish or share a post, a talk or a write-up every {_days(ctx)} "
        "days, so hiring managers see your work (log it with #published).",
        note=path,
        line=line,
    )
