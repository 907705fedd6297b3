"""The second red-team pass (issue 13): new attacks of the first review's classes.

R1  No line of a note makes reading it backtrack: every regular expression over note text
    runs in time linear in the line (Dataview fields left open, runs of spaces before an
    inline field's end, `<!--` and `%%` by the thousand, `[[`, `[](` and table separators
    by the hundred thousand, Tasks' `⛔` lists and trailing tags, headings and task lines
    that `log` and `done` edit, an `email:` of dots). Each case runs in a process of its own
    with a time limit: before, each took from minutes to days.
R2  A daily-notes format of repeated tokens never backtracks.
R3  A FIFO, `/dev/zero` or a deep nest where settings and state files should be is never
    waited on.
The review run again (R4-R10):
R4  A Dataview `date(` left open after spaces (cubic), or given a format of repeated tokens
    (exponential), in any property: one note hung every command. Cases in HOSTILE_LINES.
R5  `vaultkit new` never backtracks on the vault's note templates (`<%` or `{{date:` and
    spaces that never close, thousands of openings, a long frontmatter line).
R6  A Templater date offset out of range is left as written, never an internal error.
R7  `vaultkit new` writes only inside the vault: not through `..` in `types.<kind>.folders`,
    nor through a folder that is a symlink out of it.
R8  No page (HTML or Markdown) carries a control character from a note: spelled `\\x1b`.
R9  No frontmatter line backtracks: a property name padded with spaces (valid YAML), a line of
    spaces in frontmatter that does not parse, a value YAML rejects (read as text) padded
    with spaces. Cases in HOSTILE_LINES.
R10 A problem message stays a line: one quoting a value a million characters long is cut at
    1,000 characters (it printed the whole value, a megabyte on one terminal line).
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
    "a dataview date left open": (
        '---\nstage: applied\nfollow_up: "date(' + " " * N + 'x"\n---\n',
        ["check"],
    ),
    "a dataview date format of repeated tokens": (
        "---\nstage: applied\nfollow_up: 'date(\""
        + "1" * 60
        + 'y", "'
        + "dd" * 40
        + "x\")'\n---\n",
        ["check"],
    ),
    "a property name padded with spaces": (
        "---\nstage: applied\na" + " " * N + "b: c\n---\n",
        ["check"],
    ),
    "broken frontmatter with a line of spaces": (
        "---\nstage: applied\nbroken: [\na" + " " * N + "b\n---\n",
        ["check"],
    ),
    "a value YAML rejects, padded with spaces": (
        "---\nstage: applied\nrole: Stage 2: x" + " " * N + "y\n---\n",
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


# ---- R5-R7: `vaultkit new` from the vault's own note templates

LEAD = "---\nstage: lead\n---\n"
HOSTILE_TEMPLATES = {
    "templater command left open after spaces": LEAD + "<%" + " " * N + "x",
    "templater openings by the thousand": LEAD + "<%" * (N // 2),
    "date placeholder left open after spaces": LEAD + "{{date:" + " " * N + "x",
    "date placeholders by the thousand": LEAD + "{{date:" * (N // 7),
    "a templater date call of spaces": LEAD + "<% tp.date.now(" + " " * N + ", %>",
    "frontmatter lines with no colon": "---\nstage: lead\na"
    + " " * N
    + "b\n"
    + "c\n" * N
    + "---\n",
}


@pytest.mark.parametrize("case", sorted(HOSTILE_TEMPLATES))
def test_no_note_template_makes_new_backtrack(tmp_path, case):
    """Every template in the templates folder is read to choose one (`Job Application.md` is
    chosen for a company by its name; its property names are read too), then filled: neither
    backtracks."""
    text = HOSTILE_TEMPLATES[case]
    vault = make_vault(tmp_path / "vault", {"templates/Job Application.md": text})
    started = time.monotonic()
    result = _run(vault, ["new", "company", "Initech", "--today", TODAY])
    assert result.returncode in (0, 2), result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert time.monotonic() - started < 45


@pytest.mark.parametrize("offset", ["99999999999", "-99999999999", "9" * 5000])
def test_a_templater_offset_out_of_range_is_left_as_written(tmp_path, offset):
    command = f'<% tp.date.now("YYYY-MM-DD", {offset}) %>'
    text = f"---\nstage: lead\n---\nNext: {command}\nToday: <% tp.date.now() %>\n"
    vault = make_vault(tmp_path / "vault", {"templates/company.md": text})
    result = _run(vault, ["new", "company", "Initech", "--today", TODAY])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "left as written" in result.stderr
    note = (vault / "companies/Initech.md").read_text()
    assert f"Next: {command}\n" in note and "Today: 2026-12-01\n" in note


def test_new_never_writes_outside_the_vault(tmp_path):
    """Neither a `..` in the configured folder nor a folder that is a symlink out of the vault
    takes a new note out of it (the scan would not read it there)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    climbing = make_vault(tmp_path / "climbing")
    (climbing / "companies/Globex.md").unlink()
    (climbing / "vaultkit.toml").write_text('[types.company]\nfolders = ["../outside"]\n')
    linked = make_vault(tmp_path / "linked")
    for note in (linked / "companies").iterdir():
        note.unlink()
    (linked / "companies").rmdir()
    (linked / "companies").symlink_to(outside)
    for vault, said in ((climbing, "types.company.folders"), (linked, "leads outside the vault")):
        result = _run(vault, ["new", "company", "Initech", "--today", TODAY])
        assert result.returncode == 2, result.stderr
        assert said in result.stderr and "nothing was written" in result.stderr
        assert list(outside.iterdir()) == []
    inside = make_vault(tmp_path / "inside")
    (inside / "applications").mkdir()
    (inside / "companies/Globex.md").rename(inside / "applications/Globex.md")
    (inside / "companies").rmdir()
    (inside / "companies").symlink_to(inside / "applications")  # a link within the vault: fine
    result = _run(inside, ["new", "company", "Initech", "--today", TODAY])
    assert result.returncode == 0, result.stderr
    assert (inside / "applications/Initech.md").is_file()


# ---- R8: control characters from notes on pages

CONTROLS = "\x1b]0;pwned\x07\x1b[2J\x9b"


def test_no_page_carries_a_control_character(tmp_path):
    """An ESC, BEL or CSI in a property, a log line, a follow-up's reason or the body reaches
    no page: HTML does not allow them, and `cat _site/agenda.md` would obey them."""
    evil = json.dumps(f"Acme {CONTROLS} Ltd")
    vault = make_vault(
        tmp_path / "vault",
        {
            "companies/Acme.md": (
                f"---\nstage: applied\napplied: 2026-11-10\nrole: {evil}\npitch: {evil}\n"
                f'contacts: ["[[Eve]]"]\n---\nBody {CONTROLS}\n## Log\n- 2026-11-10 Applied '
                f"{CONTROLS}\n"
            ),
            "people/Eve.md": (f'---\ncompany: "[[Acme]]"\nmet: 2026-11-25\nmet_at: {evil}\n---\n'),
        },
    )
    result = _run(vault, ["build", "--today", TODAY])
    assert result.returncode in (0, 1), result.stderr[-2000:]
    pages = [p for p in (vault / "_site").rglob("*") if p.suffix in (".html", ".md")]
    assert len(pages) > 5
    spelled = 0
    for page in pages:
        text = page.read_text("utf-8")
        bad = [c for c in text if (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F]
        assert not bad, (page, bad[:5])
        spelled += text.count("\\x1b")
    assert spelled >= 5  # shown, not dropped: the reader sees something was there


# ---- R10: a message quoting a huge value


def test_a_message_quoting_a_huge_value_stays_a_line(tmp_path):
    vault = make_vault(
        tmp_path / "vault",
        {"companies/Long.md": "---\nstage: applied\nrole: Stage 2: " + "x" * 1_000_000 + "\n---\n"},
    )
    result = _run(vault, ["check", "--today", TODAY])
    assert result.returncode == 1, result.stderr[-2000:]
    [line] = [ln for ln in result.stdout.splitlines() if "quote the value" in ln]
    assert len(line) < 1_200, line[-200:]
    assert line.endswith(" more characters)"), line[-200:]  # and says it was cut
