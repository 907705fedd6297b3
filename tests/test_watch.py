"""A real Watcher (watchdog) on a temporary vault, with a short debounce and bounded waits."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import TODAY
from site_helpers import make_vault

from vaultkit.commands.watch import Rebuild, Watcher, describe, relevant_path
from vaultkit.vault.config import load_config

DELAY = 0.15
WAIT = 10.0


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "v")


@pytest.fixture
def watcher(vault: Path):
    w = Watcher(lambda: load_config(vault), lambda _config: TODAY, None, None, delay=DELAY)
    first = w.start()
    assert first.ok, first.error
    yield w
    w.stop()
    assert w._thread is not None and not w._thread.is_alive()
    assert w._observer is not None and not w._observer.is_alive()


def feed(vault: Path) -> str:
    try:
        return (vault / "_site/followups.ics").read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def settle(w: Watcher, quiet: float = 6 * DELAY) -> None:
    """Wait until no build ran and none is pending for `quiet` seconds (bounded)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        count = len(w.builds)
        time.sleep(quiet)
        if len(w.builds) == count and not w.pending:
            return
    raise AssertionError("the watcher never settled")


def until(w: Watcher, predicate) -> None:
    assert w.wait_until(predicate, WAIT), "timed out waiting for the outputs"


def test_first_build_writes_the_site(watcher, vault):
    assert watcher.builds[0].number == 1 and watcher.builds[0].changed == []
    assert "Update the resume" in feed(vault)
    assert watcher.out_dir == (vault / "_site").resolve()


def test_an_edit_triggers_one_rebuild_and_the_feed_changes(watcher, vault):
    settle(watcher)
    before = len(watcher.builds)
    (vault / "Plan.md").write_text("# Plan\n- [ ] Send the portfolio 📅 2026-12-11\n")
    rebuild = watcher.wait_for_build(WAIT, after=before)
    assert rebuild is not None and rebuild.ok, rebuild
    assert "Plan.md" in rebuild.changed
    until(watcher, lambda: "Send the portfolio" in feed(vault))
    assert "Update the resume" not in feed(vault)
    settle(watcher)
    # One build; two when the first caught the write half-way (the file truncated, not yet
    # written: possible on a busy machine), and the second builds what the note ended as.
    assert 1 <= len(watcher.builds) - before <= 2, [b.changed for b in watcher.builds]


def test_a_burst_of_50_writes_coalesces(watcher, vault):
    settle(watcher)
    before = len(watcher.builds)
    for i in range(50):
        (vault / f"notes/n{i:02}.md").parent.mkdir(exist_ok=True)
        (vault / f"notes/n{i:02}.md").write_text(f"- [ ] Task {i} 📅 2026-12-20\n")
    until(watcher, lambda: "Task 49" in feed(vault) and "Task 0" in feed(vault))
    settle(watcher)
    assert 1 <= len(watcher.builds) - before < 5
    assert all(b.ok for b in watcher.builds)


def test_vim_save_sequence(watcher, vault):
    settle(watcher)
    before = len(watcher.builds)
    note = vault / "Plan.md"
    # vim: probe the folder with 4913, keep a swap file, write a new file and rename it over.
    (vault / "4913").write_text("")
    (vault / "4913").unlink()
    swap = vault / ".Plan.md.swp"
    swap.write_bytes(b"\0" * 64)
    backup = vault / "Plan.md~"
    os.rename(note, backup)
    tmp = vault / "Plan.md.tmp"
    tmp.write_text("# Plan\n- [ ] Vim wrote this 📅 2026-12-12\n")
    os.rename(tmp, note)
    backup.unlink()
    swap.unlink()
    until(watcher, lambda: "Vim wrote this" in feed(vault))
    settle(watcher)
    new = watcher.builds[before:]
    assert new and all(b.ok for b in new), [b.error for b in new]
    changed = {rel for b in new for rel in b.changed}
    assert changed == {"Plan.md"}, changed
    assert len(new) <= 2


def test_droppings_alone_trigger_nothing(watcher, vault):
    settle(watcher)
    before = len(watcher.builds)
    (vault / "4913").write_text("")
    (vault / ".Plan.md.swx").write_text("x")
    (vault / "Plan.md~").write_text("x")
    (vault / "draft.tmp").write_text("x")
    (vault / ".~Plan.md").write_text("x")
    (vault / ".obsidian").mkdir()
    (vault / ".obsidian/workspace.json").write_text("{}")
    (vault / ".git/objects").mkdir(parents=True)
    (vault / ".git/objects/ab.md").write_text("x")
    (vault / "image.png").write_bytes(b"\x89PNG")
    (vault / "_site/extra.md").write_text("in the output folder")
    settle(watcher)
    assert len(watcher.builds) == before


def test_relevant_path_rules(tmp_path):
    vault, out = tmp_path, tmp_path / "_site"
    assert relevant_path(vault / "a/b.md", vault, out) == "a/b.md"
    assert relevant_path(vault / "vaultkit.toml", vault, out) == "vaultkit.toml"
    assert relevant_path(vault / "sub/vaultkit.toml", vault, out) is None
    for name in (
        "4913",
        ".a.md.swp",
        "a.md.swx",
        "a.md~",
        "a.md.tmp",
        ".~a.md",
        "a.png",
        ".obsidian/app.json",
        ".trash/old.md",
        ".git/x.md",
        "_site/index.md",
    ):
        assert relevant_path(vault / name, vault, out) is None, name
    assert relevant_path(vault / "companies", vault, out, is_directory=True) == "companies/"
    assert relevant_path(vault / ".trash/x", vault, out, is_directory=True) is None
    assert relevant_path(tmp_path.parent / "elsewhere.md", vault, out) is None


def test_delete_and_rename_of_a_note(watcher, vault):
    (vault / "Plan.md").unlink()
    until(
        watcher,
        lambda: (
            "Update the resume" not in feed(vault)
            and not (vault / "_site/notes/plan.html").exists()
        ),
    )
    os.rename(vault / "people/Jane Doe.md", vault / "people/Jane Roe.md")
    until(
        watcher,
        lambda: (
            (vault / "_site/notes/people/jane-roe.html").is_file()
            and not (vault / "_site/notes/people/jane-doe.html").exists()
        ),
    )
    assert all(b.ok for b in watcher.builds)


def test_move_delete_and_create_of_folders(watcher, vault, tmp_path):
    os.rename(vault / "companies", vault / "employers")
    until(
        watcher,
        lambda: (
            (vault / "_site/notes/employers/globex.html").is_file()
            and not (vault / "_site/notes/companies/globex.html").exists()
        ),
    )
    shutil.rmtree(vault / "people")
    until(watcher, lambda: not (vault / "_site/notes/people/jane-doe.html").exists())
    # A folder made elsewhere, with notes already in it, moved into the vault.
    outside = tmp_path / "outside/projects"
    outside.mkdir(parents=True)
    (outside / "Launch.md").write_text("- [ ] Launch checklist 📅 2026-12-15\n")
    os.rename(outside, vault / "projects")
    until(watcher, lambda: "Launch checklist" in feed(vault))
    # And a folder moved out of the vault takes its notes with it.
    os.rename(vault / "projects", tmp_path / "outside/projects")
    until(watcher, lambda: "Launch checklist" not in feed(vault))
    assert all(b.ok for b in watcher.builds)


def test_config_change_reloads_config(watcher, vault):
    settle(watcher)
    assert "vault=Jobs" in feed(vault)
    (vault / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\nvault_name = "Hunt2027"\n')
    # The feed is written first, before the build is recorded: wait for both.
    until(
        watcher,
        lambda: (
            "vault=Hunt2027" in feed(vault)
            and any("vaultkit.toml" in b.changed for b in watcher.builds)
        ),
    )


def test_output_setting_change_moves_the_output(watcher, vault):
    settle(watcher)
    (vault / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\noutput = "public"\n')
    until(watcher, lambda: (vault / "public/followups.ics").is_file())
    assert watcher.out_dir == (vault / "public").resolve()
    settle(watcher)  # writing public/ itself must not trigger more builds
    count = len(watcher.builds)
    settle(watcher)
    assert len(watcher.builds) == count


def test_a_failing_build_is_reported_and_the_loop_goes_on(vault, monkeypatch):
    from vaultkit.commands.engine import Engine

    real = Engine.refresh
    seen: list[Rebuild] = []

    def flaky(self, **options):
        if "BOOM" in (vault / "Plan.md").read_text():
            raise RuntimeError("kaboom\nsecond line")
        return real(self, **options)

    monkeypatch.setattr(Engine, "refresh", flaky)
    w = Watcher(lambda: load_config(vault), lambda _c: TODAY, None, seen.append, delay=DELAY)
    w.start()
    try:
        (vault / "Plan.md").write_text("BOOM\n")
        until(w, lambda: any(not b.ok for b in w.builds))
        failed = next(b for b in w.builds if not b.ok)
        assert failed.error == "RuntimeError: kaboom second line"
        line = describe(failed)
        assert "build failed" in line and "\n" not in line
        (vault / "Plan.md").write_text("- [ ] Recovered 📅 2026-12-09\n")
        # The feed is written before the rebuild is recorded and reported: wait for both.
        until(
            w,
            lambda: (
                "Recovered" in feed(vault)
                and w.builds[-1].ok
                and bool(seen)
                and seen[-1] is w.builds[-1]
            ),
        )
        assert w.builds[-1].ok and seen[-1] is w.builds[-1]
    finally:
        w.stop()


def test_a_note_vanishing_mid_build_is_not_an_error(vault, monkeypatch):
    import vaultkit.vault.scan as scan_module

    real_scan = scan_module.scan_vault

    def scan_then_vanish(*args, **kwargs):
        scan = real_scan(*args, **kwargs)
        (vault / "Plan.md").unlink(missing_ok=True)  # gone between the scan and the read
        return scan

    monkeypatch.setattr(scan_module, "scan_vault", scan_then_vanish)
    w = Watcher(lambda: load_config(vault), lambda _c: TODAY, None, None, delay=DELAY)
    first = w.start()
    try:
        assert first.ok, first.error
        assert first.result is not None and first.result.errors == 0
        assert "Update the resume" not in feed(vault)
    finally:
        w.stop()


def test_describe_says_what_changed_and_what_was_rebuilt(watcher, vault):
    (vault / "Plan.md").write_text("# Plan\n")
    (vault / "Other.md").write_text("# Other\n")
    until(watcher, lambda: (vault / "_site/notes/other.html").is_file())
    line = describe(watcher.builds[-1])
    assert "changed" in line and "written" in line and "unchanged" in line
    assert "removed" in line and "problem" in line and "s;" in line
    assert describe(watcher.builds[0]).split("] ", 1)[1].startswith("first build")


def test_today_is_asked_each_rebuild(vault):
    days = []

    def today_fn(config):
        days.append(config.vault)
        return TODAY

    w = Watcher(lambda: load_config(vault), today_fn, None, None, delay=DELAY)
    w.start()
    try:
        (vault / "Plan.md").write_text("# Plan\n")
        assert w.wait_for_build(WAIT, after=1) is not None
        assert len(days) >= 2
    finally:
        w.stop()


def test_a_burst_of_500_files_like_a_checkout(watcher, vault):
    settle(watcher)
    before = len(watcher.builds)
    for i in range(500):
        path = vault / f"batch/d{i % 10}/n{i:03}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"- [ ] Item {i} 📅 2026-12-20\n")
    until(watcher, lambda: all(f"Item {i}" in feed(vault) for i in (0, 250, 499)))
    settle(watcher)
    assert 1 <= len(watcher.builds) - before < 5
    assert feed(vault).count("BEGIN:VTODO") + feed(vault).count("BEGIN:VEVENT") >= 500


def test_a_long_run_keeps_only_the_latest_rebuilds(vault, monkeypatch):
    import vaultkit.commands.watch as watch_module

    monkeypatch.setattr(watch_module, "KEPT_BUILDS", 2)
    w = Watcher(lambda: load_config(vault), lambda _config: TODAY, None, None, delay=DELAY)
    assert w.start().ok
    try:
        for i in range(3):
            settle(w)
            before = w.count
            (vault / "Plan.md").write_text(f"# Plan\n- [ ] Step {i} 📅 2026-12-11\n")
            assert w.wait_for_build(WAIT, after=before) is not None
        settle(w)
        assert w.count >= 4 and len(w.builds) == 2
        assert [b.number for b in w.builds] == [w.count - 1, w.count]
    finally:
        w.stop()


def _rename(vault: Path, old: str, new: str) -> None:
    (vault / new).parent.mkdir(parents=True, exist_ok=True)
    os.rename(vault / old, vault / new)


def _append(vault: Path, rel: str, text: str) -> None:
    with (vault / rel).open("a", encoding="utf-8") as fh:
        fh.write(text)


CHANGES = [
    (
        "create",
        lambda v: (v / "companies/Initech.md").write_text(
            '---\nstage: interviewing\ncontacts: ["[[Jane Doe]]"]\n---\n'
            "- [ ] Send the take-home 📅 2026-12-04\n",
            encoding="utf-8",
        ),
    ),
    ("edit", lambda v: _append(v, "people/Jane Doe.md", "\n## Log\n- 2026-11-28 Coffee #call\n")),
    ("rename", lambda v: _rename(v, "people/Jane Doe.md", "people/Jane Roe.md")),
    ("move", lambda v: _rename(v, "companies/Initech.md", "archive/Initech.md")),
    ("delete", lambda v: (v / "Plan.md").unlink()),
    (
        "config",
        lambda v: (v / "vaultkit.toml").write_text(
            'timezone = "Europe/Berlin"\nvault_name = "Hunt"\n[feed]\npast_days = 3\n',
            encoding="utf-8",
        ),
    ),
    ("folder move", lambda v: _rename(v, "companies", "employers")),
]


def test_the_outputs_equal_a_fresh_build_after_every_kind_of_change(watcher, vault, tmp_path):
    """The live engine's invariant, checked byte for byte after each kind of change (the soak
    test checks it after a thousand random ones)."""
    from site_helpers import snapshot

    from vaultkit.commands.build import build

    for i, (kind, change) in enumerate(CHANGES):
        settle(watcher)
        count = len(watcher.builds)
        change(vault)
        until(watcher, lambda count=count: len(watcher.builds) > count)
        settle(watcher)
        fresh = tmp_path / f"fresh-{i}"
        build(load_config(vault), TODAY, fresh, use_cache=False)
        watched, rebuilt = snapshot(vault / "_site"), snapshot(fresh)
        assert watched.keys() == rebuilt.keys(), kind
        assert [name for name in watched if watched[name] != rebuilt[name]] == [], kind
    assert all(b.ok for b in watcher.builds)
