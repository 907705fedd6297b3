"""The words vaults use, read for what they mean: stage names (`Not Applied`, `HR Interview`,
`Declined by me`) and the direction of a touch (`Emailed …`, `Heard back …`, `Comm-Type:
Received`). Pure functions over text, shared by `adopt` (which proposes a mapping) and the model.
"""

from __future__ import annotations

import re
from collections.abc import Collection

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
            r"(coding|code|tech|technical) (challenge|test|exercise|task)\b",
            r"(home ?work|assignment)\b",
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


_APPLICATION_WORDS = re.compile(
    r"\b(appl(y|ied|ication)|interview\w*|offer\w*|reject\w*|screen\w*|ghost\w*|withdr\w*|"
    r"wish ?list|submitted|declined|no response|hired|not applied|to apply)\b",
    re.I,
)
_SOME_DATE = re.compile(r"\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})\b")


TRACKER_ITEMS = 5
"""Items in one note that read like applications, before that note is taken for a tracker of
its own (every application in one note), a shape vaultkit cannot follow up."""


TEXT_PROPERTIES = 2
"""`Key: value` lines opening a note without frontmatter, before they are taken for properties
written as text (a Notion export: `Status: Applied`), a shape vaultkit does not read."""
TEXT_PROPERTIES_SAID = (
    "{count} notes write their properties as lines of text (`Status: Applied`, as in "
    "{first}), as a Notion export does; Obsidian and vaultkit read properties from the "
    "frontmatter between `---` lines (or Dataview's `Status:: Applied`): convert them (Obsidian's "
    "Importer plugin does for a Notion export), then run `vaultkit adopt` again: see "
    "docs/adopt.md#properties-written-as-text"
)


def looks_like_application(text: str, linked: bool) -> bool:
    """A list item or table row that reads like one application of a tracker kept in a single
    note (`- [[Acme]] · Backend · Applied 2024-01-02`): a stage word, and a link or a date."""
    return bool(_APPLICATION_WORDS.search(text)) and (linked or bool(_SOME_DATE.search(text)))


# ---------------------------------------------------------------- direction of a touch

OUT, IN, BOTH, UNKNOWN = "out", "in", "both", "unknown"
"""Your outreach; their message; a conversation (a call, a meeting, an interview); not said."""

_DIRECTION_VALUES = {
    OUT: {"sent", "send", "outgoing", "outbound", "out", "to", "me", "mine", "i", "by me"},
    IN: {"received", "receive", "incoming", "inbound", "in", "from", "them", "they", "reply"},
    BOTH: {"exchanged", "exchange", "both", "two way", "mutual", "conversation", "meeting"},
}
_DIRECTION_TAGS = {
    OUT: {
        "sent",
        "outbound",
        "outgoing",
        "outreach",
        "applied",
        "follow-up",
        "followup",
        "thank-you",
        "thankyou",
        "linkedin",
        "touch",
        "offer-update",
        "reply",  # vaultkit's own: "you replied" (docs/note-format.md#tags)
        "engage",
        "info-interview",  # what `vaultkit done` writes when you asked for one
    },
    IN: {"received", "inbound", "incoming", "response", "heard-back", "rejection", "offer"},
    BOTH: {"call", "meeting", "interview", "coffee", "chat", "video", "screen", "phone-screen"},
}
_DIRECTION_VERBS: list[tuple[str, re.Pattern[str]]] = [
    (
        OUT,
        _any(
            r"e ?mailed\b",
            r"mailed\b",
            r"sent\b",
            r"send(ing)?\b",
            r"wrote to\b",
            r"messaged\b",
            r"texted\b",
            r"pinged\b",
            r"dm(ed|d)?\b",
            r"reached out\b",
            r"follow(ed|ing)? ?up\b",
            r"chased\b",
            r"nudged\b",
            r"appl(ied|y|ication)\b",
            r"submitted\b",
            r"thank",
            r"asked\b",
            r"requested\b",
            r"connected\b",
            r"connection request\b",
            r"(replied|responded|answered|wrote back) to\b",
            r"left (a )?(voicemail|message)\b",
            r"introduced myself\b",
        ),
    ),
    (
        IN,
        _any(
            r"replied\b",
            r"responded\b",
            r"answered\b",
            r"wrote back\b",
            r"heard (back|from)\b",
            r"received\b",
            r"got (a |an |the |their |her |his )?"
            r"(reply|response|answer|email|mail|message|call|offer|invite|invitation|rejection|"
            r"note|text|dm|news)\b",
            r"(reply|response|answer|email|mail|message|call|note|letter|dm|text|invite|"
            r"invitation|offer|rejection|feedback) from\b",
            r"reject",
            r"invited me\b",
            r"invitation\b",
            r"reached out to me\b",
            r"offer(ed)?\b",
            r"feedback\b",
        ),
    ),
    (
        BOTH,
        _any(
            r"call(ed)?\b",
            r"phone\b",
            r"spoke\b",
            r"talk(ed)?\b",
            r"met\b",
            r"meet(ing)?\b",
            r"coffee\b",
            r"lunch\b",
            r"chat(ted)?\b",
            r"interview",
            r"screen",
            r"zoom\b",
            r"video\b",
            r"on ?site\b",
            r"conversation\b",
            r"catch ?up\b",
        ),
    ),
]


def direction_value(value: str) -> str | None:
    """A direction property's value (`Comm-Type: Received`): out, in or both; None if unsaid."""
    text = words(value)
    for direction, values in _DIRECTION_VALUES.items():
        if text in values:
            return direction
    return None


def direction_of(text: str, tags: Collection[str] = ()) -> str:
    """The direction of a touch from its tags (`#sent`, `#received`), else from the first verb
    of its text (`Emailed …` out, `Heard back …` in, `Call with …` both), else unknown."""
    tagged = {d for d, names in _DIRECTION_TAGS.items() if not names.isdisjoint(tags)}
    if len(tagged) == 1:
        return tagged.pop()
    if tagged:
        return BOTH if BOTH in tagged or tagged == {IN, OUT} else UNKNOWN
    clean = re.sub(r"\[\[[^\[\]|]*\|[^\[\]]*\]\]|\[\[[^\[\]]*\]\]", " ", text)  # no `[` inside
    spoken = words(clean)
    best: tuple[int, int, str] | None = None
    for direction, pattern in _DIRECTION_VERBS:
        for m in pattern.finditer(spoken):
            key = (m.start(), -(m.end() - m.start()), direction)
            if best is None or key < best:
                best = key
            break  # the first match of each kind is enough to compare
    return best[2] if best else UNKNOWN
