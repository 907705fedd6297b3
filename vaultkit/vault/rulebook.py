"""What each follow-up rule is, one record per rule: its id, the function that derives it,
its label, the tag that closes it, whether it asks you to write a message, its settings.

The config spec (`config.py`), the rules table of docs/rules.md, the feed's labels, the tags
`vaultkit done` writes, the drafts and stats' "waiting on you" all read these records. The
rules' code is in `vaultkit/rules/` (a layer above this one, so a record names its function
rather than importing it; `rules/registry.py` resolves the names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Option:
    """One of a rule's settings, `[rules.<id>] <name> = ...` in vaultkit.toml."""

    name: str
    kind: str
    """A `Setting.kind` of config.py (int, list, duration …)."""
    default: Any
    doc: str


@dataclass(frozen=True)
class RuleRecord:
    id: str
    derive: str
    """`module.function` in vaultkit/rules/: `rule(vault, ctx) -> Iterable[FollowUp]`."""
    label: str
    """What the feed and the pages call its follow-ups."""
    closes_with: str | None
    """The tag `vaultkit done` writes on the log line that closes it (None: done ticks a task)."""
    message: str | None
    """The message it asks you to write (its draft), or None when it asks for none."""
    owed: bool
    """Counts in stats' "waiting on you" when due."""
    reads: str
    """What it reads to yield a note's follow-ups, which decides what the live engine runs it
    again for after an edit: `note`, that note and the notes it links (again for the notes
    the edit touched and the notes linking them); `neighbours`, also the notes linking it
    (again for those and the notes they link, each seen with its neighbours); `vault`,
    anything (again in full). A new rule says the narrowest it keeps to."""
    fires: str
    due: str
    done: str
    """docs/rules.md's table: when it fires, when it is due, what closes it."""
    settings: tuple[Option, ...] = ()
    """Its settings besides `enabled`, which every rule has."""
    select: str | None = None
    """`module.function` that turns what `derive` yields, note by note, into the follow-ups
    (`select(parts, vault, ctx)`): a rule that looks across the vault (the newest three, the
    last of all) as a narrow `derive` and a cheap `select` over everything it yielded."""


RULES: tuple[RuleRecord, ...] = (
    RuleRecord(
        "follow-up",
        derive="explicit.follow_up",
        label="Follow-up",
        closes_with="follow-up",
        message=None,
        owed=False,
        reads="note",
        fires="`follow_up:` set on a company or contact",
        due="that date (and time)",
        done=(
            "the field changes or goes, or a touch tagged `#follow-up` from a week before the "
            "date on"
        ),
        settings=(),
    ),
    RuleRecord(
        "task",
        derive="explicit.task",
        label="Task",
        closes_with=None,
        message=None,
        owed=False,
        reads="note",
        fires="an open task with a due or scheduled date",
        due="the earlier of the two",
        done="the task is checked or cancelled",
        settings=(),
    ),
    RuleRecord(
        "application-follow-up",
        derive="habits.application_follow_up",
        label="Application follow-up",
        closes_with="follow-up",
        message="application follow-up",
        owed=True,
        reads="note",
        fires="stage `applied` with `applied` date A",
        due="A + 4 days",
        done="a touch after A, or the stage moves on",
        settings=(Option("days", "int", 4, "days after `applied` to follow up on an application"),),
    ),
    RuleRecord(
        "thank-you",
        derive="habits.thank_you",
        label="Thank-you",
        closes_with="thank-you",
        message="thank-you note",
        owed=True,
        reads="note",
        fires="an interview at D with contact X",
        due="D + 24 h (D + 1 day for a date)",
        done="a touch on or after D with X tagged `#thank-you`; lapses once a later round "
        "has taken place or an offer came",
        settings=(
            Option(
                "days",
                "int",
                1,
                "days after an interview to send the thank-you (24 h for a timed one)",
            ),
        ),
    ),
    RuleRecord(
        "linkedin-connect",
        derive="habits.linkedin_connect",
        label="LinkedIn",
        closes_with="linkedin",
        message="LinkedIn note",
        owed=True,
        reads="neighbours",
        fires="an interviewer X without `linkedin_connected`",
        due="first interview + 1 day",
        done="`linkedin_connected` set, or a touch with X tagged `#linkedin`",
        settings=(
            Option("days", "int", 1, "days after an interview to connect with the interviewer"),
        ),
    ),
    RuleRecord(
        "info-interview-prep",
        derive="habits.info_interview_prep",
        label="Prepare",
        closes_with="prep",
        message=None,
        owed=False,
        reads="note",
        fires="`info_interview` at D",
        due="D − 2 days",
        done="D passes, or a touch tagged `#prep` in the 30 days up to D",
        settings=(Option("days", "int", 2, "days before an informational interview to prepare"),),
    ),
    RuleRecord(
        "reply-promptly",
        derive="habits.reply_promptly",
        label="Reply",
        closes_with="reply",
        message="reply",
        owed=True,
        reads="note",
        fires="`awaiting_reply` at R",
        due="R + 1 day, high",
        done="the field is cleared, a touch after R, or a touch tagged `#reply` on or after R",
        settings=(Option("days", "int", 1, "days after `awaiting_reply` to answer"),),
    ),
    RuleRecord(
        "keep-in-touch",
        derive="habits.keep_in_touch",
        label="Keep in touch",
        closes_with="touch",
        message="keep-in-touch note",
        owed=True,
        reads="note",
        fires="a contact with a cadence C",
        due="last contact (or `met`) + C",
        done="rolls forward with each touch",
        settings=(
            Option(
                "cadence",
                "duration",
                "",
                "default keep-in-touch cadence for every contact without one (empty: none)",
            ),
            Option(
                "by_relationship.<name>",
                "duration",
                None,
                'default cadence for contacts with this `relationship`, e.g. `recruiter = "3w"`',
            ),
            Option(
                "by_tag.<name>",
                "duration",
                None,
                'default cadence for contacts with this tag, e.g. `network = "quarterly"`',
            ),
        ),
    ),
    RuleRecord(
        "interview-check-in",
        derive="habits.interview_check_in",
        label="Check in",
        closes_with="follow-up",
        message="interview check-in",
        owed=True,
        reads="note",
        fires="stage `interviewing`, last past interview D",
        due="D + 7 days",
        done="a touch after D",
        settings=(
            Option("days", "int", 7, "days after the last interview with no news to check in"),
        ),
    ),
    RuleRecord(
        "stale",
        derive="habits.stale",
        label="Stale",
        closes_with="follow-up",
        message=None,
        owed=False,
        reads="note",
        fires="an active company, no touch for 21 days",
        due="last touch + 21 days",
        done="a touch",
        settings=(
            Option(
                "days", "int", 21, "days without any interaction before an active company is stale"
            ),
        ),
    ),
    RuleRecord(
        "offer-update",
        derive="habits.offer_update",
        label="Offer news",
        closes_with="offer-update",
        message="offer update",
        owed=True,
        reads="vault",
        fires="a company got an offer at O",
        due="O + 1 day, high, per company in `screening`/`interviewing`",
        done="a touch with that company after O",
        settings=(
            Option("days", "int", 1, "days after an offer to tell the other companies in play"),
        ),
    ),
    RuleRecord(
        "met-follow-up",
        derive="habits.met_follow_up",
        label="After meeting",
        closes_with="follow-up",
        message="note after meeting",
        owed=True,
        reads="note",
        fires="a contact with `met` M in the last 21 days",
        due="M + 2 days",
        done=(
            "an outbound or two-way touch after M (an outbound one on M too), or "
            "`linkedin_connected` on or after M"
        ),
        settings=(
            Option("days", "int", 2, "days after `met` to connect and send a note"),
            Option(
                "window",
                "int",
                21,
                (
                    "only people met in the last this many days get a note (older meetings are "
                    "past the moment; `keep-in-touch` carries them)"
                ),
            ),
        ),
    ),
    RuleRecord(
        "info-interview-request",
        derive="habits.info_interview_candidates",
        select="habits.newest_info_interview_requests",
        label="Informational interview",
        closes_with="info-interview",
        message="informational-interview request",
        owed=True,
        reads="neighbours",
        fires=(
            "an active company where you know nobody, started (applied, or first touch) at S in "
            "the last 21 days (3 at most, the newest)"
        ),
        due="S + 7 days",
        done="a contact linked to the company, or a touch tagged `#info-interview`",
        settings=(
            Option(
                "days",
                "int",
                7,
                (
                    "days after applying (or the first touch) to ask someone there for an "
                    "informational interview"
                ),
            ),
            Option(
                "window",
                "int",
                21,
                "only applications (or first touches) of the last this many days get a request",
            ),
            Option(
                "limit",
                "int",
                3,
                "at most this many requests at a time, for the most recent applications",
            ),
        ),
    ),
    RuleRecord(
        "engage",
        derive="habits.engage",
        label="Engage",
        closes_with="engage",
        message=None,
        owed=False,
        reads="neighbours",
        fires="an interviewer or hiring manager you are connected with, at an active company",
        due="last connection or engagement + 21 days",
        done="rolls forward with each touch tagged `#engage` or `#linkedin`",
        settings=(
            Option(
                "days",
                "int",
                21,
                "days between engagements with an interviewer's or hiring manager's posts",
            ),
            Option(
                "relationships",
                "list",
                ["interviewer", "hiring-manager", "hiring manager"],
                (
                    "the `relationship` values whose posts to engage with (a contact without one "
                    "counts when they interviewed you)"
                ),
            ),
        ),
    ),
    RuleRecord(
        "share-expertise",
        derive="habits.published_work",
        select="habits.share_expertise_from",
        label="Share your work",
        closes_with="published",
        message=None,
        owed=False,
        reads="note",
        fires=(
            "the vault records published work (`#published` lines, a `published/` folder, or "
            "`[rules.share-expertise]`)"
        ),
        due="last published + 14 days",
        done="rolls forward with each `#published` line",
        settings=(
            Option("days", "int", 14, "days after your last published work to share the next"),
            Option(
                "folders",
                "list",
                ["published"],
                (
                    "folders holding your published work, one note per piece (dated by "
                    "`published`, `date`, or a date starting the file name)"
                ),
            ),
        ),
    ),
)
"""In the order the rules run (an earlier rule's follow-up wins a tie on id)."""

RULES_BY_ID = {record.id: record for record in RULES}
RULE_IDS = tuple(RULES_BY_ID)


def rules_table() -> str:
    """docs/rules.md's table of the rules, generated from the records."""
    rows = ["| id | fires when | due | done when |", "|---|---|---|---|"]
    rows += [f"| `{r.id}` | {r.fires} | {r.due} | {r.done} |" for r in RULES]
    return "\n".join(rows)
