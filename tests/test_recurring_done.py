"""`vaultkit done` on a recurring task does what Obsidian Tasks does: the done line, and the
next occurrence above it with its dates moved by the rule; `🏁 delete` honoured.

The expected lines follow the examples of the Tasks documentation ("Recurring Tasks", "On
Completion"), in our own words and dates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from vaultkit.cli import cli
from vaultkit.vault.recurrence import next_date, parse_rule


def done(runner, vault: Path, title: str, today: str):
    agenda = runner.invoke(
        cli, ["agenda", "--vault", str(vault), "--today", today, "--all", "--json"]
    )
    item = next(f for f in json.loads(agenda.stdout) if f["title"] == title)
    return runner.invoke(cli, ["done", item["id"], "--vault", str(vault), "--today", today])


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    (root / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\n')
    return root


def test_the_next_occurrence_is_written_above_the_done_one(runner, vault):
    plan = vault / "Plan.md"
    plan.write_bytes("# Plan\r\n- [ ] Weekly check 🔁 every week 📅 2026-12-02\r\nend\r\n".encode())
    result = done(runner, vault, "Weekly check", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert plan.read_bytes().decode() == (
        "# Plan\r\n"
        "- [ ] Weekly check 🔁 every week 📅 2026-12-09\r\n"
        "- [x] Weekly check 🔁 every week 📅 2026-12-02 ✅ 2026-12-02\r\n"
        "end\r\n"
    )
    assert result.output.splitlines() == [
        "Plan.md: - [x] Weekly check 🔁 every week 📅 2026-12-02 ✅ 2026-12-02",
        "Plan.md: - [ ] Weekly check 🔁 every week 📅 2026-12-09",
        "Next one due 2026-12-09.",  # the same follow-up, rolled forward
    ]
    # The follow-up goes on: same id, next week (identity.py: same words, still open).
    agenda = runner.invoke(
        cli, ["agenda", "--vault", str(vault), "--today", "2026-12-02", "--all", "--json"]
    )
    assert [f["due"] for f in json.loads(agenda.stdout)] == ["2026-12-09"]


def test_every_date_moves_by_the_reference_dates_step_and_ids_are_not_inherited(runner, vault):
    plan = vault / "Plan.md"
    plan.write_text(
        "- [ ] Mow the lawn 🔁 every 2 weeks 🛫 2026-10-26 ⏳ 2026-10-28 📅 2026-10-30 "
        "🆔 mow1 ⛔ buy9 ➕ 2026-10-01 ^lawn\n"
    )
    result = done(runner, vault, "Mow the lawn", "2026-10-30")
    assert result.exit_code == 0, result.output
    assert plan.read_text().splitlines() == [
        "- [ ] Mow the lawn 🔁 every 2 weeks 🛫 2026-11-09 ⏳ 2026-11-11 📅 2026-11-13",
        "- [x] Mow the lawn 🔁 every 2 weeks 🛫 2026-10-26 ⏳ 2026-10-28 📅 2026-10-30 "
        "🆔 mow1 ⛔ buy9 ➕ 2026-10-01 ✅ 2026-10-30 ^lawn",
    ]


def test_when_done_counts_from_the_day_it_is_done(runner, vault):
    plan = vault / "Plan.md"
    plan.write_text("- [ ] Sweep the floors 🔁 every week when done ⏳ 2026-11-06\n")
    assert done(runner, vault, "Sweep the floors", "2026-12-01").exit_code == 0
    assert plan.read_text().splitlines()[0] == (
        "- [ ] Sweep the floors 🔁 every week when done ⏳ 2026-12-08"
    )


def test_delete_on_completion(runner, vault):
    plan = vault / "Plan.md"
    plan.write_text(
        "# Tasks\n"
        "- [ ] Daily stand-up notes 📅 2026-12-01 🔁 every day when done 🏁 delete\n"
        "- [ ] Remove me when done 📅 2026-12-02 🏁 delete\n"
        "- [ ] Keep my children 📅 2026-12-03 🏁 delete\n"
        "    - a nested item\n"
    )
    assert done(runner, vault, "Daily stand-up notes", "2026-12-01").exit_code == 0
    assert done(runner, vault, "Remove me when done", "2026-12-01").exit_code == 0
    result = done(runner, vault, "Keep my children", "2026-12-01")
    assert result.exit_code == 0 and "nested under it" in result.output
    assert plan.read_text() == (
        "# Tasks\n"
        "- [ ] Daily stand-up notes 📅 2026-12-02 🔁 every day when done 🏁 delete\n"
        "- [x] Keep my children 📅 2026-12-03 🏁 delete ✅ 2026-12-01\n"
        "    - a nested item\n"
    )


def test_dataview_format_and_a_callout(runner, vault):
    plan = vault / "Plan.md"
    plan.write_text(
        "- [ ] Monthly report  [repeat:: every month]  [due:: 2026-01-31]\n"
        "> [!todo] Weekly\n"
        "> - [ ] Review the pipeline 🔁 every Sunday 📅 2026-12-06\n"
    )
    assert done(runner, vault, "Monthly report", "2026-01-31").exit_code == 0
    assert done(runner, vault, "Review the pipeline", "2026-12-06").exit_code == 0
    assert plan.read_text().splitlines() == [
        "- [ ] Monthly report  [repeat:: every month]  [due:: 2026-02-28]",
        "- [x] Monthly report  [repeat:: every month]  [due:: 2026-01-31]  [completion:: 2026-01-31]",
        "> [!todo] Weekly",
        "> - [ ] Review the pipeline 🔁 every Sunday 📅 2026-12-13",
        "> - [x] Review the pipeline 🔁 every Sunday 📅 2026-12-06 ✅ 2026-12-06",
    ]


def test_a_rule_vaultkit_cannot_read_writes_nothing(runner, vault):
    plan = vault / "Plan.md"
    text = "- [ ] Water the plants 🔁 every full moon 📅 2026-12-02\n"
    plan.write_text(text)
    result = done(runner, vault, "Water the plants", "2026-12-02")
    assert result.exit_code == 2
    assert "cannot work out the next date of `🔁 every full moon`" in result.output
    assert plan.read_text() == text


@pytest.mark.parametrize(
    ("rule", "reference", "today", "expected"),
    [
        # From the Tasks documentation's examples
        ("every Sunday", date(2021, 4, 25), date(2021, 4, 24), date(2021, 5, 2)),
        ("every month on the last", date(2022, 1, 31), date(2022, 1, 31), date(2022, 2, 28)),
        ("every month", date(2021, 10, 31), date(2021, 10, 31), date(2021, 11, 30)),
        ("every month", date(2021, 11, 30), date(2021, 11, 30), date(2021, 12, 30)),
        ("every month on the 31st", date(2022, 1, 31), date(2022, 1, 31), date(2022, 3, 31)),
        ("every week", date(2021, 2, 6), date(2022, 2, 13), date(2021, 2, 13)),
        ("every week when done", date(2021, 2, 6), date(2022, 2, 13), date(2022, 2, 20)),
        ("every 3 months", date(2022, 1, 31), date(2022, 1, 31), date(2022, 4, 30)),
        ("every 3 months", date(2022, 4, 30), date(2022, 4, 30), date(2022, 7, 30)),
        # The other forms the documentation lists
        ("every 3 days", date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 4)),
        ("every 10 days when done", date(2026, 1, 1), date(2026, 12, 1), date(2026, 12, 11)),
        ("every weekday", date(2026, 12, 4), date(2026, 12, 4), date(2026, 12, 7)),
        ("every week on Sunday", date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 6)),
        ("every week on Tuesday, Friday", date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 4)),
        ("every 2 weeks", date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 15)),
        ("every 3 weeks on Friday", date(2026, 12, 4), date(2026, 12, 4), date(2026, 12, 25)),
        ("every 2 months", date(2026, 12, 31), date(2026, 12, 31), date(2027, 2, 28)),
        ("every month on the 1st", date(2026, 12, 1), date(2026, 12, 1), date(2027, 1, 1)),
        (
            "every month on the last Friday",
            date(2026, 12, 25),
            date(2026, 12, 25),
            date(2027, 1, 29),
        ),
        (
            "every month on the 2nd last Friday",
            date(2026, 12, 18),
            date(2026, 12, 18),
            date(2027, 1, 22),
        ),
        (
            "every 6 months on the 2nd Wednesday",
            date(2026, 12, 9),
            date(2026, 12, 9),
            date(2027, 6, 9),
        ),
        ("every January on the 15th", date(2026, 1, 15), date(2026, 1, 15), date(2027, 1, 15)),
        ("every February on the last", date(2027, 2, 28), date(2027, 2, 28), date(2028, 2, 29)),
        (
            "every April and December on the 1st and 24th",
            date(2026, 4, 24),
            date(2026, 4, 24),
            date(2026, 12, 1),
        ),
        ("every year", date(2024, 2, 29), date(2024, 2, 29), date(2025, 2, 28)),
    ],
)
def test_next_dates(rule, reference, today, expected):
    parsed = parse_rule(rule)
    assert parsed is not None, rule
    assert next_date(parsed, reference, today) == expected


@pytest.mark.parametrize(
    "rule", ["every full moon", "every", "weekly", "every 0 days", "every days"]
)
def test_rules_that_are_not_read(rule):
    assert parse_rule(rule) is None
