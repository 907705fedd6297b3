from __future__ import annotations

import json
import os

from vaultkit.cli import cli

REQUIRED = {"id", "rule", "due", "title", "reason", "note", "priority"}


def agenda(runner, vault_dir, *args):
    return runner.invoke(cli, ["agenda", "--vault", str(vault_dir), "--today", "2026-12-01", *args])


def seed(write_note):
    write_note(
        "companies/Globex.md",
        """
        ---
        role: Staff Engineer
        follow_up: 2026-11-28
        ---
        - [ ] Send portfolio 📅 2026-12-01 ⏫
        - [ ] Prepare questions ⏳ 2026-12-02
        - [ ] Research team 📅 2026-12-05
        - [ ] Far away 📅 2026-12-20
        - [ ] Undated
        - [x] Done already 📅 2026-11-20
        """,
    )
    write_note("people/Jane Doe.md", "---\nfollow_up: 2026-12-03T10:00\n---\n")


def test_json_contract(runner, vault_dir, write_note):
    seed(write_note)
    result = agenda(runner, vault_dir, "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert all(REQUIRED <= set(item) for item in items)
    assert [(i["rule"], i["due"], i["title"]) for i in items] == [
        ("follow-up", "2026-11-28", "Follow up with Globex"),
        ("task", "2026-12-01", "Send portfolio"),
        ("task", "2026-12-02", "Prepare questions"),
        ("follow-up", "2026-12-03T10:00:00+01:00", "Follow up with Jane Doe"),
        ("task", "2026-12-05", "Research team"),
    ]
    assert items[1]["note"] == "companies/Globex.md" and items[1]["priority"] == "high"
    assert all(len(i["id"]) == 10 for i in items)


def test_days_and_all(runner, vault_dir, write_note):
    seed(write_note)

    def titles(*a):
        return [i["title"] for i in json.loads(agenda(runner, vault_dir, "--json", *a).output)]

    assert "Far away" not in titles()
    assert "Far away" in titles("--days", "19")
    assert titles("--days", "0")[-1] == "Send portfolio"
    assert titles("--all")[-1] == "Far away"


def test_today_moves_the_agenda(runner, vault_dir, write_note):
    seed(write_note)
    later = runner.invoke(
        cli, ["agenda", "--vault", str(vault_dir), "--today", "2026-12-19", "--json"]
    )
    items = json.loads(later.output)
    assert items[-1]["title"] == "Far away"


def test_terminal_agenda_groups_and_aligns(runner, vault_dir, write_note):
    seed(write_note)
    result = agenda(runner, vault_dir)
    out = result.output
    assert "\x1b[" not in out  # no colour when piped / NO_COLOR
    sections = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert sections[1:] == ["Overdue", "Today", "Tomorrow", "This week"]
    rows = [line for line in out.splitlines() if ".md:" in line]
    assert (
        len(
            {
                line.index("companies/") if "companies/" in line else line.index("people/")
                for line in rows
            }
        )
        == 1
    )  # the note column is aligned
    assert "5 follow-ups, 1 overdue" in out
    assert "Thu 3 Dec 10:00" in out


def test_colour_only_on_request(vault_dir, write_note, monkeypatch):
    from datetime import date

    from vaultkit.pipeline import evaluate
    from vaultkit.render.terminal import format_agenda
    from vaultkit.rules.registry import derive_followups
    from vaultkit.vault.config import load_config

    seed(write_note)
    vault = evaluate(load_config(vault_dir), date(2026, 12, 1)).vault
    items = derive_followups(vault, date(2026, 12, 1))
    assert "\x1b[" in format_agenda(items, date(2026, 12, 1), vault.config.tz, colour=True)


def test_vault_from_environment_and_current_folder(runner, vault_dir, write_note):
    seed(write_note)
    by_env = runner.invoke(
        cli, ["agenda", "--today", "2026-12-01", "--json"], env={"VAULTKIT_VAULT": str(vault_dir)}
    )
    assert len(json.loads(by_env.output)) == 5
    cwd = os.getcwd()
    try:
        os.chdir(vault_dir)
        here = runner.invoke(cli, ["agenda", "--today", "2026-12-01", "--json"])
    finally:
        os.chdir(cwd)
    assert json.loads(here.output) == json.loads(by_env.output)


def test_exit_codes(runner, vault_dir, write_note, tmp_path):
    seed(write_note)
    assert agenda(runner, vault_dir).exit_code == 0
    assert runner.invoke(cli, ["agenda", "--vault", str(tmp_path / "nope")]).exit_code == 2
    assert agenda(runner, vault_dir, "--days", "-1").exit_code == 2
    assert runner.invoke(cli, ["agenda", "--today", "2026-13-01"]).exit_code == 2
    write_note("companies/Broken.md", "---\nstage: [\n---\n")
    broken = agenda(runner, vault_dir, "--json")
    assert broken.exit_code == 1
    assert len(json.loads(broken.stdout)) == 5  # the rest of the vault still counts
    assert "vaultkit check" in broken.stderr


def test_empty_vault_works_without_config(runner, tmp_path):
    result = runner.invoke(cli, ["agenda", "--vault", str(tmp_path), "--today", "2026-12-01"])
    assert result.exit_code == 0
    assert "Nothing due" in result.output
