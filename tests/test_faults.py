"""Faults: a build killed at any moment, a full disk or read-only output folder, two edits of
one note at once, a note saved in an editor while `done` writes it. Nothing is lost, nothing
is half-written, and the user gets a one-line message rather than a traceback."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from attack_helpers import assert_valid_feed, make_vault, site_text
from conftest import TODAY_ARG as TODAY

from vaultkit.cli import cli


def _big_vault(root: Path, companies: int, version: str) -> Path:
    """A vault whose build takes about a second; `version` changes every note (so every output)
    while the modification times stay pinned (so the feed's bytes are predictable)."""
    (root / "companies").mkdir(parents=True, exist_ok=True)
    (root / "people").mkdir(exist_ok=True)
    (root / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\n')
    stamp = 1_790_000_000 if version == "a" else 1_790_086_400
    for i in range(companies):
        day = 1 + i % 28
        notes = {
            f"companies/C{i}.md": f"---\nstage: applied\napplied: 2026-11-{day:02d}\n"
            f"follow_up: 2026-12-{day:02d}\ncontacts: ['[[P{i}]]']\n---\n"
            f"Body {i} version {version}\n## Log\n- 2026-11-20 hi [[P{i}]]\n",
            f"people/P{i}.md": f"---\ncompany: '[[C{i}]]'\ncadence: 3w\n---\n"
            f"Person {i} version {version}\n",
        }
        for rel, text in notes.items():
            (root / rel).write_text(text)
            os.utime(root / rel, (stamp, stamp))
    return root


def _build(vault: Path, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "vaultkit",
            "build",
            "--vault",
            str(vault),
            "--today",
            TODAY,
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _expected(tmp_path: Path, version: str, companies: int) -> dict[str, bytes]:
    vault = _big_vault(tmp_path / f"expect-{version}", companies, version)
    done = _build(vault)
    assert done.returncode == 0, done.stderr
    return site_text(vault / "_site")


@pytest.mark.parametrize("rounds", [20, pytest.param(100, marks=pytest.mark.slow)])
def test_sigkill_mid_build_leaves_every_output_whole(tmp_path, rounds):
    companies = 60
    expected = {v: _expected(tmp_path, v, companies) for v in "ab"}
    vault = _big_vault(tmp_path / "vault", companies, "a")
    assert _build(vault).returncode == 0
    site = vault / "_site"
    rng = random.Random(9)
    killed = 0
    version = "a"
    for _ in range(rounds):
        version = "b" if version == "a" else "a"
        _big_vault(vault, companies, version)
        proc = subprocess.Popen(
            [sys.executable, "-m", "vaultkit", "build", "--vault", str(vault), "--today", TODAY],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, 1.2))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(30)
        for rel, data in site_text(site).items():
            if rel == ".vaultkit-manifest.json" or rel.endswith(".tmp"):
                continue
            assert data in (expected["a"].get(rel), expected["b"].get(rel)), rel
        assert_valid_feed((site / "followups.ics").read_bytes())
    assert killed >= rounds // 3, killed  # the delays did land mid-build
    done = _build(vault)  # and the next build finishes the job and tidies up
    assert done.returncode == 0, done.stderr
    left = site_text(site)
    assert {k: v for k, v in left.items() if k != ".vaultkit-manifest.json"} == {
        k: v for k, v in expected[version].items() if k != ".vaultkit-manifest.json"
    }
    assert not [rel for rel in left if rel.endswith(".tmp")]


def test_only_stale_temp_files_of_generated_files_are_removed(tmp_path):
    from vaultkit.store.output import write_outputs

    out = tmp_path / "out"
    (out / "notes").mkdir(parents=True)
    (out / ".vaultkit-manifest.json").write_text('{"files": []}')  # a killed build's folder
    stale = out / "notes" / ".a.html.abcd1234.tmp"
    fresh = out / "notes" / ".a.html.zzzz9999.tmp"
    mine = out / ".mine.html.abcd1234.tmp"
    for path in (stale, fresh, mine):
        path.write_text("x")
    os.utime(stale, (time.time() - 60, time.time() - 60))
    os.utime(mine, (time.time() - 60, time.time() - 60))
    os.utime(fresh, (time.time() + 60, time.time() + 60))  # a build running right now
    write_outputs({"notes/a.html": b"page", "index.html": b"index"}, out)
    assert not stale.exists() and fresh.exists() and mine.exists()


# ---- full disk, read-only folder


def _fail(monkeypatch, name: str, code: int, *, when: str = "") -> list[str]:
    """Make os.<name> fail with `code` (for paths containing `when`); return what it refused."""
    real = getattr(os, name)
    refused: list[str] = []

    def failing(*args, **kwargs):
        target = str(args[1] if name == "replace" else args[0])
        if when in target:
            refused.append(target)
            raise OSError(code, os.strerror(code), target)
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, failing)
    return refused


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
@pytest.mark.parametrize("how", ["replace", "open"])
def test_output_folder_that_cannot_be_written(runner, tmp_path, monkeypatch, code, how):
    vault = make_vault(tmp_path / "vault")
    first = runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY])
    assert first.exit_code == 0, first.output
    before = site_text(vault / "_site")
    (vault / "companies" / "Globex.md").write_text("---\nfollow_up: 2026-12-09\n---\nNew\n")
    refused = _fail(monkeypatch, how, code, when="_site")
    result = runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY, "--no-cache"])
    monkeypatch.undo()
    assert refused
    assert result.exit_code == 2, result.output
    message = [line for line in result.output.splitlines() if line.startswith("vaultkit:")]
    assert len(message) == 1 and os.strerror(code) in message[0], result.output
    assert "cannot write" in message[0] and "_site" in message[0]
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert site_text(vault / "_site") == before  # nothing lost, no temp file left behind


@pytest.mark.parametrize("page", ["agenda.html", "vault.json", "globex.html"])
def test_a_site_file_that_cannot_be_written_is_named(runner, tmp_path, monkeypatch, page):
    """A full disk while a page or a site-wide file (written as it is made) is written: the
    message names that file, the site keeps its old files, and no temporary file is left."""
    vault = make_vault(tmp_path / "vault")
    assert runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY]).exit_code == 0
    before = site_text(vault / "_site")
    (vault / "companies" / "Globex.md").write_text("---\nfollow_up: 2026-12-09\n---\nNew\n")
    refused = _fail(monkeypatch, "open", errno.ENOSPC, when=f".{page}.")
    result = runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY])
    monkeypatch.undo()
    assert refused
    assert result.exit_code == 2, result.output
    message = [line for line in result.output.splitlines() if line.startswith("vaultkit:")]
    assert len(message) == 1, result.output
    assert f"cannot write {vault / '_site'}" in message[0] and page in message[0]
    assert os.strerror(errno.ENOSPC) in message[0]
    site = site_text(vault / "_site")
    assert {k: v for k, v in site.items() if k != "followups.ics"} == {
        k: v for k, v in before.items() if k != "followups.ics"
    }  # the feed is written first, and may be new


def test_a_staged_file_that_cannot_be_put_in_place_leaves_no_temporary_file(
    runner, tmp_path, monkeypatch
):
    vault = make_vault(tmp_path / "vault")
    assert runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY]).exit_code == 0
    (vault / "companies" / "Globex.md").write_text("---\nfollow_up: 2026-12-09\n---\nNew\n")
    refused = _fail(monkeypatch, "replace", errno.EROFS, when="agenda.html")
    result = runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY])
    monkeypatch.undo()
    assert refused and result.exit_code == 2, result.output
    assert "cannot write" in result.output and "agenda.html" in result.output
    assert [p.name for p in (vault / "_site").rglob("*.tmp")] == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_ics_to_a_file_that_cannot_be_written(runner, tmp_path, monkeypatch, code):
    vault = make_vault(tmp_path / "vault")
    target = tmp_path / "feed.ics"
    target.write_bytes(b"old feed")
    _fail(monkeypatch, "replace", code, when="feed.ics")
    result = runner.invoke(cli, ["ics", "--vault", str(vault), "--today", TODAY, "-o", str(target)])
    monkeypatch.undo()
    assert result.exit_code == 2 and "internal error" not in result.output, result.output
    assert os.strerror(code) in result.output and str(target) in result.output
    assert target.read_bytes() == b"old feed"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["feed.ics"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_log_to_a_note_that_cannot_be_written(runner, tmp_path, monkeypatch, code):
    vault = make_vault(tmp_path / "vault")
    note = vault / "companies" / "Globex.md"
    before = note.read_bytes()
    _fail(monkeypatch, "replace", code, when="Globex.md")
    result = runner.invoke(cli, ["log", "Globex", "Called", "--vault", str(vault), "--date", TODAY])
    monkeypatch.undo()
    assert result.exit_code == 2 and "internal error" not in result.output, result.output
    assert os.strerror(code) in result.output and "companies/Globex.md" in result.output
    assert note.read_bytes() == before
    assert sorted(p.name for p in note.parent.iterdir()) == ["Globex.md"]


# ---- two edits at once


@pytest.mark.parametrize("rounds", [5, pytest.param(20, marks=pytest.mark.slow)])
def test_concurrent_log_commands_lose_no_line(tmp_path, rounds):
    vault = make_vault(tmp_path / "vault")
    note = vault / "companies" / "Globex.md"
    env = {**os.environ, "NO_COLOR": "1"}
    for round_ in range(rounds):
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "vaultkit",
                    "log",
                    "Globex",
                    f"round {round_} writer {w}",
                    "--vault",
                    str(vault),
                    "--date",
                    TODAY,
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for w in range(2)
        ]
        for proc in procs:
            _out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
    text = note.read_text()
    for round_ in range(rounds):
        for w in range(2):
            assert text.count(f"- {TODAY} round {round_} writer {w}\n") == 1, (round_, w)
    assert text.startswith("---\nstage: applied\n")
    assert not [p for p in note.parent.iterdir() if p.name != "Globex.md"]


def test_a_held_lock_makes_log_wait_then_give_up(runner, tmp_path, monkeypatch):
    fcntl = pytest.importorskip("fcntl")
    import vaultkit.commands.edit

    vault = make_vault(tmp_path / "vault")
    note = vault / "companies" / "Globex.md"
    before = note.read_bytes()
    monkeypatch.setattr(vaultkit.commands.edit, "LOCK_WAIT", 0.3)
    with open(note, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        started = time.monotonic()
        result = runner.invoke(cli, ["log", "Globex", "x", "--vault", str(vault)])
        waited = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert "being edited by another vaultkit command" in result.output
    assert 0.3 <= waited < 5 and note.read_bytes() == before


# ---- the user saves while `done` writes


@pytest.mark.parametrize("kind", ["task", "log"])
def test_done_never_clobbers_a_save_made_while_it_writes(
    runner, vault_dir, write_note, monkeypatch, kind
):
    import vaultkit.commands.edit
    import vaultkit.store.atomic

    note = write_note(
        "companies/Globex.md",
        """\
        ---
        stage: applied
        follow_up: 2026-12-02
        ---
        - [ ] Send the portfolio 📅 2026-12-03
        """,
    )
    rule = "task" if kind == "task" else "follow-up"
    from vaultkit.pipeline import evaluate
    from vaultkit.vault.config import load_config

    evaluation = evaluate(load_config(vault_dir), __import__("datetime").date(2026, 12, 1))
    item = next(f for f in evaluation.followups if f.rule == rule)
    users = b"---\nstage: interviewing\n---\nThe user's own words, saved just now.\n"
    real = vaultkit.store.atomic.atomic_write

    def racing_write(path, data, **kwargs):
        hook = kwargs.get("before_replace")

        def save_then_check():
            Path(path).write_bytes(users)  # the editor saves between the read and the rename
            if hook:
                hook()

        return real(path, data, **{**kwargs, "before_replace": save_then_check})

    monkeypatch.setattr(vaultkit.store.atomic, "atomic_write", racing_write)
    result = runner.invoke(cli, ["done", item.id, "--vault", str(vault_dir), "--today", TODAY])
    assert result.exit_code == 2, result.output
    assert "changed on disk while vaultkit was editing it" in result.output
    assert note.read_bytes() == users
    assert [p.name for p in note.parent.iterdir()] == ["Globex.md"]


# ---- a shared machine


def test_the_cache_is_private_to_the_user(runner, tmp_path, private_cache):
    """The parse cache holds every note's properties and log lines: other users of the
    machine must not be able to read it, whatever the umask."""
    old = os.umask(0o022)
    try:
        vault = make_vault(tmp_path / "vault")
        for args in (["agenda", "--json"], ["build"]):
            result = runner.invoke(cli, [*args, "--vault", str(vault), "--today", TODAY])
            assert result.exit_code == 0, result.output
    finally:
        os.umask(old)
    folder = private_cache / "vaultkit"
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files
    assert folder.stat().st_mode & 0o077 == 0
    for path in files:
        assert path.stat().st_mode & 0o077 == 0, path
