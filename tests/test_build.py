from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import SAMPLE_VAULT
from site_helpers import build, make_vault, snapshot

from vaultkit.cli import cli
from vaultkit.errors import OutputError
from vaultkit.store.output import MANIFEST, write_outputs


def test_build_writes_every_output(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    result = build(runner, vault)
    assert result.exit_code == 0, result.output
    site = vault / "_site"
    for name in (
        "index.html",
        "index.md",
        "agenda.html",
        "agenda.md",
        "followups.ics",
        "vault.json",
        "style.css",
        MANIFEST,
        "notes/companies/globex.html",
        "notes/people/jane-doe.html",
        "notes/plan.html",
    ):
        assert (site / name).is_file(), name
    manifest = json.loads((site / MANIFEST).read_text())
    assert "index.html" in manifest["files"] and MANIFEST not in manifest["files"]
    assert "3 note(s)" in result.output


def test_rebuild_is_byte_identical_and_rewrites_nothing(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    assert build(runner, vault).exit_code == 0
    site = vault / "_site"
    before = snapshot(site)
    stamps = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    second = build(runner, vault)
    assert second.exit_code == 0
    assert "0 file(s) written" in second.output
    assert snapshot(site) == before
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == stamps


def test_editing_an_unrelated_note_keeps_the_feed(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    assert build(runner, vault).exit_code == 0
    feed = (vault / "_site/followups.ics").read_bytes()
    (vault / "Ideas.md").write_text("Nothing dated here.\n")
    assert build(runner, vault).exit_code == 0
    assert (vault / "_site/followups.ics").read_bytes() == feed
    assert (vault / "_site/notes/ideas.html").is_file()


def test_user_file_survives_and_stale_generated_file_goes(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    site = vault / "_site"
    assert build(runner, vault).exit_code == 0
    (site / "CNAME").write_text("jobs.example.org\n")  # the user's own, beside vaultkit's
    (site / "notes/mine.html").write_text("mine")
    assert build(runner, vault).exit_code == 0
    assert (site / "notes/plan.html").is_file()
    (vault / "Plan.md").unlink()
    result = build(runner, vault)
    assert result.exit_code == 0
    assert "1 removed" in result.output
    assert not (site / "notes/plan.html").exists()
    assert (site / "CNAME").read_text() == "jobs.example.org\n"
    assert (site / "notes/mine.html").read_text() == "mine"


def test_tampered_manifest_never_deletes_outside(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    victim = tmp_path / "precious.txt"
    victim.write_text("keep")
    (out / MANIFEST).write_text(json.dumps({"files": ["../precious.txt", "/etc/hosts", "a"]}))
    result = write_outputs({"b.html": b"x"}, out)
    assert victim.read_text() == "keep"
    assert result.written == ["b.html"] and result.removed == []


def test_write_outputs_refuses_paths_that_escape(tmp_path):
    for bad in ("../x.html", "/abs.html", "a/../../x", MANIFEST):
        try:
            write_outputs({bad: b"x"}, tmp_path / "site")
        except OutputError:
            continue
        raise AssertionError(f"accepted {bad!r}")
    assert not (tmp_path / "x.html").exists()


def test_write_outputs_refuses_folders_that_lead_outside(tmp_path):
    """A folder of the site replaced by a symlink (at any depth) to a folder outside it is
    refused, and nothing is written there; a symlink that stays inside is followed."""
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "site"
    (out / "deep").mkdir(parents=True)
    (out / "people").symlink_to(outside)
    (out / "deep" / "er").symlink_to(outside)
    (out / "inside").symlink_to(out / "deep")
    for bad in ("people/x.html", "people/new/x.html", "deep/er/x.html"):
        with pytest.raises(OutputError, match="leads outside"):
            write_outputs({bad: b"x"}, out, force=True)
    assert list(outside.iterdir()) == []
    assert write_outputs({"inside/y.html": b"y"}, out, force=True).written == ["inside/y.html"]
    assert (out / "deep" / "y.html").read_bytes() == b"y"


def test_a_file_written_as_chunks_is_whole_or_untouched(tmp_path):
    """The site-wide files are written as they are made: the bytes are those of the chunks,
    a file that holds them already is left as it is (written by this folder or found so),
    and a maker that gives up midway leaves the old file and no temporary file."""
    from vaultkit.store.output import OutputFolder

    out = tmp_path / "site"
    folder = OutputFolder(out)
    folder.expect(["big.json", "sub/other.html"])
    assert folder.write("big.json", iter([b"{", b'"a":1', b"}"]))
    assert (out / "big.json").read_bytes() == b'{"a":1}'
    assert not folder.write("big.json", iter([b'{"a"', b":1}"]))
    assert not OutputFolder(out).write("big.json", iter([b'{"a":1}']))  # found so on disk
    assert OutputFolder(out).write("big.json", iter([b'{"a":2}']))

    def gives_up():
        yield b'{"a":'
        raise RuntimeError("superseded")

    with pytest.raises(RuntimeError):
        folder.write("big.json", gives_up())
    assert (out / "big.json").read_bytes() == b'{"a":2}'
    staged = OutputFolder(out)
    staged.stage()
    assert staged.write("sub/other.html", iter([b"<p>", b"x</p>"]))
    assert not (out / "sub" / "other.html").exists()  # staged: in place at commit
    staged.commit()
    assert (out / "sub" / "other.html").read_bytes() == b"<p>x</p>"
    assert sorted(p.name for p in out.rglob("*") if p.name.endswith(".tmp")) == []


def test_write_outputs_replaces_atomically(tmp_path, monkeypatch):
    out = tmp_path / "site"
    write_outputs({"a.txt": b"old"}, out)
    inode = (out / "a.txt").stat().st_ino
    write_outputs({"a.txt": b"new"}, out)
    assert (out / "a.txt").read_bytes() == b"new"
    assert (out / "a.txt").stat().st_ino != inode  # a new file renamed over, not rewritten
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_output_that_contains_the_vault_is_refused(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    result = build(runner, vault, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "would contain the vault" in result.output
    assert not (tmp_path / "index.html").exists()


def test_problems_are_listed_and_shown_and_pages_still_written(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    (vault / "companies/Broken.md").write_text("---\nstage: [unclosed\n---\nBody\n")
    (vault / "companies/Initech.md").write_text("---\nstage: nonsense-stage\n---\n")
    result = build(runner, vault)
    assert result.exit_code == 1
    assert "companies/Initech.md:2: warning: unknown stage" in result.output
    assert "companies/Broken.md:" in result.output
    index = (vault / "_site/index.html").read_text()
    assert 'class="problems"' in index and "nonsense-stage" in index
    assert (vault / "_site/notes/companies/globex.html").is_file()
    assert (vault / "_site/notes/companies/broken.html").is_file()
    assert "Broken.md" in (vault / "_site/index.md").read_text()


def test_out_option_and_ics_command(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    out = tmp_path / "elsewhere"
    assert build(runner, vault, "--out", str(out)).exit_code == 0
    assert (out / "index.html").is_file() and not (vault / "_site").exists()
    printed = runner.invoke(cli, ["ics", "--vault", str(vault), "--today", "2026-12-01"])
    assert printed.exit_code == 0
    assert printed.stdout_bytes == (out / "followups.ics").read_bytes()
    target = tmp_path / "feed.ics"
    written = runner.invoke(
        cli, ["ics", "--vault", str(vault), "--today", "2026-12-01", "-o", str(target)]
    )
    assert written.exit_code == 0 and written.output == ""
    assert target.read_bytes() == printed.stdout_bytes


def test_vault_json(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    assert build(runner, vault).exit_code == 0
    doc = json.loads((vault / "_site/vault.json").read_text())
    assert doc["schema_version"] == 1
    globex = next(c for c in doc["companies"] if c["name"] == "Globex")
    assert globex["stage"] == "applied" and globex["fields"]["follow_up"] == "2026-12-03"
    assert globex["contacts"] == ["people/Jane Doe.md"]
    assert globex["last_contact"] == "2026-11-20"
    jane = next(c for c in doc["contacts"] if c["name"] == "Jane Doe")
    assert jane["company"] == "companies/Globex.md"
    assert jane["fields"]["follow_up"] == "2026-12-02T10:30:00+01:00"
    ids = {f["id"] for f in doc["followups"]}
    assert jane["next_follow_up"] in ids
    assert all(
        {"id", "rule", "due", "title", "reason", "note"} <= f.keys() for f in doc["followups"]
    )


def test_sample_vault_builds_twice_identically(runner, tmp_path):
    vault = tmp_path / "sample"
    shutil.copytree(SAMPLE_VAULT, vault, ignore=shutil.ignore_patterns("_site"))
    first = build(runner, vault, "--out", str(tmp_path / "a"))
    assert first.exit_code in (0, 1), first.output
    assert build(runner, vault, "--out", str(tmp_path / "a")).exit_code == first.exit_code
    copy = tmp_path / "elsewhere" / "sample"  # same folder name: same Obsidian vault name
    shutil.copytree(vault, copy)
    for src in vault.rglob("*.md"):  # same content, same mtimes: same site
        st = src.stat()
        os.utime(copy / src.relative_to(vault), ns=(st.st_atime_ns, st.st_mtime_ns))
    build(runner, copy, "--out", str(tmp_path / "b"))
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert a.keys() == b.keys()
    assert a["followups.ics"] == b["followups.ics"]
    assert a["index.html"] == b["index.html"]
    assert len([k for k in a if k.startswith("notes/")]) >= 30


def test_a_long_build_shows_its_stage_on_a_terminal_and_erases_it(tmp_path, monkeypatch, capsys):
    import io

    from vaultkit import cli as cli_module

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    monkeypatch.setattr(cli_module.sys, "stderr", err)
    with cli_module._progress_line("building", after=0) as progress:
        progress("reading 3 notes")
        progress("writing 9 files")
    text = err.getvalue()
    assert "building: reading 3 notes…" in text and "building: writing 9 files…" in text
    assert text.endswith("\r\x1b[K")  # the line is erased at the end
    quiet = io.StringIO()  # not a terminal: nothing
    monkeypatch.setattr(cli_module.sys, "stderr", quiet)
    with cli_module._progress_line("building", after=0) as progress:
        progress("reading 3 notes")
    assert quiet.getvalue() == ""


def test_build_reports_its_stages(tmp_path):
    from datetime import date

    from vaultkit.commands.build import build
    from vaultkit.vault.config import load_config

    vault = make_vault(tmp_path / "v")
    stages: list[str] = []
    build(load_config(vault), date(2026, 12, 1), use_cache=False, progress=stages.append)
    assert [s.split()[0] for s in stages] == ["reading", "rendering", "rendering"]
    assert "pages of 3 notes" in stages[1] and "vault.json" in stages[2]


def test_the_machine_zone_and_obsidian_vault_are_read_once_when_the_config_loads(
    tmp_path, monkeypatch
):
    """Renderers read neither the environment nor the disk: the zone and the Obsidian vault
    are resolved by load_config, and a change after it does not reach the outputs."""
    from conftest import TODAY

    from vaultkit.commands.build import build as run_build
    from vaultkit.vault.config import load_config

    vault = tmp_path / "Jobs"
    vault.mkdir()
    (vault / "Plan.md").write_text("- [ ] Update the resume 📅 2026-12-10\n", encoding="utf-8")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    config = load_config(vault)
    assert config.timezone_name == "Asia/Tokyo" and config.vault_name == ""
    monkeypatch.setenv("TZ", "America/New_York")
    (vault / ".obsidian").mkdir()  # opened in Obsidian after the config was read
    run_build(config, TODAY)
    data = json.loads((vault / "_site" / "vault.json").read_text(encoding="utf-8"))
    assert data["timezone"] == "Asia/Tokyo"
    pages = [p.read_text(encoding="utf-8") for p in (vault / "_site").rglob("*.html")]
    assert pages and not any("obsidian://" in page for page in pages)
    again = load_config(vault)  # the next load sees both
    assert again.vault_name == "Jobs" and again.timezone_name == "America/New_York"
    run_build(again, TODAY)
    pages = [p.read_text(encoding="utf-8") for p in (vault / "_site").rglob("*.html")]
    assert any("obsidian://open?vault=Jobs" in page for page in pages)
