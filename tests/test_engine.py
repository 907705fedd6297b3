"""The live engine renders again only what an edit reaches: counted, page by page and event
by event, and each time checked against a fresh build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import TODAY

from vaultkit.commands.build import build
from vaultkit.commands.engine import Engine
from vaultkit.store.cache import Store
from vaultkit.vault.config import load_config

COMPANIES = 12
PEOPLE = 8


def _vault(root: Path) -> Path:
    root.mkdir()
    (root / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\n')
    for i in range(COMPANIES):
        person = f"Person {i % PEOPLE}"
        path = root / "companies" / f"Company {i}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(
            f"---\nstage: applied\napplied: 2026-11-{i + 1:02d}\n"
            f'contacts: ["[[{person}]]"]\n---\n'
            f"About the role.\n- [ ] Send the portfolio 📅 2026-12-{i + 2:02d}\n"
            f"## Log\n- 2026-11-{i + 2:02d} Called [[{person}]] #call\n"
        )
    for i in range(PEOPLE):
        path = root / "people" / f"Person {i}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"---\ncadence: 3w\nmet: 2026-10-{i + 1:02d}\n---\nMet at a meetup.\n")
    return root


def _edit(path: Path, old: str, new: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(before + 10**9, before + 10**9))


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _same_as_a_fresh_build(root: Path, out: Path, tmp: Path) -> None:
    fresh = tmp / "fresh"
    build(load_config(root), TODAY, fresh, use_cache=False)
    assert _tree(out) == _tree(fresh)


def _engine(root: Path) -> Engine:
    config = load_config(root)
    return Engine(config, TODAY, (root / "_site").resolve(), Store.open(config.vault))


def test_a_one_note_edit_renders_only_what_depends_on_it(tmp_path):
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    first = engine.refresh()
    assert len(first.pages) == COMPANIES + PEOPLE
    assert first.events == first.followups
    # The body of one company, not its links or dates: its own page; its own follow-ups'
    # events are looked at again (the note changed) but say the same: none is serialised.
    note = root / "companies/Company 3.md"
    _edit(note, "About the role.", "About the role: platform team.")
    again = engine.refresh()
    assert again.changed == ["companies/Company 3.md"]
    assert again.pages == ["companies/Company 3.md"]
    assert again.events == 0
    # The page only: the feed's events say the same, so it keeps its bytes (its stamps come
    # from the feed state, not the note's time); the board, the agenda and vault.json show
    # nothing of a body.
    assert sorted(again.written.written) == ["notes/companies/company-3.html"]
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_a_new_date_serialises_only_its_event(tmp_path):
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    _edit(root / "companies/Company 3.md", "📅 2026-12-05", "📅 2026-12-19")
    again = engine.refresh()
    assert again.events == 1
    assert "notes/companies/company-3.html" in again.written.written
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_a_restarted_engine_serialises_nothing_the_store_has(tmp_path):
    root = _vault(tmp_path / "vault")
    first = _engine(root).refresh()
    assert first.events == first.followups
    assert _engine(root).refresh().events == 0


def test_a_new_name_renders_the_pages_that_show_it(tmp_path):
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    # Person 1 is the contact of companies 1 and 9: their pages show the new name.
    _edit(root / "people/Person 1.md", "cadence: 3w", "name: Ana Lima\ncadence: 3w")
    again = engine.refresh()
    assert set(again.pages) == {
        "people/Person 1.md",
        "companies/Company 1.md",
        "companies/Company 9.md",
    }
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_a_new_draft_template_redrafts_every_message_it_writes(tmp_path):
    """A template is not a note: no note changed, yet every keep-in-touch draft did."""
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    folder = root / "templates/drafts"
    folder.mkdir(parents=True)
    (folder / "keep-in-touch.md").write_text("Subject: Hello again\n\nHi {{first_name}}!\n")
    again = engine.refresh()
    assert len(again.pages) == PEOPLE  # each person's page shows their draft
    assert b"Hello again" in (root / "_site/followups.ics").read_bytes()
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_nothing_changed_renders_nothing(tmp_path):
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    again = engine.refresh()
    assert again.changed == [] and again.pages == [] and again.events == 0
    assert again.written.written == []


def test_a_build_after_one_edit_renders_what_the_edit_reached(tmp_path):
    """A one-shot build is a new engine: the store says which pages still hold, from the
    digest of what each was made from."""
    root = _vault(tmp_path / "vault")
    config = load_config(root)
    assert build(config, TODAY).errors == 0
    _edit(root / "people/Person 1.md", "cadence: 3w", "name: Ana Lima\ncadence: 3w")
    rendered: list[str] = []
    real = Engine._pages

    def counting(self, *args):
        found = real(self, *args)
        rendered.extend(found)
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Engine, "_pages", counting)
        build(load_config(root), TODAY)
    assert set(rendered) == {
        "people/Person 1.md",
        "companies/Company 1.md",
        "companies/Company 9.md",
    }
    _same_as_a_fresh_build(root, root / "_site", tmp_path)
    # A page deleted by hand is written again, though nothing it shows changed.
    (root / "_site/notes/companies/company-5.html").unlink()
    build(load_config(root), TODAY)
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


@pytest.mark.parametrize("detail", ["full", "private"])
def test_the_engine_keeps_the_feed_state_as_a_fresh_build_would(tmp_path, detail):
    """The engine keeps what its feed told subscribers instead of reading the feed back: it
    must be what the feed says, and the state file what a fresh build leaves."""
    from vaultkit.store.feedstate import STATE_FILE, read_feed
    from vaultkit.store.state import state_path

    root = _vault(tmp_path / "vault")
    (root / "vaultkit.toml").write_text(
        f'timezone = "Europe/Berlin"\n[feed]\ndetail = "{detail}"\n'
    )
    engine = _engine(root)
    engine.refresh()
    _edit(root / "companies/Company 3.md", "📅 2026-12-05", "📅 2026-12-19")  # a new SEQUENCE
    _edit(root / "companies/Company 4.md", "- [ ] Send", "- [x] Send")  # an event leaves
    engine.refresh()
    assert engine.told is not None
    known, gone = engine.told
    assert gone and set(gone) <= set(known)
    feed = (root / "_site/followups.ics").read_bytes()
    assert {uid: k for uid, k in known.items() if uid not in gone} == read_feed(feed)
    state = state_path(root, STATE_FILE).read_bytes()
    _same_as_a_fresh_build(root, root / "_site", tmp_path)
    assert state_path(root, STATE_FILE).read_bytes() == state


def _saves_after(checks: int):
    """A `pending` that says a save is waiting from its `checks`-th question on."""
    asked = [0]

    def pending() -> bool:
        asked[0] += 1
        return asked[0] > checks

    return pending


@pytest.mark.parametrize("checks", [0, 1, 5, 21, 40, 80])
def test_a_refresh_stopped_anywhere_for_a_newer_save_loses_nothing(tmp_path, checks):
    """A refresh asks `pending()` after every page and every row; stopped at any of those
    points (in the first build or after an edit), the next refresh still ends equal to a
    fresh build, though another note changed meanwhile."""
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    stopped = engine.refresh(pending=_saves_after(checks))
    feed = (root / "_site/followups.ics").read_bytes()
    assert b"Send the portfolio" in feed  # the feed comes first, whatever waits
    if checks < COMPANIES + PEOPLE:
        assert len(stopped.pages) == 0  # a stopped refresh reports no finished pages
    _edit(root / "people/Person 1.md", "cadence: 3w", "name: Ana Lima\ncadence: 3w")
    engine.refresh(pending=_saves_after(checks))
    _edit(root / "companies/Company 4.md", "About the role.", "About the [[Person 2]] role.")
    engine.refresh()
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_a_newer_save_waits_for_one_page_or_one_row_not_the_site(tmp_path):
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    _edit(root / "people/Person 1.md", "cadence: 3w", "name: Ana Lima\ncadence: 3w")
    asked: list[str] = []
    real = Engine._pages

    def pages(self, data, waiting):
        asked.append("pages")
        return real(self, data, waiting)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Engine, "_pages", pages)
        # The save arrives once the first page of the three the name shows on is rendered.
        stopped = engine.refresh(pending=_saves_after(1))
    assert asked == ["pages"] and stopped.pages == []
    written = set(stopped.written.written)
    assert len({w for w in written if w.startswith("notes/")}) == 1
    assert "index.html" not in written and "vault.json" not in written
    again = engine.refresh()
    assert len(again.pages) == 2  # the other two pages, not the one already written
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_a_save_the_watcher_names_is_read_first_and_the_vault_scanned_after_the_feed(tmp_path):
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    _edit(root / "companies/Company 3.md", "📅 2026-12-05", "📅 2026-12-19")
    done = engine.refresh(hint=["companies/Company 3.md"])
    assert done.changed == ["companies/Company 3.md"]
    assert "scan" in engine.timings  # the scan after the feed found nothing more
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


@pytest.mark.parametrize("missed", ["edit", "new", "delete"])
def test_a_change_the_watcher_missed_is_found_by_the_scan_after_the_feed(tmp_path, missed):
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    _edit(root / "companies/Company 3.md", "📅 2026-12-05", "📅 2026-12-19")
    other = {"edit": "people/Person 2.md", "new": "people/Ada.md", "delete": "people/Person 5.md"}
    if missed == "edit":
        _edit(root / other[missed], "cadence: 3w", "cadence: 1w")
    elif missed == "new":
        (root / other[missed]).write_text("---\ncadence: 2w\nmet: 2026-09-01\n---\n")
    else:
        (root / other[missed]).unlink()
    done = engine.refresh(hint=["companies/Company 3.md"])
    assert done.changed == sorted(["companies/Company 3.md", other[missed]])
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_a_hint_naming_what_the_engine_does_not_know_scans_the_vault_first(tmp_path):
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    (root / "people/Ada.md").write_text("---\ncadence: 2w\nmet: 2026-09-01\n---\n")
    (root / "people/Person 5.md").unlink()
    done = engine.refresh(hint=["people/Ada.md", "people/", "people/Person 5.md"])
    assert done.changed == ["people/Ada.md", "people/Person 5.md"]
    assert "scan" not in engine.timings
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_a_one_note_edit_renders_again_only_the_rows_that_show_that_note(tmp_path):
    """The site-wide files are joined from kept pieces (a row of the board, the agenda,
    vault.json, the Markdown pages): a new date renders again the note's own rows and those of
    its follow-ups, and nothing else."""
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    before = _kept(engine)
    _edit(root / "companies/Company 3.md", "📅 2026-12-05", "📅 2026-12-19")
    engine.refresh()
    note = "companies/Company 3.md"
    its = {f.id for f in engine.derivation.followups if note in (f.note, f.record)}
    remade = {key for key, made in _kept(engine).items() if before.get(key) is not made}
    assert remade and engine.pieces.made == len(remade)
    assert {key for _kind, key in remade} <= {note, *its}
    assert {kind for kind, _key in remade} >= {"agenda-item", "json-followup", "card"}
    assert len(remade) * 10 < len(before)
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def _kept(engine):
    """(kind, key) -> the kept piece."""
    return {(kind, key): p for kind, kept in engine.pieces.kept.items() for key, p in kept.items()}


def test_an_unreadable_note_does_not_make_every_save_a_second_refresh(tmp_path, monkeypatch):
    """The scan after the feed finds the unreadable note as it was: no change missed."""
    import errno

    root = _vault(tmp_path / "vault")
    locked = str(root / "people/Person 2.md")
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):  # chmod 000 does not stop root
        if os.fspath(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    engine = _engine(root)
    engine.refresh()
    refreshes = []
    real_refresh = engine.refresh

    def counted(*args, **kwargs):
        refreshes.append(kwargs.get("listing"))
        return real_refresh(*args, **kwargs)

    monkeypatch.setattr(engine, "refresh", counted)
    _edit(root / "companies/Company 3.md", "About the role.", "About the role, again.")
    done = engine.refresh(hint=["companies/Company 3.md"])
    assert done.changed == ["companies/Company 3.md"]
    assert len(refreshes) == 1  # no second refresh from the scan
    assert any("cannot read" in p.message for p in done.problems)


def test_kept_pieces_come_back_from_the_spill_as_they_were_made(tmp_path):
    """The kept rows' text lives on disk, in an unlinked file of the private cache folder:
    nothing is left there, and every reused row is the one made, Markup or JSON."""
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    cache = engine.store.path.parent
    before = sorted(cache.iterdir())
    engine.refresh()
    assert engine.pieces.spill.size() > 0
    assert sorted(cache.iterdir()) == before  # the spill's file has no name
    _edit(root / "companies/Company 3.md", "📅 2026-12-05", "📅 2026-12-19")
    assert engine.refresh().written.written  # rows of other notes came back from the spill
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_a_spill_that_cannot_be_written_costs_renders_not_outputs(tmp_path, monkeypatch):
    """A full disk under the cache folder: the pieces cannot be kept, so each refresh renders
    every row again, and the outputs are still those of a fresh build."""
    import errno
    import tempfile

    from vaultkit.store import spill

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spill, "FLUSH_AT", 1)
    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    assert engine.pieces.kept == {}
    _edit(root / "people/Person 1.md", "cadence: 3w", "name: Ana Lima\ncadence: 3w")
    engine.refresh()
    assert engine.pieces.made > COMPANIES + PEOPLE  # every row again: none was kept
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_the_spill_is_written_anew_once_replaced_pieces_fill_it(tmp_path, monkeypatch):
    """Each save adds the rows it made again; once the spill is mostly rows replaced since,
    it is written anew with only the live ones, and they still come back as they were."""
    from vaultkit.render import site

    monkeypatch.setattr(site, "SPILL_SLACK", 0)
    root = _vault(tmp_path / "vault")
    engine = _engine(root)
    engine.refresh()
    live = engine.pieces.spill.size()
    for day in range(6, 12):
        _edit(root / "companies/Company 3.md", f"📅 2026-12-{day - 1:02d}", f"📅 2026-12-{day:02d}")
        engine.refresh()
        assert engine.pieces.spill.size() <= 2 * live + 4096
    _same_as_a_fresh_build(root, root / "_site", tmp_path)


def test_a_spill_gives_back_any_text_and_refuses_a_place_it_does_not_hold(tmp_path, monkeypatch):
    from vaultkit.store import spill

    monkeypatch.setattr(spill, "FLUSH_AT", 64)  # some texts in the file, some still buffered
    kept = spill.Spill(tmp_path)
    texts = ["<li>plain</li>", "Zoë 🗓 日本", "lone \udcff surrogate", "", "x" * 200, "tail"]
    places = [kept.put(text) for text in texts]
    assert kept.written > 0 and kept.buffer  # both halves are read back below
    assert [kept.get(*place) for place in places] == texts  # type: ignore[misc]
    assert kept.get(kept.size() - 2, 10) is None  # runs past what was written
    kept.close()
