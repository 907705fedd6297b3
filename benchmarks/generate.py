"""Write a realistic synthetic vault: ~60% companies, ~40% contacts, deterministic by seed.

python benchmarks/generate.py DIR --notes 1000 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

STAGES = [
    "lead",
    "applied",
    "screening",
    "interviewing",
    "offer",
    "rejected",
    "withdrawn",
    "ghosted",
]
WORDS = (
    "platform reliability latency pipeline onboarding roadmap hiring manager team culture "
    "salary remote hybrid interview loop system design coding exercise referral coffee "
    "meetup conference talk follow thanks portfolio question research product"
).split()


def _day(rng: random.Random) -> date:
    return date(2026, 9, 1) + timedelta(days=rng.randrange(120))


def _paragraph(rng: random.Random, people: list[str], size: int) -> str:
    out: list[str] = []
    while sum(len(w) + 1 for w in out) < size:
        out.append(
            f"[[{rng.choice(people)}]]" if people and rng.random() < 0.03 else rng.choice(WORDS)
        )
    return " ".join(out)


def generate(root: Path, notes: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    n_companies = notes * 6 // 10
    companies = [f"Company {i:05d}" for i in range(n_companies)]
    people = [f"Person {i:05d}" for i in range(notes - n_companies)]
    for i, name in enumerate(companies):
        folder = root / "companies" / f"batch-{i % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        applied = _day(rng)
        contacts = rng.sample(people, min(len(people), 2))
        fm = [
            f"name: {name}",
            f"role: Engineer {i}",
            f"stage: {rng.choice(STAGES)}",
            f"applied: {applied}",
            f"follow_up: {applied + timedelta(days=rng.randrange(30))}",
            "contacts: [" + ", ".join(f'"[[{c}]]"' for c in contacts) + "]",
            f'interviews: [{{date: {applied + timedelta(days=7)}, with: "[[{contacts[0]}]]", '
            "kind: phone}]"
            if contacts
            else "interviews: []",
            f"resume: resume-v{rng.randrange(4)}",
            f"source: {rng.choice(['linkedin', 'referral'])}",
            f"url: https://example.test/jobs/{i}",
            "location: Remote",
            "salary: 150-180k",
            f"priority: {rng.choice(['high', 'medium', 'low'])}",
            "tags: [job, engineering]",
        ]
        body = [
            _paragraph(rng, people, rng.randrange(600, 3000)),
            "",
            "## Tasks",
            f"- [ ] Prepare for the call 📅 {applied + timedelta(days=rng.randrange(40))}",
            "- [x] Send resume ✅ 2026-10-01",
            "",
            "## Log",
        ]
        body += [
            f"- {applied + timedelta(days=d)} Touch with [[{rng.choice(contacts or [name])}]]"
            f" #{rng.choice(['email', 'call', 'thank-you'])}"
            for d in range(0, 20, 5)
        ]
        (folder / f"{name}.md").write_text(
            "---\n" + "\n".join(fm) + "\n---\n" + "\n".join(body) + "\n"
        )
    for i, name in enumerate(people):
        folder = root / "people" / f"batch-{i % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        fm = [
            f"name: {name}",
            f'company: "[[{rng.choice(companies)}]]"',
            "role: Engineer",
            f"relationship: {rng.choice(['recruiter', 'hiring-manager', 'peer'])}",
            f"email: p{i}@example.test",
            f"linkedin: https://linkedin.test/in/p{i}",
            f"met: {_day(rng)}",
            f"cadence: {rng.choice(['3w', 'monthly', 'quarterly'])}",
            f"last_contact: {_day(rng)}",
            "tags: [network]",
        ]
        body = [
            _paragraph(rng, people, rng.randrange(600, 2500)),
            "",
            "## Log",
            f"- {_day(rng)} Coffee #coffee",
        ]
        (folder / f"{name}.md").write_text(
            "---\n" + "\n".join(fm) + "\n---\n" + "\n".join(body) + "\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.dir, args.notes, args.seed)


if __name__ == "__main__":
    main()
