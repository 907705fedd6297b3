"""Shell completion: click's own machinery, with note names for `log` and `show` and follow-up
ids for `done` (docs/completion.md)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from vaultkit.cli import cli
from vaultkit.commands.completion import followup_ids, note_names


@pytest.fixture
def vault(write_note, vault_dir):
    write_note(
        "companies/Globex.md",
        "---\nstage: applied\napplied: 2026-11-20\naliases: [Globex Corp]\n---\n",
    )
    write_note("companies/Initech.md", "---\nstage: lead\n---\n")
    write_note("people/Jane Doe.md", '---\ncompany: "[[Globex]]"\n---\n')
    write_note("people/Gus.md", "---\nname: Gus Fring\n---\n")
    write_note("Plan.md", "- [ ] Update the resume 📅 2026-12-10\n")
    return vault_dir


def _complete(vault_dir, words: str, shell: str = "bash") -> str:
    """What the shell gets when the user presses Tab after `words`."""
    parts = words.split(" ")
    env = {
        "_VAULTKIT_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(parts) - 1),
        "VAULTKIT_VAULT": str(vault_dir),
        "NO_COLOR": "1",
    }
    result = CliRunner(env=env).invoke(cli, [], prog_name="vaultkit")
    assert result.exit_code == 0, result.output
    return result.output


def test_note_names_start_with_what_was_typed(vault):
    names = [n for n, _ in note_names(str(vault), "g")]
    assert names == ["Globex", "Globex Corp", "Gus Fring"]  # names and aliases, no case
    assert note_names(str(vault), "jane")[0] == ("Jane Doe", "contact: people/Jane Doe.md")
    # Nothing starts with "fring": names containing it instead.
    assert [n for n, _ in note_names(str(vault), "fring")] == ["Gus Fring"]
    # With a slash: paths.
    assert [n for n, _ in note_names(str(vault), "people/")] == ["people/Gus", "people/Jane Doe"]


def test_an_unreadable_vault_completes_nothing(tmp_path):
    assert note_names(str(tmp_path / "missing"), "") == []
    assert followup_ids(str(tmp_path / "missing"), None, "") == []


@pytest.mark.parametrize("command", ["show", "log"])
def test_bash_completes_note_names(vault, command):
    out = _complete(vault, f"vaultkit {command} Glo")
    assert out.splitlines() == ["plain,Globex", "plain,Globex Corp"]


def test_zsh_gets_what_each_name_is(vault):
    out = _complete(vault, "vaultkit show Gus", shell="zsh")
    assert out.splitlines() == [
        "plain",
        "Gus Fring",
        "contact\\: people/Gus.md",
    ] or out.splitlines() == ["plain", "Gus Fring", "contact: people/Gus.md"]


def test_done_completes_open_follow_up_ids(vault, load):
    from conftest import TODAY

    from vaultkit.rules.registry import derive_followups

    ids = sorted(f.id for f in derive_followups(load(), TODAY))
    assert len(ids) == 2  # the application follow-up and the task
    out = _complete(vault, "vaultkit done --today 2026-12-01 ")
    assert sorted(line.split(",", 1)[1] for line in out.splitlines()) == ids
    out = _complete(vault, f"vaultkit done --today 2026-12-01 {ids[0][:4]}")
    assert [line.split(",", 1)[1] for line in out.splitlines()] == [
        i for i in ids if i.startswith(ids[0][:4])
    ]


def test_completion_scripts_are_built_in(vault):
    for shell in ("bash", "zsh", "fish"):
        result = CliRunner(env={"_VAULTKIT_COMPLETE": f"{shell}_source"}).invoke(
            cli, [], prog_name="vaultkit"
        )
        assert result.exit_code == 0 and "_VAULTKIT_COMPLETE" in result.output
