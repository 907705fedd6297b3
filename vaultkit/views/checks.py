"""`vaultkit check`: every problem the model found, plus checks of the habits themselves."""

from __future__ import annotations

from datetime import date

from vaultkit.vault.config import CONFIG_NAME
from vaultkit.vault.fields import FIELDS_BY_NAME
from vaultkit.vault.model import Vault
from vaultkit.vault.problems import Problem, warning
from vaultkit.vault.vocabulary import TEXT_PROPERTIES, TEXT_PROPERTIES_SAID, TRACKER_ITEMS
from vaultkit.views.agenda import UNMAPPED_NOTES


def check_vault(vault: Vault, today: date) -> list[Problem]:
    found = set(vault.problems)
    found.update(_mapping_problems(vault))
    found.update(_shape_problems(vault))
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
        missing = (
            "`offer` is checked but has no date"
            if "offer" in company.checked
            else "there is no `offer` date"
        )
        out.append(
            warning(
                path,
                company.line_of("stage"),
                f"stage is `{stage}` but {missing}: the offer-update "
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
    records: dict[str, set[str]] = {}
    """property (lower case) -> the kinds of record that set it."""
    for note in vault.notes.values():
        if note.parsed is not None and note.is_record:
            for key in (*note.parsed.meta, *note.parsed.inline):
                records.setdefault(key, set()).add(note.kind)
    for table, kind in (
        ("fields", None),
        ("types.company.fields", "company"),
        ("types.contact.fields", "contact"),
    ):
        for name, names in config.table(table).items():
            where = f"[{table}] {name}"
            line = config.line_of(f"{table}.{name}")
            spec = FIELDS_BY_NAME.get(name.lower())
            if spec is None and name.lower() != "type":
                known = ", ".join(FIELDS_BY_NAME)
                out.append(
                    warning(CONFIG_NAME, line, f"{where}: not a field vaultkit reads ({known})")
                )
                continue
            lowered = {n.lower() for n in names}
            if names and not present & lowered:
                out.append(
                    warning(
                        CONFIG_NAME,
                        line,
                        f"{where}: no note has any of the properties {', '.join(names)}",
                    )
                )
                continue
            if spec is None:
                continue
            # A field mapped where it means nothing is read nowhere: say so, not silently.
            kinds = {kind} if kind else set().union(*(records.get(n, set()) for n in lowered))
            if kinds and not kinds & set(spec.applies_to):
                out.append(
                    warning(
                        CONFIG_NAME,
                        line,
                        f"{where}: `{name}` means nothing on {_plural(kinds)} (it is read on "
                        f"{_plural(spec.applies_to)}), so these properties are not read",
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


def _shape_problems(vault: Vault) -> list[Problem]:
    """Vaults kept in a shape vaultkit cannot read, said plainly rather than left empty."""
    notes = vault.notes.values()
    out = []
    if not any(n.is_record for n in notes) and len(vault.notes) >= UNMAPPED_NOTES:
        out.append(
            warning(
                CONFIG_NAME,
                0,
                f"none of the {len(vault.notes)} notes is a company or a contact: `vaultkit "
                "adopt` proposes which folders, tags and properties make one",
            )
        )
    written = [n.path for n in notes if n.parsed and n.parsed.text_properties >= TEXT_PROPERTIES]
    if len(written) >= 2 and len(written) > sum(n.is_record for n in notes):
        said = TEXT_PROPERTIES_SAID.format(count=len(written), first=written[0])
        out.append(warning(written[0], 1, said))
    companies = len(vault.records("company"))
    return out + [
        warning(
            note.path,
            1,
            f"this note keeps {note.parsed.application_items} applications as list items or "
            "table rows; vaultkit reads one note per application (a company note with its "
            "stage and dates), so none of these is followed up "
            "(docs/adopt.md#one-note-per-application)",
        )
        for note in notes
        if not note.is_record and note.parsed is not None
        if TRACKER_ITEMS <= note.parsed.application_items > companies
    ]


def _plural(kinds: set[str] | tuple[str, ...]) -> str:
    words = {"company": "companies", "contact": "contacts"}
    return " and ".join(words.get(k, k + "s") for k in sorted(kinds))
