"""`vaultkit show NOTE`: one company or contact as a timeline, in the terminal and as JSON."""

from __future__ import annotations

import json

import pytest
from conftest import TODAY

from vaultkit.rules.registry import derive_followups
from vaultkit.views.show import timeline

GLOBEX = """\
---
stage: interviewing
applied: 2026-11-02
role: Staff Engineer
aliases: [Globex Corp]
contacts: ["[[Jane Doe]]"]
interviews:
  - {date: 2026-11-20 10:00, with: "[[Jane Doe]]", kind: video}
---
## Log
- 2026-11-02 Applied
"""
JANE = """\
---
company: "[[Globex]]"
relationship: recruiter
linkedin_connected: 2026-11-21
---
"""
DAILY = "- Call with [[Jane Doe]] about the next round\n"


@pytest.fixture
def vault(write_note, load):
    write_note("companies/Globex.md", GLOBEX, dedent=False)
    write_note("people/Jane Doe.md", JANE, dedent=False)
    write_note("daily/2026-11-25.md", DAILY, dedent=False)
    write_note("companies/Initech.md", "---\nname: Jane\n---\n", dedent=False)
    write_note("people/Jane.md", "---\nname: Jane Roe\n---\n", dedent=False)
    return load()


def test_timeline_gathers_fields_interactions_and_followups(vault):
    item = timeline(vault, derive_followups(vault, TODAY), "companies/Globex.md", TODAY)
    fields = dict(item.fields)
    assert fields["stage"] == "interviewing" and fields["contacts"] == "Jane Doe"
    assert fields["applied"] == "2026-11-02" and fields["role"] == "Staff Engineer"
    assert fields["interview"].startswith("2026-11-20 10:00 video with Jane Doe")
    # From its own log, its interview, and the daily note that links its contact.
    assert [(i.date.isoformat(), i.source, i.path) for i in item.interactions] == [
        ("2026-11-02", "applied", "companies/Globex.md"),
        ("2026-11-02", "log", "companies/Globex.md"),
        ("2026-11-20", "interview", "companies/Globex.md"),
        ("2026-11-25", "daily", "daily/2026-11-25.md"),
    ]
    # The thank-you for the interview is open (no #thank-you logged), with its reason.
    assert any(f.rule == "thank-you" and "thank-you" in f.reason for f in item.followups)
    assert "people/Jane Doe.md" in item.mentioned_in


def _show(runner, vault_dir, *args):
    from vaultkit.cli import cli

    return runner.invoke(cli, ["show", "--vault", str(vault_dir), "--today", "2026-12-01", *args])


def test_cli_show_by_alias_prints_a_timeline(runner, vault, vault_dir):
    result = _show(runner, vault_dir, "Globex Corp")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Globex  company · companies/Globex.md")
    assert "Open follow-ups" in out and "Thank Jane Doe" in out
    assert "2026-11-25  Call with Jane Doe about the next round  (daily/2026-11-25.md:1)" in out
    timeline_part = out.split("Timeline (4)", 1)[1]
    assert timeline_part.index("2026-11-25") < timeline_part.index("2026-11-02")  # newest first


def test_cli_show_json_by_path(runner, vault, vault_dir):
    result = _show(runner, vault_dir, "people/Jane Doe.md", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["path"] == "people/Jane Doe.md" and data["kind"] == "contact"
    assert data["fields"]["company"] == "Globex"
    assert {i["source"] for i in data["interactions"]} == {"interview", "daily"}
    assert all({"id", "rule", "due", "reason"} <= set(f) for f in data["followups"])


def test_cli_show_file_name_before_name(runner, vault, vault_dir):
    # "Jane" is the file name of people/Jane.md and the name of companies/Initech.md: the
    # file name wins, as in Obsidian. "jane roe" is only a name.
    assert json.loads(_show(runner, vault_dir, "Jane", "--json").output)["path"] == "people/Jane.md"
    result = _show(runner, vault_dir, "Jane Doe")
    assert result.exit_code == 0


def test_cli_show_ambiguous_names(runner, write_note, vault_dir, load):
    write_note("companies/Acme.md", "---\nstage: lead\n---\n", dedent=False)
    write_note("people/Acme.md", "---\nname: Ann\n---\n", dedent=False)
    result = _show(runner, vault_dir, "Acme")
    assert result.exit_code == 2
    assert (
        "ambiguous" in result.output
        and "companies/Acme.md" in result.output
        and "people/Acme.md" in result.output
    )


def test_cli_show_unknown_note(runner, vault, vault_dir):
    result = _show(runner, vault_dir, "Nobody")
    assert result.exit_code == 2 and "no note named 'Nobody'" in result.output
