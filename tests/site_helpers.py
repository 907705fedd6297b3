"""Shared bits of the build, html and ics tests: a small vault with every kind of follow-up."""

from __future__ import annotations

from pathlib import Path

COMPANY = """\
---
stage: applied
role: Staff Engineer
follow_up: 2026-12-03
contacts: ["[[Jane Doe]]"]
tags: [fintech]
---
Talked to [[Jane Doe|Jane]]; see [[Jane Doe#Background]] and [[Nobody Here]].

## Log
- 2026-11-20 Applied via the careers page
"""

CONTACT = """\
---
company: "[[Globex]]"
relationship: recruiter
follow_up: 2026-12-02T10:30
---
## Background
Met at a meetup.
"""

PLAN = """\
# Plan
- [ ] Update the resume 📅 2026-12-10
"""


def make_vault(root: Path) -> Path:
    return write_files(
        root,
        {
            "vaultkit.toml": 'timezone = "Europe/Berlin"\nvault_name = "Jobs"\n',
            "companies/Globex.md": COMPANY,
            "people/Jane Doe.md": CONTACT,
            "Plan.md": PLAN,
        },
    )


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write each `{relative path: text}` under `root` (folders made as needed); `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build(runner, vault: Path, *extra: str):
    from vaultkit.cli import cli

    return runner.invoke(cli, ["build", "--vault", str(vault), "--today", "2026-12-01", *extra])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
