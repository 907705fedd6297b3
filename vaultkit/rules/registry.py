"""The ordered registry of follow-up rules, and `Derivation`, which runs them (again, for the
notes an edit touched)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from vaultkit.rules import explicit, habits
from vaultkit.rules.context import Rule, RuleContext
from vaultkit.rules.followup import FollowUp
from vaultkit.vault.model import Note, Vault
from vaultkit.vault.rulebook import RULES

DONE_TAGS: dict[str, str] = {r.id: r.closes_with for r in RULES if r.closes_with}
"""The tag `vaultkit done` writes for each rule; the rules count a log line with it as done."""

_MODULES = {"explicit": explicit, "habits": habits}


def _function(name: str) -> Any:
    module, function = name.split(".")
    return getattr(_MODULES[module], function)


REGISTRY: list[tuple[str, Rule]] = [(record.id, _function(record.derive)) for record in RULES]
"""Each rule's id and function, in the records' order (the order they run in)."""

SELECT: dict[str, Callable[[list[Any], Vault, RuleContext], Iterable[FollowUp]]] = {
    record.id: _function(record.select) for record in RULES if record.select
}
"""The rules whose `derive` yields parts, and what makes their follow-ups of those."""

READS = {record.id: record.reads for record in RULES}
"""What each rule reads (RuleRecord.reads): how far an edit reruns it."""


def derive_followups(vault: Vault, today: date) -> list[FollowUp]:
    """Every open follow-up of the vault as of `today`, sorted by due date and priority."""
    return Derivation(vault, today).followups


class _Some(Mapping[str, Note]):
    """The vault's notes as a rule sees them when it runs for some notes only: it goes
    through those, and looks up any."""

    def __init__(self, notes: dict[str, Note], some: list[str]) -> None:
        self.notes = notes
        self.some = some

    def __getitem__(self, path: str) -> Note:
        return self.notes[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.some)

    def __len__(self) -> int:
        return len(self.some)


class Derivation:
    """The follow-ups of a vault, kept up to date as its model changes (`update`).
    `linking(paths)` gives those notes and the notes linking them (the live model's
    `Model.linking`): what the rules that read a note's neighbours are run again for."""

    def __init__(
        self,
        vault: Vault,
        today: date,
        linking: Callable[[set[str]], set[str]] | None = None,
    ) -> None:
        self.vault = vault
        self.today = today
        self.linking = linking
        self.parts: dict[str, dict[str, list[Any]]] = {}
        """Rule -> note -> what it yields going through that note (its follow-ups, or for a
        rule with a `select`, its parts), for the rules that do not read the whole vault."""
        self.other: dict[str, list[FollowUp]] = {}
        """Rule -> its follow-ups, for those that read the whole vault or `select`."""
        self.reach: dict[str, frozenset[str]] = {}
        """Note -> the notes it links, as the rules last saw it (whose neighbours changed)."""
        self.found: dict[str, FollowUp] = {}
        """Follow-up id -> the follow-up (the first of that id, in the rules' order)."""
        self.followups: list[FollowUp] = []
        self.keys: dict[str, tuple[FollowUp, tuple[Any, ...]]] = {}
        """Follow-up id -> the follow-up and its sort key."""
        self.order: list[tuple[Any, ...]] = []
        """The sort keys of `followups`, in order."""
        self.changes: tuple[list[FollowUp], list[FollowUp]] | None = None
        """What the last update changed: the follow-ups gone and those new (None: it
        derived everything again)."""
        self.update(None)

    def update(self, notes: set[str] | None) -> list[FollowUp]:
        """Run the rules again for `notes` (the notes an edit touched and those linking
        them; None: every note): each as far as what it reads reaches (RuleRecord.reads)."""
        vault, tz = self.vault, self.vault.config.tz
        scopes = self._scopes(notes)
        before: list[FollowUp] = []  # what the rules run again yielded last time
        after: list[FollowUp] = []  # and what they yield now
        for rule_id, rule in REGISTRY:
            if not vault.config.rule(rule_id, "enabled"):
                if rule_id not in SELECT:
                    for items in self.parts.pop(rule_id, {}).values():
                        before += items
                self.parts.pop(rule_id, None)
                before += self.other.pop(rule_id, ())
                continue
            reads = READS[rule_id]
            if reads == "vault" or scopes is None:
                yielded = list(rule(vault, RuleContext(vault, self.today, tz, rule_id)))
                if reads != "vault":
                    by_note: dict[str, list[Any]] = {}
                    self.parts[rule_id] = by_note
                    for item in yielded:
                        by_note.setdefault(item.note, []).append(item)
            else:
                again, seen = scopes[reads]
                by_note = self.parts[rule_id]
                view = replace(vault, notes=_Some(vault.notes, seen))  # type: ignore[arg-type]
                for path in again:
                    gone = by_note.pop(path, ())
                    if rule_id not in SELECT:
                        before += gone
                wanted = set(again)
                yielded = []
                for item in rule(view, RuleContext(view, self.today, tz, rule_id)):
                    if item.note in wanted:
                        by_note.setdefault(item.note, []).append(item)
                        yielded.append(item)
            if rule_id in SELECT:
                by_note = self.parts[rule_id]
                parts = [part for path in vault.notes for part in by_note.get(path, ())]
                yielded = list(
                    SELECT[rule_id](parts, vault, RuleContext(vault, self.today, tz, rule_id))
                )
            if rule_id in SELECT or reads == "vault":
                # The same follow-up as last time stays the same object (the engine's pieces
                # know it by that).
                last = self.other.get(rule_id, [])
                kept = {item.id: item for item in last}
                self.other[rule_id] = [
                    kept[item.id] if kept.get(item.id) == item else item for item in yielded
                ]
                before += last
                after += self.other[rule_id]
            else:
                after += yielded
        if scopes is None or not self._apply(before, after):
            self._derive_all()
        return self.followups

    def _scopes(self, notes: set[str] | None) -> dict[str, tuple[list[str], list[str]]] | None:
        """For each kind of rule, the notes to run it again for (gone ones too: what they
        yielded goes) and the notes it then sees (going through them in the vault's order):
        a `note` rule, `notes` (the touched and those linking them) and those; a
        `neighbours` rule, those and the notes they link (before and now), and it sees
        their neighbours too. None: run every rule in full."""
        vault = self.vault
        if self.linking is None:
            return None  # a one-shot derivation: it runs again in full, if at all
        if notes is None:
            self.reach = {path: _reach(note) for path, note in vault.notes.items()}
            return None
        wider = set(notes)
        for path in notes:
            wider |= self.reach.pop(path, frozenset())
            if path in vault.notes:
                self.reach[path] = _reach(vault.notes[path])
                wider |= self.reach[path]
        seen = self.linking(wider & vault.notes.keys())
        for path in wider:
            seen |= self.reach.get(path, frozenset())
        present = vault.notes.keys()
        return {
            "note": (sorted(notes), sorted(notes & present)),
            "neighbours": (sorted(wider), sorted(seen & present)),
        }

    def _apply(self, before: list[FollowUp], after: list[FollowUp]) -> bool:
        """Take the follow-ups gone out of the order and put the new ones in their places;
        False when that cannot be done exactly (two follow-ups share an id: which one counts
        depends on the rules' order)."""
        kept = {id(item) for item in after}
        gone = [item for item in before if id(item) not in kept]
        was = {id(item) for item in before}
        new = [item for item in after if id(item) not in was]
        found, keys, tz = self.found, self.keys, self.vault.config.tz
        if any(found.get(item.id) is not item for item in gone) or len(
            {item.id for item in new}
        ) < len(new):
            return False
        for item in gone:
            del found[item.id]
        if any(item.id in found for item in new):
            return False
        out = [keys.pop(item.id) for item in gone]
        came = []
        for item in new:
            found[item.id] = item
            keys[item.id] = (item, item.sort_key(tz))
            came.append(keys[item.id])
        self.changes = (gone, new)
        if len(out) + len(came) > len(keys) // 8:
            self._sort()
            return True
        # Sort keys end with the id, so no two are equal and the order is the same as
        # sorting all of them again. (New lists: the last ones may still be read.)
        self.order, self.followups = list(self.order), list(self.followups)
        for _item, key in out:
            at = bisect_left(self.order, key)
            del self.order[at], self.followups[at]
        for item, key in came:
            at = bisect_left(self.order, key)
            self.order.insert(at, key)
            self.followups.insert(at, item)
        return True

    def _derive_all(self) -> None:
        """Every follow-up, in the rules' order (the first of an id counts), sorted anew."""
        found: dict[str, FollowUp] = {}
        for rule_id, _ in REGISTRY:
            if rule_id not in SELECT:
                for items in self.parts.get(rule_id, {}).values():
                    for item in items:
                        found.setdefault(item.id, item)
            for item in self.other.get(rule_id, ()):
                found.setdefault(item.id, item)
        keys, tz = self.keys, self.vault.config.tz
        self.found = found
        self.keys = {}
        for item in found.values():
            known = keys.get(item.id)
            self.keys[item.id] = known if known and known[0] is item else (item, item.sort_key(tz))
        self.changes = None
        self._sort()

    def _sort(self) -> None:
        order = sorted(self.keys.values(), key=lambda entry: entry[1])
        self.order = [entry[1] for entry in order]
        self.followups = [entry[0] for entry in order]


def _reach(note: Note) -> frozenset[str]:
    """The notes a note links: in its text and fields, its contacts and interviewers, its
    company."""
    found = {*note.links, *note.contacts, *(p for i in note.interviews for p in i.with_)}
    if note.company:
        found.add(note.company)
    return frozenset(found)
