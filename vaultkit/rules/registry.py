"""The ordered registry of follow-up rules, and `Derivation`, which runs them (again, for the
notes an edit touched)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from vaultkit.rules import explicit, habits
from vaultkit.rules.context import Rule, RuleContext
from vaultkit.rules.followup import FollowUp
from vaultkit.vault.model import Note, Vault
from vaultkit.vault.rulebook import RULES, RuleRecord

DONE_TAGS: dict[str, str] = {r.id: r.closes_with for r in RULES if r.closes_with}
"""The tag `vaultkit done` writes for each rule; the rules count a log line with it as done."""

_MODULES = {"explicit": explicit, "habits": habits}


def _derive(record: RuleRecord) -> Rule:
    module, name = record.derive.split(".")
    rule: Rule = getattr(_MODULES[module], name)
    return rule


REGISTRY: list[tuple[str, Rule]] = [(record.id, _derive(record)) for record in RULES]
"""Each rule's id and function, in the records' order (the order they run in)."""


LOCAL_RULES = frozenset(r.id for r in RULES if r.local)
"""Rules the live engine runs again only for the notes an edit touched (RuleRecord.local)."""


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
    """The follow-ups of a vault, kept up to date as its model changes (`update`)."""

    def __init__(self, vault: Vault, today: date) -> None:
        self.vault = vault
        self.today = today
        self.local: dict[str, dict[str, list[FollowUp]]] = {}
        """Local rule -> note -> the follow-ups it yields going through that note."""
        self.other: dict[str, list[FollowUp]] = {}
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
        """Run the rules again: the local ones for `notes` only (None: for every note)."""
        vault, tz = self.vault, self.vault.config.tz
        some = sorted(notes & vault.notes.keys()) if notes is not None else None
        before: list[FollowUp] = []  # what the rules run again yielded last time
        after: list[FollowUp] = []  # and what they yield now
        for rule_id, rule in REGISTRY:
            if not vault.config.rule(rule_id, "enabled"):
                for items in self.local.pop(rule_id, {}).values():
                    before += items
                before += self.other.pop(rule_id, ())
                continue
            if rule_id not in LOCAL_RULES:
                # The same follow-up as last time stays the same object (the engine's pieces
                # know it by that).
                last = self.other.get(rule_id, [])
                kept = {item.id: item for item in last}
                self.other[rule_id] = [
                    kept[item.id] if kept.get(item.id) == item else item
                    for item in rule(vault, RuleContext(vault, self.today, tz, rule_id))
                ]
                before += last
                after += self.other[rule_id]
                continue
            by_note = self.local.setdefault(rule_id, {})
            view = vault
            if some is not None:
                view = replace(vault, notes=_Some(vault.notes, some))  # type: ignore[arg-type]
                for path in notes or ():
                    before += by_note.pop(path, ())
            else:
                for items in by_note.values():
                    before += items
                by_note.clear()
            for item in rule(view, RuleContext(view, self.today, tz, rule_id)):
                by_note.setdefault(item.note, []).append(item)
                after.append(item)
        if some is None or not self._apply(before, after):
            self._derive_all()
        return self.followups

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
            for items in self.local.get(rule_id, {}).values():
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
