"""The feed over months (DESIGN 3.1): stamps that advance exactly on change, overdue on today,
pruning, private UIDs keyed with the vault's secret, and what every client needs."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from conftest import SAMPLE_VAULT
from site_helpers import make_vault

from vaultkit.cli import cli
from vaultkit.render import ics
from vaultkit.render.vtimezone import vtimezone
from vaultkit.rules.followup import stable_id


def build(runner, vault: Path, today: str, *extra: str) -> bytes:
    result = runner.invoke(cli, ["build", "--vault", str(vault), "--today", today, *extra])
    assert result.exit_code == 0, result.output
    return (vault / "_site/followups.ics").read_bytes()


def events(data: bytes) -> dict[str, icalendar.cal.Component]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in [*cal.walk("VEVENT"), *cal.walk("VTODO")]}


def stamps(data: bytes) -> dict[str, tuple[int, datetime]]:
    return {uid: (int(e["SEQUENCE"]), e["LAST-MODIFIED"].dt) for uid, e in events(data).items()}


def configure(vault: Path, text: str) -> None:
    with open(vault / "vaultkit.toml", "a", encoding="utf-8") as handle:
        handle.write(text)


def test_stamps_advance_exactly_when_an_event_changes(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    first = build(runner, vault, "2026-12-01")
    assert build(runner, vault, "2026-12-01", "--no-cache") == first  # nothing changed
    before = stamps(first)
    assert {seq for seq, _ in before.values()} == {0}
    jane = vault / "people/Jane Doe.md"
    jane.write_text(jane.read_text().replace("2026-12-02T10:30", "2026-12-02T11:00"))
    second = build(runner, vault, "2026-12-01")
    after = stamps(second)
    changed = {uid for uid in after if after[uid] != before[uid]}
    moved = [uid for uid, e in events(second).items() if "Jane" in str(e["SUMMARY"])]
    assert changed == set(moved) and len(moved) == 1
    seq, modified = after[moved[0]]
    assert seq == 1 and modified > before[moved[0]][1]  # later, even on the same day
    # Saving a note without changing what it says changes nothing at all.
    jane.write_text(jane.read_text())
    assert build(runner, vault, "2026-12-01") == second
    # The next day, the same edit again: one more step, stamped that day.
    jane.write_text(jane.read_text().replace("T11:00", "T11:30"))
    third = stamps(build(runner, vault, "2026-12-02"))
    assert third[moved[0]] == (2, datetime(2026, 12, 1, 23, 0, tzinfo=UTC))


def test_losing_the_state_or_the_cache_never_sends_sequence_back(runner, tmp_path, private_cache):
    vault = make_vault(tmp_path / "v")
    build(runner, vault, "2026-12-01")
    jane = vault / "people/Jane Doe.md"
    for hour in ("11", "12", "13"):
        jane.write_text(re.sub(r"T\d\d:30", f"T{hour}:30", jane.read_text()))
        published = build(runner, vault, "2026-12-01")
    top = max(seq for seq, _ in stamps(published).values())
    assert top == 3
    (vault / ".vaultkit/feed-state.json").unlink()
    shutil.rmtree(private_cache)
    assert build(runner, vault, "2026-12-01", "--no-cache") == published  # read back from _site
    shutil.rmtree(vault / "_site")
    again = build(runner, vault, "2026-12-01", "--no-cache")  # the state file still knows
    assert again == published
    jane.write_text(jane.read_text().replace("T13:30", "T14:30"))
    assert max(seq for seq, _ in stamps(build(runner, vault, "2026-12-01")).values()) == 4


def test_ics_command_shares_the_state_and_gives_the_same_bytes(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    built = build(runner, vault, "2026-12-01")
    printed = runner.invoke(cli, ["ics", "--vault", str(vault), "--today", "2026-12-01"])
    assert printed.exit_code == 0 and printed.stdout_bytes == built


def test_overdue_follow_ups_show_on_today_unless_turned_off(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    data = build(runner, vault, "2026-12-05")  # Jane's 12-02 10:30 and Globex's 12-03 are past
    late = {str(e["SUMMARY"]): e for e in events(data).values() if "overdue" in str(e["SUMMARY"])}
    assert set(late) == {
        "Follow up with Jane Doe (overdue since 2 Dec)",
        "Follow up with Globex (overdue since 3 Dec)",
    }
    for event in late.values():
        assert event["DTSTART"].dt == date(2026, 12, 5) and event["DTEND"].dt == date(2026, 12, 6)
        assert str(event["DESCRIPTION"]).startswith("Overdue since ")
    plan = next(e for e in events(data).values() if "resume" in str(e["SUMMARY"]))
    assert plan["DTSTART"].dt == date(2026, 12, 10)  # not overdue: where it was
    configure(vault, "[feed]\noverdue_on_today = false\n")
    data = build(runner, vault, "2026-12-05")
    jane = next(e for e in events(data).values() if "Jane" in str(e["SUMMARY"]))
    assert str(jane["SUMMARY"]) == "Follow up with Jane Doe"
    assert jane["DTSTART"].dt == datetime(
        2026, 12, 2, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")
    )


def test_old_overdue_done_and_closed_follow_ups_leave_the_feed(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    summaries = lambda data: {str(e["SUMMARY"]).split(" (")[0] for e in events(data).values()}  # noqa: E731
    assert "Follow up with Globex" in summaries(build(runner, vault, "2026-12-20"))
    # More than `feed.past_days` (30) overdue: out of the feed, still on the agenda.
    assert "Follow up with Globex" not in summaries(build(runner, vault, "2027-01-03"))
    agenda = runner.invoke(
        cli, ["agenda", "--vault", str(vault), "--today", "2027-01-03", "--json"]
    )
    assert "Follow up with Globex" in agenda.stdout
    configure(vault, "[feed]\npast_days = 60\n")
    assert "Follow up with Globex" in summaries(build(runner, vault, "2027-01-03"))
    # A rejected company's past follow_up is closed: gone from the feed and the agenda.
    globex = vault / "companies/Globex.md"
    globex.write_text(globex.read_text().replace("stage: applied", "stage: rejected"))
    assert "Follow up with Globex" not in summaries(build(runner, vault, "2027-01-03"))
    # ... but one still ahead counts (come back in spring).
    globex.write_text(globex.read_text().replace("follow_up: 2026-12-03", "follow_up: 2027-04-01"))
    assert "Follow up with Globex" in summaries(build(runner, vault, "2027-01-03"))
    # A checked task is done: gone.
    plan = vault / "Plan.md"
    plan.write_text(plan.read_text().replace("- [ ]", "- [x]"))
    assert "Update the resume" not in summaries(build(runner, vault, "2026-12-05"))


def test_every_client_gets_what_it_needs(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    data = build(runner, vault, "2026-12-01")
    assert b"\r\nMETHOD:PUBLISH\r\n" in data
    for event in events(data).values():
        assert event["TRANSP"] == "TRANSPARENT" and event["X-MICROSOFT-CDO-BUSYSTATUS"] == "FREE"
    zone = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")[0]
    rules = {str(part.name): part["RRULE"].to_ical() for part in zone.subcomponents}
    assert rules == {
        "DAYLIGHT": b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "STANDARD": b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    }
    assert b"RDATE" not in data
    jane = next(e for e in events(data).values() if "Jane" in str(e["SUMMARY"]))
    url = "obsidian://open?vault=Jobs&file=people%2FJane%20Doe"
    assert str(jane["URL"]) == url and f"Open in Obsidian: {url}" in str(jane["DESCRIPTION"])


def test_a_vault_inside_a_larger_obsidian_vault_links_to_the_right_path(runner, tmp_path):
    big = tmp_path / "Second Brain"
    (big / ".obsidian").mkdir(parents=True)
    vault = make_vault(big / "Areas" / "Job search")
    (vault / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\n')  # no vault_name
    jane = next(
        e
        for e in events(build(runner, vault, "2026-12-01")).values()
        if "Jane" in str(e["SUMMARY"])
    )
    assert str(jane["URL"]) == (
        "obsidian://open?vault=Second%20Brain&file=Areas%2FJob%20search%2Fpeople%2FJane%20Doe"
    )


def test_a_todo_alarm_counts_back_from_its_due(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    configure(vault, "[feed]\ntodo = true\nalarm_minutes = 30\n")
    data = build(runner, vault, "2026-12-05")
    assert b"TRIGGER;RELATED=END:-PT30M\r\n" in data
    todo = next(e for e in events(data).values() if "Jane" in str(e["SUMMARY"]))
    # A to-do keeps its due date: to-do lists show overdue items themselves.
    assert str(todo["SUMMARY"]) == "Follow up with Jane Doe" and todo["DUE"].dt.day == 2


def test_private_and_minimal_uids_and_stamps_give_nothing_away(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    configure(vault, '[feed]\ndetail = "private"\n')
    data = build(runner, vault, "2026-12-05")
    secret = (vault / ".vaultkit/secret").read_bytes().strip()
    assert len(secret) == 64 and (vault / ".vaultkit/secret").stat().st_mode & 0o077 == 0
    agenda = runner.invoke(
        cli, ["agenda", "--vault", str(vault), "--today", "2026-12-05", "--all", "--json"]
    )
    ids = {f["id"] for f in json.loads(agenda.stdout)}
    uids = set(events(data))
    assert len(uids) == len(ids) and not {f"{i}@vaultkit" for i in ids} & uids
    # The attack of issue 13 (H2): hash every (rule, path, date) a name list suggests.
    guesses = {
        hashlib.sha256(f"{rule}\0{path}\0{key}".encode()).hexdigest()[:k]
        for rule in ("follow-up", "task")
        for path in ("companies/Globex.md", "people/Jane Doe.md", "Plan.md")
        for key in ("", "2026-12-03", "2026-12-02T10:30:00+01:00", "Update the resume\x000")
        for k in (10, 20)
    }
    assert not {u.split("@")[0] for u in uids} & guesses
    for event in events(data).values():  # stamps count changes from 2000, no edit time
        assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == datetime(2000, 1, 1, tzinfo=UTC)
    for path in (vault / "_site").rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path
    # Another machine syncing the vault (and its .vaultkit/) gives the same UIDs; another
    # vault with the same notes but its own secret, others.
    twin = tmp_path / "laptop"
    shutil.copytree(vault, twin)
    assert set(events(build(runner, twin, "2026-12-05"))) == uids
    stranger = tmp_path / "stranger"
    shutil.copytree(vault, stranger)
    shutil.rmtree(stranger / ".vaultkit")
    assert not set(events(build(runner, stranger, "2026-12-05"))) & uids
    # Minimal keys its UIDs the same way, and a changed event steps its stamp by one second.
    toml = vault / "vaultkit.toml"
    toml.write_text(toml.read_text().replace('detail = "private"', 'detail = "minimal"'))
    minimal = events(build(runner, vault, "2026-12-05"))
    assert set(minimal) == uids
    second = datetime(2000, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert {e["LAST-MODIFIED"].dt for e in minimal.values()} == {second}


def _name_list_attack(uids: set[str], starts: list[date], paths: list[str], rules: set[str]):
    """Issue 13's H2, as an attacker runs it on a feed: hash every (rule, path, key) that a list
    of names suggests (here, stronger: every path of the vault), the key empty or a date within
    60 days of an event's start, and look for the hashes among the UIDs."""
    days = {d + timedelta(days=n) for d in starts for n in range(-60, 61)}
    keys = ["", *(d.isoformat() for d in days)]
    guesses = {stable_id(r, p, k) for r in rules for p in paths for k in keys}
    return {u for u in uids if u.split("@")[0] in guesses}


@pytest.mark.parametrize("detail", ["private", "minimal"])
def test_a_name_list_ties_no_private_event_to_a_note(runner, tmp_path, detail):
    vault = tmp_path / "sample-vault"
    shutil.copytree(SAMPLE_VAULT, vault)
    configure(vault, f'\n[feed]\ndetail = "{detail}"\n')
    data = build(runner, vault, "2026-12-01")
    found = events(data)
    starts = [e["DTSTART"].dt for e in found.values()]
    starts = [s.date() if isinstance(s, datetime) else s for s in starts]
    paths = [p.relative_to(vault).as_posix() for p in vault.rglob("*.md")]
    agenda = runner.invoke(
        cli, ["agenda", "--vault", str(vault), "--today", "2026-12-01", "--all", "--json"]
    )
    items = json.loads(agenda.stdout)
    rules = {f["rule"] for f in items}
    # The attack works: unkeyed, most events would give their note away (the old feed's UIDs).
    unkeyed = _name_list_attack({f"{f['id']}@vaultkit" for f in items}, starts, paths, rules)
    assert len(unkeyed) >= len(items) // 3
    # Keyed with the vault's secret, not one.
    assert len(found) == len(items) and not _name_list_attack(set(found), starts, paths, rules)
    # No stamp tells when a note was edited: they count changes from 2000-01-01.
    for event in found.values():
        for name in ("DTSTAMP", "LAST-MODIFIED"):
            assert event[name].dt < datetime(2000, 1, 2, tzinfo=UTC), (name, event["UID"])
    # The secret is in no output: the site, the publish folder, the printed feed, the agenda.
    secret = (vault / ".vaultkit/secret").read_bytes().strip()
    outputs = [p.read_bytes() for p in (vault / "_site").rglob("*") if p.is_file()]
    outputs += [p.read_bytes() for p in (vault / "_publish").rglob("*") if p.is_file()]
    printed = runner.invoke(cli, ["ics", "--vault", str(vault), "--today", "2026-12-01"])
    outputs += [printed.stdout_bytes, agenda.stdout_bytes]
    assert (vault / "_publish/followups.ics").read_bytes() == data
    assert not [o for o in outputs if secret in o or secret.upper() in o]


def test_done_takes_a_private_uid_copied_from_the_calendar(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    configure(vault, '[feed]\ndetail = "private"\n')
    data = build(runner, vault, "2026-12-01")
    event = next(e for e in events(data).values() if e["DTSTART"].dt == date(2026, 12, 10))
    done = runner.invoke(
        cli, ["done", str(event["UID"]), "--vault", str(vault), "--today", "2026-12-01"]
    )
    assert done.exit_code == 0, done.output
    assert "- [x] Update the resume 📅 2026-12-10 ✅ 2026-12-01" in (vault / "Plan.md").read_text()


def test_build_warns_as_the_feed_nears_the_size_clients_accept(runner, tmp_path, monkeypatch):
    assert ics.size_warning(b"x" * (800 * 1024 - 1)) is None
    assert ics.size_warning(b"x" * (800 * 1024)) is not None
    vault = make_vault(tmp_path / "v")
    args = ["build", "--vault", str(vault), "--today", "2026-12-01", "--no-cache"]
    assert "followups.ics" not in runner.invoke(cli, args).output
    monkeypatch.setattr(ics, "SIZE_WARNING", 1000)
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    assert "followups.ics: warning: the calendar feed is" in result.output
    assert "about 1 MB" in result.output


def test_the_feed_never_grows_past_what_google_accepts(runner, tmp_path, monkeypatch):
    """Above about 1 MB Google stops refreshing a subscription for good: the feed keeps the
    soonest follow-ups that fit in MAX_FEED_BYTES (overdue ones first, on today) and leaves
    out those furthest ahead; the agenda keeps them all."""
    vault = make_vault(tmp_path / "v")
    assert b"BEGIN:VTIMEZONE" in build(runner, vault, "2026-12-01", "--no-cache")  # Jane's time
    whole = build(runner, vault, "2026-12-05", "--no-cache")
    every = events(whole)
    day = lambda e: e["DTSTART"].dt if type(e["DTSTART"].dt) is date else e["DTSTART"].dt.date()  # noqa: E731
    assert sorted(day(e) for e in every.values()) == [date(2026, 12, 5)] * 2 + [date(2026, 12, 10)]
    monkeypatch.setattr(ics, "MAX_FEED_BYTES", len(whole) - 1)
    capped = build(runner, vault, "2026-12-05", "--no-cache")
    assert len(capped) < len(whole)
    kept = events(capped)
    assert {day(e) for e in kept.values()} == {date(2026, 12, 5)} and len(kept) == 2
    assert {u: str(e["SUMMARY"]) for u, e in every.items() if u not in kept} == {
        next(u for u, e in every.items() if day(e) == date(2026, 12, 10)): "Update the resume"
    }
    agenda = runner.invoke(cli, ["agenda", "--vault", str(vault), "--today", "2026-12-05"])
    assert "Update the resume" in agenda.output
    # With room for none, none, and no time zone that no event uses.
    monkeypatch.setattr(ics, "MAX_FEED_BYTES", 400)
    empty = build(runner, vault, "2026-12-01", "--no-cache")
    assert not events(empty) and b"VTIMEZONE" not in empty


@pytest.mark.parametrize(
    ("key", "rrule"),
    [
        ("Europe/Berlin", True),
        ("America/New_York", True),
        ("Australia/Sydney", True),  # summer time across the new year
        ("Europe/Dublin", True),  # "standard" time is the summer one
        ("Pacific/Chatham", True),  # 45-minute offsets
        ("Asia/Tokyo", False),  # no summer time: one STANDARD
        ("Asia/Jerusalem", False),  # the Friday before the last Sunday: dates listed instead
        ("America/Nuuk", False),  # a transition at 23:00 the day before
    ],
)
def test_vtimezones_say_what_the_zone_database_says(key, rrule):
    """Each VTIMEZONE, read back by icalendar, gives the same offset as zoneinfo at every
    moment of the years it is made for; summer-time zones that a yearly rule fits get one."""
    component = vtimezone(key, 2025, 2028)
    text = component.to_ical()
    assert (b"RRULE:FREQ=YEARLY" in text) == rrule
    assert b"COMMENT" not in text
    read = icalendar.Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + text + b"END:VCALENDAR\r\n")
    tz = read.walk("VTIMEZONE")[0].to_tz()
    zone = zoneinfo.ZoneInfo(key)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while moment < datetime(2028, 1, 1, tzinfo=UTC):
        assert moment.astimezone(tz).utcoffset() == moment.astimezone(zone).utcoffset(), moment
        moment += timedelta(hours=7)
