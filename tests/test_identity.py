"""Ids that outlive renames, moves and small edits (vaultkit/vault/identity.py), through the CLI."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from conftest import TODAY_ARG as TODAY
from site_helpers import write_files

from vaultkit.cli import cli

COMPANY = """\
---
stage: interviewing
applied: 2026-11-10
follow_up: 2026-12-03
contacts: ["[[Jane Doe]]"]
interviews:
  - date: 2026-11-28
    with: "[[Jane Doe]]"
    kind: onsite
---
## Tasks
- [ ] Send the portfolio link to Jane 📅 2026-12-04
- [ ] Prepare the system design notes 📅 2026-12-05 🆔 sysdes
- [ ] Book the train 📅 2026-12-06 ^train
"""

CONTACT = """\
---
company: "[[Driftmark]]"
relationship: hiring-manager
cadence: 2w
---
"""

OTHER = """\
---
stage: offer
offer: 2026-11-30
---
"""


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_files(
        tmp_path / "vault",
        {
            "vaultkit.toml": 'timezone = "Europe/Berlin"\n',
            "companies/Driftmark.md": COMPANY,
            "people/Jane Doe.md": CONTACT,
            "companies/Initech.md": OTHER,
        },
    )


def agenda(runner, vault: Path, today: str = TODAY) -> dict[tuple[str, str], dict]:
    """Open follow-ups by (rule, title), each with its id."""
    result = runner.invoke(
        cli, ["agenda", "--vault", str(vault), "--today", today, "--all", "--json"]
    )
    assert result.exit_code in (0, 1), result.output
    return {(f["rule"], f["title"]): f for f in json.loads(result.stdout)}


def ids(items: dict) -> dict[tuple[str, str], str]:
    return {key: item["id"] for key, item in items.items()}


def by_rule_and_note(items: dict) -> dict[tuple[str, str], str]:
    return {(f["rule"], f["note"], f["due"]): f["id"] for f in items.values()}


def rename(vault: Path, old: str, new: str) -> None:
    """A rename as Obsidian does it: the file moves and every link to it follows."""
    (vault / new).parent.mkdir(parents=True, exist_ok=True)
    os.replace(vault / old, vault / new)
    old_name, new_name = Path(old).stem, Path(new).stem
    if old_name != new_name:
        for note in vault.rglob("*.md"):
            text = note.read_text(encoding="utf-8")
            if f"[[{old_name}]]" in text:
                note.write_text(text.replace(f"[[{old_name}]]", f"[[{new_name}]]"), "utf-8")


def test_a_move_keeps_every_id_including_those_of_other_notes(runner, vault):
    before = agenda(runner, vault)
    rules = {rule for rule, _ in before}
    assert {"task", "follow-up", "thank-you", "linkedin-connect", "keep-in-touch"} <= rules
    rename(vault, "companies/Driftmark.md", "companies/2026/Driftmark.md")
    after = agenda(runner, vault)
    assert ids(after) == ids(before)
    assert {f["note"] for f in after.values()} >= {"companies/2026/Driftmark.md"}


def test_a_rename_keeps_the_ids_even_in_other_notes(runner, vault):
    before = agenda(runner, vault)
    rename(vault, "companies/Driftmark.md", "companies/Driftmark Labs.md")
    after = agenda(runner, vault)
    old = sorted(before.values(), key=lambda f: (f["rule"], f["due"]))
    new = sorted(after.values(), key=lambda f: (f["rule"], f["due"]))
    assert [f["id"] for f in new] == [f["id"] for f in old]
    assert any("Driftmark Labs" in f["title"] for f in new)  # the titles follow the new name


def test_a_rename_and_an_edit_together_keep_ids_when_the_name_is_set(runner, vault):
    path = vault / "companies/Driftmark.md"
    path.write_text(path.read_text().replace("---\nstage", "---\nname: Driftmark\nstage", 1))
    before = agenda(runner, vault)
    rename(vault, "companies/Driftmark.md", "companies/driftmark-2026.md")
    moved = vault / "companies/driftmark-2026.md"
    moved.write_text(moved.read_text().replace("2026-12-03", "2026-12-08"))
    after = agenda(runner, vault)
    assert (
        after[("follow-up", "Follow up with Driftmark")]["id"]
        == (before[("follow-up", "Follow up with Driftmark")]["id"])
    )
    assert after[("follow-up", "Follow up with Driftmark")]["due"] == "2026-12-08"


def test_a_new_note_at_a_renamed_notes_old_path_gets_new_ids(runner, vault):
    before = agenda(runner, vault)
    rename(vault, "companies/Driftmark.md", "companies/Driftmark Labs.md")
    agenda(runner, vault)  # vaultkit sees the rename
    (vault / "companies/Driftmark.md").write_text("---\nstage: lead\nfollow_up: 2026-12-03\n---\n")
    after = agenda(runner, vault)
    follow_ups = [f for (rule, _), f in after.items() if rule == "follow-up"]
    assert len(follow_ups) == 2 and len({f["id"] for f in follow_ups}) == 2
    assert (
        after[("follow-up", "Follow up with Driftmark Labs")]["id"]
        == (before[("follow-up", "Follow up with Driftmark")]["id"])
    )


def test_small_task_edits_and_a_new_date_keep_the_id(runner, vault):
    before = ids(agenda(runner, vault))
    path = vault / "companies/Driftmark.md"
    text = path.read_text()
    text = text.replace(
        "Send the portfolio link to Jane 📅 2026-12-04",
        "Send the portfolio to Jane Doe 📅 2026-12-09",
    )
    text = text.replace("follow_up: 2026-12-03", "follow_up: 2026-12-10")
    path.write_text(text)
    after = ids(agenda(runner, vault))
    assert (
        after[("task", "Send the portfolio to Jane Doe")]
        == before[("task", "Send the portfolio link to Jane")]
    )
    assert (
        after[("follow-up", "Follow up with Driftmark")]
        == before[("follow-up", "Follow up with Driftmark")]
    )


def test_a_rewritten_task_is_a_new_one_unless_it_has_its_own_id(runner, vault):
    before = ids(agenda(runner, vault))
    path = vault / "companies/Driftmark.md"
    text = path.read_text()
    text = text.replace("Send the portfolio link to Jane", "Ask Raj about relocation")
    text = text.replace("Prepare the system design notes", "Whiteboard practice")
    text = text.replace("Book the train", "Reserve a hotel room")
    path.write_text(text)
    after = ids(agenda(runner, vault))
    assert (
        after[("task", "Ask Raj about relocation")]
        != before[("task", "Send the portfolio link to Jane")]
    )
    assert (
        after[("task", "Whiteboard practice")]
        == before[("task", "Prepare the system design notes")]
    )
    assert after[("task", "Reserve a hotel room")] == before[("task", "Book the train")]


def test_a_checked_task_does_not_pass_its_id_on(runner, vault):
    before = ids(agenda(runner, vault))
    path = vault / "companies/Driftmark.md"
    text = path.read_text().replace(
        "- [ ] Send the portfolio link to Jane 📅 2026-12-04",
        "- [x] Send the portfolio link to Jane 📅 2026-12-04 ✅ 2026-12-01\n"
        "- [ ] Send the portfolio link to Raj 📅 2026-12-08",
    )
    path.write_text(text)
    after = ids(agenda(runner, vault))
    assert ("task", "Send the portfolio link to Jane") not in after
    assert after[("task", "Send the portfolio link to Raj")] not in before.values()


def test_done_works_with_an_id_copied_before_a_rename(runner, vault):
    before = agenda(runner, vault)
    copied = before[("task", "Book the train")]["id"]
    follow = before[("follow-up", "Follow up with Driftmark")]["id"]
    rename(vault, "companies/Driftmark.md", "companies/2026/Driftmark Labs.md")
    done = runner.invoke(cli, ["done", copied, "--vault", str(vault), "--today", TODAY])
    assert done.exit_code == 0, done.output
    assert (
        "- [x] Book the train 📅 2026-12-06 ✅ 2026-12-01 ^train"
        in (vault / "companies/2026/Driftmark Labs.md").read_text()
    )
    # A UID as the feed writes it works too.
    uid = runner.invoke(
        cli, ["done", f"{follow}@vaultkit", "--vault", str(vault), "--today", TODAY]
    )
    assert uid.exit_code == 0, uid.output
    assert "#follow-up" in (vault / "companies/2026/Driftmark Labs.md").read_text()


def test_every_machine_syncing_the_vault_gives_the_same_ids(runner, vault, tmp_path):
    agenda(runner, vault)
    rename(vault, "companies/Driftmark.md", "companies/Driftmark Labs.md")
    here = ids(agenda(runner, vault))
    elsewhere = tmp_path / "laptop" / "jobs"
    shutil.copytree(vault, elsewhere)  # `.vaultkit/` travels with the vault
    assert ids(agenda(runner, elsewhere)) == here


def test_damaged_state_is_ignored_and_a_read_only_vault_still_works(runner, vault):
    before = ids(agenda(runner, vault))
    state = vault / ".vaultkit/ids.json"
    assert state.is_file() and stat.S_IMODE(state.stat().st_mode) == 0o600
    state.write_text('{"version": 1, "notes": [1, 2]')
    assert ids(agenda(runner, vault)) == before
    state.unlink()
    os.mkfifo(state)  # never waited on
    assert ids(agenda(runner, vault)) == before
    state.unlink()
    shutil.rmtree(vault / ".vaultkit")
    vault.chmod(0o555)
    try:
        assert ids(agenda(runner, vault)) == before
        assert not (vault / ".vaultkit").exists()
    finally:
        vault.chmod(0o755)


def test_an_update_for_edited_notes_answers_what_resolving_again_does(vault_dir):
    """The live engine's shortcut (identity.update) against the full answer (resolve), on
    random edits of tasks, names and kinds, with notes coming and going in between."""
    import random

    from vaultkit.vault import identity
    from vaultkit.vault.config import load_config
    from vaultkit.vault.model import Model
    from vaultkit.vault.parse import parse_note

    rng = random.Random(17)
    words = ["Send the deck", "Call Jane", "Book the train", "Write the cover letter", "Prep"]

    def text() -> str:
        front = rng.choice(["", "---\ntype: company\n---\n", "---\nname: Jane\n---\n"])
        tasks = [
            f"- [{rng.choice([' ', ' ', 'x'])}] {rng.choice(words)}"
            + rng.choice(["", " 📅 2026-12-04", " ^b1", " 🆔 t1"])
            for _ in range(rng.randint(0, 4))
        ]
        return front + "\n".join(tasks) + "\n"

    model = Model(load_config(vault_dir))
    paths = [f"notes/N{i}.md" for i in range(12)]
    model.update({p: parse_note(p, text().encode()) for p in paths})
    ids, state = identity.resolve({}, model.vault)
    shortcuts = 0
    for _ in range(200):
        changed = set(rng.sample(paths, rng.randint(1, 3)))
        if rng.random() < 0.2:  # a note goes or comes back
            gone = rng.choice(paths)
            model.update(
                {gone: None}
                if gone in model.vault.notes
                else {gone: parse_note(gone, text().encode())}
            )
            ids, state = identity.resolve(state, model.vault, trusted=True)
        model.update({p: parse_note(p, text().encode()) for p in changed if p in model.vault.notes})
        full = identity.resolve(state, model.vault, trusted=True)
        quick = identity.update(ids, state, model.vault, changed)
        if quick is not None:
            shortcuts += 1
            assert quick[0] == full[0]
            assert quick[1] == full[1]
        ids, state = full
    assert shortcuts > 100
