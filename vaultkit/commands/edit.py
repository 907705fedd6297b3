"""Edit notes for the user: create them from templates, append log lines, check tasks.

Every edit changes only the bytes it means to. Text is decoded with `surrogateescape`, so any
byte the file holds (a BOM, CRLF or lone CR line endings, trailing spaces, even bytes that are
not UTF-8) comes back out exactly as it went in; YAML is never parsed and re-serialised. Files
are written atomically, keep their permission bits, and are not written at all when they
changed on disk since they were read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from vaultkit.errors import NoteChangedError, UnclosedFenceError, VaultkitError, WriteError
from vaultkit.rules.explicit import task_title
from vaultkit.rules.followup import FollowUp
from vaultkit.rules.registry import DONE_TAGS
from vaultkit.store import atomic
from vaultkit.store.files import MAX_FILE_BYTES, read_file
from vaultkit.vault.config import CONFIG_NAME, Config
from vaultkit.vault.model import LinkIndex, Vault, build_model
from vaultkit.vault.parse import (
    FM_CLOSE,
    FM_OPEN,
    TAG_BODY,
    ParsedNote,
    Task,
    closes_fence,
    opens_fence,
    parse_note,
)

ENCODING = "utf-8"
ERRORS = "surrogateescape"

SENT_TAG = "sent"
"""The tag of a touch that was your own message (`vaultkit done ID --sent`): an outbound touch."""

LOG_HEADING = "Log"
TEMPLATE_FOLDER = "templates"
# Characters a note's file name (and so a link to it) cannot hold, as Obsidian sees it.
FORBIDDEN_NAME_CHARS = set('*"\\/<>:|?#^[]')
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")  # the title's closing #s: _atx_title
_TASK = re.compile(r"^(\ufeff?[\s>]*(?:[-*+]|\d+[.)])\s+\[)([^\]])(\])")
"""A task line, also in a blockquote or callout (`> - [ ] …`), as the parser reads them."""
_TAG_WORD = re.compile(f"^{TAG_BODY}$")  # a tag the reader will see as one
_DATAVIEW_DATE = re.compile(r"[\[(][ \t]*(?:due|scheduled|start)[ \t]*::", re.I)
_EMOJI_DATE = re.compile("[📅📆🗓⏳⌛🛫]")
_TAIL = re.compile(r"(?<![ \t])((?:[ \t]+\^[A-Za-z0-9-]+)?[ \t]*)$")
"""Where a task's trailing spaces and `^block-id` start. Only from a space that follows no
space: tried from every one of a long run of spaces, the search took seconds a line."""


def _unclosed(index: int) -> str:
    return (
        f"the code block opened on line {index + 1} is never closed, so a log line added "
        "below it would be code; close it with a matching ``` line first"
    )


# ---------------------------------------------------------------- text: pure functions


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split exactly where the parser (`vaultkit.vault.parse`, which uses
    `str.splitlines`) splits them: `\\r\\n`, `\\n`, `\\r`, and also `\\v`, `\\f`, `\\x1c`-`\\x1e`,
    `\\x85`, U+2028 and U+2029. Were the two to disagree, a line vaultkit puts in the Log section
    could be inside a code block for the reader. Joining them gives back `text` exactly."""
    return text.splitlines(keepends=True)


def newline_of(text: str) -> str:
    """The line ending the file uses most (`\\n`, `\\r\\n` or a lone `\\r`; the first one seen
    wins a tie); `\\n` if none."""
    crlf = text.count("\r\n")
    counts = {"\r\n": crlf, "\n": text.count("\n") - crlf, "\r": text.count("\r") - crlf}
    firsts = {"\r\n": text.find("\r\n"), "\n": text.find("\n"), "\r": text.find("\r")}
    if firsts["\n"] > 0 and text[firsts["\n"] - 1] == "\r":  # that one was part of a \r\n
        firsts["\n"] = _lone(text, "\n")
    if firsts["\r"] >= 0 and text.startswith("\n", firsts["\r"] + 1):
        firsts["\r"] = _lone(text, "\r")
    seen = [k for k in counts if counts[k] > 0]
    if not seen:
        return "\n"
    return max(seen, key=lambda k: (counts[k], -firsts[k]))


def _lone(text: str, ending: str) -> int:
    """Where the first `\\n` (or `\\r`) that is not half of a `\\r\\n` is."""
    m = re.search(r"(?<!\r)\n" if ending == "\n" else r"\r(?!\n)", text)
    return m.start() if m else -1


LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def _content(line: str) -> str:
    return line.rstrip(LINE_BREAKS)


def _body_start(lines: list[str]) -> int:
    """Index of the first line after the frontmatter (0 when there is none or it never closes)."""
    if not lines or not FM_OPEN.match(_content(lines[0]).lstrip("\ufeff")):
        return 0
    for i in range(1, len(lines)):
        if FM_CLOSE.match(_content(lines[i])):
            return i + 1
    return 0


def _scan(
    lines: list[str], until: int | None = None
) -> tuple[list[tuple[int, int, str]], int | None]:
    """(line index, level, text) of each ATX heading of the body, outside code blocks; and the
    index of the line opening a code block that is never closed (None when all are). With
    `until`, only the lines up to that index are read."""
    found = []
    fence: str | None = None
    fence_at: int | None = None
    for i in range(_body_start(lines), len(lines) if until is None else until + 1):
        text = _content(lines[i]).lstrip("\ufeff")
        if fence is not None:
            if closes_fence(text, fence):
                fence = fence_at = None
            continue
        if opened := opens_fence(text):
            fence, fence_at = opened, i
            continue
        h = _ATX.match(text)
        if h:
            found.append((i, len(h.group(1)), _atx_title(h.group(2) or "")))
    return found, fence_at


def _atx_title(rest: str) -> str:
    """A heading's title without its closing `#`s (a run of `#` after a space); with string
    methods, not `(.*?)(?:[ \t]+#+)?[ \t]*$`, which backtracks through a long run of spaces
    for every character."""
    title = rest.strip(" \t")
    bare = title.rstrip("#")
    if bare and bare != title and bare[-1] in " \t":
        title = bare.rstrip(" \t")
    return title.strip()


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    return _scan(lines)[0]


def append_log(text: str, line: str) -> str:
    """`text` with `line` added as the last line of its `## Log` section (see `insert_log`)."""
    return insert_log(text, line)[0]


def insert_log(text: str, line: str) -> tuple[str, int]:
    """`text` with `line` added as the last line of its `## Log` section, and the index of the
    line it became.

    The section is the first heading titled "Log" (any level, any case) and runs to the next
    heading of the same or a higher level; `line` goes after its last non-blank line (right
    under the heading when the section is empty). Without such a heading, `## Log` and the
    line are added at the end of the file, after a blank line. Inserted lines use the file's
    line ending; a newline is added to the last line only when the insertion follows it and
    it has none. Nothing else changes.
    """
    if len(split_lines(line)) != 1 or _content(line) != line:
        raise ValueError("a log line is one line")
    lines = split_lines(text)
    nl = newline_of(text)
    headings, open_fence = _scan(lines)
    log = next(
        ((i, level) for i, level, title in headings if title.lower() == LOG_HEADING.lower()), None
    )
    if log is None:
        if open_fence is not None:
            raise UnclosedFenceError(_unclosed(open_fence))
        pieces = []
        if lines and _content(lines[-1]) == lines[-1]:
            pieces.append(nl)
        if lines and _content(lines[-1]).strip():
            pieces.append(nl)
        pieces += [f"## {LOG_HEADING}{nl}", f"{line}{nl}"]
        new = text + "".join(pieces)
        return new, len(split_lines(new)) - 1
    start, level = log
    end = next((i for i, lvl, _ in headings if i > start and lvl <= level), len(lines))
    last = start
    for i in range(start + 1, end):
        if _content(lines[i]).strip():
            last = i
    before = "".join(lines[: last + 1])
    after = "".join(lines[last + 1 :])
    if open_fence is not None and open_fence <= last:
        raise UnclosedFenceError(_unclosed(open_fence))
    fix = "" if _content(lines[last]) != lines[last] else nl
    return before + fix + line + nl + after, last + 1


def log_line(day: date, text: str, tags: list[str] | tuple[str, ...] = ()) -> str:
    """`- 2026-11-30 text #tag`: a log line; a tag already in the text is not repeated."""
    words = " ".join(text.split())
    if not words:
        raise VaultkitError("the log text is empty")
    present = {t.lower() for t in re.findall(r"(?:^|(?<=\s))#([\w/-]+)", words)}
    extra = []
    for raw in tags:
        tag = raw.strip().lstrip("#")
        if not _TAG_WORD.match(tag):
            raise VaultkitError(
                f"not a tag: {raw!r} (letters, digits, `-`, `_` and `/`, not only digits)"
            )
        if tag.lower() not in present:
            present.add(tag.lower())
            extra.append(f"#{tag}")
    return " ".join(["-", day.isoformat(), words, *extra])


def check_task(text: str, line_no: int, day: date) -> str:
    """Check the open task on line `line_no` (1-based, as `vaultkit.vault.parse` counts lines):
    its status becomes `x` and ` ✅ YYYY-MM-DD` goes at the end of its text (before trailing
    spaces and a `^block-id`, where Obsidian Tasks puts it); a task written in Tasks' Dataview
    format (`[due:: …]`, no date emoji) gets `  [completion:: YYYY-MM-DD]` instead, as Tasks
    writes it in that format. Nothing else changes."""
    lines = text.splitlines(keepends=True)  # the parser's line numbers
    if not 1 <= line_no <= len(lines):
        raise VaultkitError(f"line {line_no} is not in the note (it has {len(lines)} lines)")
    raw = lines[line_no - 1]
    body = _content(raw)
    ending = raw[len(body) :]
    m = _TASK.match(body)
    if not m or m.group(2) in "xX-":
        raise VaultkitError(f"line {line_no} is not an open task: {body.strip()!r}")
    body = m.group(1) + "x" + m.group(3) + body[m.end() :]
    tail = _TAIL.search(body)
    cut = tail.start() if tail else len(body)
    dataview = _DATAVIEW_DATE.search(body) and not _EMOJI_DATE.search(body)
    done = f"  [completion:: {day.isoformat()}]" if dataview else f" ✅ {day.isoformat()}"
    body = f"{body[:cut]}{done}{body[cut:]}"
    lines[line_no - 1] = body + ending
    return "".join(lines)


@dataclass(frozen=True)
class Completion:
    """A task completed as Obsidian Tasks completes it."""

    text: str
    """The note's new text."""
    checked: str | None
    """The completed line as written (None when `🏁 delete` removed it)."""
    checked_at: int | None
    """Its line number (1-based) in the new text."""
    next: str | None = None
    """The next occurrence of a recurring task, as written."""
    next_at: int | None = None
    notice: str | None = None
    """Something the user should know (a `🏁 delete` not honoured, and why)."""


_DATE_KEYS = {"start": "🛫", "scheduled": "⏳⌛", "due": "📅📆🗓"}
_DROPPED_ON_REPEAT = [
    re.compile(r"(?<![ \t])[ \t]*🆔\ufe0f?[ \t]*[A-Za-z0-9_-]+"),
    re.compile(r"(?<![ \t])[ \t]*⛔\ufe0f?[ \t]*[A-Za-z0-9_-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_-]+)*"),
    re.compile(r"(?<![ \t])[ \t]*➕\ufe0f?[ \t]*\d{4}-\d{2}-\d{2}"),
    re.compile(
        r"(?<![ \t])[ \t]*(?:\[[ \t]*(?:id|dependsOn|created)[ \t]*::[^\[\]]*\]"
        r"|\([ \t]*(?:id|dependsOn|created)[ \t]*::[^()]*\))",
        re.I,
    ),
    re.compile(r"(?<![ \t])[ \t]+\^[A-Za-z0-9-]+(?=[ \t]*$)"),
]
"""What the next occurrence does not inherit, as in Tasks: its id and dependencies (they
belong to the done one), its created date, and the block id (unique in a note). Each is
tried only from the start of a run of spaces, and a value holds no bracket: linear in the
line, however many spaces or brackets it holds."""


def _shift_date(body: str, kind: str, value: str, new: date) -> str:
    """`body` with the `kind` date written as `value` replaced by `new`, where it is written:
    after its emoji sign or in its Dataview field."""
    emoji = re.compile(f"([{_DATE_KEYS[kind]}]\ufe0f?[ \t]*){re.escape(value)}")
    field_ = re.compile(rf"([\[(][ \t]*{kind}[ \t]*::[ \t]*){re.escape(value)}", re.I)
    for pattern in (emoji, field_):
        if pattern.search(body):
            return pattern.sub(lambda m: m.group(1) + new.isoformat(), body, count=1)
    return body


def _has_children(lines: list[str], index: int) -> bool:
    """The task at `index` has nested items below it (removing it would break them)."""
    if index + 1 >= len(lines):
        return False
    below = _content(lines[index + 1])

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" \t>"))

    return bool(below.strip()) and indent(below) > indent(_content(lines[index]))


def complete_task(text: str, line_no: int, day: date) -> Completion:
    """Complete the open task on line `line_no` as Obsidian Tasks does: check it (`check_task`);
    for a recurring task (`🔁`), write its next occurrence on the line above, its dates moved
    by the rule (vaultkit/vault/recurrence.py); with `🏁 delete`, remove the completed line (unless
    items are nested under it: removing it would break them, so it is kept, and `notice`
    says why). Every other line stays as it was."""
    from vaultkit.vault.parse import task_fields
    from vaultkit.vault.recurrence import next_date, parse_rule

    checked_text = check_task(text, line_no, day)
    lines = text.splitlines(keepends=True)
    raw = lines[line_no - 1]
    body = _content(raw)
    ending = raw[len(body) :] or newline_of(text)
    m = _TASK.match(body)
    assert m is not None  # check_task made sure
    found, _, _ = task_fields(body[m.end() :])
    next_line = None
    if found.get("recurrence"):
        rule_text = found["recurrence"]
        rule = parse_rule(rule_text)
        if rule is None:
            raise VaultkitError(
                f"line {line_no}: vaultkit cannot work out the next date of `🔁 {rule_text}`, "
                "so it would end the series; nothing was written. Check the task in Obsidian "
                "(Tasks writes the next one), or see docs/note-format.md for the rules vaultkit "
                "reads"
            )
        kinds = [k for k in ("due", "scheduled", "start") if found.get(k)]
        if kinds:
            try:
                reference = date.fromisoformat(found[kinds[0]])
                dates = {k: date.fromisoformat(found[k]) for k in kinds}
            except ValueError:
                raise VaultkitError(
                    f"line {line_no}: the task's {kinds[0]} date {found[kinds[0]]!r} is not a "
                    "day on the calendar, so its next one cannot be worked out; nothing was "
                    "written"
                ) from None
            shift = next_date(rule, reference, day) - reference
            new_body = m.group(1) + " " + m.group(3) + body[m.end() :]
            for kind, value in dates.items():
                new_body = _shift_date(new_body, kind, found[kind], value + shift)
            for pattern in _DROPPED_ON_REPEAT:
                new_body = pattern.sub("", new_body)
            next_line = new_body.rstrip() + ending
    delete = found.get("on_completion", "").lower() == "delete"
    notice = None
    if delete and _has_children(lines, line_no - 1):
        delete = False
        notice = (
            f"line {line_no} has items nested under it: it was checked, not removed as its "
            "`🏁 delete` asks, since removing it would break them"
        )
    checked_line = checked_text.splitlines(keepends=True)[line_no - 1]
    if delete and next_line is not None and not raw.endswith(("\n", "\r")):
        next_line = _content(next_line)  # it takes the last line's place: no ending either
    new_lines = [*([next_line] if next_line else []), *([] if delete else [checked_line])]
    result = [*lines[: line_no - 1], *new_lines, *lines[line_no:]]
    return Completion(
        "".join(result),
        None if delete else _content(checked_line),
        None if delete else line_no + (1 if next_line else 0),
        _content(next_line) if next_line else None,
        line_no if next_line else None,
        notice,
    )


# ---------------------------------------------------------------- files


QUIET = 0.5
"""Seconds a note must have held still (no write, truncation or rename touched it) before it
is edited. A program that saves in place truncates the note, then writes it: for an instant the
note is short, and a snapshot taken then and written back would lose the rest. No save pauses
half-way for this long; a note changed more recently is waited for."""
QUIET_COARSE = 2.5
"""The same, on a file system that keeps file times in whole seconds (FAT keeps two)."""
SETTLE_WAIT = 10.0
"""Seconds an edit waits for a note that keeps changing before it gives up."""


@dataclass(frozen=True)
class Snapshot:
    """A note's bytes as read, with what says whether it changed since."""

    path: Path
    data: bytes
    mtime_ns: int
    size: int
    digest: str
    ino: int = 0
    ctime_ns: int = 0
    mode: int = 0o644
    links: int = 1

    @property
    def text(self) -> str:
        return self.data.decode(ENCODING, ERRORS)

    @property
    def key(self) -> tuple[int, int, int, int]:
        """What any write to the note, in place or by rename, changes."""
        return (self.ino, self.size, self.mtime_ns, self.ctime_ns)

    def same_as(self, other: Snapshot) -> bool:
        return self.key == other.key and self.digest == other.digest


def _stat_key(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _read_once(real: Path, shown: str) -> Snapshot:
    """One read of the note: a regular file only (a FIFO put in its place is refused at once,
    never waited on), and the whole of it (a read that ends short of the size is retried)."""
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise VaultkitError(f"note not found: {shown}") from None
    except OSError as exc:
        raise VaultkitError(f"cannot read {shown}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise VaultkitError(f"{shown} is not a regular file (a FIFO or a device?)")
            if st.st_size > MAX_FILE_BYTES:
                raise VaultkitError(
                    f"{shown} is larger than {MAX_FILE_BYTES // 2**20} MB; edit it in an editor"
                )
            data = handle.read(MAX_FILE_BYTES + 1)
            after = os.fstat(fd)
        except OSError as exc:
            raise VaultkitError(f"cannot read {shown}: {exc.strerror or exc}") from None
    if len(data) != after.st_size or _stat_key(st) != _stat_key(after):
        # Written to while being read: a snapshot of nothing in particular.
        raise _Unsettled
    return Snapshot(
        real,
        data,
        after.st_mtime_ns,
        after.st_size,
        hashlib.sha256(data).hexdigest(),
        after.st_ino,
        after.st_ctime_ns,
        stat.S_IMODE(after.st_mode),
        after.st_nlink,
    )


class _Unsettled(Exception):
    """A read that saw the note change under it."""


def _quiet_needed(snap: Snapshot) -> float:
    whole = snap.mtime_ns % 1_000_000_000 == 0 and snap.ctime_ns % 1_000_000_000 == 0
    return QUIET_COARSE if whole else QUIET


def read_snapshot(path: Path, shown: str | None = None) -> Snapshot:
    """The note's bytes, once it has held still for QUIET seconds: by its change time (ctime,
    which every write, truncation and rename sets, and no program can set back), or, where the
    file system's clock disagrees with ours, by two whole reads QUIET seconds apart that agree
    on the bytes, the inode, the size and both times. A note that keeps changing is waited for,
    then refused."""
    shown = shown or str(path)
    real = Path(os.path.realpath(path))  # edit a symlink's target, keep the link
    deadline = time.monotonic() + SETTLE_WAIT
    held: tuple[Snapshot, float] | None = None  # the last snapshot, and since when it holds
    while True:
        try:
            snap: Snapshot | None = _read_once(real, shown)
        except _Unsettled:
            snap = None
        now = time.monotonic()
        wait = 0.01
        if snap is not None:
            if held is None or not held[0].same_as(snap):
                held = (snap, now)
            quiet = _quiet_needed(snap)
            still = max((time.time_ns() - snap.ctime_ns) / 1e9, now - held[1])
            if still >= quiet:
                return snap
            wait = quiet - still
        if now + wait > deadline:
            raise NoteChangedError(
                f"{shown} keeps changing (another program is writing it?); nothing was "
                "written. Run the command again once it is saved."
            )
        time.sleep(wait)


def _changed(shown: str) -> NoteChangedError:
    return NoteChangedError(
        f"{shown} changed on disk while vaultkit was editing it (saved "
        "in an editor?); nothing was written. Run the command again."
    )


def _ensure_unchanged(snapshot: Snapshot, shown: str) -> None:
    try:
        now = _read_once(snapshot.path, shown)
    except _Unsettled:
        raise _changed(shown) from None
    except VaultkitError:
        raise NoteChangedError(
            f"{shown} was moved or deleted while vaultkit was editing it; nothing was written"
        ) from None
    if not now.same_as(snapshot):
        raise _changed(shown)


def ensure_editable(snapshot: Snapshot, shown: str) -> None:
    """Refuse what an atomic replace would quietly undo: a read-only note (its owner asked for
    it not to change) and a note with hard links (the other names would keep the old bytes)."""
    if not snapshot.mode & stat.S_IWUSR:
        raise VaultkitError(
            f"{shown} is read-only (mode {snapshot.mode:o}); nothing was written. "
            "Make it writable (chmod u+w) to edit it."
        )
    if snapshot.links > 1:
        raise VaultkitError(
            f"{shown} has {snapshot.links} hard links; replacing it would leave the other "
            "names with the old text, so nothing was written. Edit it in your editor."
        )


def write_snapshot(snapshot: Snapshot, text: str, shown: str) -> None:
    """Write `text` over the note, atomically, unless the file changed since `snapshot`: the
    bytes are compared again once the new file is on disk, and the inode, size and times one
    last time right before the rename (a save landing in between is caught)."""
    ensure_editable(snapshot, shown)
    data = text.encode(ENCODING, ERRORS)
    _ensure_unchanged(snapshot, shown)

    def last_check(st: os.stat_result | None) -> None:
        if st is None or _stat_key(st) != snapshot.key:
            raise _changed(shown)

    atomic.atomic_write(
        snapshot.path,
        data,
        before_replace=lambda: _ensure_unchanged(snapshot, shown),
        last_check=last_check,
    )


def create_new(path: Path, data: bytes) -> None:
    """Create `path` with `data`, atomically, failing with FileExistsError if it exists (even
    when it appears between the check and the write). Any other failure (a full disk, a
    read-only folder) is a WriteError that names `path`."""
    try:
        _create_new(path, data)
    except (FileExistsError, WriteError):
        raise
    except OSError as exc:
        raise WriteError.of(exc, path) from exc


def _create_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        raise FileExistsError(str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        try:
            os.link(tmp, path)  # never replaces: fails if `path` exists
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            with open(path, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


# ---------------------------------------------------------------- notes of a vault


def note_by_file(vault_dir: Path, notes: Collection[str], target: str) -> str | None:
    """The note `target` names by a path (from here, or in the vault, with or without `.md`)
    or a file name, found without reading any note: `resolve_note` tries these before names
    and aliases (a file name wins over a name, as in Obsidian), so this answers as it does.
    None: only a name or an alias could tell (or nothing matches)."""
    text = _target_text(target)
    as_file = Path(text)
    if as_file.is_file():
        with contextlib.suppress(ValueError, OSError):
            rel = as_file.resolve().relative_to(vault_dir).as_posix()
            if rel in notes:
                return rel
    path, candidates = LinkIndex.of_files(notes).resolve(text.replace("\\", "/"))
    if candidates:
        raise _ambiguous(target, candidates)
    return path


def resolve_note(vault: Vault, target: str) -> str:
    """A note's path from a name, alias, file stem or path (relative to the vault, with or
    without `.md`, or a path to the file from here)."""
    found = note_by_file(vault.config.vault, vault.notes, target)
    if found is not None:
        return found
    text = _target_text(target)
    path, candidates = vault.index.resolve(text.replace("\\", "/"))
    if path is not None:
        return path
    if candidates:
        raise _ambiguous(target, candidates)
    key = text.lower().removesuffix(".md")
    near = sorted(
        p for p, n in vault.notes.items() if key in n.name.lower() or key in Path(p).stem.lower()
    )
    hint = "".join(f"\n  {p}" for p in near[:10])
    raise VaultkitError(
        f"no note named {target!r} in {vault.config.vault}"
        + (f"; did you mean:{hint}" if near else "")
    )


def _target_text(target: str) -> str:
    text = target.strip()
    if not text:
        raise VaultkitError("no note given")
    return text


def _ambiguous(target: str, candidates: list[str]) -> VaultkitError:
    listing = "".join(f"\n  {c}" for c in candidates)
    return VaultkitError(
        f"{target!r} is ambiguous; it could be:{listing}\nGive the path to pick one."
    )


LOCK_WAIT = 10.0
"""Seconds an edit waits while another vaultkit command edits the same note."""


@contextlib.contextmanager
def note_lock(path: Path, shown: str) -> Iterator[None]:
    """Hold an exclusive lock on the note from reading it to writing it back, so that two
    vaultkit commands editing one note take turns instead of one losing its line. Editors take
    no such lock: the changed-on-disk check covers them. The lock is on the note's file itself;
    a write replaces that file, so a command that waited checks it locked the current one."""
    try:
        import fcntl
    except ImportError:  # no advisory locks here (Windows): the changed-on-disk check remains
        yield
        return
    real = Path(os.path.realpath(path))
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            yield  # missing or unreadable: reading it says so
            return
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise VaultkitError(
                            f"{shown} is being edited by another vaultkit "
                            "command; nothing was written. Try again."
                        ) from None
                    time.sleep(0.01)
                except OSError:  # a file system without locks
                    break
            try:
                held, now = os.fstat(fd), os.stat(real)
                current = (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)
            except OSError:
                current = True  # gone: reading it says so
            if current:
                yield
                return
        finally:
            os.close(fd)


VERIFY_LIMIT = 1024 * 1024
"""Notes up to this size are parsed again after an edit, before it is written."""


def _read_back(rel: str, text: str) -> ParsedNote | None:
    """The note as the parser will read it once `text` is written (None for a huge note: its
    lines are split exactly as the parser splits them, but it is not parsed twice)."""
    data = text.encode(ENCODING, ERRORS)
    return parse_note(rel, data) if len(data) <= VERIFY_LIMIT else None


def log_to_note(vault_dir: Path, rel: str, line: str) -> None:
    """Append the log line `line` to the note at `rel` (a path relative to the vault)."""
    with note_lock(vault_dir / rel, rel):
        snapshot = read_snapshot(vault_dir / rel, rel)
        text, at = insert_log(snapshot.text, line)
        parsed = _read_back(rel, text)
        if parsed is not None and not any(e.line == at + 1 for e in parsed.entries):
            raise VaultkitError(
                f"{rel}: line {at + 1}, where the log line would go, would not be read as a "
                "log line (inside a code block or a comment?); nothing was written"
            )
        write_snapshot(snapshot, text, rel)


def record_touch(
    config: Config,
    rel: str,
    day: date,
    text: str,
    tags: list[str] | tuple[str, ...] = (),
    vault: Vault | None = None,
) -> DoneResult:
    """Record a touch with the note at `rel` the way the vault keeps them: a log line in the
    note, or, where `[types.interaction]` names folders, a new interaction note there (named
    after the note's name, from `vault` when the caller has it, else from the note alone)."""
    folders = [f.strip("/") for f in config.type_list("interaction", "folders") if f.strip("/")]
    if not folders:
        line = log_line(day, text, tags)
        log_to_note(config.vault, rel, line)
        return DoneResult(rel, line)
    record = (vault or _alone(config, rel)).notes[rel]
    date_field = config.get("types.interaction.date")
    with_field = config.get("types.interaction.with")
    link = f"[[{Path(rel).stem}]]"
    front = [f"{date_field}: {day.isoformat()}", f'{with_field}: ["{link}"]']
    clean_tags = [t.lstrip("#") for t in tags if t.strip("#")]
    if clean_tags:
        front.append("tags: [" + ", ".join(clean_tags) + "]")
    data = ("---\n" + "\n".join(front) + "\n---\n" + text.strip() + "\n").encode(ENCODING)
    base = check_name(f"{day.isoformat()} {record.name}".replace("/", "-"), "note name")
    for attempt in range(1, 100):
        name = base if attempt == 1 else f"{base} {attempt}"
        target = f"{folders[0]}/{name}.md"
        try:
            create_new(config.vault / target, data)
        except FileExistsError:
            continue
        return DoneResult(target, f"{link} {text.strip()}")
    raise VaultkitError(f"too many interaction notes named {base!r} in {folders[0]}")


def _alone(config: Config, rel: str) -> Vault:
    """The model of one note by itself: its kind and name (which its own text decides)."""
    try:
        data = read_file(config.vault / rel)
    except OSError as exc:
        raise VaultkitError(f"cannot read {rel}: {exc.strerror or exc}") from None
    return build_model([parse_note(rel, data)], config)


def find_followup(
    followups: list[FollowUp], prefix: str, uids: dict[str, FollowUp] | None = None
) -> FollowUp:
    """The follow-up named by its id, a unique beginning of it, or the feed's UID for it
    (`<id>@vaultkit`, or a private feed's UID in `uids`, copied from a calendar)."""
    key = prefix.strip().lower().removesuffix("@vaultkit")
    if not key:
        raise VaultkitError("no follow-up id given")
    if uids and f"{key}@vaultkit" in uids:
        return uids[f"{key}@vaultkit"]
    exact = [f for f in followups if f.id.lower() == key]
    matches = exact or [f for f in followups if f.id.lower().startswith(key)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listing = "".join(f"\n  {f.id}  {f.rule}  {f.title}" for f in matches)
        raise VaultkitError(f"the id {prefix!r} is ambiguous; it could be:{listing}")
    raise VaultkitError(
        f"no open follow-up with the id {prefix!r} (see `vaultkit agenda --all` for the ids)"
    )


RECHECK_LIMIT = 16 * 2**20
"""`done` reads the vault again, to say when a rolling follow-up is next due, only when its
notes hold at most this many bytes in all: past that, reading them takes seconds (tens for a
50 MB note), and `agenda` will say it."""


def recheck_is_quick(vault_dir: Path, notes: Collection[str]) -> bool:
    total = 0
    for rel in notes:
        with contextlib.suppress(OSError):
            total += os.stat(os.path.join(vault_dir, rel)).st_size
        if total > RECHECK_LIMIT:
            return False
    return True


@dataclass(frozen=True)
class DoneResult:
    path: str
    """The note that was changed."""
    line: str
    """The line as written."""
    more: tuple[str, ...] = ()
    """Other lines to show: a recurring task's next occurrence, a notice."""


def complete(
    config: Config, notes: Collection[str], item: FollowUp, day: date, *, sent: bool = False
) -> DoneResult:
    """Mark a follow-up done: check its task, or log the touch with the rule's tag. With
    `sent`, the touch is the message you sent: `Sent: …`, tagged `#sent` as well (outbound).
    `notes` are the vault's notes (their paths): only the follow-up's own note is read."""
    if item.rule == "task":
        if sent:
            raise VaultkitError(
                "a task is checked, not sent: run `vaultkit done ID` without --sent "
                "(and `vaultkit log NOTE TEXT --tag sent` to record a message)"
            )
        return _check_task_of(config.vault, item, day)
    tags = [DONE_TAGS.get(item.rule, "follow-up"), *([SENT_TAG] if sent else [])]
    record = item.record if item.record in notes else None
    target = record or item.note
    if target not in notes:
        raise VaultkitError(
            f"the {item.rule} follow-up has no note to log it in ({target} is not a note); "
            f"log it yourself: vaultkit log NOTE TEXT --tag {tags[0]}"
        )
    verb = "Sent" if sent else "Done"
    return record_touch(config, target, day, f"{verb}: {item.title}", tags)


def _check_task_of(vault_dir: Path, item: FollowUp, day: date) -> DoneResult:
    with note_lock(vault_dir / item.note, item.note):
        return _check_task_locked(vault_dir, item, day)


def _task_on_line(rel: str, snapshot: Snapshot, number: int) -> Task | None:
    """The task the parser reads on line `number` of the note. A note over VERIFY_LIMIT is not
    parsed whole (seconds for 50 MB): its line is read as a task where it lies outside the
    frontmatter and the code blocks, as the parser sees them."""
    if snapshot.size <= VERIFY_LIMIT:
        return next((t for t in parse_note(rel, snapshot.data).tasks if t.line == number), None)
    lines = split_lines(snapshot.text)
    index = number - 1
    if not 0 <= index < len(lines) or index < _body_start(lines):
        return None
    if _scan(lines, until=index)[1] is not None:
        return None  # inside a code block
    alone = parse_note(rel, lines[index].lstrip("\ufeff").encode(ENCODING, ERRORS)).tasks
    return replace(alone[0], line=number) if alone else None


def _check_task_locked(vault_dir: Path, item: FollowUp, day: date) -> DoneResult:
    snapshot = read_snapshot(vault_dir / item.note, item.note)
    # The follow-up's line number is from when the vault was read: make sure the same open
    # task (the title comes from its text) is still on that line of the bytes to be edited.
    now = _task_on_line(item.note, snapshot, item.line)
    if now is None or now.status != "open" or task_title(now.text) != item.title:
        raise NoteChangedError(
            f"{item.note} changed since it was read: line {item.line} is no "
            "longer that open task; nothing was written. Run the command "
            "again."
        )
    done = complete_task(snapshot.text, item.line, day)
    parsed = _read_back(item.note, done.text)
    if parsed is not None:
        states = {t.line: t.status for t in parsed.tasks}
        if (done.checked_at is not None and states.get(done.checked_at) != "done") or (
            done.next_at is not None and states.get(done.next_at) != "open"
        ):
            raise VaultkitError(
                f"{item.note}: line {item.line} would not be read as a done task once "
                "checked; nothing was written"
            )
    write_snapshot(snapshot, done.text, item.note)
    shown = [line.lstrip("\ufeff").strip() for line in (done.checked, done.next) if line]
    if done.checked is None:
        shown.insert(0, f"removed line {item.line} (🏁 delete)")
    more = [*shown[1:], *([done.notice] if done.notice else [])]
    return DoneResult(item.note, shown[0], tuple(more))


# ---------------------------------------------------------------- new notes and new vaults


def check_name(name: str, what: str = "name") -> str:
    clean = name.strip()
    if not clean:
        raise VaultkitError(f"the {what} is empty")
    bad = sorted({c for c in clean if c in FORBIDDEN_NAME_CHARS or ord(c) < 32})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise VaultkitError(
            f"the {what} {name!r} has characters a note's file name cannot hold: {shown}"
        )
    if clean.startswith("."):
        raise VaultkitError(f"the {what} {name!r} starts with `.`, which hides the note")
    return clean


def default_template(kind: str) -> str:
    return resources.files("vaultkit").joinpath("templates", f"{kind}.md").read_text(ENCODING)


def find_user_template(vault_dir: Path, kind: str) -> Path | None:
    """`templates/<kind>.md` in the vault, matched case-insensitively (`Company.md` too)."""
    folder = vault_dir / TEMPLATE_FOLDER
    exact = folder / f"{kind}.md"
    if exact.is_file():
        return exact
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            if entry.name.lower() == f"{kind}.md" and entry.is_file():
                return entry
    return None


def read_user_template(vault_dir: Path, path: Path) -> str:
    """A template's text, when it is a file of the vault: a template that is (or lies in a
    folder that is) a symlink out of the vault is not followed, so `templates/company.md ->
    ~/.ssh/id_rsa` never copies the key into a note, and from there into the site."""
    shown = path.relative_to(vault_dir).as_posix()
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(Path(os.path.realpath(vault_dir))):
        raise VaultkitError(
            f"the template {shown} leads outside the vault ({real}); vaultkit does not follow "
            "it. Copy the template into the vault instead."
        )
    try:
        data = read_file(real)  # a regular file only, never a FIFO; bounded
    except OSError as exc:
        raise VaultkitError(f"cannot read the template {shown}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise VaultkitError(f"the template {shown} is larger than a note may be")
    return data.decode(ENCODING, ERRORS)


@dataclass(frozen=True)
class NewNote:
    path: str
    """Relative to the vault, with `/`."""
    template: str
    """Where the template came from: a vault path, or `built-in`."""
    unused: tuple[str, ...] = ()
    """Values given but without a placeholder in the template (e.g. `company`)."""
    clashes: tuple[str, ...] = ()
    """Other notes with the same name: links to it are ambiguous now."""
    unrun: tuple[str, ...] = ()
    """Templater commands of the template that vaultkit does not run (left as written)."""


def company_link(vault: Vault, company: str) -> str:
    """`[[Target]]` for `--company`: the company's note when there is one (by its file stem, or
    its path when the stem is ambiguous), else the text as given."""
    target = company.strip().replace("\\", "/").strip("/")
    if target.lower().endswith(".md"):
        target = target[:-3]
    bad = sorted({c for c in target if c in FORBIDDEN_NAME_CHARS - {"/"} or ord(c) < 32})
    if not target or bad:
        raise VaultkitError(f"not a company name: {company!r}")
    path, candidates = vault.index.resolve(target)
    if candidates:
        listing = "".join(f"\n  {c}" for c in candidates)
        raise VaultkitError(f"the company {company!r} is ambiguous; it could be:{listing}")
    if path is None:
        return f"[[{target}]]"
    stem = Path(path).stem
    return f"[[{stem}]]" if vault.index.resolve(stem)[0] == path else f"[[{path[:-3]}]]"


def new_note(
    vault: Vault,
    kind: str,
    name: str,
    day: date,
    company: str | None = None,
    now: datetime | None = None,
) -> NewNote:
    """Create the note of a new company or contact the way the vault makes its own (see
    note_templates): in the folder of its newest notes of that kind, from its own template for
    that kind (or the built-in one in its words). `now` is the time `{{time}}` writes."""
    from vaultkit.commands.note_templates import (
        choose_template,
        fill,
        has_company_placeholder,
        in_vault_words,
        new_folder,
        template_candidates,
    )
    from vaultkit.vault.obsidian import template_formats

    clean = check_name(name)
    root = vault.config.vault
    folder = new_folder(vault, kind, day)
    _check_inside(root, folder, kind)
    rel = f"{folder}/{clean}.md"
    user = find_user_template(root, kind)
    if user is None:
        readable: dict[Path, str] = {}
        for candidate in template_candidates(root):
            with contextlib.suppress(VaultkitError):  # one leading out of the vault: skipped
                readable[candidate] = read_user_template(root, candidate)
        user = choose_template(vault, kind, readable)
    template = read_user_template(root, user) if user else default_template(kind)
    source = user.relative_to(root).as_posix() if user else "built-in"
    values = {"name": clean, "company": company_link(vault, company) if company else ""}
    unused = ("company",) if company and not has_company_placeholder(template) else ()
    clock = (now or datetime.now()).time()
    text, unrun = fill(template, values, datetime.combine(day, clock), *template_formats(root))
    if not user:
        text = in_vault_words(text, vault.config, kind)
    parsed = parse_note(rel, text.encode(ENCODING, ERRORS))
    broken = [p for p in parsed.problems if p.severity == "error"]
    if broken:
        raise VaultkitError(
            f"the note made from the {source} template would be broken, so it "
            f"was not written: {broken[0].message}"
        )
    try:
        create_new(root / rel, text.encode(ENCODING, ERRORS))
    except FileExistsError:
        raise VaultkitError(f"{rel} already exists; nothing was written") from None
    path, candidates = vault.index.resolve(clean)
    clashes = tuple(sorted({*candidates, *([path] if path else [])} - {rel}))
    return NewNote(rel, source, unused, clashes, tuple(unrun))


def _check_inside(root: Path, folder: str, kind: str) -> None:
    """A new note goes inside the vault, where the next scan will read it: not up through a
    `..` in `types.<kind>.folders`, nor through a folder that is a symlink out of the vault
    (the scan skips those, so the note would be written where nothing reads it)."""
    if ".." in folder.split("/"):
        raise VaultkitError(
            f"the folder {folder!r} for new {kind} notes (`types.{kind}.folders` in "
            f"{CONFIG_NAME}) leads outside the vault; nothing was written"
        )
    real_root = Path(os.path.realpath(root))
    there = root / folder
    while not os.path.lexists(there) and there != root:
        there = there.parent  # what is not there yet is made inside what is
    real = Path(os.path.realpath(there))
    if not real.is_relative_to(real_root):
        shown = there.relative_to(root).as_posix()
        raise VaultkitError(
            f"the folder {shown} leads outside the vault ({real}); vaultkit writes new notes "
            "only inside it, where they are read; nothing was written"
        )


INIT_FILES = {
    CONFIG_NAME: "vaultkit.toml",
    "companies/Acme Robotics.md": "example-company.md",
    "people/Jane Doe.md": "example-contact.md",
}


def _shift(day: date, days: int) -> str:
    return date.fromordinal(day.toordinal() + days).isoformat()


def init_vault(folder: Path, day: date) -> list[str]:
    """Write a starter vault into `folder`: the config and two example notes. Writes nothing
    when any of them exists already."""
    existing = [rel for rel in INIT_FILES if (folder / rel).exists() or (folder / rel).is_symlink()]
    if existing:
        raise VaultkitError(
            f"not overwriting what is there: {', '.join(existing)} "
            f"already exist(s) in {folder}; nothing was written"
        )
    if folder.exists() and not folder.is_dir():
        raise VaultkitError(f"not a folder: {folder}")
    dates = {
        "date": day.isoformat(),
        "applied": _shift(day, -5),
        "screen": _shift(day, 3),
        "met": _shift(day, -12),
        "task": _shift(day, 1),
    }
    contents = {}
    for rel, resource in INIT_FILES.items():
        text = resources.files("vaultkit").joinpath("templates", resource).read_text(ENCODING)
        contents[rel] = re.sub(r"\{\{(\w+)\}\}", lambda m: dates.get(m.group(1), m.group()), text)
    written: list[str] = []
    for rel, text in contents.items():
        try:
            create_new(folder / rel, text.encode(ENCODING))
        except FileExistsError:
            raise VaultkitError(
                f"{rel} appeared in {folder} meanwhile; stopped after writing "
                f"{', '.join(written) or 'nothing'}"
            ) from None
        written.append(rel)
    return written
