"""File names that are not UTF-8 (a zip or SMB copy from Windows, an old Latin-1 sync).

Python hands such names over with lone surrogates (`'Caf\\udce9.md'`); any `.encode()`, JSON
dump or print of one raises. The promise: such a note is named in one problem line, escaped
(`Caf\\xe9.md`), and the rest of the vault works in every command, in a vault folder whose own
name is not UTF-8 too, and in a watch rebuild.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from attack_helpers import TODAY, assert_good_notes_survive, make_vault, run_all

from vaultkit.cli import cli
from vaultkit.vault.problems import printable

pytestmark = pytest.mark.skipif(
    sys.platform == "darwin" or os.name == "nt", reason="the file system only takes Unicode names"
)

NOTE = (
    b"---\nstage: applied\napplied: 2026-11-20\n---\n- [ ] call back \xf0\x9f\x93\x85 2026-12-02\n"
)


def _bytes_path(path: Path) -> bytes:
    return os.fsencode(path)


def _hostile_vault(root: Path) -> Path:
    vault = make_vault(root)
    base = _bytes_path(vault)
    os.makedirs(base + b"/companies", exist_ok=True)
    with open(base + b"/companies/Caf\xe9.md", "wb") as handle:
        handle.write(NOTE)
    os.makedirs(base + b"/Gr\xfc\xdfe", exist_ok=True)
    with open(base + b"/Gr\xfc\xdfe/Note.md", "wb") as handle:
        handle.write(NOTE)
    return vault


def _check_run_all(runner, vault: Path) -> list[dict]:
    outcome = run_all(runner, vault)
    assert_good_notes_survive(outcome)
    return outcome.problems


@pytest.mark.parametrize("vault_name", ["vault", b"Caf\xe9 vault"])
def test_a_name_that_is_not_utf8_costs_one_problem_line(runner, tmp_path, vault_name):
    root = tmp_path / (os.fsdecode(vault_name) if isinstance(vault_name, bytes) else vault_name)
    vault = _hostile_vault(root)
    problems = _check_run_all(runner, vault)
    named = {p["path"]: p for p in problems if "UTF-8" in p["message"]}
    assert set(named) == {"companies/Caf\\xe9.md", "Gr\\xfc\\xdfe"}, problems
    assert all(p["severity"] == "error" for p in named.values())
    assert "rename" in named["companies/Caf\\xe9.md"]["message"]
    # the plain-text check prints exactly that escaped name, on one line
    text = runner.invoke(cli, ["check", "--vault", str(vault), "--today", TODAY]).output
    lines = [line for line in text.splitlines() if "UTF-8" in line]
    assert len(lines) == 2 and lines[0].startswith("Gr\\xfc\\xdfe: error:"), text
    assert lines[1].startswith("companies/Caf\\xe9.md: error:"), text


@pytest.mark.parametrize("vault_name", ["vault", b"Caf\xe9 vault"])
def test_every_command_works_beside_such_a_name(runner, tmp_path, vault_name):
    root = tmp_path / (os.fsdecode(vault_name) if isinstance(vault_name, bytes) else vault_name)
    vault = _hostile_vault(root)
    args = ["--vault", str(vault)]
    day = ["--today", TODAY]
    runs = {
        "stats": ["stats", *args, *day],
        "stats --json": ["stats", "--json", *args, *day],
        "show": ["show", "Globex", *args, *day],
        "ics": ["ics", *args, *day],
        "log": ["log", "Globex", "Called about the role", *args],
        "new": ["new", "company", "Initech", *args, *day],
        "build twice": ["build", *args, *day],
    }
    for name, argv in runs.items():
        result = runner.invoke(cli, argv)
        assert result.exit_code in (0, 1), f"{name}: {result.output}"
        assert "internal error" not in result.output and "Traceback" not in result.output
    assert "Called about the role" in (vault / "companies/Globex.md").read_text()
    assert (vault / "companies/Initech.md").is_file()
    # `new` printed the new note's path (escaped where the vault's name is not UTF-8)
    printed = runner.invoke(cli, ["new", "company", "Hooli", *args, *day]).output.strip()
    assert printed == printable(str(vault / "companies/Hooli.md"))
    result = runner.invoke(cli, ["agenda", "--json", "--all", *args, *day])
    assert {f["note"] for f in json.loads(result.stdout)} >= {"companies/Globex.md"}


def test_the_escaped_name_is_the_bytes(tmp_path):
    assert printable(os.fsdecode(b"a\xe9\x9b\x1bb")) == "a\\xe9\\x9b\\x1bb"
    assert printable("lone \ud800 surrogate") == "lone \\ud800 surrogate"


def test_a_watch_rebuild_reports_such_a_name_escaped(tmp_path):
    from vaultkit.commands.watch import Watcher, describe
    from vaultkit.vault.config import load_config

    vault = make_vault(tmp_path / "vault")
    for path in vault.rglob("*"):
        os.utime(path, (1e9, 1e9))  # old: the watcher's start-up sweep leaves them alone
    lines: list[str] = []
    watcher = Watcher(
        lambda: load_config(vault),
        lambda _c: __import__("datetime").date(2026, 12, 1),
        on_rebuild=lambda r: lines.append(describe(r)),
        delay=0.05,
    )
    with watcher:
        with open(_bytes_path(vault) + b"/companies/Caf\xe9.md", "wb") as handle:
            handle.write(NOTE)
        rebuild = watcher.wait_for_build(timeout=20, after=1)
    assert rebuild is not None and rebuild.ok, rebuild
    assert rebuild.result is not None and rebuild.result.errors == 1
    assert any("companies/Caf\\xe9.md changed" in line for line in lines), lines
    for line in lines:
        line.encode("utf-8")  # printable: no lone surrogate left
