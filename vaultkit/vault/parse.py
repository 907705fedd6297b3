"""Read one note: frontmatter (YAML, safely) and what its body says (tasks, log lines, links, tags).

The result is plain data that depends only on the file's bytes, so it can be cached; typing the
fields and resolving links across notes is the model's job.
"""

from __future__ import annotations

import bisect
import functools
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from sys import intern
from typing import Any

import yaml

from vaultkit.store.codec import interned
from vaultkit.store.files import MAX_FILE_BYTES, read_file
from vaultkit.vault.links import WIKILINK, link_target
from vaultkit.vault.problems import Problem, error, warning
from vaultkit.vault.vocabulary import CONTACT_WORDS, looks_like_application, place_stage

MAX_YAML_NODES = 100_000
MAX_YAML_DEPTH = 64

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class VaultLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """libyaml's safe loader that keeps dates as text (so `2026-02-30` is our error to report,
    with its field, rather than an exception for the whole frontmatter) and notes duplicate keys."""

    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML reads it as a class attribute)
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicate_keys.append((key_node.value, key_node.start_mark.line))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def load_yaml(fm: str) -> tuple[Any, list[tuple[str, int]]]:
    """The frontmatter's data, loaded with VaultLoader, and its duplicate keys (key, line)."""
    loader = VaultLoader(fm)
    try:
        return loader.get_single_data(), loader.duplicate_keys
    finally:
        loader.dispose()


@dataclass(slots=True)
class Link:
    target: str
    """What the link names: `Jane Doe`, `people/Jane Doe` (no `.md`, no heading, no alias)."""
    line: int


@dataclass(slots=True)
class Task:
    line: int
    text: str
    """The task's words, without its dates, priority, recurrence, ids and `^block` id (as the
    Tasks plugin shows its description: tags and inline code stay)."""
    status: str
    """`open`, `done` or `cancelled`."""
    due: str | None = None
    scheduled: str | None = None
    start: str | None = None
    done: str | None = None
    priority: str = "normal"
    """`high` (⏫, 🔺), `medium` (🔼), `normal` (none) or `low` (🔽, ⏬)."""
    tags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    id: str | None = None
    """Tasks' `🆔 abc` (or `[id:: abc]`)."""
    block: str | None = None
    """The `^block-id` at the end of the line."""
    recurrence: str | None = None
    """The rule after `🔁` (or in `[repeat:: ]`), as written: `every week when done`."""


@dataclass(slots=True)
class Entry:
    """A list item that starts with a date (a log line), or links something (a daily-note item),
    or a table row whose date column holds a date (a `## Contact Log` table)."""

    line: int
    date: str | None
    text: str
    tags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    """For a table row: the header of each column -> the row's cell (`Type` -> `Call`)."""


@dataclass(slots=True)
class ParsedNote:
    path: str
    meta: dict[str, Any] = field(default_factory=dict)
    """Frontmatter with lower-cased keys, values as YAML gave them (dates stay text)."""
    spelling: dict[str, str] = field(default_factory=dict)
    """Lower-cased frontmatter key -> the key as the note writes it, when not in lower case."""
    meta_lines: dict[str, int] = field(default_factory=dict)
    """Lower-cased frontmatter key -> its line in the file."""
    item_lines: dict[str, list[int]] = field(default_factory=dict)
    """Lower-cased frontmatter key -> the line of each item of its block list."""
    inline: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Dataview inline fields `key:: value` -> (value, line); the first of each key."""
    inline_spelling: dict[str, str] = field(default_factory=dict)
    """Lower-cased inline field name -> the name as the note writes it."""
    tags: list[str] = field(default_factory=list)
    """`#tags` of the body, lower case, without `#`."""
    links: list[Link] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    body_line: int = 1
    """The file line where the body starts."""
    problems: list[Problem] = field(default_factory=list)
    frontmatter_broken: bool = False
    """The frontmatter did not parse as a whole; its properties were recovered one by one."""
    queries: int = 0
    """Query blocks (```dataview, ```base, ```tasks …): a note of them is a dashboard."""
    application_items: int = 0
    """List items and table rows that read like an application each (a tracker in one note)."""
    text_properties: int = 0
    """`Key: value` lines opening the body of a note without frontmatter, as a Notion export
    writes properties (which neither Obsidian nor vaultkit reads as properties)."""
    lanes: list[tuple[int, str]] = field(default_factory=list)
    """A Kanban board's lanes (a note with `kanban-plugin:`): (line, title) of each `## Lane`
    heading; a card below one is in that lane."""


def read_note(vault: Path, rel: str) -> ParsedNote | None:
    """Parse the note at `vault/rel`; None when it vanished meanwhile (an editor's save)."""
    try:
        data = read_file(vault / rel)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return unreadable(rel, exc)
    return parse_note(rel, data)


def unreadable(rel: str, exc: OSError) -> ParsedNote:
    return ParsedNote(rel, problems=[error(rel, 1, f"cannot read: {exc.strerror or exc}")])


def parse_note(rel: str, data: bytes) -> ParsedNote:
    return parse_source(rel, data)[0]


def parse_source(rel: str, data: bytes) -> tuple[ParsedNote, str]:
    """The note's parse and its body: the Markdown after the frontmatter, cut from the same
    text (pages render it)."""
    note = ParsedNote(rel)
    if len(data) > MAX_FILE_BYTES:
        note.problems.append(error(rel, 1, f"larger than {MAX_FILE_BYTES // 2**20} MB (skipped)"))
        return note, _whole(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\0" in data[:8192]:
        # the byte-order mark of UTF-16 (or 32), with the zero bytes of its Latin letters;
        # without them, two stray bytes at the start of a UTF-8 note (reported below)
        note.problems.append(error(rel, 1, "UTF-16 text; save the file as UTF-8 (skipped)"))
        return note, _whole(data)
    if b"\0" in data[:8192]:
        note.problems.append(error(rel, 1, "binary file, not Markdown text (skipped)"))
        return note, _whole(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        note.problems.append(
            error(
                rel,
                line,
                f"not UTF-8 text (byte {data[exc.start]:#04x} "
                "cannot be decoded); save the file as UTF-8",
            )
        )
        text = data.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    body_start = _read_frontmatter(note, lines)
    if body_start == 0:
        note.text_properties = _text_properties(lines)
    _read_body(note, lines, body_start)
    return note, "\n".join(lines[note.body_line - 1 :])


_TEXT_PROPERTY = re.compile(r"^[A-Z][\w &/()'-]{0,40}: \S")


def _text_properties(lines: list[str]) -> int:
    """How many `Key: value` lines open the body (after a `# Title` and blank lines)."""
    at = 0
    while at < len(lines) and (not lines[at].strip() or (at < 3 and lines[at].startswith("# "))):
        at += 1
    count = 0
    while at + count < len(lines) and _TEXT_PROPERTY.match(lines[at + count]):
        count += 1
    return count


def _whole(data: bytes) -> str:
    return "\n".join(data.decode("utf-8-sig", "replace").splitlines())


FM_OPEN = re.compile(r"^---[ \t]*$")
FM_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


def _read_frontmatter(note: ParsedNote, lines: list[str]) -> int:
    """Fill note.meta; return the index of the first body line."""
    if not lines or not FM_OPEN.match(lines[0]):
        return 0
    end = next((i for i in range(1, len(lines)) if FM_CLOSE.match(lines[i])), None)
    if end is None:
        note.problems.append(
            error(
                note.path,
                1,
                "frontmatter opened with `---` is never closed "
                "(add a `---` line after the properties)",
            )
        )
        return 0
    note.body_line = end + 2
    source = "\n".join(lines[1:end])
    if not source.strip():
        return end + 1
    try:
        data, duplicates = load_yaml(source)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError) as exc:
        del exc  # each property is parsed again below, and its own error reported
        # One bad value costs its own property, not the note: read the others key by key.
        data, duplicates = _recover(note, lines[1:end])
        note.frontmatter_broken = True
    for key, line in duplicates:
        note.problems.append(
            warning(note.path, line + 2, f"property `{key}` appears twice; the last one counts")
        )
    if data is None:
        return end + 1
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"the value {str(data)[:40]!r}"
        note.problems.append(
            error(note.path, 2, f"frontmatter must be properties (`key: value` lines), not {kind}")
        )
        return end + 1
    try:
        note.meta = _plain(data, note)
        # Only the keys not written in lower case: `spelling.get(key, key)` gives the rest.
        spelled = {str(k).strip().lower(): str(k).strip() for k in data}
        note.spelling = {key: written for key, written in spelled.items() if key != written}
    except _TooBig as exc:
        note.problems.append(error(note.path, 1, f"frontmatter is too large to read: {exc}"))
        return end + 1
    key_line = re.compile(r"^([^\s#:][^:]*+):(\s|$)")  # possessive, as _TOP_KEY
    item_line = re.compile(r"^(\s*)-(\s|$)")
    key, indent = "", None
    for i in range(1, end):
        if m := key_line.match(lines[i]):
            key, indent = intern(m.group(1).rstrip().strip("'\" ").lower()), None
            note.meta_lines.setdefault(key, i + 1)
        elif key and (m := item_line.match(lines[i])):
            # The first level of a block list under `key`: where each of its items starts.
            indent = len(m.group(1)) if indent is None else indent
            if len(m.group(1)) == indent:
                note.item_lines.setdefault(key, []).append(i + 1)
    return end + 1


class _TooBig(Exception):
    pass


def _yaml_problem(exc: BaseException, length: int) -> tuple[int, str]:
    """(line within the YAML text, 1-based; what is wrong) of a YAML error."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and mark and mark.line >= length:
            mark = exc.context_mark  # the error surfaced at the end: point where it began
        what = exc.problem or "invalid YAML"
        if "could not determine a constructor" in str(exc):
            what = "YAML tags such as `!!python/object` are not allowed"
        return (mark.line + 1 if mark else 1), what
    return 1, str(exc) or type(exc).__name__


_TOP_KEY = re.compile(r"^([^\s#\-?:\[{|>][^:]*+):(?:[ \t]++(.*[^ \t]))?[ \t]*$")
"""`key: value` at column 0 (the key's spaces are stripped where it is used). The key runs
possessively to the first colon, the value greedily to its last non-space: spaces before a
colon that never comes, or inside a value, cost one pass (`[^:]*?\\s*:` and `(.*?)[ \\t]*$`
tried each space, quadratic: a line of 40,000 spaces took 5 s)."""
_PLAIN_START = re.compile(r"^[^\[{\"'|>&*!%@`]")
_LINK_LIST = re.compile(r"^\[\[[^\[\]\n]+\]\](?:[ \t]*,[ \t]*\[\[[^\[\]\n]+\]\])+$")
"""`[[Jane Roe]], [[Bob Ray]]` unquoted: YAML reads a list that ends too soon."""


def _recover(note: ParsedNote, lines: list[str]) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """Frontmatter that does not parse as a whole, read one top-level property at a time (a
    property runs from its `key:` line to the next line that starts another at column 0). A
    property that still does not parse is an error on its line; a one-line value that YAML
    rejects (`stage: Stage 2: technical`) is read as the text it plainly is, and the message
    says to quote it."""
    blocks: list[tuple[int, list[str]]] = []
    for i, line in enumerate(lines):
        if _TOP_KEY.match(line) or not blocks:
            blocks.append((i, [line]))
        else:
            blocks[-1][1].append(line)
    data: dict[str, Any] = {}
    duplicates: list[tuple[str, int]] = []
    for start, block in blocks:
        try:
            part, dups = load_yaml("\n".join(block))
        except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError) as exc:
            offset, what = _yaml_problem(exc, len(block))
            top = _TOP_KEY.match(block[0])
            rest = [b for b in block[1:] if b.strip() and not b.lstrip().startswith("#")]
            value = top.group(2) if top and top.group(2) else ""
            if "mapping values are not allowed" in what:
                what = "the value holds `: `, which YAML reads as a new property"
            if _LINK_LIST.match(value):
                what = "links separated by commas need quotes, or YAML reads a list that ends"
                what += " at the first comma"
            if (
                top
                and not rest
                and value
                and (_PLAIN_START.match(value) or _LINK_LIST.match(value))
            ):
                key = top.group(1).strip()
                text = re.sub(r"(?<!\s)\s+#.*$", "", value)  # from a run's start only: linear
                shown = text.replace("\\", "\\\\").replace('"', '\\"')
                note.problems.append(
                    error(
                        note.path,
                        start + 2,
                        f"frontmatter is not valid YAML: {what}; quote the value: "
                        f'{key}: "{shown}" (read as that text meanwhile)',
                    )
                )
                data[key] = text
                continue
            note.problems.append(
                error(
                    note.path,
                    start + offset + 1,
                    f"frontmatter is not valid YAML: {what} (this property is left out; "
                    "the others were read)",
                )
            )
            continue
        if isinstance(part, dict):
            for key in part:
                if key in data:
                    duplicates.append((str(key), start))
            data.update(part)
            duplicates += [(k, start + line) for k, line in dups]
    return data, duplicates


def _plain(data: dict[Any, Any], note: ParsedNote) -> dict[str, Any]:
    """A copy of the YAML data as JSON-like values, within a budget: YAML aliases can make a few
    lines stand for billions of values ("billion laughs"), and nesting can be arbitrarily deep."""
    budget = [MAX_YAML_NODES]

    def copy(value: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooBig(f"more than {MAX_YAML_NODES} values (YAML aliases expanding?)")
        if depth > MAX_YAML_DEPTH:
            raise _TooBig(f"nested more than {MAX_YAML_DEPTH} levels deep")
        if isinstance(value, dict):
            return {intern(str(k)): copy(v, depth + 1) for k, v in value.items()}
        if type(value) is str:  # (intern takes no subclass of str)
            # Names, stages, tags, links: the same few texts in thousands of notes, one object
            # each (a vault of 10,000 notes held 290,000 strings of its frontmatter).
            return interned(value)
        if isinstance(value, list | tuple | set):
            return [copy(v, depth + 1) for v in value]
        if isinstance(value, bytes):
            return value.decode("utf-8", errors="replace")
        if isinstance(value, date):  # an explicit `!!timestamp` tag: back to the text it was
            return value.isoformat()
        if isinstance(value, float) and value != value:  # NaN is not JSON
            return None
        return value

    plain = copy(data, 0)
    return {intern(key.strip().lower()): value for key, value in plain.items()}


FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")  # a tab is 4 columns: not a fence


def opens_fence(line: str) -> str | None:
    """The fence (three or more backticks or tildes) that `line` opens a code block with."""
    m = FENCE.match(line)
    return m.group(1) if m else None


def closes_fence(line: str, fence: str) -> bool:
    """`line` closes the code block `fence` opened (CommonMark): the same character, at least
    as many of it, nothing after. Parsing and editing notes both read code blocks this way."""
    m = FENCE.match(line)
    return bool(
        m
        and m.group(1)[0] == fence[0]
        and len(m.group(1)) >= len(fence)
        and not line.strip()[len(m.group(1)) :].strip()
    )


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_LANE = re.compile(r"^#{1,6}[ \t]+(\S.*)$")
_LEADING_DATE = re.compile(
    r"^(?:\*\*|__|\[\[)?(\d{4}-\d{2}-\d{2})(?:\*\*|__|\]\])?(?=\s|$|[:,.—–-])[\s:,.—–-]*(.*)$"
)
_MDLINK_START = re.compile(r"\[[^\[\]\n]*\]\(")  # no `[` inside: linear, `[[[[…` or not
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
QUERY_LANGUAGES = frozenset(
    {"dataview", "dataviewjs", "query", "tasks", "base", "bases", "datacore", "datacorejsx"}
)
"""Code blocks that Obsidian plugins run as queries (a dashboard is made of them)."""
FILE_EXTENSIONS = frozenset(
    # What Obsidian opens or embeds (https://help.obsidian.md/file-formats), and the documents
    # a job search keeps beside its notes.
    "canvas base png jpg jpeg gif bmp svg webp avif heic tif tiff mp3 webm wav m4a ogg 3gp flac "
    "mp4 ogv mov mkv pdf doc docx odt rtf txt csv xls xlsx ods ppt pptx odp key pages numbers "
    "json html htm zip".split()
)
"""Extensions a Markdown link's target may end with and still be read as a link to a file
(without one it names a note; `[site](www.example.com)` is neither)."""
TAG_BODY = r"[\w/-]*[^\W\d][\w/-]*"
"""What may follow `#` in a tag: word characters, `/` and `-`, not only digits."""
_TAG = re.compile(r"(?:^|(?<=[\s(\[,]))#(" + TAG_BODY + ")")
_INLINE_CODE = re.compile(r"`+[^`\n]*`+")
_INLINE_FIELD_LINE = re.compile(r"^\s*(?:[-*+]\s+)?([\w][\w .-]{0,60}?)::(.*)$")  # value stripped

# The task grammar of the Tasks plugin (emoji signifiers, read from the end of the line, the
# way the plugin does) and of Dataview (`[key:: value]` or `(key:: value)` fields, anywhere).
# docs/note-format.md#tasks lists every form and where the two plugins disagree.
_QUOTED_TASK = re.compile(r"^[\s>]*(?:[-*+]|\d+[.)])\s+\[(.)\]\s*(.*)$")
"""A task line, also inside a blockquote or callout (`> - [ ] …`), as both plugins read them."""
_BLOCK_ID = re.compile(r"\s\^([A-Za-z0-9-]+)\s*$")
_DATE = r"(\d{4}-\d{2}-\d{2})"
_FE0F = "\ufe0f?"
_TASK_DATE_SIGNS = {
    "due": "📅📆🗓",
    "scheduled": "⏳⌛",
    "start": "🛫",
    "done": "✅",
    "created": "➕",
    "cancelled": "❌",
}
_PRIORITY_SIGNS = {"🔺": "high", "⏫": "high", "🔼": "medium", "🔽": "low", "⏬": "low"}
_DATAVIEW_PRIORITIES = {
    "highest": "high",
    "high": "high",
    "medium": "medium",
    "low": "low",
    "lowest": "low",
}
_TASK_ID = r"[A-Za-z0-9_-]+"
_TRAILING: list[tuple[str, re.Pattern[str]]] = [
    ("priority", re.compile(f"([{''.join(_PRIORITY_SIGNS)}]){_FE0F}$")),
    *[
        (kind, re.compile(f"[{signs}]{_FE0F} *{_DATE}$"))
        for kind, signs in _TASK_DATE_SIGNS.items()
    ],
    ("recurrence", re.compile(r"🔁\ufe0f? ?([a-zA-Z0-9, !]+)$")),
    ("tag", re.compile(r"(?:^|\s)#(?=[\w/-]*?[^\W\d])[\w/-]++$")),
    ("id", re.compile(f"🆔{_FE0F} *({_TASK_ID})$")),
    ("depends", re.compile(f"⛔{_FE0F} *({_TASK_ID}(?: *, *{_TASK_ID})*) *$")),
    ("on_completion", re.compile(f"🏁{_FE0F} *([a-zA-Z]+)$")),
]
"""Tasks' signifiers, each anchored at the end: removed from the end, in any order, until none
is left there (a date or a priority in mid-sentence is part of the words)."""
_DATE_ANYWHERE = re.compile(f"([{''.join(_TASK_DATE_SIGNS.values())}]){_FE0F} *{_DATE}")
_DATAVIEW_KEYS = (
    r"(due|scheduled|start|completion|created|cancelled|priority|repeat|id|dependson|oncompletion)"
)
_DATAVIEW_FIELD = re.compile(
    # A value runs to the closing bracket, no bracket inside (stripped where it is read): one
    # pass, where `::\s*(.*?)\s*\]` took 30 s for 4,000 spaces and a missing `]`.
    rf"(?:\[\s*{_DATAVIEW_KEYS}\s*::([^\[\]]*)\]|\(\s*{_DATAVIEW_KEYS}\s*::([^()]*)\))"
    r"(?: *,(?= *[\[(]| *$))?",  # the comma Tasks allows between fields
    re.I,
)
_DATAVIEW_KINDS = {
    "completion": "done",
    "repeat": "recurrence",
    "dependson": "depends",
    "oncompletion": "on_completion",
}


def extension(target: str) -> str:
    """`CV 2026.pdf` -> `pdf`; `` for a name without one (`Mr. Smith` has none: a space)."""
    last = target.rsplit("/", 1)[-1]
    m = re.search(r"\.([A-Za-z0-9]{1,8})$", last)
    return m.group(1).lower() if m else ""


def _markdown_destination(text: str, start: int) -> str | None:
    """The destination of a Markdown link whose `(` is at `start - 1`: `<any text>`, or text
    without spaces in which parentheses balance (`CV%20(final).pdf`)."""
    # No destination holds `[` or `]` (no file name can): the scan stops at the next one, so
    # the scans from a line's many `](` never overlap (`[](` 10,000 times took seconds).
    stop = len(text)
    for bracket in "[]":
        if 0 <= (at := text.find(bracket, start)) < stop:
            stop = at
    if text.startswith("<", start):
        end = text.find(">", start, stop)
        return text[start + 1 : end] if end > 0 else None
    depth, i = 0, start
    while i < stop:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return text[start:i]
            depth -= 1
        elif char in " \t":
            after = i
            while after < stop and text[after] in " \t":
                after += 1
            return text[start:i] if text.startswith(('"', "'", "("), after, stop) else None
        i += 1
    return None


def find_links(text: str) -> list[str]:
    """Every note or file `text` links or embeds, as Obsidian reads them: `[[Name]]`,
    `![[photo.png]]`, `[shown](Folder/Note%20name.md)`, `[CV](<CV (final).pdf>)`. A target
    keeps a file's extension and loses a note's `.md`, its heading and its alias."""
    targets = []
    for m in WIKILINK.finditer(text):
        if target := link_target(m.group(2)):
            targets.append(intern(target))
    for m in _MDLINK_START.finditer(text):
        destination = _markdown_destination(text, m.end())
        if not destination or destination.startswith("#") or _SCHEME.match(destination):
            continue  # a heading of this note, or an address on the web
        target = urllib.parse.unquote(destination.split("#", 1)[0]).strip()
        ext = extension(target)
        if target and (ext in ("", "md") or ext in FILE_EXTENSIONS):
            targets.append(intern(target[:-3] if ext == "md" else target))
    return targets


def find_tags(text: str) -> list[str]:
    return [intern(t.lower()) for t in _TAG.findall(text)]


def cards(note: ParsedNote) -> list[tuple[Task, str]]:
    """A Kanban board's cards (its tasks below a lane heading), each with its lane's title."""
    starts = [line for line, _ in note.lanes]  # in file order
    found = []
    for task in note.tasks:
        at = bisect.bisect_left(starts, task.line) - 1
        if at >= 0:
            found.append((task, note.lanes[at][1]))
    return found


@functools.lru_cache(maxsize=512)
def _stage_lane(title: str) -> bool:
    """A Kanban lane named like a stage of an application (`Applied`, `Final round`)."""
    stage = place_stage(title)
    return stage is not None and stage != CONTACT_WORDS


def _read_body(note: ParsedNote, lines: list[str], start: int) -> None:
    fence: str | None = None
    comment: str | None = None  # `%%` or `-->` while inside an Obsidian or HTML comment
    table = _Table()
    board = "kanban-plugin" in note.meta
    for index in range(start, len(lines)):
        raw = lines[index]
        number = index + 1
        if board and raw.startswith("#") and (lane := _LANE.match(raw)) and fence is None:
            note.lanes.append((number, lane.group(1).strip().rstrip("#").strip()))
        if fence is not None:
            if closes_fence(raw, fence):
                fence = None
            continue
        if table.read(note, raw, number):
            continue
        in_comment = comment is not None
        if "%%" in raw or "<!--" in raw or comment:
            comment = _comment_after(raw, comment)
        opened = opens_fence(raw)
        if opened and not in_comment:
            fence = opened
            language = raw.strip()[len(fence) :].strip().lower().split(" ", 1)[0].strip("{}")
            note.queries += language in QUERY_LANGUAGES
            continue
        if (
            "[[" not in raw
            and "#" not in raw
            and "](" not in raw
            and "::" not in raw
            and not _LIST_ITEM.match(raw)
            and not raw.lstrip().startswith(">")
        ):
            continue
        text = _INLINE_CODE.sub("", raw)
        links = find_links(text)
        note.links.extend(Link(t, number) for t in links)
        tags = find_tags(text)
        item = _LIST_ITEM.match(text)
        task = _QUOTED_TASK.match(raw)
        if item and not task and looks_like_application(item.group(1), bool(links)):
            note.application_items += 1
        dated = _LEADING_DATE.match(item.group(1)) if item and not task else None
        if not task and not dated:
            # A tag on a task or a log line says what that item is (#thank-you), not the note.
            note.tags.extend(t for t in tags if t not in note.tags)
        if task and board and note.lanes and _stage_lane(note.lanes[-1][1]):
            note.application_items += 1  # a card in a stage's lane: one application
        if task:
            if not in_comment:  # Obsidian hides a task inside %% … %% or <!-- … -->
                note.tasks.append(_read_task(number, task.group(1), task.group(2), tags, links))
            continue
        if "::" in text:
            _read_inline_fields(note, raw, number)
        if item:
            entry_text = item.group(1)
            if dated:
                note.entries.append(
                    Entry(number, dated.group(1), dated.group(2).strip(), tags, links)
                )
            elif links:
                note.entries.append(Entry(number, None, entry_text.strip(), tags, links))


_TABLE_SEPARATOR = re.compile(r"^\s*+\|?\s*+:?-++:?\s*+(?:\|\s*+:?-++:?\s*+)*+\|?\s*+$")
_CELL_DATE = re.compile(r"^(?:\*\*|__|\[\[)?(\d{4}-\d{2}-\d{2})(?:\*\*|__|\]\])?(?:[ T]\S.*)?$")
_DATE_HEADER = re.compile(r"\b(date|when|day)\b", re.I)


def _cells(row: str) -> list[str]:
    """A table row's cells; `\\|` (a pipe inside a cell, as in `[[Jane Doe\\|Jane]]`) is kept."""
    text = row.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith("\\|") else text
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", text)]


class _Table:
    """A Markdown table being read, row by row: its header once the `|---|` line confirms it.
    A row whose date column holds a date is a touch, like a log line (`## Follow-Up Log`)."""

    def __init__(self) -> None:
        self.header: list[str] | None = None
        self.date_column: int | None = None
        self.previous = ""

    def read(self, note: ParsedNote, raw: str, number: int) -> bool:
        """True when `raw` is a separator or data row of a table, read here; False for any other
        line, left to the caller (a header row is read like any line: links and tags)."""
        if "|" not in raw:
            self.header, self.previous = None, ""
            return False
        if self.header is None:
            if _TABLE_SEPARATOR.match(raw) and "|" in self.previous:
                self.header = _cells(self.previous)
                dated = [i for i, h in enumerate(self.header) if _DATE_HEADER.search(h)]
                self.date_column = dated[0] if dated else None
                return True
            self.previous = raw
            return False
        cells = _cells(_INLINE_CODE.sub("", raw))
        text = " | ".join(cells)
        links = find_links(text)
        if len(cells) >= 3 and looks_like_application(text, bool(links)):
            note.application_items += 1
        note.links.extend(Link(t, number) for t in links)
        tags = find_tags(text)
        column = self.date_column
        if column is None:  # no `Date` header: the first cell that holds a date
            column = next((i for i, c in enumerate(cells) if _CELL_DATE.match(c)), None)
        day = (
            _CELL_DATE.match(cells[column]) if column is not None and column < len(cells) else None
        )
        if day is None:
            note.tags.extend(t for t in tags if t not in note.tags)
            return True
        others = [c for i, c in enumerate(cells) if i != column and c]
        columns = {
            h.strip().lower(): cells[i] for i, h in enumerate(self.header) if i < len(cells) and h
        }
        note.entries.append(Entry(number, day.group(1), " · ".join(others), tags, links, columns))
        return True


def _comment_after(line: str, inside: str | None) -> str | None:
    """Whether a comment is still open at the end of `line`: `%%` (Obsidian) or `-->` (HTML),
    the closing mark being looked for, else None."""
    return _comments(line, inside)[1]


def _without_comments(text: str) -> str:
    """`text` with its `%% … %%` and `<!-- … -->` comments (one running to the end, too) each
    made one space."""
    return _comments(text, None)[0]


def _comments(line: str, inside: str | None) -> tuple[str, str | None]:
    """`line` without its comments, and the closing mark still looked for at its end. In one
    pass: each mark is searched for again only once passed (a regex like `<!--.*?-->` scans to
    the end from every `<!--`: a line of 100,000 of them took minutes)."""
    kept: list[str] = []
    at = 0
    ahead = {mark: line.find(mark) for mark in ("%%", "<!--")}  # -1: none (ever after)
    while True:
        if inside is not None:
            end = line.find(inside, at)
            if end < 0:
                return " ".join(kept), inside
            at, inside = end + len(inside), None
            continue
        for mark, found in ahead.items():
            if 0 <= found < at:  # passed (inside a comment): the next one from here
                ahead[mark] = line.find(mark, at)
        starts = [(i, mark) for mark, i in ahead.items() if i >= 0]
        if not starts:
            kept.append(line[at:])
            return " ".join(kept), None
        i, mark = min(starts)
        kept.append(line[at:i])
        at, inside = i + len(mark), "%%" if mark == "%%" else "-->"


_FIELD_OPEN = re.compile(r"[\[(]([\w][\w .-]{0,60}?)::")


def _bracketed_fields(text: str) -> list[tuple[str, str]]:
    """`[key:: value]` and `(key:: value)` fields of a line, as Dataview reads them: the value
    runs to the matching bracket (`[Applied:: = date("01-18-2024", "MM-dd-yyyy")]`)."""
    found = []
    at = 0
    while m := _FIELD_OPEN.search(text, at):
        close = "]" if text[m.start()] == "[" else ")"
        depth, i, quoted = 0, m.end(), False
        while i < len(text):
            char = text[i]
            if char == '"':
                quoted = not quoted
            elif not quoted and char in "([":
                depth += 1
            elif not quoted and char in ")]":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        if i < len(text) and text[i] == close:
            found.append((m.group(1), text[m.end() : i]))
            at = i + 1
        else:
            at = m.end()
    return found


def _query_text(m: re.Match[str]) -> str:
    """Inline code is not read, except a Dataview query as a field's value (`` `= …` ``),
    which is kept as its text for the field to say what it holds."""
    code = m.group().strip("`").strip()
    return code if code.startswith("=") else ""


def _read_inline_fields(note: ParsedNote, raw: str, number: int) -> None:
    text = _INLINE_CODE.sub(_query_text, raw)
    found = _bracketed_fields(text)
    if not found and (m := _INLINE_FIELD_LINE.match(text)) and "://" not in m.group(1):
        found = [(m.group(1), m.group(2))]
    for key, value in found:
        note.inline.setdefault(key.strip().lower(), (value.strip(), number))
        note.inline_spelling.setdefault(key.strip().lower(), key.strip())


def _read_task(number: int, mark: str, text: str, tags: list[str], links: list[str]) -> Task:
    """One task line's fields, read as the plugins read them (docs/note-format.md#tasks)."""
    # `[X]` is done, as for Dataview and Obsidian itself (Tasks, out of the box, has no `X`
    # status and treats it as not done); `[-]` is cancelled; any other mark is open.
    status = "done" if mark in "xX" else "cancelled" if mark == "-" else "open"
    found, words, block = task_fields(text)
    return Task(
        number,
        words,
        status,
        due=found.get("due"),
        scheduled=found.get("scheduled"),
        start=found.get("start"),
        done=found.get("done"),
        priority=found.get("priority", "normal"),
        tags=tags,
        links=links,
        id=found.get("id") or None,
        block=block,
        recurrence=found.get("recurrence") or None,
    )


def task_fields(text: str) -> tuple[dict[str, str], str, str | None]:
    """What a task line says after its checkbox: its fields (`due`, `scheduled`, `start`,
    `done`, `created`, `cancelled`, `priority`, `recurrence`, `id`, `depends`,
    `on_completion`), its words, and its `^block` id."""
    block = None
    words = _without_comments(text).strip()
    padded = " " + words
    if m := _BLOCK_ID.search(padded):
        block = m.group(1)
        words = padded[: m.start()].strip()
    found: dict[str, str] = {}

    def keep(kind: str, value: str) -> None:
        if kind == "priority":
            value = _PRIORITY_SIGNS.get(value) or _DATAVIEW_PRIORITIES.get(value.lower(), "")
            if not value:
                return
        found.setdefault(kind, value.strip())

    def dataview(m: re.Match[str]) -> str:
        key = (m.group(1) or m.group(3)).lower()
        keep(_DATAVIEW_KINDS.get(key, key), (m.group(2) if m.group(1) else m.group(4)).strip())
        return " "

    words = _DATAVIEW_FIELD.sub(dataview, words).strip()
    # Tasks' signifiers, from the end; each pass overwrites, so of two due dates the first one
    # written wins, as in both plugins. Trailing tags are set aside and put back.
    trailing: dict[str, str] = {}
    tail_tags: list[str] = []
    for _ in range(40):
        matched = False
        for kind, pattern in _TRAILING:
            m = pattern.search(words)
            if not m:
                continue
            words = words[: m.start()].rstrip()
            matched = True
            if kind == "tag":
                tail_tags.insert(0, m.group(0).strip())
            else:
                trailing[kind] = m.group(1)
        if not matched:
            break
    for kind, value in trailing.items():
        keep(kind, value)

    # A date sign in mid-sentence: Tasks ignores it, Dataview reads it; a follow-up system had
    # better not lose a date, so it counts (the first of each kind) and leaves the title.
    def mid_date(m: re.Match[str]) -> str:
        kind = next(k for k, signs in _TASK_DATE_SIGNS.items() if m.group(1) in signs)
        if kind in found:
            return m.group(0)
        found[kind] = m.group(2)
        return " "

    words = _DATE_ANYWHERE.sub(mid_date, words)
    return found, " ".join([*words.split(), *tail_tags]), block
