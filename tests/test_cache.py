from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from vaultkit.cli import cli
from vaultkit.store.cache import checksum, store_path
from vaultkit.vault import parse as parse_module


def agenda(runner, vault_dir, *extra):
    result = runner.invoke(
        cli, ["agenda", "--vault", str(vault_dir), "--today", "2026-12-01", "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def count_parses(monkeypatch):
    calls = []
    real = parse_module.parse_source

    def counting(rel, data):
        calls.append(rel)
        return real(rel, data)

    monkeypatch.setattr(parse_module, "parse_source", counting)
    return calls


def seed(write_note):
    write_note("people/Jane.md", "---\nfollow_up: 2026-12-02\n---\n")
    write_note("people/Raj.md", "---\nfollow_up: 2026-12-03\n---\n")


def test_only_changed_notes_are_reparsed(runner, vault_dir, write_note, monkeypatch):
    seed(write_note)
    calls = count_parses(monkeypatch)
    first = agenda(runner, vault_dir)
    assert sorted(calls) == ["people/Jane.md", "people/Raj.md"]
    calls.clear()
    assert agenda(runner, vault_dir) == first
    assert calls == []
    path = write_note("people/Raj.md", "---\nfollow_up: 2026-12-04\n---\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    changed = agenda(runner, vault_dir)
    assert calls == ["people/Raj.md"]
    assert changed[-1]["due"] == "2026-12-04"


def test_bodies_are_let_go_once_stored_and_asked_back(vault_dir, write_note):
    """An evaluation keeps no body the store holds: a body is asked back one at a time, from
    the store, or from the note itself should the store have lost it. Without the store the
    bodies stay in memory."""
    from datetime import date

    from vaultkit.pipeline import evaluate
    from vaultkit.vault.config import load_config

    write_note("people/Jane.md", "---\nfollow_up: 2026-12-02\n---\nMet at *PyCon*.\n")
    write_note("people/Raj.md", "Raj's notes, no frontmatter.\n")
    config = load_config(vault_dir)
    evaluation = evaluate(config, date(2026, 12, 1))
    assert len(evaluation.vault.notes) == 2
    assert [s.body for s in evaluation.sources.values()] == [None, None]
    assert evaluation.body("people/Jane.md") == "Met at *PyCon*."
    with sqlite3.connect(store_path(vault_dir)) as db:
        db.execute("DELETE FROM notes")
    assert evaluation.body("people/Raj.md") == "Raj's notes, no frontmatter."
    uncached = evaluate(config, date(2026, 12, 1), use_cache=False)
    assert len(uncached.vault.notes) == 2
    assert uncached.body("people/Jane.md") == "Met at *PyCon*."
    assert None not in [s.body for s in uncached.sources.values()]


def test_no_cache_reparses_everything(runner, vault_dir, write_note, monkeypatch):
    seed(write_note)
    agenda(runner, vault_dir)
    calls = count_parses(monkeypatch)
    agenda(runner, vault_dir, "--no-cache")
    assert len(calls) == 2


def _rows(vault_dir):
    with sqlite3.connect(store_path(vault_dir)) as db:
        return {bytes(k).decode(): v for k, v in db.execute("SELECT path, parsed FROM notes")}


def _damage(vault_dir, how):
    """Damage the stored parse of Jane's note, keeping the row's checksum right when asked:
    what a foreign writer (not bit rot) would do."""
    db = sqlite3.connect(store_path(vault_dir))
    with db:
        for key, stamp, parsed in db.execute("SELECT path, stamp, parsed FROM notes").fetchall():
            if bytes(key) != b"people/Jane.md":
                continue
            data = json.loads(parsed)
            if how == "bit rot":
                new = bytes(parsed).replace(b"2026-12-02", b"2026-12-07")
                db.execute("UPDATE notes SET parsed = ? WHERE path = ?", (new, key))
                continue
            if how == "wrong types":
                data[1] = ["follow_up", "2026-12-02"]  # meta must be a dict
                data[7] = [["Jane", "one"]]  # a link's line must be an int
            elif how == "wrong path":
                data[0] = "people/Raj.md"
            new = json.dumps(data).encode()
            db.execute(
                "UPDATE notes SET parsed = ?, psum = ? WHERE path = ?",
                (new, checksum(stamp.encode(), new), key),
            )
    db.close()


@pytest.mark.parametrize("how", ["bit rot", "wrong types", "wrong path"])
def test_a_damaged_or_foreign_row_is_a_miss(runner, vault_dir, write_note, monkeypatch, how):
    seed(write_note)
    expected = agenda(runner, vault_dir, "--no-cache")
    agenda(runner, vault_dir)
    _damage(vault_dir, how)
    calls = count_parses(monkeypatch)
    assert agenda(runner, vault_dir, "--all") == agenda(runner, vault_dir, "--all", "--no-cache")
    assert agenda(runner, vault_dir) == expected
    assert "people/Jane.md" in calls


@pytest.mark.parametrize(
    "garbage", [b"", b"\x00not a database", b"SQLite format 3\x00" + b"\xff" * 5000]
)
def test_a_damaged_store_is_rebuilt(runner, vault_dir, write_note, garbage):
    seed(write_note)
    expected = agenda(runner, vault_dir, "--no-cache")
    agenda(runner, vault_dir)
    path = store_path(vault_dir)
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        name.unlink(missing_ok=True)
    path.write_bytes(garbage)
    os.chmod(path, 0o600)
    assert agenda(runner, vault_dir) == expected
    assert set(_rows(vault_dir)) == {"people/Jane.md", "people/Raj.md"}  # rebuilt, and used


def test_another_version_or_vault_rebuilds_the_store(runner, vault_dir, write_note, monkeypatch):
    seed(write_note)
    agenda(runner, vault_dir)
    monkeypatch.setattr("vaultkit.store.cache.__version__", "9.9.9")
    calls = count_parses(monkeypatch)
    agenda(runner, vault_dir)
    assert sorted(calls) == ["people/Jane.md", "people/Raj.md"]


def test_deleted_notes_leave_the_store(runner, vault_dir, write_note):
    seed(write_note)
    agenda(runner, vault_dir)
    (vault_dir / "people/Raj.md").unlink()
    assert [i["note"] for i in agenda(runner, vault_dir)] == ["people/Jane.md"]
    assert list(_rows(vault_dir)) == ["people/Jane.md"]


def test_a_change_that_keeps_size_and_mtime_is_seen(runner, vault_dir, write_note):
    """Same length, modification time set back: the change time (and inode) still differ."""
    seed(write_note)
    path = vault_dir / "people/Raj.md"
    before = path.stat()
    agenda(runner, vault_dir)
    path.write_text("---\nfollow_up: 2026-12-05\n---\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert [i["due"] for i in agenda(runner, vault_dir)] == ["2026-12-02", "2026-12-05"]


def _untrusted(folder, how):
    folder.mkdir(parents=True, exist_ok=True)
    if how == "world-writable":
        os.chmod(folder, 0o777)
    else:  # a folder someone else made: pretend we are another user
        os.chmod(folder, 0o700)


@pytest.mark.parametrize("how", ["world-writable", "foreign-owned"])
def test_an_untrusted_cache_folder_is_not_used(
    runner, vault_dir, write_note, private_cache, monkeypatch, how
):
    seed(write_note)
    folder = private_cache / "vaultkit"
    _untrusted(folder, how)
    if how == "foreign-owned":
        monkeypatch.setattr("vaultkit.store.cache.os.geteuid", lambda: os.getuid() + 1)
    result = runner.invoke(cli, ["agenda", "--vault", str(vault_dir), "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "not using the cache" in result.output
    assert list(folder.iterdir()) == []  # nothing written where others could read or plant it
    build = runner.invoke(cli, ["build", "--vault", str(vault_dir), "--today", "2026-12-01"])
    assert build.exit_code == 0 and "not using the cache" in build.output
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "symlink-out", "wal-fifo"])
def test_special_files_in_the_cache_neither_hang_nor_eat_memory(
    runner, vault_dir, write_note, tmp_path, kind
):
    seed(write_note)
    expected = agenda(runner, vault_dir, "--no-cache")
    path = store_path(vault_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    if kind == "fifo":
        os.mkfifo(path, 0o600)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "symlink-out":
        (tmp_path / "elsewhere").write_bytes(b"")
        path.symlink_to(tmp_path / "elsewhere")
    else:
        agenda(runner, vault_dir)
        wal = path.with_name(path.name + "-wal")
        wal.unlink(missing_ok=True)
        os.mkfifo(wal, 0o600)
    answer: list[object] = []
    worker = threading.Thread(target=lambda: answer.append(agenda(runner, vault_dir)))
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "hung on a special file in the cache"
    assert answer == [expected]
    assert stat.S_ISREG(os.lstat(path).st_mode)  # replaced by a real store
    if kind == "symlink-out":
        assert (tmp_path / "elsewhere").read_bytes() == b""


def test_the_store_survives_a_crash_mid_write(runner, vault_dir, write_note, monkeypatch):
    """A writer killed inside a transaction (SIGKILL) leaves the last committed state."""
    seed(write_note)
    agenda(runner, vault_dir)
    killer = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from vaultkit.store.cache import Store\n"
        "store = Store.open(Path(sys.argv[1]))\n"
        "store.db.execute('BEGIN')\n"
        "store.db.execute('DELETE FROM notes')\n"
        "for i in range(2000):\n"
        "    store.db.execute('INSERT INTO notes VALUES (?, 1, 2, 3, 4, 5)', (str(i).encode(),))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(store_path(vault_dir).parent.parent)}
    done = subprocess.run([sys.executable, "-c", killer, str(vault_dir)], env=env, check=False)
    assert done.returncode == -signal.SIGKILL
    calls = count_parses(monkeypatch)
    assert agenda(runner, vault_dir, "--all") == agenda(runner, vault_dir, "--all", "--no-cache")
    assert set(_rows(vault_dir)) == {"people/Jane.md", "people/Raj.md"}
    assert calls == ["people/Jane.md", "people/Raj.md"]  # only the --no-cache run parsed


def _bump(path):
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))


@pytest.mark.parametrize(
    "change", ["edit", "rename", "delete", "touch", "config", "version", "corrupt"]
)
def test_every_kind_of_change_gives_the_uncached_answer(
    runner, vault_dir, write_note, monkeypatch, change
):
    seed(write_note)
    write_note(
        "companies/Globex.md",
        "---\nstage: applied\napplied: 2026-11-20\n---\n- 2026-11-21 Call with [[Jane]]\n",
    )
    agenda(runner, vault_dir)  # fills the cache
    if change == "edit":
        path = write_note("people/Jane.md", "---\nfollow_up: 2026-12-09\n---\n")
        _bump(path)
    elif change == "rename":
        (vault_dir / "people/Jane.md").rename(vault_dir / "people/Jane Doe.md")
    elif change == "delete":
        (vault_dir / "people/Raj.md").unlink()
    elif change == "touch":
        _bump(vault_dir / "people/Raj.md")
    elif change == "config":
        (vault_dir / "vaultkit.toml").write_text(
            'timezone = "Asia/Tokyo"\n[rules.application-follow-up]\ndays = 9\n'
        )
    elif change == "version":
        monkeypatch.setattr("vaultkit.store.cache.__version__", "9.9.9")
    else:
        store_path(vault_dir).write_bytes(b"SQLite format 3\x00 and then garbage")
    cached = agenda(runner, vault_dir, "--all")
    fresh = agenda(runner, vault_dir, "--all", "--no-cache")
    assert cached == fresh
    check_cached = runner.invoke(cli, ["check", "--vault", str(vault_dir), "--json"])
    check_fresh = runner.invoke(cli, ["check", "--vault", str(vault_dir), "--json", "--no-cache"])
    assert check_cached.output == check_fresh.output


def test_an_unchanged_build_renders_nothing_and_a_damaged_output_is_rebuilt(
    runner, vault_dir, write_note, monkeypatch
):
    seed(write_note)
    args = ["build", "--vault", str(vault_dir), "--today", "2026-12-01"]
    assert runner.invoke(cli, args).exit_code == 0
    feed = vault_dir / "_site/followups.ics"
    before = feed.read_bytes()

    def no_render(self, **options):
        raise AssertionError("rendered although nothing changed")

    from vaultkit.commands.engine import Engine

    real = Engine.refresh
    monkeypatch.setattr(Engine, "refresh", no_render)
    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and "0 file(s) written" in again.output
    monkeypatch.setattr(Engine, "refresh", real)
    feed.write_bytes(b"tampered")
    repaired = runner.invoke(cli, args)
    assert "1 file(s) written" in repaired.output
    assert feed.read_bytes() == before


def test_a_build_notices_the_vault_becoming_an_obsidian_vault(runner, vault_dir, write_note):
    seed(write_note)
    args = ["build", "--vault", str(vault_dir), "--today", "2026-12-01"]
    runner.invoke(cli, args)
    assert b"obsidian://" not in (vault_dir / "_site/followups.ics").read_bytes()
    (vault_dir / ".obsidian").mkdir()  # the user opened the folder in Obsidian
    assert "0 file(s) written" not in runner.invoke(cli, args).output
    assert b"obsidian://open?vault=vault" in (vault_dir / "_site/followups.ics").read_bytes()


def test_check_notices_a_mapped_folder_appearing(runner, vault_dir, write_note):
    (vault_dir / "vaultkit.toml").write_text('[types.contact]\nfolders = ["crew"]\n')
    args = ["check", "--vault", str(vault_dir), "--json"]
    assert "does not exist" in runner.invoke(cli, args).output
    (vault_dir / "crew").mkdir()
    assert "does not exist" not in runner.invoke(cli, args).output


def test_an_unchanged_vaults_agenda_is_printed_as_kept(runner, vault_dir, write_note, monkeypatch):
    """The agenda as printed is kept with the answers: an unchanged vault's is printed again
    without formatting a follow-up; other options, or an edit, format afresh."""
    from vaultkit.render import terminal

    seed(write_note)

    def text(*extra):
        args = ["agenda", "--vault", str(vault_dir), "--today", "2026-12-01", *extra]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        return result.output

    first = text()
    formatted = []
    real = terminal.format_agenda
    monkeypatch.setattr(
        terminal, "format_agenda", lambda *a, **k: formatted.append(1) or real(*a, **k)
    )
    assert text() == first and formatted == []
    assert text("--days", "1") == text("--days", "1", "--no-cache") != first
    assert formatted
    write_note("people/Raj.md", "---\nfollow_up: 2026-11-30\n---\n")
    assert text() == text("--no-cache") != first


@pytest.mark.parametrize("system", ["linux", "darwin", "win32"])
def test_the_store_and_serves_secrets_live_where_the_system_keeps_them(monkeypatch, system):
    """$XDG_CACHE_HOME / $XDG_STATE_HOME when set; else platformdirs' folders (on Linux the
    same answer without importing it)."""
    import platformdirs

    from vaultkit.commands.serve import keys_file
    from vaultkit.store.cache import cache_dir

    monkeypatch.setattr(sys, "platform", system)
    monkeypatch.setenv("XDG_CACHE_HOME", "/elsewhere/cache")
    monkeypatch.setenv("XDG_STATE_HOME", "/elsewhere/state")
    assert cache_dir() == Path("/elsewhere/cache/vaultkit")
    assert keys_file(Path("/v")).parent == Path("/elsewhere/state/vaultkit")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.delenv("XDG_STATE_HOME")
    # platformdirs chose its implementation for the machine the tests run on at import time.
    assert cache_dir() == platformdirs.user_cache_path("vaultkit", appauthor=False)
    assert keys_file(Path("/v")).parent == platformdirs.user_state_path("vaultkit", appauthor=False)
