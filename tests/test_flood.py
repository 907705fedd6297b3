"""The rules of the second table must not flood a vault on their first run: a handful of items
each on the sample vault and on a vault adopted from a typical Obsidian job-search template
(docs/rules.md quotes the numbers)."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from conftest import SAMPLE_VAULT, TODAY

from vaultkit.commands.adopt import propose, render_toml
from vaultkit.pipeline import evaluate
from vaultkit.vault.config import load_config

NEW_RULES = ("met-follow-up", "info-interview-request", "engage", "share-expertise")
STATUSES = ["Applied", "Applied", "No Response", "Rejected", "Interviewing", "Applied"]
RELATIONSHIPS = ["Recruiter", "Hiring Manager", "Interviewer", "Peer", "Alumni"]


def template_vault(root: Path) -> None:
    """A long search kept the way job-search templates for Obsidian lay it out: one note per
    application with Title-Case properties, a networking folder, a dashboard, daily notes."""
    apps = root / "Job Search" / "Applications"
    people = root / "Job Search" / "Networking"
    apps.mkdir(parents=True)
    people.mkdir(parents=True)
    companies = [f"Company {i:02d}" for i in range(48)]
    for i, name in enumerate(companies):  # one application every two days since September
        applied = date(2026, 9, 1) + timedelta(days=2 * i)
        (apps / f"{name}.md").write_text(
            "---\n"
            f"Position: Backend Engineer {i}\n"
            f"Status: {STATUSES[i % len(STATUSES)]}\n"
            f"Date Applied: {applied}\n"
            f"Link: https://jobs.example/{i}\n"
            "Salary:\nFollow Up:\n"
            "tags: [job-application]\n"
            "---\n## Notes\n\n## Log\n"
            f"- {applied} Applied through the job board\n"
        )
    for i in range(20):  # met over three months, a few recently, some connected
        met = date(2026, 9, 5) + timedelta(days=4 * i)
        company = f'"[[{companies[2 * i]}]]"' if i % 2 else ""
        connected = f"{met + timedelta(days=1)}" if i % 4 == 1 else ""
        (people / f"Person {i:02d}.md").write_text(
            "---\n"
            f"Company: {company}\n"
            f"Relationship: {RELATIONSHIPS[i % len(RELATIONSHIPS)]}\n"
            f"Email: person{i}@mail.example\n"
            f"Met: {met}\n"
            f"LinkedIn Connected: {connected}\n"
            "tags: [contact]\n"
            "---\n"
        )
    (root / "Job Search" / "Dashboard.md").write_text(
        "```dataview\ntable Status, Date Applied from #job-application\n```\n"
    )
    daily = root / "Daily"
    daily.mkdir()
    (daily / "2026-11-20.md").write_text(f"- Coffee with [[Person 18]] about [[{companies[36]}]]\n")


def counts(vault_dir: Path) -> Counter[str]:
    evaluation = evaluate(load_config(vault_dir), TODAY)
    return Counter(f.rule for f in evaluation.followups if f.rule in NEW_RULES)


def test_adopted_template_vault_gets_a_handful_per_rule(tmp_path):
    root = tmp_path / "vault"
    template_vault(root)
    proposal = render_toml(propose(root))
    # adopt maps the connections too, so that `engage` sees them
    assert 'linkedin_connected = ["LinkedIn Connected"]' in proposal
    (root / "vaultkit.toml").write_text(proposal)
    found = counts(root)
    assert load_config(root).type_list("company", "folders") == ["Job Search/Applications"]
    assert sum(found.values()) > 0, "the fixture should exercise the new rules"
    assert all(n <= 5 for n in found.values()), found


def test_sample_vault_numbers_match_the_docs(tmp_path):
    copy = tmp_path / "sample"
    shutil.copytree(SAMPLE_VAULT, copy)
    assert counts(copy) == {
        "met-follow-up": 1,
        "info-interview-request": 1,
        "engage": 6,
        "share-expertise": 1,
    }
