"""scan -> parse -> model: the vault as it is on disk, read into a Vault."""

from __future__ import annotations

import os

from vaultkit.config import Config
from vaultkit.model import Vault, build_model
from vaultkit.parse import ParsedNote, read_note
from vaultkit.scan import scan_vault


def load_vault(config: Config, *, use_cache: bool = False) -> Vault:
    """Read every note; with `use_cache`, reuse the parse of notes unchanged since last run."""
    scan = scan_vault(config.vault, config.get("output"), config.get("exclude"))
    parsed: list[ParsedNote] = []
    cache = None
    if use_cache:
        from vaultkit.cache import NoteCache

        cache = NoteCache(config.vault)
    for rel in scan.notes:
        note = None
        stat = None
        if cache is not None:
            try:
                stat = os.stat(config.vault / rel)
            except OSError:
                stat = None
            note = cache.get(rel, stat) if stat else None
        if note is None:
            note = read_note(config.vault, rel)
            if note is None:
                continue  # vanished while we read (an editor's save)
            if cache is not None and stat is not None:
                cache.put(rel, stat, note)
        parsed.append(note)
    if cache is not None:
        cache.save(set(scan.notes))
    vault = build_model(parsed, config)
    vault.problems.extend(scan.problems)
    vault.problems.sort()
    return vault
