"""Hostile settings, templates and note bodies (the red team's M3, M5, L4, L5, L9, L10, L11).

M3  an `exclude` glob (in vaultkit.toml, or a folder name in Obsidian's templates.json) never
    hangs a command: globs match in time linear in the path, with .gitignore's meaning.
M5  a template that is a symlink out of the vault is not followed.
L4  note bodies make pages that fetch nothing and link only to pages, http(s) and mailto.
L5  `site_url` is an http(s) address or an error, never a line break or `javascript:`.
L9  a parallel build killed with SIGKILL leaves no worker behind.
L10 names from notes and file names reach the terminal with control characters escaped.
L11 `adopt` writes values from notes into vaultkit.toml as TOML strings, never as TOML.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

import pytest
from attack_helpers import TODAY, assert_good_notes_survive, make_vault, run_all
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit.cli import cli
from vaultkit.vault.globs import GLOBSTAR, Glob, escape

EVIL = "*a" * 30 + "*b"
LONG_NAME = "a" * 60 + ".md"

# ---- M3


@pytest.mark.parametrize("where", ["vaultkit.toml", "obsidian"])
def test_a_backtracking_glob_never_hangs(tmp_path, where):
    """Run in a process of its own with a time limit: a regex glob would backtrack for hours."""
    vault = make_vault(tmp_path / "vault", {f"notes/{LONG_NAME}": "# x\n"})
    deep = vault / ("a" * 40) / ("a" * 40)
    deep.mkdir(parents=True)
    (deep / LONG_NAME).write_text("# deep\n")
    if where == "vaultkit.toml":
        (vault / "vaultkit.toml").write_text(f'exclude = ["{EVIL}", "**/{EVIL}/**"]\n')
    else:
        (vault / ".obsidian").mkdir()
        (vault / ".obsidian/templates.json").write_text(json.dumps({"folder": EVIL}))
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "--vault", str(vault), "--today", TODAY],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode in (0, 1), result.stderr
    assert time.monotonic() - started < 30


def test_a_template_folder_name_is_taken_literally(runner, tmp_path):
    """A folder called `*` in Obsidian's settings is that folder, not every folder."""
    vault = make_vault(tmp_path / "vault")
    (vault / ".obsidian").mkdir()
    (vault / ".obsidian/templates.json").write_text(json.dumps({"folder": "*"}))
    (vault / "*").mkdir()
    (vault / "*" / "Company.md").write_text("---\nstage: applied\nfollow_up: 2026-12-02\n---\n")
    outcome = run_all(runner, vault)
    assert_good_notes_survive(outcome)  # companies/ and people/ are not templates
    assert "*/Company.md" not in {f["note"] for f in outcome.agenda}


GITIGNORE_CASES = [
    ("templates/**", "templates/Company.md", True),
    ("templates/**", "templates", True),
    ("templates/**", "x/templates/a.md", False),
    ("templates/", "templates/a/b.md", True),
    ("templates/", "x/templates/a.md", True),  # no inner slash: at any depth
    ("archive/*.md", "archive/a.md", True),
    ("archive/*.md", "archive/old/a.md", False),
    ("*.tmp.md", "deep/er/x.tmp.md", True),
    ("a/**/b.md", "a/b.md", True),
    ("a/**/b.md", "a/x/y/b.md", True),
    ("a/**/b.md", "ab.md", False),
    ("**/drafts/**", "x/drafts/y.md", True),
    ("?.md", "a.md", True),
    ("?.md", "ab.md", False),
    ("a*b*c.md", "aXbYc.md", True),
    ("a*b*c.md", "a/b/c.md", False),
    ("x\\*.md", "x*.md", True),
    ("x\\*.md", "xy.md", False),
    ("[old].md", "[old].md", True),
    (EVIL, "a" * 100, False),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), GITIGNORE_CASES)
def test_globs_mean_what_gitignore_means(pattern, path, expected):
    glob = Glob.compile(pattern)
    assert glob is not None and glob.match(path) is expected


def _reference(glob: Glob, path: str) -> bool:
    """An independent matcher (exponential in the worst case: only for small inputs)."""
    pats, names = glob.segments, path.split("/")

    @cache
    def m(i: int, j: int) -> bool:
        if i == len(pats):
            return j == len(names)
        if pats[i] == GLOBSTAR:
            return m(i + 1, j) or (j < len(names) and m(i, j + 1))
        return j < len(names) and fnmatchcase(names[j], pats[i]) and m(i + 1, j + 1)

    return m(0, 0)


@settings(max_examples=600, deadline=None)
@given(
    st.text(alphabet="ab*?/", min_size=1, max_size=12),
    st.text(alphabet="ab/", min_size=1, max_size=14),
)
def test_globs_agree_with_a_plain_matcher(pattern, path):
    glob = Glob.compile(pattern)
    if glob is None:
        return
    assert glob.match(path) == _reference(glob, path), (pattern, path, glob.segments)


def test_escape_round_trips():
    for name in ("*", "a?b", "[x]", "back\\slash", "plain"):
        glob = Glob.compile(escape(name) + "/**")
        assert glob is not None and glob.match(f"{name}/note.md")
        assert not glob.match("other/note.md") or name == "*"


# ---- M5


def test_a_template_that_leads_out_of_the_vault_is_not_followed(runner, tmp_path):
    vault = make_vault(tmp_path / "vault")
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n")
    (vault / "templates").mkdir()
    (vault / "templates/company.md").symlink_to(secret)
    result = runner.invoke(cli, ["new", "company", "Initech", "--vault", str(vault)])
    assert result.exit_code == 2, result.output
    assert "leads outside the vault" in result.output
    assert not (vault / "companies/Initech.md").exists()
    # the whole folder a symlink out: the same
    (vault / "templates/company.md").unlink()
    (vault / "templates").rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "company.md").symlink_to(secret)
    (vault / "templates").symlink_to(elsewhere, target_is_directory=True)
    result = runner.invoke(cli, ["new", "company", "Initech", "--vault", str(vault)])
    assert result.exit_code == 2 and "leads outside the vault" in result.output
    # a link inside the vault is fine
    (vault / "templates").unlink()
    (vault / "templates").mkdir()
    (vault / "shared.md").write_text("---\nstage: lead\n---\n# {{name}}\n")
    (vault / "templates/company.md").symlink_to(vault / "shared.md")
    result = runner.invoke(cli, ["new", "company", "Initech", "--vault", str(vault)])
    assert result.exit_code == 0, result.output
    assert "# Initech" in (vault / "companies/Initech.md").read_text()


# ---- L4


def test_note_bodies_fetch_nothing_and_link_only_where_allowed(runner, tmp_path):
    body = (
        "![pixel](https://tracker.example/p.png) ![local](cv.png)\n\n"
        "[share](smb://fileserver/share) [call](tel:+15550100) [proto](//evil.example/x) "
        "[pdf](cv.pdf) <smb://host/x> [web](https://ok.example/) [mail](mailto:a@b.example) "
        "[page](Globex.md) [[Jane Doe]]\n"
    )
    vault = make_vault(tmp_path / "vault", {"Plan.md": body})
    outcome = run_all(runner, vault)
    links, sources = _links((outcome.site / "notes/plan.html").read_text())
    assert sources == [], sources  # no <img>, <script>, <iframe>: nothing is fetched
    for href in links:
        page = href.split("#")[0]
        assert href.startswith(("https://", "http://", "mailto:", "#")) or (
            page.endswith((".html", ".css", ".ics", ".json", ".md"))
            and ":" not in page
            and not page.startswith("//")
        ), href
    assert "https://tracker.example/p.png" in links  # the picture is one click away
    assert "https://ok.example/" in links and "mailto:a@b.example" in links
    text = (outcome.site / "notes/plan.html").read_text()
    assert "pixel" in text and "share" in text and "call" in text  # the words stay


def _links(html: str) -> tuple[list[str], list[str]]:
    from html.parser import HTMLParser

    links: list[str] = []
    sources: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if "href" in values and tag != "link":
                links.append(values["href"] or "")
            if "src" in values or tag in ("img", "iframe", "object", "embed", "script"):
                sources.append(f"{tag} {values.get('src')}")

    Collect().feed(html)
    return links, sources


# ---- L5


@pytest.mark.parametrize(
    "url", ["https://me.example/a\r\nX-Bad: 1", "javascript:alert(1)", "//evil.example", "ftp://x"]
)
def test_site_url_must_be_an_http_address(runner, tmp_path, url):
    vault = make_vault(tmp_path / "vault")
    (vault / "vaultkit.toml").write_text(f"site_url = {json.dumps(url)}\n")
    outcome = run_all(runner, vault)
    assert any(
        p["path"] == "vaultkit.toml" and "site_url" in p["message"] for p in outcome.problems
    )
    feed = (outcome.site / "followups.ics").read_bytes()
    assert b"javascript" not in feed and b"X-Bad" not in feed and b"evil" not in feed


# ---- L9


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :].split()[0] != "Z"


PARALLEL_READ = r"""
import sys, time
from pathlib import Path
import vaultkit.pipeline as pipeline
real = pipeline.read_source
def slow(vault, rel):
    time.sleep(0.01)
    return real(vault, rel)
pipeline.read_source = slow  # the workers are forked with it
pipeline.PARALLEL_FROM = 2
vault = Path(sys.argv[1])
rels = sorted(p.relative_to(vault).as_posix() for p in vault.rglob("*.md"))
list(pipeline.read_sources(vault, rels))
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no worker processes")
def test_a_killed_parallel_build_leaves_no_worker(tmp_path):
    vault = tmp_path / "vault"
    (vault / "notes").mkdir(parents=True)
    for i in range(400):
        (vault / "notes" / f"n{i}.md").write_text(f"- [ ] task {i} 📅 2026-12-0{i % 9 + 1}\n")
    proc = subprocess.Popen([sys.executable, "-c", PARALLEL_READ, str(vault)])
    workers: set[int] = set()
    deadline = time.monotonic() + 20
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "no worker processes started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leave them to the rest of the test run
        os.kill(w, signal.SIGKILL)
    assert not left, f"{len(left)} worker(s) outlived the killed build"


# ---- L10


def test_did_you_mean_and_new_print_no_control_characters(runner, tmp_path):
    vault = make_vault(tmp_path / "vault")
    (vault / "companies" / "Glob\x1b]0;owned\x07ex Evil.md").write_text("---\nstage: lead\n---\n")
    result = runner.invoke(cli, ["log", "Glob", "x", "--vault", str(vault)])
    assert result.exit_code == 2
    assert "did you mean" in result.output and "\\x1b" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    result = runner.invoke(cli, ["new", "company", "Ini\u202etech\x9b2J", "--vault", str(vault)])
    assert "\u202e" not in result.output and "\x9b" not in result.output, repr(result.output)


# ---- L11


def test_adopt_writes_values_from_notes_as_strings_never_as_toml(runner, tmp_path):
    vault = tmp_path / "vault"
    (vault / "Records/Positions").mkdir(parents=True)
    injected = 'Offered"]\n[feed]\ndetail = "full'
    comment = "weird\n[feed]\ndetail = 'full'"
    for i, stage in enumerate([injected, injected, comment, comment, "Applied", "Applied"]):
        (vault / "Records/Positions" / f"P{i}.md").write_text(
            f"---\ntype: company\nstatus: {json.dumps(stage)}\n---\n"
        )
    result = runner.invoke(cli, ["adopt", "--vault", str(vault)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    written = (vault / "vaultkit.toml").read_text()
    config = tomllib.loads(written)  # it parses
    assert "feed" not in config, written  # and nothing from a note became a setting
    values = [v for vs in config.get("stages", {}).values() for v in vs]
    assert all(v in (injected, comment, "Applied") for v in values), values
