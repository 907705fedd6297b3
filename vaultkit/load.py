"""scan -> parse -> model: the vault as it is on disk, read into a Vault; and `evaluate`, the
vault's follow-ups and problems as of a day, which `agenda` and `check` print."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vaultkit import __version__
from vaultkit.config import CONFIG_NAME, Config
from vaultkit.followup import FollowUp
from vaultkit.model import Vault, build_model
from vaultkit.parse import ParsedNote, read_note
from vaultkit.problems import Problem
from vaultkit.scan import Scan, scan_vault, template_folders


def _stat(config: Config, rel: str) -> os.stat_result | None:
    try:
        return os.stat(os.path.join(config.vault, rel))  # pathlib's `/` costs more than stat
    except OSError:
        return None


def scan_notes(config: Config) -> Scan:
    """The vault's notes: minus the output folder, `exclude` globs and, unless
    `exclude_templates = false`, the note templates (Obsidian's templates folder)."""
    exclude = list(config.get("exclude"))
    if config.get("exclude_templates"):
        exclude += [f"{folder}/**" for folder in template_folders(config.vault)]
    return scan_vault(config.vault, str(config.get("output")), exclude)


def load_vault(config: Config, *, use_cache: bool = False, scan: Scan | None = None) -> Vault:
    """Read every note; with `use_cache`, reuse the parse of notes unchanged since last run."""
    scan = scan or scan_notes(config)
    cache = None
    if use_cache:
        from vaultkit.cache import NoteCache

        cache = NoteCache(config.vault)
    stats = {rel: _stat(config, rel) for rel in scan.notes} if cache is not None else {}
    found: dict[str, ParsedNote] = {}
    for rel, stat in stats.items():
        if stat is not None and (hit := cache.get(rel, stat)) is not None:  # type: ignore[union-attr]
            found[rel] = hit
    missing = [rel for rel in scan.notes if rel not in found]
    for rel, note in zip(missing, _read_all(config, missing), strict=True):
        if note is None:
            continue  # vanished while we read (an editor's save)
        found[rel] = note
        if cache is not None and stats.get(rel) is not None:
            cache.put(rel, stats[rel], note)  # type: ignore[arg-type]
    parsed = [found[rel] for rel in scan.notes if rel in found]
    if cache is not None:
        cache.save(set(scan.notes))
    vault = build_model(parsed, config)
    vault.problems.extend(scan.problems)
    vault.problems.sort()
    from vaultkit.identity import track

    track(vault)  # renamed and moved notes keep their follow-ups' ids
    return vault


PARALLEL_FROM = 2000
"""Below this many notes to parse, starting worker processes costs more than it saves."""


def _read_one(args: tuple[str, str]) -> ParsedNote | None:
    return read_note(Path(args[0]), args[1])


def _read_all(config: Config, rels: list[str]) -> list[ParsedNote | None]:
    """Parse `rels`, on every core when there are many (a cold start of a large vault)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(rels) < PARALLEL_FROM or workers < 2:
        return [read_note(config.vault, rel) for rel in rels]
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(str(config.vault), rel) for rel in rels]
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_read_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
    except (OSError, RuntimeError):  # no processes to be had: do it here
        return [read_note(config.vault, rel) for rel in rels]


@dataclass
class Evaluation:
    config: Config
    followups: list[FollowUp]
    """Every open follow-up, in due order."""
    problems: list[Problem]
    """Everything `vaultkit check` reports."""
    notes: int


def inputs_key(config: Config, scan: Scan, today: date) -> str:
    """A digest of everything an evaluation depends on: vaultkit, the config, the Obsidian
    vault name, the zone, the day, and each note's path, size and modification time."""
    digest = hashlib.sha256()
    try:
        config_bytes = (config.vault / CONFIG_NAME).read_bytes()
    except OSError:
        config_bytes = b""
    for part in (
        __version__,
        str(config.vault),
        config.vault_name,
        config.obsidian_folder,
        config.timezone_name,
        today.isoformat(),
    ):
        digest.update(part.encode() + b"\0")
    digest.update(config_bytes + b"\0")
    # The settings as in force, command-line overrides included.
    digest.update(json.dumps(config.values, sort_keys=True, default=str).encode() + b"\0")
    for rel in scan.notes:
        stat = _stat(config, rel)
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}" if stat else "gone"
        digest.update(f"{rel}\0{stamp}\0".encode())
    for problem in scan.problems:
        digest.update(str(problem).encode() + b"\0")

    for kind in ("company", "contact", "interaction"):  # `check` says when one is missing
        for folder in config.type_list(kind, "folders"):
            digest.update(f"{folder}:{(config.vault / folder).is_dir()}\0".encode())
    return digest.hexdigest()


def _followup_from(data: dict[str, Any]) -> FollowUp:
    due = data["due"]
    return FollowUp(
        id=data["id"],
        rule=data["rule"],
        due=datetime.fromisoformat(due) if "T" in due else date.fromisoformat(due),
        title=data["title"],
        reason=data["reason"],
        note=data["note"],
        line=data["line"],
        priority=data["priority"],
        record=data["record"],
        tags=tuple(data["tags"]),
    )


def evaluate(config: Config, today: date, *, use_cache: bool = True) -> Evaluation:
    """The follow-ups and problems of the vault as of `today`. With the cache, a vault in
    which nothing changed since the last run is answered without reading a note."""
    from vaultkit.cache import load_result, save_result
    from vaultkit.checks import check_vault
    from vaultkit.rules import derive_followups

    scan = scan_notes(config)
    key = inputs_key(config, scan, today) if use_cache else ""
    saved = load_result(config.vault, "evaluation", key) if use_cache else None
    if saved is not None:
        try:
            return Evaluation(
                config,
                [_followup_from(f) for f in saved["followups"]],
                [Problem(**p) for p in saved["problems"]],
                saved["notes"],
            )
        except (KeyError, TypeError, ValueError):
            pass  # a damaged result: evaluate afresh
    vault = load_vault(config, use_cache=use_cache, scan=scan)
    result = Evaluation(
        config, derive_followups(vault, today), check_vault(vault, today), len(vault.notes)
    )
    if use_cache:
        save_result(
            config.vault,
            "evaluation",
            key,
            {
                "followups": [f.to_json() for f in result.followups],
                "problems": [p.to_json() for p in result.problems],
                "notes": result.notes,
            },
        )
    return result
