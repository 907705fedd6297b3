from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from conftest import SAMPLE_VAULT
from site_helpers import build, make_vault

from vaultkit.cli import cli

ICS_CHECK = Path.home() / "ics-check" / "ics-check"
STAMP = datetime(2026, 11, 15, 8, 30, 5, tzinfo=UTC)


def _feed(runner, vault: Path) -> bytes:
    result = build(runner, vault)
    assert result.exit_code == 0, result.output
    return (vault / "_site/followups.ics").read_bytes()


def _events(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def _pin(vault: Path) -> None:
    for path in vault.rglob("*.md"):
        os.utime(path, (STAMP.timestamp(), STAMP.timestamp()))


def test_feed_structure_and_headers(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    data = _feed(runner, vault)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(data)
    assert cal["VERSION"] == "2.0" and "vaultkit" in str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == "Job search follow-ups"
    assert "X-WR-CALDESC" in cal
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in data
    assert b"VALARM" not in data  # off by default


def test_all_day_and_timed_events(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    data = _feed(runner, vault)
    events = _events(data)
    globex = next(
        e for s, e in events.items() if "Globex" in s and e["DTSTART"].dt == date(2026, 12, 3)
    )
    assert globex["DTSTART"].params.get("VALUE") == "DATE"
    assert globex["DTEND"].dt == date(2026, 12, 4)  # exclusive
    assert b"DTSTART;VALUE=DATE:20261203\r\nDTEND;VALUE=DATE:20261204\r\n" in data
    jane = next(e for s, e in events.items() if "Jane Doe" in s)
    assert jane["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert jane["DTSTART"].dt.replace(tzinfo=None) == datetime(2026, 12, 2, 10, 30)
    assert jane["DTEND"].dt - jane["DTSTART"].dt == timedelta(minutes=30)
    assert b"DTSTART;TZID=Europe/Berlin:20261202T103000\r\n" in data
    zones = [str(z["TZID"]) for z in icalendar.Calendar.from_ical(data).walk("VTIMEZONE")]
    assert zones == ["Europe/Berlin"]
    assert b"T103000Z" not in data
    assert "Jane" in str(jane["DESCRIPTION"]) and "Note: people/Jane Doe.md" in str(
        jane["DESCRIPTION"]
    )
    assert str(jane["URL"]) == "obsidian://open?vault=Jobs&file=people%2FJane%20Doe"
    assert "follow-up" in [str(c) for c in jane["CATEGORIES"].cats]
    globex_cats = [str(c) for c in globex["CATEGORIES"].cats]
    assert globex_cats[0] == "follow-up" and "fintech" in globex_cats


def test_uid_stable_and_stamps_from_the_feed_state(runner, tmp_path):
    one = make_vault(tmp_path / "one")
    _pin(one)
    two = tmp_path / "elsewhere" / "two"
    shutil.copytree(one, two)
    a, b = _feed(runner, one), _feed(runner, two)
    uids_a = sorted(str(e["UID"]) for e in _events(a).values())
    uids_b = sorted(str(e["UID"]) for e in _events(b).values())
    assert uids_a == uids_b and all(u.endswith("@vaultkit") for u in uids_a)
    assert len(set(uids_a)) == len(uids_a) >= 3
    assert a == b  # the vault name is in the config, so even the URLs match
    # A first build as of 2026-12-01: every event new, stamped at the start of that day in the
    # vault's zone, whatever the notes' modification times (which would tell edit times).
    start = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    for event in _events(a).values():
        assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == start
        assert event["SEQUENCE"] == 0
    assert b"DTSTAMP:20261130T230000Z\r\nSEQUENCE:0\r\nLAST-MODIFIED:20261130T230000Z\r\n" in a
    os.utime(one / "companies/Globex.md")  # saved again, unchanged
    assert (
        runner.invoke(
            cli, ["build", "--vault", str(one), "--today", "2026-12-01", "--no-cache"]
        ).exit_code
        == 0
    )
    assert (one / "_site/followups.ics").read_bytes() == a


def test_hostile_names_never_break_the_feed(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    (vault / "people/Odd.md").write_text(
        '---\nname: "Zoë, Ünïcode; <script>\\nSecond line\\u0007 bell"\n'
        'follow_up: 2026-12-04T09:15+09:00\ntags: ["a,b", "c;d"]\n---\n'
    )
    data = _feed(runner, vault)
    assert b"\x07" not in data
    event = next(e for s, e in _events(data).items() if "Zo" in s)
    summary = str(event["SUMMARY"])
    assert "\n" not in summary and "<script>" in summary and "Zoë, Ünïcode;" in summary
    assert b"\\, \xc3\x9cn\xc3\xafcode\\;" in data  # escaped, not raw
    # Given in +09:00, shown in the vault's zone with its TZID: 01:15 in Berlin.
    assert event["DTSTART"].dt.astimezone(UTC) == datetime(2026, 12, 4, 0, 15, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    for line in data.split(b"\r\n"):
        line.decode("utf-8")  # folding never splits a character
        assert len(line) <= 75


def test_feed_options(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    with open(vault / "vaultkit.toml", "a") as handle:
        handle.write(
            '[feed]\ntodo = true\nalarm_minutes = 30\ndetail = "minimal"\n'
            'name = "Jobs, mine"\nrefresh_hours = 6\n'
        )
    data = _feed(runner, vault)
    cal = icalendar.Calendar.from_ical(data)
    assert not cal.walk("VEVENT")
    todos = cal.walk("VTODO")
    assert len(todos) >= 3
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in data
    assert b"X-WR-CALNAME:Jobs\\, mine\r\n" in data
    for todo in todos:
        assert "DUE" in todo and "DESCRIPTION" not in todo and "URL" not in todo
        assert "Jane" not in str(todo["SUMMARY"])
        alarm = todo.walk("VALARM")[0]
        assert alarm["TRIGGER"].dt == timedelta(minutes=-30)
    assert any(str(t["SUMMARY"]) == "Follow-up: Globex" for t in todos)


def test_private_feed_says_nothing(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    with open(vault / "vaultkit.toml", "a") as handle:
        handle.write('[feed]\ndetail = "private"\n')
    data = _feed(runner, vault)
    assert b"Jane" not in data and b"Globex" not in data and b"obsidian" not in data
    assert {str(e["SUMMARY"]) for e in _events(data).values()} == {"Follow-up"}


@pytest.mark.skipif(
    not (ICS_CHECK.exists() and (ICS_CHECK.parent / ".venv").exists()),
    reason="ics-check is not set up on this machine",
)
def test_external_parsers_accept_the_feed(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    (vault / "people/Odd.md").write_text(
        '---\nname: "Zoë, Ünïcode; x\\nline"\nfollow_up: 2026-12-04T09:15-05:00\n---\n'
    )
    (vault / "vaultkit.toml").write_text(
        'timezone = "America/New_York"\n[feed]\nalarm_minutes = 15\n'
    )
    (vault / "people/Tokyo.md").write_text("---\nfollow_up: 2026-12-06T09:00\n---\n")
    _feed(runner, vault)
    done = subprocess.run(
        [str(ICS_CHECK), str(vault / "_site/followups.ics")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RESULT: OK" in done.stdout


@pytest.mark.skipif(
    not (ICS_CHECK.exists() and (ICS_CHECK.parent / ".venv").exists()),
    reason="ics-check is not set up on this machine",
)
@pytest.mark.parametrize(
    "settings",
    [
        "",
        'detail = "minimal"',
        'detail = "private"',
        "todo = true\nalarm_minutes = 30",
        'todo = true\ndetail = "private"',
    ],
)
def test_external_parsers_accept_the_sample_vault_feed(runner, tmp_path, settings):
    """Every detail level, and the VTODO option: every parser that reads the kind of
    component the feed holds accepts it (khal shows events only: a feed of to-dos gives it
    nothing to list, which ics-check counts as its failure)."""
    vault = tmp_path / "sample-vault"
    shutil.copytree(SAMPLE_VAULT, vault)
    with open(vault / "vaultkit.toml", "a", encoding="utf-8") as handle:
        handle.write(f"\n[feed]\n{settings}\n")
    data = _feed(runner, vault)
    todo = "todo = true" in settings
    assert (b"BEGIN:VTODO" in data) == todo and (b"BEGIN:VEVENT" in data) != todo
    done = subprocess.run(
        [str(ICS_CHECK), str(vault / "_site/followups.ics")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if not todo:
        assert done.returncode == 0, done.stdout + done.stderr
        assert "RESULT: OK  (9 checks, 0 failed" in done.stdout
        return
    assert "RESULT: FAIL  (9 checks, 1 failed: khal;" in done.stdout, done.stdout
    assert "khal imported nothing: no event listed" in done.stdout
    passed = re.findall(r"^  OK    (\S+)", done.stdout, re.M)
    assert len(passed) == 8 and "lint" in passed and "cross-check" in passed, done.stdout
