"""The one front door: `evaluate(config, today)` runs scan -> parse -> model -> rules -> checks
and returns an `Evaluation`; every command is "evaluate, then one view" (print the agenda, list
the problems, render and write the site, edit a note).

An evaluation is lazy: the model is built when asked for, the rules run when the follow-ups
are asked for, the checks when the problems are; each once. `agenda` and `check` ask only for
their answers, which the cache gives back without reading a note when nothing changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from vaultkit import __version__
from vaultkit.errors import CodecError, StoreRefused
from vaultkit.rules.followup import FollowUp
from vaultkit.store.cache import Store
from vaultkit.store.files import read_file, read_file_stat
from vaultkit.vault import parse as note_parser
from vaultkit.vault import scan as vault_scan
from vaultkit.vault.config import CONFIG_NAME, Config
from vaultkit.vault.model import Vault, build_model
from vaultkit.vault.obsidian import SETTINGS_FILES
from vaultkit.vault.parse import ParsedNote, unreadable
from vaultkit.vault.problems import Problem
from vaultkit.vault.scan import Scan, template_excludes

Stamp = tuple[int, int, int, int, int]
"""A file's size, modification time, change time, inode and device: any write changes it,
even one that keeps the size and sets the modification time back (the change time cannot
be set back)."""


def stamp_of(status: os.stat_result) -> Stamp:
    return (
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
        status.st_ino,
        status.st_dev,
    )


def scan_notes(config: Config) -> Scan:
    """The vault's notes: minus the output folder, `exclude` globs and, unless
    `exclude_templates = false`, the note templates (Obsidian's templates folder)."""
    exclude = list(config.get("exclude"))
    if config.get("exclude_templates"):
        exclude += template_excludes(config.vault)
    generated: tuple[str, ...] = ()
    if (publish := config.publish_dir) is not None:
        with contextlib.suppress(ValueError, OSError):
            generated = (publish.resolve().relative_to(config.vault.resolve()).as_posix(),)
    return vault_scan.scan_vault(config.vault, str(config.get("output")), exclude, generated)


@dataclass(slots=True)
class Source:
    """One note as read: its parse, its body (the Markdown after the frontmatter, cut from the
    very bytes that were parsed; None when it stayed in the store) and the stamp of the file
    those bytes came from."""

    parsed: ParsedNote
    body: str | None
    stamp: Stamp | None


def read_source(vault: Path, rel: str) -> Source | None:
    """Read and parse one note; None when it vanished meanwhile (an editor's save)."""
    try:
        data, status = read_file_stat(vault / rel)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Source(unreadable(rel, exc), "", None)
    parsed, body = note_parser.parse_source(rel, data)
    return Source(parsed, body, stamp_of(status))


STORE_BATCH = 500
"""Notes read between two writes to the store."""

PARALLEL_FROM = 2000
"""Below this many notes to parse, starting worker processes costs more than it saves."""


def _read_one(args: tuple[str, str]) -> Source | None:
    return read_source(Path(args[0]), args[1])


def _exit_with_parent() -> None:
    """A worker's first act: leave when the process that started it is gone (a build killed
    with SIGKILL cannot tell its workers, which would otherwise wait for work for ever)."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="vaultkit-orphan-guard", daemon=True).start()


def read_sources(vault: Path, rels: list[str]) -> Iterator[tuple[str, Source | None]]:
    """Read `rels`, in order, on every core when there are many (a cold start of a large
    vault). Each note is yielded as it comes, so the caller can store a batch and let go of
    its bodies before the next is read."""
    workers = min(os.cpu_count() or 1, 8)
    if len(rels) < PARALLEL_FROM or workers < 2:
        for rel in rels:
            yield rel, read_source(vault, rel)
        return
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(str(vault), rel) for rel in rels]
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_exit_with_parent) as pool:
            chunks = max(1, len(jobs) // (workers * 8))
            for source in pool.map(_read_one, jobs, chunksize=chunks):
                yield rels[done], source
                done += 1
    except (OSError, RuntimeError):  # no processes to be had: the rest here
        for rel in rels[done:]:
            yield rel, read_source(vault, rel)


def _stat(config: Config, rel: str) -> os.stat_result | None:
    try:
        return os.stat(os.path.join(config.vault, rel))  # pathlib's `/` costs more than stat
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class Bodies(Mapping[str, str]):
    """Note path -> its Markdown body, asked for one at a time (from the store, mostly): the
    pages of a large vault never hold every body at once."""

    paths: Collection[str]
    read: Callable[[str], str]

    def __getitem__(self, path: str) -> str:
        return self.read(path)

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


@dataclass(frozen=True, slots=True)
class Answers:
    followups: list[FollowUp]
    """Every open follow-up, in due order."""
    problems: list[Problem]
    """Everything `vaultkit check` reports: the model's problems and the checks'."""
    notes: int
    records: int = 0
    """How many notes are companies or contacts (none in a vault not mapped yet)."""


@dataclass(eq=False)
class Evaluation:
    """The vault as of one day: its model, its open follow-ups, its problems, and the inputs
    each came from (every note's stamp and body). Built by `evaluate`."""

    config: Config
    today: date
    scan: Scan
    store: Store | None = None
    """Where parses, bodies and answers are kept between runs; None without the cache."""
    store_refused: str | None = None
    """Why the cache folder was not used (it is not the user's own), for a warning."""
    sources: dict[str, Source] = field(default_factory=dict)
    """Note path -> how it was read. Filled when the model is built."""

    @cached_property
    def vault(self) -> Vault:
        """The model, with the problems found while reading (the checks' are in `problems`)."""
        vault = build_model(self._parsed(), self.config, self.scan.files)
        vault.problems.extend(self.scan.problems)
        vault.problems.sort()
        from vaultkit.vault.identity import track

        track(vault)  # renamed and moved notes keep their follow-ups' ids
        return vault

    @property
    def followups(self) -> list[FollowUp]:
        """Every open follow-up, in due order."""
        return self.answers.followups

    @property
    def problems(self) -> list[Problem]:
        """Everything `vaultkit check` reports: the model's problems and the checks'."""
        return self.answers.problems

    @property
    def notes(self) -> int:
        """How many notes were read."""
        return self.answers.notes

    @property
    def records(self) -> int:
        """How many notes are companies or contacts."""
        return self.answers.records

    @cached_property
    def key(self) -> str:
        """The digest of every input (`inputs_key`); empty without the store."""
        return inputs_key(self.config, self.scan, self.today) if self.store else ""

    def view(self, name: str, args: Any, make: Callable[[], Any]) -> Any:
        """`make()`: a view of the answers (the agenda as printed), a JSON value. With the
        store, the last one of `name` is kept under the inputs' digest and the view's own
        `args` (JSON values), so an unchanged vault's view is printed without decoding or
        formatting a follow-up again."""
        if not self.key or self.store is None:
            return make()
        key = f"{self.key}:{json.dumps(args, sort_keys=True)}"
        saved = self.store.result(f"view:{name}", key)
        if saved is not None:
            return saved
        value = make()
        self.store.put_result(f"view:{name}", key, value)
        return value

    @cached_property
    def answers(self) -> Answers:
        """The follow-ups and problems; with the store, an unchanged vault's come back from
        the last run without reading a note."""
        key = self.key
        if key and self.store and (saved := self.store.result("answers", key)) is not None:
            try:
                return _answers_from(saved)
            except CodecError:
                pass  # damaged or foreign: evaluate afresh
        from vaultkit.rules.registry import derive_followups
        from vaultkit.views.checks import check_vault

        found = Answers(
            derive_followups(self.vault, self.today),
            check_vault(self.vault, self.today),
            len(self.vault.notes),
            sum(note.is_record for note in self.vault.notes.values()),
        )
        if key and self.store:
            self.store.put_result(
                "answers",
                key,
                {
                    "followups": [f.to_json() for f in found.followups],
                    "problems": [p.to_json() for p in found.problems],
                    "notes": found.notes,
                    "records": found.records,
                },
            )
        return found

    def body(self, path: str) -> str:
        """The note's Markdown body, cut from the same bytes as its parse (kept in the store
        with it)."""
        found = self.sources.get(path)
        if found is None:
            return ""
        if found.body is None:
            return stored_body(self.config.vault, self.store, path, found.stamp)
        return found.body

    def _parsed(self) -> list[ParsedNote]:
        """Every note's parse, in scan order; with the store, only changed notes are read."""
        found: dict[str, Source] = {}
        if self.store is not None:
            stamps = {}
            for rel in self.scan.notes:
                if (status := _stat(self.config, rel)) is not None:
                    stamps[rel] = stamp_of(status)
            texts = {rel: stamp_text(stamp) for rel, stamp in stamps.items()}
            for rel, parsed in self.store.parsed_notes(texts, ParsedNote):
                found[rel] = Source(parsed, None, stamps[rel])
        missing = [rel for rel in self.scan.notes if rel not in found]
        batch: list[tuple[str, Source]] = []
        for rel, source in read_sources(self.config.vault, missing):
            if source is None:  # vanished while we read (an editor's save)
                continue
            found[rel] = source
            if self.store is not None and source.stamp is not None:
                batch.append((rel, source))
                if len(batch) >= STORE_BATCH:
                    keep_sources(self.store, batch)
                    batch = []
        if self.store is not None:
            keep_sources(self.store, batch)
            self.store.forget_notes(set(self.scan.notes))
        self.sources = {rel: found[rel] for rel in self.scan.notes if rel in found}
        return [source.parsed for source in self.sources.values()]


def keep_sources(store: Store, batch: list[tuple[str, Source]]) -> None:
    """Store the parses and bodies just read (each with its stamp); once stored, a body is
    let go and asked back when a page needs it (`stored_body`): no command holds every body
    of a large vault at once."""
    if store.put_notes((rel, stamp_text(s.stamp), s.parsed, s.body or "") for rel, s in batch):
        for _, source in batch:
            source.body = None


def stored_body(vault: Path, store: Store | None, path: str, stamp: Stamp | None) -> str:
    """The body kept in the store with the note's parse read at `stamp`; should the store
    have lost it (another vaultkit cleared it meanwhile), the note read again."""
    found = store.body(path, stamp_text(stamp)) if store is not None and stamp is not None else None
    if found is None:
        source = read_source(vault, path)
        return source.body or "" if source is not None else ""
    return found


def stamp_text(stamp: Stamp | None) -> str:
    """A stamp as the store keeps it with a note's parse and body."""
    return ":".join(map(str, stamp)) if stamp is not None else ""


def inputs_key(config: Config, scan: Scan, today: date) -> str:
    """A digest of everything an evaluation depends on: vaultkit, the config, the Obsidian
    vault name, the zone, the day, and each note's stamp."""
    digest = hashlib.sha256()
    try:
        config_bytes = read_file(config.vault / CONFIG_NAME)  # never a FIFO's wait
    except OSError:
        config_bytes = b""
    for part in (
        __version__,
        str(config.vault),
        config.vault_name,
        config.obsidian_folder,
        config.timezone_name,
        today.isoformat(),
    ):
        digest.update(os.fsencode(part) + b"\0")  # a vault's name may not be UTF-8
    digest.update(config_bytes + b"\0")
    # The settings as in force, command-line overrides included.
    digest.update(json.dumps(config.values, sort_keys=True, default=str).encode() + b"\0")
    for rel in scan.notes:
        stat = _stat(config, rel)
        stamp = ":".join(map(str, stamp_of(stat))) if stat else "gone"
        digest.update(os.fsencode(f"{rel}\0{stamp}\0"))
    for problem in scan.problems:
        digest.update(os.fsencode(str(problem)) + b"\0")
    for rel in scan.files:  # links to attachments resolve, or warn, by what is there
        digest.update(os.fsencode(rel) + b"\0")
    for settings in SETTINGS_FILES:  # Obsidian's: where daily notes are, template formats
        with contextlib.suppress(OSError):
            digest.update(read_file(config.vault / settings))  # never a FIFO's wait
        digest.update(b"\0")
    from vaultkit.views.draft_templates import templates_stamp

    digest.update(os.fsencode(templates_stamp(config.vault)) + b"\0")  # the site shows drafts
    for kind in ("company", "contact", "interaction"):  # `check` says when one is missing
        for folder in config.type_list(kind, "folders"):
            digest.update(os.fsencode(f"{folder}:{(config.vault / folder).is_dir()}\0"))
    return digest.hexdigest()


def _answers_from(saved: Any) -> Answers:
    """Answers as stored, every value checked (a damaged or foreign row is a CodecError)."""
    try:
        return Answers(
            [_followup_from(f) for f in saved["followups"]],
            [problem_from(p) for p in saved["problems"]],
            _typed(saved["notes"], int),
            _typed(saved["records"], int),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CodecError(str(exc)) from exc


def _typed(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise CodecError(f"expected {kind.__name__}")
    return value


def problem_from(data: Any) -> Problem:
    severity = _typed(data["severity"], str)
    if severity not in ("error", "warning"):
        raise CodecError("bad severity")
    return Problem(
        _typed(data["path"], str), _typed(data["line"], int), severity, _typed(data["message"], str)
    )


def _followup_from(data: Any) -> FollowUp:
    due = _typed(data["due"], str)
    record = data["record"]
    return FollowUp(
        id=_typed(data["id"], str),
        rule=_typed(data["rule"], str),
        due=datetime.fromisoformat(due) if "T" in due else date.fromisoformat(due),
        title=_typed(data["title"], str),
        reason=_typed(data["reason"], str),
        note=_typed(data["note"], str),
        line=_typed(data["line"], int),
        priority=_typed(data["priority"], str),
        record=None if record is None else _typed(record, str),
        tags=tuple(_typed(t, str) for t in _typed(data["tags"], list)),
    )


def evaluate(config: Config, today: date, *, use_cache: bool = True) -> Evaluation:
    """The vault as of `today` (see `Evaluation`: each part is computed when first asked for).
    With `use_cache`, the vault's store keeps what can be reused between runs."""
    store, refused = None, None
    if use_cache:
        try:
            store = Store.open(config.vault)
        except StoreRefused as exc:
            refused = str(exc)
    return Evaluation(config, today, scan_notes(config), store, refused)
