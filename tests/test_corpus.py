"""A corpus of small vaults in the styles real job-search vaults are kept in (tests/vaults/,
each written for these tests), read the way a new user would: `vaultkit adopt`, then `check`
and `agenda` with the proposed vaultkit.toml unedited.

For each vault: golden files of what adopt proposes, of `check` and of `agenda --json --all`
(tests/golden/corpus/<style>/; regenerate with VAULTKIT_UPDATE_GOLDEN=1 and review the diff),
and, worked out by hand from the notes, the errors that are really in them and the follow-ups
the data calls for: exactly those, no more.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_golden import compare

from vaultkit.cli import cli

CORPUS = Path(__file__).resolve().parent / "vaults"


@dataclass(frozen=True)
class Style:
    today: str
    followups: set[tuple[str, str, str]]
    """(rule, note, due day) of every follow-up the notes call for."""
    errors: set[tuple[str, int]] = field(default_factory=set)
    """(note, line) of the errors that really are in the notes."""


STYLES: dict[str, Style] = {
    # Checkbox properties beside dates (`Applied: true` + `Applied-Date`): the date wins, a
    # checkbox alone is evidence without a date, and no checkbox is an error.
    "checkboxes": Style(
        today="2025-12-12",
        followups={
            # applied 12-06, nothing since: follow up after 4 days
            ("application-follow-up", "Job Hunt/Applications/Northwind Traders.md", "2025-12-10"),
            # Adatum's offer came 12-08; Contoso (interviewing) heard nothing since
            ("offer-update", "Job Hunt/Applications/Contoso Pharma.md", "2025-12-09"),
            # nobody known at Northwind: ask for an informational interview a week in
            ("info-interview-request", "Job Hunt/Applications/Northwind Traders.md", "2025-12-13"),
        },
    ),
    # A template whose own example value has an unquoted colon: that line is an error, every
    # other property (the offer, the interviews) still counts.
    "broken-colon": Style(
        today="2026-04-01",
        followups={
            ("application-follow-up", "jobs/Orchard Mobility.md", "2026-03-31"),
            # Brightline's offer (03-30) is read despite the broken line beside it
            ("offer-update", "jobs/Kestrel Analytics.md", "2026-03-31"),
            ("info-interview-request", "jobs/Orchard Mobility.md", "2026-04-03"),
            # the hiring manager, connected on 03-17: engage every three weeks
            ("engage", "people/Omar Haddad.md", "2026-04-07"),
        },
        errors={("jobs/Brightline Freight.md", 6), ("jobs/Pelican Bay Games.md", 6)},
    ),
    # Follow-up and contact logs kept as Markdown tables: each dated row is a touch.
    "log-tables": Style(
        today="2026-10-20",
        followups={
            # only your own follow-up email on 09-15 since: gone quiet (Lumen and Harbor
            # are not: their table rows are touches)
            ("stale", "Applications/Cinder Cloud.md", "2026-10-06"),
            ("info-interview-request", "Applications/Harbor Logistics.md", "2026-10-08"),
            ("application-follow-up", "Applications/Northbeam.md", "2026-10-18"),
            ("info-interview-request", "Applications/Northbeam.md", "2026-10-21"),
            # every 3 weeks from the 10-06 call in her contact-log table
            ("keep-in-touch", "Contacts/Priya Nair.md", "2026-10-27"),
        },
    ),
    # One note per communication, with `Comm-Type: Sent / Received / Exchanged`.
    "comm-direction": Style(
        today="2026-05-20",
        followups={
            ("application-follow-up", "Companies/Solano Energy.md", "2026-05-16"),
            ("info-interview-request", "Companies/Solano Energy.md", "2026-05-19"),
        },
    ),
    # `Date Last Interaction` on each job note: the company's last contact.
    "last-interaction": Style(
        today="2026-03-02",
        followups={
            # Aster's last interaction (02-20) keeps it from going stale; Birch's (01-22) not
            ("stale", "Job Tracker/Birch & Co.md", "2026-02-12"),
            ("application-follow-up", "Job Tracker/Corvid Labs.md", "2026-03-01"),
            ("info-interview-request", "Job Tracker/Corvid Labs.md", "2026-03-04"),
        },
    ),
    # Title-Case keys with spaces and hyphens, the tracker's own stage words (`Active`,
    # `Not-Applied`, `HR Interview`, `Declined by me`, `No Response`, one it cannot place),
    # contacts with a `Status` of their own and an agency named in plain text.
    "title-case-keys": Style(
        today="2026-07-15",
        followups={
            ("info-interview-request", "Roles/Kettle & Pine.md", "2026-07-08"),
            ("application-follow-up", "Roles/Ironbark Software.md", "2026-07-12"),
            ("follow-up", "Roles/Moraine Data.md", "2026-07-16"),
            # the hiring manager, connected 07-09
            ("engage", "People/Maya Lindqvist.md", "2026-07-30"),
        },
    ),
    # Links to attachments, a canvas, a base and an excluded template; Markdown links with
    # parentheses, angle brackets and percent-encoding; a contact whose file name macOS wrote
    # in decomposed Unicode. Only the two links to files that are not there warn.
    "attachments": Style(
        today="2026-02-10",
        followups={("application-follow-up", "Companies/Zephyr Mobility.md", "2026-02-06")},
    ),
    # Dataview inline fields (`Status:: …`, `[Title:: …]`, `(Source:: …)`), a literal
    # `date("01-18-2024", "MM-dd-yyyy")`, an expression it cannot compute (said, once), and a
    # frontmatter `title` beside an inline `[Title:: …]` (said too).
    "dataview": Style(
        today="2024-02-01",
        followups={
            ("application-follow-up", "Jobs/Umbra Devices.md", "2024-01-22"),
            ("info-interview-request", "Jobs/Umbra Devices.md", "2024-01-25"),
            # the 01-25 interview; only the same day's thank-you since
            ("interview-check-in", "Jobs/Tidewater Games.md", "2024-02-01"),
            ("follow-up", "Jobs/Lumina.md", "2024-02-03"),
        },
    ),
    # Daily notes where .obsidian/daily-notes.json puts them (`Journal/2026/11/24.11.2026`),
    # and nested tags (`#job/applied` is `#job`).
    "daily-notes": Style(
        today="2026-12-01",
        followups={
            # Harrow: the coffee with its recruiter in the 11-24 daily note answers it
            ("application-follow-up", "Pipeline/Ferncliff.md", "2026-11-29"),
            ("info-interview-request", "Pipeline/Ferncliff.md", "2026-12-02"),
        },
    ),
    # Applications filed by week (`Applications/2026-W39/260924-Brightwater Labs-ML
    # Engineer.md`, `company:` and `position:` inside), two of them at one company; a
    # dashboard of Dataview queries among the recruiters; an agency named in plain text.
    "week-folders": Style(
        today="2026-10-01",
        followups={
            (
                "application-follow-up",
                "Applications/2026-W39/260924-Brightwater Labs-ML Engineer.md",
                "2026-09-28",
            ),
            # no informational-interview request at Quarry Lane: it has interviewed you
            (
                "info-interview-request",
                "Applications/2026-W39/260924-Brightwater Labs-ML Engineer.md",
                "2026-10-01",
            ),
            # the 09-29 video round; only that day's thank-you since
            (
                "interview-check-in",
                "Applications/2026-W39/260922-Quarry Lane Software-Data Engineer.md",
                "2026-10-06",
            ),
        },
    ),
    # Every application a list item of one "Application Database" note: a shape vaultkit
    # cannot follow up, said by adopt and check, and no follow-up invented.
    "application-database": Style(today="2025-03-10", followups=set()),
    # Obsidian's list properties (`status:` then `  - 🟢 Applied`), stage words with emoji,
    # dates written `16.03.2026` (adopt proposes `date_format`) and `March 12, 2026`.
    "obsidian-properties": Style(
        today="2026-03-20",
        followups={
            # Fjord: the recruiter's last contact (03-17) came after the application
            ("info-interview-request", "Applications/Kobalt Labs.md", "2026-03-09"),
            # Polaris's offer (March 12, 2026) told to Kobalt, still screening
            ("offer-update", "Applications/Kobalt Labs.md", "2026-03-13"),
            ("follow-up", "Applications/Kobalt Labs.md", "2026-03-24"),
        },
    ),
    # A Kanban board (`## Applied`, `## Final round`, `## Offer 🎉` lanes of `- [ ] [[Company]]`
    # cards) holds the stages; the company notes hold the dates.
    "kanban-board": Style(
        today="2026-05-12",
        followups={
            ("application-follow-up", "Companies/Copperleaf.md", "2026-05-11"),
            ("info-interview-request", "Companies/Copperleaf.md", "2026-05-14"),
            ("info-interview-request", "Companies/Driftwood Analytics.md", "2026-05-04"),
            # Quill & Ink's offer (its lane and its date): tell the two still in play
            ("offer-update", "Companies/Larkspur Health.md", "2026-05-12"),
            ("offer-update", "Companies/Marigold Robotics.md", "2026-05-12"),
            ("interview-check-in", "Companies/Marigold Robotics.md", "2026-05-15"),
            # Basalt Energy is in `Rejected`: no follow-up, though its note states no stage
        },
    ),
    # A Notion export: `Status: Applied` lines where properties go, which neither Obsidian nor
    # vaultkit reads as properties: said by adopt and check, no follow-up invented.
    "notion-export": Style(today="2025-12-10", followups=set()),
}


def _run(runner, *args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.stdout


@pytest.mark.parametrize("style", sorted(STYLES))
def test_adopted_vault_reads_as_its_owner_means(style, runner, tmp_path):
    expect = STYLES[style]
    vault = tmp_path / style
    shutil.copytree(CORPUS / style, vault)
    notes_before = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file()}
    assert not (vault / ".vaultkit").exists()

    adopt = runner.invoke(cli, ["adopt", "--vault", str(vault)])
    assert adopt.exit_code == 0, adopt.output
    compare(f"corpus/{style}/adopt.txt", adopt.output.encode())
    compare(f"corpus/{style}/vaultkit.toml", (vault / "vaultkit.toml").read_bytes())

    common = ["--vault", str(vault), "--today", expect.today, "--no-cache"]
    check_text = _run(runner, "check", *common)
    compare(f"corpus/{style}/check.txt", check_text.encode())
    problems = json.loads(_run(runner, "check", "--json", *common))
    errors = {(p["path"], p["line"]) for p in problems if p["severity"] == "error"}
    assert errors == expect.errors, problems

    agenda_text = _run(runner, "agenda", "--json", "--all", *common)
    compare(f"corpus/{style}/agenda.json", agenda_text.encode())
    found = {(f["rule"], f["note"], f["due"][:10]) for f in json.loads(agenda_text)}
    assert found == expect.followups

    after = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file()}
    del after[vault / "vaultkit.toml"]
    own = vault / ".vaultkit"  # vaultkit's own state (the notes' identities), never a note
    assert {p: b for p, b in after.items() if own not in p.parents} == notes_before
