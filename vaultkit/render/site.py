"""Everything the site's renderers need, gathered once: the model, the follow-ups, the day,
the note bodies (read by the build, never here), what the feed needs, page paths.

`SiteData` is frozen: every renderer reads the same value. The one thing a render changes is
its `Recorder`, the live engine's side of it (what a page read, the kept pieces), which the
engine passes in and the renderers reach only through `SiteData`'s methods and `piece()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from functools import cached_property, lru_cache
from importlib import resources
from sys import intern
from typing import TYPE_CHECKING, Any, TypeVar, cast

from markupsafe import Markup

from vaultkit.render.markdown import Resolver
from vaultkit.render.paths import page_paths, relative
from vaultkit.rules.followup import FollowUp
from vaultkit.store.spill import Spill
from vaultkit.vault.model import Note, Vault
from vaultkit.vault.problems import Problem
from vaultkit.views.drafts import Draft
from vaultkit.views.stats import Stats, compute_stats

if TYPE_CHECKING:  # the feed's module (and icalendar) load only when the feed is rendered
    from vaultkit.render.ics import FeedInputs


class Superseded(Exception):
    """Raised by `SiteData.checkpoint` when newer changes are waiting: the live engine drops
    what it was rendering and renders it on its next refresh, from the newer model."""


@dataclass
class Recorder:
    """What the engine learns from a render, and the pieces it keeps between renders."""

    reads: set[str] | None = None
    """While the live engine renders one page: every other note it shows (a name, a link) and
    every link key it resolves (`key:...`), so it knows when to render the page again."""
    pieces: Pieces | None = None
    """The live engine's rendered pieces (rows of the site-wide files), kept between builds."""


@dataclass(frozen=True)
class SiteData:
    vault: Vault
    followups: list[FollowUp]
    today: date
    bodies: Mapping[str, str] = field(default_factory=dict)
    """Note path -> its Markdown body (frontmatter removed)."""
    problems: list[Problem] = field(default_factory=list)
    """What `vaultkit check` reports (the model's problems and the checks')."""
    drafts: dict[str, Draft] = field(default_factory=dict)
    """Follow-up id -> the draft of the message it asks for (vaultkit/views/drafts.py)."""
    feed: FeedInputs | None = None
    """The feed's state, secret and clock (None: a first build as of `today`)."""
    page_paths: dict[str, str] | None = field(default=None, repr=False)
    """Each note's page, when the engine has them already (else computed: `pages`)."""
    recorder: Recorder = field(default_factory=Recorder, compare=False, repr=False)

    @property
    def tz(self) -> tzinfo:
        return self.vault.config.tz

    def checkpoint(self) -> None:
        """A place where a live build may be abandoned: raises Superseded when the engine
        says a newer save is waiting (`Pieces.pending`). The output never depends on it."""
        pieces = self.recorder.pieces
        if pieces is not None and pieces.pending():
            raise Superseded

    @cached_property
    def stats(self) -> Stats:
        """The stats page's figures (views/stats.py), computed once for the site."""
        return compute_stats(self.vault, self.followups, self.today, checkpoint=self.checkpoint)

    @cached_property
    def pages(self) -> dict[str, str]:
        if self.page_paths is not None:
            return self.page_paths
        return page_paths(list(self.vault.notes))

    @cached_property
    def problems_by_note(self) -> dict[str, list[Problem]]:
        """Each note's problems, in order, for its page (looked up once per note: a vault of
        10,000 notes with hundreds of problems would otherwise compare millions of paths)."""
        out: dict[str, list[Problem]] = {}
        for problem in self.problems:
            out.setdefault(problem.path, []).append(problem)
        return out

    @cached_property
    def by_record(self) -> dict[str, list[FollowUp]]:
        out: dict[str, list[FollowUp]] = {}
        for item in self.followups:
            for path in dict.fromkeys(p for p in (item.record, item.note) if p):
                out.setdefault(path, []).append(item)
        return out

    def next_followup(self, path: str) -> FollowUp | None:
        items = self.by_record.get(path)
        return items[0] if items else None  # the follow-ups come in due order

    def companies(self) -> list[Note]:
        return self._sorted_records["company"]

    def contacts(self) -> list[Note]:
        return self._sorted_records["contact"]

    @cached_property
    def _sorted_records(self) -> dict[str, list[Note]]:
        return {
            kind: sorted(self.vault.records(kind), key=lambda n: (n.name.lower(), n.path))
            for kind in ("company", "contact")
        }

    def resolver(self, from_page: str, source_note: str = "") -> Resolver:
        index, reads = self.vault.index, self.recorder.reads

        @lru_cache(maxsize=4096)  # a big note links the same few notes thousands of times
        def resolve(target: str) -> str | None:
            key = index.key(target, source_note)
            if reads is not None:
                reads.add(intern(f"key:{key}"))  # the same keys, read by thousands of pages
            path, _ = index.lookup(key)
            if path is None or path not in self.pages:
                return None
            if reads is not None:
                reads.add(path)
            return relative(from_page, self.pages[path])

        return resolve

    def href(self, from_page: str, note_path: str) -> str:
        if self.recorder.reads is not None:
            self.recorder.reads.add(note_path)
        return relative(from_page, self.pages[note_path])

    def has_page(self, note_path: str) -> bool:
        if self.recorder.reads is not None:
            self.recorder.reads.add(note_path)
        return note_path in self.pages


@dataclass(slots=True)
class Piece:
    same: Any
    reads: tuple[str, ...]
    """The notes and link keys it read besides its own key (most read no other: they share
    one empty tuple)."""
    place: int
    """Where its text is kept in `Pieces.spill`, and whether it is `Markup` (`_place`)."""


@dataclass
class Pieces:
    """Rendered pieces kept between the live engine's builds: a piece is reused when what it
    was made from is the same (`same`, compared by value) and nothing it read (its key, a
    note, a link key) is `stale`. Their text is kept in `spill`, on disk: only what decides
    whether a piece is reused stays in memory."""

    spill: Spill = field(default_factory=Spill)
    kept: dict[str, dict[str, Piece]] = field(default_factory=dict)
    """Kind -> key -> piece."""
    stale: set[str] = field(default_factory=set)
    """What changed since the site-wide files were last rendered to the end (a build stopped
    for a newer save leaves it to the next)."""
    used: dict[str, set[str]] = field(default_factory=dict)
    made: int = 0
    """Pieces rendered again in the last build (the rest were reused)."""
    pending: Callable[[], bool] = field(default=lambda: False)
    """Whether newer changes are waiting (SiteData.checkpoint asks it)."""
    reads: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    """One tuple for each distinct set of reads."""

    def start(self, pending: Callable[[], bool]) -> None:
        self.used, self.made, self.pending = {}, 0, pending

    def reuse(self, kind: str, key: str, same: Any) -> tuple[str | None, tuple[str, ...]]:
        """The text of the piece kept under `kind` and `key`, if it is still good, and what
        it read besides its key; (None, ()) when it has to be made again."""
        self.used.setdefault(kind, set()).add(key)
        known = self.kept.get(kind, {}).get(key)
        if (
            known is None
            or known.same != same
            or key in self.stale
            or not self.stale.isdisjoint(known.reads)
        ):
            return None, ()
        at, size, markup = known.place >> 41, (known.place >> 1) & SIZE_MASK, known.place & 1
        text = self.spill.get(at, size)
        if text is not None and markup:
            text = Markup(text)
        return text, known.reads

    def keep(self, kind: str, key: str, same: Any, reads: set[str], text: str) -> None:
        place = self.spill.put(text)
        if place is None:  # the spill's file could not be written: every place is lost
            self.kept.clear()
            self.spill.close()
            return
        at, size = place
        shared = tuple(sorted(reads - {key}))
        shared = self.reads.setdefault(shared, shared)
        packed = at << 41 | size << 1 | isinstance(text, Markup)
        self.kept.setdefault(kind, {})[key] = Piece(same, shared, packed)

    def finish(self) -> None:
        """The site-wide files are rendered: forget what was stale, and the pieces the build
        did not use (of notes and follow-ups now gone); write the spill anew once most of it
        is pieces replaced since."""
        self.stale = set()
        for kind, kept in list(self.kept.items()):
            used = self.used.get(kind, set())
            if len(used) < len(kept):
                self.kept[kind] = {key: kept[key] for key in used if key in kept}
        self.used = {}
        live = sum((p.place >> 1) & SIZE_MASK for kept in self.kept.values() for p in kept.values())
        if self.spill.size() > 2 * live + SPILL_SLACK:
            self._rewrite()

    def _rewrite(self) -> None:
        old = self.spill
        self.spill = Spill(old.folder)
        kept, self.kept, self.reads = self.kept, {}, {}
        for kind, pieces in kept.items():
            for key, known in pieces.items():
                text = old.get(known.place >> 41, (known.place >> 1) & SIZE_MASK)
                if text is not None:
                    if known.place & 1:
                        text = Markup(text)
                    self.keep(kind, key, known.same, set(known.reads), text)
        old.close()


SIZE_MASK = (1 << 40) - 1
"""A piece's place packs its offset, its size (40 bits) and one bit for `Markup` in one int:
100,000 pieces at 10,000 notes."""
SPILL_SLACK = 16 << 20
"""Bytes of replaced pieces the spill may hold beyond twice the live ones."""


Text = TypeVar("Text", bound=str)
"""A piece's type: the pages' pieces are `Markup` (a template's output), which a template
shows as it is; kept as they were made, they come back as the same type."""


def piece(
    data: SiteData,
    kind: str,
    key: str,
    same: Any,
    make: Callable[[], Text],
    also: tuple[str | None, ...] = (),
) -> Text:
    """`make()`, or the piece it made last time when its inputs are the same (see Pieces).
    `key` names the piece within its kind (a note path, a follow-up id) and is read, as are
    the notes `also` names (those it shows without asking `data`)."""
    recorder = data.recorder
    pieces = recorder.pieces
    if pieces is None:
        return make()
    data.checkpoint()
    kept, also_read = pieces.reuse(kind, key, same)
    if kept is not None:
        if recorder.reads is not None:
            recorder.reads.add(key)
            recorder.reads.update(also_read)
        return cast(Text, kept)  # what `make` returned, kept
    outer = recorder.reads
    reads = recorder.reads = {key, *(a for a in also if a)}
    try:
        text = make()
        pieces.keep(kind, key, same, reads, text)
        pieces.made += 1
    finally:
        if outer is not None:
            outer |= reads
        recorder.reads = outer
    return text


def draft_texts(drafts: dict[str, Draft]) -> dict[str, str]:
    """Each draft as the feed's DESCRIPTION carries it (with `detail = "full"` only)."""
    return {fid: f"Draft (vaultkit draft {fid}):\n{d.as_text()}" for fid, d in drafts.items()}


def stylesheet() -> bytes:
    return resources.files("vaultkit").joinpath("static/style.css").read_bytes()
