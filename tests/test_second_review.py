"""The second red-team pass (issue 13): new attacks of the first review's classes.

R1  No line of a note makes reading it backtrack: every regular expression over note text
    runs in time linear in the line (Dataview fields left open, runs of spaces before an
    inline field's end, `<!--` and `%%` by the thousand, `[[`, `[](` and table separators
    by the hundred thousand, Tasks' `⛔` lists and trailing tags, headings and task lines
    that `log` and `done` edit, an `email:` of dots). Each case runs in a process of its own
    with a time limit: before, each took from minutes to days.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from attack_helpers import TODAY, make_vault

N = 200_000
"""Characters of hostile text in one line: quadratic matching takes minutes on it."""

TASK = "---\nstage: applied\n---\n## Tasks\n- [ ] {} 📅 2026-12-02\n"
LOG = "---\nstage: applied\n---\n## Log\n- 2026-11-20 {}\n"

# name -> (note text, the command that reads it)
HOSTILE_LINES: dict[str, tuple[str, list[str]]] = {
    "dataview field left open": (TASK.format("Call [due:: " + " " * N + "x"), ["check"]),
    "dataview fields by the thousand": (TASK.format("Call " + "(due::" * (N // 6)), ["check"]),
    "spaces before an inline field ends": ("Status:: a" + " " * N + "x\n", ["check"]),
    "html comments opened on a task": (TASK.format("Call " + "<!--" * (N // 4)), ["check"]),
    "obsidian comments by the thousand": ("text " + "%% " * N + "\n", ["check"]),
    "wikilink openings in a log line": (LOG.format("[[" * (N // 2)), ["check"]),
    "markdown link openings": (LOG.format("[](" * (N // 3)), ["check"]),
    "a table separator gone wrong": (
        "| Date | Note |\n|" + "-" * (N // 2) + ":" + " " * (N // 2) + "x\n",
        ["check"],
    ),
    "a dependency list of the tasks plugin": (
        TASK.format("Call ⛔ " + "a ," * 40 + "%"),
        ["check"],
    ),
    "a trailing tag that never ends": (TASK.format("Call #" + "a" * N + "!"), ["check"]),
    "interview text full of brackets": (
        "---\nstage: interviewing\ninterviews:\n  - 2026-11-20 " + "[[" * (N // 2) + "\n---\n",
        ["check"],
    ),
    "a heading log has to read past": (
        "---\nstage: applied\n---\n# a" + " " * N + "b\n## Log\n",
        ["log", "companies/Hostile.md", "Called", "--date", TODAY],
    ),
}


def _run(vault, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vaultkit", *args, "--vault", str(vault)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.mark.parametrize("case", sorted(HOSTILE_LINES))
def test_no_line_makes_reading_backtrack(tmp_path, case):
    text, command = HOSTILE_LINES[case]
    vault = make_vault(tmp_path / "vault", {"companies/Hostile.md": text})
    args = [*command, "--today", TODAY] if command == ["check"] else command
    started = time.monotonic()
    result = _run(vault, args)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 45


def test_done_on_a_task_with_a_long_run_of_spaces(tmp_path):
    """`done` finds where ✅ goes (before trailing spaces and a `^block-id`) in one pass."""
    task = TASK.format("Call" + " " * N + "Jane")
    vault = make_vault(tmp_path / "vault", {"companies/Hostile.md": task})
    agenda = _run(vault, ["agenda", "--json", "--today", TODAY])
    [item] = [f for f in json.loads(agenda.stdout) if f["rule"] == "task"]
    started = time.monotonic()
    result = _run(vault, ["done", item["id"], "--today", TODAY])
    assert result.returncode == 0, result.stderr[-2000:]
    assert time.monotonic() - started < 45
    assert (vault / "companies/Hostile.md").read_text().endswith("📅 2026-12-02 ✅ 2026-12-01\n")


def test_an_email_of_dots_is_no_address_and_no_hang():
    code = (
        "from vaultkit.views.drafts import _EMAIL; "
        f"assert not _EMAIL.match('a@' + '.' * {N} + ' '); "
        "assert _EMAIL.match('jane@example.com')"
    )
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=90)
    assert time.monotonic() - started < 45


# ---- R2: settings and state files that are not what they seem


def _fifo(path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)


SPECIAL_FILES = {
    "templates.json a FIFO": (".obsidian/templates.json", _fifo),
    "templater settings a FIFO": (".obsidian/plugins/templater-obsidian/data.json", _fifo),
    "daily-notes.json a FIFO": (".obsidian/daily-notes.json", _fifo),
    "periodic notes settings a link to /dev/zero": (
        ".obsidian/plugins/periodic-notes/data.json",
        lambda p: (p.parent.mkdir(parents=True, exist_ok=True), p.symlink_to("/dev/zero")),
    ),
    "vaultkit.toml a FIFO": ("vaultkit.toml", lambda p: (p.unlink(), os.mkfifo(p))),
    "the site's manifest a FIFO": ("_site/.vaultkit-manifest.json", _fifo),
    "the site's manifest nested 100,000 deep": (
        "_site/.vaultkit-manifest.json",
        lambda p: (p.parent.mkdir(parents=True), p.write_text("[" * 100_000)),
    ),
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("case", sorted(SPECIAL_FILES))
def test_a_special_file_where_settings_are_never_waited_on(tmp_path, case):
    """A FIFO (or `/dev/zero`) where Obsidian's settings, vaultkit.toml or the site's manifest
    should be is never opened for reading: every command goes on as without it."""
    rel, make = SPECIAL_FILES[case]
    vault = make_vault(tmp_path / "vault")
    make(vault / rel)
    for command in (["agenda"], ["check"], ["build"]):
        started = time.monotonic()
        try:
            result = _run(vault, [*command, "--today", TODAY])
        except subprocess.TimeoutExpired:
            pytest.fail(f"`{command[0]}` hung on {rel}")
        assert result.returncode in (0, 1), (command, result.stderr[-2000:])
        assert "Traceback" not in result.stderr
        assert time.monotonic() - started < 45
