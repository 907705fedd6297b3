"""The words vaults use, read for what they mean: stage names (`Not Applied`, `HR Interview`,
`Declined by me`) and the direction of a touch (`Emailed …`, `Heard back …`, `Comm-Type:
Received`). Pure functions over text, shared by `adopt` (which proposes a mapping) and the model.
"""

from __future__ import annotations

import re

CONTACT_WORDS = "contact"
"""What `place_stage` returns for a word that describes a person, not an application."""


def words(value: str) -> str:
    """`Recruiter_Screen` -> `recruiter screen`, `NotApplied` -> `not applied`: lower-case words
    separated by one space, so phrases can be matched whatever the punctuation."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", value)
    spaced = spaced.replace("'", "").replace("’", "")
    return " ".join(re.findall(r"[a-z0-9]+", spaced.lower()))


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?:\b{p})" for p in patterns))


_NEGATION = re.compile(r"\b(not|no|never|non|dont|didnt|havent|hasnt|wont|isnt)\b")

# Phrases that carry a negation (or an intention), placed before any word they contain is read
# on its own: `not applied` and `to apply` are leads, `no response` is ghosted, not a response.
_NEGATED: list[tuple[str, re.Pattern[str]]] = [
    ("ghosted", _any(r"no (response|reply|replies|answer|news|feedback)\b", r"never heard")),
    (
        "withdrawn",
        _any(r"not interested\b", r"no ?go\b", r"do ?not apply\b", r"dont apply\b", r"not a go\b"),
    ),
    (
        "rejected",
        _any(
            r"not selected\b",
            r"not successful\b",
            r"not moving forward\b",
            r"no offer\b",
            r"didnt get\b",
            r"not hired\b",
        ),
    ),
    (
        "lead",
        _any(
            r"(not|never) (yet )?appl",
            r"(havent|hasnt|didnt) (yet )?appl",
            r"not started",
            r"to apply\b",
            r"apply (later|soon)\b",
        ),
    ),
]

# Then the words themselves, most decisive first: an ending beats an offer, an offer beats an
# interview, and a recruiter's or HR interview is a screening, not the interviews proper.
_POSITIVE: list[tuple[str, re.Pattern[str]]] = [
    (
        CONTACT_WORDS,
        _any(
            r"contacted\b", r"replied\b", r"(in )?conversation\b", r"reached out\b", r"networking"
        ),
    ),
    ("ghosted", _any(r"ghost", r"unresponsive\b", r"silen(t|ce)\b")),
    (
        "withdrawn",
        _any(
            r"withdr[ae]w",
            r"declined by (me|myself|candidate)\b",
            r"i declined\b",
            r"(offer )?declined( the)? offer\b",
            r"offer declined\b",
            r"rejected( the)? offer\b",
            r"(turned|turn) down( the)? offer\b",
            r"pass(ed)?\b",
            r"skip(ped)?\b",
            r"dropped\b",
            r"abandon",
            r"gave up\b",
        ),
    ),
    (
        "rejected",
        _any(
            r"reject",
            r"declined( by (them|company|employer|the company))?\b",
            r"unsuccessful\b",
            r"turned down\b",
            r"denied\b",
            r"closed\b",
            r"(position )?filled\b",
            r"refused\b",
        ),
    ),
    ("accepted", _any(r"accept", r"hired\b", r"signed\b", r"joined\b")),
    ("offer", _any(r"offer", r"negotiat")),
    (
        "screening",
        _any(
            r"(hr|recruiter|phone|intro|introductory|initial|screening) "
            r"(interview|call|chat|screen)",
            r"screen",
            r"recruiter\b",
            r"hr\b",
            r"phone\b",
        ),
    ),
    (
        "interviewing",
        _any(
            r"interview",
            r"on ?site\b",
            r"(first|second|third|fourth|final|last|next|technical|tech|\d+(st|nd|rd|th)?) round",
            r"round \d",
            r"stage \d",
            r"technical\b",
            r"final\b",
            r"panel\b",
            r"take ?home\b",
            r"assessment\b",
            r"case study\b",
            r"super ?day\b",
        ),
    ),
    (
        "applied",
        _any(
            r"appl(y|ied|ication)",
            r"submit",
            r"sent\b",
            r"active\b",
            r"(a)?waiting\b",
            r"pending\b",
            r"in progress\b",
            r"(under|in) review\b",
            r"processing\b",
        ),
    ),
    (
        "lead",
        _any(
            r"wish ?list",
            r"saved\b",
            r"bookmark",
            r"interest",
            r"lead\b",
            r"prospect",
            r"research",
            r"idea\b",
            r"to ?do\b",
            r"pursue\b",
            r"consider",
            r"review",
            r"draft",
            r"prepar",
            r"planned\b",
            r"shortlist",
            r"watch",
            r"target",
            r"backlog\b",
            r"queued?\b",
            r"new\b",
        ),
    ),
]


def place_stage(value: str) -> str | None:
    """The stage a tracker's word means (`Not Applied` -> lead, `HR Interview` -> screening,
    `Declined by me` -> withdrawn, `No response` -> ghosted); CONTACT_WORDS for a word that
    describes a person (`Contacted`, `Replied`); None when it cannot be told."""
    text = words(value)
    for stage, pattern in _NEGATED:
        if pattern.search(text):
            return stage
    if _NEGATION.search(text):
        return None  # `not interviewing`: a negation we do not know how to read
    for stage, pattern in _POSITIVE:
        if pattern.search(text):
            return stage
    return None
