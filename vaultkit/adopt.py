"""`vaultkit adopt`: read a vault that has its own conventions and propose the mapping for it.

Guesses from what the notes hold: folders and tags that group notes, property names that look
like vaultkit's fields, values that look like dates, stages or links. Reads only; the result
is a commented `vaultkit.toml` for the user to check.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from vaultkit.config import DEFAULT_STAGES
from vaultkit.fields import is_empty
from vaultkit.parse import ParsedNote, find_links, read_note
from vaultkit.scan import scan_vault, template_folders

_DATE_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}.*)?$")

# vaultkit field -> words a vault's property name may be made of (compared without punctuation)
FIELD_HINTS: dict[str, tuple[str, ...]] = {
    # Not "company" or "title": on a contact they name the employer and the job.
    "name": ("name", "jobtitle", "positionname", "fullname"),
    "stage": ("stage", "status", "appstage", "applicationstatus", "applicationstage", "state"),
    "applied": ("applied", "applieddate", "dateapplied", "applicationdate", "appliedon"),
    "follow_up": (
        "followup",
        "followupdate",
        "followupreminderdate",
        "nextfollowup",
        "nextaction",
        "nextactiondate",
        "reminder",
        "remindon",
    ),
    "offer": ("offer", "offerdate", "offerreceived"),
    "contacts": ("contacts", "people", "hiringmanager", "recruiter", "contact"),
    "company": ("company", "organisation", "organization", "employer", "org"),
    "role": ("role", "position", "jobtitle", "title"),
    "url": ("url", "link", "joburl", "posting", "joblink"),
    "source": ("source", "foundvia", "channel"),
    "resume": ("resume", "resumeversion", "cv", "cvversion"),
    "cover_letter": ("coverletter", "coverletterversion"),
    "email": ("email", "mail", "emailaddress"),
    "phone": ("phone", "phonenumber", "mobile"),
    "linkedin": ("linkedin", "linkedinurl", "linkedinprofile"),
    "last_contact": ("lastcontact", "lastcontacted", "lasttouch", "lastspoke"),
    "relationship": ("relationship", "relation", "contacttype", "persontype"),
}
STAGE_HINTS: list[tuple[str, tuple[str, ...]]] = [
    ("withdrawn", ("withdr", "nogo", "donotapply", "notapply", "pass", "declined")),
    ("ghosted", ("ghost", "noresponse", "noreply", "silent")),
    ("rejected", ("reject", "notselected", "turneddown", "closed")),
    ("accepted", ("accept", "hired", "signed")),
    ("offer", ("offer",)),
    ("interviewing", ("interview", "onsite", "technical", "final")),
    ("screening", ("screen", "recruiter", "phone", "hr")),
    ("applied", ("appl", "submitted", "sent")),
    (
        "lead",
        (
            "lead",
            "review",
            "pursue",
            "interest",
            "wish",
            "bookmark",
            "research",
            "todo",
            "saved",
            "prospect",
            "idea",
        ),
    ),
]


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass
class Proposal:
    notes: int = 0
    folders: dict[str, list[str]] = field(default_factory=dict)
    """type -> folders."""
    tags: dict[str, list[str]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    fields: dict[str, str] = field(default_factory=dict)
    """vaultkit field -> the vault's property (original spelling)."""
    interaction_date: str | None = None
    interaction_with: str | None = None
    stages: dict[str, list[str]] = field(default_factory=dict)
    unplaced_stages: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


def _folder_of(path: str) -> str:
    return str(PurePosixPath(path).parent) if "/" in path else ""


def _kind_of_keys(keys: set[str], meta: dict[str, Any]) -> str | None:
    squashed = {_squash(k) for k in keys}
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
    dates = [k for k, v in meta.items() if isinstance(v, str) and _DATE_VALUE.match(v.strip())]
    links = [k for k, v in meta.items() if find_links(str(v))]
    if dates and links:
        return "interaction"
    return None


def propose(vault: Path, output: str = "_site") -> Proposal:
    excluded = [f"{folder}/**" for folder in template_folders(vault)]
    scan = scan_vault(vault, output, excluded)
    parsed = [n for rel in scan.notes if (n := read_note(vault, rel)) is not None]
    proposal = Proposal(notes=len(parsed), exclude=excluded)
    by_folder: dict[str, Counter[str]] = {}
    kinds: dict[str, str] = {}
    for note in parsed:
        kind = _kind_of_keys(set(note.meta), note.meta)
        stated = str(note.meta.get("type", "")).lower()
        if stated in ("company", "contact"):
            kind = stated
        if kind:
            kinds[note.path] = kind
            by_folder.setdefault(_folder_of(note.path), Counter())[kind] += 1
    # The fullest folder first: `vaultkit new` writes into a type's first folder.
    for folder, counter in sorted(by_folder.items(), key=lambda i: (-i[1].total(), i[0])):
        kind, count = counter.most_common(1)[0]
        if folder and count >= max(1, sum(counter.values()) // 2):
            proposal.folders.setdefault(kind, []).append(folder)
    _propose_tags(parsed, kinds, proposal)
    proposal.counts.update(kinds.values())
    _propose_fields(parsed, kinds, proposal)
    _propose_stages(parsed, proposal)
    return proposal


def _propose_tags(parsed: list[ParsedNote], kinds: dict[str, str], proposal: Proposal) -> None:
    per_kind: dict[str, Counter[str]] = {}
    for note in parsed:
        if note.path in kinds:
            tags = note.meta.get("tags") or []
            tags = tags if isinstance(tags, list) else [tags]
            for tag in {str(t).lstrip("#").lower() for t in tags if t} | set(note.tags):
                per_kind.setdefault(kinds[note.path], Counter())[tag] += 1
    for kind, counter in per_kind.items():
        total = sum(1 for k in kinds.values() if k == kind)
        common = [t for t, n in counter.most_common(3) if n >= max(2, total // 2)]
        if common:
            proposal.tags[kind] = common[:1]


def _propose_fields(parsed: list[ParsedNote], kinds: dict[str, str], proposal: Proposal) -> None:
    spelled: dict[str, Counter[str]] = {}
    for note in parsed:
        for key in note.meta:
            spelled.setdefault(_squash(key), Counter())[note.spelling.get(key, key)] += 1
    for name, hints in FIELD_HINTS.items():
        if _squash(name) in spelled:
            continue  # the vault already uses vaultkit's own name
        for hint in hints:
            if hint in spelled:
                proposal.fields[name] = spelled[hint].most_common(1)[0][0]
                break
    interactions = [n for n in parsed if kinds.get(n.path) == "interaction"]
    if interactions:
        dates: Counter[str] = Counter()
        links: Counter[str] = Counter()
        for note in interactions:
            for key, value in note.meta.items():
                if isinstance(value, str) and _DATE_VALUE.match(value.strip()):
                    dates[note.spelling.get(key, key)] += 1
                elif find_links(str(value)):
                    links[note.spelling.get(key, key)] += 1
        proposal.interaction_date = dates.most_common(1)[0][0] if dates else None
        proposal.interaction_with = links.most_common(1)[0][0] if links else None


def _propose_stages(parsed: list[ParsedNote], proposal: Proposal) -> None:
    stage_key = (proposal.fields.get("stage") or "stage").lower()
    values = Counter(
        str(n.meta[stage_key]).strip()
        for n in parsed
        if not is_empty(n.meta.get(stage_key)) and isinstance(n.meta[stage_key], str)
    )
    for value in sorted(values):
        if value.lower() in DEFAULT_STAGES:
            continue
        squashed = _squash(value)
        stage = next((s for s, hints in STAGE_HINTS if any(h in squashed for h in hints)), None)
        if stage:
            proposal.stages.setdefault(stage, []).append(value)
        else:
            proposal.unplaced_stages.append(value)


def _toml_list(values: list[str]) -> str:
    return (
        "["
        + ", ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        + "]"
    )


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
    for kind in ("company", "contact", "interaction"):
        folders = proposal.folders.get(kind, [])
        tags = proposal.tags.get(kind, [])
        if not folders and not tags and kind != "interaction":
            continue
        if kind == "interaction" and not folders:
            continue
        out.append(f"[types.{kind}]")
        if folders:
            out.append(f"folders = {_toml_list(folders)}")
        if tags:
            out.append(f"tags = {_toml_list(tags)}")
        if kind == "interaction":
            if proposal.interaction_date:
                out.append(f'date = "{proposal.interaction_date}"')
            if proposal.interaction_with:
                out.append(f'with = "{proposal.interaction_with}"')
        out.append("")
    if proposal.fields:
        out.append("[fields]  # vaultkit's name = your properties, first present wins")
        out += [f"{name} = {_toml_list([prop])}" for name, prop in proposal.fields.items()]
        out.append("")
    if proposal.stages or proposal.unplaced_stages:
        out.append("[stages]  # vaultkit's stage = your values")
        out += [f"{stage} = {_toml_list(values)}" for stage, values in proposal.stages.items()]
        if proposal.unplaced_stages:
            out.append(f"# not placed, add them above: {', '.join(proposal.unplaced_stages)}")
        out.append("")
    return "\n".join(out)


def summary(proposal: Proposal) -> str:
    skipped = f" (templates skipped: {', '.join(proposal.exclude)})" if proposal.exclude else ""
    lines = [
        f"Read {proposal.notes} notes{skipped}: {proposal.counts['company']} look like "
        f"companies, {proposal.counts['contact']} like contacts, "
        f"{proposal.counts['interaction']} like interaction notes."
    ]
    for kind, folders in proposal.folders.items():
        lines.append(f"  {kind} folders: {', '.join(folders)}")
    for name, prop in proposal.fields.items():
        lines.append(f"  field {name:<13} <- {prop}")
    for stage, values in proposal.stages.items():
        lines.append(f"  stage {stage:<13} <- {', '.join(values)}")
    if proposal.unplaced_stages:
        lines.append(f"  could not place: {', '.join(proposal.unplaced_stages)}")
    return "\n".join(lines)
