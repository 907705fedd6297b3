"""Shared by the attack tests (test_hostile, test_fuzz, test_faults): a small good vault to
put hostile notes beside, the three CLI runs, and an independent check of the feed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import icalendar
from conftest import TODAY_ARG as TODAY

from vaultkit.store.state import vault_secret
from vaultkit.vault.config import load_config
from vaultkit.vault.identity import feed_uid

GOOD = {
    "companies/Globex.md": (
        "---\nstage: applied\nrole: Staff Engineer\nresume: r1\nfollow_up: 2026-12-03\n"
        'contacts: ["[[Jane Doe]]"]\n---\nGood company body.\n'
    ),
    "people/Jane Doe.md": (
        '---\ncompany: "[[Globex]]"\nfollow_up: 2026-12-02T10:30\n---\nGood contact body.\n'
    ),
}
GOOD_FOLLOWUPS = {("follow-up", "companies/Globex.md"), ("follow-up", "people/Jane Doe.md")}
GOOD_PAGES = {
    "notes/companies/globex.html": "Good company body.",
    "notes/people/jane-doe.html": "Good contact body.",
}


def make_vault(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\n')
    for rel, data in {**GOOD, **(files or {})}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return root


@dataclass
class Outcome:
    problems: list[dict]
    agenda: list[dict]
    site: Path
    outputs: dict[str, str]
    """Command -> everything it printed (stdout and stderr)."""


def run_all(runner, vault: Path) -> Outcome:
    """`check --json`, `build` and `agenda --json --all`; each must end as vaultkit means it
    to (exit 0 or 1, a message, never a traceback or an internal error)."""
    from vaultkit.cli import cli

    outputs, stdout = {}, {}
    for name, args in (
        ("check", ["check", "--json"]),
        ("build", ["build"]),
        ("agenda", ["agenda", "--json", "--all"]),
    ):
        result = runner.invoke(cli, [*args, "--vault", str(vault), "--today", TODAY])
        text = result.output
        assert result.exit_code in (0, 1), f"{name}: exit {result.exit_code}\n{text[-2000:]}"
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{name}: {result.exception!r}"
        )
        assert "Traceback" not in text and "internal error" not in text, text[-2000:]
        outputs[name], stdout[name] = text, result.stdout
    return Outcome(
        json.loads(stdout["check"]), json.loads(stdout["agenda"]), vault / "_site", outputs
    )


def assert_good_notes_survive(outcome: Outcome) -> None:
    """The good notes' follow-ups are on the agenda and in the feed; their pages are built."""
    found = {(f["rule"], f["note"]) for f in outcome.agenda}
    assert GOOD_FOLLOWUPS <= found, found
    for page, text in GOOD_PAGES.items():
        assert text in (outcome.site / page).read_text(encoding="utf-8")
    feed = (outcome.site / "followups.ics").read_bytes()
    cal = assert_valid_feed(feed)
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    vault = outcome.site.parent
    config = load_config(vault)
    detail = config.get("feed.detail")
    secret = vault_secret(vault, create=False)
    ids = {feed_uid(f["id"], detail, secret) for f in outcome.agenda if in_feed_window(f)}
    assert ids <= uids


def in_feed_window(item: dict) -> bool:
    """Not overdue by more than the feed's default 30 days (those leave the feed)."""
    return item["due"][:10] >= "2026-11-01"  # TODAY less 30 days


def assert_valid_feed(data: bytes) -> icalendar.Calendar:
    """RFC 5545 framing checked by hand, then two independent parsers."""
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    for line in data[:-2].split(b"\r\n"):
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a character
        assert not any(b < 32 and b != 9 for b in line), line
    cal = icalendar.Calendar.from_ical(data)
    try:
        import vobject
    except ImportError:  # the test extra installs it; without it icalendar alone checks
        return cal
    parsed = vobject.readOne(data.decode("utf-8"))
    assert len(getattr(parsed, "vevent_list", [])) == len(cal.walk("VEVENT"))
    return cal


def site_text(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def note_pages(site: Path) -> dict[str, str]:
    """Note path -> its page, from vault.json."""
    doc = json.loads((site / "vault.json").read_text(encoding="utf-8"))
    return {n["path"]: n["page"] for n in doc["companies"] + doc["contacts"] + doc["notes"]}


PRIVATE_LINE = re.compile(
    r"(BEGIN|END):(VCALENDAR|VEVENT|VTODO|VALARM|VTIMEZONE|STANDARD|DAYLIGHT)"
    r"|VERSION:2\.0|PRODID:-//vaultkit//.*|CALSCALE:GREGORIAN|(NAME|X-WR-CALNAME):.*"
    r"|X-WR-CALDESC:Follow-ups derived from your notes by vaultkit.*"
    r"|REFRESH-INTERVAL;VALUE=DURATION:PT\d+H|X-PUBLISHED-TTL:PT\d+H"
    r"|METHOD:PUBLISH|UID:[0-9a-f]{20}@vaultkit|SEQUENCE:\d+"
    r"|(DTSTAMP|LAST-MODIFIED):2000\d{4}T\d{6}Z|(DTSTART|DTEND|DUE)(;VALUE=DATE:\d{8}"
    r"|;TZID=[\w/+-]+:\d{8}T\d{6}|:\d{8}T\d{6}Z?)|TRANSP:TRANSPARENT|STATUS:NEEDS-ACTION"
    r"|X-MICROSOFT-CDO-BUSYSTATUS:FREE|(SUMMARY|DESCRIPTION):Follow-up( \(overdue\))?"
    r"|ACTION:DISPLAY|TRIGGER(;RELATED=END)?:-P?T?\w+"
    r"|TZID:[\w/+-]+|TZNAME:[\w+-]+|TZOFFSET(FROM|TO):[+-]\d{4}|RRULE:[A-Z0-9=;,+-]+"
    r"|X-LIC-LOCATION:[\w/+-]+|RDATE:[0-9T,Z]+"
)


def assert_private_feed(data: bytes) -> None:
    """`detail = "private"`: every line of the feed is one of a fixed set of shapes that carry
    no name, company, role, path, note text or URL; only "Follow-up", dates and opaque ids."""
    unfolded = data.replace(b"\r\n ", b"").decode("utf-8")
    for line in unfolded.split("\r\n")[:-1]:
        assert PRIVATE_LINE.fullmatch(line), line


MINIMAL_KEYS = {
    "UID",
    "DTSTAMP",
    "SEQUENCE",
    "LAST-MODIFIED",
    "X-MICROSOFT-CDO-BUSYSTATUS",
    "DTSTART",
    "DTEND",
    "DUE",
    "STATUS",
    "TRANSP",
    "SUMMARY",
    "CATEGORIES",
}


def assert_minimal_feed(data: bytes, company_names: set[str]) -> None:
    """`detail = "minimal"`: each event says its rule and at most a company's name; no
    description, URL, contact, role or tag."""
    from vaultkit.render.ics import one_line
    from vaultkit.vault.rulebook import RULE_IDS, RULES

    labels = {r.label for r in RULES}
    companies = {one_line(n) for n in company_names}
    for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        assert set(event.keys()) <= MINIMAL_KEYS, set(event.keys())
        summary = re.sub(r" \(overdue since \d{1,2} \w{3}( \d{4})?\)$", "", str(event["SUMMARY"]))
        label, _, company = summary.partition(": ")
        assert label in labels and (not company or company in companies), summary
        assert {str(c) for c in event["CATEGORIES"].cats} <= set(RULE_IDS), event["CATEGORIES"]
