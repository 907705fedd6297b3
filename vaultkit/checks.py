"""`vaultkit check`: every problem the model found, plus checks of the habits themselves."""

from __future__ import annotations

from datetime import date

from vaultkit.model import Vault
from vaultkit.problems import Problem, warning


def check_vault(vault: Vault, today: date) -> list[Problem]:
    found = set(vault.problems)
    for company in vault.records("company"):
        found.update(_habit_problems(vault, company.path))
    return sorted(found)


def _habit_problems(vault: Vault, path: str) -> list[Problem]:
    company = vault.notes[path]
    out = []
    stage = company.stage
    sent = stage not in (None, "lead") and (vault.is_active(company) or stage == "accepted")
    if sent and not company.get("resume") and not company.get("cover_letter"):
        # Habit 1: tailor the resume and cover letter, and remember which went where.
        out.append(warning(path, company.line_of("stage"),
                           f"stage is `{stage}` but no `resume` or `cover_letter` is recorded: "
                           "note which tailored version you sent"))
    if stage in ("offer", "accepted") and not company.get("offer"):
        out.append(warning(path, company.line_of("stage"),
                           f"stage is `{stage}` but there is no `offer` date: the offer-update "
                           "rule needs it to tell the other companies"))
    return out
