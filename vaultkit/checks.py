"""`vaultkit check`: every problem the model found, plus checks of the habits themselves."""

from __future__ import annotations

from datetime import date

from vaultkit.config import CONFIG_NAME
from vaultkit.model import Vault
from vaultkit.problems import Problem, warning


def check_vault(vault: Vault, today: date) -> list[Problem]:
    found = set(vault.problems)
    found.update(_mapping_problems(vault))
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
        out.append(
            warning(
                path,
                company.line_of("stage"),
                f"stage is `{stage}` but no `resume` or `cover_letter` is recorded: "
                "note which tailored version you sent",
            )
        )
    if stage in ("offer", "accepted") and not company.get("offer"):
        out.append(
            warning(
                path,
                company.line_of("stage"),
                f"stage is `{stage}` but there is no `offer` date: the offer-update "
                "rule needs it to tell the other companies",
            )
        )
    return out


def _mapping_problems(vault: Vault) -> list[Problem]:
    """What in `vaultkit.toml`'s mapping matches nothing in the vault: likely a typo."""
    config = vault.config
    out = []
    present: set[str] = set()
    for note in vault.notes.values():
        if note.parsed is not None:
            present.update(note.parsed.meta)
            present.update(note.parsed.inline)
    for name, names in config.table("fields").items():
        if names and not present & {n.lower() for n in names}:
            out.append(
                warning(
                    CONFIG_NAME,
                    config.line_of(f"fields.{name}"),
                    f"[fields] {name}: no note has any of the properties {', '.join(names)}",
                )
            )
    for kind in ("company", "contact", "interaction"):
        for folder in config.type_list(kind, "folders"):
            explicit = f"types.{kind}.folders" in config.values
            if explicit and not (config.vault / folder).is_dir():
                out.append(
                    warning(
                        CONFIG_NAME,
                        config.line_of(f"types.{kind}.folders"),
                        f"[types.{kind}] folder {folder!r} does not exist",
                    )
                )
    return out
