"""`vaultkit adopt`: read a vault that has its own conventions and propose the mapping for it.

Guesses from what the notes hold: folders and tags that group notes, property names that look
like vaultkit's fields, values that look like dates, stages or links. Reads only; the result
is a commented `vaultkit.toml` for the user to check.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from vaultkit.errors import FieldError
from vaultkit.vault.config import DEFAULT_STAGES
from vaultkit.vault.fields import FIELDS_BY_NAME, is_empty, parse_tags, parse_value, squash
from vaultkit.vault.model import TYPE_WORDS, is_dashboard, with_parents
from vaultkit.vault.parse import ParsedNote, cards, find_links, read_note
from vaultkit.vault.problems import printable
from vaultkit.vault.scan import scan_vault, template_excludes
from vaultkit.vault.vocabulary import (
    CONTACT_WORDS,
    TEXT_PROPERTIES,
    TEXT_PROPERTIES_SAID,
    TRACKER_ITEMS,
    direction_value,
    place_stage,
)

_DATE_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}.*)?$")

# vaultkit field -> words a vault's property name may be made of (compared without punctuation)
FIELD_HINTS: dict[str, tuple[str, ...]] = {
    "stage": (
        "stage",
        "status",
        "appstage",
        "appstatus",
        "applicationstatus",
        "applicationstage",
        "jobstatus",
        "state",
    ),
    "applied": ("applied", "applieddate", "dateapplied", "applicationdate", "appliedon"),
    "follow_up": (
        "followup",
        "followupdate",
        "followupreminderdate",
        "nextfollowup",
        "nextaction",
        "nextactiondate",
        "nextstep",
        "nextstepdate",
        "nextcontact",
        "nextcontactdate",
        "followupon",
        "followupby",
        "reminder",
        "remindon",
    ),
    "offer": ("offer", "offerdate", "offerreceived", "offerreceiveddate"),
    "interviews": ("interviews", "interviewdates", "interviewdate", "interview"),
    "contacts": ("contacts", "people", "hiringmanager", "recruiter", "contact"),
    "company": ("company", "organisation", "organization", "employer", "org"),
    "role": ("role", "position", "jobtitle", "title"),
    "url": ("url", "link", "joburl", "posting", "joblink", "jobposting", "postingurl", "listing"),
    "source": ("source", "foundvia", "channel"),
    "resume": ("resume", "resumeversion", "cv", "cvversion"),
    "cover_letter": ("coverletter", "coverletterversion"),
    "email": ("email", "mail", "emailaddress"),
    "phone": ("phone", "phonenumber", "mobile"),
    "linkedin": ("linkedin", "linkedinurl", "linkedinprofile"),
    "linkedin_connected": (
        "linkedinconnected",
        "connectedonlinkedin",
        "linkedinconnection",
        "linkedinconnectiondate",
        "connected",
    ),
    "met": ("met", "metdate", "datemet", "meton", "firstmet"),
    "last_contact": (
        "lastcontact",
        "lastcontacted",
        "lastcontactdate",
        "lasttouch",
        "lastspoke",
        "lastinteraction",
        "datelastinteraction",
        "lastinteractiondate",
        "datelastcontact",
    ),
    "relationship": ("relationship", "relation", "contacttype", "persontype"),
}
_squash = squash


@dataclass
class Proposal:
    notes: int = 0
    folders: dict[str, list[str]] = field(default_factory=dict)
    """type -> folders."""
    tags: dict[str, list[str]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    fields: dict[str, str] = field(default_factory=dict)
    """vaultkit field -> the vault's property (original spelling)."""
    type_fields: dict[str, dict[str, str]] = field(default_factory=dict)
    """type -> vaultkit field -> property, where companies and contacts name a field apart."""
    interaction_date: str | None = None
    interaction_with: str | None = None
    interaction_direction: str | None = None
    stages: dict[str, list[str]] = field(default_factory=dict)
    unplaced_stages: list[str] = field(default_factory=list)
    contact_words: list[str] = field(default_factory=list)
    """Stage values that describe a person (`Contacted`), not an application."""
    exclude: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    """`path:line` of each note whose frontmatter could be read only in part."""
    dashboards: list[str] = field(default_factory=list)
    """Notes of queries in a record folder: views of the records, not records."""
    shapes: list[tuple[str, int]] = field(default_factory=list)
    """(note, items): notes that keep many applications as list items or table rows."""
    employer_notes: tuple[int, str, str] | None = None
    """(applications, one of them, the note it links): applications whose `company:` links a
    note of its own (`[[Acme]]` in Companies/), which is no record."""
    typed_interactions: bool = False
    """Some notes say they are interactions (`type: meeting`), wherever they are."""
    text_properties: list[str] = field(default_factory=list)
    """Notes whose properties are `Key: value` lines of text (a Notion export), when they are
    more than the records found."""
    date_format: str = ""
    """The Moment format of the numeric dates the properties write (`MM/DD/YYYY`)."""
    date_format_note: str = ""
    """Why that format, when the dates alone cannot tell (no day above 12)."""


def _folder_of(path: str) -> str:
    return str(PurePosixPath(path).parent) if "/" in path else ""


def _properties(note: ParsedNote) -> dict[str, tuple[str, Any]]:
    """A note's properties, lower-cased name -> (name as written, value): the frontmatter,
    then Dataview inline fields (`[Status:: Applied]`) of names the frontmatter does not have."""
    props = {k: (note.spelling.get(k, k), v) for k, v in note.meta.items()}
    for key, (value, _) in note.inline.items():
        props.setdefault(key, (note.inline_spelling.get(key, key), value))
    return props


def _kind_of_keys(props: dict[str, tuple[str, Any]]) -> str | None:
    squashed = {_squash(k) for k in props}
    if squashed & {"email", "phone", "linkedin", "relationship", "mobile", "linkedinurl"}:
        return "contact"
    if squashed & {
        "stage",
        "status",
        "appstage",
        "applied",
        "applieddate",
        "dateapplied",
        "salary",
        "joburl",
        "jobtitle",
        "applicationstatus",
    }:
        return "company"
    values = [v for _, v in props.values()]
    dates = [v for v in values if isinstance(v, str) and _DATE_VALUE.match(v.strip())]
    links = [v for v in values if find_links(str(v))]
    if dates and links:
        return "interaction"
    return None


_DATED_FOLDER = re.compile(
    r"(\d{4}([-_. ]?(W\d{1,2}|Q[1-4]|\d{1,2}|[a-z]{3,9}))?([-_. ]\d{1,2})?"
    r"|W\d{1,2}|Q[1-4]|\d{1,3}|\d{1,2}[-_. ][a-z]{3,9}"
    r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*([-_. ]\d{2,4})?)",
    re.I,
)
"""A folder named by a date or a number (`2026-W38`, `2026`, `11`, `2026-11`, `Q3`,
`September 2026`): one of many siblings that a new week or month adds to."""


def _stable_folder(folder: str) -> str:
    """The folder new notes of its kind keep going into: the parent of dated or numbered
    folders (`Applications/2026-W38` -> `Applications`), unless that is the vault itself."""
    parts = folder.split("/") if folder else []
    while parts and _DATED_FOLDER.fullmatch(parts[-1]):
        parts.pop()
    return "/".join(parts) if parts else folder


def propose(vault: Path, output: str = "_site") -> Proposal:
    excluded = template_excludes(vault)
    scan = scan_vault(vault, output, excluded)
    parsed = [n for rel in scan.notes if (n := read_note(vault, rel)) is not None]
    proposal = Proposal(notes=len(parsed), exclude=excluded)
    proposal.partial = [
        f"{n.path}:{next(p.line for p in n.problems if 'not valid YAML' in p.message)}"
        for n in parsed
        if n.frontmatter_broken
    ]
    _propose_date_format(parsed, proposal)
    by_folder: dict[str, Counter[str]] = {}
    dashboards: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for note in parsed:
        folder = _stable_folder(_folder_of(note.path))
        if is_dashboard(note):
            dashboards.setdefault(folder, []).append(note.path)
            continue
        kind = _kind_of_keys(_properties(note))
        stated = TYPE_WORDS.get(str(note.meta.get("type", "")).strip().lower())
        if stated is not None:  # the note says what it is (`type: person`)
            kind = stated
            proposal.typed_interactions |= stated == "interaction"
        if kind:
            kinds[note.path] = kind
            by_folder.setdefault(folder, Counter())[kind] += 1
    # The fullest folder first: `vaultkit new` writes into a type's first folder.
    for folder, counter in sorted(by_folder.items(), key=lambda i: (-i[1].total(), i[0])):
        kind, count = counter.most_common(1)[0]
        taken = proposal.folders.get(kind, [])
        if any(folder.startswith(f + "/") for f in taken):
            continue  # below a folder already proposed: read with it
        if folder and count >= max(1, sum(counter.values()) // 2):
            proposal.folders.setdefault(kind, []).append(folder)
    _propose_tags(parsed, kinds, proposal)
    _prefer_tags_beside_dashboards(parsed, kinds, dashboards, proposal)
    proposal.counts.update(kinds.values())
    _propose_fields(parsed, kinds, proposal)
    _propose_names(parsed, kinds, proposal)
    _find_employer_notes(parsed, kinds, proposal)
    _propose_interaction_fields(parsed, kinds, proposal)
    _propose_stages(parsed, kinds, proposal)
    companies = proposal.counts["company"]
    written = [n.path for n in parsed if n.text_properties >= TEXT_PROPERTIES]
    if len(written) >= 2 and len(written) > companies + proposal.counts["contact"]:
        proposal.text_properties = written
    proposal.shapes = [
        (n.path, n.application_items)
        for n in parsed
        if n.path not in kinds and n.application_items >= TRACKER_ITEMS
        if n.application_items > companies
    ]
    return proposal


def _prefer_tags_beside_dashboards(
    parsed: list[ParsedNote],
    kinds: dict[str, str],
    dashboards: dict[str, list[str]],
    proposal: Proposal,
) -> None:
    """A folder that mixes records with dashboards (notes of queries): where every record in
    it carries the kind's tag, the tag says which notes are records, and the folder is not
    proposed. (The model never takes a dashboard for a record either way.)"""
    for kind, folders in proposal.folders.items():
        tags = proposal.tags.get(kind)
        tag = tags[0] if tags else None
        for folder in list(folders):
            views = [
                p
                for f, ps in dashboards.items()
                if f == folder or f.startswith(folder + "/")
                for p in ps
            ]
            if not views:
                continue
            proposal.dashboards += views
            members = [
                n for n in parsed if kinds.get(n.path) == kind and n.path.startswith(folder + "/")
            ]
            if tag and all(tag in _note_tags(n) for n in members):
                folders.remove(folder)
    for kind in [k for k, f in proposal.folders.items() if not f]:
        del proposal.folders[kind]


def _note_tags(note: ParsedNote) -> set[str]:
    """A note's tags, with the tags they nest in (`#job/applied` is `#job` too)."""
    try:
        tags = parse_tags(note.meta.get("tags")) if not is_empty(note.meta.get("tags")) else []
    except FieldError:
        tags = []
    return with_parents([*tags, *note.tags])


def _propose_tags(parsed: list[ParsedNote], kinds: dict[str, str], proposal: Proposal) -> None:
    """The tag most notes of a kind carry, and few of the other kinds."""
    per_kind: dict[str, Counter[str]] = {}
    for note in parsed:
        if note.path in kinds:
            per_kind.setdefault(kinds[note.path], Counter()).update(_note_tags(note))
    totals = Counter(kinds.values())
    for kind, counter in per_kind.items():
        total = totals[kind]
        common = [
            tag
            for tag, n in sorted(counter.items(), key=lambda i: (-i[1], i[0].count("/"), i[0]))
            if n >= max(2, total // 2)
            and all(per_kind[other][tag] * 2 < totals[other] for other in per_kind if other != kind)
        ]
        if common:
            proposal.tags[kind] = common[:1]


_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T,]|$)")


def _propose_date_format(parsed: list[ParsedNote], proposal: Proposal) -> None:
    """The order of the numeric dates the properties write (`12/06/2025`), told by a part
    above 12; without one, the separator's custom: `/` month first, `.` and `-` day first."""
    seps: Counter[str] = Counter()
    day_first = month_first = False
    years: Counter[int] = Counter()
    for note in parsed:
        for _, value in _properties(note).values():
            for item in value if isinstance(value, list) else [value]:
                m = _NUMERIC_DATE.match(item.strip()) if isinstance(item, str) else None
                if m:
                    seps[m.group(2)] += 1
                    years[len(m.group(4))] += 1
                    day_first |= int(m.group(1)) > 12
                    month_first |= int(m.group(3)) > 12
    if not seps or (day_first and month_first):
        return
    sep = seps.most_common(1)[0][0]
    first_day = day_first or (not month_first and sep != "/")
    year = "YYYY" if years[4] >= years[2] else "YY"
    proposal.date_format = sep.join(["DD", "MM", year] if first_day else ["MM", "DD", year])
    if not (day_first or month_first):
        proposal.date_format_note = "no day above 12 tells the order: check one date"


def _fits(kind: str, values: list[Any], date_format: str = "") -> bool:
    """The values have the field kind's type in most notes that set them: `next_action: [Send
    email, Decide]` is no `follow_up` date, a checkbox no `applied` date."""
    good = 0
    for value in values:
        if isinstance(value, bool) and kind != "text":
            continue
        try:
            parse_value(kind, value, None, date_format)
        except (FieldError, ValueError, TypeError):
            continue
        good += 1
    return good * 2 > len(values)


def _propose_fields(parsed: list[ParsedNote], kinds: dict[str, str], proposal: Proposal) -> None:
    spelled: dict[str, dict[str, Counter[str]]] = {}
    """note kind ("" when unknown) -> squashed property -> how it is spelled."""
    values: dict[str, dict[str, list[Any]]] = {}
    """note kind -> squashed property -> its values, where set."""
    for note in parsed:
        kind = kinds.get(note.path, "")
        for key, (spelling, value) in _properties(note).items():
            squashed = _squash(key)
            spelled.setdefault(kind, {}).setdefault(squashed, Counter())[spelling] += 1
            if not is_empty(value):
                values.setdefault(kind, {}).setdefault(squashed, []).append(value)
    classified = bool({"company", "contact"} & set(spelled))
    if not classified:  # no note looks like a record: read every note alike
        spelled = {"": _merged(spelled)}
        values = {
            "": {k: [v for vs in values.values() for v in vs.get(k, [])] for k in spelled[""]}
        }
    for name, hints in FIELD_HINTS.items():
        spec = FIELDS_BY_NAME[name]
        chosen: dict[str, str] = {}
        for kind in spec.applies_to if classified else ("",):
            table = spelled.get(kind, {})
            # A stage goes by many names (`App-Status`, `Job Stage`): any that ends like one.
            guessed = (
                [k for k in table if k.endswith(("status", "stage"))] if name == "stage" else []
            )
            guessed.sort(key=lambda k: -table[k].total())
            for hint in dict.fromkeys((_squash(name), *hints, *guessed)):
                if hint not in spelled.get(kind, {}):
                    continue
                seen = values.get(kind, {}).get(hint, [])
                if seen and not _fits(spec.kind, seen, proposal.date_format):
                    continue  # `Applied: true` is no date; `next_action: [a, b]` no follow-up
                chosen[kind] = spelled[kind][hint].most_common(1)[0][0]
                break
        if len({p.lower() for p in chosen.values()}) == 1:
            prop = next(iter(chosen.values()))
            if prop.lower() != name:  # else the vault already uses vaultkit's own name
                proposal.fields[name] = prop
            continue
        for kind, prop in chosen.items():
            if prop.lower() != name:
                proposal.type_fields.setdefault(kind, {})[name] = prop


# Where a record's name may be written, when its file name is not it (`240926-Quarry Lane-
# Backend Developer.md` with `company: Quarry Lane`). A job title names the role, not the note.
NAME_HINTS: dict[str, tuple[str, ...]] = {
    "company": ("name", "company", "companyname", "organisation", "organization", "employer"),
    "contact": ("name", "fullname", "contactname", "person"),
}


def _same_name(a: str, b: str) -> bool:
    return unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()


def _propose_names(parsed: list[ParsedNote], kinds: dict[str, str], proposal: Proposal) -> None:
    """`name` from a property, for the records whose file names are not their names."""
    for kind, hints in NAME_HINTS.items():
        notes = [n for n in parsed if kinds.get(n.path) == kind]
        for hint in hints:
            found = [
                (PurePosixPath(n.path).stem, spelling, value)
                for n in notes
                for key, (spelling, value) in _properties(n).items()
                if _squash(key) == hint and not is_empty(value)
            ]
            texts = [
                (stem, spelling, str(value).strip())
                for stem, spelling, value in found
                if isinstance(value, str | int) and not isinstance(value, bool)
                if not find_links(str(value))  # a link names another note, not this one
            ]
            if not texts or len(texts) * 2 <= len(found):
                continue
            spelling = Counter(s for _, s, _ in texts).most_common(1)[0][0]
            apart = sum(not _same_name(stem, value) for stem, _, value in texts)
            if spelling.lower() != "name" and apart * 2 > len(texts):
                proposal.type_fields.setdefault(kind, {})["name"] = spelling
            break


def _find_employer_notes(
    parsed: list[ParsedNote], kinds: dict[str, str], proposal: Proposal
) -> None:
    """Applications (`Jobs/Backend at Acme.md`) whose `company:` links a company note of its
    own that is no record: what is linked to that note (its people, touches) is not the
    application's. Said, with the way to link them, when most applications do it."""
    stems = {PurePosixPath(n.path).stem.casefold(): n.path for n in parsed}
    found = []
    applications = [n for n in parsed if kinds.get(n.path) == "company"]
    for note in applications:
        for key, (_, value) in _properties(note).items():
            if _squash(key) in NAME_HINTS["company"][1:] and isinstance(value, str | list):
                targets = find_links(str(value))
                target = stems.get(PurePosixPath(targets[0]).name.casefold()) if targets else None
                if target and target not in kinds and target != note.path:
                    found.append((note.path, target))
                    break
    if found and len(found) * 2 > len(applications):
        proposal.employer_notes = (len(found), *found[0])


def _merged(spelled: dict[str, dict[str, Counter[str]]]) -> dict[str, Counter[str]]:
    merged: dict[str, Counter[str]] = {}
    for table in spelled.values():
        for key, counter in table.items():
            merged.setdefault(key, Counter()).update(counter)
    return merged


def _is_date(value: Any, date_format: str) -> bool:
    """A date or a date and time, in any form a date field reads (`Dec 4, 2025 2:00 PM`)."""
    if not isinstance(value, str) or is_empty(value):
        return False
    try:
        parse_value("when", value, None, date_format)
    except (FieldError, ValueError):
        return False
    return True


def _propose_interaction_fields(
    parsed: list[ParsedNote], kinds: dict[str, str], proposal: Proposal
) -> None:
    """An interaction note's date, whom it was with, and who wrote (`Comm-Type: Received`)."""
    interactions = [n for n in parsed if kinds.get(n.path) == "interaction"]
    dates: Counter[str] = Counter()
    links: Counter[str] = Counter()
    directions: Counter[str] = Counter()
    for note in interactions:
        for key, (spelling, value) in _properties(note).items():
            if key == "type":
                continue  # says what the note is (`type: meeting`), not who wrote
            if _is_date(value, proposal.date_format):
                dates[spelling] += 1
            elif find_links(str(value)):
                links[spelling] += 1
            elif isinstance(value, str) and direction_value(value):
                directions[spelling] += 1
    proposal.interaction_date = dates.most_common(1)[0][0] if dates else None
    proposal.interaction_with = links.most_common(1)[0][0] if links else None
    if directions and directions.most_common(1)[0][1] * 2 > len(interactions):
        proposal.interaction_direction = directions.most_common(1)[0][0]


def _propose_stages(parsed: list[ParsedNote], kinds: dict[str, str], proposal: Proposal) -> None:
    """Place each value the companies' stage property holds; a contact's `status` is no stage."""
    stage_key = (
        proposal.type_fields.get("company", {}).get("stage")
        or proposal.fields.get("stage")
        or "stage"
    ).lower()
    found: Counter[str] = Counter()
    for note in parsed:
        if kinds.get(note.path) not in ("company", None):
            continue
        value = _properties(note).get(stage_key, ("", None))[1]
        while isinstance(value, list) and len(value) == 1:
            value = value[0]  # Obsidian's list property holding one value
        if isinstance(value, str) and not is_empty(value):
            found[value.strip()] += 1
    for note in parsed:  # a Kanban board's lanes that hold cards are stages too
        found.update({lane for task, lane in cards(note) if task.links} - {"Archive"})
    for value in sorted(found, key=str.lower):
        if value.lower() in DEFAULT_STAGES:
            continue
        stage = place_stage(value)
        if stage == CONTACT_WORDS:
            proposal.contact_words.append(value)
        elif stage:
            proposal.stages.setdefault(stage, []).append(value)
        else:
            proposal.unplaced_stages.append(value)


def _toml_string(value: str) -> str:
    """`value` as a TOML basic string: values come from notes, so a quote or a line break in
    one must stay inside it (TOML forbids control characters there; they are escaped)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


def _comment(values: list[str]) -> str:
    """Values from notes in a `#` comment: on one line, control characters spelled out."""
    return printable(", ".join(values))


def render_toml(proposal: Proposal) -> str:
    out = [
        "# vaultkit.toml proposed by `vaultkit adopt`: check each line, then run",
        "# `vaultkit check` to see how your notes read. Delete what is wrong.",
        "",
        '# timezone = "Europe/Berlin"   # for times written without an offset',
        "",
    ]
    if proposal.exclude:
        out += ["# templates are not notes", f"exclude = {_toml_list(proposal.exclude)}", ""]
    if proposal.date_format:
        why = f"; {proposal.date_format_note}" if proposal.date_format_note else ""
        out += [
            f"# how your properties write dates that are not ISO{why}",
            f"date_format = {_toml_string(proposal.date_format)}",
            "",
        ]
    if lines := _shape_lines(proposal):
        out += [f"# {printable(line)}" for line in lines] + [""]  # a path may hold a newline
    for kind in ("company", "contact", "interaction"):
        folders = proposal.folders.get(kind, [])
        tags = proposal.tags.get(kind, [])
        # Notes that say `type: meeting` need no folder, only where their date and people are.
        typed = kind == "interaction" and proposal.typed_interactions
        if not folders and not tags and not proposal.type_fields.get(kind) and not typed:
            continue
        if kind == "interaction" and not folders and not typed:
            continue
        if folders or tags or typed:
            out.append(f"[types.{kind}]")
        if folders:
            out.append(f"folders = {_toml_list(folders)}")
        if tags:
            out.append(f"tags = {_toml_list(tags)}")
        if kind == "interaction":
            if proposal.interaction_date:
                out.append(f"date = {_toml_string(proposal.interaction_date)}")
            if proposal.interaction_with:
                out.append(f"with = {_toml_string(proposal.interaction_with)}")
            if proposal.interaction_direction:
                out.append(
                    f"direction = {_toml_string(proposal.interaction_direction)}  # who wrote"
                )
        if proposal.type_fields.get(kind):
            if folders or tags:
                out.append("")
            out.append(f"[types.{kind}.fields]  # for {kind} notes only, before [fields]")
            out += [
                f"{name} = {_toml_list([prop])}"
                for name, prop in proposal.type_fields[kind].items()
            ]
        out.append("")
    if proposal.fields:
        out.append("[fields]  # vaultkit's name = your properties, first present wins")
        out += [f"{name} = {_toml_list([prop])}" for name, prop in proposal.fields.items()]
        out.append("")
    if proposal.stages or proposal.unplaced_stages or proposal.contact_words:
        out.append("[stages]  # vaultkit's stage = your values")
        out += [f"{stage} = {_toml_list(values)}" for stage, values in proposal.stages.items()]
        if proposal.unplaced_stages:
            out.append(f"# not placed, add them above: {_comment(proposal.unplaced_stages)}")
        if proposal.contact_words:
            out.append(
                f"# these describe a person, not an application: {_comment(proposal.contact_words)}"
            )
        out.append("")
    return "\n".join(out)


def summary(proposal: Proposal) -> str:
    skipped = f" (templates skipped: {', '.join(proposal.exclude)})" if proposal.exclude else ""
    lines = [
        f"Read {proposal.notes} notes{skipped}: {proposal.counts['company']} look like "
        f"companies, {proposal.counts['contact']} like contacts, "
        f"{proposal.counts['interaction']} like interaction notes."
    ]
    if proposal.date_format:
        why = f" ({proposal.date_format_note})" if proposal.date_format_note else ""
        lines.append(f"  dates written {proposal.date_format}{why}")
    for kind, folders in proposal.folders.items():
        lines.append(f"  {kind} folders: {', '.join(folders)}")
    for kind, tags in proposal.tags.items():
        lines.append(f"  {kind} tag: #{tags[0]}")
    if proposal.dashboards:
        lines.append(f"  dashboards, not records: {', '.join(proposal.dashboards)}")
    for name, prop in proposal.fields.items():
        lines.append(f"  field {name:<13} <- {prop}")
    for kind, fields in proposal.type_fields.items():
        for name, prop in fields.items():
            lines.append(f"  field {name:<13} <- {prop} ({kind} notes)")
    for stage, values in proposal.stages.items():
        lines.append(f"  stage {stage:<13} <- {', '.join(values)}")
    if proposal.unplaced_stages:
        lines.append(f"  could not place: {', '.join(proposal.unplaced_stages)}")
    if proposal.contact_words:
        lines.append(f"  not stages (they describe a person): {', '.join(proposal.contact_words)}")
    if proposal.partial:
        lines.append(
            "  could not read in full (fix the YAML on these lines): " + ", ".join(proposal.partial)
        )
    lines += [f"  {line}" for line in _shape_lines(proposal)]
    return "\n".join(lines)


def _shape_lines(proposal: Proposal) -> list[str]:
    """What adopt must say plainly: a vault kept in a shape vaultkit cannot read."""
    written = proposal.text_properties
    said = [TEXT_PROPERTIES_SAID.format(count=len(written), first=written[0])] if written else []
    if proposal.employer_notes:
        count, application, employer = proposal.employer_notes
        said.append(
            f"{count} applications link a company note of their own ({application} -> "
            f"{employer}); vaultkit reads each application as the company, so people and "
            "touches linked only to the company note do not count for it: list the people in "
            "the application's `contacts:` (or link the application from them): see "
            "docs/adopt.md#applications-that-link-a-company-note"
        )
    return said + [
        f"{path} keeps {count} applications as list items or table rows of one note; "
        "vaultkit reads one note per application (a company note with its stage and dates), "
        "so it cannot follow these up: see docs/adopt.md#one-note-per-application"
        for path, count in proposal.shapes
    ]
