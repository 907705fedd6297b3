"""The live model: a Model updated note by note equals the model built afresh from the same
notes, after every kind of change (edits, creates, deletes, renames, moves between kinds,
changed names and aliases, companies and contacts relinked, interaction and daily notes)."""

from __future__ import annotations

import random

from conftest import TODAY

from vaultkit.rules.registry import Derivation, derive_followups
from vaultkit.vault.config import load_config
from vaultkit.vault.model import Model, build_model
from vaultkit.vault.parse import ParsedNote, parse_note

FOLDERS = ["companies", "people", "meetings", "notes", "companies/archive", "published"]
NAMES = ["Globex", "Initech", "Jane", "Raj", "Ana", "Hooli", "Umbrella", "Zed"]


def _text(rng: random.Random, folder: str, others: list[str]) -> str:
    def link() -> str:
        target = rng.choice(others + NAMES) if others else rng.choice(NAMES)
        return rng.choice([f"[[{target}]]", f"[[{target}|shown]]", f"[[{target.lower()}]]"])

    day = f"2026-{rng.randint(9, 12):02d}-{rng.randint(1, 28):02d}"
    front = []
    if rng.random() < 0.4:
        front.append(f"name: {rng.choice(NAMES)}")
    if rng.random() < 0.3:
        front.append(f"aliases: [{rng.choice(NAMES)}]")
    if folder.startswith("companies"):
        front += [f"stage: {rng.choice(['applied', 'interviewing', 'lead', 'offer'])}"]
        front += [f"applied: {day}"] if rng.random() < 0.7 else []
        if rng.random() < 0.5:
            front.append(f'contacts: ["{link()}", "{link()}"]')
        if rng.random() < 0.4:
            front.append(f'interviews: [{{date: {day}, with: "{link()}", kind: phone}}]')
        front += [f"offer: {day}"] if rng.random() < 0.1 else []
    elif folder == "people":
        front += [f'company: "{link()}"'] if rng.random() < 0.7 else []
        front += [f"last_contact: {day}"] if rng.random() < 0.5 else []
        front += ["cadence: 3w"] if rng.random() < 0.5 else []
        front += ["relationship: interviewer"] if rng.random() < 0.3 else []
        front += [f"linkedin_connected: {day}"] if rng.random() < 0.3 else []
    elif folder == "meetings":
        front += [f"date: {day}", f'with: "{link()}"']
        if rng.random() < 0.1:
            front = ["date: someday"]
    if rng.random() < 0.25:  # the kind changes with the note's words, not its path
        front.append(f"type: {rng.choice(['contact', 'company', 'note'])}")
    head = "---\n" + "\n".join(front) + "\n---\n" if front else ""
    lines = [f"Notes about {link()} and {link()}."]
    for _ in range(rng.randint(0, 4)):
        lines.append(
            rng.choice(
                [
                    f"- {day} Called {link()} #thank-you",
                    f"- {link()} coffee",
                    f"- {day} Commented on {link()}'s post #engage",
                    f"- {day} Wrote about build caches #published",
                ]
            )
        )
    if rng.random() < 0.1:
        lines.append("- 2026-02-30 A day that is not")
    return head + "\n".join(lines) + "\n"


def _same(model: Model, parsed: dict[str, ParsedNote], config, followups: Derivation) -> None:
    fresh = build_model([parsed[p] for p in sorted(parsed)], config)
    live = model.vault
    assert list(live.notes) == list(fresh.notes)
    for path, note in fresh.notes.items():
        assert live.notes[path] == note, path
    assert live.problems == fresh.problems
    assert followups.followups == derive_followups(fresh, TODAY)


def test_a_model_updated_note_by_note_equals_a_fresh_one(vault_dir):
    (vault_dir / "vaultkit.toml").write_text(
        'timezone = "Europe/Berlin"\n[types.interaction]\nfolders = ["meetings"]\n'
    )
    config = load_config(vault_dir)
    rng = random.Random(14)
    parsed: dict[str, ParsedNote] = {}
    model = Model(config)
    followups = Derivation(model.vault, TODAY, model.linking)
    counter = incremental = 0
    rules: set[str] = set()

    def stem(path: str) -> str:
        return path.rsplit("/", 1)[-1][:-3]

    for step in range(400):
        others = [stem(p) for p in parsed]
        op = rng.random()
        changed: dict[str, ParsedNote | None] = {}
        if op < 0.35 or len(parsed) < 5:
            folder = rng.choice(FOLDERS)
            counter += 1
            name = rng.choice([*NAMES, f"Note {counter}"])
            path = f"{folder}/{name}.md"
            changed[path] = parse_note(path, _text(rng, folder, others).encode())
        elif op < 0.7:
            path = rng.choice(sorted(parsed))
            changed[path] = parse_note(path, _text(rng, path.split("/")[0], others).encode())
        elif op < 0.8:
            changed[rng.choice(sorted(parsed))] = None
        else:  # a rename or a move: gone here, there with the same text
            path = rng.choice(sorted(parsed))
            counter += 1
            target = f"{rng.choice(FOLDERS)}/{rng.choice([stem(path), f'Moved {counter}'])}.md"
            if target in parsed:
                continue
            changed[path] = None
            changed[target] = parse_note(target, _text(rng, target.split("/")[0], others).encode())
        if rng.random() < 0.2 and parsed:  # a burst: another note changes too
            path = rng.choice(sorted(parsed))
            if path not in changed:
                changed[path] = parse_note(path, _text(rng, path.split("/")[0], others).encode())
        for path, note in changed.items():
            if note is None:
                parsed.pop(path, None)
            else:
                parsed[path] = note
        derived = model.update(changed)
        before = list(followups.followups)
        followups.update(model.linking(derived | changed.keys()))
        if followups.changes is not None:  # what it says changed is exactly what did
            gone, new = followups.changes
            was, now = {id(f) for f in before}, {id(f) for f in followups.followups}
            assert {id(f) for f in gone} == was - now
            assert {id(f) for f in new} == now - was
            incremental += 1
        rules |= {f.rule for f in followups.followups}
        if step % 20 == 0 or step > 380:
            _same(model, parsed, config, followups)
    _same(model, parsed, config, followups)
    assert len(parsed) > 30
    # The rules that look beyond a note were exercised too.
    wide = {"linkedin-connect", "engage", "share-expertise", "offer-update"}
    assert wide <= rules, rules
    assert incremental > 300  # most updates changed the follow-ups in place


def test_a_note_that_becomes_a_record_gets_the_touches_others_logged(vault_dir):
    """Its path and names stay: only its kind changes, and with it whether others' log lines
    count as touches with it."""
    config = load_config(vault_dir)
    log = parse_note("Daily.md", b"- 2026-11-20 Lunch with [[Kim]]\n")
    plain = parse_note("notes/Kim.md", b"Kim, met at the meetup.\n")
    contact = parse_note("notes/Kim.md", b"---\ntype: contact\n---\nKim, met at the meetup.\n")
    model = Model(config)
    model.update({"Daily.md": log, "notes/Kim.md": plain})
    assert model.vault.notes["notes/Kim.md"].interactions == []
    model.update({"notes/Kim.md": contact})
    assert [i.path for i in model.vault.notes["notes/Kim.md"].interactions] == ["Daily.md"]
    assert (
        model.vault.notes["notes/Kim.md"]
        == build_model([log, contact], config).notes["notes/Kim.md"]
    )


def test_a_thank_you_logged_in_a_daily_note_closes_the_companys_follow_up(vault_dir):
    """The thank-you follow-up is the company's, the touch that closes it the person's, and
    it is written in a third note: the company's rules run again although neither the company
    nor the person changed."""
    config = load_config(vault_dir)
    company = parse_note(
        "companies/Globex.md",
        b"---\nstage: interviewing\ninterviews: [{date: 2026-11-25, with: '[[Jane]]'}]\n---\n",
    )
    jane = parse_note("people/Jane.md", b"Jane.\n")
    daily = parse_note("2026-11-26.md", b"- Coffee\n")
    thanked = parse_note("2026-11-26.md", b"- 2026-11-26 Thanked [[Jane]] #thank-you\n")
    model = Model(config)
    model.update({company.path: company, jane.path: jane, daily.path: daily})
    followups = Derivation(model.vault, TODAY, model.linking)
    assert [f.rule for f in followups.followups if f.rule == "thank-you"] == ["thank-you"]
    derived = model.update({daily.path: thanked})
    followups.update(model.linking(derived | {daily.path}))
    assert [f for f in followups.followups if f.rule == "thank-you"] == []
    fresh = build_model([company, jane, thanked], config)
    assert followups.followups == derive_followups(fresh, TODAY)
