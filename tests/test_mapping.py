"""A vault with its own property names, folders, stage names and one note per conversation."""

from __future__ import annotations

import json
from datetime import date

from vaultkit.cli import cli
from vaultkit.rules.registry import derive_followups

MAPPING = """
timezone = "Europe/Berlin"
[types.company]
folders = ["30 Records/Positions"]
tags = ["position"]
[types.contact]
folders = ["30 Records/People"]
[types.interaction]
folders = ["30 Records/Logs"]
date = "Comm_DateTime"
with = "Contacts"
[fields]
name = ["Job-Title", "Name"]
stage = ["App-Stage", "status"]
applied = ["Applied-Date"]
follow_up = ["Follow-Up-Reminder-Date"]
[stages]
lead = ["Reviewing", "Pursue"]
screening = ["Recruiter_Screen"]
offer = ["Offered"]
withdrawn = ["Do_Not_Apply", "No-Go"]
"""


def seed(vault_dir, write_note):
    (vault_dir / "vaultkit.toml").write_text(MAPPING)
    write_note(
        "30 Records/Positions/Acme SRE.md",
        """
        ---
        Job-Title: Acme
        App-Stage: Recruiter_Screen
        Applied-Date: 2026-11-02
        Follow-Up-Reminder-Date:
        Interview-Date:
        ---
        """,
    )
    write_note(
        "30 Records/Positions/Beta.md",
        """
        ---
        status: applied
        Applied-Date: 2026-11-26
        ---
        """,
    )
    write_note("Inbox/Gamma.md", "#position\nApp-Stage:: No-Go\n")
    write_note("30 Records/People/Jo.md", "---\nrole: recruiter\n---\n")
    write_note(
        "30 Records/Logs/Call with Jo.md",
        """
        ---
        Comm_DateTime: 2026-11-05T10:00
        Contacts: ["[[Jo]]", "[[Acme]]"]
        ---
        Talked about the team.
        """,
    )


def test_mapped_vault_reads_as_intended(vault_dir, write_note, load):
    seed(vault_dir, write_note)
    vault = load()
    assert [p for p in vault.problems if p.severity == "error"] == []
    acme = vault.notes["30 Records/Positions/Acme SRE.md"]
    assert (acme.kind, acme.name, acme.stage) == ("company", "Acme", "screening")
    assert acme.get("applied") == date(2026, 11, 2)
    assert "follow_up" not in acme.fields  # empty property: absent
    gamma = vault.notes["Inbox/Gamma.md"]
    assert (gamma.kind, gamma.stage) == ("company", "withdrawn")
    jo = vault.notes["30 Records/People/Jo.md"]
    assert [(t.date, t.source) for t in jo.interactions] == [(date(2026, 11, 5), "interaction")]
    assert date(2026, 11, 5) in [t.date for t in acme.interactions]
    rules = {f.rule for f in derive_followups(vault, date(2026, 12, 1))}
    assert "application-follow-up" in rules  # Beta, applied 4+ days ago


def test_check_reports_mapping_problems(runner, vault_dir, write_note):
    seed(vault_dir, write_note)
    (vault_dir / "vaultkit.toml").write_text(
        (vault_dir / "vaultkit.toml")
        .read_text()
        .replace(
            'follow_up = ["Follow-Up-Reminder-Date"]',
            'follow_up = ["Follow-Up-Reminder-Date"]\nresume = ["Resume-Version"]',
        )
    )
    (vault_dir / "vaultkit.toml").write_text(
        (vault_dir / "vaultkit.toml")
        .read_text()
        .replace('"30 Records/People"', '"30 Records/Persons"')
    )
    write_note("30 Records/Positions/Delta.md", "---\nApp-Stage: Dreaming\n---\n")
    result = runner.invoke(cli, ["check", "--vault", str(vault_dir), "--json"])
    messages = [(p["path"], p["message"]) for p in json.loads(result.output)]
    assert (
        "vaultkit.toml",
        "[fields] resume: no note has any of the properties Resume-Version",
    ) in messages
    assert (
        "vaultkit.toml",
        "[types.contact] folder '30 Records/Persons' does not exist",
    ) in messages
    assert any(
        path.endswith("Delta.md") and "unknown stage 'dreaming'" in m for path, m in messages
    )
    assert result.exit_code == 0  # gaps in the mapping are warnings, not errors in the notes


def test_log_and_done_write_interaction_notes_in_such_a_vault(runner, vault_dir, write_note):
    seed(vault_dir, write_note)
    before = (vault_dir / "30 Records/People/Jo.md").read_bytes()
    result = runner.invoke(
        cli,
        [
            "log",
            "Jo",
            "Called about the role",
            "--tag",
            "call",
            "--vault",
            str(vault_dir),
            "--today",
            "2026-12-01",
        ],
    )
    assert result.exit_code == 0, result.output
    created = vault_dir / "30 Records/Logs/2026-12-01 Jo.md"
    assert created.read_text() == (
        '---\nComm_DateTime: 2026-12-01\nContacts: ["[[Jo]]"]\n'
        "tags: [call]\n---\nCalled about the role\n"
    )
    assert (vault_dir / "30 Records/People/Jo.md").read_bytes() == before
    again = runner.invoke(
        cli, ["log", "Jo", "Second call", "--vault", str(vault_dir), "--today", "2026-12-01"]
    )
    assert "2026-12-01 Jo 2.md" in again.output
    from vaultkit.pipeline import evaluate
    from vaultkit.vault.config import load_config

    jo = evaluate(load_config(vault_dir), date(2026, 12, 1)).vault.notes["30 Records/People/Jo.md"]
    assert [t.date for t in jo.interactions][-1] == date(2026, 12, 1)


def test_new_uses_the_vault_property_names(runner, vault_dir, write_note):
    seed(vault_dir, write_note)
    result = runner.invoke(
        cli, ["new", "company", "Zeta", "--vault", str(vault_dir), "--today", "2026-12-01"]
    )
    assert result.exit_code == 0, result.output
    text = (vault_dir / "30 Records/Positions/Zeta.md").read_text()
    assert "\nApp-Stage:" in text and "\nApplied-Date:" in text
    assert "\nstage:" not in text and "\napplied:" not in text
    check = runner.invoke(cli, ["check", "--vault", str(vault_dir), "--json"])
    assert "Zeta" not in check.output
