from __future__ import annotations

import json
import os
import re

import pytest

from vaultkit.cli import cli

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<sev>error|warning): (?P<msg>.+)$")


def check(runner, vault_dir, *args):
    return runner.invoke(cli, ["check", "--vault", str(vault_dir), "--today", "2026-12-01", *args])


BROKEN = {
    "companies/Yaml.md": ("---\nstage: [applied\n---\n", 2, "error", "not valid YAML"),
    "companies/List.md": ("---\n- a\n---\n", 2, "error", "not a list"),
    "companies/Date.md": ("---\napplied: 2026-02-30\n---\n", 2, "error", "not a day"),
    "companies/Type.md": ("---\nrole: [a, b]\n---\n", 2, "error", "expected text"),
    "companies/Stage.md": ("---\nstage: dreaming\n---\n", 2, "warning", "unknown stage"),
    "companies/Link.md": ("---\ncontacts: ['[[Nobody]]']\n---\n", 2, "warning", "no note"),
    "people/A.md": ("---\nname: Sam\n---\n", 2, "warning", "also claimed"),
    "people/B.md": ("---\nname: Sam\n---\n", 2, "warning", "also claimed"),
    "Python.md": ("---\nx: !!python/object:os.system {}\n---\n", 2, "error", "not allowed"),
    "Open.md": ("---\nstage: lead\n", 1, "error", "never closed"),
}


def test_every_broken_note_is_named_once_per_problem(runner, vault_dir, write_note):
    for rel, (text, *_rest) in BROKEN.items():
        write_note(rel, text)
    (vault_dir / "Binary.md").write_bytes(b"\x00\x01binary")
    (vault_dir / "Latin1.md").write_bytes("---\nname: Café\n---\n".encode("latin-1"))
    write_note("companies/Fine.md", "---\nstage: applied\napplied: 2026-11-03\nresume: v1\n---\n")
    result = check(runner, vault_dir)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    parsed = [LINE.match(line) for line in lines[:-1]]
    assert all(parsed), lines
    found = {(m["path"], int(m["line"]), m["sev"]): m["msg"] for m in parsed}
    for rel, (_text, line, sev, fragment) in BROKEN.items():
        assert fragment in found[(rel, line, sev)], (rel, found)
    assert "binary file" in found[("Binary.md", 1, "error")]
    assert any(k[0] == "Latin1.md" and "UTF-8" in v for k, v in found.items())
    assert not any(k[0] == "companies/Fine.md" for k in found)
    assert re.match(r"\d+ error\(s\), \d+ warning\(s\) in 13 note\(s\)", lines[-1])


def test_clean_vault_exits_zero(runner, vault_dir, write_note):
    write_note("companies/Fine.md", "---\nstage: applied\napplied: 2026-11-03\nresume: v1\n---\n")
    result = check(runner, vault_dir)
    assert result.exit_code == 0
    assert "No problems in 1 note(s)." in result.output


def test_warnings_alone_exit_zero_and_json(runner, vault_dir, write_note):
    write_note("Plan.md", "[[Nowhere]]\n")
    result = check(runner, vault_dir, "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == [
        {
            "path": "Plan.md",
            "line": 1,
            "severity": "warning",
            "message": "link [[Nowhere]] points to no note",
        }
    ]


def test_config_problems_are_reported(runner, vault_dir):
    (vault_dir / "vaultkit.toml").write_text(
        'timezone = "Mars/Olympus"\nbogus = 1\n[rules.stale]\ndays = "three"\n'
    )
    out = check(runner, vault_dir).output
    assert "vaultkit.toml:1: error: `timezone` must be an IANA time zone" in out
    assert "vaultkit.toml:2: warning: unknown setting `bogus`" in out
    assert "vaultkit.toml:4: error: `rules.stale.days` must be a whole number" in out


def test_asking_for_a_setting_that_does_not_exist_is_a_programming_error(vault_dir):
    from vaultkit.vault.config import load_config

    config = load_config(vault_dir)
    assert config.get("feed.detail") == "full"  # a known key: its default
    with pytest.raises(KeyError, match=r"feed\.detial"):
        config.get("feed.detial")
    with pytest.raises(KeyError):
        config.rule("stale", "dayz")


def test_broken_toml_still_checks_the_notes(runner, vault_dir, write_note):
    (vault_dir / "vaultkit.toml").write_text("timezone = \n")
    write_note("Plan.md", "[[Nowhere]]\n")
    out = check(runner, vault_dir).output
    assert "vaultkit.toml:1: error: not valid TOML" in out
    assert "Plan.md:1: warning" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(runner, vault_dir, write_note):
    path = write_note("Secret.md", "x")
    path.chmod(0)
    assert "Secret.md:1: error: cannot read" in check(runner, vault_dir).output


def test_symlinks_out_of_the_vault_and_loops_are_not_followed(
    runner, vault_dir, write_note, tmp_path
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Secret.md").write_text("---\nfollow_up: 2026-12-01\n---\n")
    (vault_dir / "escape").symlink_to(outside)
    (vault_dir / "escape.md").symlink_to(outside / "Secret.md")
    (vault_dir / "loop").mkdir()
    (vault_dir / "loop" / "again").symlink_to(vault_dir / "loop")
    write_note("loop/Note.md", "")
    result = check(runner, vault_dir)
    assert "escape: warning: symlink points outside the vault" in result.output
    assert "escape.md: warning: symlink points outside the vault" in result.output
    assert "in 1 note(s)" in result.output
    agenda = runner.invoke(
        cli, ["agenda", "--vault", str(vault_dir), "--today", "2026-12-01", "--json"]
    )
    assert json.loads(agenda.stdout) == []


def test_hidden_output_and_excluded_folders_are_skipped(runner, vault_dir, write_note):
    (vault_dir / "vaultkit.toml").write_text(
        'exclude = ["templates/", "*.draft.md", "archive/**"]\n'
    )
    for rel in (
        ".obsidian/x.md",
        ".trash/y.md",
        "_site/z.md",
        "templates/company.md",
        "notes/a.draft.md",
        "archive/old/b.md",
    ):
        write_note(rel, "[[Nowhere]]\n")
    write_note("kept.md", "")
    assert "No problems in 1 note(s)." in check(runner, vault_dir).output


def test_habit_checks(runner, vault_dir, write_note):
    write_note("companies/NoResume.md", "---\nstage: interviewing\n---\n")
    write_note("companies/WithResume.md", "---\nstage: applied\nresume: v3\n---\n")
    write_note("companies/Lead.md", "---\nstage: lead\n---\n")
    write_note("companies/Closed.md", "---\nstage: rejected\n---\n")
    write_note("companies/Offer.md", "---\nstage: offer\ncover_letter: cl\n---\n")
    out = check(runner, vault_dir).output
    assert "companies/NoResume.md:2: warning: stage is `interviewing` but no `resume`" in out
    assert "companies/Offer.md:2: warning: stage is `offer` but there is no `offer` date" in out
    for quiet in ("WithResume", "Lead", "Closed"):
        assert f"companies/{quiet}.md" not in out


def test_obsidian_templates_are_not_notes(runner, vault_dir, write_note):
    (vault_dir / ".obsidian").mkdir()
    (vault_dir / ".obsidian/templates.json").write_text('{"folder": "Meta/Templates"}')
    write_note("Meta/Templates/Company.md", "---\nstage:\napplied:\n---\n[[{{title}}]]\n")
    write_note("templates/Contact.md", "[[{{company}}]]\n")
    write_note("kept.md", "")
    assert "No problems in 1 note(s)." in check(runner, vault_dir).output
    (vault_dir / "vaultkit.toml").write_text("exclude_templates = false\n")
    assert "in 3 note(s)" in check(runner, vault_dir).output
