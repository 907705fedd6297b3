"""scan -> parse -> model: the vault as it is on disk, read into a Vault."""

from __future__ import annotations

from vaultkit.config import Config
from vaultkit.model import Vault, build_model
from vaultkit.parse import read_note
from vaultkit.scan import scan_vault


def load_vault(config: Config) -> Vault:
    scan = scan_vault(config.vault, config.get("output"), config.get("exclude"))
    parsed = [note for rel in scan.notes if (note := read_note(config.vault, rel)) is not None]
    vault = build_model(parsed, config)
    vault.problems.extend(scan.problems)
    vault.problems.sort()
    return vault
