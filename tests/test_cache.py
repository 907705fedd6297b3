from __future__ import annotations

import json
import os

from vaultkit import parse as parse_module
from vaultkit.cache import cache_file
from vaultkit.cli import cli


def agenda(runner, vault_dir, *extra):
    result = runner.invoke(cli, ["agenda", "--vault", str(vault_dir), "--today", "2026-12-01",
                                 "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def count_parses(monkeypatch):
    calls = []
    real = parse_module.parse_note

    def counting(rel, data):
        calls.append(rel)
        return real(rel, data)

    monkeypatch.setattr(parse_module, "parse_note", counting)
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
    for garbage in (b"\x00not json", b"[]", b'{"format": 1}',
                    json.dumps({"format": 1, "version": "0.0.0", "vault": str(vault_dir),
                                "notes": {}}).encode(),
                    json.dumps({"format": 1, "version": __import__("vaultkit").__version__,
                                "vault": str(vault_dir.resolve()),
                                "notes": {"people/Jane.md": [[1, 2], {"bogus": 1}]}}).encode()):
        target.write_bytes(garbage)
        assert agenda(runner, vault_dir) == expected


def test_deleted_notes_leave_the_cache(runner, vault_dir, write_note):
    seed(write_note)
    agenda(runner, vault_dir)
    (vault_dir / "people/Raj.md").unlink()
    assert [i["note"] for i in agenda(runner, vault_dir)] == ["people/Jane.md"]
    data = json.loads(cache_file(vault_dir).read_text())
    assert list(data["notes"]) == ["people/Jane.md"]
