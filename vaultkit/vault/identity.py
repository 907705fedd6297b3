"""Identities that outlive renames, moves and small edits, for ids and feed UIDs.

A follow-up's id hashes the identity of its note, not the note's path. A note's identity is the
path it was first seen at; `.vaultkit/ids.json` remembers it, with a fingerprint of the note's
content, so that when a path disappears and another appears, vaultkit can tell a rename or a
move from a deletion and a new note:

1. the same content (the fingerprint of its properties, tasks and log lines), else
2. the same file name in another folder (a move, perhaps with an edit), else
3. the same `name:` (a rename of the file alone)

keeps the identity. A note never seen before is its own identity, so a vault that nothing was
renamed in has the ids it always had.

Open tasks get the same care: a task with a Tasks `🆔` or a `^block` id is known by it; any other
by its words (and which of same-worded tasks it is), and a task whose words changed a little
keeps its identity (the closest vanished task of the same note, if close enough). A task that
was checked does not pass its identity on.

The state is in the vault (vaultkit/store/state.py), so every machine that syncs the vault gives the
same ids; it is written whenever it changes, by any command that reads the vault.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from vaultkit.store.state import read_json, write_json
from vaultkit.vault.model import Note, Vault
from vaultkit.vault.parse import Task

STATE_FILE = "ids.json"
VERSION = 1
GONE_KEPT = 500
"""Vanished notes remembered, newest first: a sync client may delete a file before the renamed
one arrives, and an undo brings a note back."""
SIMILAR = 0.6
"""How alike (difflib's ratio) an edited task's words must be to its old words."""


@dataclass
class Identities:
    notes: dict[str, str] = field(default_factory=dict)
    """Note path -> identity (paths not here are their own identity)."""
    tasks: dict[str, dict[int, str]] = field(default_factory=dict)
    """Note path -> task line -> the key that tells the task apart within its note."""

    def note(self, path: str) -> str:
        return self.notes.get(path, path)

    def task(self, path: str, task: Task, ordinal: int) -> str:
        key = self.tasks.get(path, {}).get(task.line)
        return key or explicit_key(task) or default_key(task, ordinal)


def explicit_key(task: Task) -> str | None:
    """The task's own id, when it has one: Tasks' `🆔 abc` (or `[id:: abc]`), else `^block`."""
    if task.id:
        return f"🆔{task.id}"
    if task.block:
        return f"^{task.block}"
    return None


def default_key(task: Task, ordinal: int) -> str:
    return f"{task.text}\0{ordinal}"


def fingerprint(note: Note) -> str:
    """What a note says, without where it is: equal for a note and its renamed copy."""
    parsed = note.parsed
    if parsed is None:
        body: Any = sorted(note.fields)
    else:
        body = [
            parsed.meta,
            [[t.text, t.status, t.due, t.scheduled] for t in parsed.tasks],
            [[e.date, e.text] for e in parsed.entries],
        ]
    data = json.dumps(body, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(data.encode("ascii")).hexdigest()[:16]


def tracked(note: Note) -> bool:
    """Notes whose identity matters: those follow-ups can come from."""
    return note.is_record or bool(note.tasks)


def _open_tasks(note: Note) -> list[tuple[Task, int]]:
    seen: dict[str, int] = {}
    out = []
    for task in note.tasks:
        if task.status == "open":
            seen[task.text] = seen.get(task.text, -1) + 1
            out.append((task, seen[task.text]))
    return out


TaskKeys = Callable[[Note, list[list[str]]], tuple[dict[int, str], list[list[str]]]]


def resolve(
    state: Any,
    vault: Vault,
    fingerprint_of: Callable[[Note], str] = fingerprint,
    task_keys_of: TaskKeys | None = None,
    *,
    trusted: bool = False,
) -> tuple[Identities, dict[str, Any]]:
    """The identities of `vault`'s notes and tasks given the last `state`, and the new state.
    Pure: the same state and vault give the same answer on any machine. (`fingerprint_of` and
    `task_keys_of` are `fingerprint` and `task_keys`, or functions that remember their
    answers: the live engine's, which also passes the state it got back last time as
    `trusted`, not to be checked again.)"""
    task_keys_of = task_keys_of or task_keys
    state = state if trusted or _valid(state) else {}
    known: dict[str, list[str]] = state.get("notes", {})
    """path -> [identity, fingerprint, name]"""
    gone: list[list[str]] = state.get("gone", [])
    """[path, identity, fingerprint, name] of vanished notes, newest first"""
    old_tasks: dict[str, list[list[str]]] = state.get("tasks", {})
    notes = {path: note for path, note in vault.notes.items() if tracked(note)}
    prints = {path: fingerprint_of(note) for path, note in notes.items()}
    ids: dict[str, str] = {}
    for path in notes:
        if path in known:
            ids[path] = known[path][0]
    # Vanished notes, the most recent first: candidates for a renamed or moved one.
    pool = [[p, *known[p]] for p in sorted(known) if p not in notes]
    pool += [g for g in gone if g[1] not in ids.values() and g[0] not in notes]
    used = set(ids.values())
    for path in sorted(p for p in notes if p not in ids):
        match = _match(path, prints[path], notes[path], pool)
        if match is not None:
            pool.remove(match)
            ids[path] = match[1]
        else:
            ids[path] = _unique(path, used)
        used.add(ids[path])
    identities = Identities({p: i for p, i in ids.items() if p != i})
    tasks_state: dict[str, list[list[str]]] = {}
    for path, note in notes.items():
        identity = ids[path]
        remembered = old_tasks.get(identity, NO_ROWS)
        keys, new_rows = task_keys_of(note, remembered)
        if keys:
            identities.tasks[path] = keys
        if new_rows:
            tasks_state[identity] = new_rows
    pool_left = [g for g in pool if g[1] not in used][:GONE_KEPT]
    new_state = {
        "version": VERSION,
        "notes": {p: [ids[p], prints[p], notes[p].name.lower()] for p in sorted(notes)},
        "gone": pool_left,
        "tasks": tasks_state,
    }
    return identities, new_state


def update(
    last: Identities,
    state: dict[str, Any],
    vault: Vault,
    changed: Collection[str],
    fingerprint_of: Callable[[Note], str] = fingerprint,
    task_keys_of: TaskKeys | None = None,
) -> tuple[Identities, dict[str, Any]] | None:
    """What `resolve` would answer, when `last` and `state` are its answer for the vault
    before the notes `changed` changed, and none of those appeared, went, or began or stopped
    being tracked: every identity stays; the changed notes' fingerprints, names and task keys
    are taken again. None when that does not hold (`resolve` it in full)."""
    task_keys_of = task_keys_of or task_keys
    known: dict[str, list[str]] = state["notes"]
    for path in changed:
        note = vault.notes.get(path)
        if (path in known) != (note is not None and tracked(note)):
            return None
    identities = Identities(last.notes, dict(last.tasks))
    notes_state, tasks_state = dict(known), dict(state["tasks"])
    for path in changed:
        if path not in known:
            continue  # not tracked, before or now
        note = vault.notes[path]
        identity = known[path][0]
        notes_state[path] = [identity, fingerprint_of(note), note.name.lower()]
        keys, rows = task_keys_of(note, state["tasks"].get(identity, NO_ROWS))
        identities.tasks.pop(path, None)
        if keys:
            identities.tasks[path] = keys
        tasks_state.pop(identity, None)
        if rows:
            tasks_state[identity] = rows
    return identities, {**state, "notes": notes_state, "tasks": tasks_state}


def _valid(state: Any) -> bool:
    try:
        return (
            isinstance(state, dict)
            and state.get("version") == VERSION
            and all(
                isinstance(k, str) and isinstance(v, list) and len(v) == 3
                for k, v in state["notes"].items()
            )
            and all(isinstance(g, list) and len(g) == 4 for g in state["gone"])
            and all(
                isinstance(rows, list) and all(isinstance(r, list) and len(r) == 3 for r in rows)
                for rows in state["tasks"].values()
            )
        )
    except (KeyError, AttributeError, TypeError):
        return False


def _match(path: str, print_: str, note: Note, pool: list[list[str]]) -> list[str] | None:
    stem = PurePosixPath(path).stem.lower()
    same_content = [g for g in pool if g[2] == print_]
    if same_content:
        same_name = [g for g in same_content if PurePosixPath(g[0]).stem.lower() == stem]
        return (same_name or same_content)[0]
    moved = [g for g in pool if PurePosixPath(g[0]).stem.lower() == stem]
    if moved:
        return moved[0]
    name = note.name.lower()
    renamed = [g for g in pool if g[3] == name]
    return renamed[0] if name != stem and renamed else None


def _unique(path: str, used: set[str]) -> str:
    candidate, n = path, 1
    while candidate in used:
        n += 1
        candidate = f"{path}#{n}"
    return candidate


NO_ROWS: list[list[str]] = []
"""A note's remembered task rows when it has none (one object: the engine's memo compares
rows by identity)."""


def task_keys(note: Note, remembered: list[list[str]]) -> tuple[dict[int, str], list[list[str]]]:
    """Each open task's key (by line), and the rows to remember: [default key, key, words]."""
    by_default = {row[0]: row for row in remembered}
    finished = {t.text for t in note.tasks if t.status != "open"}
    current = _open_tasks(note)
    current_defaults = {default_key(t, n) for t, n in current if not explicit_key(t)}
    vanished = [
        row for row in remembered if row[0] not in current_defaults and row[2] not in finished
    ]
    keys: dict[int, str] = {}
    keyed: list[tuple[Task, str]] = []  # the tasks keyed by their words, in order
    pending: list[tuple[Task, str]] = []
    for task, ordinal in current:
        own = explicit_key(task)
        if own:
            keys[task.line] = own
            continue
        default = default_key(task, ordinal)
        keyed.append((task, default))
        if default in by_default:
            keys[task.line] = by_default[default][1]
        else:
            pending.append((task, default))
    taken = set(keys.values())
    for task, default in pending:
        best = max(
            vanished,
            key=lambda row: difflib.SequenceMatcher(None, row[2], task.text).ratio(),
            default=None,
        )
        if (
            best is not None
            and best[1] not in taken
            and difflib.SequenceMatcher(None, best[2], task.text).ratio() >= SIMILAR
        ):
            vanished.remove(best)
            key = best[1]
        else:
            key = _unique(default, taken)
        keys[task.line] = key
        taken.add(key)
    # The rows in the tasks' order, whichever way each key was found: given them back with
    # the same note, it answers the same (a fixed point the live engine relies on).
    return keys, [[default, keys[task.line], task.text] for task, default in keyed]


def note_identity(vault: Vault, path: str) -> str:
    """The identity of the note at `path` (its path, unless it was renamed or moved)."""
    return vault.identities.note(path) if vault.identities is not None else path


def task_identity(vault: Vault, path: str, task: Task, ordinal: int) -> str:
    """What tells the open task apart within its note, across edits (see the module's doc)."""
    if vault.identities is not None:
        return vault.identities.task(path, task, ordinal)
    return explicit_key(task) or default_key(task, ordinal)


def feed_uid(item_id: str, detail: str, secret: bytes | None) -> str:
    """The event's UID: `<id>@vaultkit` in the full feed, so an id copied from the calendar works
    with `vaultkit done`; in the private and minimal feeds, an HMAC of the id keyed with the
    vault's secret, which no list of names can be matched against."""
    if detail == "full":
        return f"{item_id}@vaultkit"
    if secret is None:
        raise ValueError("a private or minimal feed needs the vault's secret")
    keyed = hmac.new(secret, item_id.encode("ascii", "replace"), hashlib.sha256).hexdigest()
    return f"{keyed[:20]}@vaultkit"


def track(vault: Vault) -> Identities:
    """Resolve the vault's identities against `.vaultkit/ids.json` and store the new state when
    it changed (best effort: a read-only vault keeps working, with the state it had)."""
    root = vault.config.vault
    state = read_json(root, STATE_FILE)
    identities, new_state = resolve(state, vault)
    if new_state != state:
        write_json(root, STATE_FILE, new_state)
    vault.identities = identities
    return identities
