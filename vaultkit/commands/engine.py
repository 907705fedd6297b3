"""The live engine: the vault's evaluation kept in memory and updated note by note, and the
outputs written from it, the calendar feed first. `watch` and `serve` keep one for their run.

`Engine.refresh()` scans the vault and stats every note; a note whose stamp changed (or that
appeared or went) is read again, and only what it touches is derived again:

- the model (`model.Model.update`): the note, the notes whose links it answers differently,
  the records whose interactions it holds;
- the follow-ups (`rules.Derivation`): the local rules for those notes and the notes linking
  them, the others in full (they are cheap);
- each feed event is serialised again only when its follow-up or what it shows (its record,
  its note's page, its draft) changed, and stamped from the feed state (store/feedstate.py);
- a note's page is rendered again only when the note, anything the page showed from another
  note (a name, a link, a resolved link key), its follow-ups, drafts or problems changed;
- the site-wide files (board, agenda, vault.json, stats) are rendered again from the model.

The writer writes only the files whose bytes changed. A change to `vaultkit.toml` (or of the
day) starts over: a new engine. Equality with a fresh build is the invariant
(tests/test_soak.py compares every output byte for byte).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from sys import intern
from typing import Any

from vaultkit.commands.build import keep_private, resolve_publish_dir
from vaultkit.pipeline import (
    STORE_BATCH,
    Bodies,
    Source,
    Stamp,
    keep_sources,
    read_source,
    scan_notes,
    stamp_of,
    stamp_text,
    stored_body,
)
from vaultkit.render.site import Pieces, Superseded
from vaultkit.rules.followup import FollowUp
from vaultkit.store.cache import Store
from vaultkit.store.output import OutputFolder, WriteResult
from vaultkit.store.spill import Spill
from vaultkit.vault.config import Config
from vaultkit.vault.model import Model, Note
from vaultkit.vault.parse import ParsedNote
from vaultkit.vault.problems import Problem


@dataclass
class Refresh:
    """What one refresh did."""

    changed: list[str]
    """Notes read again (new, edited or gone)."""
    derived: set[str]
    """Notes whose model was derived again."""
    events: int
    """Feed events serialised again."""
    pages: list[str]
    """Note pages rendered again."""
    written: WriteResult
    problems: list[Problem]
    notes: int
    followups: int
    files: list[str] = field(default_factory=list)
    """Every file the outputs hold now (what a build records to know them unchanged)."""


@dataclass(frozen=True, slots=True)
class _Listing:
    """What the engine knows of the vault's files at the start of a refresh."""

    notes: list[str]
    stamps: dict[str, Stamp]
    """Each note's stamp (a note that could not be looked at has none)."""
    files: list[str]
    problems: list[Problem]
    hinted: bool
    """Made from the watcher's list of changed notes, not from a scan of the vault."""


@dataclass(slots=True)
class _Page:
    page: str
    reads: tuple[str, ...]
    """The notes and link keys it read, sorted (a tuple: a set per page cost 13 MB at
    10,000 notes)."""
    inputs: Any
    """The page's own inputs besides the model: its follow-ups, drafts and problems."""


@dataclass
class _Event:
    item: FollowUp
    draft: Any
    data: bytes
    digest: bytes
    """Of the event's fields: what its bytes were made from."""


class Engine:
    """One vault's evaluation and outputs, kept up to date (see the module's docstring)."""

    def __init__(
        self,
        config: Config,
        today: date,
        out_dir: Path,
        store: Store | None,
        *,
        force: bool = False,
        live: bool = True,
    ) -> None:
        self.live = live
        """Kept for more refreshes (watch, serve): keep the site-wide files' rendered pieces.
        A one-shot build keeps none (nothing in memory it will not use again)."""
        self.force = force
        """Write into output folders that hold files vaultkit did not write (--force)."""
        self.publish_dir = resolve_publish_dir(config, out_dir)
        self.published: OutputFolder | None = None
        self.config = config
        self.vault_name = config.vault_name
        self.today = today
        self.out_dir = out_dir
        self.store = store
        self.model = Model(config)
        self.files: list[str] = []
        self.scan_problems: list[Problem] = []
        self.stamps: dict[str, Stamp] = {}
        self.bodies: dict[str, str] = {}
        """Bodies read when there is no store to keep them."""
        self.unreadable: dict[str, Stamp | None] = {}
        """Notes that could not be read, with their stamp as listed then."""
        self.derivation: Any = None
        self.events: dict[str, _Event] = {}
        self.pages: dict[str, _Page] = {}
        self.expected: list[str] = []
        """The output files the writer was last told to expect."""
        self.page_records: list[tuple[str, bytes, tuple[str, ...], str]] = []
        """Pages written, their records waiting for their files to be in place."""
        self.page_paths: dict[str, str] = {}
        self.id_state: Any = None
        self.new_id_state: Any = None
        self.prints: dict[str, tuple[ParsedNote | None, str]] = {}
        self.task_keys: dict[str, tuple[ParsedNote | None, Any]] = {}
        """Each note's task keys and rows (identity.task_keys), with the parse they are of."""
        self.output: OutputFolder | None = None
        self.drafted: dict[str, tuple[FollowUp, Any]] = {}
        """Follow-up id -> the follow-up and its draft (None: it has none)."""
        self.drafts: dict[str, Any] = {}
        """Follow-up id -> its draft, for those that have one (what `drafted` says)."""
        self.drafted_for: tuple[list[FollowUp] | None, Any] = (None, None)
        """The follow-ups (the list) and the templates `drafted` is of."""
        self.by_path: dict[str, dict[str, FollowUp]] = {}
        """Note -> the follow-ups of it or about it (by id), as `drafted` has them."""
        self.pieces = Pieces(Spill(store.path.parent if store is not None else None))
        self.told: tuple[dict[str, Any], dict[str, datetime]] | None = None
        """What subscribers were told of each event, and the events that left the feed
        (vaultkit/store/feedstate.py): kept between refreshes, read again when `feed_marks` say
        another vaultkit wrote the feed or its state."""
        self.feed_marks: tuple[Any, ...] = ()
        self.stamped: dict[tuple[bytes, bytes], bytes] = {}
        """Each event with its stamp lines, as the last feed had it (ics.assemble)."""
        self.digests: dict[bytes, str] = {}
        """Each event's bytes -> its digest (feedstate.digest)."""
        self.placed: list[Any] = []
        """The follow-ups' places in the last feed (ics.places), in its order."""
        self.placed_for: tuple[list[FollowUp] | None, bytes | None] = (None, None)
        """The follow-ups (the list) and the vault's secret `placed` is of."""
        self.timings: dict[str, float] = {}
        """Seconds of CPU each stage of the last refresh took (for the benchmark)."""

    # ------------------------------------------------------------------------------ reading

    def body(self, path: str) -> str:
        if path in self.bodies:
            return self.bodies[path]
        stamp = self.stamps.get(path)
        if self.store is None or stamp is None:
            return ""
        return stored_body(self.config.vault, self.store, path, stamp)

    def _listing(self, hint: Collection[str] | None) -> _Listing:
        """The vault's notes with their stamps, its other files and the scan's problems. For
        a save of notes the engine knows (`hint`: what the watcher saw change), the last
        listing with those notes' stamps taken again; else a scan of the whole vault."""
        vault = self.config.vault
        if hint is not None and self.stamps and all(rel in self.stamps for rel in hint):
            stamps = dict(self.stamps)
            for rel, stamp in _stamps(vault, hint).items():
                if stamp is None:
                    del stamps[rel]
                else:
                    stamps[rel] = stamp
            return _Listing(list(self.stamps), stamps, self.files, self.scan_problems, True)
        scan = scan_notes(self.config)
        found = {rel: s for rel, s in _stamps(vault, scan.notes).items() if s is not None}
        return _Listing(scan.notes, found, scan.files, scan.problems, False)

    def _read(
        self, listing: _Listing
    ) -> tuple[dict[str, ParsedNote | None], dict[str, str], list[Problem]]:
        """The notes that changed since the last refresh: path -> new parse (None: gone)."""
        self.files = listing.files  # attachments, canvases, templates: links may name them
        self.scan_problems = listing.problems
        stamps = dict(listing.stamps)
        changed: dict[str, ParsedNote | None] = {}
        bodies: dict[str, str] = {}
        reads: list[tuple[str, Source]] = []
        if not self.stamps and self.store is not None:  # a new engine: the store's parses
            texts = {rel: stamp_text(stamp) for rel, stamp in stamps.items()}
            for rel, parsed in self.store.parsed_notes(texts, ParsedNote):
                changed[rel] = parsed
        for rel in listing.notes:
            if rel in changed or (rel in stamps and self.stamps.get(rel) == stamps[rel]):
                continue
            source = read_source(self.config.vault, rel)
            if source is not None and _emptied(source, self.stamps.get(rel)):
                # Truncated by an editor's save, not yet written (open with O_TRUNC, then
                # write): read it again in a moment rather than publish an empty note.
                time.sleep(EMPTIED_WAIT)
                source = read_source(self.config.vault, rel)
            if source is None:
                stamps.pop(rel, None)
                continue
            changed[rel] = source.parsed
            if source.stamp is None:
                bodies[rel] = ""
                self.unreadable[rel] = stamps.get(rel)
                stamps[rel] = (-1, -1, -1, -1, -1)  # unreadable: read again next time
                continue
            self.unreadable.pop(rel, None)
            stamps[rel] = source.stamp
            if self.store is None:
                bodies[rel] = source.body or ""
                continue
            # The store keeps the body with the parse; pages ask it back (a cold start of a
            # large vault never holds every body at once).
            reads.append((rel, source))
            if len(reads) >= STORE_BATCH:
                keep_sources(self.store, reads)
                reads = []
        for rel in self.stamps:
            if rel not in stamps:
                changed[rel] = None
                self.unreadable.pop(rel, None)
        self.stamps = stamps
        changed = {rel: changed[rel] for rel in sorted(changed)}
        if self.store is not None:
            keep_sources(self.store, reads)
            if any(p is None for p in changed.values()):
                self.store.forget_notes(set(stamps))
        else:
            self.bodies.update(bodies)
            for rel, gone in changed.items():
                if gone is None:
                    self.bodies.pop(rel, None)
        return changed, bodies, listing.problems

    def _identities(self, changed: Collection[str]) -> None:
        """The identities of the vault's notes and tasks (vault/identity.py): those of the
        last refresh with the `changed` notes' taken again, when no note came or went;
        else resolved in full."""
        from vaultkit.store.state import read_json
        from vaultkit.vault import identity
        from vaultkit.vault.identity import NO_ROWS, STATE_FILE, resolve

        def fingerprint(note: Note) -> str:
            known = self.prints.get(note.path)
            if known is not None and known[0] is note.parsed:
                return known[1]
            value = identity.fingerprint(note)
            self.prints[note.path] = (note.parsed, value)
            return value

        def task_keys(note: Note, remembered: list[list[str]]) -> Any:
            # Given the rows it returned last time (as the state it made now holds them), the
            # same parse gets the same keys and rows: they are a fixed point.
            known = self.task_keys.get(note.path)
            if known is not None and known[0] is note.parsed and known[1][1] is remembered:
                return known[1]
            keys, rows = identity.task_keys(note, remembered)
            value = (keys, rows or NO_ROWS)
            self.task_keys[note.path] = (note.parsed, value)
            return value

        vault = self.model.vault
        trusted = self.id_state is not None and self.id_state is self.new_id_state
        if trusted and vault.identities is not None:  # the state it made last time
            found = identity.update(
                vault.identities, self.id_state, vault, changed, fingerprint, task_keys
            )
            if found is not None:
                vault.identities, self.new_id_state = found
                return
        if self.id_state is None:
            self.id_state = read_json(self.config.vault, STATE_FILE)
        identities, self.new_id_state = resolve(
            self.id_state, vault, fingerprint, task_keys, trusted=trusted
        )
        vault.identities = identities

    def _save_identities(self) -> None:
        from vaultkit.store.state import write_json
        from vaultkit.vault.identity import STATE_FILE

        if self.new_id_state != self.id_state:
            write_json(self.config.vault, STATE_FILE, self.new_id_state)
        # The state it made, kept even when equal: its task rows are the objects the memo of
        # task keys knows, and it needs no checking next time.
        self.id_state = self.new_id_state

    # ----------------------------------------------------------------------------- refresh

    def refresh(
        self,
        now: datetime | None = None,
        pending: Callable[[], bool] | None = None,
        progress: Callable[[str], None] | None = None,
        hint: Collection[str] | None = None,
        listing: _Listing | None = None,
    ) -> Refresh:
        """Bring the evaluation and the outputs up to date with the vault: the feed first.
        `now` is when it runs, for the feed's LAST-MODIFIED (None: the start of the day).
        When `pending()` says more changes are waiting once the feed is written, the pages
        and the site-wide files wait for the next refresh (which renders what both need).
        `progress(stage)` hears what it is doing (a long first build's progress line).
        `hint` names the notes the watcher saw change: when the engine knows them all, it
        reads only those before the feed, then scans the vault and, if the scan finds more
        (an event the watcher missed), refreshes again from that scan (`listing`)."""
        from vaultkit.commands.build import feed_inputs
        from vaultkit.render.ics import FEED_NAME, size_warning
        from vaultkit.render.paths import page_paths
        from vaultkit.rules.registry import Derivation
        from vaultkit.store import feedstate
        from vaultkit.views.checks import check_vault
        from vaultkit.views.draft_templates import load_templates

        clock = _Clock()
        first = self.derivation is None
        if listing is None:
            listing = self._listing(hint)
        changed, fresh_bodies, scan_problems = self._read(listing)
        clock.lap("read")
        vault = self.model.vault
        before = {p: self._shown(vault.notes[p]) for p in changed if p in vault.notes}
        keys = {f"key:{k}" for p in changed for k in _keys(vault.notes.get(p), p)}
        files_changed = self.files != self.model.vault.index.file_list
        derived = (
            self.model.update(changed, self.files) if changed or first or files_changed else set()
        )
        clock.lap("model")
        self._identities(changed)
        clock.lap("identities")
        touched = derived | changed.keys()
        last = None
        if first:
            self.derivation = Derivation(vault, self.today, self.model.linking)
        elif touched:
            last = self.derivation.followups
            self.derivation.update(self.model.linking(touched))
        followups: list[FollowUp] = self.derivation.followups
        clock.lap("rules")
        templates, template_problems = load_templates(self.config.vault)
        # The changed notes, the notes linking them, and the companies of changed contacts
        # (a company's hiring manager may be one): what events and drafts show of them.
        near = self.model.linking(touched)
        near |= {c for p in touched if p in vault.notes and (c := vault.notes[p].company)}
        drafts = self._drafts(followups, last, templates, near)
        clock.lap("drafts")
        if vault.notes.keys() != self.page_paths.keys():
            pages = page_paths(list(vault.notes))
        else:
            pages = self.page_paths
        moved = {p for p, page in pages.items() if self.page_paths.get(p) != page}
        moved |= {p for p in self.page_paths if p not in pages}
        self.page_paths = pages
        # Notes whose name, kind, page or company may show differently elsewhere.
        renamed = {
            p
            for p in changed
            if before.get(p) != (self._shown(vault.notes[p]) if p in vault.notes else None)
        }
        keys |= {f"key:{k}" for p in changed for k in _keys(vault.notes.get(p), p)}
        data = self._site_data(followups, [], drafts, fresh_bodies, pages)
        if self.output is None:
            self.output = OutputFolder(self.out_dir, force=self.force)
        names = [*SITE_FILES, *pages.values()]
        if names != self.expected:  # 10,000 names checked again only when one changed
            self.output.expect(names)
            self.expected = names
        # The feed first: it is what a calendar app polls.
        reload = self.told is None or self._feed_marks() != self.feed_marks
        if reload or self.told is None:  # a new engine, or another vaultkit wrote them
            self.told = feedstate.load_state(self.config.vault, self.out_dir / FEED_NAME)
        inputs = feed_inputs(self.config, self.today, now, None, known=self.told[0])
        told: dict[str, feedstate.Known] = {}
        self._place(followups, last, inputs)
        feed, serialised = self._feed(
            data, near | self.model.linking(renamed | moved), inputs, told
        )
        self.output.write("followups.ics", feed)
        clock.lap("feed")  # what a calendar app waits for ends here
        self._publish({"followups.ics": feed})
        self._remember(told, inputs.moment(self.config.tz), reload)
        too_big = size_warning(feed)
        clock.lap("feed state")
        if listing.hinted:
            scanned = self._listing(None)
            # An unreadable note unchanged since it was tried is no change the events missed.
            seen = {**self.stamps, **{r: s for r, s in self.unreadable.items() if s}}
            if (scanned.stamps, scanned.files, scanned.problems) != (
                seen,
                self.files,
                self.scan_problems,
            ):
                again = self.refresh(now, pending, progress, listing=scanned)
                again.changed = sorted({*again.changed, *changed})
                again.derived |= derived
                return again
            clock.lap("scan")
        self._save_identities()
        problems = sorted({*check_vault(vault, self.today), *scan_problems, *template_problems})
        if too_big is not None:
            problems.append(too_big)
        data = dataclasses.replace(data, problems=problems)
        clock.lap("checks")
        # The pages this refresh changed are forgotten now, before any is rendered: a page is
        # rendered when it is missing, so a refresh stopped for a newer save leaves the rest
        # to the next one. (The pieces keep what is stale until they are all rendered.)
        self._forget_pages(touched, renamed | moved | keys)
        self.pieces.stale |= touched | renamed | moved | keys

        def waiting() -> bool:
            return pending is not None and pending()

        def stop_here() -> Refresh:
            """More saves are waiting: the feed is written; the pages and the site-wide
            files wait for the next refresh, which renders what both need."""
            self.output.commit()  # type: ignore[union-attr]
            self._store_pages()
            written = self.output.result  # type: ignore[union-attr]
            self.output.result = WriteResult()  # type: ignore[union-attr]
            self.timings = clock.laps
            return Refresh(
                sorted(changed),
                derived,
                serialised,
                [],
                written,
                data.problems,
                len(vault.notes),
                len(followups),
            )

        if waiting():
            return stop_here()
        if first:  # every page: synced once, at the end, not twice a file
            self.output.stage()
        tell = progress or (lambda _stage: None)
        tell(f"rendering the pages of {len(vault.notes)} notes")
        try:
            rendered = self._pages(data, waiting)
            clock.lap("pages")
            tell("rendering the board, the agenda, the stats and vault.json")
            self.pieces.start(waiting)
            data.recorder.pieces = self.pieces if self.live else None
            for rel, content in self._site_files(data):
                self.output.write(rel, content)
                del content
                if waiting():
                    raise Superseded
        except Superseded:  # a newer save: it waits for one page or one row, not the site
            return stop_here()
        except BaseException:  # a full disk, an interrupt: the site keeps the files it had
            self.output.discard()
            raise
        self.pieces.finish()
        clock.lap("site")
        written = self.output.finish(names)
        self._store_pages()
        self.output.result = WriteResult()
        keep_private(self.out_dir, self.config)
        if first and self.live:
            # The model and the kept pieces live as long as the engine: the cycle collector
            # need not walk them again (at 10,000 notes a full pass took a second and more,
            # in the middle of a save's refresh).
            gc.freeze()
        self.timings = clock.laps
        return Refresh(
            sorted(changed),
            derived,
            serialised,
            rendered,
            written,
            data.problems,
            len(vault.notes),
            len(followups),
            names,
        )

    def _feed_marks(self) -> tuple[Any, ...]:
        """The stamps of the feed state and of the feed written: what tells the engine that
        another vaultkit (a `build`, `ics`) wrote them since."""
        from vaultkit.render.ics import FEED_NAME
        from vaultkit.store.feedstate import STATE_FILE
        from vaultkit.store.state import state_path

        return (
            _file_stamp(state_path(self.config.vault, STATE_FILE)),
            _file_stamp(self.out_dir / FEED_NAME),
        )

    def _remember(self, told: dict[str, Any], now: datetime, reload: bool) -> None:
        """Keep what the feed just written told subscribers (feedstate.save without reading
        the feed back), and write the feed state when it changed."""
        from vaultkit.store import feedstate
        from vaultkit.store.state import read_json, write_json

        assert self.told is not None
        new = feedstate.remember(*self.told, told, now)
        if new != self.told or reload:
            state = feedstate.to_json(*new)
            if not reload or state != read_json(self.config.vault, feedstate.STATE_FILE):
                write_json(self.config.vault, feedstate.STATE_FILE, state)
        self.told = new
        self.feed_marks = self._feed_marks()

    def _publish(self, files: dict[str, bytes]) -> None:
        """The publish folder's files (the feed), when there is one (see build.PUBLISHED)."""
        from vaultkit.commands.build import PUBLISHED

        if self.publish_dir is None:
            return
        assert set(files) == set(PUBLISHED)
        if self.published is None:
            self.published = OutputFolder(self.publish_dir, force=self.force)
        self.published.expect(files)
        for rel, content in files.items():
            self.published.write(rel, content)
        self.published.finish(files)
        self.published.result = WriteResult()

    def _drafts(
        self, followups: list[FollowUp], last: list[FollowUp] | None, templates: Any, near: set[str]
    ) -> dict[str, Any]:
        """Each follow-up's draft, composed again where the follow-up is new, or a note it
        draws on (`near`: the changed notes and the notes linking them) changed; the drafts
        that look across the companies (offer-update), whenever a company changed. The
        follow-ups new are those the derivation says changed since `last` (the follow-ups
        the last drafts were of); all of them on a new engine or with new templates. (The
        dict returned is the engine's, changed in place by the next refresh.)"""
        from vaultkit.views.drafts import DRAFT_HORIZON, compose

        vault = self.model.vault
        horizon = self.today + DRAFT_HORIZON
        drafted_for, drafted_with = self.drafted_for
        self.drafted_for = (None, None)  # until done: a failure leaves them to start over
        made, drafts = self.drafted, self.drafts
        previous: dict[str, tuple[FollowUp, Any]] = {}  # what the follow-ups gone had
        changes = self._changes_since(drafted_for, followups, last)
        if drafted_with == templates and changes is not None:
            for item in changes[0]:
                entry = made.get(item.id)
                if entry is not None and entry[0] is item:
                    previous[item.id] = made.pop(item.id)
                    drafts.pop(item.id, None)
                    self._index(item, add=False)
            again = changes[1]
        else:
            previous, made, drafts, again = made, {}, {}, followups
            self.drafted, self.drafts, self.by_path = made, drafts, {}
        wanted = {item.id: item for item in again}
        for path in near:
            wanted.update(self.by_path.get(path, {}))
        if any(vault.notes[p].kind == "company" for p in near if p in vault.notes):
            wanted.update({f.id: f for f in self.derivation.other.get("offer-update", ())})
        for item in wanted.values():
            known = made.get(item.id) or previous.get(item.id)
            draft = (
                compose(vault, item, templates, self.today)
                if item.due_date(vault.config.tz) <= horizon
                else None
            )
            if known is not None and known[1] == draft:
                draft = known[1]  # the same draft stays the same object: events know it so
            if item.id in made:
                self._index(made[item.id][0], add=False)
            self._index(item, add=True)
            made[item.id] = (item, draft)
            if draft is not None:
                drafts[item.id] = draft
            else:
                drafts.pop(item.id, None)
        self.drafted_for = (followups, templates)
        return drafts

    def _index(self, item: FollowUp, add: bool) -> None:
        """Keep `by_path` as `drafted` changes."""
        for path in {item.note, item.record}:
            if not path:
                continue
            if add:
                self.by_path.setdefault(path, {})[item.id] = item
            elif self.by_path.get(path, {}).get(item.id) is item:
                del self.by_path[path][item.id]

    @staticmethod
    def _shown(note: Note) -> tuple[Any, ...]:
        """What other notes' pages and events show of a note."""
        return (
            note.name,
            note.kind,
            note.company,
            note.stage,
            note.get("role"),
            note.get("relationship"),
        )

    def _site_data(
        self,
        followups: list[FollowUp],
        problems: list[Problem],
        drafts: dict[str, Any],
        fresh: dict[str, str],
        pages: dict[str, str],
    ) -> Any:
        from vaultkit.render.site import SiteData

        vault = self.model.vault
        return SiteData(
            vault,
            followups,
            self.today,
            # This refresh's reads, else the store's (never every body in memory at once).
            Bodies(self.stamps, lambda path: fresh[path] if path in fresh else self.body(path)),
            problems=problems,
            drafts=drafts,
            page_paths=pages,
        )

    def _site_files(self, data: Any) -> Iterator[tuple[str, bytes | Iterator[bytes]]]:
        """Every output but the note pages and the feed, rendered from the model, one file
        at a time (each is written before the next is rendered); the two largest as chunks,
        written as they are made."""
        from vaultkit.render import html, json, markdown_pages, pages, stats_page
        from vaultkit.render.site import stylesheet

        yield "style.css", stylesheet()
        yield from html.render_index(data).items()
        yield "agenda.html", pages.agenda_chunks(data)
        yield from markdown_pages.render(data).items()
        yield from stats_page.render_stats_page(data).items()
        yield "vault.json", json.chunks(data)

    def _feed(
        self, data: Any, near: set[str], inputs: Any, told: dict[str, Any]
    ) -> tuple[bytes, int]:
        """The feed, each event serialised again only when its follow-up, its draft, or a
        note it shows (`near`) changed (the day, the settings and the vault's secret are this
        engine's for its life), and then only when the store has no bytes for its fields (a
        new engine: a restarted watch, a one-shot build); stamped anew each time
        (vaultkit/store/feedstate.py)."""
        from vaultkit.render import ics
        from vaultkit.render.site import draft_texts

        vault = self.model.vault
        stored = self.store.pieces("event") if self.store is not None and not self.events else {}
        serialised = 0
        events: dict[str, _Event] = {}
        new: list[tuple[str, bytes, bytes]] = []

        def event(item: FollowUp) -> bytes:
            nonlocal serialised
            draft = data.drafts.get(item.id)
            known = self.events.get(item.id)
            if (
                known is not None
                and known.item is item
                and known.draft is draft
                and item.note not in near
                and item.record not in near
            ):
                events[item.id] = known
                return known.data
            texts = draft_texts({item.id: draft}) if draft is not None else {}
            fields = ics.event_fields(vault, item, data.pages, inputs, texts.get(item.id))
            digest = _digest(fields)
            kept = stored.get(item.id) or (known and (known.digest, known.data))
            if kept and kept[0] == digest:
                made = kept[1]
            else:
                serialised += 1
                made = ics.serialise(fields)
                new.append((item.id, digest, made))
            events[item.id] = _Event(item, draft, made, digest)
            return made

        from vaultkit.store.feedstate import digest

        old_digests, digests = self.digests, {}

        def digest_of(body: bytes) -> str:  # an unchanged event keeps its bytes object
            found = old_digests.get(body)
            digests[body] = found if found is not None else digest(body)
            return digests[body]

        feed = ics.assemble(
            vault, self.placed, event, inputs, digest_of=digest_of, told=told, stamped=self.stamped
        )
        self.digests = digests
        if self.store is not None:
            self.store.put_pieces("event", new)
            if stored.keys() - events.keys() or self.events.keys() - events.keys():
                self.store.keep_pieces("event", set(events))
        self.events = events
        return feed, serialised

    def _place(self, followups: list[FollowUp], last: list[FollowUp] | None, inputs: Any) -> None:
        """The follow-ups' places in the feed: those of the last feed, with the follow-ups
        gone taken out and the new ones put in, when the last feed was of the follow-ups
        the derivation just changed (`last`) under the same secret; else placed anew."""
        from vaultkit.render.ics import places

        placed_for, secret = self.placed_for
        self.placed_for = (None, None)  # until done: a failure leaves them to start over
        changes = self._changes_since(placed_for, followups, last)
        moved = self._moved(changes, inputs) if secret == inputs.secret else None
        self.placed = moved if moved is not None else places(self.config, followups, inputs)
        self.placed_for = (followups, inputs.secret)

    def _moved(self, changes: Any, inputs: Any) -> list[Any] | None:
        """The last feed's places with the follow-ups gone taken out and the new ones put
        in; None when that cannot be done (no changes known, or a place not found)."""
        from bisect import bisect_left, insort

        from vaultkit.render.ics import place_key, placer

        if changes is None:
            return None
        place, placed = placer(self.config, inputs), list(self.placed)
        gone, new = changes
        for item in gone:
            if (found := place(item)) is not None:
                at = bisect_left(placed, place_key(found), key=place_key)
                if at == len(placed) or placed[at][2] is not item:  # not where it was put
                    return None
                del placed[at]
        for item in new:
            if (found := place(item)) is not None:
                insort(placed, found, key=place_key)
        return placed

    def _changes_since(
        self, made_for: list[FollowUp] | None, followups: list[FollowUp], last: Any
    ) -> tuple[list[FollowUp], list[FollowUp]] | None:
        """The follow-ups gone and new since `made_for` (the follow-ups something was last
        made of): none when they are `followups`; the derivation's changes when they are
        `last`, the follow-ups it just changed; None when not known (make it anew)."""
        if made_for is followups:
            return [], []
        if made_for is last and last is not None:
            return self.derivation.changes
        return None

    def _forget_pages(self, derived: set[str], shown: set[str]) -> None:
        """Forget the pages of the notes `derived` anew, of notes gone, and those that read a
        note or a link key in `shown` (they are rendered again)."""
        notes = self.model.vault.notes
        for path, known in list(self.pages.items()):
            if path in derived or path not in notes or not shown.isdisjoint(known.reads):
                del self.pages[path]

    def _pages(self, data: Any, waiting: Callable[[], bool]) -> list[str]:
        """Render again the pages whose inputs changed; write those whose bytes did. A new
        engine (a one-shot build) knows them from the store: each page's digest of its
        inputs, the notes and link keys it read, and the stamp of the file written. Raises
        Superseded after a page when `waiting()`."""
        from vaultkit.render.pages import note_page

        vault = self.model.vault
        own = self._page_inputs(data)
        rendered = []
        stored = self._stored_pages() if not self.pages else {}
        made = self.page_records
        for path, note in vault.notes.items():
            known = self.pages.get(path)
            if (
                known is not None
                and known.page == data.pages[path]
                and known.inputs == own.get(path)
            ):
                continue
            if known is None and path in stored:
                digest, shown, page, stamp = stored[path]
                if (
                    page == data.pages[path]
                    and digest == self._page_digest(data, note, shown, own.get(path))
                    and stamp == _file_stamp(self.out_dir / page)
                ):
                    self.pages[path] = _Page(page, shown, own.get(path))
                    continue
            reads = data.recorder.reads = set()
            page, html = note_page(data, note)
            data.recorder.reads = None
            shown = tuple(sorted(reads))
            self.pages[path] = _Page(page, shown, own.get(path))
            self.output.write(page, html)  # type: ignore[union-attr]
            rendered.append(path)
            if self.store is not None:
                digest = self._page_digest(data, note, shown, own.get(path))
                made.append((path, digest, shown, page))
            if waiting():
                raise Superseded
        if self.store is not None:
            if stored.keys() - vault.notes.keys():
                self.store.keep_pieces("page", set(vault.notes))
        return rendered

    def _store_pages(self) -> None:
        """Store the record of each page written (once it is in place: the record holds the
        stamp of its file)."""
        made, self.page_records = self.page_records, []
        if self.store is not None and made:
            rows = [
                (path, digest, [reads, page, _file_stamp(self.out_dir / page)])
                for path, digest, reads, page in made
            ]
            self.store.put_pieces(
                "page", [(path, digest, json.dumps(row).encode()) for path, digest, row in rows]
            )

    def _stored_pages(self) -> dict[str, tuple[bytes, tuple[str, ...], str, Any]]:
        """The pages a previous engine rendered: path -> (digest, reads, page, file stamp)."""
        if self.store is None:
            return {}
        found = {}
        for path, (digest, data) in self.store.pieces("page").items():
            try:
                reads, page, stamp = json.loads(data)
                if not (isinstance(reads, list) and isinstance(page, str)):
                    continue
                # The same link keys, read by thousands of pages: one string each.
                found[path] = (digest, tuple(sorted({intern(str(r)) for r in reads})), page, stamp)
            except (ValueError, TypeError):
                continue
        return found

    def _page_digest(self, data: Any, note: Note, reads: tuple[str, ...], own: Any) -> bytes:
        """Everything a note page is made from: the note as the model has it, the stamp of
        the file its body came from, its follow-ups, drafts and problems, what it showed of
        other notes (their names, kinds, pages) and the answers of the link keys it resolved,
        the day and the settings."""
        vault = self.model.vault
        shown: list[tuple[Any, ...]] = []
        for read in reads:  # sorted, as `_Page.reads` keeps them
            if read.startswith("key:"):
                shown.append((read, vault.index.lookup(read[4:])))
            else:
                other = vault.notes.get(read)
                shown.append((read, self._shown(other) if other else None, data.pages.get(read)))
        state = [
            _plain(getattr(note, name))
            for name in _field_names(type(note))
            if name not in _NOT_SHOWN
        ]
        return _digest(
            (
                state,
                self.stamps.get(note.path),
                own,
                shown,
                data.pages.get(note.path),
                self.settings_digest,
            )
        )

    @cached_property
    def settings_digest(self) -> bytes:
        """What every page is made from besides notes: the day and the settings (fixed for
        an engine's life: `watch` makes a new engine on a new day or new settings)."""
        return _digest((self.today, self.config.values, self.vault_name))

    @staticmethod
    def _page_inputs(data: Any) -> dict[str, Any]:
        """Each note page's own inputs besides its note: its follow-ups (the same objects
        while they stay the same), their drafts, its problems."""
        out: dict[str, list[Any]] = {}
        for path, items in data.by_record.items():
            out.setdefault(path, []).extend((item, data.drafts.get(item.id)) for item in items)
        for path, problems in data.problems_by_note.items():
            out.setdefault(path, []).extend(problems)
        return out


EMPTIED_WAIT = 0.1
"""Seconds to wait before reading again a note that was just emptied."""


def _stamps(vault: Path, rels: Collection[str]) -> dict[str, Stamp | None]:
    """Each note's stamp now (None: it cannot be looked at, or is gone)."""
    found: dict[str, Stamp | None] = {}
    for rel in rels:
        try:
            found[rel] = stamp_of(os.stat(os.path.join(vault, rel)))
        except OSError:
            found[rel] = None
    return found


def _emptied(source: Source, before: Stamp | None) -> bool:
    return source.stamp is not None and source.stamp[0] == 0 and bool(before and before[0])


_NOT_SHOWN = {"parsed", "tasks", "entries"}
"""What a note page does not show of its note (its body shows the tasks and log lines)."""


_ATOMS = frozenset({str, int, float, bool, type(None), date, datetime})


def _plain(value: Any) -> Any:
    """`value` with its sets in order, so that its repr is the same in every process (a
    set's order follows string hashing, which differs from run to run)."""
    if type(value) in _ATOMS:  # most values: answered before the costlier checks below
        return value
    if isinstance(value, set | frozenset):
        return sorted(map(_plain, value), key=repr)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return [(k, _plain(v)) for k, v in value.items()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [_plain(getattr(value, name)) for name in _field_names(type(value))]
    return value


_FIELD_NAMES: dict[Any, tuple[str, ...]] = {}


def _field_names(kind: Any) -> tuple[str, ...]:
    """A dataclass's field names (`dataclasses.fields` builds its tuple on every call: 120,000
    calls for the page digests of a build at 10,000 notes)."""
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def _file_stamp(path: Path) -> list[int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


def _digest(value: Any) -> bytes:
    """A digest of plain values (their repr: strings, numbers, dates, zones, tuples)."""
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=16).digest()


SITE_FILES = (
    "style.css",
    "index.html",
    "agenda.html",
    "index.md",
    "agenda.md",
    "stats.html",
    "vault.json",
    "followups.ics",
)
"""Every output but the note pages."""


class _Clock:
    """CPU seconds per stage."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.process_time()

    def lap(self, stage: str) -> None:
        now = time.process_time()
        self.laps[stage] = now - self.last
        self.last = now
        if os.environ.get("VAULTKIT_PROFILE_MEMORY"):  # peak memory so far, for benchmarks
            import resource

            self.laps[f"{stage} MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _keys(note: Note | None, path: str) -> set[str]:
    """The link keys a note answers (its path's, and its names' when it is there)."""
    from vaultkit.vault.model import LinkIndex

    found = LinkIndex.keys_of(path, note) if note is not None else set()
    parts = path[:-3].lower().split("/")
    return found | {"/".join(parts[i:]) for i in range(len(parts))}
