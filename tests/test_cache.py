from __future__ import annotations

import json
import os

import pytest

from vaultkit import parse as parse_module
from vaultkit import pipeline
from vaultkit.cache import FORMAT, cache_file
from vaultkit.cli import cli


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

    monkeypatch.setattr(pipeline, "parse_source", counting)
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


def test_no_cache_reparses_everything(runner, vault_dir, write_note, monkeypatch):
    seed(write_note)
    agenda(runner, vault_dir)
    calls = count_parses(monkeypatch)
    agenda(runner, vault_dir, "--no-cache")
    assert len(calls) == 2


def test_corrupt_or_foreign_cache_is_ignored(runner, vault_dir, write_note, monkeypatch):
    seed(write_note)
    expected = agenda(runner, vault_dir, "--no-cache")
    target = cache_file(vault_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    for garbage in (
        b"\x00not json",
        b"[]",
        b'{"format": 1}',
        json.dumps(
            {"format": FORMAT, "version": "0.0.0", "vault": str(vault_dir), "notes": {}}
        ).encode(),
        json.dumps(
            {
                "format": FORMAT,
                "version": __import__("vaultkit").__version__,
                "vault": str(vault_dir.resolve()),
                "notes": {"people/Jane.md": [[1, 2], {"bogus": 1}]},
            }
        ).encode(),
    ):
        target.write_bytes(garbage)
        assert agenda(runner, vault_dir) == expected


def test_deleted_notes_leave_the_cache(runner, vault_dir, write_note):
    seed(write_note)
    agenda(runner, vault_dir)
    (vault_dir / "people/Raj.md").unlink()
    assert [i["note"] for i in agenda(runner, vault_dir)] == ["people/Jane.md"]
    data = json.loads(cache_file(vault_dir).read_text())
    assert list(data["notes"]) == ["people/Jane.md"]


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
        monkeypatch.setattr("vaultkit.cache.__version__", "9.9.9")
    else:
        cache_file(vault_dir).write_bytes(b'{"format": FORMAT, "notes": {"x": ')
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

    def no_render(data):
        raise AssertionError("rendered although nothing changed")

    import vaultkit.build

    real = vaultkit.build.render_site
    monkeypatch.setattr(vaultkit.build, "render_site", no_render)
    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and "0 file(s) written" in again.output
    monkeypatch.setattr(vaultkit.build, "render_site", real)
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
