"""A persistent cache of parsed notes, so a run reparses only the notes that changed.

It lives outside the vault (`$XDG_CACHE_HOME/vaultkit`, else `~/.cache/vaultkit`), one JSON
file per vault, keyed by each note's path, size and modification time, and by vaultkit's
version. It is never trusted blindly: a file that does not parse, or was written by another
version or for another vault, is ignored and rebuilt. Deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import fields
from pathlib import Path
from typing import Any

from vaultkit import __version__
from vaultkit.atomic import atomic_write
from vaultkit.parse import Entry, Link, ParsedNote, Task
from vaultkit.problems import Problem

FORMAT = 4


def cache_dir() -> Path:
    """Private to the user (0700, files 0600): the cache holds every note's properties and
    log lines, and a shared machine's other users must not read them."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vaultkit"


def cache_file(vault: Path) -> Path:
    key = hashlib.sha256(os.fsencode(vault.resolve())).hexdigest()[:16]
    return cache_dir() / f"{key}.json"


def _stamp(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns]


_ROWS = {"links": Link, "tasks": Task, "entries": Entry, "problems": Problem}


def _to_json(note: ParsedNote) -> dict[str, Any]:
    """The note as JSON-able rows (dataclasses.asdict is several times slower)."""
    data: dict[str, Any] = {
        name: getattr(note, name)
        for name in (
            "path",
            "meta",
            "spelling",
            "meta_lines",
            "item_lines",
            "inline",
            "inline_spelling",
            "tags",
            "body_line",
            "frontmatter_broken",
        )
    }
    for name, kind in _ROWS.items():
        names = [f.name for f in fields(kind)]
        data[name] = [[getattr(item, n) for n in names] for item in getattr(note, name)]
    return data


def _to_note(data: dict[str, Any]) -> ParsedNote:
    note = ParsedNote(**{k: v for k, v in data.items() if k not in _ROWS and k != "inline"})
    note.inline = {k: (v[0], v[1]) for k, v in data["inline"].items()}
    note.links = [Link(*row) for row in data["links"]]
    note.tasks = [Task(*row) for row in data["tasks"]]
    note.entries = [Entry(*row) for row in data["entries"]]
    note.problems = [Problem(*row) for row in data["problems"]]
    return note


class NoteCache:
    def __init__(self, vault: Path, *, enabled: bool = True) -> None:
        self.vault = vault.resolve()
        self.path = cache_file(vault)
        self.enabled = enabled
        self.entries: dict[str, tuple[list[int], dict[str, Any]]] = {}
        self.dirty = False
        self.hits = 0
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_bytes())
            if (
                data.get("format") != FORMAT
                or data.get("version") != __version__
                or data.get("vault") != str(self.vault)
            ):
                return
            self.entries = {rel: (stamp, note) for rel, (stamp, note) in data["notes"].items()}
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            self.entries = {}  # missing, corrupt or foreign: start over

    def get(self, rel: str, stat: os.stat_result) -> ParsedNote | None:
        found = self.entries.get(rel)
        if found is None or found[0] != _stamp(stat):
            return None
        try:
            note = _to_note(found[1])
        except (TypeError, KeyError, IndexError, AttributeError):
            return None
        self.hits += 1
        return note

    def put(self, rel: str, stat: os.stat_result, note: ParsedNote) -> None:
        self.entries[rel] = (_stamp(stat), _to_json(note))
        self.dirty = True

    def save(self, keep: set[str]) -> None:
        """Write the cache, forgetting notes that are gone; never fails the run."""
        if not self.enabled:
            return
        stale = set(self.entries) - keep
        if not self.dirty and not stale:
            return
        for rel in stale:
            del self.entries[rel]
        payload = {
            "format": FORMAT,
            "version": __version__,
            "vault": str(self.vault),
            "notes": self.entries,
        }
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write(self.path, _json_bytes(payload), mode=0o600)
        except OSError:
            pass  # a read-only cache folder only costs speed


def _json_bytes(payload: dict[str, Any]) -> bytes:
    # A vault folder's name may not be UTF-8 (lone surrogates); json.loads reads them back.
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")


def result_file(vault: Path, kind: str) -> Path:
    return cache_file(vault).with_suffix(f".{kind}.json")


def load_result(vault: Path, kind: str, key: str) -> dict[str, Any] | None:
    """The `kind` of result (an evaluation, a build) saved under `key`, a digest of every
    input; None when there is none or it was saved for other inputs."""
    try:
        data = json.loads(result_file(vault, kind).read_bytes())
        return data if isinstance(data, dict) and data.get("key") == key else None
    except (OSError, ValueError):
        return None


def save_result(vault: Path, kind: str, key: str, payload: dict[str, Any]) -> None:
    try:
        target = result_file(vault, kind)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(target, _json_bytes({**payload, "key": key}), mode=0o600)
    except OSError:
        pass
