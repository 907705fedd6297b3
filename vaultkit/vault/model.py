"""The model: notes typed and classified, links resolved, interactions gathered per record.

`build_model` is pure: parsed notes and the config in, a Vault out. Problems found on the way
(bad field values, links to nowhere) are collected, never raised.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import PurePosixPath
from typing import Any

from vaultkit.errors import ExpressionError, FieldError
from vaultkit.vault.config import Config
from vaultkit.vault.fields import (
    FIELDS,
    RawInterview,
    When,
    is_empty,
    local_date,
    parse_date,
    parse_interview,
    parse_links,
    parse_list,
    parse_tags,
    parse_text,
    parse_value,
    parse_when,
    squash,
)
from vaultkit.vault.parse import Entry, ParsedNote, Task, cards, extension, find_links
from vaultkit.vault.problems import Problem, error, warning
from vaultkit.vault.vocabulary import BOTH, IN, OUT, UNKNOWN, direction_of, direction_value

DAILY_NOTE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TYPE_WORDS = {
    "company": "company",
    "opportunity": "company",
    "job": "company",
    "position": "company",
    "application": "company",
    "job application": "company",
    "job-application": "company",
    "contact": "contact",
    "person": "contact",
    "people": "contact",
    "recruiter": "contact",
    "interaction": "interaction",
    "meeting": "interaction",
    "call": "interaction",
    "conversation": "interaction",
    "communication": "interaction",
}
"""What a note's own `type:` property may say it is (`type: person`, `type: meeting`)."""


@dataclass(slots=True)
class Interview:
    when: When
    with_: list[str]
    """Paths of the contacts it was with (resolved links)."""
    kind: str
    line: int


@dataclass(slots=True)
class Interaction:
    """A dated touch with a record."""

    date: date
    source: str
    """Where it came from: `log`, `daily`, `interaction`, `last_contact`, `applied`, `interview`."""
    path: str
    """The note that records it."""
    line: int
    text: str = ""
    tags: frozenset[str] = frozenset()
    direction: str = UNKNOWN
    """`out` (your outreach), `in` (their message), `both` (a call, a meeting, an interview)
    or `unknown`: see vocabulary.direction_of."""


@dataclass(slots=True)
class Note:
    path: str
    kind: str
    """`company`, `contact`, `interaction`, `daily` or `note`."""
    name: str
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    """vaultkit's fields, typed (see fields.FIELDS); an absent or bad field is not here."""
    field_lines: dict[str, int] = field(default_factory=dict)
    named_by_text: set[str] = field(default_factory=set)
    """Link fields written as plain text (`company: Meridian Talent`, an agency with no note):
    they name something by text, so naming no note is no broken link."""
    checked: set[str] = field(default_factory=set)
    """Date fields set by a checkbox (`applied: true`): it happened, on a day not given."""
    stage: str | None = None
    interviews: list[Interview] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    """For a company: paths of its contacts (from `contacts:` and from contacts' `company:`)."""
    company: str | None = None
    """For a contact: the path of their company."""
    tasks: list[Task] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    """Paths of every note this one links (frontmatter and body), in order, without repeats."""
    interactions: list[Interaction] = field(default_factory=list)
    """For a record: every touch, sorted by date."""
    parsed: ParsedNote | None = None

    @property
    def is_record(self) -> bool:
        return self.kind in ("company", "contact")

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    def happened(self, name: str) -> bool:
        """The date field `name` is set, by a date or by a checkbox."""
        return name in self.fields or name in self.checked

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, 1)

    def last_interaction(self, today: date, *, after: date | None = None) -> Interaction | None:
        """The latest touch on or before today (and after `after`, if given)."""
        best = None
        for touch in self.interactions:
            if touch.date <= today and (after is None or touch.date > after):
                best = touch
        return best


def link_key(text: str) -> str:
    """How link targets compare, as in Obsidian: without case, and alike in composed and
    decomposed Unicode (macOS writes `é` in file names as `e` and a combining accent)."""
    return unicodedata.normalize("NFC", text).lower()


class LinkIndex:
    """Obsidian's link resolution: by path, then file name, then `name:`/alias; case-insensitive.
    Notes can be added and removed one at a time (the live model does, note by note). Files
    that are not notes (attachments, canvases, bases, excluded templates) are kept apart: a
    link to one is resolved, but to no record."""

    def __init__(self, notes: dict[str, Note], files: Iterable[str] = ()) -> None:
        self.by_path: dict[str, str] = {}
        self.by_stem: dict[str, list[str]] = {}
        self.by_name: dict[str, list[str]] = {}
        for path, note in notes.items():
            self.add(path, note)
        self.set_files(files)

    def set_files(self, files: Iterable[str]) -> None:
        self.file_list = sorted(files)
        self.files: dict[str, str] = {}
        self.file_names: dict[str, list[str]] = {}
        for rel in self.file_list:
            key = link_key(rel)
            # An excluded note (a template) is linked without its `.md`, like any note.
            for form in (key, key[:-3]) if key.endswith(".md") else (key,):
                self.files.setdefault(form, rel)
                self.file_names.setdefault(PurePosixPath(form).name, []).append(rel)

    @classmethod
    def of_files(cls, paths: Iterable[str]) -> LinkIndex:
        """An index of paths and file names only, made without reading a note: wherever a
        path or a file name decides (`lookup` tries them before names), it answers as the
        whole vault's index does (the edit commands find a note without reading the vault)."""
        index = cls({})
        for path in paths:
            index.add(path, None)
        return index

    @staticmethod
    def entries(path: str, note: Note | None) -> tuple[str, str, set[str]]:
        """Where a note is filed: its bare path, its file name, and its other names."""
        bare = link_key(path[:-3])
        stem = PurePosixPath(bare).name
        if note is None:
            return bare, stem, set()
        names = {link_key(note.name), *(link_key(a) for a in note.aliases)} - {stem}
        return bare, stem, names

    def add(self, path: str, note: Note | None) -> None:
        bare, stem, names = self.entries(path, note)
        self.by_path[bare] = path
        self.by_stem.setdefault(stem, []).append(path)
        for name in names:
            self.by_name.setdefault(name, []).append(path)

    def remove(self, path: str, note: Note) -> None:
        bare, stem, names = self.entries(path, note)
        if self.by_path.get(bare) == path:
            del self.by_path[bare]
        for table, key in [(self.by_stem, stem), *((self.by_name, n) for n in names)]:
            found = table.get(key, [])
            if path in found:
                found.remove(path)
                if not found:
                    del table[key]

    @classmethod
    def keys_of(cls, path: str, note: Note) -> set[str]:
        """Every lookup key whose answer a note takes part in: its file name, its names, and
        each `/`-separated tail of its path."""
        bare, stem, names = cls.entries(path, note)
        parts = bare.split("/")
        return {stem, *names, *("/".join(parts[i:]) for i in range(len(parts) - 1))}

    @staticmethod
    def key(target: str, source: str = "") -> str | None:
        """The lookup key of a link target (None: a relative link leading out of the vault).
        A `./` or `../` target (a Markdown link) is relative to the `source` note's folder."""
        if target.startswith(("./", "../")):
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
            if joined.startswith("../"):
                return None
            target = joined
        key = link_key(target.strip()).lstrip("/")
        return key[:-3] if key.endswith(".md") else key

    def lookup(self, key: str | None) -> tuple[str | None, list[str]]:
        """(path, []) when found; (None, candidates) when ambiguous; (None, []) when missing."""
        if key is None:
            return None, []
        if "/" in key:
            if key in self.by_path:
                return self.by_path[key], []
            matches = [p for bare, p in self.by_path.items() if bare.endswith("/" + key)]
            return (matches[0], []) if len(matches) == 1 else (None, sorted(matches))
        for table in (self.by_stem, self.by_name):
            matches = sorted(set(table.get(key, [])))
            if len(matches) == 1:
                return matches[0], []
            if matches:
                return None, matches
        return None, []

    def resolve(self, target: str, source: str = "") -> tuple[str | None, list[str]]:
        """(path, []) when found; (None, candidates) when ambiguous; (None, []) when missing."""
        return self.lookup(self.key(target, source))

    def resolve_file(self, target: str, source: str = "") -> str | None:
        """The file, not a note, that `target` names (`CV 2026.pdf`, `Board.canvas`, an
        excluded template); None when there is none. Several alike: any, it is no record."""
        if target.startswith(("./", "../")):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
            if target.startswith("../"):
                return None
        key = link_key(target.strip()).lstrip("/")
        if "/" in key:
            if key in self.files:
                return self.files[key]
            return next((rel for k, rel in self.files.items() if k.endswith("/" + key)), None)
        found = self.file_names.get(key)
        return found[0] if found else None


@dataclass
class Vault:
    config: Config
    notes: dict[str, Note]
    problems: list[Problem]
    index: LinkIndex
    identities: Any = None
    """`vaultkit.vault.identity.Identities` once the vault is loaded: which notes were renamed or
    moved, and each open task's key, for ids that outlive them (None: every path is itself)."""

    def records(self, kind: str) -> list[Note]:
        return [n for n in self.notes.values() if n.kind == kind]

    def is_active(self, company: Note) -> bool:
        return company.stage is None or self.config.stages.get(company.stage, True)


def _lookup(
    parsed: ParsedNote, config: Config, name: str, kind: str | None = None
) -> tuple[Any, int, str] | None:
    """The raw value of vaultkit's field `name` on a note of `kind`, its line and the property
    that held it: frontmatter first, then inline `key:: value`."""
    keys = config.field_names(name, kind)
    for key in keys:
        if key in parsed.meta and not is_empty(parsed.meta[key]):
            return parsed.meta[key], parsed.meta_lines.get(key, 1), key
    for key in keys:
        if key in parsed.inline and not is_empty(parsed.inline[key][0]):
            return *parsed.inline[key], key
    return None


def _dated_instead(
    parsed: ParsedNote, config: Config, name: str, kind: str, found: tuple[Any, int, str]
) -> tuple[Any, int, str]:
    """A checkbox was found for the date field `name`; a date for the same fact wins: another
    property mapped to `name`, or a sibling of the checkbox (`Applied-Date` beside `Applied`)."""
    keys = config.field_names(name, kind)
    stem = squash(found[2])
    siblings = {stem + "date", "date" + stem, stem + "on", stem + "at", stem + "day"}
    for source in (parsed.meta, {k: v for k, (v, _) in parsed.inline.items()}):
        for key, value in source.items():
            if (key in keys or squash(key) in siblings) and not (
                is_empty(value) or isinstance(value, bool)
            ):
                line = (
                    parsed.meta_lines.get(key, 1)
                    if source is parsed.meta
                    else parsed.inline[key][1]
                )
                return value, line, key
    return found


def _classify(parsed: ParsedNote, config: Config, tags: list[str]) -> str:
    stated = _lookup(parsed, config, "type")
    if stated and isinstance(stated[0], str) and stated[0].strip().lower() in TYPE_WORDS:
        return TYPE_WORDS[stated[0].strip().lower()]
    if is_dashboard(parsed):
        return "note"
    path = parsed.path.lower()
    for kind in ("company", "contact", "interaction"):
        folders = [f.strip("/").lower() for f in config.type_list(kind, "folders")]
        if any(path.startswith(f + "/") for f in folders if f):
            return kind
    # A daily note is a day's notes, whatever its items are tagged with (`#person`).
    if daily_day(parsed.path, config) is not None:
        return "daily"
    for kind in ("company", "contact", "interaction"):
        if {t.lower().lstrip("#") for t in config.type_list(kind, "tags")} & with_parents(tags):
            return kind
    return "note"


_VIEW_KEYS = frozenset(
    {"tags", "tag", "aliases", "alias", "cssclasses", "cssclass", "title", "banner", "icon"}
    | {"publish", "created", "updated", "modified", "date", "type"}
)
"""Properties any note may have; a dashboard may have them and still be no record."""


def is_dashboard(parsed: ParsedNote) -> bool:
    """A note made of queries (```dataview, ```base, an embedded `.base` …) with no property
    of a record: a view of the notes in its folder, not one of them."""
    if not parsed.queries and not any(extension(link.target) == "base" for link in parsed.links):
        return False
    properties = {**parsed.meta, **{k: v for k, (v, _) in parsed.inline.items()}}
    return all(is_empty(v) for k, v in properties.items() if k not in _VIEW_KEYS)


def with_parents(tags: Iterable[str]) -> set[str]:
    """Tags with the tags they nest in, as Obsidian searches them: `job/applied` is `job` too."""
    found: set[str] = set()
    for tag in tags:
        parts = tag.split("/")
        found.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return found


def daily_day(path: str, config: Config) -> date | None:
    """The day of a daily note: a file named by a date (`2026-11-24.md`, in any folder), or
    one named as the vault's daily-notes settings say (`Journal/2026/11/24.11.2026.md`)."""
    stem = PurePosixPath(path).stem
    if DAILY_NOTE.match(stem):
        try:
            return parse_date(stem)
        except FieldError:
            return None
    settings = config.daily_notes
    return settings.date_of(path) if settings is not None else None


def _interviews(
    parsed: ParsedNote,
    value: Any,
    line: int,
    key: str,
    tz: tzinfo,
    problems: list[Problem],
    date_format: str = "",
) -> list[tuple[RawInterview, int]]:
    """Each good interview with its line; a bad one is an error on its own line and the
    others still count."""
    items = value if isinstance(value, list) else [value]
    lines = parsed.item_lines.get(key, [])
    if len(lines) != len(items):
        lines = [line] * len(items)  # a flow list `[{...}, {...}]`: all on the key's line
    out = []
    for item, item_line in zip(items, lines, strict=True):
        try:
            if (interview := parse_interview(item, tz, date_format)) is not None:
                out.append((interview, item_line))
        except FieldError as exc:
            problems.append(error(parsed.path, item_line, f"`interviews`: {exc}"))
    return out


UnknownStages = dict[str, list[tuple[str, int]]]
"""A stage value no stage claims (lower case) -> (path, line) of each note that uses it."""


def _typed_fields(
    note: Note,
    parsed: ParsedNote,
    config: Config,
    tz: tzinfo,
    problems: list[Problem],
    unknown: UnknownStages,
) -> list[tuple[RawInterview, int]]:
    interviews: list[tuple[RawInterview, int]] = []
    date_format = str(config.get("date_format"))
    for spec in FIELDS:
        if note.kind not in spec.applies_to or spec.name in ("name", "aliases", "tags"):
            continue
        found = _lookup(parsed, config, spec.name, note.kind)
        if found is None:
            continue
        if spec.kind in ("date", "when") and isinstance(found[0], bool):
            found = _dated_instead(parsed, config, spec.name, note.kind, found)
        value, line, key = found
        _report_shadowed(parsed, key, spec.name, problems)
        if isinstance(value, bool) and spec.kind in ("date", "when"):
            # A checkbox: `true` says it happened (evidence, no date); `false` is absent.
            if value:
                note.checked.add(spec.name)
                note.field_lines[spec.name] = line
            continue
        note.field_lines[spec.name] = line
        if spec.kind in ("link", "links") and not find_links(str(value)):
            note.named_by_text.add(spec.name)
        if spec.kind == "interviews":
            interviews = _interviews(parsed, value, line, key, tz, problems, date_format)
            continue
        try:
            if spec.kind == "stage":
                note.stage = _stage(parse_value("stage", value, tz), config)
                if note.stage is None:
                    unknown.setdefault(parse_text(value).lower(), []).append((parsed.path, line))
                else:
                    note.fields["stage"] = note.stage
            else:
                note.fields[spec.name] = parse_value(spec.kind, value, tz, date_format)
        except ExpressionError as exc:  # not wrong, only beyond reading: said, not an error
            problems.append(warning(parsed.path, line, f"`{spec.name}`: {exc}"))
        except FieldError as exc:
            problems.append(error(parsed.path, line, f"`{spec.name}`: {exc}"))
    if note.kind == "company" and "stage" not in note.field_lines:
        note.stage = _evident_stage(note, bool(interviews))
    return interviews


def _report_shadowed(parsed: ParsedNote, key: str, name: str, problems: list[Problem]) -> None:
    """A property read from the frontmatter while an inline field of the same name (in any
    case: `title:` and `[Title:: …]`) says otherwise: one is read, so say which."""
    if key not in parsed.meta or key not in parsed.inline:
        return
    inline, line = parsed.inline[key]
    if is_empty(inline) or str(inline).strip() == str(parsed.meta[key]).strip():
        return
    spelled = parsed.inline_spelling.get(key, key)
    problems.append(
        warning(
            parsed.path,
            line,
            f"`{name}`: the inline field `{spelled}::` and the property "
            f"`{parsed.spelling.get(key, key)}:` are one name to vaultkit (names ignore case) "
            "and say different things; the property's value is read",
        )
    )


def _evident_stage(company: Note, interviewed: bool) -> str | None:
    """The stage of a company that states none, as far as its fields show."""
    if company.happened("offer"):
        return "offer"
    if interviewed:
        return "interviewing"
    return "applied" if company.happened("applied") else None


def _stage(value: Any, config: Config) -> str | None:
    """The stage a value names (None for one no stage claims)."""
    text = parse_text(value).lower()
    return config.stage_aliases.get(text) or config.stage_aliases.get(text.replace(" ", "-"))


def _report_unknown_stages(unknown: UnknownStages, config: Config, problems: list[Problem]) -> None:
    """One warning per value, not one error per note: a vault's own word that the mapping does
    not place yet is a gap in the mapping, however many notes use it."""
    names = ", ".join(config.stages)
    for value, uses in sorted(unknown.items()):
        path, line = min(uses)
        others = len({p for p, _ in uses} - {path})
        also = f" (and in {others} other note{'s' if others > 1 else ''})" if others else ""
        problems.append(
            warning(
                path,
                line,
                f"unknown stage {value!r}{also}: map it under [stages] in vaultkit.toml, "
                f"or use one of {names}",
            )
        )


def _note_from(
    parsed: ParsedNote,
    config: Config,
    tz: tzinfo,
    problems: list[Problem],
    unknown: UnknownStages,
) -> tuple[Note, list[tuple[RawInterview, int]]]:
    stem = PurePosixPath(parsed.path).stem

    def read(name: str, parser: Any, kind: str | None = None) -> Any:
        found = _lookup(parsed, config, name, kind)
        if found is None:
            return None
        try:
            return parser(found[0])
        except FieldError as exc:
            problems.append(error(parsed.path, found[1], f"`{name}`: {exc}"))
            return None

    tags = read("tags", parse_tags) or []
    tags += [t for t in parsed.tags if t not in tags]
    kind = _classify(parsed, config, tags)
    name = (read("name", parse_text, kind) if kind in ("company", "contact") else None) or stem
    name_line = (_lookup(parsed, config, "name", kind) or (None, 1))[1]
    aliases = read("aliases", parse_list, kind) or []
    note = Note(
        parsed.path,
        kind,
        name,
        aliases,
        tags,
        tasks=parsed.tasks,
        entries=parsed.entries,
        parsed=parsed,
        field_lines={"name": name_line},
    )
    for task in parsed.tasks:
        for label, value in (
            ("due", task.due),
            ("scheduled", task.scheduled),
            ("start", task.start),
            ("done", task.done),
        ):
            if value is not None:
                try:
                    parse_date(value)
                except FieldError as exc:
                    problems.append(warning(parsed.path, task.line, f"task {label} date: {exc}"))
    interviews = (
        _typed_fields(note, parsed, config, tz, problems, unknown) if note.is_record else []
    )
    return note, interviews


def build_model(parsed_notes: list[ParsedNote], config: Config, files: Iterable[str] = ()) -> Vault:
    """The model of these notes: one `Model.update` from nothing. `files` are the vault's
    other files (attachments, canvases, excluded templates), which links may name too."""
    model = Model(config, files)
    model.update({parsed.path: parsed for parsed in parsed_notes})
    return model.vault


Resolve = Callable[[str], tuple[str | None, list[str]]]
"""A link target -> (path, candidates), as `LinkIndex.resolve` answers for one note."""


@dataclass(slots=True)
class Touch:
    """An interaction a note records with a record: `propagate`d to the contact's company
    (a log line, a last contact) or not (an interview, an application)."""

    record: str
    interaction: Interaction | None
    """None for a card on a Kanban board: no touch, only the `lane` it is in."""
    propagate: bool = True
    lane: str = ""
    """The lane of a board's card (`## Applied`), which gives a company that states no stage
    its stage."""


@dataclass(slots=True)
class _Own:
    """What one note gives the model by itself (its parse and the config): its facts, and
    what resolving its links and gathering its touches found."""

    note: Note
    interviews: list[tuple[RawInterview, int]]
    problems: list[Problem]
    """The parse's problems and those of the note's own fields."""
    unknown: UnknownStages
    keys: set[str] = field(default_factory=set)
    """The link keys its links and touches looked up."""
    refs: set[str] = field(default_factory=set)
    """The notes those keys led to (whose kind its links and touches depend on)."""
    own_contacts: list[str] = field(default_factory=list)
    link_problems: list[Problem] = field(default_factory=list)
    touches: list[Touch] = field(default_factory=list)
    touch_problems: list[Problem] = field(default_factory=list)


class Model:
    """The model, kept up to date note by note (`watch` keeps one for its whole run).

    `update(changed)` takes new parses (None: the note is gone) and re-derives only what they
    touch: the changed notes' own fields; the links of every note that looked up a key the
    change answers differently (a note added, removed, renamed, or its name changed); the
    touches of those notes and of every note that links one whose kind changed; and the
    interactions of every record those touches name (or named), with a contact's company.
    `build_model` is one update from nothing, so both ways give the same Vault."""

    def __init__(self, config: Config, files: Iterable[str] = ()) -> None:
        self.config = config
        self.tz = config.tz
        self.vault = Vault(config, {}, [], LinkIndex({}, files))
        self.own: dict[str, _Own] = {}
        self.users: dict[str, set[str]] = {}
        """Link key -> the notes that looked it up."""
        self.backrefs: dict[str, set[str]] = {}
        """Note -> the notes whose links or touches led to it."""
        self.into: dict[str, set[str]] = {}
        """Record -> the notes whose touches name it."""
        self.members: dict[str, set[str]] = {}
        """Company -> the contacts whose `company:` is it."""
        self.answers: dict[str | None, tuple[str | None, list[str]]] = {}
        """Link key -> its answer, while the index stays as it is (an update's lookups)."""
        self.reported: dict[str, tuple[list[Problem], list[tuple[str, tuple[str, int]]]]] = {}
        """Note -> its problems and its uses of unknown stages (only notes with either)."""
        self.claims: dict[str, set[str]] = {}
        """A record's name or alias, lowercased -> the records that claim it."""
        self.claimed: dict[str, set[str]] = {}
        """Record -> the names it claims."""
        self.tag_sets: TagSets = {}
        """The interactions' tag sets, each kept once: a vault's log lines use a few dozen
        (at 10,000 notes, 68,000 interactions held 12 MB of equal sets)."""

    def update(
        self, changed: dict[str, ParsedNote | None], files: Iterable[str] | None = None
    ) -> set[str]:
        """Apply new parses; the paths of the notes that changed: those given, and those
        whose links, contacts or interactions came out different. `files`, when given, is the
        vault's list of other files anew: when it changed, every note's links are looked at
        again (a link to an attachment warns only while it is missing)."""
        vault = self.vault
        self.before: dict[str, tuple[Any, ...]] = {}
        files_changed = files is not None and sorted(files) != vault.index.file_list
        if files_changed:
            vault.index.set_files(files or ())
        companies: set[str] = set()  # whose contacts and propagated touches may change
        regather: set[str] = set()  # records whose interactions may change
        made: dict[str, _Own] = {}
        for path, parsed in changed.items():
            if parsed is not None:
                problems = list(parsed.problems)
                unknown: UnknownStages = {}
                note, interviews = _note_from(parsed, self.config, self.tz, problems, unknown)
                made[path] = _Own(note, interviews, problems, unknown)
        # The link keys someone looked up that these notes answer (before or after).
        keys: set[str] = set()
        for path in changed:
            for own in (self.own.get(path), made.get(path)):
                if own is not None:
                    keys |= LinkIndex.keys_of(path, own.note) & self.users.keys()
        before = {key: vault.index.lookup(key) for key in keys}
        for path in changed:
            old = self.own.pop(path, None)
            if old is not None:
                vault.index.remove(path, old.note)
                companies |= self._forget(path, old, regather)
                del vault.notes[path]
            if path in made:
                self.own[path] = made[path]
                vault.notes[path] = made[path].note
                vault.index.add(path, made[path].note)
        if changed:
            vault.notes = dict(sorted(vault.notes.items()))  # the scan's order: by path
        notes = vault.notes
        self.answers = {}
        keys = {key for key in keys if vault.index.lookup(key) != before[key]}
        # Links: of the changed notes, and of every note that looked up a key answered anew.
        relink = set(notes) if files_changed else {p for p in changed if p in notes}
        for key in keys:
            relink |= self.users.get(key, set())
        for path in relink - changed.keys():
            self._keep(notes[path])
            companies |= self._forget(path, self.own[path], regather)
            _reset_derived(self.own[path].note)
        for path in sorted(relink):
            self._link(path)
        # Touches: of those notes, and of every note whose links led to a changed one (its
        # kind decides whether a touch counts).
        retouch = set(relink)
        for path in changed:
            retouch |= self.backrefs.get(path, set()) & notes.keys()
        for path in retouch - relink:
            own = self.own[path]
            regather |= {t.record for t in own.touches}
            self._forget_touches(path, own)
        for path in sorted(retouch):
            self._touch(path)
            regather |= {t.record for t in self.own[path].touches}
        # Records: those touched (before or now), those re-linked, and their companies.
        regather |= relink
        companies |= {c for p in regather if p in notes and (c := notes[p].company)}
        companies |= {p for p in relink if notes[p].kind == "company"}
        for path in sorted(companies & notes.keys()):
            self._keep(notes[path])
            self._contacts(notes[path])
        derived = (regather | companies) & notes.keys()
        for path in sorted(derived):
            self._keep(notes[path])
            self._gather(notes[path])
        self._shared(changed.keys() | relink | retouch)
        different = {p for p, was in self.before.items() if was != _derived_of(notes[p])}
        return changed.keys() | different

    def _keep(self, note: Note) -> None:
        """Remember what was derived for a note before deriving it again."""
        if note.path not in self.before:
            self.before[note.path] = _derived_of(note)

    def linking(self, paths: set[str]) -> set[str]:
        """`paths` and every note whose links or touches lead to one of them."""
        found = set(paths)
        for path in paths:
            found |= self.backrefs.get(path, set())
        return found

    def _forget(self, path: str, own: _Own, regather: set[str]) -> set[str]:
        """Forget what a note's links and touches gave; its company, if it had one."""
        regather |= {t.record for t in own.touches}
        company = own.note.company
        self._forget_links(path, own)
        self._forget_touches(path, own)
        return {company} if company else set()

    # ------------------------------------------------------------------------------- links

    def _resolver(self, own: _Own) -> Resolve:
        index, path = self.vault.index, own.note.path

        def resolve(target: str) -> tuple[str | None, list[str]]:
            key = index.key(target, path)
            if key is not None:
                own.keys.add(key)
                self.users.setdefault(key, set()).add(path)
            found = self.answers.get(key)
            if found is None:
                found = self.answers[key] = index.lookup(key)
            if found[0] is not None and found[0] not in own.refs:
                own.refs.add(found[0])
                self.backrefs.setdefault(found[0], set()).add(path)
            return found

        return resolve

    def _link(self, path: str) -> None:
        own = self.own[path]
        own.link_problems = []
        _resolve_note(self.vault, own.note, own.interviews, self._resolver(own), own.link_problems)
        own.own_contacts = list(own.note.contacts)
        if own.note.company:
            self.members.setdefault(own.note.company, set()).add(path)

    def _forget_links(self, path: str, own: _Own) -> None:
        for key in own.keys:
            users = self.users.get(key)
            if users is not None:
                users.discard(path)
                if not users:
                    del self.users[key]
        for ref in own.refs:
            self.backrefs.get(ref, set()).discard(path)
        own.keys, own.refs = set(), set()
        if own.note.company:
            self.members.get(own.note.company, set()).discard(path)

    def _contacts(self, company: Note) -> None:
        """A company's contacts: its own `contacts:`, then each contact whose `company:` is
        it, in the vault's order."""
        own = self.own[company.path]
        company.contacts = list(own.own_contacts)
        if company.kind != "company":
            return
        for member in sorted(self.members.get(company.path, ())):
            if member not in company.contacts and self.vault.notes[member].company == company.path:
                company.contacts.append(member)

    # ----------------------------------------------------------------------------- touches

    def _touch(self, path: str) -> None:
        own = self.own[path]
        own.touch_problems = []
        own.touches = _touches(
            self.vault, own.note, self._resolver(own), self.tz, own.touch_problems, self.tag_sets
        )
        for touch in own.touches:
            self.into.setdefault(touch.record, set()).add(path)

    def _forget_touches(self, path: str, own: _Own) -> None:
        for touch in own.touches:
            self.into.get(touch.record, set()).discard(path)
        own.touches = []

    def _gather(self, record: Note) -> None:
        """Every touch of `record`, in the order the notes give them (the vault's order), one
        per (date, source, note, line), sorted by date."""
        notes = self.vault.notes
        found: list[Interaction] = []
        if record.is_record:
            members = (
                [m for m in self.members.get(record.path, ()) if notes[m].kind == "contact"]
                if record.kind == "company"
                else []
            )
            sources = set(self.into.get(record.path, ()))
            for member in members:
                sources |= self.into.get(member, set())
            lanes: list[str] = []
            for source in sorted(sources):
                for touch in self.own[source].touches:
                    if touch.interaction is None:
                        lanes += [touch.lane] if touch.record == record.path else []
                    elif touch.record == record.path or (
                        touch.propagate and touch.record in members
                    ):
                        found.append(touch.interaction)
            if record.kind == "company" and "stage" not in record.field_lines:
                record.stage = _lane_stage(lanes, self.config) or _evident_stage(
                    record, bool(record.interviews)
                )
        unique = {(i.date, i.source, i.path, i.line): i for i in found}
        record.interactions = sorted(unique.values(), key=lambda i: (i.date, i.path, i.line))

    # ---------------------------------------------------------------------------- problems

    def _shared(self, dirty: set[str]) -> None:
        """The problems, gathered again: each note's own (of the notes in `dirty`, whose
        fields, links or touches were derived again, taken anew), and those found across
        notes (unknown stages, names claimed twice)."""
        vault = self.vault
        for path in dirty:
            self.reported.pop(path, None)
            self._claim(path)
            own = self.own.get(path)
            if own is None:
                continue
            found = [*own.problems, *own.link_problems, *own.touch_problems]
            unknown = [(value, use) for value, uses in own.unknown.items() for use in uses]
            if own.note.parsed is not None and own.note.parsed.lanes:
                unknown += [
                    (lane.lower(), (path, line)) for lane, line in _unknown_lanes(own, vault)
                ]
            if found or unknown:
                self.reported[path] = (found, unknown)
        problems: list[Problem] = list(self.config.problems)
        unknown_stages: UnknownStages = {}
        for found, unknown in self.reported.values():
            problems += found
            for value, use in unknown:
                unknown_stages.setdefault(value, []).append(use)
        _report_unknown_stages(unknown_stages, self.config, problems)
        problems += _duplicate_names(vault, self.claims)
        problems.sort()
        vault.problems = problems

    def _claim(self, path: str) -> None:
        """The names and aliases a record claims, taken again."""
        for name in self.claimed.pop(path, ()):
            self.claims[name].discard(path)
            if not self.claims[name]:
                del self.claims[name]
        note = self.vault.notes.get(path)
        if note is not None and note.is_record:
            names = {note.name.lower(), *(a.lower() for a in note.aliases)}
            self.claimed[path] = names
            for name in names:
                self.claims.setdefault(name, set()).add(path)


def _derived_of(note: Note) -> tuple[Any, ...]:
    return (
        list(note.links),
        list(note.contacts),
        note.company,
        list(note.interviews),
        list(note.interactions),
        note.stage,
    )


def _lane_stage(lanes: list[str], config: Config) -> str | None:
    """The stage the lanes a company's cards are in name (the furthest, should a company be on
    two boards); None when no lane is a stage."""
    order = list(config.stages)
    stages = [s for lane in lanes if (s := _stage(lane, config)) is not None]
    return max(stages, key=lambda s: order.index(s) if s in order else -1, default=None)


def _unknown_lanes(own: _Own, vault: Vault) -> list[tuple[str, int]]:
    """The lanes of a board that hold a company's card but name no stage (Kanban's own
    `Archive` aside)."""
    lines = {title: line for line, title in own.note.parsed.lanes} if own.note.parsed else {}
    found = {
        touch.lane
        for touch in own.touches
        if touch.interaction is None and touch.lane.lower() != "archive"
        if vault.notes[touch.record].kind == "company"
        if _stage(touch.lane, vault.config) is None
    }
    return [(lane, lines.get(lane, 1)) for lane in sorted(found)]


def _board_cards(note: Note, resolve: Resolve) -> list[Touch]:
    """The cards of a Kanban board: each record a card links, in the lane the card is in."""
    parsed = note.parsed
    if parsed is None or not parsed.lanes:
        return []
    found = []
    for task, lane in cards(parsed):
        for target in task.links:
            if (path := resolve(target)[0]) is not None:
                found.append(Touch(path, None, propagate=False, lane=lane))
    return found


_INTERVIEW_TAGS = frozenset({"interview"})

TagSets = dict[frozenset[str], frozenset[str]]
"""One object for each set of tags the interactions carry (`Model.tag_sets`)."""


def _shared(tag_sets: TagSets, tags: frozenset[str]) -> frozenset[str]:
    return tag_sets.setdefault(tags, tags)


def _reset_derived(note: Note) -> None:
    """Forget what the model derived across notes (links, contacts, interactions)."""
    note.links, note.contacts, note.interviews, note.interactions = [], [], [], []
    note.company = None


def _duplicate_names(vault: Vault, claims: dict[str, set[str]]) -> list[Problem]:
    """A warning on each record that claims a name another record claims too."""
    found = []
    for name, claimed in claims.items():
        if len(claimed) < 2:
            continue
        paths = sorted(claimed)  # the vault's order
        if all(
            vault.notes[p].kind == "company" and name != PurePosixPath(p).stem.lower()
            for p in paths
        ):
            continue  # applications named by their company (not their files) share its name
        for path in paths:
            others = ", ".join(p for p in paths if p != path)
            found.append(
                warning(
                    path,
                    vault.notes[path].line_of("name"),
                    f"the name {name!r} is also claimed by {others}; links to it are ambiguous",
                )
            )
    return found


def _link_problem(note: Note, target: str, line: int, candidates: list[str]) -> Problem:
    if candidates:
        what = f"is ambiguous: it could be {', '.join(candidates)}"
    else:
        what = "points to no file" if extension(target) not in ("", "md") else "points to no note"
    return warning(note.path, line, f"link [[{target}]] {what}")


def _resolve_note(
    vault: Vault,
    note: Note,
    raw_interviews: list[tuple[RawInterview, int]],
    lookup: Resolve,
    problems: list[Problem],
) -> None:
    """Resolve one note's links: its body's, and for a company its contacts and interviewers,
    for a contact their company (`note.links`, `contacts`, `interviews`, `company`)."""

    def resolve(target: str, line: int, field: str = "") -> str | None:
        path, candidates = lookup(target)
        if path is not None or field in note.named_by_text:
            return path
        if candidates or vault.index.resolve_file(target, note.path) is None:
            problems.append(_link_problem(note, target, line, candidates))
        return None  # else an attachment, a canvas, a template: fine, and no record

    linked: dict[str, None] = {}
    if note.parsed is not None:
        for link in note.parsed.links:
            if (path := resolve(link.target, link.line)) and path != note.path:
                linked[path] = None
    if note.kind == "company":
        for target in note.fields.get("contacts", []):
            if path := resolve(target, note.line_of("contacts"), "contacts"):
                note.contacts.append(path)
                linked[path] = None
        for raw, line in raw_interviews:
            people = [p for t in raw.with_ if (p := resolve(t, line))]
            note.interviews.append(Interview(raw.when, people, raw.kind, line))
            linked.update(dict.fromkeys(people))
    elif note.kind == "contact" and "company" in note.fields:
        if path := resolve(note.fields["company"], note.line_of("company"), "company"):
            note.company = path
            linked[path] = None
    note.links = list(linked)


def _touches(
    vault: Vault,
    note: Note,
    resolve: Resolve,
    tz: tzinfo,
    problems: list[Problem],
    tag_sets: TagSets,
) -> list[Touch]:
    """Every interaction one note records, with the record it is with."""
    notes = vault.notes
    found: list[Touch] = _board_cards(note, resolve)
    _entry_interactions(vault, note, resolve, tz, found, problems, tag_sets)
    if note.is_record and "last_contact" in note.fields:
        found.append(
            Touch(
                note.path,
                Interaction(
                    note.fields["last_contact"],
                    "last_contact",
                    note.path,
                    note.line_of("last_contact"),
                ),
            )
        )
    if note.kind == "company":
        # Dated facts of an application are touches too: you applied (out), they made an offer.
        for name, direction in (("applied", OUT), ("offer", IN)):
            if name in note.fields:
                item = Interaction(
                    note.fields[name], name, note.path, note.line_of(name), direction=direction
                )
                found.append(Touch(note.path, item, propagate=False))
        for interview in note.interviews:
            when = local_date(interview.when, tz)
            item = Interaction(
                when,
                "interview",
                note.path,
                interview.line,
                interview.kind,
                _INTERVIEW_TAGS,
                BOTH,
            )
            found.append(Touch(note.path, item, propagate=False))
            for person in interview.with_:
                if notes[person].kind == "contact":
                    found.append(Touch(person, item, propagate=False))
    return found


def _entry_interactions(
    vault: Vault,
    note: Note,
    resolve: Resolve,
    tz: tzinfo,
    found: list[Touch],
    problems: list[Problem],
    tag_sets: TagSets,
) -> None:
    daily_date = daily_day(note.path, vault.config) if note.kind == "daily" else None
    if note.kind == "interaction":
        _interaction_note(vault, note, resolve, tz, found, problems)
        return
    for entry in note.entries:
        when: date | None = None
        if entry.date:
            try:
                when = parse_date(entry.date)
            except FieldError as exc:
                problems.append(warning(note.path, entry.line, f"log line: {exc}"))
                continue
        elif daily_date and entry.links:
            when = daily_date
        if when is None:
            continue
        targets = set(_entry_targets(vault, entry, resolve))
        if note.is_record:
            targets.add(note.path)
        stated = (direction_value(cell) for cell in entry.columns.values())
        direction = next((d for d in stated if d), None) or direction_of(entry.text, entry.tags)
        for path in sorted(targets):
            found.append(
                Touch(
                    path,
                    Interaction(
                        when,
                        "daily" if note.kind == "daily" else "log",
                        note.path,
                        entry.line,
                        entry.text,
                        _shared(tag_sets, frozenset(entry.tags)),
                        direction,
                    ),
                )
            )


def _entry_targets(vault: Vault, entry: Entry, resolve: Resolve) -> list[str]:
    """The records an entry links."""
    out = []
    for target in entry.links:
        path, _ = resolve(target)
        if path and vault.notes[path].is_record:
            out.append(path)
    return out


def _property(parsed: ParsedNote, name: str) -> tuple[Any, int] | None:
    """A property's value and line, from the frontmatter or else an inline field; None when
    absent or empty."""
    if not is_empty(parsed.meta.get(name)):
        return parsed.meta[name], parsed.meta_lines.get(name, 1)
    if name in parsed.inline and not is_empty(parsed.inline[name][0]):
        return parsed.inline[name]
    return None


def _interaction_note(
    vault: Vault,
    note: Note,
    resolve: Resolve,
    tz: tzinfo,
    found: list[Touch],
    problems: list[Problem],
) -> None:
    parsed = note.parsed
    if parsed is None:
        return
    config = vault.config
    date_field = config.get("types.interaction.date").lower()
    with_field = config.get("types.interaction.with").lower()
    dated = _property(parsed, date_field)
    if dated is None:
        problems.append(warning(note.path, 1, f"interaction note has no `{date_field}`"))
        return
    try:
        when = local_date(parse_when(dated[0], tz, config.get("date_format")), tz)
    except FieldError as exc:
        problems.append(error(note.path, dated[1], f"`{date_field}`: {exc}"))
        return
    tags = frozenset(note.tags)
    targets = set(note.links)
    if (people := _property(parsed, with_field)) is not None:
        try:
            for target in parse_links(people[0]):
                if (path := resolve(target)[0]) is not None:
                    targets.add(path)
        except FieldError as exc:
            problems.append(error(note.path, people[1], f"`{with_field}`: {exc}"))
    direction = None
    if direction_field := config.get("types.interaction.direction").lower():
        stated = _property(parsed, direction_field)
        direction = direction_value(str(stated[0])) if stated else None
    direction = direction or direction_of(note.name, tags)
    for path in sorted(targets):
        found.append(
            Touch(path, Interaction(when, "interaction", note.path, 1, note.name, tags, direction))
        )
